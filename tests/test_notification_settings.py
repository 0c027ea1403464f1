"""The notification settings page: kinds by area, only those a person receives, only the
channels they have an address for."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from gongzhi.feedback.models import Department, Handler
from gongzhi.notifications.kinds import areas_for
from gongzhi.notifications.models import Channel, ChannelPreference
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


class _Table(HTMLParser):
    """The settings page's text nodes (with the tag they are in), its column headers and its
    checkboxes, inside ``<main>``."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.in_main = False
        self.texts: list[tuple[str, dict[str, str | None], str]] = []
        self.columns: list[list[str]] = []
        self.boxes: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "main":
            self.in_main = True
        if not self.in_main:
            return
        if tag == "input":
            if attributes.get("type") == "checkbox":
                self.boxes.append(attributes)
            return
        if tag == "thead":
            self.columns.append([])
        self.stack.append((tag, attributes))

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
        while self.in_main and self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        text = data.strip()
        if not (self.in_main and text and self.stack):
            return
        tag, attributes = self.stack[-1]
        self.texts.append((tag, attributes, text))
        if (
            tag == "th"
            and attributes.get("scope") == "col"
            and any(t == "thead" for t, _a in self.stack)
        ):
            self.columns[-1].append(text)


def _table(page: str) -> _Table:
    parser = _Table()
    parser.feed(page)
    return parser


def _kind_labels(user) -> list[str]:
    with translation.override("zh-hans"):
        return [str(kind.label) for area in areas_for(user) for kind in area.kinds.values()]


@pytest.mark.django_db
def test_each_kind_is_one_row_with_a_box_for_each_channel(client):
    community = CommunityFactory()
    worker = member(community, role="community_worker", email="w@example.org")
    page = _page(client, worker)
    table = _table(page)
    labels = _kind_labels(worker)
    assert len(labels) > 5
    row_headers = [
        text for tag, attrs, text in table.texts if tag == "th" and attrs.get("scope") == "row"
    ]
    assert row_headers == labels  # each kind once, by area in the apps' order
    # The kind's name is the row's header and nowhere else on the page (a box is named for a
    # screen reader by its aria-label, not by text a sighted reader sees again).
    for tag, attrs, text in table.texts:
        if any(label in text for label in labels):
            assert tag == "th" and attrs.get("scope") == "row", text
    # A box per channel in each row: in the app (always on), e-mail, SMS; each one named with
    # its kind and its channel.
    assert len(table.boxes) == 3 * len(labels)
    with translation.override("zh-hans"):
        channel_names = [str(Channel(c).label) for c in ("email", "sms")]
    for index, label in enumerate(labels):
        in_app, email, sms = table.boxes[3 * index : 3 * index + 3]
        assert "disabled" in in_app and "checked" in in_app and "name" not in in_app
        assert label in in_app["aria-label"]
        assert email["name"].endswith("__email") and sms["name"].endswith("__sms")
        for box, channel_name in ((email, channel_names[0]), (sms, channel_names[1])):
            assert label in box["aria-label"] and channel_name in box["aria-label"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "phone", "columns"),
    [
        ("a@example.org", "+8613800000001", ["What", "In the app", "E-mail", "Text message"]),
        ("", "+8613800000002", ["What", "In the app", "Text message"]),
        ("a@example.org", "", ["What", "In the app", "E-mail"]),
        ("", "", ["What", "In the app"]),
    ],
)
def test_the_columns_follow_the_account(client, email, phone, columns):
    user = UserFactory(email=email, phone=phone, phone_verified=bool(phone))
    table = _table(_page(client, user))
    with translation.override("zh-hans"):
        expected = [gettext(column) for column in columns]
    assert table.columns and all(header == expected for header in table.columns)
    rows = len(_kind_labels(user))
    assert len(table.boxes) == rows * (len(columns) - 1)
