"""Notifications: inbox in the recipient's language; e-mail and SMS only after commit, by choice."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from gongzhi.notifications.models import Notification
from gongzhi.notifications.services import notify, preference_set
from tests.factories import UserFactory

VERIFIED = {"kind": "membership_verified", "message": "verified"}


@pytest.mark.django_db(transaction=True)
def test_email_is_sent_only_after_commit(sms_outbox):
    user = UserFactory(email="a@example.org")
    with transaction.atomic():
        notify(users=[user], **VERIFIED, params={"community": "幸福社区"})
        assert mail.outbox == []  # nothing leaves before the act is saved
    assert len(mail.outbox) == 1
    assert "幸福社区" in mail.outbox[0].subject
    assert sms_outbox == []  # SMS is off unless chosen


@pytest.mark.django_db(transaction=True)
def test_rolled_back_act_sends_nothing():
    user = UserFactory(email="a@example.org")
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(users=[user], **VERIFIED, params={"community": "x"})
        raise RuntimeError("the act failed")
    assert mail.outbox == []
    assert not Notification.objects.filter(user=user).exists()


@pytest.mark.django_db(transaction=True)
def test_preferences_choose_channels(sms_outbox):
    user = UserFactory(email="a@example.org")
    preference_set(user=user, kind="role_granted", channel="email", enabled=False)
    preference_set(user=user, kind="role_granted", channel="sms", enabled=True)
    notify(
        users=[user],
        kind="role_granted",
        message="granted",
        params={"role": "council member", "community": "x"},
    )
    assert mail.outbox == []
    assert [phone for phone, _text in sms_outbox] == [user.phone]


@pytest.mark.django_db
def test_each_recipient_reads_it_in_their_language():
    zh, en = UserFactory(language="zh-hans"), UserFactory(language="en")
    notify(users=[zh, en], **VERIFIED, params={"community": "C"})
    assert Notification.objects.get(user=en).title == "You are now a verified resident of C"
    assert Notification.objects.get(user=zh).title != "You are now a verified resident of C"


@pytest.mark.django_db
def test_inbox_lists_and_marks_read(client):
    user = UserFactory()
    notify(users=[user], **VERIFIED, params={"community": "C"})
    client.force_login(user)
    page = client.get(reverse("inbox")).content.decode()
    assert "C" in page and 'class="badge"' in page
    client.post(reverse("inbox_mark_read"))
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()


@pytest.mark.django_db
def test_settings_page_saves_choices(client):
    user = UserFactory(email="a@example.org")
    client.force_login(user)
    response = client.post(reverse("notification_settings"), {"vote_opened__sms": "on"})
    assert response.status_code == 302
    from gongzhi.notifications.models import ChannelPreference

    prefs = {(p.kind, p.channel): p.enabled for p in ChannelPreference.objects.filter(user=user)}
    assert prefs[("vote_opened", "sms")] is True
    assert prefs[("vote_opened", "email")] is False
