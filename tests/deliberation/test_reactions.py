"""Reactions on comments: one of each kind per person per comment, given and taken back."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import Reaction, ReactionKind
from tests.factories import member


def counts(comment, viewer=None) -> dict[str, int]:
    return selectors.reaction_counts(comment=comment, viewer=viewer)["counts"]


@pytest.mark.django_db
def test_toggle_gives_and_takes_back(community, comment):
    neighbour = member(community)
    assert services.reaction_toggle(actor=neighbour, comment=comment, kind="agree") is True
    assert services.reaction_toggle(actor=neighbour, comment=comment, kind="thanks") is True
    assert counts(comment) == {"agree": 1, "thanks": 1, "question": 0}
    assert services.reaction_toggle(actor=neighbour, comment=comment, kind="agree") is False
    assert counts(comment) == {"agree": 0, "thanks": 1, "question": 0}
    verbs = list(
        Activity.objects.in_community(community)
        .filter(actor=neighbour)
        .order_by("pk")  # in order of writing: pending entries have no seq yet
        .values_list("verb", flat=True)
    )
    assert verbs == ["reaction.added", "reaction.added", "reaction.removed"]


@pytest.mark.django_db
def test_one_of_each_kind_per_person_is_a_database_rule(community, comment):
    neighbour = member(community)
    services.reaction_toggle(actor=neighbour, comment=comment, kind="question")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.in_community(community).create(
            comment=comment, user=neighbour, kind=ReactionKind.QUESTION
        )
    assert Reaction.objects.in_community(community).count() == 1


@pytest.mark.django_db
def test_who_may_react(community, other_community, proposal, comment, worker):
    with pytest.raises(PermissionDenied):
        services.reaction_toggle(actor=member(other_community), comment=comment, kind="agree")
    with pytest.raises(ValidationError) as caught:
        services.reaction_toggle(actor=member(community), comment=comment, kind="angry")
    assert caught.value.code == "kind_invalid"
    services.item_hide(actor=worker, item=comment, reason="广告")
    comment.refresh_from_db()
    comment.subject = proposal
    with pytest.raises(PermissionDenied):
        services.reaction_toggle(actor=member(community), comment=comment, kind="agree")
    assert not Reaction.objects.in_community(community).exists()


@pytest.mark.django_db
def test_counts_and_mine_on_the_page(client, community, proposal, comment):
    me, others = member(community), [member(community) for _ in range(2)]
    for person in others:
        services.reaction_toggle(actor=person, comment=comment, kind="agree")
    client.force_login(me)
    response = client.post(
        reverse("comment_react", args=[community.slug, proposal.pk, comment.pk]),
        {"kind": "thanks"},
    )
    assert response.status_code == 302 and response.url.endswith(f"#comment-{comment.pk}")
    page = client.get(reverse("proposal_detail", args=[community.slug, proposal.pk])).content
    page = " ".join(page.decode().split())  # the template's attributes stand one per line
    assert 'value="agree" class="reaction" aria-pressed="false"' in page
    assert 'value="thanks" class="reaction mine" aria-pressed="true"' in page
    assert '<span class="reaction-count">2</span>' in page  # 👍 × 2
    assert '<span class="reaction-count">1</span>' in page  # ❤️ × 1 (mine)


@pytest.mark.django_db
def test_the_api_toggles_and_counts(client, community, proposal, comment):
    neighbour = member(community)
    _t, token = api_token_create(user=neighbour, name="t")
    url = (
        f"/api/v1/communities/{community.slug}/proposals/{proposal.pk}"
        f"/comments/{comment.pk}/reactions"
    )

    def react(kind):
        return client.post(
            url,
            data=json.dumps({"kind": kind}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    assert react("question").json() == {
        "given": True,
        "counts": {"agree": 0, "thanks": 0, "question": 1},
        "mine": ["question"],
    }
    assert react("question").json()["given"] is False
    assert react("laugh").status_code == 422


@pytest.mark.django_db
def test_detail_page_queries_do_not_grow_with_the_discussion(
    client, community, proposal, django_assert_max_num_queries
):
    people = [member(community) for _ in range(4)]
    for i in range(12):
        top = services.comment_add(actor=people[i % 4], subject=proposal, body=f"评论{i}")
        services.comment_add(actor=people[(i + 1) % 4], subject=proposal, body="回复", parent=top)
        for person in people[:3]:
            services.reaction_toggle(actor=person, comment=top, kind="agree")
    client.force_login(people[0])
    # 22: the page also lists the votes held on the proposal (one query, whatever their number),
    # and counts the discussion's threads for its pages.
    with django_assert_max_num_queries(22):
        response = client.get(reverse("proposal_detail", args=[community.slug, proposal.pk]))
    assert response.content.decode().count('class="reaction-count"') == 24 * 3
