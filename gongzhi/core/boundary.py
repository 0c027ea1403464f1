"""The request boundary: every text a request carries is checked once, before any view reads it.

``RequestBoundaryMiddleware`` looks at the path, the query string, urlencoded and multipart form
fields (names and values, not file contents) and JSON bodies (every string, nested, keys too):

- C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F) are refused with a 400 — except
  tab, newline and carriage return, which textareas send. PostgreSQL cannot store NUL at all, and
  the others are invisible noise or terminal escapes; nothing is saved.
- Bidirectional overrides, embeddings and isolates (U+202A–U+202E, U+2066–U+2069) are removed
  silently: they can make a name or a proposal read backwards ("Trojan Source"). The zero-width
  joiner (U+200D) stays, as emoji sequences need it, and so does everything else.

Views, forms and django-ninja then read the cleaned values (``request.GET``, ``request.POST``,
``request.body``). The common case costs one regex scan: forms and the query string are scanned
in Django's own parse of them, JSON in the bytes Django reads anyway; values are copied only
when the scan finds a candidate.

It is also where the body is read first, so a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413),
a multipart body Django cannot parse, or one with too many fields (400) get their answer here:
``{"code", "message"}`` under /api/, GeoReport's ``errors`` under /open311/, an error page
elsewhere, in the caller's language.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from gongzhi.core.manifests import boundary_error_renderers

API_PREFIX = "/api/"

#: Refused: C0 and C1 controls and DEL, but not tab, newline and carriage return.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Removed: bidirectional embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069).
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: Either of the two, for a single pass over a decoded value.
SUSPECT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# In JSON they come as escapes (\u0001; \b and \f for U+0008 and U+000C) or raw (UTF-8). A
# raw control character other than DEL is invalid JSON, which the API refuses anyway, but a raw
# NUL marks a UTF-16 or UTF-32 body, which json.loads accepts: it is then checked the slow way.
# Separate searches, each behind a byte test, keep a clean body's scan near memchr speed; one
# alternation of them all costs ten times more.
_JSON_ESCAPE = re.compile(
    rb"\\(?:[bf]|u(?:00(?:0[0-8BCEFbcef]|1[0-9A-Fa-f]|7[Ff]|[89][0-9A-Fa-f])|20(?:2[A-Ea-e]|6[6-9])))"
)
_RAW_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_RAW_BIDI = re.compile(rb"\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])")


def _json_suspect(body: bytes) -> bool:
    """Whether a JSON ``body`` may hold a suspect character (no false negatives)."""
    return bool(
        b"\x00" in body
        or b"\x7f" in body
        or (b"\\" in body and _JSON_ESCAPE.search(body))
        or (b"\xc2" in body and _RAW_C1.search(body))
        or (b"\xe2" in body and _RAW_BIDI.search(body))
    )


#: A JSON string literal, escapes included.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


class Refused(Exception):
    """The request carries a control character; nothing may be done with it."""


def clean_text(value: str) -> str:
    """``value`` without bidirectional controls; ``Refused`` if it holds a control character."""
    if CONTROL.search(value):
        raise Refused
    return BIDI.sub("", value)


def _clean_querydict(data: QueryDict) -> QueryDict | None:
    """A cleaned copy of ``data``, or None when nothing in it needed cleaning."""
    if not any(
        SUSPECT.search(key) or any(map(SUSPECT.search, values)) for key, values in data.lists()
    ):
        return None
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(clean_text(key), [clean_text(value) for value in values])
    cleaned._mutable = False
    return cleaned


def _clean_json(body: bytes) -> bytes | None:
    """``body`` with every JSON string cleaned, or None when no string needed it. Only the
    string literals are rewritten, so numbers keep their exact spelling."""
    try:
        text = body.decode(json.detect_encoding(body))
    except (UnicodeDecodeError, LookupError):
        return None  # not JSON: the API answers invalid_json
    changed = False

    def fix(match: re.Match[str]) -> str:
        nonlocal changed
        token = match.group(0)
        try:
            value = json.loads(token)
        except ValueError:
            return token  # a malformed literal: the JSON parser refuses the body later
        if not SUSPECT.search(value):
            return token
        changed = True
        return json.dumps(clean_text(value), ensure_ascii=False)

    cleaned = _JSON_STRING.sub(fix, text)
    return cleaned.encode() if changed else None


def _replace_body(request: HttpRequest, body: bytes) -> None:
    request._body = body  # type: ignore[attr-defined]
    request._stream = io.BytesIO(body)  # type: ignore[attr-defined]
    for parsed in ("_post", "_files"):
        if hasattr(request, parsed):
            delattr(request, parsed)


def _is_json(request: HttpRequest) -> bool:
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        return True
    # django-ninja parses any body that is not a form as JSON, whatever its declared type.
    return request.path_info.startswith(API_PREFIX) and content_type not in {FORM, MULTIPART}


def check_request(request: HttpRequest) -> None:
    """Clean ``request`` in place, or raise ``Refused`` (or Django's errors for a body it cannot
    read: RequestDataTooBig, MultiPartParserError, TooManyFieldsSent, TooManyFilesSent).

    Forms and the query string are checked in Django's own parse of them (``request.GET``,
    ``request.POST``, which the CSRF check and the view would make anyway), so a clean form
    costs a scan of its values and nothing more."""
    if CONTROL.search(request.path_info):
        raise Refused
    if request.META.get("QUERY_STRING"):
        cleaned = _clean_querydict(request.GET)
        if cleaned is not None:
            request.GET = cleaned  # type: ignore[assignment]  # read-only once built
            request.META["QUERY_STRING"] = cleaned.urlencode()
    content_type = request.content_type or ""
    if content_type in {FORM, MULTIPART}:
        if request.method == "POST":  # Django parses the forms of POST requests only
            cleaned = _clean_querydict(request.POST)
            if cleaned is not None:
                if content_type == FORM:  # whoever reads the raw body reads it cleaned too
                    _replace_body(request, cleaned.urlencode().encode("ascii"))
                    request._files = MultiValueDict()  # type: ignore[attr-defined]
                request._post = cleaned  # type: ignore[attr-defined]
        elif content_type == FORM and request.body:
            cleaned = _clean_querydict(QueryDict(request.body, encoding=request.encoding))
            if cleaned is not None:
                _replace_body(request, cleaned.urlencode().encode("ascii"))
        return
    if _is_json(request):
        body = request.body
        if body and _json_suspect(body):
            cleaned_body = _clean_json(body)
            if cleaned_body is not None:
                _replace_body(request, cleaned_body)


def _back_url(request: HttpRequest) -> str:
    """Where the error page's link leads: the page the person came from, if it is ours."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return reverse("home")


