"""``manage.py learning_remind``: a holder whose qualification ends within 30 days, and who holds
no later award of it, is reminded once; renewed, revoked, later and lasting ones are not."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from gongzhi.learning.models import Award
from gongzhi.notifications.models import Notification
from tests.factories import member
from tests.learning.world import award_of

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 6, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def remind() -> str:
    out = StringIO()
    call_command("learning_remind", stdout=out)
    return out.getvalue().strip()


@time_machine.travel(TODAY, tick=False)
def test_reminds_holders_of_expiring_qualifications_once(community, worker):
    ending, renewed, revoked, later, lasting, lapsed = (member(community) for _i in range(6))
    due = award_of(community, ending, "first_aid", date(2024, 7, 1), date(2026, 7, 1))
    award_of(community, renewed, "first_aid", date(2024, 6, 5), date(2026, 6, 4))
    award_of(community, renewed, "first_aid", date(2026, 5, 20), date(2028, 5, 19))
    award_of(community, revoked, "first_aid", date(2024, 6, 5), date(2026, 6, 4), revoked_at=TODAY)
    award_of(community, later, "first_aid", date(2024, 7, 2), date(2026, 7, 2))
    award_of(community, lasting, "chairing", date(2024, 1, 1), None)
    award_of(community, lapsed, "first_aid", date(2024, 1, 1), date(2026, 5, 31))

    assert remind() == "reminded=1 kept_reminded=0"
    told = Notification.objects.get(kind="qualification_expiring")
    assert told.user == ending
    assert told.params["until"] == "2026-07-01"
    due.refresh_from_db()
    assert due.reminded_at is not None
    assert remind() == "reminded=0 kept_reminded=0"
    assert Notification.objects.filter(kind="qualification_expiring").count() == 1


@time_machine.travel(TODAY, tick=False)
def test_a_later_award_in_another_community_counts_as_renewed(community, other_community):
    person = member(community)
    award_of(community, person, "first_aid", date(2024, 6, 10), date(2026, 6, 9))
    award_of(other_community, person, "first_aid", date(2026, 5, 1), date(2028, 4, 30))
    assert remind().startswith("reminded=0 ")


@time_machine.travel(TODAY, tick=False)
def test_the_last_day_of_the_window_is_reminded(community):
    person = member(community)
    award_of(community, person, "mediation", date(2025, 1, 1), date(2026, 7, 1))
    award_of(community, member(community), "mediation", date(2025, 1, 1), date(2026, 7, 2))
    assert remind().startswith("reminded=1 ")
    assert list(
        Award.objects.in_community(community)
        .filter(reminded_at__isnull=False)
        .values_list("person", flat=True)
    ) == [person.pk]
