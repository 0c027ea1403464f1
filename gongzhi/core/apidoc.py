"""How the API documents its errors: the one error schema, and which error responses each
operation declares (``declare_errors``, applied by ``gongzhi.api`` to every operation)."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.security.base import AuthBase
from pydantic import ConfigDict


class ErrorOut(Schema):
    """Every error the API answers: a stable code for programs, a message for people."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(description="Stable, for programs: `not_found`, `forbidden`, …")
    message: str = Field(description="For people, in the caller's language.")


class FieldProblemOut(Schema):
    field: str = Field(description="The field as the client named it; empty: the whole body.")
    problem: str


class InvalidRequestOut(ErrorOut):
    """422: the request does not fit the schema; ``fields`` says where."""

    fields: list[FieldProblemOut]


def declare_errors(operation: Any) -> None:
    """Add to an operation's documented responses the errors the API answers for it, by what
    the operation takes (see the handlers below):

    - 401 when it requires credentials (a public operation reads a bad token as a visitor);
    - 403 when it reads credentials at all (a staff token without two-factor login, a session
      without its CSRF token, a refusal by a service);
    - 404 when it names an object in its path (missing and forbidden answer alike);
    - 400 and 422 when it takes parameters (a service's refusal, a character the request
      boundary refuses; a parameter that does not fit the schema);
    - 413 when it takes a body (too large).

    Other codes (409, 429) are declared by the routes that answer them."""
    sources = {model.__ninja_param_source__ for model in operation.models}
    callbacks = operation.auth_callbacks
    codes: dict[int, type[Schema]] = {}
    if callbacks and all(isinstance(cb, AuthBase) for cb in callbacks):
        codes[401] = ErrorOut
    if callbacks:
        codes[403] = ErrorOut
    if "path" in sources:
        codes[404] = ErrorOut
    if sources or set(operation.methods) - {"GET", "HEAD"}:
        codes[400] = ErrorOut
        codes[422] = InvalidRequestOut
    if sources & {"body", "file", "form"}:
        codes[413] = ErrorOut
    for code, schema in codes.items():
        if code not in operation.response_models:
            operation.response_models[code] = operation._create_response_model(schema)


def errors(*codes: int) -> dict[int, type[Schema]]:
    """For a route's ``response``: the codes it answers beyond those ``declare_errors`` adds,
    ``response={201: ProposalOut, **errors(429)}``."""
    return dict.fromkeys(codes, ErrorOut)
