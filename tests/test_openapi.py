"""The OpenAPI document: one name per schema, valid OpenAPI 3.1, the errors each operation
answers declared, and the content type the API really sends."""

from __future__ import annotations

import enum
import json
import types
import typing
from collections import defaultdict

import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel

from gongzhi.api import api
from gongzhi.core.apidoc import ErrorOut, InvalidRequestOut


def operations():
    """Every operation the API serves, as bound to it (routers of every app included)."""
    for bound in api._get_bound_routers():
        for path, view in bound.path_operations.items():
            for operation in view.operations:
                yield (
                    "/".join(p.strip("/") for p in (bound.prefix, path) if p.strip("/")),
                    operation,
                )


def _named_types(annotation, found, seen):
    """The models and enums reachable from a type: each becomes a named component."""
    if annotation in seen:
        return
    seen.add(annotation)
    origin = typing.get_origin(annotation)
    if origin is not None or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            _named_types(arg, found, seen)
        return
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        found[annotation.__name__].add(annotation)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        # ninja's own wrappers (the parameter models, the response wrapper) are flattened away;
        # every other model is a component under its class name.
        if not hasattr(annotation, "__ninja_param_source__") and (
            annotation.__name__ != "NinjaResponseSchema"
        ):
            found[annotation.__name__].add(annotation)
        for field in annotation.model_fields.values():
            _named_types(field.annotation, found, seen)


def schema_classes() -> dict[str, set[type]]:
    found: dict[str, set[type]] = defaultdict(set)
    seen: set = set()
    for _, operation in operations():
        for model in [*operation.models, *operation.response_models.values()]:
            if isinstance(model, type):
                _named_types(model, found, seen)
    return found


def _same_page_schema(classes: set[type]) -> bool:
    """ninja's ``@paginate`` makes a ``Paged<Item>`` class for each list operation: two lists of
    one item schema give two classes that are one schema."""
    schemas = {
        json.dumps(c.model_json_schema(mode=mode), sort_keys=True)  # type: ignore[attr-defined]
        for c in classes
        for mode in ("validation", "serialization")
    }
    generated = all(c.__name__.startswith("Paged") and c.__module__ == "abc" for c in classes)
    return generated and len(schemas) <= 2


def test_every_schema_has_its_own_name():
    """ninja merges same-named schemas silently (the last one wins): two apps' ``VoteIn`` made
    ``POST /votes`` document the opinion map's body. Compare the classes, not the document."""
    clashes = {
        name: sorted(f"{c.__module__}.{c.__qualname__}" for c in classes)
        for name, classes in schema_classes().items()
        if len(classes) > 1 and not _same_page_schema(classes)
    }
    assert not clashes, f"schema names used by more than one class: {clashes}"


def test_the_clash_detector_sees_a_clash():
    from gongzhi.opinions.api import StatementVoteIn

    class StatementVoteInCopy(BaseModel):
        pass

    StatementVoteInCopy.__name__ = "StatementVoteIn"
    found: dict[str, set[type]] = defaultdict(set)
    seen: set = set()
    _named_types(list[StatementVoteIn | StatementVoteInCopy], found, seen)
    assert len(found["StatementVoteIn"]) == 2


@pytest.fixture(scope="module")
def document():
    from django.test import Client

    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_the_served_document_is_valid_openapi(document):
    validate(document)


@pytest.mark.django_db
def test_documented_bodies_are_the_right_apps(document):
    paths = document["paths"]
    schemas = document["components"]["schemas"]
    vote_body = paths["/api/v1/communities/{slug}/votes"]["post"]["requestBody"]
    ref = vote_body["content"]["application/json"]["schema"]["$ref"]
    assert set(schemas[ref.rsplit("/", 1)[1]]["properties"]) >= {"title", "opens_at", "closes_at"}
    detail = paths["/api/v1/communities/{slug}"]["get"]["responses"]["200"]
    ref = detail["content"]["application/json"]["schema"]["$ref"]
    stats = schemas[ref.rsplit("/", 1)[1]]["properties"]["stats"]["$ref"].rsplit("/", 1)[1]
    assert set(schemas[stats]["properties"]) == {"members", "verified", "active_30d"}


def test_errors_are_declared_for_every_operation():
    missing = []
    for path, operation in operations():
        codes = set(operation.response_models)
        sources = {m.__ninja_param_source__ for m in operation.models}
        wanted = set()
        if operation.auth_callbacks:
            wanted.add(403)
        if "{" in path:
            wanted |= {404, 422, 400}
        if sources & {"body", "file"}:
            wanted |= {400, 413, 422}
        for code in wanted - codes:
            missing.append(f"{operation.methods} {path}: {code}")
        for code in codes & {400, 401, 403, 404, 409, 413, 429}:
            model = operation.response_models[code].model_fields["response"].annotation
            assert issubclass(model, ErrorOut), (path, code)
        if 422 in codes:
            model = operation.response_models[422].model_fields["response"].annotation
            assert model is InvalidRequestOut, path
    assert not missing, missing


@pytest.mark.django_db
def test_rate_limited_routes_declare_429(document):
    paths = document["paths"]
    for path, method in [
        ("/api/v1/communities/{slug}/proposals", "post"),
        ("/api/v1/communities/{slug}/proposals/{proposal_id}/comments", "post"),
        ("/api/v1/communities/{slug}/hotline/tickets", "post"),
    ]:
        assert "429" in paths[path][method]["responses"], path


@pytest.mark.django_db
def test_public_operations_do_not_promise_a_401(document):
    communities = document["paths"]["/api/v1/communities"]["get"]["responses"]
    assert "401" not in communities
    me = document["paths"]["/api/v1/me"]["patch"]["responses"]
    assert {"400", "401", "403", "413", "422"} <= set(me)


@pytest.mark.django_db
def test_content_type_names_its_charset_once(client, community):
    response = client.get(f"/api/v1/communities/{community.slug}")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    error = client.get("/api/v1/communities/no-such-place")
    assert error["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize("body", ["null", "0", '"AAA"', "[]", "[1, 2]", "true"])
@pytest.mark.django_db
def test_a_body_that_is_not_an_object_is_a_422(client, resident, body):
    from gongzhi.accounts.services import api_token_create

    token = api_token_create(user=resident, name="t")[1]
    response = client.patch(
        "/api/v1/me",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422, response.content
    assert response.json() == {
        "code": "invalid_request",
        "message": "The request body must be a JSON object.",
        "fields": [{"field": "", "problem": "object_expected"}],
    }
    resident.refresh_from_db()
    assert resident.display_name


def _body_operations():
    for path, operation in operations():
        if any(m.__ninja_param_source__ == "body" for m in operation.models):
            for method in operation.methods:
                yield method, "/api/v1/" + path.lstrip("/")


@pytest.mark.django_db
def test_every_body_taking_route_refuses_a_body_that_is_not_an_object(client, community, worker):
    """The siblings of ``PATCH /me``: every route with a JSON body, with a non-object body,
    answers 422 (or refuses the caller first), never 500 nor 2xx."""
    from gongzhi.accounts.services import api_token_create

    token = api_token_create(user=worker, name="t")[1]
    routes = list(_body_operations())
    assert len(routes) > 40
    for method, path in routes:
        url = _fill(path, community.slug)
        for body in ("null", '"AAA"'):
            response = client.generic(
                method,
                url,
                data=body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            assert response.status_code == 422, (method, url, body, response.content)
            assert json.loads(response.content)["code"] == "invalid_request"


def _fill(path: str, slug: str) -> str:
    import re

    return re.sub(r"\{(\w+)\}", lambda m: slug if m.group(1) == "slug" else "1", path)
