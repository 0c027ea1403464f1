"""Lending under real concurrent requests: threads against the live server, each its own
database connection (run on PostgreSQL with DATABASE_URL; SQLite serialises writers by its own
lock). Lending locks the resource's row before it counts the loans out, so never more are lent
than there are, and a refusal comes only when none is left. Deciding an appeal locks it, so
two managers deciding at once decide it once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity, Role
from gongzhi.spaces import attendance, lending
from gongzhi.spaces.models import AppealStatus, BookingStatus, Loan, NoShowAppeal
from tests.concurrency import race_posts
from tests.conftest import TOTP_SECRET
from tests.factories import member
from tests.spaces.world import booking_of, space_of


@pytest.mark.django_db(transaction=True)
def test_two_managers_lending_the_last_items_at_once_lend_each_once(live_server, community, worker):
    chair = lending.resource_create(
        actor=worker, community=community, name="轮椅", kind="mobility", quantity=3
    )
    lenders = [worker]
    for _i in range(5):
        colleague = member(community, Role.COMMUNITY_WORKER)
        TOTP.activate(colleague, TOTP_SECRET)
        lenders.append(colleague)
    tokens = [api_token_create(user=lender, name="t")[1] for lender in lenders]
    borrowers = [member(community) for _lender in lenders]
    url = f"{live_server.url}/api/v1/communities/{community.slug}/spaces/resources/{chair.pk}/loans"

    statuses = race_posts(url, tokens, [{"phone": b.phone, "count": 1} for b in borrowers])

    assert statuses == [201] * 3 + [400] * 3
    assert Loan.objects.in_community(community).filter(resource=chair).count() == 3
    assert lending.outstanding(chair) == 3
    assert Activity.objects.in_community(community).filter(verb="loan.lent").count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_managers_deciding_one_appeal_at_once_decide_it_once(live_server, community, worker):
    resident = member(community)
    missed = booking_of(
        space_of(community),
        resident,
        timezone.now() - timedelta(days=1),
        status=BookingStatus.RELEASED,
        no_show=True,
    )
    appeal = attendance.appeal_submit(actor=resident, booking=missed, reason="我到了")
    colleague = member(community, Role.COMMUNITY_WORKER)
    TOTP.activate(colleague, TOTP_SECRET)
    tokens = [api_token_create(user=who, name="t")[1] for who in (worker, colleague)]
    url = f"{live_server.url}/api/v1/communities/{community.slug}/spaces/appeals/{appeal.pk}/decide"

    statuses = race_posts(
        url, tokens, [{"overturn": True}, {"overturn": False, "answer": "无人到场"}]
    )

    assert statuses == [200, 400]
    decided = NoShowAppeal.objects.in_community(community).get(pk=appeal.pk)
    assert decided.status in (AppealStatus.OVERTURNED, AppealStatus.UPHELD)
    missed.refresh_from_db()
    assert missed.no_show == (decided.status == AppealStatus.UPHELD)
    verbs = Activity.objects.in_community(community).values_list("verb", flat=True)
    assert sum(v in ("booking.no_show_withdrawn", "booking.no_show_upheld") for v in verbs) == 1
