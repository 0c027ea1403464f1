"""Acknowledgement per household: a verified resident confirms for their household that it read
the covenant in force, once per household (two members at once: one row), only in the building
of a building covenant; a worker records a paper confirmation (代办); the counts are N of M
households in scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity, Membership
from gongzhi.covenants import adoption_services as adoption
from gongzhi.covenants.models import Acknowledgement, Covenant, Scope
from tests.concurrency import race_posts
from tests.covenants.adoption_world import consolidated_covenant, in_force_round, resident_of
from tests.factories import BuildingFactory, HouseholdFactory, member


def _in_force(community, worker, official, **fields):
    round_ = in_force_round(community, worker, official, **fields)
    return Covenant.objects.in_community(community).get(pk=round_.covenant_id)


@pytest.mark.django_db
def test_one_confirmation_per_household_naming_who_gave_it(community, worker, official):
    covenant = _in_force(community, worker, official)
    household = HouseholdFactory(building__community=community)
    first = resident_of(community, household=household, display_name="王阿姨")
    second = resident_of(community, household=household)
    row = adoption.acknowledge(actor=first, covenant=covenant)
    assert (row.household_id, row.person_id, row.version_id) == (
        household.pk,
        first.pk,
        covenant.in_force_id,
    )
    with pytest.raises(ValidationError) as caught:
        adoption.acknowledge(actor=second, covenant=covenant)
    assert caught.value.code == "already_acknowledged"
    assert "王阿姨" in caught.value.messages[0]
    assert Acknowledgement.objects.in_community(community).count() == 1
    entry = Activity.objects.in_community(community).get(verb="covenant.acknowledged")
    assert entry.data == {"version": covenant.in_force_id, "household": household.pk}


@pytest.mark.django_db
def test_who_may_confirm(community, worker, official):
    here, there = BuildingFactory(community=community), BuildingFactory(community=community)
    covenant = _in_force(
        community, worker, official, title="3号楼楼栋公约", scope=Scope.BUILDING, building=here
    )
    with pytest.raises(ValidationError) as caught:
        adoption.acknowledge(actor=member(community), covenant=covenant)
    assert caught.value.code == "no_household"
    with pytest.raises(ValidationError) as caught:
        adoption.acknowledge(actor=resident_of(community, there), covenant=covenant)
    assert caught.value.code == "not_in_building"
    unverified = resident_of(community, here, verified=False)
    with pytest.raises(PermissionDenied):
        adoption.acknowledge(actor=unverified, covenant=covenant)
    assert not Acknowledgement.objects.in_community(community).exists()
    adoption.acknowledge(actor=resident_of(community, here), covenant=covenant)
    counts = adoption.acknowledgement_counts(covenant)
    households_here = 1 + 1 + 1  # the voter's, the unverified's and this one's
    assert (counts.acknowledged, counts.households) == (1, households_here)


@pytest.mark.django_db
def test_nothing_to_confirm_before_it_is_in_force(community, worker):
    covenant = consolidated_covenant(community, worker)
    with pytest.raises(ValidationError) as caught:
        adoption.acknowledge(actor=resident_of(community), covenant=covenant)
    assert caught.value.code == "not_in_force"


@pytest.mark.django_db
def test_a_worker_records_a_paper_confirmation(community, worker, official):
    covenant = _in_force(community, worker, official)
    signer = resident_of(community)
    with pytest.raises(PermissionDenied):
        adoption.acknowledge(actor=resident_of(community), covenant=covenant, on_behalf_of=signer)
    row = adoption.acknowledge(actor=worker, covenant=covenant, on_behalf_of=signer)
    assert row.person_id == signer.pk and row.recorded_by_id == worker.pk
    entry = Activity.objects.in_community(community).get(verb="covenant.acknowledged")
    assert entry.actor_id == worker.pk and entry.on_behalf_of_id == signer.pk


@pytest.mark.django_db
def test_counts_are_n_of_m_households(community, worker, official):
    covenant = _in_force(community, worker, official)
    people = [resident_of(community) for _ in range(3)]
    adoption.acknowledge(actor=people[0], covenant=covenant)
    total = (
        Membership.objects.in_community(community).exclude(household=None).count()
    )  # one household each in this world
    counts = adoption.acknowledgement_counts(covenant)
    assert (counts.acknowledged, counts.households) == (1, total)


@pytest.mark.django_db(transaction=True)
def test_two_members_of_a_household_at_once_give_one_confirmation(
    live_server, community, worker, official
):
    covenant = _in_force(community, worker, official)
    household = HouseholdFactory(building__community=community)
    members = [resident_of(community, household=household) for _ in range(4)]
    tokens = [api_token_create(user=person, name="t")[1] for person in members]
    url = (
        f"{live_server.url}/api/v1/communities/{community.slug}/covenants/"
        f"{covenant.pk}/acknowledgements"
    )

    statuses = race_posts(url, tokens, [{} for _token in tokens])

    assert statuses == [201] + [400] * 3
    rows = Acknowledgement.objects.in_community(community).filter(household=household)
    assert rows.count() == 1
    assert (
        Activity.objects.in_community(community).filter(verb="covenant.acknowledged").count() == 1
    )


@pytest.mark.django_db
def test_a_resident_cannot_learn_whose_phone_is_a_members(community, worker, official):
    """Confirming for someone else by phone is for workers: a resident who tries gets the same
    refusal whether the number is a member's or not, in the page and the API."""
    from django.test import Client
    from django.urls import reverse

    covenant = _in_force(community, worker, official)
    prober = resident_of(community)
    _t, token = api_token_create(user=prober, name="t")
    api = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {token}")
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(prober)
    url = f"/api/v1/communities/{community.slug}/covenants/{covenant.pk}/acknowledgements"
    form = reverse("covenants_acknowledge", args=[community.slug, covenant.pk])
    answers = set()
    for phone in (resident_of(community).phone, "13900000999"):
        response = api.post(url, {"phone": phone}, content_type="application/json")
        answers.add((response.status_code, page.post(form, {"phone": phone}).status_code))
    assert answers == {(403, 403)}
    assert not Acknowledgement.objects.in_community(community).exists()
