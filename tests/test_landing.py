"""Where a person lands after logging in, and how the home page names what they are to each
community they serve: a street official oversees communities, and is not their resident."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse
from django.utils.translation import gettext

from gongzhi.core.forms import ROLE_LABELS
from gongzhi.core.models import Role
from tests.conftest import TOTP_SECRET
from tests.factories import CommunityFactory, member

PASSWORD = "correct horse battery"  # tests/factories.py UserFactory


def log_in(client, user):
    """Password, then the second factor staff must give; the response that follows it."""
    response = client.post(
        reverse("account_login"), {"login": user.phone.removeprefix("+86"), "password": PASSWORD}
    )
    assert response.status_code == 302, response.content
    if response["Location"] == reverse("mfa_authenticate"):
        if 30 - time.time() % 30 < 1.5:  # do not send a code that expires on the way
            time.sleep(1.6)
        code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
        response = client.post(reverse("mfa_authenticate"), {"code": code})
        assert response.status_code == 302, response.content
    assert int(client.session["_auth_user_id"]) == user.pk
    return response


@pytest.mark.django_db
def test_a_street_official_lands_on_the_overview_of_their_communities(client, official, community):
    response = log_in(client, official)
    assert response["Location"] == reverse("overview")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert community.name in page.content.decode()


@pytest.mark.django_db
def test_an_official_who_also_lives_in_a_community_lands_on_the_overview(
    client, official, community
):
    from gongzhi.core.models import Membership

    Membership.objects.in_community(CommunityFactory()).create(user=official)
    assert log_in(client, official)["Location"] == reverse("overview")


@pytest.mark.django_db
def test_a_platform_admin_who_belongs_nowhere_lands_on_the_overview(client, admin_user, community):
    response = log_in(client, admin_user)
    assert response["Location"] == reverse("overview")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_a_platform_admin_who_is_a_resident_lands_on_their_community(client, community):
    admin = member(community, is_superuser=True)
    assert log_in(client, admin)["Location"] == reverse("community_home", args=[community.slug])


@pytest.mark.django_db
def test_a_resident_still_lands_on_their_community(client, resident, community):
    assert log_in(client, resident)["Location"] == reverse("community_home", args=[community.slug])


def served(page: str, community) -> str:
    """The home page's line for ``community`` under "Communities I serve"."""
    section = page.split('id="served"', 1)[1].split("</ul>", 1)[0]
    lines = [li for li in section.split("<li") if community.name in li]
    assert len(lines) == 1, section
    return lines[0]


@pytest.mark.django_db
def test_the_home_page_says_an_official_oversees_a_community_not_lives_there(
    client, official, community
):
    client.force_login(official)
    page = client.get(reverse("home")).content.decode()
    line = served(page, community)
    assert f'data-relation="overseen">{gettext("overseen by you")}</span>' in line
    # The community's name is not followed by "— 居民", as if the official lived there.
    assert f"{community.name} — {gettext('residents')}" not in page
    assert reverse("overview") in page


@pytest.mark.django_db
def test_the_home_page_names_a_worker_and_an_admin_by_what_they_are(
    client, worker, community, admin_user
):
    client.force_login(worker)
    line = served(client.get(reverse("home")).content.decode(), community)
    assert f'data-relation="worker">{ROLE_LABELS[Role.COMMUNITY_WORKER]}</span>' in line

    client.force_login(admin_user)
    line = served(client.get(reverse("home")).content.decode(), community)
    assert f'data-relation="admin">{gettext("platform administrator")}</span>' in line


@pytest.mark.django_db
def test_an_overseen_communitys_own_page_says_so(client, official, community, other_community):
    client.force_login(official)
    tag = f'data-relation="overseen">{gettext("overseen by you")}</span>'
    page = client.get(reverse("community_home", args=[community.slug])).content.decode()
    assert tag in page and reverse("overview") in page
    elsewhere = client.get(reverse("community_home", args=[other_community.slug]))
    assert tag not in elsewhere.content.decode()
