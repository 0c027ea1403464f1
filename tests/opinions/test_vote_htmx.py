"""Voting one statement at a time with htmx: a vote sent with ``HX-Request`` is answered with
the next statement and "your votes" (swapped out of band), not a redirect; the plain form post
keeps working for a browser without JavaScript."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from gongzhi.opinions.models import StatementVote
from tests.opinions.test_conversations import open_conversation

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def conversation(community, worker):
    return open_conversation(community, worker)


def vote_url(conversation) -> str:
    return reverse("opinion_vote", args=[conversation.community.slug, conversation.pk])


@pytest.mark.django_db
def test_the_page_offers_htmx_and_a_plain_form(client, conversation, resident):
    client.force_login(resident)
    page = client.get(vote_url(conversation)).content.decode()
    url = vote_url(conversation)
    assert f'action="{url}"' in page and f'hx-post="{url}"' in page
    assert 'hx-target="#vote-box"' in page and 'id="my-votes"' in page
    assert "hx-swap-oob" not in page and "autofocus" not in page


@pytest.mark.django_db
def test_an_htmx_vote_gets_the_next_statement_without_a_reload(client, conversation, resident):
    client.force_login(resident)
    first = client.get(vote_url(conversation)).context["statement"]
    response = client.post(
        vote_url(conversation), {"statement": first.number, "vote": "agree"}, **HX
    )
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "opinions/_vote_swap.html"
    body = response.content.decode()
    assert "<html" not in body and body.count('id="vote-box"') == 1
    following = response.context["statement"]
    assert following is not None and following.number != first.number
    assert f'data-number="{following.number}"' in body and "autofocus" in body
    # "Your votes" comes along, swapped out of band, with the vote just cast.
    assert '<div id="my-votes" hx-swap-oob="true">' in body and first.text in body
    votes = StatementVote.objects.in_community(conversation.community_id)
    assert list(votes.values_list("statement__number", "value")) == [(first.number, 1)]


@pytest.mark.django_db
def test_an_htmx_vote_that_is_refused_says_why_in_the_box(client, conversation, resident):
    client.force_login(resident)
    response = client.post(vote_url(conversation), {"statement": 0, "vote": "maybe"}, **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert gettext("Vote agree, disagree or pass.") in body
    # The message was shown here, so the next full page does not repeat it.
    assert (
        gettext("Vote agree, disagree or pass.")
        not in client.get(vote_url(conversation)).content.decode()
    )


@pytest.mark.django_db
def test_the_last_htmx_vote_shows_that_all_are_done(client, conversation, resident):
    client.force_login(resident)
    response = None
    for _ in range(4):
        statement = client.get(vote_url(conversation)).context["statement"]
        response = client.post(
            vote_url(conversation), {"statement": statement.number, "vote": "pass"}, **HX
        )
    assert 'id="all-done"' in response.content.decode()


@pytest.mark.django_db
def test_without_htmx_a_vote_still_redirects(client, conversation, resident):
    client.force_login(resident)
    first = client.get(vote_url(conversation)).context["statement"]
    response = client.post(vote_url(conversation), {"statement": first.number, "vote": "agree"})
    assert response.status_code == 302 and response.url == vote_url(conversation)


@pytest.mark.django_db
def test_a_visitor_is_sent_to_log_in_by_htmx(client, conversation):
    response = client.post(vote_url(conversation), {"statement": 1, "vote": "agree"}, **HX)
    assert response["HX-Redirect"] == f"{settings.LOGIN_URL}?next={vote_url(conversation)}"
    assert not StatementVote.objects.in_community(conversation.community_id).exists()
