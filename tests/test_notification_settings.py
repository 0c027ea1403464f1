"""The notification settings page: kinds by area, only those a person receives, only the
channels they have an address for."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from gongzhi.feedback.models import Department, Handler
from gongzhi.notifications.models import ChannelPreference
from tests.conftest import TOTP_SECRET
from tests.factories import CommunityFactory, UserFactory, member


def _page(client, user) -> str:
    if not Authenticator.objects.filter(user=user).exists():
        TOTP.activate(user, TOTP_SECRET)  # staff must have a second factor to open pages
    client.force_login(user)
    response = client.get(reverse("notification_settings"))
    assert response.status_code == 200
    return response.content.decode()


def _prefs(user) -> dict[tuple[str, str], bool]:
    return {(p.kind, p.channel): p.enabled for p in ChannelPreference.objects.filter(user=user)}


@pytest.mark.django_db
def test_kinds_are_grouped_under_the_translated_name_of_their_area(client):
    user = member(CommunityFactory(), email="a@example.org")
    page = _page(client, user)
    with translation.override("zh-hans"):
        voting, hotline = (
            str(apps.get_app_config(label).verbose_name) for label in ("voting", "feedback")
        )
    assert f"<caption>{voting}</caption>" in page and f"<caption>{hotline}</caption>" in page
    assert page.index('name="vote_opened__email"') > page.index(f"<caption>{voting}</caption>")


@pytest.mark.django_db
def test_staff_kinds_only_for_people_who_receive_them(client):
    community = CommunityFactory()
    resident = member(community, email="r@example.org")
    worker = member(community, role="community_worker", email="w@example.org")
    council = member(community, role="council_member", email="c@example.org")
    handler = member(community, email="h@example.org")
    department = Department.objects.create(community=community, name="物业")
    Handler.objects.create(community=community, department=department, user=handler)

    def kinds(user):
        page = _page(client, user)
        return {k for k in ("moderation_queue", "hotline_deadline", "vote_opened") if k in page}

    assert kinds(resident) == {"vote_opened"}
    assert kinds(worker) == {"moderation_queue", "hotline_deadline", "vote_opened"}
    assert kinds(council) == {"moderation_queue", "vote_opened"}
    assert kinds(handler) == {"hotline_deadline", "vote_opened"}


@pytest.mark.django_db
def test_no_email_column_without_an_address_and_no_sms_without_a_phone(client):
    no_email = UserFactory(email="")
    page = _page(client, no_email)
    assert "__email" not in page and 'name="vote_opened__sms"' in page
    no_phone = UserFactory(email="a@example.org", phone="", phone_verified=False)
    page = _page(client, no_phone)
    assert "__sms" not in page
    assert re.search(r'name="vote_opened__email"[^>]* checked', page)  # e-mail is on by default


@pytest.mark.django_db
def test_saving_keeps_only_the_channels_offered(client):
    user = UserFactory(email="")
    client.force_login(user)
    response = client.post(
        reverse("notification_settings"),
        {"vote_opened__sms": "on", "vote_opened__email": "on", "moderation_queue__sms": "on"},
    )
    assert response.status_code == 302
    prefs = _prefs(user)
    assert prefs[("vote_opened", "sms")] is True
    assert prefs[("notice_published", "sms")] is False
    assert not any(channel == "email" for _kind, channel in prefs)  # never offered
    assert ("moderation_queue", "sms") not in prefs  # not a kind this resident receives
