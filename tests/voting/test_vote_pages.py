"""Vote pages: a resident casts each kind of ballot through the form and sees the result."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.voting import services
from gongzhi.voting.models import Kind, Method, Vote
from tests.factories import member
from tests.voting.test_votes import close, make_vote, option_ids


@pytest.mark.parametrize(
    "method", [Method.SINGLE, Method.APPROVAL, Method.RANKED, Method.SCORE, Method.YES_NO]
)
@pytest.mark.django_db
def test_cast_through_the_form_and_see_the_result(client, community, worker, method):
    vote = make_vote(
        community,
        worker,
        method=method,
        max_choices=2,
        options=() if method == Method.YES_NO else ("路灯", "长椅", "花坛"),
    )
    ids = option_ids(vote)
    voter = member(community)
    client.force_login(voter)
    if method == Method.YES_NO:
        form = {"choice": "yes"}
    else:
        form = {
            Method.SINGLE: {"choice": ids[0]},
            Method.APPROVAL: {"choice": [ids[0], ids[2]]},
            Method.RANKED: {f"rank-{ids[0]}": "2", f"rank-{ids[1]}": "1"},
            Method.SCORE: {f"score-{ids[0]}": "5", f"score-{ids[1]}": "3"},
        }[method]
    page = client.get(reverse("vote_detail", args=[community.slug, vote.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("ballot_cast", args=[community.slug, vote.pk]), form, follow=True
    )
    assert response.status_code == 200
    assert "receipt" in response.content.decode().lower() or "回执" in response.content.decode()
    assert services.results(vote).ballots == 1
    close(vote)
    page = client.get(reverse("vote_detail", args=[community.slug, vote.pk])).content.decode()
    assert "results-heading" in page
    published = client.get(reverse("vote_published", args=[community.slug, vote.pk]))
    assert published.status_code == 200


@pytest.mark.django_db
def test_binding_results_hidden_until_close(client, community, worker):
    vote = make_vote(community, worker, kind=Kind.BINDING)
    voter = member(community)
    services.ballot_cast(actor=voter, vote=vote, content=[option_ids(vote)[0]])
    client.force_login(voter)
    page = client.get(reverse("vote_detail", args=[community.slug, vote.pk])).content.decode()
    assert "results-heading" not in page
    api = client.get(f"/api/v1/communities/{community.slug}/votes/{vote.pk}/results")
    assert api.status_code == 403
    assert client.get(reverse("vote_published", args=[community.slug, vote.pk])).status_code == 404


@pytest.mark.django_db
def test_staff_set_up_a_vote_through_the_form(client, community, worker):
    client.force_login(worker)
    now = timezone.localtime()
    response = client.post(
        reverse("vote_create", args=[community.slug]),
        {
            "title": "周末集市办在哪里？",
            "kind": "poll",
            "method": "single",
            "electorate": "verified",
            "results_shown": "after_voting",
            "options": "东门广场\n中心花园",
            "max_choices": 1,
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    vote = Vote.objects.in_community(community).get()
    assert vote.options.count() == 2


@pytest.mark.django_db
def test_residents_cannot_set_up_votes(client, community, resident):
    client.force_login(resident)
    assert client.get(reverse("vote_create", args=[community.slug])).status_code == 404


@pytest.mark.django_db
def test_a_proposal_is_put_to_a_vote(client, community, worker):
    from gongzhi.deliberation import services as deliberation

    proposal = deliberation.proposal_create(
        actor=member(community), community=community, title="加装快递柜", body="方便取件"
    )
    client.force_login(worker)
    page = client.get(
        reverse("proposal_detail", args=[community.slug, proposal.pk])
    ).content.decode()
    assert f"?proposal={proposal.pk}" in page
    form = client.get(
        reverse("vote_create", args=[community.slug]), {"proposal": proposal.pk}
    ).content.decode()
    assert 'value="加装快递柜"' in form
    now = timezone.localtime()
    client.post(
        reverse("vote_create", args=[community.slug]),
        {
            "title": "加装快递柜",
            "kind": "binding",
            "method": "yes_no",
            "electorate": "verified",
            "results_shown": "after_close",
            "max_choices": 1,
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "proposal": proposal.pk,
        },
    )
    vote = Vote.objects.in_community(community).get()
    assert vote.proposal == proposal
    page = client.get(
        reverse("proposal_detail", args=[community.slug, proposal.pk])
    ).content.decode()
    assert reverse("vote_detail", args=[community.slug, vote.pk]) in page
