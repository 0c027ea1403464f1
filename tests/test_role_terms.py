"""Roles held for a term (issue 15): a grant with dates counts only between them, in every
place that reads roles — the per-request access, SQL role filters, the staff two-factor check
and the member page — with no job removing it when the term ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from gongzhi.accounts.selectors import HOLDS_STAFF_ATTR, load_mfa_facts
from gongzhi.core import selectors
from gongzhi.core.models import Community, Membership, Role, RoleGrant, active_grant_q
from gongzhi.core.policies import access_of, forget_access
from tests.factories import member

START = datetime(2027, 3, 1, tzinfo=UTC)
#: a term ending on 31 August, Beijing time: its role ends at the start of the next day there
END = datetime(2027, 9, 1, tzinfo=ZoneInfo("Asia/Shanghai"))


def _term_grant(community, user, role: str, source_id: int = 1) -> RoleGrant:
    membership = Membership.objects.in_community(community).get(user=user)
    return RoleGrant.objects.in_community(community).create(
        membership=membership,
        role=role,
        valid_from=START,
        valid_until=END,
        source_type=ContentType.objects.get_for_model(Community),
        source_id=source_id,
    )


def _roles_at(user, community, at: datetime) -> set[str]:
    with time_machine.travel(at, tick=False):
        forget_access(user)
        return access_of(user).roles[community.pk]


def test_a_role_from_a_term_holds_only_during_it(community):
    resident = member(community)
    _term_grant(community, resident, Role.COUNCIL_MEMBER)
    assert Role.COUNCIL_MEMBER not in _roles_at(resident, community, START - timedelta(days=1))
    assert Role.COUNCIL_MEMBER in _roles_at(resident, community, START)
    assert Role.COUNCIL_MEMBER in _roles_at(resident, community, END - timedelta(seconds=1))
    assert Role.COUNCIL_MEMBER not in _roles_at(resident, community, END)


def test_role_filters_in_sql_read_the_dates(community, worker):
    resident = member(community)
    _term_grant(community, resident, Role.COUNCIL_MEMBER)
    for at, expected in ((START + timedelta(days=1), 1), (END + timedelta(days=1), 0)):
        with time_machine.travel(at, tick=False):
            members = selectors.member_list(
                community=community, viewer=worker, role=Role.COUNCIL_MEMBER
            )
            assert members.count() == expected
            grants = RoleGrant.objects.in_community(community).filter(
                active_grant_q(), role=Role.COUNCIL_MEMBER
            )
            assert grants.count() == expected


def test_two_terms_give_the_role_once_in_a_filtered_list(community, worker):
    resident = member(community)
    _term_grant(community, resident, Role.COUNCIL_MEMBER, source_id=1)
    _term_grant(community, resident, Role.COUNCIL_MEMBER, source_id=2)
    with time_machine.travel(START + timedelta(days=1), tick=False):
        assert (
            selectors.member_list(
                community=community, viewer=worker, role=Role.COUNCIL_MEMBER
            ).count()
            == 1
        )


def test_staff_two_factor_check_ends_with_the_term(community):
    person = member(community)
    _term_grant(community, person, Role.COMMUNITY_WORKER)
    for at, expected in ((START + timedelta(days=1), True), (END + timedelta(days=1), False)):
        with time_machine.travel(at, tick=False):
            load_mfa_facts(person)
            assert getattr(person, HOLDS_STAFF_ATTR) is expected


def test_a_term_grant_needs_its_whole_source_and_ordered_dates(community):
    resident = member(community)
    membership = Membership.objects.in_community(community).get(user=resident)
    with transaction.atomic(), pytest.raises(IntegrityError):
        RoleGrant.objects.in_community(community).create(
            membership=membership, role=Role.REVIEWER, source_id=3
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        RoleGrant.objects.in_community(community).create(
            membership=membership, role=Role.REVIEWER, valid_from=END, valid_until=START
        )


def test_the_member_page_says_until_when(client, community, worker):
    resident = member(community)
    grant = _term_grant(community, resident, Role.COUNCIL_MEMBER)
    with time_machine.travel(START + timedelta(days=1), tick=True):
        client.force_login(worker)
        page = client.get(f"/c/{community.slug}/staff/members/{grant.membership_id}/")
    assert page.status_code == 200
    assert "2027-08-31" in page.content.decode()
