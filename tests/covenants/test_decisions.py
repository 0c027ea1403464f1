"""The drafting body's decisions on amendments: who decides, with what reason, when, and the
order accepted amendments apply in (revision_services.amendment_decide)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.bodies.models import Decision
from gongzhi.core.models import Activity
from gongzhi.covenants import revision_services as services
from gongzhi.covenants.models import Amendment, AmendmentKind, AmendmentStatus
from gongzhi.notifications.models import Notification
from tests.covenants.revision_world import UNANIMOUS, covenant_in
from tests.covenants.world import amendment_of, current_round
from tests.factories import member

pytestmark = pytest.mark.django_db


def decide(actor, amendment, accept=True, reason="理由充分。", **counts):
    return services.amendment_decide(
        actor=actor, amendment=amendment, accept=accept, reason=reason, **{**UNANIMOUS, **counts}
    )


@pytest.fixture
def setting(community, worker):
    covenant, people = covenant_in(community, worker)
    return current_round(covenant), people


def test_a_member_of_the_body_accepts_with_the_bodys_decision(setting):
    round_, people = setting
    amendment = amendment_of(round_, paragraph_key=2, article_key=1, text="遛狗必须牵绳。")

    decided = decide(people[0], amendment)

    assert decided.status == AmendmentStatus.ACCEPTED
    assert decided.sequence == 1
    assert decided.decided_by == people[0]
    assert decided.decision_reason == "理由充分。"
    decision = Decision.objects.in_community(round_.community).get()
    assert decided.decision == decision
    assert decision.kind == "decide_covenant_amendment"
    assert decision.text == "理由充分。"
    entry = Activity.objects.in_community(round_.community).get(verb="covenant.amendment_accepted")
    assert entry.data == {"round": round_.pk, "author": amendment.author_id, "by": "body"}
    notification = Notification.objects.get(user=amendment.author)
    assert notification.kind == "covenant_amendment"


def test_a_worker_rejects_and_no_sequence_is_taken(setting, worker):
    round_, _people = setting
    first = amendment_of(round_, article_key=4, kind=AmendmentKind.DELETE_ARTICLE)
    second = amendment_of(round_, article_key=1, paragraph_key=3, text="犬只须登记。")

    decide(worker, first, accept=False, reason="噪音条款必须保留。")
    accepted = decide(worker, second)

    first.refresh_from_db()
    assert first.status == AmendmentStatus.REJECTED
    assert first.sequence is None
    assert accepted.sequence == 1
    entry = Activity.objects.in_community(round_.community).get(verb="covenant.amendment_rejected")
    assert entry.data["by"] == "body"


def test_accepted_amendments_take_sequences_in_the_order_they_are_accepted(setting):
    round_, people = setting
    a = amendment_of(round_, article_key=1, paragraph_key=2, text="甲")
    b = amendment_of(round_, article_key=6, paragraph_key=7, text="乙")
    c = amendment_of(
        round_,
        kind=AmendmentKind.INSERT_ARTICLE,
        article_key=6,
        heading="垃圾",
        text="垃圾分类投放。",
    )

    for amendment in (c, a, b):
        decide(people[0], amendment)

    rows = Amendment.objects.in_community(round_.community).filter(round=round_)
    assert {x.number: x.sequence for x in rows} == {3: 1, 1: 2, 2: 3}


def test_nobody_decides_their_own_amendment(setting):
    round_, people = setting
    amendment = amendment_of(round_, people[0], article_key=1, paragraph_key=2, text="甲")

    with pytest.raises(ValidationError) as error:
        decide(people[0], amendment)

    assert error.value.code == "own_amendment"
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.PROPOSED
    assert not Decision.objects.in_community(round_.community).exists()


def test_a_reason_is_required(setting):
    round_, people = setting
    amendment = amendment_of(round_, article_key=1, paragraph_key=2, text="甲")

    with pytest.raises(ValidationError) as error:
        decide(people[0], amendment, accept=False, reason="  ")

    assert error.value.code == "reason_missing"
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.PROPOSED


def test_a_resident_outside_the_body_cannot_decide(setting, community):
    round_, _people = setting
    amendment = amendment_of(round_, article_key=1, paragraph_key=2, text="甲")

    with pytest.raises(PermissionDenied):
        decide(member(community), amendment)

    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.PROPOSED


def test_an_amendment_is_decided_once(setting):
    round_, people = setting
    amendment = amendment_of(round_, article_key=1, paragraph_key=2, text="甲")
    decide(people[0], amendment)

    with pytest.raises(ValidationError) as error:
        decide(people[1], amendment, accept=False)

    assert error.value.code == "already_decided"
    assert Decision.objects.in_community(round_.community).count() == 1


def test_a_withdrawn_amendment_is_not_decided(setting):
    round_, people = setting
    amendment = amendment_of(
        round_, article_key=1, paragraph_key=2, text="甲", status=AmendmentStatus.WITHDRAWN
    )

    with pytest.raises(ValidationError) as error:
        decide(people[0], amendment)

    assert error.value.code == "already_decided"


def test_the_charters_rules_apply(setting):
    round_, people = setting
    amendment = amendment_of(round_, article_key=1, paragraph_key=2, text="甲")

    with pytest.raises(ValidationError) as error:
        decide(people[0], amendment, present=1, votes_for=1)

    assert error.value.code == "no_quorum"
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.PROPOSED


def test_a_body_without_the_power_cannot_decide(community, worker):
    from tests.meetings.world import seated_council

    body, people = seated_council(community, worker, members=3)
    covenant, _none = covenant_in(community, worker, body=body)
    amendment = amendment_of(current_round(covenant), article_key=1, paragraph_key=2, text="甲")

    with pytest.raises(ValidationError) as error:
        decide(people[0], amendment)

    assert error.value.code == "outside_charter"
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.PROPOSED


@pytest.mark.parametrize("phase", ["drafting", "ratification"])
def test_decisions_are_taken_during_consultation_and_revision_only(community, worker, phase):
    covenant, people = covenant_in(community, worker, phase=phase)
    amendment = amendment_of(current_round(covenant), article_key=1, paragraph_key=2, text="甲")

    with pytest.raises(ValidationError) as error:
        decide(people[0], amendment)

    assert error.value.code == "revision_closed"


def test_decisions_may_be_taken_during_the_consultation(community, worker):
    covenant, people = covenant_in(community, worker, phase="consultation")
    amendment = amendment_of(current_round(covenant), article_key=1, paragraph_key=2, text="甲")

    assert decide(people[0], amendment).status == AmendmentStatus.ACCEPTED


def test_an_amendment_to_a_paragraph_an_accepted_one_deleted_conflicts(setting):
    round_, people = setting
    delete = amendment_of(
        round_, kind=AmendmentKind.DELETE_PARAGRAPH, article_key=1, paragraph_key=3
    )
    change = amendment_of(round_, article_key=1, paragraph_key=3, text="犬只须登记。")
    decide(people[0], delete)

    with pytest.raises(ValidationError) as error:
        decide(people[0], change)

    assert error.value.code == "amendment_conflicts"
    assert "paragraph_missing" in error.value.messages[0]
    assert f"{delete.number}" in error.value.messages[0]
    change.refresh_from_db()
    assert change.status == AmendmentStatus.PROPOSED
    # It can still be rejected, with the reason.
    assert decide(people[0], change, accept=False).status == AmendmentStatus.REJECTED


def test_deleting_the_last_paragraph_left_conflicts(setting):
    round_, people = setting
    first = amendment_of(
        round_, kind=AmendmentKind.DELETE_PARAGRAPH, article_key=1, paragraph_key=2
    )
    second = amendment_of(
        round_, kind=AmendmentKind.DELETE_PARAGRAPH, article_key=1, paragraph_key=3
    )
    decide(people[0], first)

    with pytest.raises(ValidationError) as error:
        decide(people[0], second)

    assert error.value.code == "amendment_conflicts"
    assert "last_paragraph" in error.value.messages[0]


def test_the_api_decides_and_answers_a_refusal_with_its_code(setting, community, client):
    from gongzhi.accounts.services import api_token_create

    round_, people = setting
    amendment = amendment_of(round_, article_key=1, paragraph_key=2, text="甲")
    _t, token = api_token_create(user=people[0], name="t")
    url = f"/api/v1/communities/{community.slug}/covenants/amendments/{amendment.pk}/decision"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {"accept": True, "reason": "", **UNANIMOUS}

    refused = client.post(url, body, content_type="application/json", **headers)
    assert refused.status_code == 400
    assert refused.json()["code"] == "reason_missing"

    done = client.post(
        url, {**body, "reason": "更清楚。"}, content_type="application/json", **headers
    )
    assert done.status_code == 200
    assert done.json()["status"] == "accepted" and done.json()["sequence"] == 1

    read = client.get(
        f"/api/v1/communities/{community.slug}/covenants/rounds/{round_.pk}/revision", **headers
    )
    assert read.status_code == 200
    (group,) = read.json()["groups"]
    assert group["label"] == "第一条"
    assert group["amendments"][0]["reason"] == "更清楚。"


def test_the_journal_names_who_decided_and_the_amendment(setting):
    from django.contrib.contenttypes.models import ContentType

    round_, people = setting
    accepted = amendment_of(round_, article_key=1, paragraph_key=2, text="甲")
    rejected = amendment_of(round_, article_key=1, paragraph_key=3, text="乙")
    decide(people[0], accepted)
    decide(people[1], rejected, accept=False, reason="不必。")
    on_amendment = ContentType.objects.get_for_model(Amendment)
    for verb, actor, amendment in [
        ("covenant.amendment_accepted", people[0], accepted),
        ("covenant.amendment_rejected", people[1], rejected),
    ]:
        entry = Activity.objects.in_community(round_.community).get(verb=verb)
        assert (entry.actor_id, entry.target_type, entry.target_id) == (
            actor.pk,
            on_amendment,
            str(amendment.pk),
        )
        assert entry.data["author"] == amendment.author_id


def test_nobody_decides_their_own_amendment_through_the_api(setting, community):
    from django.test import Client

    from gongzhi.accounts.services import api_token_create

    round_, people = setting
    amendment = amendment_of(round_, people[0], article_key=1, paragraph_key=2, text="甲")
    _t, token = api_token_create(user=people[0], name="t")
    response = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {token}").post(
        f"/api/v1/communities/{community.slug}/covenants/amendments/{amendment.pk}/decision",
        {"accept": True, "reason": "好。", **UNANIMOUS},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "own_amendment"
    assert "own amendment" in response.json()["message"]
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.PROPOSED
    assert not Decision.objects.in_community(round_.community).exists()
