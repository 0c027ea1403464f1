"""A building's residents as a vote's electorate (a building covenant's ratification and its
article-by-article votes): only verified members whose household is in that building may vote,
are counted and are told the vote has opened."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import Membership
from gongzhi.core.policies import forget_access
from gongzhi.voting import services
from gongzhi.voting.models import Electorate, Kind, Method, Vote
from tests.factories import BuildingFactory, CommunityFactory, HouseholdFactory, member


def _living_in(community, building, *, verified=True):
    user = member(community, verified=verified)
    household = HouseholdFactory(building=building)
    Membership.objects.in_community(community).filter(user=user).update(household=household)
    return user


def _building_vote(community, worker, building, **fields):
    now = timezone.now()
    return services.vote_create(
        actor=worker,
        community=community,
        title="是否通过3号楼楼栋公约？",
        options=[],
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=7),
        method=Method.YES_NO,
        kind=Kind.BINDING,
        electorate=Electorate.BUILDING,
        building=building,
        **fields,
    )


@pytest.fixture
def buildings(community):
    return BuildingFactory(community=community), BuildingFactory(community=community)


@pytest.mark.django_db
def test_only_the_buildings_verified_residents_vote_and_count(community, worker, buildings):
    here, there = buildings
    inside = [_living_in(community, here) for _ in range(3)]
    unverified = _living_in(community, here, verified=False)
    neighbour = _living_in(community, there)
    homeless = member(community)
    vote = _building_vote(community, worker, here)

    assert all(services.eligible(vote, user) for user in inside)
    assert not any(services.eligible(vote, u) for u in (unverified, neighbour, homeless, worker))
    assert services.electorate_size(vote) == 3
    assert {u.pk for u in services._electorate_users(vote)} == {u.pk for u in inside}

    services.ballot_cast(actor=inside[0], vote=vote, content="yes")
    with pytest.raises(PermissionDenied):
        services.ballot_cast(actor=neighbour, vote=vote, content="no")
    assert services.results(vote).ballots == 1


@pytest.mark.django_db
def test_a_resident_who_moves_out_leaves_the_electorate(community, worker, buildings):
    here, there = buildings
    mover = _living_in(community, here)
    vote = _building_vote(community, worker, here)
    assert services.eligible(vote, mover) and services.electorate_size(vote) == 1
    Membership.objects.in_community(community).filter(user=mover).update(
        household=HouseholdFactory(building=there)
    )
    forget_access(mover)
    assert not services.eligible(vote, mover)
    assert services.electorate_size(vote) == 0


@pytest.mark.django_db
def test_a_building_vote_names_a_building_of_the_community(community, worker, buildings):
    elsewhere = BuildingFactory(community=CommunityFactory())
    for building, code in ((None, "building_missing"), (elsewhere, "building_elsewhere")):
        with pytest.raises(ValidationError) as caught:
            _building_vote(community, worker, building)
        assert caught.value.code == code
    with pytest.raises(ValidationError) as caught:
        services.vote_create(
            actor=worker,
            community=community,
            title="全社区投票",
            options=[],
            opens_at=timezone.now(),
            closes_at=timezone.now() + timedelta(days=1),
            method=Method.YES_NO,
            electorate=Electorate.VERIFIED,
            building=buildings[0],
        )
    assert caught.value.code == "building_not_expected"
    assert not Vote.objects.in_community(community).exists()


@pytest.mark.django_db
def test_staff_set_up_a_building_vote_through_the_form(client, community, worker, buildings):
    client.force_login(worker)
    now = timezone.localtime()
    data = {
        "title": "3号楼电梯加装是否同意？",
        "kind": "binding",
        "method": "yes_no",
        "electorate": "building",
        "results_shown": "after_close",
        "max_choices": 1,
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
    }
    url = reverse("vote_create", args=[community.slug])
    missing = client.post(url, data)
    assert missing.status_code == 200 and not Vote.objects.in_community(community).exists()
    foreign = BuildingFactory(community=CommunityFactory())
    assert client.post(url, {**data, "building": foreign.pk}).status_code == 200
    response = client.post(url, {**data, "building": buildings[0].pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    vote = Vote.objects.in_community(community).get()
    assert vote.electorate == Electorate.BUILDING and vote.building_id == buildings[0].pk
    page = client.get(reverse("vote_detail", args=[community.slug, vote.pk]))
    assert buildings[0].name in page.content.decode()


@pytest.mark.django_db
def test_the_api_sets_up_a_building_vote(client, community, worker, buildings):
    client.force_login(worker)
    now = timezone.now()
    url = f"/api/v1/communities/{community.slug}/votes"
    body = {
        "title": "楼栋公约表决",
        "kind": "binding",
        "method": "yes_no",
        "electorate": "building",
        "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(days=3)).isoformat(),
    }
    missing = client.post(url, body, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["code"] == "building_missing"
    foreign = BuildingFactory(community=CommunityFactory())
    other = client.post(url, {**body, "building": foreign.pk}, content_type="application/json")
    assert other.status_code == 404
    made = client.post(url, {**body, "building": buildings[1].pk}, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["electorate"] == "building"
    assert made.json()["building"] == buildings[1].pk
