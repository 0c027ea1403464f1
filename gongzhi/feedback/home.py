"""What the hotline shows on the community home (my open tickets) and in the street officials'
overview (open and overdue tickets, resolution and satisfaction rates, with the definitions of
``stats``). Registered in ``manifest.py``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.home import Cell, Tile, TileItem, share_text
from gongzhi.core.models import Community
from gongzhi.feedback.models import OPEN_STATUSES, Rating, Status, Ticket

SHOWN = 5
#: The overview's rates are over the tickets rated in the last year.
WINDOW = timedelta(days=365)


def overdue_q(now: Any) -> Q:
    """The queue's "overdue": not accepted by its respond-by, or open past its resolve-by."""
    return Q(status=Status.SUBMITTED, respond_by__lt=now) | Q(
        status__in=OPEN_STATUSES, resolve_by__lt=now
    )


def my_open_tickets(community: Community, user: Any) -> Tile | None:
    """The tickets the person reported that are still open. One query; none when logged out."""
    if not getattr(user, "is_authenticated", False):
        return None
    tickets = (
        Ticket.objects.in_community(community)
        .filter(reporter=user, status__in=OPEN_STATUSES)
        .only("pk", "number", "text", "status", "community_id", "created_at")
        .order_by("-created_at", "-pk")[:SHOWN]
    )
    items = [
        TileItem(
            label=f"{t.reference} · {t.text[:40]}",
            url=reverse("hotline_ticket", kwargs={"slug": community.slug, "number": t.number}),
            note=str(t.get_status_display()),
        )
        for t in tickets
    ]
    return Tile(
        key="hotline.mine",
        title=_("My open hotline tickets"),
        items=items,
        empty=_("You have no open ticket. Something wrong in the neighbourhood? Report it."),
        more_url=reverse("hotline_file", kwargs={"slug": community.slug}),
        more_label=_("Report a problem"),
    )


def _open_counts(communities: list[Community]) -> dict[int, dict[str, int]]:
    now = timezone.now()
    return {
        row["community"]: row
        for row in Ticket.objects.in_communities([c.pk for c in communities])
        .filter(status__in=OPEN_STATUSES)
        .values("community")
        .annotate(open=Count("pk"), late=Count("pk", filter=overdue_q(now)))
    }


def open_tickets(communities: list[Community]) -> dict[int, Cell]:
    counts = _open_counts(communities)
    return {
        c.pk: Cell(
            text=str(counts.get(c.pk, {}).get("open", 0)),
            value=counts.get(c.pk, {}).get("open", 0),
            url=reverse("hotline_queue", kwargs={"slug": c.slug}) + "?q=open",
        )
        for c in communities
    }


def overdue_tickets(communities: list[Community]) -> dict[int, Cell]:
    counts = _open_counts(communities)
    cells = {}
    for c in communities:
        n = counts.get(c.pk, {}).get("late", 0)
        cells[c.pk] = Cell(
            text=str(n),
            value=n,
            url=reverse("hotline_queue", kwargs={"slug": c.slug}) + "?q=overdue",
            warn=n > 0,
        )
    return cells


def _ratings(communities: list[Community]) -> dict[int, dict[str, int]]:
    since = timezone.now() - WINDOW
    return {
        row["community"]: row
        for row in Rating.objects.in_communities([c.pk for c in communities])
        .filter(created_at__gte=since)
        .values("community")
        .annotate(
            rated=Count("pk"),
            solved=Count("pk", filter=Q(solved=True)),
            satisfied=Count("pk", filter=Q(satisfaction__gte=4)),
        )
    }


def _rate(communities: list[Community], part: str) -> dict[int, Cell]:
    rows = _ratings(communities)
    cells = {}
    for c in communities:
        row = rows.get(c.pk, {})
        cell = share_text(row.get(part, 0), row.get("rated", 0))
        cells[c.pk] = Cell(
            text=cell.text,
            value=cell.value,
            url=reverse("hotline_stats", kwargs={"slug": c.slug}) if row else "",
        )
    return cells


def resolution_rate(communities: list[Community]) -> dict[int, Cell]:
    """解决率: of the tickets rated in the last 12 months, the share whose reporter said solved."""
    return _rate(communities, "solved")


def satisfaction_rate(communities: list[Community]) -> dict[int, Cell]:
    """满意率: of the ratings given in the last 12 months, the share of 4 or 5 (of 5)."""
    return _rate(communities, "satisfied")
