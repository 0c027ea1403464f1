"""Reads of how leadership spreads (R8.2), shared by the pages and the API: a member's invitation
link, the stats page's numbers (leaders, their share by grid and by group, new leaders per year,
household concentration, whom leaders reached along recorded ties), and the learning home's and
"my learning"'s partials (``hub``, ``mine``).

Leaders are the people at rung 5 or above of the ladder (lead a team or body, train others), as
``gongzhi.learning.pathway.leaders`` reads them from every app's evidence, with the first day
each showed it. Ties are recorded from the learning app's start only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import rules
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.models import Community, Membership
from gongzhi.evaluation.suppress import DEFAULT_THRESHOLD, suppress
from gongzhi.learning import pathway, spread
from gongzhi.learning.models import Connection, ConnectionKind, InviteLink
from gongzhi.learning.spread_services import may_name_recruiter, recruiter_of


def leaders(community: Community) -> dict[int, datetime]:
    """``{user id: first_at}`` of everyone at rung 5 or above (the ladder part's reading)."""
    return pathway.leaders(community)


def live_link(community: Community, user: Any) -> InviteLink | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        InviteLink.objects.in_community(community)
        .filter(owner=user, revoked_at__isnull=True)
        .first()
    )


def link_get(community: Community, token: str) -> InviteLink | None:
    """A live link of ``community`` (a stopped or unknown one: None, the page answers 404)."""
    return (
        InviteLink.objects.in_community(community)
        .select_related("owner")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )


def joined_through(community: Community, user: Any) -> int:
    """How many people this member brought in (recruited ties from them)."""
    return (
        Connection.objects.in_community(community)
        .filter(source=user, kind=ConnectionKind.RECRUITED)
        .count()
    )


def may_name(community: Community, user: Any) -> bool:
    """Whether ``user`` may still say who brought them in (a newcomer without a recruiter)."""
    if not getattr(user, "is_authenticated", False):
        return False
    membership = Membership.objects.in_community(community).filter(user=user).first()
    return may_name_recruiter(membership) and recruiter_of(community, user) is None


# --- The stats page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One row of a split: ``leaders`` of ``people`` (both None when suppressed)."""

    label: str
    leaders: int | None
    people: int | None

    @property
    def hidden(self) -> bool:
        return self.people is None

    @property
    def percent(self) -> float | None:
        if self.leaders is None or not self.people:
            return None
        return 100 * self.leaders / self.people


@dataclass(frozen=True)
class Reach:
    kind: str
    label: str
    people: int
    max_depth: int


@dataclass
class SpreadStats:
    leaders: int
    members: int
    by_grid: list[Cell]
    by_group: list[Cell]
    new_by_year: list[tuple[int, int]]
    concentration: spread.Concentration
    reach: list[Reach]
    ties: int
    #: the first recorded tie (None: none yet)
    since: datetime | None
    threshold: int = DEFAULT_THRESHOLD


def _threshold() -> int:
    return int(getattr(settings, "EVALUATION_MIN_CELL", DEFAULT_THRESHOLD))


def _cells(result: dict[Any, spread.Share], labels: dict[Any, str], threshold: int) -> list[Cell]:
    hidden = suppress(
        {key: (share.leaders, share.people) for key, share in result.items()}, threshold=threshold
    )
    return [
        Cell(labels[key], None, None)
        if hidden[key]
        else Cell(labels[key], result[key].leaders, result[key].people)
        for key in sorted(result, key=lambda k: labels[k])
    ]


def local_day(at: datetime | date) -> date:
    return timezone.localtime(at).date() if isinstance(at, datetime) else at


def spread_stats(community: Community) -> SpreadStats:
    """Everything the stats page shows, small cells suppressed as the evaluation app does."""
    threshold = _threshold()
    first = leaders(community)
    rows = list(
        Membership.objects.in_community(community).values_list(
            "user_id",
            "household_id",
            "household__building__grid__name",
            "is_elderly",
            "has_disability",
            "is_low_income",
        )
    )
    members = {row[0]: row for row in rows}
    no_grid = _("no grid recorded")
    grid_of = {uid: row[2] or no_grid for uid, row in members.items()}
    by_grid = spread.shares(first, members, grid_of.get)
    by_group: list[Cell] = []
    # The groups of R9.2, each against everyone else (a member who did not consent is among
    # everyone else: the flags are recorded only with consent); columns 3–5 of ``rows``.
    groups = (_("aged 60 or over"), _("living with a disability"), _("low income household"))
    for index, label in enumerate(groups, start=3):

        def side(uid: int, i: int = index) -> str:
            return "in" if members[uid][i] else "out"

        within = spread.shares(first, members, side)
        labels = {"in": label, "out": _("everyone else")}
        cells = _cells(within, labels, threshold)
        by_group.extend(c for c in cells if c.label == labels["in"])
    concentration = spread.household_concentration(
        {uid: (members[uid][1] if uid in members else None) for uid in first}
    )
    ties = list(
        Connection.objects.in_community(community)
        .order_by("at")
        .values_list("source_id", "target_id", "kind", "at")
    )
    edges = [spread.Edge(s, t, k) for s, t, k, _at in ties]
    reach = []
    kind_labels = dict(ConnectionKind.choices)
    everything = spread.reach(edges, first)
    reach.append(Reach("all", _("any tie"), len(everything), max(everything.values(), default=0)))
    for kind in ConnectionKind.values:
        reached = spread.reach(edges, first, kinds=[kind])
        reach.append(
            Reach(kind, str(kind_labels[kind]), len(reached), max(reached.values(), default=0))
        )
    return SpreadStats(
        leaders=len(first),
        members=len(members),
        by_grid=_cells(by_grid, {k: str(k) for k in by_grid}, threshold),
        by_group=by_group,
        new_by_year=list(
            spread.new_leaders_by_year({u: local_day(at) for u, at in first.items()}).items()
        ),
        concentration=concentration,
        reach=reach,
        ties=len(ties),
        since=ties[0][3] if ties else None,
        threshold=threshold,
    )


# --- The learning pages' partials -------------------------------------------------------------


def hub(community: Community, viewer: Any) -> dict[str, Any]:
    """The learning home's part: invite a neighbour (members), the stats link (staff)."""
    return {
        "community": community,
        "can_invite": bool(rules.has_perm("learning.make_invite_link", viewer, community)),
        "can_view_spread": bool(rules.has_perm("learning.view_spread", viewer, community)),
    }


def mine(community: Community, user: Any) -> dict[str, Any]:
    """ "My learning"'s part: my link, how many joined through me, who brought me in."""
    tie = recruiter_of(community, user) if getattr(user, "is_authenticated", False) else None
    return {
        "community": community,
        "link": live_link(community, user),
        "brought_in": joined_through(community, user) if user.is_authenticated else 0,
        "recruiter": tie.source if tie is not None else None,
        "may_name": tie is None and may_name(community, user),
    }
