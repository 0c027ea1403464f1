"""The demo street's volunteering (gongzhi/volunteering/demo.py): teams with leaders, volunteers
from the crowd (some registered by the worker for them), past shifts worked and confirmed, a
reversal and a no-show, coming shifts with free places, mutual aid with the time bank; the
journal still verifies and the indicators read the demo from the journal alone.

Here the seeder runs alone on a street of 30 residents (the whole demo street, with every app,
is seeded by tests/test_seed_demo_sizes.py and its pages crawled by tests/test_demo_street.py)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db.models import Sum
from django.test import TestCase
from django.utils import timezone

from gongzhi.core import journal
from gongzhi.core.demo import DemoContext
from gongzhi.core.models import Community
from gongzhi.evaluation import services as evaluation_services
from gongzhi.evaluation.engine import EvalInput, evaluate, month_of
from gongzhi.volunteering import demo
from gongzhi.volunteering.models import (
    AidPost,
    AidStatus,
    Certificate,
    Exchange,
    ExchangeStatus,
    HoursEntry,
    HoursEntryKind,
    Shift,
    SignUp,
    SignUpStatus,
    Team,
    TeamMember,
    TimeMovement,
    Volunteer,
    VolunteerActivity,
)
from tests.factories import member


def _context(community: Community, worker: Any, supervisor: Any, n: int) -> DemoContext:
    residents = [member(community) for _ in range(n)]
    return DemoContext(
        communities=[community],
        worker=worker,
        supervisor=supervisor,
        residents=residents,
        crowd=list(reversed(residents)),
        rng=random.Random(7),
    )


@pytest.mark.django_db
def test_the_seeder_alone_on_a_small_street(community, worker, supervisor):
    """Without the other apps' demo (no council: no recognition list), and on a street of 30."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        demo.seed(_context(community, worker, supervisor, 30))
    _check_the_demo(community)


def _check_the_demo(xingfu: Community) -> None:
    now = timezone.now()
    teams = Team.objects.in_community(xingfu)
    assert {t.name for t in teams} >= {"环境保护志愿服务队", "治安巡逻队", "助老服务队"}
    assert teams.count() == 5
    leaders = TeamMember.objects.in_community(xingfu).filter(leader=True)
    assert set(leaders.values_list("team", flat=True)) == set(teams.values_list("pk", flat=True))
    volunteers = Volunteer.objects.in_community(xingfu)
    assert volunteers.count() >= 20
    assert volunteers.filter(registered_by__isnull=False).exists()  # 代办

    # Past shifts worked: hours confirmed by the worker, never by the volunteer; one reversed.
    entries = HoursEntry.objects.in_community(xingfu)
    services = entries.filter(kind=HoursEntryKind.SERVICE)
    assert services.count() >= 10
    assert all(e.confirmed_by_id != e.volunteer.person_id for e in services)
    reversal = entries.get(kind=HoursEntryKind.REVERSAL)
    assert reversal.reason and reversal.credited_minutes == -reversal.reverses.credited_minutes
    assert all(e.served_on < timezone.localdate() for e in services)
    assert SignUp.objects.in_community(xingfu).filter(status=SignUpStatus.NO_SHOW).count() == 1
    certificate = Certificate.objects.in_community(xingfu).get()
    assert certificate.credited_minutes > 0 and certificate.revoked_at is None
    # Coming shifts with places still free.
    coming = Shift.objects.in_community(xingfu).filter(starts_at__gt=now)
    assert coming.count() == 2
    for shift in coming:
        taken = shift.signups.filter(status=SignUpStatus.REGISTERED).count()
        assert 0 < taken < shift.capacity
    assert VolunteerActivity.objects.in_community(xingfu).count() == 6

    # Mutual aid: one exchange done (the time moved), one agreed, open posts; the bank balances.
    exchanges = Exchange.objects.in_community(xingfu)
    done = exchanges.get(status=ExchangeStatus.DONE)
    assert done.transfers.count() == 1
    assert exchanges.filter(status=ExchangeStatus.AGREED).count() == 1
    assert AidPost.objects.in_community(xingfu).filter(status=AidStatus.OPEN).count() >= 2
    moved = TimeMovement.objects.in_community(xingfu).aggregate(total=Sum("minutes"))["total"]
    assert moved == 0

    assert journal.verify(xingfu) is None
    _check_the_indicators(xingfu)


def _check_the_indicators(xingfu: Community) -> None:
    """The demo as the evaluation reads it, from the journal alone: hours count in the month
    they were served (the confirmation's journal entry names the day), registrations and
    exchanges in this month, when the demo made them."""
    journal.chain(xingfu)
    tz = evaluation_services.tz()
    month = month_of(timezone.now(), tz)
    served = HoursEntry.objects.in_community(xingfu).filter(kind=HoursEntryKind.SERVICE)
    served_months = {
        f"{d.year:04d}-{d.month:02d}" for d in served.values_list("served_on", flat=True)
    }
    months = sorted(served_months | {month})
    inp = EvalInput(
        entries=list(evaluation_services.entries(xingfu)),
        persons=evaluation_services.persons(xingfu),
        months=months,
        tz=tz,
    )
    functions = {
        "volunteers": "volunteers",
        "active": "active_volunteers",
        "hours": "confirmed_hours",
        "residents_serving": "residents_serving",
        "exchanges": "exchanges_done",
    }
    cells = evaluate(inp, {k: f"gongzhi.volunteering.indicators.{f}" for k, f in functions.items()})
    assert cells["volunteers"][month].value == Volunteer.objects.in_community(xingfu).count()
    assert sum(cells["active"][m].value or 0 for m in served_months) >= 10
    credited = HoursEntry.objects.in_community(xingfu).aggregate(m=Sum("credited_minutes"))["m"]
    hours = sum(cells["hours"][m].value or 0 for m in months)
    assert hours == pytest.approx(round(credited / 60, 2), abs=0.01 * len(months))
    # A person rate over the verified residents of each month: the demo's crowd is verified
    # today, so a month before has no one to count (no value), never a share above one.
    for m in months:
        cell = cells["residents_serving"][m]
        assert cell.value is None or 0 <= cell.value <= 1
    assert cells["exchanges"][month].value == 1
