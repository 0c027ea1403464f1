"""Permission matrix: role × object × community, and predicates that agree with their filters."""

from __future__ import annotations

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from gongzhi.core import journal
from gongzhi.core.models import Activity, Membership, Role
from gongzhi.core.policies import forget_access, view_activity, view_membership
from tests.factories import CommunityFactory, UserFactory, member, official_of

PERMS = [
    "core.view_members",
    "core.verify_member",
    "core.import_roster",
    "core.grant_role",
    "core.grant_role_in_community",
    "core.grant_role_from_above",
    "core.act_on_behalf",
    "core.view_audit_trail",
]

# role in the community → the permissions it holds there (in another community: none).
EXPECTED = {
    "anonymous": set(),
    "outsider": set(),
    "resident": set(),
    "unverified": set(),
    "volunteer": set(),
    "council_member": set(),
    "supervisor": {"core.view_audit_trail"},
    # Separation of duties: supervisors and community workers are made from above.
    "community_worker": set(PERMS) - {"core.grant_role_from_above"},
    "street_official": {
        "core.view_members",
        "core.view_audit_trail",
        "core.grant_role",
        "core.grant_role_from_above",
    },
    "platform_admin": set(PERMS),
}


def make_user(kind: str, community):
    if kind == "anonymous":
        return AnonymousUser()
    if kind == "outsider":
        return UserFactory()
    if kind == "resident":
        return member(community)
    if kind == "unverified":
        return member(community, verified=False)
    if kind == "street_official":
        return official_of(community.street)
    if kind == "platform_admin":
        return UserFactory(is_superuser=True)
    return member(community, Role(kind))


@pytest.mark.parametrize("kind", list(EXPECTED))
@pytest.mark.django_db
def test_matrix(kind):
    home = CommunityFactory()
    elsewhere = CommunityFactory()  # another street
    user = make_user(kind, home)
    for perm in PERMS:
        assert rules.has_perm(perm, user, home) == (perm in EXPECTED[kind]), (kind, perm, "home")
        expected_elsewhere = kind == "platform_admin"
        assert rules.has_perm(perm, user, elsewhere) == expected_elsewhere, (
            kind,
            perm,
            "elsewhere",
        )


@pytest.mark.django_db
def test_predicates_and_filters_agree():
    home, other = CommunityFactory(), CommunityFactory()
    people = [make_user(kind, home) for kind in EXPECTED if kind != "anonymous"]
    people += [member(other), member(other, Role.COMMUNITY_WORKER), AnonymousUser()]
    for person in people:
        if person.is_authenticated:
            journal.record(community=home, actor=person, verb="test.act")
    memberships = list(Membership.objects.all_communities())
    activities = list(Activity.objects.all_communities())
    assert memberships and activities
    for viewer in people:
        forget_access(viewer)
        visible_m = set(
            view_membership.filter(viewer, Membership.objects.all_communities()).values_list(
                "pk", flat=True
            )
        )
        for m in memberships:
            assert view_membership.predicate.test(viewer, m) == (m.pk in visible_m), (viewer, m)
        visible_a = set(
            view_activity.filter(viewer, Activity.objects.all_communities()).values_list(
                "pk", flat=True
            )
        )
        for a in activities:
            assert view_activity.predicate.test(viewer, a) == (a.pk in visible_a), (viewer, a)


def _without_csrf(content: bytes) -> bytes:
    """The same page but for what differs per request anyway: the CSRF token and the page's
    own address (both in the language and age-friendly switchers)."""
    import re

    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return re.sub(rb'name="next" value="[^"]+"', b"", content)


@pytest.mark.parametrize(
    "url_name",
    ["member_list", "roster_upload", "register_on_behalf", "household_codes", "audit_trail"],
)
@pytest.mark.django_db
def test_forbidden_looks_exactly_like_missing(client, community, resident, url_name):
    client.force_login(resident)
    forbidden = client.get(reverse(url_name, args=[community.slug]))
    missing = client.get(reverse(url_name, args=["no-such-community"]))
    assert forbidden.status_code == missing.status_code == 404
    assert _without_csrf(forbidden.content) == _without_csrf(missing.content)


@pytest.mark.django_db
def test_membership_of_another_community_is_404_for_its_worker(
    client, community, other_community, worker
):
    stranger = Membership.objects.in_community(other_community).create(user=UserFactory())
    client.force_login(worker)
    url = reverse("member_detail", args=[community.slug, stranger.pk])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_official_sees_the_overview_of_their_street(client, community, official):
    member(community)
    client.force_login(official)
    response = client.get(reverse("overview"))
    assert response.status_code == 200
    assert community.name in response.content.decode()


@pytest.mark.django_db
def test_resident_has_no_overview(client, resident):
    client.force_login(resident)
    assert client.get(reverse("overview")).status_code == 404
