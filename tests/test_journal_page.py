"""The journal page's filters (who, what, when, on what), the names of what each act was done
to, and a member's history: only the acts by or on them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import journal
from gongzhi.core.manifests import verb_areas
from gongzhi.core.models import Activity, Membership
from gongzhi.voting.models import Vote
from tests.factories import member


def _act(community, actor, verb, target=None, data=None, at=None):
    with transaction.atomic():
        entry = journal.record(
            community=community, actor=actor, verb=verb, target=target, data=data
        )
    if at is not None:
        # The journal is append-only through the ORM; dating a test entry goes through SQL.
        Activity.objects.in_community(community).filter(pk=entry.pk).update(at=at)
    return entry


@pytest.fixture
def world(community, supervisor):
    now = timezone.now()
    alice = member(community, display_name="李阿姨")
    bob = member(community, display_name="王师傅")
    vote = Vote.objects.in_community(community).create(
        title="电梯加装表决", opens_at=now, closes_at=now + timedelta(days=3), published=True
    )
    _act(community, alice, "vote.cast", target=vote, at=now - timedelta(days=10))
    _act(community, bob, "vote.cast", target=vote)
    _act(
        community,
        bob,
        "membership.joined",
        target=Membership.objects.in_community(community).get(user=bob),
    )
    _act(community, supervisor, "role.granted", data={"user": alice.pk, "role": "volunteer"})
    return {"alice": alice, "bob": bob, "vote": vote, "now": now}


@pytest.mark.django_db
def test_the_journal_names_what_each_act_was_done_to(client, community, supervisor, world):
    client.force_login(supervisor)
    page = client.get(reverse("audit_trail", args=[community.slug])).content.decode()
    assert "电梯加装表决" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, 4),
        ({"verb": "vote.cast"}, 2),
        ({"who": "王师傅"}, 2),
        ({"target": "voting.vote"}, 2),
        ({"target": "voting.vote", "target_id": "999"}, 0),
        ({"since": "{today}"}, 3),
        ({"until": "{ten_days_ago}"}, 1),
        ({"verb": "vote.cast", "who": "李阿姨"}, 1),
        ({"area": "voting"}, 2),
        ({"area": "core"}, 2),
        ({"area": "core", "who": "王师傅"}, 1),
        ({"area": "core", "verb": "vote.cast"}, 0),
        ({"area": "feedback"}, 0),
    ],
)
def test_the_journal_filters(client, community, supervisor, world, params, expected):
    today = timezone.localdate(world["now"])
    values = {
        k: v.format(today=today, ten_days_ago=today - timedelta(days=10)) for k, v in params.items()
    }
    client.force_login(supervisor)
    response = client.get(reverse("audit_trail", args=[community.slug]), values)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == expected


@pytest.mark.django_db
def test_an_area_is_all_the_acts_its_app_declares(client, community, supervisor, world):
    _act(community, supervisor, "hotline.category_created")
    _act(community, supervisor, "hotline.department_created")
    client.force_login(supervisor)
    response = client.get(reverse("audit_trail", args=[community.slug]), {"area": "feedback"})
    entries = list(response.context["page"].object_list)
    assert sorted(e.verb for e in entries) == [
        "hotline.category_created",
        "hotline.department_created",
    ]
    assert {e.verb for e in entries} <= set(verb_areas()["feedback"])


@pytest.mark.django_db
def test_the_what_filter_groups_its_verbs_by_area(client, community, supervisor, world):
    client.force_login(supervisor)
    response = client.get(reverse("audit_trail", args=[community.slug]))
    form = response.context["form"]
    groups = [choice for choice in form.fields["verb"].choices if isinstance(choice[1], list)]
    names = [name for name, _verbs in groups]
    expected = {str(apps.get_app_config(label).verbose_name) for label in verb_areas()}
    assert set(names) == expected
    assert names == sorted(names)
    for _name, verbs in groups:
        labels = [text for _verb, text in verbs]
        assert labels == sorted(labels)
    # Every declared verb is offered once, in its own area's group.
    offered = [verb for _name, verbs in groups for verb, _text in verbs]
    assert sorted(offered) == sorted(v for area in verb_areas().values() for v in area)
    page = response.content.decode()
    hotline = str(apps.get_app_config("feedback").verbose_name)
    assert f'<optgroup label="{hotline}">' in page
    assert '<option value="feedback">' in page
    # An area offered, then chosen, stays chosen on the page it filters.
    response = client.get(reverse("audit_trail", args=[community.slug]), {"area": "voting"})
    assert '<option value="voting" selected>' in response.content.decode()


@pytest.mark.django_db
def test_a_members_history_is_only_acts_by_or_on_them(client, community, supervisor, world):
    alice = world["alice"]
    alice_membership = Membership.objects.in_community(community).get(user=alice)
    client.force_login(supervisor)
    response = client.get(
        reverse("audit_trail", args=[community.slug]), {"person": alice_membership.pk}
    )
    entries = list(response.context["page"].object_list)
    # Her vote, and the role granted to her; not Bob's vote or his joining.
    assert {e.verb for e in entries} == {"vote.cast", "role.granted"}
    assert all(e.actor_id == alice.pk or e.data.get("user") == alice.pk for e in entries)


@pytest.mark.django_db
def test_member_detail_shows_their_history(client, community, worker, world):
    bob_membership = Membership.objects.in_community(community).get(user=world["bob"])
    client.force_login(worker)
    response = client.get(reverse("member_detail", args=[community.slug, bob_membership.pk]))
    record = response.context["record"]
    assert {e.verb for e in record} == {"vote.cast", "membership.joined"}
    assert "电梯加装表决" in response.content.decode()
