"""The JSON API at /api/v1/ (django-ninja). The OpenAPI document is committed at
docs/openapi.json; ``manage.py export_openapi`` rewrites it and a test fails when it is stale.

Errors are always ``{"code": "<stable_code>", "message": "<in the caller's language>"}``.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import SessionAuth

from gongzhi.accounts.api import MfaRequired, TokenAuth
from gongzhi.accounts.api import router as me_router
from gongzhi.budgeting.api import router as budgeting_router
from gongzhi.core.api import router as community_router
from gongzhi.core.apidoc import declare_errors
from gongzhi.deliberation.api import router as deliberation_router
from gongzhi.disclosure.api import router as disclosure_router
from gongzhi.feedback.api import router as feedback_router
from gongzhi.opinions.api import router as opinions_router
from gongzhi.voting.api import router as voting_router


class Utf8JSONRenderer(JSONRenderer):
    """Chinese text as itself, not as \\u escapes: readable in logs and a third smaller.
    ninja adds ``; charset=utf-8`` to the media type itself (the renderer's ``charset``)."""

    media_type = "application/json"
    json_dumps_params = {"ensure_ascii": False}


class BodyNotAnObject(ValueError):
    """A JSON body that parses but is not an object (``null``, ``0``, ``"AAA"``, a list)."""


class ObjectBodyParser(Parser):
    """Every body the API takes is a JSON object: anything else is refused with a 422 before a
    schema sees it (ninja's schemas would otherwise read ``0`` or ``"AAA"`` as an object with
    no attributes, and an all-optional schema such as ``PATCH /me``'s would accept it)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        # ninja parses each field of a multipart body with this method too, on a stand-in
        # request without a content type: a field may be a plain string there.
        if not isinstance(data, dict) and request.content_type is not None:
            raise BodyNotAnObject
        return data


class GongzhiAPI(NinjaAPI):
    """The NinjaAPI, which also documents the errors each operation can answer."""

    def _get_bound_routers(self):  # type: ignore[no-untyped-def]
        first = self._bound_routers_cache is None
        bound = super()._get_bound_routers()
        if first:  # routers are bound once, when the URLs or the document are first asked for
            for bound_router in bound:
                for path_view in bound_router.path_operations.values():
                    for operation in path_view.operations:
                        declare_errors(operation)
        return bound


api = GongzhiAPI(
    parser=ObjectBodyParser(),
    renderer=Utf8JSONRenderer(),
    title="gongzhi 共治 API",
    version="1",
    description=(
        "Communities, residents and their memberships. Authenticate with a personal token "
        "(`Authorization: Bearer gz_…`, made on the profile page) or a browser session."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)
api.add_router("/", me_router)
api.add_router("/", "gongzhi.accounts.privacy_api.router")
api.add_router("/", "gongzhi.notifications.api.router")
api.add_router("/communities", community_router)
api.add_router("/communities", deliberation_router)
api.add_router("/communities", voting_router)
api.add_router("/communities", opinions_router)
api.add_router("/communities", budgeting_router)
api.add_router("/communities", feedback_router)
api.add_router("/communities", "gongzhi.feedback.stats_api.router")
api.add_router("/communities", disclosure_router)
api.add_router("/communities", "gongzhi.evaluation.api.router")
api.add_router("/communities", "gongzhi.surveys.api.router")
api.add_router("/communities", "gongzhi.evaluation.comparison_api.router")
for _part in ("api", "panel_api", "supervision_api", "partner_api", "incubation_api"):
    api.add_router("/", f"gongzhi.bodies.{_part}.router")
for _part in (
    "api",
    "agenda_api",
    "room_api",
    "minutes_api",
    "hearing_api",
    "register_api",
    "calendar_api",
):
    api.add_router("/", f"gongzhi.meetings.{_part}.router")
for _part in ("api", "shift_api", "ledger_api", "certificate_api", "honour_api", "aid_api"):
    api.add_router("/", f"gongzhi.volunteering.{_part}.router")
for _part in ("api", "attendance_api", "award_api", "requirement_api", "ladder_api", "spread_api"):
    api.add_router("/", f"gongzhi.learning.{_part}.router")
for _part in ("api", "consult_api", "revision_api", "adoption_api"):
    api.add_router("/", f"gongzhi.covenants.{_part}.router")
for _part in ("api", "proceeding_api", "stats_api"):
    api.add_router("/", f"gongzhi.mediation.{_part}.router")
# The catalogue's router ("api") last: its /spaces/{space_id} would otherwise take the parts'
# /spaces/requests, /spaces/resources, /spaces/idle … (Django tries URL patterns in order).
for _part in ("booking_api", "series_api", "lending_api", "revival_api", "forecast_api", "api"):
    api.add_router("/", f"gongzhi.spaces.{_part}.router")


def error(
    request: HttpRequest, status: int, code: str, message: str, **extra: object
) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error(request, 401, "unauthenticated", _("Log in, or send a valid API token."))


@api.exception_handler(MfaRequired)
def on_mfa_required(request: HttpRequest, exc: Exception) -> HttpResponse:
    message = _("Staff accounts must turn on two-factor login before using the API.")
    return error(request, 403, "mfa_required", message)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error(request, 404, "not_found", _("Not found."))


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error(request, 403, "forbidden", str(exc) or _("You are not allowed to do this."))


def _field_name(loc: list | tuple) -> str:
    """("body", "payload", "code") → "code": the name a client sent, not our parameter's."""
    parts = [str(part) for part in loc[1:]]
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


@api.exception_handler(NinjaValidationError)
def on_invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields = [
        {
            "field": _field_name(e.get("loc", [])),
            "problem": e.get("type", ""),
        }
        for e in exc.errors
    ]
    return error(
        request, 422, "invalid_request", _("Some fields are missing or malformed."), fields=fields
    )


@api.exception_handler(DjangoValidationError)
def on_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    code = getattr(exc, "code", None) or "invalid"
    if code == "rate_limited":
        return error(request, 429, code, " ".join(str(m) for m in exc.messages))
    return error(request, 400, str(code), " ".join(str(m) for m in exc.messages))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, BodyNotAnObject):
        fields = [{"field": "", "problem": "object_expected"}]
        message = _("The request body must be a JSON object.")
        return error(request, 422, "invalid_request", message, fields=fields)
    if exc.status_code == 400 and "parse request body" in str(exc):
        return error(request, 400, "invalid_json", _("The request body is not valid JSON."))
    if exc.status_code == 403 and "CSRF" in str(exc):
        # A browser session without its CSRF token, or a request with a token that was not valid.
        message = _("Send a valid API token, or the CSRF token of your browser session.")
        return error(request, 403, "csrf_failed", message)
    if exc.status_code == 403:
        return error(request, 403, "forbidden", str(exc))
    return error(request, exc.status_code, "error", str(exc))


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /api/v1/ answers in the API's format, not with an HTML page."""
    return error(request, 404, "not_found", _("Not found."))
