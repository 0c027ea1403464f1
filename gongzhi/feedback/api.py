"""The hotline in the API: categories, filing a ticket (also for a resident, 代办), the tickets
a caller may see (paged), one ticket with the timeline the caller may see, similar open tickets,
the workflow's steps and the rating. Errors are the API's ``{code, message}``; a ticket the
caller may not see is as missing as a missing one. Tickets are addressed by their number in the
community (the reference residents quote)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import rules
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema
from ninja import Status as Reply
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.security import SessionAuth

from gongzhi.accounts.api import TokenAuth
from gongzhi.accounts.models import User
from gongzhi.core.apidoc import errors
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.models import Building
from gongzhi.core.pagination import BoundedLimitOffsetPagination
from gongzhi.core.policies import require
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.feedback import policies, selectors, services
from gongzhi.feedback.models import MAX_TEXT, Contact, Department, Status, Ticket

router = Router(tags=["hotline"])


def _anyone(request: HttpRequest) -> Any:
    """Reads open to everyone, as whoever the caller is: a token or a session when given."""
    return request.user if request.user.is_authenticated else AnonymousUser()


#: Who reads: a token's owner, a session's, or anyone (then with public tickets only).
READ = [TokenAuth(), SessionAuth(), _anyone]

TICKETS = "/{slug}/hotline/tickets"
ONE = TICKETS + "/{number}"


class CategoryOut(Schema):
    code: str
    name: str
    description: str
    respond_within_hours: int
    resolve_within_days: int
    department: str | None

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return obj.department.name if obj.department_id else None


class TicketIn(Schema):
    text: str = Field(..., description="What happened (at most 2000 characters).")
    category: str | None = Field(None, description="A category code; empty: the router chooses.")
    building: str | None = Field(None, description="A building's name in the community.")
    unit: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    is_public: bool = False
    contact: str = Contact.IN_APP
    on_behalf_of: str | None = Field(
        None, description="代办: the phone number of the resident a community worker files for."
    )


class _TicketFields(Schema):
    number: int
    reference: str
    text: str
    status: str
    category: str | None
    category_name: str | None
    routing: str
    is_public: bool
    building: str | None
    created_at: datetime
    accepted_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    respond_by: datetime | None
    resolve_by: datetime | None
    duplicate_of: int | None
    resolution: str


class TicketOut(_TicketFields):
    @staticmethod
    def resolve_category(obj: Any) -> str | None:
        return obj.category.code if obj.category_id else None

    @staticmethod
    def resolve_category_name(obj: Any) -> str | None:
        return obj.category.name if obj.category_id else None

    @staticmethod
    def resolve_building(obj: Any) -> str | None:
        return obj.building.name if obj.building_id else None

    @staticmethod
    def resolve_duplicate_of(obj: Any) -> int | None:
        return obj.duplicate_of.number if obj.duplicate_of_id else None


class DetailsOut(Schema):
    """Personal and internal details: for the reporter, the handlers and staff only."""

    reporter: str | None
    filed_by: str | None
    unit: str
    latitude: Decimal | None
    longitude: Decimal | None
    contact: str
    predicted_category: str | None
    confidence: float | None
    department: str | None
    assignee: str | None


class EventOut(Schema):
    kind: str
    public: bool
    status: str
    note: str
    at: datetime
    data: dict[str, Any]


class RatingOut(Schema):
    solved: bool
    satisfaction: int


class TicketDetailOut(_TicketFields):
    details: DetailsOut | None
    rating: RatingOut | None
    followers: int
    timeline: list[EventOut]


class PhotoOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    width: int | None
    height: int | None


class SimilarOut(Schema):
    number: int
    text: str
    status: str
    score: float
    distance_m: float | None


class NoteIn(Schema):
    note: str = ""


class NotePublicIn(Schema):
    note: str
    public: bool = False


class ReopenIn(Schema):
    reason: str


class CategoryIn(Schema):
    category: str


class AssignIn(Schema):
    department: str | None = Field(None, description="A department's name.")
    assignee: str | None = Field(None, description="The handler's phone number.")
    note: str = ""


class MergeIn(Schema):
    into: int = Field(..., description="The number of the ticket to merge into.")


class RatingIn(Schema):
    solved: bool
    satisfaction: int = Field(..., description="1 (very unsatisfied) to 5 (very satisfied).")
    comment: str = ""


class SimilarQuery(Schema):
    text: str = Field(..., max_length=MAX_TEXT)
    building: str | None = None
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)


def _building(community: Any, name: str | None) -> Building | None:
    if not name:
        return None
    building = Building.objects.in_community(community).filter(name=name).first()
    if building is None:
        raise ValidationError(
            _("There is no building “%(name)s” in this community.") % {"name": name},
            code="unknown_building",
        )
    return building


def _detail(ticket: Ticket, user: Any) -> dict[str, Any]:
    out = TicketOut.from_orm(ticket).dict()
    details = None
    if rules.has_perm("feedback.view_details", user, ticket):
        details = {
            "reporter": str(ticket.reporter) if ticket.reporter else None,
            "filed_by": str(ticket.filed_by) if ticket.filed_by else None,
            "unit": ticket.unit,
            "latitude": ticket.latitude,
            "longitude": ticket.longitude,
            "contact": ticket.contact,
            "predicted_category": ticket.predicted_category.code
            if ticket.predicted_category
            else None,
            "confidence": ticket.confidence,
            "department": ticket.department.name if ticket.department else None,
            "assignee": str(ticket.assignee) if ticket.assignee else None,
        }
    rating = getattr(ticket, "rating", None) if ticket.status == Status.CLOSED else None
    out.update(
        details=details,
        rating={"solved": rating.solved, "satisfaction": rating.satisfaction} if rating else None,
        followers=selectors.follower_count(ticket=ticket),
        timeline=[
            {
                "kind": e.kind,
                "public": e.public,
                "status": e.status,
                "note": e.note,
                "at": e.at,
                "data": e.data,
            }
            for e in selectors.timeline(ticket=ticket, user=user)
        ],
    )
    return out


def _ticket(request: HttpRequest, slug: str, number: int) -> tuple[User, Ticket]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    return user, selectors.ticket_get(community=community, number=number, user=user)


@router.get(
    "/{slug}/hotline/categories",
    response=list[CategoryOut],
    auth=None,
    summary="The hotline's categories, with their deadlines",
)
def category_list(request: HttpRequest, slug: str):
    return selectors.categories(community=community_get(slug=slug, user=request.user))


@router.post(TICKETS, response={201: TicketDetailOut, **errors(429)}, summary="Report a problem")
def ticket_file(request: HttpRequest, slug: str, payload: TicketIn):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    if payload.on_behalf_of:
        # Before looking the number up: otherwise anyone could test which phones are registered.
        require(
            "core.act_on_behalf",
            user,
            community,
            _("Only a community worker can report a problem for a resident."),
        )
    ticket = services.ticket_file(
        actor=user,
        community=community,
        text=payload.text,
        category=payload.category or None,
        building=_building(community, payload.building),
        unit=payload.unit,
        latitude=payload.latitude,
        longitude=payload.longitude,
        is_public=payload.is_public,
        contact=payload.contact,
        on_behalf_of=member_by_phone(phone=payload.on_behalf_of, community=community)
        if payload.on_behalf_of
        else None,
    )
    ticket = selectors.ticket_get(community=community, number=ticket.number, user=user)
    return Reply(201, _detail(ticket, user))


@router.get(
    TICKETS,
    response=list[TicketOut],
    auth=READ,
    summary="The tickets you may see (public ones, yours, and for staff all), newest first",
)
@paginate(BoundedLimitOffsetPagination)
def ticket_list(request: HttpRequest, slug: str, status: str = "", category: str = ""):
    user = api_viewer(request)
    community = community_get(slug=slug, user=user)
    tickets = selectors.visible_tickets(community=community, user=user)
    if status:
        tickets = tickets.filter(status=status)
    if category:
        tickets = tickets.filter(category__code=category)
    return tickets.select_related("duplicate_of")


@router.get(
    TICKETS + "/similar",
    response=list[SimilarOut],
    summary="Open tickets nearby that look like this text (is it the same problem?)",
)
def ticket_similar(request: HttpRequest, slug: str, query: Query[SimilarQuery]):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    found = selectors.similar_tickets(
        community=community,
        text=query.text,
        building=_building(community, query.building),
        latitude=query.latitude,
        longitude=query.longitude,
        public_only=not policies.oversee_hotline(user, community),
    )
    return [
        {
            "number": s.ticket.number,
            "text": s.ticket.text,
            "status": s.ticket.status,
            "score": s.score,
            # Rounded to 100 m: exact distances from a few points would give away the spot.
            "distance_m": None if s.distance_m is None else round(s.distance_m, -2),
        }
        for s in found
    ]


@router.get(ONE, response=TicketDetailOut, auth=READ, summary="One ticket and its timeline")
def ticket_detail(request: HttpRequest, slug: str, number: int):
    return _after(request, slug, number)


def _after(request: HttpRequest, slug: str, number: int) -> dict[str, Any]:
    user = api_viewer(request)
    community = community_get(slug=slug, user=user)
    return _detail(selectors.ticket_get(community=community, number=number, user=user), user)


@router.post(
    ONE + "/photos",
    response={201: list[PhotoOut]},
    summary="Add photos (JPEG, PNG, WebP; at most 5 per ticket) to an open ticket you reported",
)
def ticket_photos(request: HttpRequest, slug: str, number: int, files: File[list[UploadedFile]]):
    user, ticket = _ticket(request, slug, number)
    return Reply(201, services.ticket_add_photos(actor=user, ticket=ticket, photos=files))


@router.post(ONE + "/follow", response=TicketDetailOut, summary="Follow: the same problem as mine")
def ticket_follow(request: HttpRequest, slug: str, number: int):
    user, ticket = _ticket(request, slug, number)
    services.ticket_follow(actor=user, ticket=ticket)
    return _after(request, slug, number)


@router.post(ONE + "/category", response=TicketDetailOut, summary="Set the category (staff)")
def ticket_recategorise(request: HttpRequest, slug: str, number: int, payload: CategoryIn):
    user, ticket = _ticket(request, slug, number)
    services.ticket_recategorise(actor=user, ticket=ticket, category=payload.category)
    return _after(request, slug, number)


@router.post(ONE + "/assign", response=TicketDetailOut, summary="Assign (staff)")
def ticket_assign(request: HttpRequest, slug: str, number: int, payload: AssignIn):
    user, ticket = _ticket(request, slug, number)
    if not rules.has_perm("feedback.manage", user, ticket):
        raise PermissionDenied(_("You are not allowed to do this on the hotline."))
    department = None
    if payload.department:
        department = (
            Department.objects.in_community(ticket.community_id)
            .filter(name=payload.department)
            .first()
        )
        if department is None:
            raise ValidationError(
                _("There is no department “%(name)s”.") % {"name": payload.department},
                code="unknown_department",
            )
    services.ticket_assign(
        actor=user,
        ticket=ticket,
        department=department,
        assignee=member_by_phone(phone=payload.assignee, community=ticket.community)
        if payload.assignee
        else None,
        note=payload.note,
    )
    return _after(request, slug, number)


@router.post(ONE + "/accept", response=TicketDetailOut, summary="Accept (handler)")
def ticket_accept(request: HttpRequest, slug: str, number: int, payload: NoteIn):
    user, ticket = _ticket(request, slug, number)
    services.ticket_accept(actor=user, ticket=ticket, note=payload.note)
    return _after(request, slug, number)


@router.post(ONE + "/start", response=TicketDetailOut, summary="Start work (handler)")
def ticket_start(request: HttpRequest, slug: str, number: int, payload: NoteIn):
    user, ticket = _ticket(request, slug, number)
    services.ticket_start(actor=user, ticket=ticket, note=payload.note)
    return _after(request, slug, number)


@router.post(ONE + "/resolve", response=TicketDetailOut, summary="Resolve, with the answer")
def ticket_resolve(request: HttpRequest, slug: str, number: int, payload: NoteIn):
    user, ticket = _ticket(request, slug, number)
    services.ticket_resolve(actor=user, ticket=ticket, note=payload.note)
    return _after(request, slug, number)


@router.post(ONE + "/notes", response=TicketDetailOut, summary="Add a note (handler)")
def ticket_note(request: HttpRequest, slug: str, number: int, payload: NotePublicIn):
    user, ticket = _ticket(request, slug, number)
    services.ticket_note(actor=user, ticket=ticket, note=payload.note, public=payload.public)
    return _after(request, slug, number)


@router.post(ONE + "/close", response=TicketDetailOut, summary="Close (staff)")
def ticket_close(request: HttpRequest, slug: str, number: int, payload: NoteIn):
    user, ticket = _ticket(request, slug, number)
    services.ticket_close(actor=user, ticket=ticket, note=payload.note)
    return _after(request, slug, number)


@router.post(ONE + "/reopen", response=TicketDetailOut, summary="Reopen, with the reason")
def ticket_reopen(request: HttpRequest, slug: str, number: int, payload: ReopenIn):
    user, ticket = _ticket(request, slug, number)
    services.ticket_reopen(actor=user, ticket=ticket, reason=payload.reason)
    return _after(request, slug, number)


@router.post(ONE + "/merge", response=TicketDetailOut, summary="Merge into another ticket")
def ticket_merge(request: HttpRequest, slug: str, number: int, payload: MergeIn):
    user, ticket = _ticket(request, slug, number)
    into = Ticket.objects.in_community(ticket.community_id).filter(number=payload.into).first()
    if into is None:
        raise ValidationError(
            _("There is no ticket #%(n)s in this community.") % {"n": payload.into},
            code="merge_target",
        )
    services.ticket_merge(actor=user, ticket=ticket, into=into)
    return _after(request, slug, number)


@router.post(
    ONE + "/rating", response={201: RatingOut}, summary="Rate a resolved ticket (its reporter)"
)
def ticket_rate(request: HttpRequest, slug: str, number: int, payload: RatingIn):
    user, ticket = _ticket(request, slug, number)
    rating = services.ticket_rate(
        actor=user,
        ticket=ticket,
        solved=payload.solved,
        satisfaction=payload.satisfaction,
        comment=payload.comment,
    )
    return Reply(201, {"solved": rating.solved, "satisfaction": rating.satisfaction})
