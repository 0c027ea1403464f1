"""Spaces in the API, under /communities/{slug}/spaces: the catalogue (the spaces one may see,
one space with its rules in words and its opening hours), setting a space up, changing it,
opening and closing it (community workers), my bookings (coming up and past) and the addresses
of the calendar feeds. Refusals are 400 with the service's code (``space_name_taken``,
``space_hours``, ``space_seats``, ``space_lengths``, ``space_two_managers``,
``space_manager_unknown``, ``space_status_unchanged`` …); a space the caller may not see is
404, as a missing one. A photo is uploaded on the space's page (a form), not here."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gongzhi.bodies.models import Body, Partner
from gongzhi.core.http import api_user
from gongzhi.core.models import Building, Community
from gongzhi.core.selectors import community_get
from gongzhi.spaces import catalogue, selectors
from gongzhi.spaces.models import Booking, Space

router = Router(tags=["spaces"])

C = "/communities/{slug}/spaces"
SPACE = C + "/{space_id}"


class SpaceOut(Schema):
    id: int
    name: str
    kind: str
    status: str = Field(..., description="draft | open | closed")
    description: str
    location: str
    building: int | None
    capacity: int
    seats: int = Field(..., description="1: booked whole; more: each booking takes one place.")
    equipment: str
    step_free: bool
    lift: bool
    accessible_toilet: bool
    accessibility_note: str
    photo_url: str = Field(..., description="The photo's page address, or empty.")
    managed_by_body: int | None
    managed_by_partner: int | None
    manager: str = Field(..., description="Who manages it, in words.")


class SpaceRulesOut(Schema):
    residents: str = Field(..., description="all | verified | none")
    organisations: bool
    partners: bool
    slot_minutes: int
    max_minutes: int
    advance_days: int
    buffer_minutes: int
    quota: int = Field(..., description="0: no limit.")
    quota_period: str = Field(..., description="week | month")
    needs_approval: bool
    hold_hours: int
    series_allowed: bool
    fee: Decimal
    fee_note: str
    no_show_minutes: int
    no_show_limit: int


class SpaceOpeningOut(Schema):
    set: bool = Field(..., description="False: no hours set, open at any time.")
    week: list[str]
    today: str
    holiday: str = Field(..., description="What the next public holiday does, in words.")
    closures: list[str]


class SpaceDetailOut(SpaceOut):
    rules: SpaceRulesOut
    rules_in_words: list[str]
    hours: dict[str, Any] = Field(..., description="The opening hours as stored (hours.py).")
    opening: SpaceOpeningOut
    feed_url: str = Field(
        ...,
        description="The space's busy times, with no names; once the caller has a calendar "
        "address, with the space's own token (it opens this space's feed only).",
    )


class SpaceIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    kind: str = Field(..., description="room | hall | courtyard | garden | reading_room | …")
    description: str = Field("", max_length=5000)
    location: str = Field("", max_length=200)
    building: int | None = None
    capacity: int = Field(10, ge=1, le=100000)
    seats: int = Field(1, ge=1, le=500)
    equipment: str = Field("", max_length=5000)
    step_free: bool = False
    lift: bool = False
    accessible_toilet: bool = False
    accessibility_note: str = Field("", max_length=200)
    hours: dict[str, Any] | str = Field(
        default_factory=dict, description="hours.py's JSON, or its text form; empty: any time."
    )
    managed_by_body: int | None = None
    managed_by_partner: int | None = None
    residents: str = Field("verified", description="all | verified | none")
    organisations: bool = True
    partners: bool = False
    slot_minutes: int = Field(30, ge=5, le=1440)
    max_minutes: int = Field(180, ge=5, le=100000)
    advance_days: int = Field(30, ge=0, le=366)
    buffer_minutes: int = Field(0, ge=0, le=1440)
    quota: int = Field(0, ge=0, le=1000)
    quota_period: str = Field("week", description="week | month")
    needs_approval: bool = False
    hold_hours: int = Field(48, ge=1, le=720)
    series_allowed: bool = True
    fee: Decimal = Field(Decimal(0), ge=0, max_digits=8, decimal_places=2)
    fee_note: str = Field("", max_length=200)
    no_show_minutes: int = Field(15, ge=0, le=1440)
    no_show_limit: int = Field(3, ge=0, le=100)


class SpacePatch(Schema):
    """Any of the fields of a space; those left out stay as they are."""

    name: str | None = Field(None, min_length=1, max_length=80)
    kind: str | None = None
    description: str | None = Field(None, max_length=5000)
    location: str | None = Field(None, max_length=200)
    building: int | None = None
    capacity: int | None = Field(None, ge=1, le=100000)
    seats: int | None = Field(None, ge=1, le=500)
    equipment: str | None = Field(None, max_length=5000)
    step_free: bool | None = None
    lift: bool | None = None
    accessible_toilet: bool | None = None
    accessibility_note: str | None = Field(None, max_length=200)
    hours: dict[str, Any] | str | None = None
    managed_by_body: int | None = None
    managed_by_partner: int | None = None
    residents: str | None = None
    organisations: bool | None = None
    partners: bool | None = None
    slot_minutes: int | None = Field(None, ge=5, le=1440)
    max_minutes: int | None = Field(None, ge=5, le=100000)
    advance_days: int | None = Field(None, ge=0, le=366)
    buffer_minutes: int | None = Field(None, ge=0, le=1440)
    quota: int | None = Field(None, ge=0, le=1000)
    quota_period: str | None = None
    needs_approval: bool | None = None
    hold_hours: int | None = Field(None, ge=1, le=720)
    series_allowed: bool | None = None
    fee: Decimal | None = Field(None, ge=0, max_digits=8, decimal_places=2)
    fee_note: str | None = Field(None, max_length=200)
    no_show_minutes: int | None = Field(None, ge=0, le=1440)
    no_show_limit: int | None = Field(None, ge=0, le=100)


class SpaceCloseIn(Schema):
    reason: str = Field("", max_length=300)


class SpaceMyBookingOut(Schema):
    id: int
    space: int
    space_name: str
    starts_at: datetime
    ends_at: datetime
    status: str = Field(
        ..., description="pending | confirmed | draw | cancelled | rejected | expired | released"
    )
    hold_until: datetime | None
    purpose: str
    body: int | None
    meeting: int | None
    fee: Decimal
    fee_paid: bool
    reason: str
    can_cancel: bool


class SpaceMyBookingsOut(Schema):
    upcoming: list[SpaceMyBookingOut]
    past: list[SpaceMyBookingOut] = Field(..., description="The last 90 days', newest first.")


class SpaceFeedOut(Schema):
    space: int
    name: str
    url: str


class SpaceFeedsOut(Schema):
    mine: str = Field(
        ...,
        description="My bookings' secret address; empty until a calendar address is issued "
        "(POST /calendar/ on the site, or the calendar API).",
    )
    spaces: list[SpaceFeedOut] = Field(
        ...,
        description="Each space's busy times, with no names; once a calendar address is issued, "
        "each carries that space's own token (it opens that space's feed only).",
    )


def _space_out(space: Space, request: HttpRequest) -> dict[str, Any]:
    slug = space.community.slug
    photo = (
        request.build_absolute_uri(
            reverse("spaces_photo", kwargs={"slug": slug, "space_id": space.pk})
        )
        if space.photo
        else ""
    )
    return {
        "id": space.pk,
        "name": space.name,
        "kind": space.kind,
        "status": space.status,
        "description": space.description,
        "location": space.location,
        "building": space.building_id,
        "capacity": space.capacity,
        "seats": space.seats,
        "equipment": space.equipment,
        "step_free": space.step_free,
        "lift": space.lift,
        "accessible_toilet": space.accessible_toilet,
        "accessibility_note": space.accessibility_note,
        "photo_url": photo,
        "managed_by_body": space.managed_by_body_id,
        "managed_by_partner": space.managed_by_partner_id,
        "manager": selectors.manager_name(space),
    }


RULE_FIELDS = tuple(SpaceRulesOut.model_fields)


def _space_feed_url(request: HttpRequest, space: Space, token: str | None = None) -> str:
    """The space's feed address for the caller, as its page gives it (``token``: the caller's
    calendar token, when already read)."""
    return request.build_absolute_uri(selectors.space_feed_path(space, api_user(request), token))


def _detail(space: Space, request: HttpRequest) -> dict[str, Any]:
    return {
        **_space_out(space, request),
        "rules": {name: getattr(space, name) for name in RULE_FIELDS},
        "rules_in_words": selectors.rules_in_words(space),
        "hours": space.hours or {},
        "opening": selectors.opening(space),
        "feed_url": _space_feed_url(request, space),
    }


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=api_user(request), perm="spaces.view_spaces")


def _space(request: HttpRequest, slug: str, space_id: int) -> Space:
    community = _community(request, slug)
    space = selectors.space_get(community=community, viewer=api_user(request), space_id=space_id)
    space.community = community
    return space


def _refs(community: Community, data: dict[str, Any]) -> dict[str, Any]:
    """Ids in the payload turned into the rows they name (of this community), or a 400."""
    if data.get("building") is not None:
        building = Building.objects.in_community(community).filter(pk=data["building"]).first()
        if building is None:
            raise ValidationError(
                _("That building is not in this community."), code="space_building_unknown"
            )
        data["building"] = building
    if data.get("managed_by_body") is not None:
        body = Body.objects.in_community(community).filter(pk=data["managed_by_body"]).first()
        if body is None:
            raise ValidationError(
                _("That organisation is not of this community."), code="space_manager_unknown"
            )
        data["managed_by_body"] = body
    if data.get("managed_by_partner") is not None:
        partner = Partner.objects.filter(pk=data["managed_by_partner"]).first()
        if partner is None:
            raise ValidationError(
                _("That partner has no agreement with this community."),
                code="space_manager_unknown",
            )
        data["managed_by_partner"] = partner
    for name, choices in (
        ("kind", Space._meta.get_field("kind").choices),
        ("residents", Space._meta.get_field("residents").choices),
        ("quota_period", Space._meta.get_field("quota_period").choices),
    ):
        if name in data and data[name] not in {value for value, _label in choices or ()}:
            raise ValidationError(
                _("“%(value)s” is not a choice for %(field)s.")
                % {"value": data[name], "field": name},
                code="space_choice",
            )
    return data


@router.get(C, response=list[SpaceOut], summary="The community's spaces (drafts for workers)")
def space_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    community = _community(request, slug)
    return [
        _space_out(space, request)
        for space in selectors.catalogue(community, api_user(request))[:500]
    ]


@router.get(
    C + "/my-bookings",
    response=SpaceMyBookingsOut,
    summary="My bookings of the community's spaces: coming up, and the last 90 days'",
)
def my_bookings(request: HttpRequest, slug: str) -> dict[str, Any]:
    user = api_user(request)
    community = _community(request, slug)
    from django.utils import timezone

    now = timezone.now()
    mine = selectors.my_bookings(community, user, now=now)

    def out(booking: Booking) -> dict[str, Any]:
        return {
            "id": booking.pk,
            "space": booking.space_id,
            "space_name": booking.space.name,
            "starts_at": booking.starts_at,
            "ends_at": booking.ends_at,
            "status": booking.status,
            "hold_until": booking.hold_until,
            "purpose": booking.purpose,
            "body": booking.body_id,
            "meeting": booking.meeting_id,
            "fee": booking.fee,
            "fee_paid": booking.fee_paid_at is not None,
            "reason": booking.reason,
            "can_cancel": selectors.may_cancel_mine(booking, now),
        }

    return {"upcoming": [out(b) for b in mine.upcoming], "past": [out(b) for b in mine.past]}


@router.get(C + "/feeds", response=SpaceFeedsOut, summary="The addresses of the calendar feeds")
def feeds(request: HttpRequest, slug: str) -> dict[str, Any]:
    user = api_user(request)
    community = _community(request, slug)
    token = selectors.calendar_token(user)
    mine = (
        request.build_absolute_uri(reverse("spaces_my_feed", kwargs={"slug": slug, "token": token}))
        if token
        else ""
    )
    spaces = [
        {"space": space.pk, "name": space.name, "url": _space_feed_url(request, space, token)}
        for space in selectors.catalogue(community, user)[:500]
    ]
    return {"mine": mine, "spaces": spaces}


@router.get(SPACE, response=SpaceDetailOut, summary="One space: its rules, hours and feed")
def space_detail(request: HttpRequest, slug: str, space_id: int) -> dict[str, Any]:
    return _detail(_space(request, slug, space_id), request)


@router.post(
    C,
    response={201: SpaceDetailOut},
    summary="Set up a space (community workers): a draft until opened",
)
def space_create(request: HttpRequest, slug: str, payload: SpaceIn) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = _community(request, slug)
    fields = _refs(community, payload.dict())
    space = catalogue.space_create(actor=user, community=community, **fields)
    return Status(201, _detail(space, request))


@router.patch(SPACE, response=SpaceDetailOut, summary="Change a space or its rules (workers)")
def space_update(
    request: HttpRequest, slug: str, space_id: int, payload: SpacePatch
) -> dict[str, Any]:
    user = api_user(request)
    space = _space(request, slug, space_id)
    fields = _refs(space.community, payload.dict(exclude_unset=True))
    return _detail(catalogue.space_update(actor=user, space=space, **fields), request)


@router.post(SPACE + "/open", response=SpaceDetailOut, summary="Open a space for booking")
def space_open(request: HttpRequest, slug: str, space_id: int) -> dict[str, Any]:
    user = api_user(request)
    space = _space(request, slug, space_id)
    return _detail(catalogue.space_open(actor=user, space=space), request)


@router.post(
    SPACE + "/close",
    response=SpaceDetailOut,
    summary="Close a space for booking; bookings already made stay",
)
def space_close(
    request: HttpRequest, slug: str, space_id: int, payload: SpaceCloseIn
) -> dict[str, Any]:
    user = api_user(request)
    space = _space(request, slug, space_id)
    return _detail(catalogue.space_close(actor=user, space=space, reason=payload.reason), request)
