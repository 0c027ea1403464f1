"""The three ways to become a verified resident, and a letter code that can be used once."""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.services import api_token_create
from gongzhi.core import services
from gongzhi.core.models import Activity, HouseholdCode, Membership
from gongzhi.notifications.models import Notification
from tests.factories import HouseholdFactory, UserFactory, member


@pytest.fixture
def household(community):
    return HouseholdFactory(building__community=community)


def _issue(worker, community, household, **kwargs):
    [(_h, code)] = services.household_codes_issue(
        actor=worker, community=community, households=[household], **kwargs
    )
    return code


@pytest.mark.django_db
def test_in_person_verification_by_a_worker(community, worker, unverified):
    membership = Membership.objects.in_community(community).get(user=unverified)
    services.membership_verify_in_person(actor=worker, community=community, membership=membership)
    membership.refresh_from_db()
    assert membership.verified_at and membership.verification_method == "in_person"
    entry = Activity.objects.in_community(community).get(verb="membership.verified")
    assert entry.actor == worker and entry.on_behalf_of == unverified
    assert Notification.objects.filter(user=unverified, kind="membership_verified").exists()


@pytest.mark.django_db
def test_letter_code_verifies_once(community, worker, household):
    code = _issue(worker, community, household)
    first, second = UserFactory(), UserFactory()
    membership = services.membership_verify_with_code(
        actor=first, community=community, code=code.lower()
    )
    assert membership.verified_at and membership.household == household
    with pytest.raises(ValidationError):
        services.membership_verify_with_code(actor=second, community=community, code=code)
    assert (
        not Membership.objects.in_community(community)
        .filter(user=second, verified_at__isnull=False)
        .exists()
    )


@pytest.mark.django_db
def test_letter_code_is_only_stored_hashed(community, worker, household):
    code = _issue(worker, community, household)
    stored = HouseholdCode.objects.in_community(community).get()
    assert code.replace("-", "") not in stored.code_hash


@pytest.mark.django_db
def test_expired_code_is_refused(community, worker, household):
    code = _issue(worker, community, household)
    HouseholdCode.objects.in_community(community).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ValidationError):
        services.membership_verify_with_code(actor=UserFactory(), community=community, code=code)


@pytest.mark.django_db
def test_code_of_another_community_is_refused(community, other_community, worker, household):
    code = _issue(worker, community, household)
    with pytest.raises(ValidationError):
        services.membership_verify_with_code(
            actor=UserFactory(), community=other_community, code=code
        )


@pytest.mark.django_db
def test_code_guessing_is_limited(client, community):
    user = member(community, verified=False)
    client.force_login(user)
    url = reverse("verify_with_code", args=[community.slug])
    for _ in range(5):
        client.post(url, {"code": "AAAA-AAAA"})
    response = client.post(url, {"code": "AAAA-AAAA"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Too many tries" in response.content.decode()


@pytest.mark.django_db
def test_printed_letters_show_codes(client, community, worker, household):
    client.force_login(worker)
    response = client.post(
        reverse("household_codes", args=[community.slug]),
        {"building": household.building.pk, "valid_days": 30},
    )
    assert response.status_code == 200
    assert HouseholdCode.objects.in_community(community).count() == 1
    assert household.unit in response.content.decode()


@pytest.mark.django_db
def test_group_flags_need_consent(client, community, resident):
    client.force_login(resident)
    url = reverse("my_participation", args=[community.slug])
    response = client.post(url, {"is_elderly": "on"})
    assert response.status_code == 200
    membership = Membership.objects.in_community(community).get(user=resident)
    assert membership.is_elderly is False
    # A year of birth (for evaluation's age bands) needs the consent too.
    response = client.post(url, {"birth_year": "1950"})
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.birth_year is None
    client.post(url, {"consent": "on", "is_elderly": "on", "birth_year": "1950"})
    membership.refresh_from_db()
    assert membership.is_elderly and membership.groups_consented_at
    assert membership.birth_year == 1950
    assert client.get(url).context["groups_form"].initial["birth_year"] == 1950
    client.post(url, {})  # withdrawing consent clears the flags and the year of birth
    membership.refresh_from_db()
    assert not membership.is_elderly and membership.groups_consented_at is None
    assert membership.birth_year is None


def _post_json(url, token, body=None):
    request = urllib.request.Request(
        url,
        data=json.dumps(body or {}).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_one_code_claimed_by_many_at_once_verifies_exactly_one(
    live_server, community, worker, household
):
    code = _issue(worker, community, household)
    tokens = [api_token_create(user=UserFactory(), name="t")[1] for _ in range(6)]
    url = f"{live_server.url}/api/v1/communities/{community.slug}/verify"
    barrier = threading.Barrier(len(tokens))
    statuses: list[int] = []

    def claim(token):
        barrier.wait()
        statuses.append(_post_json(url, token, {"code": code}))

    threads = [threading.Thread(target=claim, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [400] * 5
    assert (
        Membership.objects.in_community(community)
        .filter(verified_at__isnull=False)
        .exclude(user=worker)
        .count()
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_joining_twice_at_once_makes_one_membership(live_server, community):
    user = UserFactory()
    _token, raw = api_token_create(user=user, name="t")
    url = f"{live_server.url}/api/v1/communities/{community.slug}/join"
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def join():
        barrier.wait()
        statuses.append(_post_json(url, raw))

    threads = [threading.Thread(target=join) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(s == 201 for s in statuses), statuses
    assert Membership.objects.in_community(community).filter(user=user).count() == 1
    assert Activity.objects.in_community(community).filter(verb="membership.joined").count() == 1
