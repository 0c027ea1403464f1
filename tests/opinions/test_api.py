"""Conversations in the API: list and detail, statements, votes, the next statement, the map;
errors as ``{code, message}``; no answer names who voted what."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.accounts.services import api_token_create
from gongzhi.opinions import services
from gongzhi.opinions.models import Conversation, Moderation, Statement, StatementVote
from tests.factories import member
from tests.opinions.test_conversations import cast_many, open_conversation, two_camps


@pytest.fixture(autouse=True)
def _in_english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def auth(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='app')[1]}"}


@pytest.fixture
def conversation(community, worker):
    return open_conversation(community, worker, moderation=Moderation.AFTER)


def base(conversation) -> str:
    return f"/api/v1/communities/{conversation.community.slug}/conversations/{conversation.pk}"


def post(client, path, body, headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.django_db
def test_list_and_detail(client, community, conversation, resident):
    listing = client.get(f"/api/v1/communities/{community.slug}/conversations")
    assert listing.status_code == 200
    body = listing.json()
    assert body["count"] == 1 and body["items"][0]["question"] == conversation.question
    assert body["items"][0]["is_open"] is True
    detail = client.get(base(conversation)).json()
    assert detail["counts"] == {"participants": 0, "visitors": 0, "statements": 4, "votes": 0}
    assert detail["can_take_part"] is False and detail["why_not"] == "Log in to take part."
    client.force_login(resident)
    assert client.get(base(conversation)).json()["can_take_part"] is True


@pytest.mark.django_db
def test_list_query_count_does_not_grow(client, community, worker, django_assert_num_queries):
    for i in range(2):
        open_conversation(community, worker, question=f"问题{i}")
    path = f"/api/v1/communities/{community.slug}/conversations"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(path)
    for i in range(2, 30):
        open_conversation(community, worker, question=f"问题{i}")
    with django_assert_num_queries(len(few)):
        assert len(client.get(path).json()["items"]) == 30


@pytest.mark.django_db
def test_add_a_statement_and_vote_on_it(client, conversation, resident):
    headers = auth(resident)
    added = post(client, f"{base(conversation)}/statements", {"text": "多装路灯"}, headers)
    assert added.status_code == 201
    assert added.json() == {
        "number": 4,
        "text": "多装路灯",
        "status": "pending",
        "agree": 0,
        "disagree": 0,
        "passed": 0,
    }
    voter = auth(member(conversation.community))
    first = post(client, f"{base(conversation)}/statements/4/vote", {"vote": "agree"}, voter)
    assert first.json() == {"saved": True, "changed": False}
    again = post(client, f"{base(conversation)}/statements/4/vote", {"vote": "disagree"}, voter)
    assert again.json() == {"saved": True, "changed": True}
    votes = StatementVote.objects.in_community(conversation.community_id)
    assert list(votes.values_list("value", flat=True)) == [-1]
    nxt = client.get(f"{base(conversation)}/next", **voter).json()
    assert nxt["voted"] == 1 and nxt["remaining"] == 4 and nxt["statement"]["number"] != 4


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": ""}, 400, "statement_empty"),
        ({"text": "长" * 201}, 400, "statement_too_long"),
        ({}, 422, "invalid_request"),
    ],
)
@pytest.mark.django_db
def test_bad_statements_are_refused(client, conversation, resident, body, status, code):
    response = post(client, f"{base(conversation)}/statements", body, auth(resident))
    assert response.status_code == status and response.json()["code"] == code
    assert response.json()["message"]
    assert Statement.objects.in_community(conversation.community_id).count() == 4


@pytest.mark.django_db
def test_rate_limited_statements_are_a_429(client, conversation, resident):
    headers = auth(resident)
    limit = services.RATE_LIMITS["statement"][0]
    for i in range(limit):
        assert (
            post(
                client, f"{base(conversation)}/statements", {"text": f"第{i}条"}, headers
            ).status_code
            == 201
        )
    response = post(client, f"{base(conversation)}/statements", {"text": "多一条"}, headers)
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"


@pytest.mark.django_db
def test_vote_errors(client, community, conversation, resident):
    headers = auth(resident)
    unknown = post(client, f"{base(conversation)}/statements/99/vote", {"vote": "agree"}, headers)
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    bad = post(client, f"{base(conversation)}/statements/0/vote", {"vote": "maybe"}, headers)
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "vote"
    stranger = post(
        client,
        f"{base(conversation)}/statements/0/vote",
        {"vote": "agree"},
        auth(member(community, verified=False)),
    )
    assert stranger.status_code == 403
    assert stranger.json() == {
        "code": "forbidden",
        "message": "Only verified residents take part in this conversation.",
    }
    anonymous = client.post(
        f"{base(conversation)}/statements/0/vote",
        json.dumps({"vote": "agree"}),
        content_type="application/json",
    )
    assert anonymous.status_code in (401, 403)
    Conversation.objects.in_community(community).filter(pk=conversation.pk).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )
    closed = post(client, f"{base(conversation)}/statements/0/vote", {"vote": "agree"}, headers)
    assert closed.status_code == 400 and closed.json()["code"] == "not_open"
    assert not StatementVote.objects.in_community(community).exists()


@pytest.mark.django_db
def test_the_map(client, community, conversation, resident):
    assert client.get(f"{base(conversation)}/map").json()["ready"] is False
    cast_many(conversation, two_camps())
    services.map_update(community_id=community.pk, conversation_id=conversation.pk)
    client.force_login(resident)
    body = client.get(f"{base(conversation)}/map").json()
    assert body["ready"] is True and body["participants"] == 40
    assert [g["group"] for g in body["groups"]] == ["A", "B"]
    assert sum(g["size"] for g in body["groups"]) == body["clustered"] == 40
    assert len(body["points"]) == 40 and body["me"] is None
    assert set(body["points"][0]) == {"x", "y", "group"}  # positions, never people
    assert all(g["representative"] for g in body["groups"])
    consensus = [c["statement"] for c in body["consensus"]]
    divisive = [d["statement"] for d in body["divisive"]]
    # Both camps agree with the odd statements and split on the even ones.
    assert set(consensus) <= {1, 3} and consensus and set(divisive) <= {0, 2} and divisive
    text = json.dumps(body, ensure_ascii=False)
    assert "user" not in text and "phone" not in text


@pytest.mark.django_db
def test_statements_list_shows_only_what_voters_see(client, community, worker):
    conversation = open_conversation(community, worker, moderation=Moderation.BEFORE)
    services.statement_add(actor=member(community), conversation=conversation, text="待审")
    body = client.get(f"{base(conversation)}/statements").json()
    assert body["count"] == 4 and "待审" not in json.dumps(body, ensure_ascii=False)


@pytest.mark.django_db
def test_another_communitys_conversation_is_not_found(client, conversation, other_community):
    path = f"/api/v1/communities/{other_community.slug}/conversations/{conversation.pk}"
    assert client.get(path).json()["code"] == "not_found"
