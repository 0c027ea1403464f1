"""Notifications are stored as msgids and parameters and rendered in the reader's language: in
the inbox when it is shown, in an e-mail or a text message when it is sent."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from gongzhi.accounts.services import api_token_create
from gongzhi.core import services as core_services
from gongzhi.core.manifests import notification_kinds
from gongzhi.core.notify import msgid_of
from gongzhi.notifications.models import Delivery, Notification
from gongzhi.notifications.rendering import render, stored_msgid
from gongzhi.notifications.services import delivery_attempt, notify, preference_set
from tests.factories import CommunityFactory, UserFactory, member

CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
VERIFIED = {"kind": "membership_verified", "message": "verified"}


def _sample(*texts: str) -> dict[str, str]:
    return {name: "42" for text in texts for name in PLACEHOLDER.findall(text)}


def _cases():
    for code, kind in sorted(notification_kinds().items()):
        yield pytest.param(code, kind, id=code)


@pytest.mark.parametrize(("code", "kind"), list(_cases()))
def test_every_kind_renders_in_chinese_and_english(code, kind):
    """A kind added without messages, or with one that is not a translation or not yet in
    the zh-Hans catalogue, fails here."""
    assert kind.messages, f"{code} declares no message to render"
    for name, message in kind.messages.items():
        title, body = (
            stored_msgid(message.title),
            stored_msgid(message.body) if message.body else "",
        )
        params = _sample(title, body)
        english = render(title, body, params, language="en")
        chinese = render(title, body, params, language="zh-hans")
        assert english.title == msgid_of(message.title)[1] % params
        pairs = ((title, chinese.title, english.title), (body, chinese.body, english.body))
        for msgid, zh, en in pairs:
            if msgid:
                assert zh != en, f"{code}.{name} is not translated: {en!r}"
                assert CJK.search(zh), f"{code}.{name} has no Chinese: {zh!r}"
                assert ("42" in zh) == bool(PLACEHOLDER.search(msgid)), zh
    with translation.override("zh-hans"):
        assert CJK.search(str(kind.label)), f"the label of {code} is not translated"


@pytest.mark.django_db
def test_an_account_without_a_language_reads_chinese():
    user = UserFactory(language="", email="a@example.org")
    with translation.override("en"):  # whatever the sending process has active
        notify(users=[user], **VERIFIED, params={"community": "幸福社区"})
        note = Notification.objects.get(user=user)
        with translation.override(settings.LANGUAGE_CODE):
            expected = gettext("You are now a verified resident of %(community)s") % {
                "community": "幸福社区"
            }
        assert note.title == expected
    assert CJK.search(expected.replace("幸福社区", ""))


@pytest.mark.django_db
def test_the_row_keeps_msgids_and_translatable_parameters_as_codes():
    community = CommunityFactory(name="幸福社区")
    worker = member(community, role="community_worker")
    target = member(community, language="en").memberships.get()
    core_services.role_grant(
        actor=worker, community=community, membership=target, role="council_member"
    )
    note = Notification.objects.get(user=target.user, kind="role_granted")
    assert note.title_msgid == "You now have the role “%(role)s” in %(community)s"
    assert note.params == {"role": {"msgid": "council member"}, "community": "幸福社区"}
    assert note.frozen_title == ""
    assert note.rendered("en").title == "You now have the role “council member” in 幸福社区"
    with translation.override("zh-hans"):
        role = gettext("council member")
    assert role != "council member" and role in note.rendered("zh-hans").title


def test_core_reaches_notifications_only_through_its_plug_point():
    """Core sits below the feature apps: it imports none of them, notifications included."""
    core = Path(core_services.__file__).parent
    for path in core.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("gongzhi.notifications"), path


@pytest.mark.django_db
def test_the_inbox_follows_the_readers_language_when_they_switch(client):
    user = UserFactory(language="zh-hans")
    notify(users=[user], **VERIFIED, params={"community": "C"})
    client.force_login(user)
    with translation.override("zh-hans"):
        chinese = gettext("You are now a verified resident of %(community)s") % {"community": "C"}
    assert chinese in client.get(reverse("inbox")).content.decode()
    form = {"display_name": user.display_name, "email": "", "language": "en"}
    assert client.post(reverse("profile"), form).status_code == 302
    page = client.get(reverse("inbox")).content.decode()
    assert "You are now a verified resident of C" in page
    assert chinese not in page


@pytest.mark.django_db
def test_messages_are_rendered_when_sent_in_the_recipients_language(
    django_capture_on_commit_callbacks, sms_outbox
):
    user = UserFactory(language="en", email="a@example.org")
    preference_set(user=user, kind="membership_verified", channel="sms", enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[user], **VERIFIED, params={"community": "C"})
        # Nothing rendered is stored at enqueue time…
        assert set(Delivery.objects.values_list("subject", "body")) == {("", "")}
        # …so the person who switches to Chinese before it goes out reads Chinese.
        user.language = "zh-hans"
        user.save(update_fields=["language"])
    with translation.override("zh-hans"):
        chinese = gettext("You are now a verified resident of %(community)s") % {"community": "C"}
    assert CJK.search(chinese)
    assert [m.subject for m in mail.outbox] == [chinese]
    assert [text for _phone, text in sms_outbox] == [f"【共治】{chinese}"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


@pytest.mark.django_db
def test_rows_from_before_keep_their_frozen_text():
    user = UserFactory(language="en")
    old = Notification.objects.create(user=user, kind="announcement", frozen_title="停水通知")
    assert old.rendered("en").title == "停水通知" and old.title == "停水通知"


@pytest.mark.django_db
def test_a_translation_passed_at_the_call_site_is_refused():
    with pytest.raises(TypeError):
        notify(users=[UserFactory()], kind="vote_opened", title=gettext_lazy("A vote is open"))


@pytest.mark.django_db
def test_the_api_answers_in_the_callers_language(client):
    user = UserFactory(language="en")
    notify(users=[user], **VERIFIED, params={"community": "C"})
    _token, raw = api_token_create(user=user, name="app")
    url = "/api/v1/me/notifications"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    [item] = client.get(url, **auth).json()["items"]
    assert item["title"] == "You are now a verified resident of C" and item["read_at"] is None
    with translation.override("zh-hans"):
        chinese = gettext("You are now a verified resident of %(community)s") % {"community": "C"}
    [item] = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **auth).json()["items"]
    assert item["title"] == chinese
    marked = client.post(f"{url}/read", {}, content_type="application/json", **auth).json()
    assert marked == {"marked": 1}
    assert client.get(f"{url}?unread=true", **auth).json()["items"] == []


@pytest.mark.django_db
def test_a_delivery_enqueued_before_the_change_sends_its_frozen_text(sms_outbox):
    user = UserFactory(language="en")
    old = Delivery.objects.create(
        channel="sms",
        kind="vote_opened",
        user=user,
        recipient=user.phone,
        recipient_masked="138****0000",
        subject="投票开始",
        body="【共治】投票开始",
        params={"title": "投票开始"},
        next_attempt_at=timezone.now(),
    )
    assert delivery_attempt(delivery_id=old.pk).status == Delivery.Status.SENT
    assert sms_outbox == [(user.phone, "【共治】投票开始")]


@pytest.mark.django_db
def test_a_delivery_whose_notification_is_gone_fails_instead_of_sending_nothing():
    user = UserFactory(email="a@example.org")
    notify(users=[user], **VERIFIED, params={"community": "C"})  # sent when the test commits…
    Notification.objects.filter(user=user).delete()  # …but the inbox is emptied first
    [delivery] = Delivery.objects.filter(user=user)
    delivery = delivery_attempt(delivery_id=delivery.pk)
    assert (delivery.status, delivery.error_code) == (Delivery.Status.FAILED, "content_gone")
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_inbox_and_the_api_list_cost_the_same_queries_for_one_row_or_twenty(client):
    user = UserFactory(language="en")
    community = CommunityFactory()
    _token, raw = api_token_create(user=user, name="app")
    client.force_login(user)

    def queries(url: str, **headers: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, **headers).status_code == 200
        return len(captured)

    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    # A token's first use in a process writes when it was last used (accounts/services.py,
    # throttled process-wide): use it once before counting, so the count is the list's alone.
    assert client.get("/api/v1/me/notifications", **auth).status_code == 200
    counts = []
    for rows in (1, 19):
        for n in range(rows):
            notify(users=[user], **VERIFIED, params={"community": f"C{n}"}, community=community)
        counts.append((queries(reverse("inbox")), queries("/api/v1/me/notifications", **auth)))
    assert counts[0] == counts[1]
