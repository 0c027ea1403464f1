"""What voting shows on the community home (votes closing soon) and in the street officials'
overview (votes held and their turnout). Registered in ``manifest.py``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from gongzhi.core.home import EMPTY_CELL, Cell, Tile, TileItem, share_text
from gongzhi.core.models import Community
from gongzhi.voting.models import Participation, Vote

#: A vote "closes soon" within this many days; the tile lists at most ``SHOWN`` of them.
SOON = timedelta(days=7)
SHOWN = 5
#: The overview's turnout is over the votes closed in the last year.
TURNOUT_WINDOW = timedelta(days=365)


def closing_soon(community: Community, user: Any) -> Tile:
    """Open votes, the soonest to close first; "you voted" where the person has. One query."""
    now = timezone.now()
    votes: QuerySet[Any] = Vote.objects.in_community(community).filter(
        published=True, opens_at__lte=now, closes_at__gt=now, closes_at__lte=now + SOON
    )
    if getattr(user, "is_authenticated", False):
        votes = votes.annotate(
            voted=Exists(
                Participation.objects.in_community(community).filter(
                    vote=OuterRef("pk"), voter=user
                )
            )
        )
    items = [
        TileItem(
            label=vote.title,
            url=reverse("vote_detail", kwargs={"slug": community.slug, "vote_id": vote.pk}),
            note=(_("you voted") + " · " if getattr(vote, "voted", False) else "")
            + _("closes in %(time)s") % {"time": timeuntil(vote.closes_at, now)},
            warn=not getattr(vote, "voted", True),
        )
        for vote in votes.order_by("closes_at", "pk")[:SHOWN]
    ]
    return Tile(
        key="voting.closing",
        title=_("Votes closing soon"),
        items=items,
        empty=_("No vote closes in the coming week."),
        more_url=reverse("vote_list", kwargs={"slug": community.slug}),
        more_label=_("All votes"),
    )


def votes_held(communities: list[Community]) -> dict[int, Cell]:
    """Votes closed in the last year, per community. One query."""
    since = timezone.now() - TURNOUT_WINDOW
    rows = (
        Vote.objects.in_communities([c.pk for c in communities])
        .filter(published=True, closes_at__gte=since, closes_at__lte=timezone.now())
        .values("community")
        .annotate(n=Count("pk"))
    )
    counts = {row["community"]: row["n"] for row in rows}
    return {
        c.pk: Cell(
            text=str(counts.get(c.pk, 0)),
            value=counts.get(c.pk, 0),
            url=reverse("vote_list", kwargs={"slug": c.slug}),
        )
        for c in communities
    }


def turnout(communities: list[Community]) -> dict[int, Cell]:
    """Those who voted over those who could, summed over the votes closed in the last year
    whose electorate was counted at closing. Two queries."""
    now = timezone.now()
    votes = list(
        Vote.objects.in_communities([c.pk for c in communities])
        .filter(
            published=True,
            closes_at__gte=now - TURNOUT_WINDOW,
            closes_at__lte=now,
            electorate_at_close__gt=0,
        )
        .values_list("pk", "community_id", "electorate_at_close")
    )
    voted = dict(
        Participation.objects.in_communities([c.pk for c in communities])
        .filter(vote_id__in=[pk for pk, _c, _e in votes])
        .values("vote")
        .annotate(n=Count("pk"))
        .values_list("vote", "n")
    )
    electorate: dict[int, int] = {}
    voters: dict[int, int] = {}
    for pk, community_id, size in votes:
        electorate[community_id] = electorate.get(community_id, 0) + (size or 0)
        voters[community_id] = voters.get(community_id, 0) + voted.get(pk, 0)
    cells = {}
    for c in communities:
        cell = share_text(voters.get(c.pk, 0), electorate.get(c.pk, 0))
        if cell is not EMPTY_CELL:
            cell = Cell(text=cell.text, value=cell.value, url=reverse("vote_list", args=[c.slug]))
        cells[c.pk] = cell
    return cells
