"""A small community with three months of journal, for the evaluation's database tests: twelve
verified residents in two grids and three buildings, some who gave consent (with groups and a
year of birth), and acts across the ladder, the hotline, proposals, a count and a finance
report. Entries carry past times (``journal.bulk_append``), chained as ``record`` chains."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from gongzhi.core import journal
from gongzhi.core.models import Grid, Membership
from gongzhi.evaluation.services import months_until
from tests.factories import BuildingFactory, HouseholdFactory, member


def _at(month: str, day: int, hour: int = 10) -> datetime:
    year, mon = (int(x) for x in month.split("-"))
    return datetime(year, mon, day, hour, tzinfo=UTC)


def build(community, *, residents: int = 12) -> dict:
    today = timezone.localdate()
    months = months_until(today)[-4:-1]  # three complete months before this one
    grids = [Grid.objects.create(community=community, name=n) for n in ("东区", "西区")]
    buildings = [
        BuildingFactory(community=community, name=name, grid=grid)
        for name, grid in (("1号楼", grids[0]), ("2号楼", grids[0]), ("3号楼", grids[1]))
    ]
    people = []
    verified_at = _at(months[0], 1, 0) - timedelta(days=40)
    for i in range(residents):
        user = member(community)
        household = HouseholdFactory(community=community, building=buildings[i % 3])
        consent = i % 2 == 0
        Membership.objects.in_community(community).filter(user=user).update(
            household=household,
            verified_at=verified_at,
            groups_consented_at=verified_at if consent else None,
            is_elderly=consent and i % 4 == 0,
            birth_year=(1950 if i % 4 == 0 else 1985) if consent else None,
        )
        people.append(user)
    # Buildings and grids stand in as the targets of tickets and proposals: the indicators
    # read a target's name ("core.building:7") only.
    pending = []

    def act(verb, who, month, day, data=None, on=None):
        pending.append(
            journal.PendingEntry(
                verb=verb,
                actor_id=who.pk if who else None,
                at=_at(month, day),
                target=on,
                data=data,
            )
        )

    for m, month in enumerate(months):
        # More people each month: 4, 6, 8 residents take part.
        for i, user in enumerate(people[: 4 + 2 * m]):
            verb = ("notice.read_confirmed", "comment.added", "vote.cast")[i % 3]
            act(verb, user, month, 3 + i, {"binding": True} if verb == "vote.cast" else None)
        act("hotline.filed", people[0], month, 2, on=buildings[m])
        act("hotline.resolved", None, month, 6, on=buildings[m])
        act(
            "hotline.rated",
            people[0],
            month,
            7,
            {"solved": True, "satisfaction": 5 - m},
            buildings[m],
        )
        act("proposal.published", people[1], month, 8, on=grids[m % 2])
    act("budget.counted", None, months[-1], 20, {"funded_fen": 1234500}, on=buildings[2])
    act(
        "finance.period_published",
        None,
        months[-1],
        10,
        {"period_end": (date.fromisoformat(f"{months[-2]}-01") + timedelta(days=27)).isoformat()},
        on=buildings[1],
    )
    journal.bulk_append(community, pending)
    return {"people": people, "months": months, "buildings": buildings, "grids": grids}
