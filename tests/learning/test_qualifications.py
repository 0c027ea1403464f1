"""Who holds a qualification on a day (core's checker), with a frozen clock: valid from its first
day to its last (inclusive), never once revoked; a renewal extends; a qualification is the
person's, in every community; ``core.qualifications.missing`` asks this app."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from gongzhi.core import qualifications as core_qualifications
from gongzhi.learning import award_selectors
from gongzhi.learning.models import EnrolmentStatus
from gongzhi.learning.qualifications import grant_for_completion, holds, valid_until_of
from tests.factories import member
from tests.learning.world import award_of, course_of, enrolment_of

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("start", "months", "last"),
    [
        (date(2026, 3, 1), 24, date(2028, 2, 29)),
        (date(2026, 1, 31), 1, date(2026, 2, 27)),
        (date(2026, 5, 15), 12, date(2027, 5, 14)),
        (date(2026, 5, 15), 0, None),
    ],
)
def test_the_last_day_is_the_day_before_the_same_date_months_later(start, months, last):
    assert valid_until_of(start, months) == last


def test_valid_on_its_last_day_not_the_day_after_nor_before_it_starts(community, resident):
    award_of(community, resident, "first_aid", date(2026, 3, 1), date(2028, 2, 29))
    assert not holds(resident, "first_aid", date(2026, 2, 28))
    assert holds(resident, "first_aid", date(2026, 3, 1))
    assert holds(resident, "first_aid", date(2028, 2, 29))
    assert not holds(resident, "first_aid", date(2028, 3, 1))
    assert not holds(resident, "chairing", date(2027, 1, 1))
    assert not holds(member(community), "first_aid", date(2027, 1, 1))


def test_a_revoked_award_is_not_held(community, resident):
    award_of(community, resident, "first_aid", date(2026, 1, 1), None, revoked_at=timezone.now())
    assert not holds(resident, "first_aid", date(2026, 6, 1))


def test_a_renewal_extends_without_a_gap(community, resident):
    award_of(community, resident, "chairing", date(2024, 1, 1), date(2025, 12, 31))
    award_of(community, resident, "chairing", date(2025, 12, 1), date(2027, 11, 30))
    for day in (date(2025, 12, 15), date(2025, 12, 31), date(2026, 1, 1), date(2027, 11, 30)):
        assert holds(resident, "chairing", day)
    assert not holds(resident, "chairing", date(2027, 12, 1))
    [held] = award_selectors.held_by(resident, date(2026, 1, 1))
    assert held.valid_until == date(2027, 11, 30) and held.renewed


def test_a_qualification_is_held_in_every_community(community, other_community, resident):
    award_of(community, resident, "first_aid", date(2026, 1, 1), None)
    assert holds(resident, "first_aid", date(2030, 1, 1))
    # Core asks the same question wherever the person is (a shift in another community).
    assert core_qualifications.missing(resident, ["first_aid", "chairing"], date(2030, 1, 1)) == [
        "chairing"
    ]


def test_nobody_without_an_account_holds_anything(community):
    from django.contrib.auth.models import AnonymousUser

    assert not holds(AnonymousUser(), "first_aid", date(2026, 1, 1))


def test_a_completed_course_makes_its_learner_hold_it_from_that_day(community, worker):
    course = course_of(community, worker, qualification="mediation", valid_months=12)
    enrolment = enrolment_of(course, status=EnrolmentStatus.COMPLETED)
    with time_machine.travel(datetime(2026, 5, 15, 20, tzinfo=SHANGHAI), tick=False):
        grant_for_completion(actor=worker, enrolment=enrolment)
    person = enrolment.person
    assert not holds(person, "mediation", date(2026, 5, 14))
    assert holds(person, "mediation", date(2026, 5, 15))
    assert holds(person, "mediation", date(2027, 5, 14))
    assert not holds(person, "mediation", date(2027, 5, 15))


def test_holds_is_one_query(community, resident, django_assert_num_queries):
    award_of(community, resident, "first_aid", date(2026, 1, 1), None)
    with django_assert_num_queries(1):
        holds(resident, "first_aid", date(2026, 6, 1))
