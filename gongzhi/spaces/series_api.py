"""Spaces' series and draws in the API, under /communities/{slug}/spaces/.

Repeating bookings: check a rule against a space (the conflict report, nothing saved), book it
(all, or the rest with ``book_rest``; with conflicts and no ``book_rest`` the answer is 409 with
the report and nothing is saved), read one, cancel the rest or one occurrence. Draws: the open
and recent draws, open one (the space's managers), read one with its published list once closed,
ask, withdraw, draw with the public seed. Refusals are 400 with the service's code (``rrule``,
``rrule_endless``, ``rrule_too_long``, ``series_not_allowed``, ``series_none_free``,
``draw_closed``, ``draw_twice``, ``draw_still_open`` …); what the caller may not see is 404."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gongzhi.bodies.models import Body
from gongzhi.core.apidoc import ErrorOut
from gongzhi.core.http import api_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get
from gongzhi.spaces import draws, series
from gongzhi.spaces import series_selectors as selectors
from gongzhi.spaces.models import Booking, DrawRequest, DrawRound, Series

router = Router(tags=["spaces"])

S = "/communities/{slug}/spaces"


# --- schemas -----------------------------------------------------------------------------------


class SpaceSeriesIn(Schema):
    rrule: str = Field(..., max_length=200, description="RFC 5545 RRULE that ends, ≤ 1 year.")
    starts_at: datetime = Field(..., description="The first start, with its time zone.")
    minutes: int = Field(..., ge=1, le=1440, description="Length of each booking.")
    purpose: str = Field(..., max_length=200)
    exdates: list[date | datetime] = Field(
        default_factory=list, description="Days skipped, or single starts skipped."
    )
    attendees: int = Field(1, ge=1)
    body_id: int | None = Field(None, description="Book for this organisation (a member).")
    book_rest: bool = Field(False, description="With conflicts, book the times that are free.")


class SpaceSeriesConflictOut(Schema):
    starts_at: datetime
    ends_at: datetime
    code: str
    reason: str


class SpaceSeriesReportOut(Schema):
    starts: list[datetime] = Field(..., description="Every start the rule gives.")
    free: list[datetime]
    conflicts: list[SpaceSeriesConflictOut]


class SpaceSeriesConflictsOut(ErrorOut):
    """409: some times cannot be had and book_rest was not asked for; nothing was saved."""

    conflicts: list[SpaceSeriesConflictOut]


class SpaceOccurrenceOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    status: str


class SpaceSeriesOut(Schema):
    id: int
    space_id: int
    rrule: str
    starts_at: datetime
    minutes: int
    exdates: list[str]
    purpose: str
    person_id: int
    body_id: int | None
    occurrences: list[SpaceOccurrenceOut]


class SpaceSeriesBookedOut(Schema):
    series: SpaceSeriesOut
    conflicts: list[SpaceSeriesConflictOut]


class SpaceSeriesCancelIn(Schema):
    since: datetime | None = Field(None, description="Cancel those starting after; now if none.")
    reason: str = Field("", max_length=300)


class SpaceSeriesDecideIn(Schema):
    approve: bool
    reason: str = Field("", max_length=300, description="Required to refuse.")


class SpaceSeriesCancelledOut(Schema):
    cancelled: list[SpaceOccurrenceOut]


class SpaceDrawOut(Schema):
    id: int
    space_id: int
    space: str
    starts_at: datetime
    ends_at: datetime
    closes_at: datetime
    seed_rule: str
    seed: str
    status: str
    seats: int


class SpaceDrawEntryOut(Schema):
    position: int
    label: str
    tier: int = Field(..., description="0: no booking of the space lately, drawn first.")
    outcome: str
    drawn: int | None = Field(..., description="Place in the drawing order, once drawn.")


class SpaceDrawRequestOut(Schema):
    id: int
    draw_id: int
    purpose: str
    body_id: int | None
    outcome: str


class SpaceDrawDetailOut(SpaceDrawOut):
    published: bool = Field(..., description="Requests closed: the list below is public.")
    list_sha256: str
    entries: list[SpaceDrawEntryOut]
    mine: SpaceDrawRequestOut | None


class SpaceDrawIn(Schema):
    starts_at: datetime
    ends_at: datetime
    closes_at: datetime
    seed_rule: str = Field(..., max_length=200)


class SpaceDrawRequestIn(Schema):
    purpose: str = Field(..., max_length=200)
    body_id: int | None = None


class SpaceDrawSeedIn(Schema):
    seed: str = Field(..., max_length=200, description="Exactly as announced.")


class SpaceDrawCancelIn(Schema):
    reason: str = Field(..., max_length=300)


class SpaceDrawResultOut(Schema):
    draw: SpaceDrawOut
    winners: list[SpaceDrawRequestOut]


# --- helpers -------------------------------------------------------------------------------------


def _community(request: HttpRequest, slug: str) -> tuple[Any, Community]:
    user = api_user(request)
    return user, community_get(slug=slug, user=user, perm="spaces.view_spaces")


def _body(community: Community, body_id: int | None) -> Body | None:
    if body_id is None:
        return None
    body = Body.objects.in_community(community).filter(pk=body_id).first()
    if body is None:
        raise Http404
    return body


def _conflicts(outcome: series.Outcome) -> list[dict[str, Any]]:
    return [
        {"starts_at": c.starts_at, "ends_at": c.ends_at, "code": c.code, "reason": c.reason}
        for c in outcome.conflicts
    ]


def _occurrence(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.pk,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "status": booking.status,
    }


def _series(row: Series) -> dict[str, Any]:
    return {
        "id": row.pk,
        "space_id": row.space_id,
        "rrule": row.rrule,
        "starts_at": row.starts_at,
        "minutes": row.minutes,
        "exdates": [str(value) for value in row.exdates],
        "purpose": row.purpose,
        "person_id": row.person_id,
        "body_id": row.body_id,
        "occurrences": [_occurrence(b) for b in selectors.occurrences(row)],
    }


def _draw(draw: DrawRound) -> dict[str, Any]:
    return {
        "id": draw.pk,
        "space_id": draw.space_id,
        "space": draw.space.name,
        "starts_at": draw.starts_at,
        "ends_at": draw.ends_at,
        "closes_at": draw.closes_at,
        "seed_rule": draw.seed_rule,
        "seed": draw.seed,
        "status": draw.status,
        "seats": selectors.seats_held(draw),
    }


def _request(row: DrawRequest) -> dict[str, Any]:
    return {
        "id": row.pk,
        "draw_id": row.draw_id,
        "purpose": row.purpose,
        "body_id": row.body_id,
        "outcome": row.outcome,
    }


def _book(request: HttpRequest, slug: str, space_id: int, payload: SpaceSeriesIn, *, dry: bool):
    user, community = _community(request, slug)
    space = selectors.space_get(community, user, space_id)
    return series.series_book(
        actor=user,
        space=space,
        rrule=payload.rrule,
        starts_at=payload.starts_at,
        minutes=payload.minutes,
        purpose=payload.purpose,
        exdates=payload.exdates,
        body=_body(community, payload.body_id),
        attendees=payload.attendees,
        book_rest=payload.book_rest,
        dry_run=dry,
    )


# --- series --------------------------------------------------------------------------------------


@router.post(
    S + "/{space_id}/series/check",
    response=SpaceSeriesReportOut,
    summary="Check a repeating booking: every time the rule gives, and why any cannot be had",
)
def series_check(
    request: HttpRequest, slug: str, space_id: int, payload: SpaceSeriesIn
) -> dict[str, Any]:
    outcome = _book(request, slug, space_id, payload, dry=True)
    return {"starts": outcome.starts, "free": outcome.free, "conflicts": _conflicts(outcome)}


@router.post(
    S + "/{space_id}/series",
    response={201: SpaceSeriesBookedOut, 409: SpaceSeriesConflictsOut},
    summary="Book a repeating booking: all its times, or the free ones with book_rest",
)
def series_create(
    request: HttpRequest, slug: str, space_id: int, payload: SpaceSeriesIn
) -> Status[dict[str, Any]]:
    outcome = _book(request, slug, space_id, payload, dry=False)
    if outcome.series is None:
        return Status(
            409,
            {
                "code": "series_conflicts",
                "message": _(
                    "Some of these times cannot be had: nothing was booked. Book the rest, or "
                    "change the rule."
                ),
                "conflicts": _conflicts(outcome),
            },
        )
    return Status(201, {"series": _series(outcome.series), "conflicts": _conflicts(outcome)})


@router.get(
    S + "/series/{series_id}",
    response=SpaceSeriesOut,
    summary="A repeating booking and its times (its person, its booker, the space's managers)",
)
def series_detail(request: HttpRequest, slug: str, series_id: int) -> dict[str, Any]:
    user, community = _community(request, slug)
    return _series(selectors.series_get(community, user, series_id))


@router.post(
    S + "/series/{series_id}/cancel",
    response=SpaceSeriesCancelledOut,
    summary="Cancel the rest of a repeating booking",
)
def series_cancel(
    request: HttpRequest, slug: str, series_id: int, payload: SpaceSeriesCancelIn
) -> dict[str, Any]:
    user, community = _community(request, slug)
    row = selectors.series_get(community, user, series_id)
    cancelled = series.series_cancel(
        actor=user, series=row, since=payload.since, reason=payload.reason
    )
    return {"cancelled": [_occurrence(b) for b in cancelled]}


@router.post(
    S + "/series/{series_id}/occurrences/{booking_id}/cancel",
    response=SpaceOccurrenceOut,
    summary="Cancel one time of a repeating booking",
)
def occurrence_cancel(
    request: HttpRequest, slug: str, series_id: int, booking_id: int, payload: SpaceSeriesCancelIn
) -> dict[str, Any]:
    user, community = _community(request, slug)
    row = selectors.series_get(community, user, series_id)
    booking = selectors.occurrences(row).filter(pk=booking_id).first()
    if booking is None:
        raise Http404
    return _occurrence(series.occurrence_cancel(actor=user, booking=booking, reason=payload.reason))


@router.post(
    S + "/series/{series_id}/decide",
    response=SpaceSeriesOut,
    summary="Approve or refuse every time of a series waiting for a decision (its managers)",
)
def series_decide(
    request: HttpRequest, slug: str, series_id: int, payload: SpaceSeriesDecideIn
) -> dict[str, Any]:
    user, community = _community(request, slug)
    row = selectors.series_get(community, user, series_id)
    series.series_decide(actor=user, series=row, approve=payload.approve, reason=payload.reason)
    return _series(row)


# --- draws ---------------------------------------------------------------------------------------


@router.get(S + "/draws", response=list[SpaceDrawOut], summary="Draws open, and settled lately")
def draw_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    _user, community = _community(request, slug)
    return [_draw(draw) for draw in selectors.draws_of(community)]


@router.post(
    S + "/{space_id}/draws",
    response={201: SpaceDrawOut},
    summary="Open a draw for a popular time (the space's managers): its seats are held",
)
def draw_open(
    request: HttpRequest, slug: str, space_id: int, payload: SpaceDrawIn
) -> Status[dict[str, Any]]:
    user, community = _community(request, slug)
    space = selectors.space_get(community, user, space_id)
    draw = draws.draw_open(
        actor=user,
        space=space,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        closes_at=payload.closes_at,
        seed_rule=payload.seed_rule,
    )
    return Status(201, _draw(draw))


@router.get(
    S + "/draws/{draw_id}",
    response=SpaceDrawDetailOut,
    summary="A draw, with its published list once requests have closed, and my request",
)
def draw_detail(request: HttpRequest, slug: str, draw_id: int) -> dict[str, Any]:
    user, community = _community(request, slug)
    draw = selectors.draw_get(community, user, draw_id)
    published = selectors.published(draw)
    mine = selectors.my_request(draw, user)
    return {
        **_draw(draw),
        "published": published is not None,
        "list_sha256": published.list_sha256 if published else "",
        "entries": [
            {
                "position": e.position,
                "label": e.label,
                "tier": e.tier,
                "outcome": e.outcome,
                "drawn": e.drawn,
            }
            for e in (published.entries if published else [])
        ],
        "mine": _request(mine) if mine else None,
    }


@router.post(
    S + "/draws/{draw_id}/requests",
    response={201: SpaceDrawRequestOut},
    summary="Ask for a time given by draw (once; for oneself or an organisation one sits in)",
)
def draw_ask(
    request: HttpRequest, slug: str, draw_id: int, payload: SpaceDrawRequestIn
) -> Status[dict[str, Any]]:
    user, community = _community(request, slug)
    draw = selectors.draw_get(community, user, draw_id)
    made = draws.draw_request(
        actor=user, draw=draw, purpose=payload.purpose, body=_body(community, payload.body_id)
    )
    return Status(201, _request(made))


@router.post(
    S + "/draws/{draw_id}/requests/{request_id}/withdraw",
    response=SpaceDrawRequestOut,
    summary="Withdraw my request while requests are open",
)
def draw_withdraw(request: HttpRequest, slug: str, draw_id: int, request_id: int) -> dict[str, Any]:
    user, community = _community(request, slug)
    draw = selectors.draw_get(community, user, draw_id)
    row = (
        DrawRequest.objects.in_community(community)
        .filter(draw=draw, pk=request_id, person=user)
        .first()
    )
    if row is None:
        raise Http404
    return _request(draws.draw_withdraw(actor=user, request=row))


@router.post(
    S + "/draws/{draw_id}/draw",
    response=SpaceDrawResultOut,
    summary="Draw with the public seed, after requests close (a manager who did not ask)",
)
def draw_run(
    request: HttpRequest, slug: str, draw_id: int, payload: SpaceDrawSeedIn
) -> dict[str, Any]:
    user, community = _community(request, slug)
    draw = selectors.draw_get(community, user, draw_id)
    winners = draws.draw_run(actor=user, draw=draw, seed=payload.seed)
    draw.refresh_from_db()
    return {"draw": _draw(draw), "winners": [_request(w) for w in winners]}


@router.post(
    S + "/draws/{draw_id}/cancel",
    response=SpaceDrawOut,
    summary="Cancel a draw not yet drawn (the space's managers): its held seats are freed",
)
def draw_cancel(
    request: HttpRequest, slug: str, draw_id: int, payload: SpaceDrawCancelIn
) -> dict[str, Any]:
    user, community = _community(request, slug)
    draw = selectors.draw_get(community, user, draw_id)
    return _draw(draws.draw_cancel(actor=user, draw=draw, reason=payload.reason))
