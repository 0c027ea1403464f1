"""Demo content of evaluation: two years of plausible participation in the three demo
communities, so the dashboard shows trends on first run.

The other apps' demos make today's content through their services; two years of history cannot
be made that way (a service journals its act now). So this seeder writes the history straight
into each community's journal with past times (``journal.bulk_append``, chained and signed
exactly as ``journal.record`` chains, so ``journal_verify`` passes): residents confirming
notices, commenting, voting in conversations and binding votes, ballots in a yearly
participatory budget, hotline tickets filed, resolved and rated, proposals raised and answered,
the PB count and monthly finance reports. What these entries were done to (a ticket, a
proposal) is named by an id the demo does not create ("demo-…"): the journal page leaves such
targets unnamed, and the indicators only tell targets apart.

The first community starts a programme a year ago (recorded through
``services.intervention_record``, so it is journalled and shown on the charts); its residents
take part more often afterwards. Residents who consented to the group questions declare a year
of birth (the age bands). The rollups are refreshed at the end.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import timezone

from gongzhi.budgeting.models import Process
from gongzhi.core import journal
from gongzhi.core.demo import DemoContext
from gongzhi.core.models import Community, Membership, Role, RoleGrant
from gongzhi.deliberation.models import Proposal
from gongzhi.disclosure.models import FinancePeriod
from gongzhi.evaluation import services
from gongzhi.evaluation.engine import month_first_day, month_last_day
from gongzhi.evaluation.models import InterventionKind
from gongzhi.feedback.models import Ticket

#: How often the average verified resident takes part in a month, per demo community.
BASE_RATE = (0.14, 0.2, 0.1)
#: The month (counted from the first of the 25) the first community's programme starts.
INTERVENTION_MONTH = 12
#: Resident acts and their weights: most people read, fewer speak, fewer still decide.
ACTS = (
    ("notice.read_confirmed", 40),
    ("comment.added", 16),
    ("statement.voted", 12),
    ("proposal.supported", 10),
    ("reaction.added", 8),
    ("vote.cast", 6),
)
#: Months (counted from the first) of the yearly participatory budget's ballot.
PB_MONTHS = (7, 19)


def _stand_in(model: type[models.Model], key: str) -> models.Model:
    """An unsaved row of ``model`` with the key ``key``: the target of a history entry."""
    row = model()
    row.pk = f"demo-{key}"
    return row


class _History:
    def __init__(self, community: Community, rng: random.Random, now: datetime):
        self.community = community
        self.rng = rng
        self.now = now
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.pending: list[journal.PendingEntry] = []

    def at(self, month: str, earliest: datetime | None = None) -> datetime | None:
        """A random daytime moment in ``month`` (local), after ``earliest``; None if none is
        before now."""
        first, last = month_first_day(month), month_last_day(month)
        day = first + timedelta(days=self.rng.randrange((last - first).days + 1))
        moment = datetime(
            day.year,
            day.month,
            day.day,
            self.rng.randrange(8, 21),
            self.rng.randrange(60),
            tzinfo=self.zone,
        )
        if earliest is not None and moment <= earliest:
            moment = earliest + timedelta(hours=self.rng.randrange(1, 72))
        if moment >= self.now or month_last_day(month) < moment.astimezone(self.zone).date():
            return None
        return moment.astimezone(UTC)

    def add(
        self,
        verb: str,
        actor: int | None,
        at: datetime | None,
        target: models.Model | None = None,
        data: dict[str, object] | None = None,
    ) -> None:
        if at is not None and at < self.now:
            self.pending.append(journal.PendingEntry(verb, actor, at, target, data=data))


def _residents(community: Community) -> list[tuple[int, datetime]]:
    """Verified residents without a role (user id, when verified)."""
    rows = (
        Membership.objects.in_community(community)
        .filter(verified_at__isnull=False, role_grants__isnull=True)
        .order_by("pk")
        .values_list("user_id", "verified_at")
    )
    return [(uid, verified) for uid, verified in rows if verified is not None]


def _worker(community: Community) -> int | None:
    return (
        RoleGrant.objects.in_community(community)
        .filter(role=Role.COMMUNITY_WORKER)
        .order_by("pk")
        .values_list("membership__user_id", flat=True)
        .first()
    )


def _declare_birth_years(community: Community, rng: random.Random, today: date) -> None:
    """Most of those who answered the group questions also gave their year of birth."""
    rows = list(
        Membership.objects.in_community(community).filter(groups_consented_at__isnull=False)
    )
    for m in rows:
        if rng.random() < 0.75:
            age = rng.randint(60, 92) if m.is_elderly else rng.randint(19, 72)
            m.birth_year = today.year - age
    Membership.objects.in_community(community).bulk_update(rows, ["birth_year"], batch_size=2000)


def _history(
    community: Community, index: int, rng: random.Random, months: list[str], now: datetime
) -> list[journal.PendingEntry]:
    h = _History(community, rng, now)
    residents = _residents(community)
    worker = _worker(community)
    if not residents:
        return []
    # Some never take part; the others each at their own pace.
    pace = {uid: (0.0 if rng.random() < 0.3 else rng.uniform(0.3, 2.2)) for uid, _v in residents}
    ticket = proposal = 0
    for k, month in enumerate(months):
        rate = BASE_RATE[index % len(BASE_RATE)] * (1 + 0.15 * k / len(months))
        if index == 0 and k >= INTERVENTION_MONTH:
            # The programme reaches people over four months, then holds.
            rate *= 1 + 0.9 * min(1.0, (k - INTERVENTION_MONTH + 1) / 4)
        month_start = datetime.combine(month_first_day(month), datetime.min.time(), h.zone)
        active = [
            (uid, verified)
            for uid, verified in residents
            if verified < month_start + timedelta(days=25) and rng.random() < rate * pace[uid]
        ]
        for uid, verified in active:
            for _n in range(1 + (rng.random() < 0.45) + (rng.random() < 0.15)):
                verb = rng.choices([a for a, _w in ACTS], [w for _a, w in ACTS])[0]
                # A vote is binding (deciding) or a poll (consulted).
                data: dict[str, object] | None = (
                    {"binding": rng.random() < 0.4} if verb == "vote.cast" else None
                )
                h.add(verb, uid, h.at(month, verified), data=data)
            if k in PB_MONTHS and rng.random() < 0.5:
                h.add("budget.voted", uid, h.at(month, verified))
        # The hotline: a few problems a month, most resolved within days, many rated.
        for _t in range(max(1, len(residents) // 60 + rng.randrange(-1, 3))):
            ticket += 1
            target = _stand_in(Ticket, f"{index}-{ticket}")
            filer, verified = rng.choice(residents)
            filed = h.at(month, verified)
            if filed is None:
                continue
            h.add("hotline.filed", filer, filed, target)
            if rng.random() < 0.86:
                days = rng.choice((1, 1, 2, 3, 4, 6, 9, 14, 21)) * (1.4 if k < 6 else 1.0)
                resolved = filed + timedelta(days=days, hours=rng.randrange(1, 8))
                h.add("hotline.resolved", worker, resolved, target)
                if rng.random() < 0.6:
                    satisfaction = rng.choices((5, 4, 3, 2, 1), (45, 30, 13, 7, 5))[0]
                    h.add(
                        "hotline.rated",
                        filer,
                        resolved + timedelta(days=rng.randrange(0, 4), hours=2),
                        target,
                        {"solved": satisfaction >= 3, "satisfaction": satisfaction},
                    )
        # Proposals: one to three a month, most answered within a month or two.
        for _p in range(rng.randint(1, 3)):
            proposal += 1
            target = _stand_in(Proposal, f"{index}-{proposal}")
            author, verified = rng.choice(residents)
            raised = h.at(month, verified)
            if raised is None:
                continue
            h.add("proposal.published", author, raised, target)
            if rng.random() < 0.75:
                answer = rng.choices(("accepted", "rejected", "merged"), (50, 35, 15))[0]
                answered = raised + timedelta(days=rng.randrange(7, 60))
                h.add("proposal.status_changed", worker, answered, target, {"to": answer})
                if answer == "accepted" and rng.random() < 0.6:
                    h.add(
                        "proposal.status_changed",
                        worker,
                        answered + timedelta(days=rng.randrange(30, 120)),
                        target,
                        {"to": "implemented"},
                    )
        # Last month's finance report, published a few days to a few weeks after it ended.
        period_end = month_last_day(month)
        published = datetime.combine(
            period_end + timedelta(days=rng.choice((6, 9, 12, 18, 25, 33, 41))),
            datetime.min.time().replace(hour=10),
            h.zone,
        ).astimezone(UTC)
        h.add(
            "finance.period_published",
            worker,
            published,
            _stand_in(FinancePeriod, f"{index}-{month}"),
            {"period_end": period_end.isoformat()},
        )
        if k in PB_MONTHS:
            counted = datetime.combine(
                month_last_day(month) + timedelta(days=3), datetime.min.time(), h.zone
            ).astimezone(UTC)
            h.add(
                "budget.counted",
                None,
                counted,
                _stand_in(Process, f"{index}-{k}"),
                {"rule": "greedy", "selected": [], "funded_fen": rng.randrange(180, 420) * 100_000},
            )
    h.pending.sort(key=lambda e: e.at)
    return h.pending


def seed(ctx: DemoContext) -> None:
    now = timezone.now()
    today = timezone.localdate()
    months = services.months_until(today)
    for index, community in enumerate(ctx.communities):
        _declare_birth_years(community, ctx.rng, today)
        journal.bulk_append(community, _history(community, index, ctx.rng, months, now))
    services.intervention_record(
        actor=ctx.worker,
        community=ctx.community,
        name="楼栋议事会与居民骨干培训",
        kind=InterventionKind.PROGRAMME,
        started_on=month_first_day(months[INTERVENTION_MONTH]),
        description="每栋楼推选楼栋长，每月召开楼栋议事会；社区为居民骨干开设六次议事规则培训。",
    )
    for community in ctx.communities:
        services.refresh(community=community)
