"""Every read of the hotline that pages and the API share: one ticket with its permission
check, the lists (mine, public, the staff queue), the timeline a viewer may see, and the open
tickets that resemble a new one nearby (duplicates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import rules
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongzhi.core.models import Building, Community
from gongzhi.feedback import policies, similarity
from gongzhi.feedback.models import (
    OPEN_STATUSES,
    Category,
    Department,
    EventKind,
    Follower,
    Handler,
    Routing,
    Status,
    Ticket,
    TicketEvent,
    TicketPhoto,
)

#: Duplicates: how far back, how near and how alike an open ticket must be to be offered.
SIMILAR_DAYS = 30
SIMILAR_METRES = 150
SIMILAR_MIN = 0.35
#: The most open tickets compared with a new one (the newest nearby ones).
SIMILAR_CANDIDATES = 300

QUEUES = ("triage", "unassigned", "mine", "overdue", "open", "all")


def _list_columns(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return queryset.select_related("category", "building", "department", "assignee")


def ticket_get(
    *, community: Community, number: int, user: Any, perm: str = "feedback.view_ticket"
) -> Ticket:
    """One ticket by its number, if ``user`` has ``perm`` on it; else 404 (a forbidden ticket
    is as missing as a missing one)."""
    ticket = (
        Ticket.objects.in_community(community)
        .select_related(
            "community",
            "category",
            "predicted_category",
            "building",
            "department",
            "assignee",
            "reporter",
            "filed_by",
            "duplicate_of",
        )
        .filter(number=number)
        .first()
    )
    if ticket is None or not rules.has_perm(perm, user, ticket):
        raise Http404
    ticket.community = community
    return ticket


def my_tickets(*, community: Community, user: Any) -> QuerySet[Ticket]:
    """Tickets the user reported, and the public ones they follow, newest first."""
    followed = Follower.objects.in_community(community).filter(user=user).values("ticket_id")
    return _list_columns(
        Ticket.objects.in_community(community)
        .filter(Q(reporter=user) | Q(pk__in=followed, is_public=True))
        .order_by("-created_at", "-pk")
    )


def public_tickets(*, community: Community, status: str = "") -> QuerySet[Ticket]:
    queryset = Ticket.objects.in_community(community).filter(is_public=True)
    if status in Status.values:
        queryset = queryset.filter(status=status)
    return _list_columns(queryset.order_by("-created_at", "-pk"))


def visible_tickets(*, community: Community, user: Any) -> QuerySet[Ticket]:
    """Every ticket of the community ``user`` may see (the API's list)."""
    return _list_columns(
        Ticket.objects.in_community(community)
        .filter(policies.visible_q(user, community.pk))
        .order_by("-created_at", "-pk")
    )


def queue(*, community: Community, user: Any, name: str) -> QuerySet[Ticket]:
    """The staff queue: ``triage`` (no category yet), ``unassigned``, ``mine``, ``overdue``,
    ``open`` or ``all``. Handlers who do not manage see their departments' tickets only."""
    tickets = Ticket.objects.in_community(community)
    if not policies.oversee_hotline(user, community):
        departments = policies._handler_departments(user, community.pk)
        tickets = tickets.filter(Q(department__in=departments) | Q(assignee=user))
    now = timezone.now()
    if name == "triage":
        tickets = tickets.filter(routing=Routing.TRIAGE, status__in=OPEN_STATUSES)
    elif name == "unassigned":
        tickets = tickets.filter(assignee__isnull=True, status__in=OPEN_STATUSES)
    elif name == "mine":
        tickets = tickets.filter(assignee=user, status__in=OPEN_STATUSES)
    elif name == "overdue":
        tickets = tickets.filter(
            Q(status=Status.SUBMITTED, respond_by__lt=now)
            | Q(status__in=OPEN_STATUSES, resolve_by__lt=now)
        )
    elif name == "open":
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    return _list_columns(tickets.order_by("-created_at", "-pk"))


def timeline(*, ticket: Ticket, user: Any) -> list[TicketEvent]:
    events = TicketEvent.objects.in_community(ticket.community_id).filter(ticket=ticket)
    if not rules.has_perm("feedback.view_internal", user, ticket):
        events = events.filter(public=True)
    rows = list(events.select_related("author").order_by("at", "pk"))
    if not rules.has_perm("feedback.view_details", user, ticket):
        # Visitors of a public ticket read its steps and the answer, not the notes written to
        # its reporter (a call, an appointment, a reopening reason).
        for event in rows:
            if event.kind != EventKind.RESOLVED:
                event.note = ""
    return rows


def photos_of(*, ticket: Ticket) -> list[TicketPhoto]:
    return list(TicketPhoto.objects.in_community(ticket.community_id).filter(ticket=ticket))


def photo_get(*, ticket: Ticket, photo_id: int) -> TicketPhoto:
    photo = (
        TicketPhoto.objects.in_community(ticket.community_id)
        .filter(ticket=ticket, pk=photo_id)
        .first()
    )
    if photo is None:
        raise Http404
    return photo


def follower_count(*, ticket: Ticket) -> int:
    return Follower.objects.in_community(ticket.community_id).filter(ticket=ticket).count()


def is_following(*, ticket: Ticket, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        Follower.objects.in_community(ticket.community_id).filter(ticket=ticket, user=user).exists()
    )


def categories(*, community: Community | int, active: bool = True) -> list[Category]:
    queryset = Category.objects.in_community(community).select_related("department")
    if active:
        queryset = queryset.filter(active=True)
    return list(queryset)


def category_get(*, community: Community, code: str) -> Category:
    category = Category.objects.in_community(community).filter(code=code).first()
    if category is None:
        raise Http404
    return category


def departments(*, community: Community | int) -> list[Department]:
    return list(Department.objects.in_community(community).filter(active=True))


def handlers(*, community: Community | int) -> list[Handler]:
    return list(
        Handler.objects.in_community(community)
        .filter(department__active=True)
        .select_related("user", "department")
        .order_by("department__name", "pk")
    )


# --- Duplicates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Similar:
    ticket: Ticket
    score: float
    distance_m: float | None


def similar_tickets(
    *,
    community: Community,
    text: str,
    building: Building | None = None,
    latitude: Decimal | float | str | None = None,
    longitude: Decimal | float | str | None = None,
    exclude: Ticket | None = None,
    public_only: bool = False,
    limit: int = 5,
) -> list[Similar]:
    """Open tickets of the last ``SIMILAR_DAYS`` days in the same building or within
    ``SIMILAR_METRES`` of the map point whose text resembles ``text`` (character bigrams),
    most alike first. A resident is shown public tickets only (``public_only``); staff all.
    The work is bounded: at most ``SIMILAR_CANDIDATES`` recent open tickets are compared."""
    if not text.strip():
        return []
    near = Q(pk__in=[])
    if building is not None:
        near |= Q(building=building)
    if latitude is not None and longitude is not None:
        lat, lon = float(latitude), float(longitude)
        dlat, dlon = similarity.degrees_around(lat, SIMILAR_METRES)
        near |= Q(
            latitude__gte=Decimal(str(round(lat - dlat, 6))),
            latitude__lte=Decimal(str(round(lat + dlat, 6))),
            longitude__gte=Decimal(str(round(lon - dlon, 6))),
            longitude__lte=Decimal(str(round(lon + dlon, 6))),
        )
    candidates = Ticket.objects.in_community(community).filter(
        near,
        status__in=OPEN_STATUSES,
        created_at__gte=timezone.now() - timedelta(days=SIMILAR_DAYS),
    )
    if public_only:
        candidates = candidates.filter(is_public=True)
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    rows = list(
        candidates.select_related("category", "building").order_by("-created_at")[
            :SIMILAR_CANDIDATES
        ]
    )
    mine = similarity.shingles(text)
    found: list[Similar] = []
    for row in rows:
        distance = None
        if (
            latitude is not None
            and longitude is not None
            and row.latitude is not None
            and row.longitude is not None
        ):
            distance = similarity.distance_m(
                float(latitude), float(longitude), float(row.latitude), float(row.longitude)
            )
            same_building = building is not None and row.building_id == building.pk
            if distance > SIMILAR_METRES and not same_building:
                continue
        score = similarity.cosine(mine, similarity.shingles(row.text))
        if score >= SIMILAR_MIN:
            found.append(Similar(ticket=row, score=round(score, 3), distance_m=distance))
    found.sort(key=lambda s: (-s.score, -s.ticket.pk))
    return found[:limit]
