"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), mounted at /open311/v2/, so
that existing Open311 clients and a city's systems can read and file hotline tickets.

What maps to what, and the decisions the specification leaves open:

- ``jurisdiction_id`` is a community's slug and is required (one endpoint serves every
  community): missing → 400, unknown → 404.
- A *service* is an active ``Category``: ``service_code`` = its code, ``group`` = its default
  department, ``keywords`` = its router keywords. Categories have no custom attributes, so every
  service has ``metadata=false`` and its definition an empty attribute list. Every service is
  ``realtime``: a request gets its ``service_request_id`` at once, so there is no token flow
  (``tokens/…`` answers 404 in the error format).
- A *service request* is a ``Ticket``; ``service_request_id`` is the ticket's number in the
  community (the reference residents quote). ``status`` is ``open`` while submitted, accepted or
  in progress, ``closed`` once resolved or closed; ``status_notes`` is the handler's answer once
  there is one; ``expected_datetime`` the resolve-by deadline; ``agency_responsible`` the
  department; ``address``/``address_id`` the building's name and id.
- ``POST requests`` requires ``api_key``: a personal API token (``gz_…``, made on the profile
  page), the same the JSON API takes as ``Bearer``. The ticket is filed by the token's owner,
  who must be a member of the community, through ``services.ticket_file`` (so routing,
  deadlines, the timeline, the journal and the notifications all happen). A community worker's
  key with ``phone`` files for that registered resident (代办). Other personal fields (email,
  names, device_id, account_id) are not stored. A request without ``description`` is filed with
  the service's name as its text. ``media_url`` (http/https) is kept as a line of the text and is
  never fetched by the server. Tickets filed through Open311 are public (without personal
  details) unless the request says ``is_public=false`` (an extension): Open311 clients show the
  requests they file. A worker filing for a resident (代办) files privately unless
  ``is_public=true``: the resident did not choose to publish it.
- ``GET requests`` shows public tickets only, never personal details (reporter, unit, contact,
  photos, internal notes); the map point is rounded to 3 decimals (about 100 m), so a public
  ticket shows where the problem is but not whose door it is. ``media_url`` is therefore always
  empty. The default window is the last 90 days and at most 1000 requests, newest first; a
  window may not span more than 90 days; ``page``/``page_size`` (the common extension) page
  through it.
- Errors are the specification's list of ``{code, description}`` with the HTTP status (400, 403
  for a missing or invalid key, 404 for what does not exist, 429 when the filer has reached the
  hotline's daily limit), described in the caller's language (Accept-Language).
