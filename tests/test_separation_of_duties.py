"""Separation of duties in granting roles: supervisors (监督委员) and community workers come from
above (a street official overseeing the community, a platform admin); nobody changes their own
roles; nobody is both supervisor and community worker of one community. Service, page and API,
and under concurrency."""

from __future__ import annotations

import json
import threading

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, transaction
from django.test import Client
from django.urls import reverse

from gongzhi.accounts.services import api_token_create
from gongzhi.core import services
from gongzhi.core.models import Activity, Membership, Role, RoleGrant
from tests.conftest import TOTP_SECRET
from tests.factories import CommunityFactory, member, official_of


def membership(community, user) -> Membership:
    return Membership.objects.in_community(community).get(user=user)


def roles_of(community, user) -> set[str]:
    return set(
        RoleGrant.objects.in_community(community)
        .filter(membership__user=user)
        .values_list("role", flat=True)
    )


def refusal(actor, community, user, role, *, revoke=False) -> str:
    service = services.role_revoke if revoke else services.role_grant
    with pytest.raises(ValidationError) as error:
        service(actor=actor, community=community, membership=membership(community, user), role=role)
    return error.value.code


# --- The service ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.COMMUNITY_WORKER])
@pytest.mark.django_db
def test_a_worker_cannot_make_supervisors_or_workers(community, worker, resident, role):
    assert refusal(worker, community, resident, role) == "role_granted_from_above"
    assert roles_of(community, resident) == set()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.COMMUNITY_WORKER])
@pytest.mark.django_db
def test_a_worker_cannot_unmake_them_either(community, worker, role):
    holder = member(community, role)
    assert refusal(worker, community, holder, role, revoke=True) == "role_granted_from_above"
    assert roles_of(community, holder) == {role}


@pytest.mark.django_db
def test_a_worker_still_grants_and_revokes_the_communitys_own_roles(community, worker, resident):
    target = membership(community, resident)
    services.role_grant(actor=worker, community=community, membership=target, role="mediator")
    assert roles_of(community, resident) == {"mediator"}
    services.role_revoke(actor=worker, community=community, membership=target, role="mediator")
    assert roles_of(community, resident) == set()


@pytest.mark.parametrize("role", ["volunteer", "mediator", "supervisor", "community_worker"])
@pytest.mark.django_db
def test_nobody_grants_or_revokes_on_their_own_membership(community, worker, role):
    assert refusal(worker, community, worker, role) == "own_membership"
    assert refusal(worker, community, worker, "community_worker", revoke=True) == "own_membership"
    assert roles_of(community, worker) == {"community_worker"}


@pytest.mark.django_db
def test_not_even_a_platform_admin_or_an_official_on_their_own(community, admin_user, official):
    for person in (admin_user, official):
        member_row = Membership.objects.in_community(community).create(user=person)
        with pytest.raises(ValidationError) as error:
            services.role_grant(
                actor=person, community=community, membership=member_row, role="supervisor"
            )
        assert error.value.code == "own_membership"
    assert RoleGrant.objects.in_community(community).filter(role="supervisor").count() == 0


@pytest.mark.django_db
def test_an_overseeing_official_makes_and_unmakes_them(community, official, resident):
    target = membership(community, resident)
    services.role_grant(actor=official, community=community, membership=target, role="supervisor")
    assert roles_of(community, resident) == {"supervisor"}
    entry = Activity.objects.in_community(community).get(verb="role.granted")
    assert entry.actor == official
    assert entry.data == {"role": "supervisor", "user": resident.pk}
    services.role_revoke(actor=official, community=community, membership=target, role="supervisor")
    services.role_grant(
        actor=official, community=community, membership=target, role="community_worker"
    )
    assert roles_of(community, resident) == {"community_worker"}


@pytest.mark.django_db
def test_an_official_does_not_pick_the_communitys_own_roles(community, official, resident):
    assert refusal(official, community, resident, "volunteer") == "role_granted_in_community"


@pytest.mark.django_db
def test_an_official_of_another_street_may_not(community, resident):
    stranger = official_of(CommunityFactory().street)
    with pytest.raises(PermissionDenied):
        services.role_grant(
            actor=stranger,
            community=community,
            membership=membership(community, resident),
            role="supervisor",
        )


@pytest.mark.django_db
def test_a_platform_admin_grants_any_role(community, admin_user, resident):
    target = membership(community, resident)
    for role in ("supervisor", "volunteer"):
        services.role_grant(actor=admin_user, community=community, membership=target, role=role)
    assert roles_of(community, resident) == {"supervisor", "volunteer"}


@pytest.mark.parametrize(
    ("held", "wanted"), [("supervisor", "community_worker"), ("community_worker", "supervisor")]
)
@pytest.mark.django_db
def test_nobody_is_both_supervisor_and_worker(community, official, held, wanted):
    person = member(community, Role(held))
    assert refusal(official, community, person, wanted) == "roles_exclusive"
    assert roles_of(community, person) == {held}


