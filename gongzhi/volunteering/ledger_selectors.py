"""Reads of the ledger part that pages and the API share: totals, a volunteer's record, a
shift's roll.

Totals are always a SUM over the entries (service entries and their reversals), never a stored
number, so they cannot drift from the ledger. Each total reads one index: a volunteer's
``hours_by_volunteer``, a team's ``hours_by_team``, an activity's ``hours_by_activity``, a
community's period ``hours_by_period`` (each ``(…, served_on)``).

``hub`` and ``mine`` feed the volunteering home page and a volunteer's own page (views.py,
owned by the core part): each returns the context its partial
(``volunteering/_hub_ledger.html``, ``volunteering/_mine_ledger.html``) reads as
``hub_ledger`` / ``mine_ledger``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from gongzhi.volunteering.hours import hours_text
from gongzhi.volunteering.models import (
    HoursEntry,
    HoursEntryKind,
    Shift,
    SignUp,
    SignUpStatus,
    Team,
    Volunteer,
    VolunteerActivity,
)

RECORD_PAGE = 50


@dataclass(frozen=True)
class Totals:
    served_minutes: int
    credited_minutes: int
    #: service entries that stand (not reversed)
    services: int

    @property
    def hours(self) -> Decimal:
        return hours_text(self.credited_minutes)


def _period(rows: QuerySet[HoursEntry], start: date | None, end: date | None) -> Any:
    if start is not None:
        rows = rows.filter(served_on__gte=start)
    if end is not None:
        rows = rows.filter(served_on__lte=end)
    return rows


def totals_of(rows: QuerySet[HoursEntry]) -> Totals:
    """The sums over ``rows`` (entries of one community). Counted by ``kind``, not the id: every
    column the query reads is then in ``hours_by_team``, which PostgreSQL sums alone."""
    sums = rows.aggregate(
        served=Coalesce(Sum("served_minutes"), 0),
        credited=Coalesce(Sum("credited_minutes"), 0),
        services=Count("kind", filter=Q(kind=HoursEntryKind.SERVICE)),
        reversals=Count("kind", filter=Q(kind=HoursEntryKind.REVERSAL)),
    )
    return Totals(
        served_minutes=int(sums["served"]),
        credited_minutes=int(sums["credited"]),
        services=int(sums["services"]) - int(sums["reversals"]),
    )


def _entries(community_id: int) -> QuerySet[HoursEntry]:
    return HoursEntry.objects.in_community(community_id)


def volunteer_totals(
    volunteer: Volunteer, start: date | None = None, end: date | None = None
) -> Totals:
    rows = _entries(volunteer.community_id).filter(volunteer_id=volunteer.pk)
    return totals_of(_period(rows, start, end))


def team_totals(team: Team, start: date | None = None, end: date | None = None) -> Totals:
    rows = _entries(team.community_id).filter(team_id=team.pk)
    return totals_of(_period(rows, start, end))


def activity_totals(
    activity: VolunteerActivity, start: date | None = None, end: date | None = None
) -> Totals:
    rows = _entries(activity.community_id).filter(activity_id=activity.pk)
    return totals_of(_period(rows, start, end))


def community_totals(
    community_id: int, start: date | None = None, end: date | None = None
) -> Totals:
    return totals_of(_period(_entries(community_id), start, end))


def confirmed_minutes(volunteer: Volunteer) -> int:
    """A volunteer's credited minutes (for star levels and certificates)."""
    return volunteer_totals(volunteer).credited_minutes


def team_volunteer_totals(
    team: Team, start: date | None = None, end: date | None = None
) -> list[dict[str, Any]]:
    """A team's totals per volunteer (for its leaders and staff; never published)."""
    rows = _period(_entries(team.community_id).filter(team_id=team.pk), start, end)
    return list(
        rows.values("volunteer_id", "volunteer__person__display_name")
        .annotate(credited=Sum("credited_minutes"), served=Sum("served_minutes"))
        .order_by("volunteer__person__display_name", "volunteer_id")
    )


def record_of(
    volunteer: Volunteer, *, before: tuple[date, int] | None = None, limit: int = RECORD_PAGE
) -> list[HoursEntry]:
    """A volunteer's entries, newest first, with their activity's title; a page of ``limit``
    after the keyset ``before`` (the last row's (served_on, pk))."""
    rows = _entries(volunteer.community_id).filter(volunteer_id=volunteer.pk)
    if before is not None:
        day, pk = before
        rows = rows.filter(Q(served_on__lt=day) | Q(served_on=day, pk__lt=pk))
    return list(
        rows.select_related("activity", "reverses")
        .only(
            "pk",
            "kind",
            "served_on",
            "started_at",
            "ended_at",
            "served_minutes",
            "credited_minutes",
            "reason",
            "reverses_id",
            "reverses__served_on",
            "volunteer_id",
            "activity_id",
            "activity__title",
            "activity__place",
            "community_id",
        )
        .order_by("-served_on", "-pk")[:limit]
    )


def reversed_ids(entries: list[HoursEntry]) -> set[int]:
    """Which of ``entries`` have been reversed."""
    if not entries:
        return set()
    ids = [entry.pk for entry in entries]
    return set(
        _entries(entries[0].community_id)
        .filter(reverses_id__in=ids)
        .values_list("reverses_id", flat=True)
    )


@dataclass
class RollLine:
    signup: SignUp
    entry: HoursEntry | None
    reversed: bool

    @property
    def served_minutes(self) -> int | None:
        s = self.signup
        if s.arrived_at is None or s.left_at is None:
            return None
        return int((s.left_at - s.arrived_at).total_seconds() // 60)


def roll(shift: Shift) -> list[RollLine]:
    """The shift's volunteers with a place (and those marked absent), their times and their
    ledger entry if confirmed."""
    signups = list(
        SignUp.objects.in_community(shift.community_id)
        .filter(shift_id=shift.pk, status__in=[SignUpStatus.REGISTERED, SignUpStatus.NO_SHOW])
        .select_related("volunteer__person")
        .order_by("created_at", "pk")
    )
    entries = {
        entry.signup_id: entry
        for entry in _entries(shift.community_id).filter(
            shift_id=shift.pk, kind=HoursEntryKind.SERVICE, signup__isnull=False
        )
    }
    undone = reversed_ids(list(entries.values()))
    return [
        RollLine(
            signup=signup,
            entry=entries.get(signup.pk),
            reversed=signup.pk in entries and entries[signup.pk].pk in undone,
        )
        for signup in signups
    ]


#: The home page's community total is a sum over the whole ledger: kept for a few minutes, so
#: a busy home page does not add up millions of entries on every view.
HUB_SECONDS = 300


def hub(community: Any, viewer: Any) -> dict[str, Any]:
    """What the volunteering home page shows of this part: the community's confirmed hours."""
    from django.core.cache import cache

    def count() -> dict[str, Any]:
        totals = community_totals(community.pk)
        return {"hours": totals.hours, "services": totals.services}

    found = cache.get_or_set(f"volunteering:hub_ledger:{community.pk}", count, HUB_SECONDS)
    return dict(found or {})


def mine(community: Any, user: Any, volunteer: Any) -> dict[str, Any]:
    """A person's own volunteering page: their confirmed hours and latest entries."""
    if volunteer is None:
        return {}
    latest = record_of(volunteer, limit=5)
    return {
        "totals": volunteer_totals(volunteer),
        "latest": latest,
        "reversed": reversed_ids(latest),
    }
