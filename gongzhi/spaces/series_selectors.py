"""Reads of the series-and-draws part that its pages and API share: a repeating booking and its
occurrences (and the calendar entry that shows them), draws open and settled, a draw's
published list, and the sections of the spaces home page and "my bookings"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongzhi.core import ical, lottery, recurrence
from gongzhi.core.models import Community
from gongzhi.spaces import booking as engine
from gongzhi.spaces import draws
from gongzhi.spaces.booking_selectors import space_get
from gongzhi.spaces.models import (
    OCCUPYING,
    Booking,
    DrawRequest,
    DrawRequestOutcome,
    DrawRound,
    DrawStatus,
    Series,
    Space,
    SpaceStatus,
)

# --- spaces ------------------------------------------------------------------------------------


def managed_spaces(community: Community, user: Any) -> list[Space]:
    """The open spaces ``user`` manages (may open draws for): all of them for a community
    worker; else those managed by a body ``user`` sits in."""
    from gongzhi.spaces.booking_selectors import managed_spaces as managed

    return list(
        managed(community, user)
        .filter(status=SpaceStatus.OPEN)
        .select_related("community", "managed_by_body")
        .order_by("name", "pk")
    )


# --- series ------------------------------------------------------------------------------------


def may_see_series(user: Any, series: Series) -> bool:
    return getattr(user, "pk", None) in (series.person_id, series.booked_by_id) or bool(
        engine.may_decide(user, series.space)
    )


def series_get(community: Community, user: Any, series_id: int) -> Series:
    """A series its person, its booker or the space's managers may see; 404 otherwise."""
    series = (
        Series.objects.in_community(community)
        .select_related("space", "space__community", "person", "body")
        .filter(pk=series_id)
        .first()
    )
    if series is None or not may_see_series(user, series):
        raise Http404
    return series


def occurrences(series: Series) -> QuerySet[Booking]:
    return (
        Booking.objects.in_community(series.community_id)
        .filter(series=series)
        .order_by("starts_at", "pk")
    )


def series_of(community: Community, user: Any) -> list[Series]:
    """``user``'s series with a booking still to come, soonest first."""
    now = timezone.now()
    rows = (
        Series.objects.in_community(community)
        .filter(Q(person=user) | Q(booked_by=user))
        .filter(bookings__starts_at__gt=now, bookings__status__in=OCCUPYING)
        .select_related("space")
        .distinct()
        .order_by("starts_at", "pk")
    )
    return list(rows)


def calendar_event(series: Series) -> ical.CalendarEvent | None:
    """The series as one calendar entry: its rule from the rule's first start, with an EXDATE
    for every start of the rule that has no booking occupying it (skipped when booked, not had,
    cancelled since). None when none is left."""
    starts = recurrence.expand(series.rrule, series.starts_at).starts
    held = set(occurrences(series).filter(status__in=OCCUPYING).values_list("starts_at", flat=True))
    kept = {timezone.localtime(moment) for moment in held}
    if not kept:
        return None
    first = recurrence.expand(series.rrule, series.starts_at).first
    return ical.CalendarEvent(
        uid=f"space-series-{series.pk}",
        start=first,
        end=first + timedelta(minutes=series.minutes),
        summary=f"{series.space.name} · {series.purpose}",
        location=series.space.location,
        updated=series.created_at,
        rrule=series.rrule,
        exdates=tuple(start for start in starts if start not in kept),
    )


# --- draws -------------------------------------------------------------------------------------


def draw_get(community: Community, user: Any, draw_id: int) -> DrawRound:
    """A draw, for those who see the catalogue (its space open) or manage its space."""
    draw = (
        DrawRound.objects.in_community(community)
        .select_related("space", "space__community", "drawn_by")
        .filter(pk=draw_id)
        .first()
    )
    if draw is None:
        raise Http404
    space_get(community, user, draw.space_id)
    return draw


def draws_of(community: Community, *, space: Space | None = None) -> list[DrawRound]:
    """Draws open for requests, and those settled in the last 30 days, each with ``seats``: its
    seats held (or won), counted in the same query (for reading: ``seats`` is not refreshed
    when the draw changes)."""
    since = timezone.now() - timedelta(days=30)
    rows = DrawRound.objects.in_community(community).filter(
        Q(status=DrawStatus.OPEN) | Q(status=DrawStatus.DRAWN, drawn_at__gte=since),
        space__status=SpaceStatus.OPEN,
    )
    if space is not None:
        rows = rows.filter(space=space)
    rows = rows.annotate(seats=Count("holds", filter=Q(holds__status__in=OCCUPYING)))
    return list(rows.select_related("space").order_by("closes_at", "pk"))