@pytest.mark.django_db
def test_the_database_refuses_both_roles_too(community):
    person = member(community, Role.SUPERVISOR)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.in_community(community).create(
            membership=membership(community, person), role=Role.COMMUNITY_WORKER
        )


@pytest.mark.django_db
def test_both_roles_in_two_communities_is_fine(community, official, resident):
    other = CommunityFactory(street=community.street)
    Membership.objects.in_community(other).create(user=resident)
    RoleGrant.objects.in_community(other).create(
        membership=membership(other, resident), role=Role.COMMUNITY_WORKER
    )
    services.role_grant(
        actor=official,
        community=community,
        membership=membership(community, resident),
        role="supervisor",
    )
    assert roles_of(community, resident) == {"supervisor"}


# --- Concurrency: two grants at once, one person ---------------------------------------------


def _at_once(*calls):
    """Run the calls in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # reported to the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_grants_of_both_roles_leave_one(community, resident):
    first, second = official_of(community.street), official_of(community.street)
    target = membership(community, resident)

    def grant(actor, role):
        return lambda: services.role_grant(
            actor=actor, community=community, membership=target, role=role
        )

    for _round in range(3):
        results = _at_once(grant(first, "supervisor"), grant(second, "community_worker"))
        refused = [r for r in results if isinstance(r, Exception)]
        # The loser is told why (the membership lock), not an IntegrityError from the index.
        assert len(refused) == 1, results
        assert isinstance(refused[0], ValidationError) and refused[0].code == "roles_exclusive"
        assert len(roles_of(community, resident)) == 1
        RoleGrant.objects.in_community(community).filter(membership=target).delete()


@pytest.mark.django_db(transaction=True)
def test_concurrent_api_requests_of_both_roles_leave_one(community, resident):
    officials = [official_of(community.street) for _ in range(2)]
    tokens = []
    for person in officials:
        TOTP.activate(person, TOTP_SECRET)
        tokens.append(api_token_create(user=person, name="office")[1])
    url = (
        f"/api/v1/communities/{community.slug}/memberships/"
        f"{membership(community, resident).pk}/roles"
    )

    def post(token, role):
        return lambda: Client().post(
            url,
            data=json.dumps({"role": role}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    responses = _at_once(post(tokens[0], "supervisor"), post(tokens[1], "community_worker"))
    assert sorted(r.status_code for r in responses) == [200, 400], responses
    refused = next(r for r in responses if r.status_code == 400)
    assert refused.json()["code"] == "roles_exclusive"
    assert len(roles_of(community, resident)) == 1


# --- The page ---------------------------------------------------------------------------------


def detail_url(community, user):
    return reverse("member_detail", args=[community.slug, membership(community, user).pk])


def options(page: str) -> set[str]:
    import re

    select = re.search(r'<select name="role".*?</select>', page, re.S)
    return set(re.findall(r'<option value="([a-z_]+)"', select.group(0))) if select else set()


@pytest.mark.django_db
def test_the_page_offers_a_worker_only_the_communitys_own_roles(
    client, community, worker, resident
):
    client.force_login(worker)
    page = client.get(detail_url(community, resident)).content.decode()
    assert options(page) == {"volunteer", "org_leader", "council_member", "reviewer", "mediator"}


@pytest.mark.django_db
def test_the_page_offers_an_official_supervisor_and_worker(client, community, official, resident):
    client.force_login(official)
    page = client.get(detail_url(community, resident)).content.decode()
    assert options(page) == {"supervisor", "community_worker"}
    response = client.post(
        detail_url(community, resident), {"action": "grant", "role": "supervisor"}
    )
    assert response.status_code == 302
    assert roles_of(community, resident) == {"supervisor"}


@pytest.mark.django_db
def test_the_page_offers_nothing_on_ones_own_membership(client, community, worker):
    client.force_login(worker)
    page = client.get(detail_url(community, worker)).content.decode()
    assert options(page) == set()
    assert "Nobody changes their own roles" in page or "自己的角色" in page


@pytest.mark.parametrize(
    ("who", "role", "message"),
    [
        ("resident", "supervisor", "Only a street official overseeing this community"),
        ("resident", "community_worker", "Only a street official overseeing this community"),
        ("worker", "volunteer", "Nobody can grant or revoke roles on their own membership"),
        ("worker", "supervisor", "Nobody can grant or revoke roles on their own membership"),
    ],
)
@pytest.mark.django_db
def test_a_worker_posting_it_anyway_is_told_why(
    client, community, worker, resident, who, role, message
):
    target = resident if who == "resident" else worker
    before = roles_of(community, target)
    client.force_login(worker)
    response = client.post(
        detail_url(community, target),
        {"action": "grant", "role": role},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert roles_of(community, target) == before


@pytest.mark.django_db
def test_the_page_refuses_a_second_duty(client, community, official):
    person = member(community, Role.COMMUNITY_WORKER)
    client.force_login(official)
    response = client.post(
        detail_url(community, person),
        {"action": "grant", "role": "supervisor"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "nobody can be both a supervisor and a community worker" in response.content.decode()
    assert roles_of(community, person) == {"community_worker"}


@pytest.mark.django_db
def test_a_worker_revoking_a_supervisor_on_the_page_is_refused(client, community, worker):
    person = member(community, Role.SUPERVISOR)
    client.force_login(worker)
    response = client.post(
        detail_url(community, person), {"action": "revoke", "role": "supervisor"}
    )
    assert response.status_code == 400
    assert roles_of(community, person) == {"supervisor"}


# --- The API ----------------------------------------------------------------------------------


def api_grant(client, community, user, role, token, *, revoke=False):
    url = f"/api/v1/communities/{community.slug}/memberships/{membership(community, user).pk}/roles"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "en"}
    if revoke:
        return client.delete(f"{url}/{role}", **headers)
    return client.post(
        url, data=json.dumps({"role": role}), content_type="application/json", **headers
    )


@pytest.mark.parametrize(
    ("who", "role", "revoke", "code"),
    [
        ("resident", "supervisor", False, "role_granted_from_above"),
        ("resident", "community_worker", False, "role_granted_from_above"),
        ("supervisor", "supervisor", True, "role_granted_from_above"),
        ("self", "supervisor", False, "own_membership"),
        ("self", "mediator", False, "own_membership"),
        ("self", "community_worker", True, "own_membership"),
    ],
)
@pytest.mark.django_db
def test_the_api_refuses_a_worker_with_a_stable_code(
    client, community, worker, resident, supervisor, who, role, revoke, code
):
    token = api_token_create(user=worker, name="office")[1]
    target = {"resident": resident, "supervisor": supervisor, "self": worker}[who]
    before = roles_of(community, target)
    response = api_grant(client, community, target, role, token, revoke=revoke)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert roles_of(community, target) == before


@pytest.mark.django_db
def test_the_api_lets_an_official_grant_and_refuses_a_second_duty(
    client, community, official, resident, worker
):
    token = api_token_create(user=official, name="street office")[1]
    granted = api_grant(client, community, resident, "supervisor", token)
    assert granted.status_code == 200 and "supervisor" in granted.json()["roles"]
    both = api_grant(client, community, worker, "supervisor", token)
    assert both.status_code == 400 and both.json()["code"] == "roles_exclusive"
    revoked = api_grant(client, community, resident, "supervisor", token, revoke=True)
    assert revoked.status_code == 200 and "supervisor" not in revoked.json()["roles"]
    own_roles = api_grant(client, community, resident, "volunteer", token)
    assert own_roles.status_code == 400 and own_roles.json()["code"] == "role_granted_in_community"


@pytest.mark.django_db
def test_the_api_hides_the_community_from_an_official_elsewhere(client, community, resident):
    stranger = official_of(CommunityFactory().street)
    TOTP.activate(stranger, TOTP_SECRET)
    token = api_token_create(user=stranger, name="x")[1]
    assert api_grant(client, community, resident, "supervisor", token).status_code == 404


# --- The journal page names the role and the person -----------------------------------------


@pytest.mark.django_db
def test_the_journal_page_shows_the_role_and_the_person(client, community, official, supervisor):
    resident = member(community, display_name="王秀兰")
    services.role_grant(
        actor=official,
        community=community,
        membership=membership(community, resident),
        role="community_worker",
    )
    client.force_login(supervisor)
    page = client.get(
        reverse("audit_trail", args=[community.slug]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "granted a role" in page
    assert "community worker" in page
    assert "王秀兰" in page


@pytest.mark.django_db
def test_the_journal_page_reads_its_subjects_in_a_fixed_number_of_queries(
    client, community, official, supervisor, django_assert_max_num_queries
):
    def grant_one():
        person = member(community)
        services.role_grant(
            actor=official,
            community=community,
            membership=membership(community, person),
            role="community_worker",
        )

    grant_one()
    client.force_login(supervisor)
    url = reverse("audit_trail", args=[community.slug])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _ in range(10):
        grant_one()
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.status_code == 200


# --- A sibling: nobody verifies themselves in person -----------------------------------------


@pytest.mark.django_db
def test_nobody_verifies_themselves(client, community):
    worker = member(community, Role.COMMUNITY_WORKER, verified=False)
    TOTP.activate(worker, TOTP_SECRET)
    own = membership(community, worker)
    with pytest.raises(ValidationError) as error:
        services.membership_verify_in_person(actor=worker, community=community, membership=own)
    assert error.value.code == "own_membership"
    client.force_login(worker)
    page = client.get(detail_url(community, worker)).content.decode()
    assert 'value="verify"' not in page
    response = client.post(detail_url(community, worker), {"action": "verify"}, follow=True)
    assert response.status_code == 200
    token = api_token_create(user=worker, name="office")[1]
    api = client.post(
        f"/api/v1/communities/{community.slug}/memberships/{own.pk}/verify",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert api.status_code == 400 and api.json()["code"] == "own_membership"
    own.refresh_from_db()
    assert own.verified_at is None