def _refuse(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    # An app whose API has an error format of its own (Open311's) registers it in its manifest.
    for prefix, renderer in boundary_error_renderers().items():
        if request.path_info.startswith(prefix):
            return import_string(str(renderer))(request, status, message)
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse(
            {"code": code, "message": message},
            status=status,
            json_dumps_params={"ensure_ascii": False},
            content_type="application/json; charset=utf-8",
        )
    template = "413.html" if status == 413 else "400.html"
    context = {"message": message, "back_url": _back_url(request)}
    return render(request, template, context, status=status)


class RequestBoundaryMiddleware:
    """Runs :func:`check_request` on every request. It sits after the locale and user-preference
    middleware, so its answers are in the caller's language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except Refused:
            message = _(
                "Some of the text sent contains invisible control characters, which cannot be "
                "saved. They often come with text pasted from another program: type that part "
                "again and send it once more."
            )
            return _refuse(request, 400, "invalid_characters", message)
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
            message = _(
                "What was sent is too large: at most %(mb)s MB at once. Send less, or smaller "
                "files, and try again."
            ) % {"mb": f"{limit / 2**20:g}"}
            return _refuse(request, 413, "request_too_large", message)
        except (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent, UnreadablePostError):
            message = _("What was sent could not be read as a form. Reload the page and try again.")
            return _refuse(request, 400, "malformed_request", message)
        return self.get_response(request)
