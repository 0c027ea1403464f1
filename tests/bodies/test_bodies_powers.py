"""A decision outside a body's powers is refused by the service and the API: recording a
body's decision, and answering a proposal in the deliberation hall in a body's name
(``core.decisions.require_power`` → ``bodies.charter_check``)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.accounts.services import api_token_create
from gongzhi.bodies.models import Decision
from gongzhi.core.decisions import require_power
from gongzhi.core.models import Activity
from gongzhi.deliberation import services as hall
from gongzhi.deliberation.models import Category, DeliberationSettings, Proposal
from tests.bodies.bodies_world import council
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(community, resident):
    DeliberationSettings.objects.in_community(community).create(
        threshold_percent=1, threshold_minimum=3
    )
    category = Category.objects.in_community(community).create(name="停车")
    made = hall.proposal_create(
        actor=resident, community=community, title="在3号楼装电梯", body="老人上下楼太难了。"
    )
    Proposal.objects.in_community(community).filter(pk=made.pk).update(category=category)
    made.refresh_from_db()
    return made


def answers_parking(**extra):
    return [{"kind": "answer_proposals", "max_amount_fen": None, "topics": ["停车"]}]


def test_require_power_asks_the_charter(community, worker):
    able = council(community, worker, powers=answers_parking())
    unable = council(community, worker, name="楼栋长")
    require_power(community_id=community.pk, body_id=able.pk, kind="answer_proposals", topic="停车")
    for body, topic in ((unable, "停车"), (able, "噪音")):
        with pytest.raises(ValidationError) as excinfo:
            require_power(
                community_id=community.pk, body_id=body.pk, kind="answer_proposals", topic=topic
            )
        assert excinfo.value.code == "outside_charter"


def test_a_body_of_another_community_has_no_power_here(community, other_community, worker):
    elsewhere = council(other_community, member(other_community), powers=answers_parking())
    with pytest.raises(ValidationError) as excinfo:
        require_power(
            community_id=community.pk, body_id=elsewhere.pk, kind="answer_proposals", topic="停车"
        )
    assert excinfo.value.code == "outside_charter"


def test_the_hall_refuses_an_answer_in_the_name_of_a_body_without_the_power(
    community, worker, proposal
):
    unable = council(community, worker, name="楼栋长")
    with pytest.raises(ValidationError) as excinfo:
        hall.proposal_transition(
            actor=worker, proposal=proposal, to="accepted", reason="同意", body_id=unable.pk
        )
    assert excinfo.value.code == "outside_charter"
    proposal.refresh_from_db()
    assert proposal.status == "gathering"
    able = council(community, worker, powers=answers_parking())
    hall.proposal_transition(
        actor=worker, proposal=proposal, to="accepted", reason="同意", body_id=able.pk
    )
    entry = Activity.objects.in_community(community).filter(verb="proposal.status_changed").last()
    assert entry.data == {"to": "accepted", "body": able.pk}


def test_the_hall_api_refuses_it_with_the_code(client, community, worker, proposal):
    unable = council(community, worker, name="楼栋长")
    _t, token = api_token_create(user=worker, name="t")
    url = f"/api/v1/communities/{community.slug}/proposals/{proposal.pk}/answer"
    response = client.post(
        url,
        {"to": "accepted", "reason": "同意", "body": unable.pk},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "outside_charter"


def test_the_bodies_api_refuses_a_decision_outside_powers(client, community, worker):
    body = council(community, worker)
    _t, token = api_token_create(user=worker, name="t")
    url = f"/api/v1/communities/{community.slug}/bodies/{body.pk}/decisions"
    payload = {
        "kind": "answer_proposals",
        "topic": "停车",
        "title": "答复停车提议",
        "decided_on": timezone.localdate().isoformat(),
        "present": 0,
        "votes_for": 0,
        "votes_against": 0,
        "abstentions": 0,
    }
    response = client.post(
        url, payload, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "outside_charter"
    assert not Decision.objects.in_community(community).exists()


def test_the_hall_page_offers_bodies_with_the_power_and_refuses_the_wrong_topic(
    client, community, worker, proposal
):
    from django.urls import reverse

    on_noise = [{"kind": "answer_proposals", "max_amount_fen": None, "topics": ["噪音"]}]
    able = council(community, worker, powers=answers_parking())
    noise_only = council(community, worker, name="楼栋长", powers=on_noise)
    council(community, worker, name="合唱队")
    client.force_login(worker)
    page = client.get(reverse("proposal_detail", args=[community.slug, proposal.pk])).content
    html = page.decode()
    assert f'value="{able.pk}"' in html and f'value="{noise_only.pk}"' in html
    assert "合唱队" not in html
    url = reverse("proposal_answer", args=[community.slug, proposal.pk])
    client.post(url, {"to": "accepted", "reason": "同意", "body": noise_only.pk})
    proposal.refresh_from_db()
    assert proposal.status == "gathering"
    client.post(url, {"to": "accepted", "reason": "同意", "body": able.pk})
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