def my_request(draw: DrawRound, user: Any) -> DrawRequest | None:
    if not getattr(user, "pk", None):
        return None
    return (
        DrawRequest.objects.in_community(draw.community_id)
        .filter(draw=draw, person=user)
        .exclude(outcome=DrawRequestOutcome.WITHDRAWN)
        .first()
    )


def requests_of(community: Community, user: Any) -> list[DrawRequest]:
    """``user``'s requests in draws not yet drawn or drawn in the last 30 days."""
    since = timezone.now() - timedelta(days=30)
    return list(
        DrawRequest.objects.in_community(community)
        .filter(person=user)
        .filter(Q(draw__status=DrawStatus.OPEN) | Q(draw__drawn_at__gte=since))
        .exclude(outcome=DrawRequestOutcome.WITHDRAWN)
        .select_related("draw", "draw__space")
        .order_by("draw__starts_at", "pk")
    )


def seats_held(draw: DrawRound) -> int:
    """The seats ``draw`` holds (or its winners have): as ``draws_of`` counted them, else one
    query."""
    counted = getattr(draw, "seats", None)
    if counted is not None:
        return int(counted)
    return (
        Booking.objects.in_community(draw.community_id)
        .filter(draw=draw, status__in=OCCUPYING)
        .count()
    )


@dataclass(frozen=True)
class Entry:
    position: int
    label: str
    tier: int
    outcome: str
    outcome_label: str
    #: 1-based place in the drawing order (after the draw)
    drawn: int | None


@dataclass(frozen=True)
class Published:
    """A closed draw's list as published: the requests in order with their tiers, the
    SHA-256 of the list's lines, and, once drawn, the drawing order and the winners."""

    entries: list[Entry]
    list_sha256: str
    labels: list[str]
    seats: int
    winners: int
    seed_sha256: str


def published(draw: DrawRound, *, now: Any = None) -> Published | None:
    """The list once requests have closed (None before: who asked is not shown while open)."""
    if not draws.closed_for(draw, now=now):
        return None
    requests = draws.entries(draw)
    labels = [draws.label(request) for request in requests]
    if draw.status == DrawStatus.DRAWN:
        tier_of = [request.tier for request in requests]
    else:
        tier_of = draws.tiers(draw, requests)
    places: dict[int, int] = {}
    if draw.status == DrawStatus.DRAWN and draw.seed:
        for place, position in enumerate(draws.order(draw.seed, tier_of), start=1):
            places[position] = place
    seats = seats_held(draw)
    result = [
        Entry(
            position=index,
            label=labels[index - 1],
            tier=tier_of[index - 1],
            outcome=request.outcome,
            outcome_label=str(request.get_outcome_display()),
            drawn=places.get(index),
        )
        for index, request in enumerate(requests, start=1)
    ]
    return Published(
        entries=result,
        list_sha256=draws.list_sha256(labels),
        labels=labels,
        seats=seats,
        winners=sum(1 for r in requests if r.outcome == DrawRequestOutcome.WON),
        seed_sha256=lottery.draw(draw.seed, [], 0).seed_sha256 if draw.seed else "",
    )


# --- the sections of the home page and "my bookings" ------------------------------------------


def hub(community: Community, viewer: Any) -> dict[str, Any]:
    """Draws open and lately settled; the spaces taking repeating bookings; for a manager, the
    spaces they may open a draw for."""
    signed_in = bool(getattr(viewer, "is_authenticated", False))
    spaces = managed_spaces(community, viewer) if signed_in else []
    repeating = Space.objects.in_community(community).filter(
        status=SpaceStatus.OPEN, series_allowed=True
    )
    return {
        "draws": draws_of(community),
        "can_manage": bool(spaces),
        "spaces": spaces,
        "repeating": list(repeating.order_by("name", "pk")) if signed_in else [],
    }


def mine(community: Community, user: Any) -> dict[str, Any]:
    return {"series": series_of(community, user), "requests": requests_of(community, user)}