- Dates are ISO 8601 with the offset (the server's time zone); XML is UTF-8 with its
  declaration, built with ``xml.etree`` (escaped).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 - we only build XML, never parse input
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gongzhi.accounts.models import User
from gongzhi.accounts.selectors import load_mfa_facts, needs_mfa_setup
from gongzhi.accounts.services import api_token_authenticate
from gongzhi.core.http import error_text
from gongzhi.core.models import Building, Community
from gongzhi.core.pagination import ids_between
from gongzhi.core.selectors import member_by_phone
from gongzhi.feedback import services
from gongzhi.feedback.models import MAX_TEXT, OPEN_STATUSES, Category, Status, Ticket

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: The date of the last change to what this endpoint offers (discovery's ``changeset``).
CHANGESET = "2025-01-01T00:00:00+08:00"
FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
#: The specification's default and largest window, and its most requests per answer.
WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
MAX_PAGE = 10_000
#: Public map points are rounded to this many decimals (0.001° ≈ 110 m).
PUBLIC_POINT_DECIMALS = 3
MAX_MEDIA_URL = 500


class Open311Error(Exception):
    """An answer in the specification's error format."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# --- Rendering --------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat(timespec="seconds")


#: Characters XML 1.0 does not allow (C0 controls other than tab, newline and return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    # A control character in one resident's text must not make the whole answer unreadable.
    return _NOT_XML.sub("", str(value))


def _to_xml(parent: ET.Element, value: Any, item: str | None = None) -> None:
    """The Spark convention backwards: a dict's keys become child elements, a list's items
    repeat ``item`` (the singular of the list's element)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            child = ET.SubElement(parent, key)
            _to_xml(child, inner, _ITEM_OF.get(key))
    elif isinstance(value, list):
        for inner in value:
            _to_xml(ET.SubElement(parent, item or "item"), inner)
    else:
        parent.text = _xml_text(value)


_ITEM_OF = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


def _render(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        element = ET.Element(root)
        _to_xml(element, data, _ITEM_OF.get(root))
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="unicode")
    return HttpResponse(body.encode("utf-8"), status=status, content_type=FORMATS[fmt])


def _errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    return _render(
        fmt,
        "errors",
        [{"code": status, "description": str(d)} for d in descriptions],
        status=status,
    )


def boundary_error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """The request boundary's refusals (core/boundary.py) in this specification's format, as the
    path asks for it; registered in the hotline's manifest."""
    return _errors("xml" if request.path_info.endswith(".xml") else "json", status, message)


def endpoint(*methods: str) -> Callable[..., Callable[..., HttpResponse]]:
    """A view of this API: the format from the URL, the method checked, and every
    ``Open311Error`` (and the hotline's own refusals) answered in the specification's format."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt  # no cookie is ever read here: writes need an api_key
        def run(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = _errors(
                    fmt, 405, _("This method is not allowed here: use %(m)s.") % {"m": methods[0]}
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return _errors(fmt, exc.status, exc.description)
            except PermissionDenied as exc:
                return _errors(fmt, 403, str(exc) or _("You are not allowed to do this."))
            except ValidationError as exc:
                status = 429 if getattr(exc, "code", None) == "rate_limited" else 400
                return _errors(fmt, status, *[str(m) for m in exc.messages])

        run.__name__ = view.__name__
        run.__doc__ = view.__doc__
        return run

    return wrap


# --- Arguments --------------------------------------------------------------------------------


def _arg(request: HttpRequest, name: str) -> str:
    """An argument (query string for GET, the form for POST); empty and missing are the same
    ("Optional Arguments" in the specification)."""
    source = request.POST if request.method == "POST" else request.GET
    return (source.get(name) or "").strip()


def _jurisdiction(request: HttpRequest) -> Community:
    slug = _arg(request, "jurisdiction_id")
    if not slug:
        raise Open311Error(400, _("jurisdiction_id was not provided: send the community's id."))
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise Open311Error(404, _("jurisdiction_id “%(id)s” was not found.") % {"id": slug[:80]})
    return community


def _when(request: HttpRequest, name: str) -> datetime | None:
    raw = _arg(request, name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        value = None
    # Years 2000–2100: the window arithmetic on year 1 or 9999 would overflow.
    if value is not None and not 2000 <= value.year <= 2100:
        raise Open311Error(
            400, _("%(name)s must be a date between 2000 and 2100.") % {"name": name}
        )
    if value is None or value.tzinfo is None:
        raise Open311Error(
            400,
            _(
                "%(name)s must be a date and time with its time zone, "
                "like 2024-01-01T00:00:00Z or 2024-01-01T08:00:00+08:00."
            )
            % {"name": name},
        )
    return value


def _int_arg(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = _arg(request, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise Open311Error(
            400,
            _("%(name)s must be a whole number from %(low)d to %(high)d.")
            % {"name": name, "low": low, "high": high},
        )
    return value


def _list_arg(request: HttpRequest, name: str) -> list[str]:
    """A comma-delimited argument that may also be declared several times."""
    source = request.POST if request.method == "POST" else request.GET
    return [
        part.strip() for value in source.getlist(name) for part in value.split(",") if part.strip()
    ]


# --- Shapes -----------------------------------------------------------------------------------


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(category.keywords.split()),
        "group": category.department.name if category.department is not None else "",
    }


def _notice(hours: int | None, days: int | None) -> str:
    if hours is None or days is None:
        return _("A community worker will choose the right team within a day.")
    return _(
        "The community will respond within %(hours)d hours and resolve it within %(days)d days."
    ) % {"hours": hours, "days": days}


def _coarse(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value, PUBLIC_POINT_DECIMALS))


#: The columns a public service request shows (read as values: a thousand model instances with
#: their joins would cost more than the query).
COLUMNS = (
    "pk",
    "number",
    "status",
    "resolution",
    "text",
    "created_at",
    "updated_at",
    "closed_at",
    "resolve_by",
    "building_id",
    "building__name",
    "latitude",
    "longitude",
    "category__code",
    "category__name",
    "category__respond_within_hours",
    "category__resolve_within_days",
    "department__name",
)


def _requests(tickets: QuerySet[Ticket], ids: list[int]) -> list[dict[str, Any]]:
    """Service requests as anyone may see them, in the order of ``ids``: no personal details."""
    rows = {row["pk"]: row for row in tickets.filter(pk__in=ids).values(*COLUMNS)}
    labels = {value: str(label) for value, label in Status.choices}
    notices: dict[tuple[Any, Any], str] = {}
    out = []
    for pk in ids:
        row = rows.get(pk)
        if row is None:
            continue
        deadlines = (row["category__respond_within_hours"], row["category__resolve_within_days"])
        if deadlines not in notices:
            notices[deadlines] = _notice(*deadlines)
        closed = row["status"] not in OPEN_STATUSES
        updated = row["closed_at"] if row["status"] == Status.CLOSED else None
        out.append(
            {
                "service_request_id": row["number"],
                "status": "closed" if closed else "open",
                "status_notes": row["resolution"] or labels[row["status"]],
                "service_name": row["category__name"],
                "service_code": row["category__code"],
                "description": row["text"],
                "agency_responsible": row["department__name"],
                "service_notice": notices[deadlines],
                "requested_datetime": _iso(row["created_at"]),
                "updated_datetime": _iso(updated or row["updated_at"]),
                "expected_datetime": _iso(row["resolve_by"]),
                "address": row["building__name"],
                "address_id": row["building_id"],
                "zipcode": None,
                "lat": _coarse(row["latitude"]),
                "long": _coarse(row["longitude"]),
                "media_url": None,
            }
        )
    return out


def _public(community: Community) -> QuerySet[Ticket]:
    return Ticket.objects.in_community(community).filter(is_public=True)


# --- Views ------------------------------------------------------------------------------------


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Service discovery: where this endpoint is and what it speaks."""
    url = request.build_absolute_uri(reverse("open311_root"))
    return _render(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": _("Your community office runs this hotline."),
            "key_service": _(
                "Make a personal API token on your profile page and send it as api_key."
            ),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": url,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    community = _jurisdiction(request)
    categories = (
        Category.objects.in_community(community).filter(active=True).select_related("department")
    )
    return _render(fmt, "services", [_service(c) for c in categories])


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    community = _jurisdiction(request)
    category = Category.objects.in_community(community).filter(code=code, active=True).first()
    if category is None:
        raise Open311Error(404, _("service_code “%(code)s” was not found.") % {"code": code[:80]})
    return _render(fmt, "service_definition", {"service_code": category.code, "attributes": []})


def _filer(request: HttpRequest) -> User:
    key = _arg(request, "api_key")
    if not key:
        raise Open311Error(403, _("api_key is missing: a personal API token is needed to file."))
    user = api_token_authenticate(key)
    if user is None:
        raise Open311Error(403, _("Invalid api_key: it is unknown or was revoked."))
    if settings.GONGZHI_STAFF_MFA_REQUIRED:
        load_mfa_facts(user)
        if needs_mfa_setup(user):
            raise Open311Error(
                403, _("Staff accounts must turn on two-factor login before using the API.")
            )
    return user


def _point(request: HttpRequest) -> tuple[Decimal | None, Decimal | None]:
    lat, lon = _arg(request, "lat"), _arg(request, "long")
    if not lat and not lon:
        return None, None
    if not (lat and lon):
        raise Open311Error(400, _("lat and long must be sent together."))
    try:
        point = Decimal(lat), Decimal(lon)
    except ArithmeticError:
        point = None
    if point is None or not all(p.is_finite() for p in point):
        raise Open311Error(400, _("lat and long must be numbers (WGS84 degrees)."))
    if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
        raise Open311Error(400, _("lat must be between -90 and 90 and long between -180 and 180."))
    return point


def _building(community: Community, address_id: str) -> Building:
    building = None
    if address_id.isdigit():
        building = Building.objects.in_community(community).filter(pk=int(address_id)).first()
    if building is None:
        raise Open311Error(
            404,
            _("address_id “%(id)s” is not a building of this community.") % {"id": address_id[:40]},
        )
    return building


def _media_line(media_url: str) -> str:
    parsed = urlparse(media_url)
    if (
        len(media_url) > MAX_MEDIA_URL
        or parsed.scheme not in ("http", "https")
        or not parsed.netloc
    ):
        raise Open311Error(400, _("media_url must be an http or https address."))
    return "\n" + _("Media: %(url)s") % {"url": media_url}


def _on_behalf(request: HttpRequest, user: User, community: Community) -> User | None:
    """代办: a community worker's key with the phone number of a member of the community."""
    phone = _arg(request, "phone")
    if not phone or not rules.has_perm("core.act_on_behalf", user, community):
        return None
    try:
        return member_by_phone(phone=phone, community=community)
    except ValidationError as error:
        raise Open311Error(400, error_text(error)) from error


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    return _query(request, fmt)


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    """POST Service Request. Every argument is checked before anything is written."""
    user = _filer(request)
    community = _jurisdiction(request)
    code = _arg(request, "service_code")
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    category = Category.objects.in_community(community).filter(code=code, active=True).first()
    if category is None:
        raise Open311Error(404, _("service_code “%(code)s” was not found.") % {"code": code[:80]})
    lat, lon = _point(request)
    address_string, address_id = _arg(request, "address_string"), _arg(request, "address_id")
    if lat is None and not address_string and not address_id:
        raise Open311Error(
            400, _("A location is required: lat and long, address_string or address_id.")
        )
    building = _building(community, address_id) if address_id else None
    unit = ""
    if address_string and building is None:
        building = Building.objects.in_community(community).filter(name=address_string).first()
        unit = "" if building is not None else address_string
        if len(unit) > services.MAX_UNIT:
            raise Open311Error(
                400,
                _("address_string is too long: at most %(max)d characters, or send lat and long.")
                % {"max": services.MAX_UNIT},
            )
    text = _arg(request, "description") or category.name
    media_url = _arg(request, "media_url")
    if media_url:
        text += _media_line(media_url)
    if len(text) > MAX_TEXT:
        raise Open311Error(
            400,
            _("description is too long: at most %(max)d characters.") % {"max": MAX_TEXT},
        )
    # Public by default for a resident's own filing (the way city Open311 apps work); a worker
    # filing for a resident (代办) makes it public only if asked, as the resident's own form does.
    on_behalf_of = _on_behalf(request, user, community)
    wanted = _arg(request, "is_public").lower()
    is_public = (
        wanted in ("true", "1", "yes") if on_behalf_of else wanted not in ("false", "0", "no")
    )
    ticket = services.ticket_file(
        actor=user,
        community=community,
        text=text,
        category=category,
        building=building,
        unit=unit,
        latitude=lat,
        longitude=lon,
        is_public=is_public,
        on_behalf_of=on_behalf_of,
    )
    return _render(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": ticket.number,
                "service_notice": _notice(
                    category.respond_within_hours, category.resolve_within_days
                ),
                "account_id": None,
            }
        ],
    )


def _query(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET Service Requests: public tickets, newest first."""
    community = _jurisdiction(request)
    page = _int_arg(request, "page", 1, 1, MAX_PAGE)
    page_size = _int_arg(request, "page_size", MAX_REQUESTS, 1, MAX_REQUESTS)
    tickets = _public(community)
    wanted = _list_arg(request, "service_request_id")
    if wanted:  # overrides every other argument
        if not all(w.isdigit() and len(w) < 10 for w in wanted):
            raise Open311Error(400, _("service_request_id must be whole numbers, comma-separated."))
        tickets = tickets.filter(number__in=[int(w) for w in wanted[:MAX_REQUESTS]])
    else:
        start, end = _when(request, "start_date"), _when(request, "end_date")
        if start is None:
            end = end or timezone.now()
            start = end - WINDOW
        elif end is None:
            end = start + WINDOW
        if start > end:
            raise Open311Error(400, _("start_date must be before end_date."))
        if end - start > WINDOW:
            raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
        tickets = tickets.filter(created_at__gte=start, created_at__lte=end)
        codes = _list_arg(request, "service_code")
        if codes:
            tickets = tickets.filter(category__code__in=codes)
        statuses = set(_list_arg(request, "status"))
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status must be open or closed (or both, comma-separated)."))
        if statuses == {"open"}:
            tickets = tickets.filter(status__in=OPEN_STATUSES)
        elif statuses == {"closed"}:
            tickets = tickets.filter(~Q(status__in=OPEN_STATUSES))
    tickets = tickets.order_by("-created_at", "-pk")
    # The ids first (from the index, from the nearer end), then only those rows with their joins.
    ids = tickets.values_list("pk", flat=True)
    count = ids.count()
    bottom = min((page - 1) * page_size, count)
    top = min(bottom + page_size, count)
    page_ids = ids_between(ids, bottom, top, count) if top > bottom else []
    return _render(fmt, "service_requests", _requests(tickets, page_ids))


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, number: str) -> HttpResponse:
    """GET Service Request: one public ticket (a private one is as missing as a missing one)."""
    community = _jurisdiction(request)
    found: list[dict[str, Any]] = []
    if number.isdigit() and len(number) < 10:
        tickets = _public(community).filter(number=int(number))
        found = _requests(tickets, list(tickets.values_list("pk", flat=True)))
    if not found:
        raise Open311Error(
            404, _("service_request_id “%(id)s” was not found.") % {"id": number[:20]}
        )
    return _render(fmt, "service_requests", found)


@endpoint("GET", "POST", "PUT", "PATCH", "DELETE")
def not_found(request: HttpRequest, fmt: str, rest: str = "") -> HttpResponse:
    raise Open311Error(404, _("There is no such Open311 resource."))


def root(request: HttpRequest) -> HttpResponse:
    """The bare prefix, or a path without .xml or .json: XML, the format every client reads."""
    return _errors("xml", 404, _("Ask for discovery.xml, services.xml or requests.xml here."))


FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns = [
    re_path(r"^$", root, name="open311_root"),
    re_path(r"^discovery" + FMT, discovery, name="open311_discovery"),
    re_path(r"^services" + FMT, service_list, name="open311_services"),
    re_path(r"^services/(?P<code>[^/]+)" + FMT, service_definition, name="open311_service"),
    re_path(r"^requests" + FMT, requests, name="open311_requests"),
    re_path(r"^requests/(?P<number>[^/]+)" + FMT, request_detail, name="open311_request"),
    re_path(r"^(?P<rest>.*)" + FMT, not_found),
    re_path(r"^.*$", root),
]
