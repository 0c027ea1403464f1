"""Real concurrent requests: applications at once never share a case number (the committee's
row is locked while the next number is taken), and one mediator assigned twice at once is
assigned once."""

from __future__ import annotations

import pytest

from gongzhi.accounts.services import api_token_create
from gongzhi.mediation.models import Assignment, Case
from tests.concurrency import race_posts
from tests.factories import member
from tests.mediation.world import case_of, committee_of, mediator_of


@pytest.mark.django_db(transaction=True)
def test_simultaneous_applications_take_distinct_numbers(live_server, community, worker):
    committee_of(community, worker)
    tokens = [api_token_create(user=member(community), name="t")[1] for _i in range(6)]
    url = f"{live_server.url}/api/v1/communities/{community.slug}/mediation/cases"
    body = {"kind": "noise", "summary": "夜里很吵。", "respondent_name": "楼上住户"}

    statuses = race_posts(url, tokens, [body] * 6)

    assert statuses == [201] * 6
    numbers = sorted(Case.objects.in_community(community).values_list("number", flat=True))
    assert [n.rsplit("-", 1)[1] for n in numbers] == [f"{i:06d}" for i in range(1, 7)]


@pytest.mark.django_db(transaction=True)
def test_one_mediator_assigned_twice_at_once_is_assigned_once(live_server, community, worker):
    committee = committee_of(community, worker)
    case = case_of(community)
    mediator = mediator_of(community)
    token = api_token_create(user=committee.head, name="t")[1]
    url = (
        f"{live_server.url}/api/v1/communities/{community.slug}/mediation/cases/{case.pk}/mediators"
    )

    statuses = race_posts(url, token, [{"mediator": mediator.pk}] * 4)

    assert statuses == [201] + [400] * 3
    assert (
        Assignment.objects.in_community(community).filter(case=case, mediator=mediator).count() == 1
    )
