"""The revision's pages: the round's amendments by article with the decisions, the body's
decision form, the votes form and consolidating — without JavaScript, forbidden as missing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.covenants.models import AmendmentStatus
from tests.covenants.revision_world import covenant_in
from tests.covenants.world import amendment_of, current_round
from tests.factories import member

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def url(name, community, *args):
    return reverse(name, args=[community.slug, *args])


def when(days: int) -> str:
    return timezone.localtime(timezone.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def setting(community, worker):
    covenant, people = covenant_in(community, worker)
    round_ = current_round(covenant)
    amendment = amendment_of(round_, article_key=1, paragraph_key=2, text="遛狗必须牵绳。")
    return covenant, round_, amendment, people


def test_residents_read_the_revision_by_article(setting, resident, community):
    covenant, round_, amendment, _people = setting

    page = client_for(resident).get(url("covenants_revision", community, round_.pk))

    assert page.status_code == 200
    assert "第一条 宠物" in page.text
    assert "遛狗必须牵绳。" in page.text
    assert url("covenants_decide", community, amendment.pk) not in page.text
    assert url("covenants_consolidate", community, round_.pk) not in page.text
    detail = client_for(resident).get(url("covenants_detail", community, covenant.pk))
    assert url("covenants_revision", community, round_.pk) in detail.text


def test_the_body_decides_through_the_form(setting, community):
    _covenant, round_, amendment, people = setting
    client = client_for(people[0])
    page = client.get(url("covenants_revision", community, round_.pk))
    assert url("covenants_decide", community, amendment.pk) in page.text

    form = client.get(url("covenants_decide", community, amendment.pk))
    assert form.status_code == 200
    refused = client.post(
        url("covenants_decide", community, amendment.pk),
        {"accept": "yes", "reason": "", "present": 3, "votes_for": 3},
    )
    assert refused.status_code == 400
    no_quorum = client.post(
        url("covenants_decide", community, amendment.pk),
        {
            "accept": "yes",
            "reason": "更清楚。",
            "present": 1,
            "votes_for": 1,
            "votes_against": 0,
            "abstentions": 0,
        },
    )
    assert no_quorum.status_code == 400
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.PROPOSED

    done = client.post(
        url("covenants_decide", community, amendment.pk),
        {
            "accept": "yes",
            "reason": "更清楚。",
            "present": 3,
            "votes_for": 3,
            "votes_against": 0,
            "abstentions": 0,
        },
    )

    assert done.status_code == 302
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.ACCEPTED
    assert amendment.decision_reason == "更清楚。"


def test_the_forms_are_missing_for_those_outside_the_body(setting, community, resident):
    _covenant, round_, amendment, _people = setting
    client = client_for(resident)

    assert client.get(url("covenants_decide", community, amendment.pk)).status_code == 404
    assert client.get(url("covenants_to_vote", community, round_.pk)).status_code == 404
    assert client.post(url("covenants_consolidate", community, round_.pk)).status_code == 404


def test_another_communitys_people_find_nothing(setting, community, other_community):
    _covenant, round_, _amendment, _people = setting
    stranger = member(other_community)

    page = client_for(stranger).get(url("covenants_revision", community, round_.pk))

    assert page.status_code == 404


def test_a_worker_sends_to_vote_then_consolidates(setting, community, worker):
    covenant, round_, amendment, _people = setting
    client = client_for(worker)
    form = client.get(url("covenants_to_vote", community, round_.pk))
    assert form.status_code == 200
    sent = client.post(
        url("covenants_to_vote", community, round_.pk),
        {"amendments": [amendment.pk], "opens_at": when(0), "closes_at": when(2)},
    )
    assert sent.status_code == 302
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.TO_VOTE

    refused = client.post(url("covenants_consolidate", community, round_.pk), follow=True)
    assert "still to be decided" in refused.text
    round_.refresh_from_db()
    assert round_.consolidated is None

    amendment.status, amendment.vote = AmendmentStatus.REJECTED, None
    amendment.save(update_fields=["status", "vote"])
    done = client.post(url("covenants_consolidate", community, round_.pk))
    round_.refresh_from_db()
    assert round_.consolidated is not None
    assert done["Location"] == url(
        "covenants_version", community, covenant.pk, round_.consolidated.number
    )
