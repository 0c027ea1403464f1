"""Roles end with terms (frozen clock): a term's role is held from the first day of the term to
the last, Beijing time, and gone the day after with no job run; the permissions the role gives
follow it; nobody supervises a role they hold."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongzhi.bodies.models import BodyKind
from gongzhi.core.models import Role
from gongzhi.core.policies import access_of, forget_access
from gongzhi.voting import services as voting
from gongzhi.voting.models import Electorate, Vote
from tests.bodies.bodies_world import council, seat, term
from tests.factories import member

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 12) -> time_machine.travel:
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False
    )


def roles(user, community) -> set[str]:
    forget_access(user)
    return access_of(user).roles.get(community.pk, set())


def council_vote(community) -> Vote:
    return Vote.objects.create(
        community=community,
        title="议事会表决：车棚改造",
        electorate=Electorate.COUNCIL,
        opens_at=datetime(2026, 1, 1, tzinfo=SHANGHAI),
        closes_at=datetime(2028, 1, 1, tzinfo=SHANGHAI),
        published=True,
    )


def test_the_role_and_its_permissions_hold_exactly_for_the_term(community, worker):
    body = council(community, worker)
    person = member(community)
    term(body, seat(body), person, starts=date(2026, 3, 1), ends=date(2026, 8, 31))
    vote = council_vote(community)
    with at(date(2026, 2, 28), hour=23):
        assert Role.COUNCIL_MEMBER not in roles(person, community)
        assert not voting.eligible(vote, person)
    with at(date(2026, 3, 1), hour=0):
        assert Role.COUNCIL_MEMBER in roles(person, community)
        assert voting.eligible(vote, person)
    with at(date(2026, 8, 31), hour=23):
        assert Role.COUNCIL_MEMBER in roles(person, community)
        forget_access(person)
        assert voting.eligible(vote, person)
    with at(date(2026, 9, 1), hour=0):
        assert Role.COUNCIL_MEMBER not in roles(person, community)
        forget_access(person)
        assert not voting.eligible(vote, person)


def test_a_reviewer_role_from_a_panel_seat_ends_with_the_panel(community, worker):
    panel = council(community, worker, kind=BodyKind.REVIEW_PANEL, name="评议小组")
    person = member(community)
    term(
        panel,
        seat(panel, title="评议员", role=Role.REVIEWER),
        person,
        starts=date(2026, 5, 1),
        ends=date(2026, 6, 30),
    )
    with at(date(2026, 6, 15)):
        assert Role.REVIEWER in roles(person, community)
    with at(date(2026, 7, 1)):
        assert Role.REVIEWER not in roles(person, community)


def test_nobody_supervises_a_role_they_hold_at_any_time(community, worker):
    """A supervisor by term cannot take a council seat during that term, nor the other way
    round; once the terms no longer overlap, they may."""
    body = council(community, worker)
    committee = council(community, worker, kind=BodyKind.SUPERVISION, name="监委会")
    supervisors = seat(committee, title="监委会委员", role=Role.SUPERVISOR)
    councillors = seat(body)
    person = member(community)
    term(committee, supervisors, person, starts=date(2026, 1, 1), ends=date(2026, 12, 31))
    with pytest.raises(Exception) as excinfo:
        term(body, councillors, person, starts=date(2026, 12, 1), ends=date(2027, 11, 30))
    assert excinfo.value.code == "supervises_own_role"
    term(body, councillors, person, starts=date(2027, 1, 1), ends=date(2027, 12, 31))
    with at(date(2026, 6, 1)):
        held = roles(person, community)
        assert Role.SUPERVISOR in held and Role.COUNCIL_MEMBER not in held
    with at(date(2027, 6, 1)):
        held = roles(person, community)
        assert Role.COUNCIL_MEMBER in held and Role.SUPERVISOR not in held


def test_a_term_recorded_for_the_future_gives_nothing_yet(community, worker):
    body = council(community, worker)
    person = member(community)
    with at(date(2026, 1, 10)):
        term(body, seat(body), person, starts=date(2026, 2, 1), ends=date(2026, 3, 1))
        assert Role.COUNCIL_MEMBER not in roles(person, community)
    with at(date(2026, 2, 1) + timedelta(hours=1)):
        assert Role.COUNCIL_MEMBER in roles(person, community)
