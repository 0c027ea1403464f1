"""Deliveries that fail are tried again on a backing-off schedule (a frozen clock shows it), give
up after the last try, and are visible to staff — only their own community's — who can send
one again now (journalled)."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
import rules
import time_machine
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from gongzhi.core.models import Activity, PlatformActivity, Role
from gongzhi.notifications.models import Delivery
from gongzhi.notifications.policies import view_delivery
from gongzhi.notifications.services import (
    deliveries_prune,
    delivery_attempt,
    notify,
    preference_set,
    retry_delay,
    sms_send_now,
)
from gongzhi.notifications.sms import SmsMessage, SmsResult
from tests.conftest import TOTP_SECRET
from tests.factories import CommunityFactory, UserFactory, member

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class FlakyEmailBackend(LocmemEmailBackend):
    """An SMTP server that is down for the next ``failures`` messages, then works."""

    failures: ClassVar[list[Exception]] = []

    def send_messages(self, messages: Any) -> int:
        if FlakyEmailBackend.failures:
            raise FlakyEmailBackend.failures.pop(0)
        return super().send_messages(messages)


class BrokenSmsBackend:
    """A gateway that refuses every number for good (as a wrong number is refused)."""

    def send(self, message: SmsMessage) -> SmsResult:
        return SmsResult(
            ok=False, error_code="isv.MOBILE_NUMBER_ILLEGAL", error_message="非法手机号"
        )


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = "tests.test_deliveries.FlakyEmailBackend"
    FlakyEmailBackend.failures = []
    yield FlakyEmailBackend.failures
    FlakyEmailBackend.failures = []


def _down(times: int) -> list[Exception]:
    return [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")] * times


def _notify(users, community=None) -> None:
    with transaction.atomic():
        notify(
            users=users,
            kind="announcement",
            title="Water off tomorrow %(when)s",
            params={"when": "8:00"},
            community=community,
        )


def _send_due() -> str:
    from io import StringIO

    out = StringIO()
    call_command("send_due_deliveries", stdout=out)
    return out.getvalue().strip()


def test_retry_delays_double_up_to_the_cap(settings):
    settings.DELIVERY_RETRY_DELAY = 60
    settings.DELIVERY_RETRY_DELAY_MAX = 3600
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]


@pytest.mark.django_db(transaction=True)
def test_failed_email_is_retried_on_schedule_then_sent(flaky_mail, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 5
    user = UserFactory(email="li.na@example.org", language="en")
    flaky_mail.extend(_down(2))
    with time_machine.travel(T0, tick=False) as clock:
        _notify([user])
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert delivery.error_code == "SMTPServerDisconnected"
        assert delivery.next_attempt_at == T0 + timedelta(seconds=60)
        assert mail.outbox == []

        clock.move_to(T0 + timedelta(seconds=59))
        assert _send_due() == "tried=0 pruned=0"  # not yet time

        clock.move_to(T0 + timedelta(seconds=60))
        assert _send_due() == "tried=1 pruned=0"
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", 2)
        assert delivery.next_attempt_at == T0 + timedelta(seconds=60 + 120)  # doubled

        clock.move_to(T0 + timedelta(seconds=179))
        assert _send_due() == "tried=0 pruned=0"
        clock.move_to(T0 + timedelta(seconds=180))
        assert _send_due() == "tried=1 pruned=0"

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert delivery.sent_at == T0 + timedelta(seconds=180)
    assert (delivery.error_code, delivery.recipient, delivery.body) == ("", "", "")
    assert delivery.recipient_masked == "l***@example.org"
    [message] = mail.outbox
    assert message.subject == "Water off tomorrow 8:00" and message.to == ["li.na@example.org"]


@pytest.mark.django_db(transaction=True)
def test_gives_up_after_the_last_attempt(flaky_mail, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 3
    user = UserFactory(email="a@example.org")
    flaky_mail.extend(_down(10))
    with time_machine.travel(T0, tick=False) as clock:
        _notify([user])
        for minutes in (1, 3, 60):
            clock.move_to(T0 + timedelta(minutes=minutes))
            _send_due()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert delivery.can_retry  # staff may still send it again
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_refused_recipient_fails_at_once(flaky_mail):
    user = UserFactory(email="nobody@example.org")
    flaky_mail.append(smtplib.SMTPRecipientsRefused({"nobody@example.org": (550, b"no")}))
    _notify([user])
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.error_code == "smtp.recipient_refused"


@pytest.mark.django_db(transaction=True)
def test_a_claimed_delivery_is_not_sent_twice(flaky_mail):
    user = UserFactory(email="a@example.org")
    flaky_mail.extend(_down(1))
    with time_machine.travel(T0, tick=False) as clock:
        _notify([user])
        delivery = Delivery.objects.get()
        clock.move_to(T0 + timedelta(minutes=5))
        # A second worker claiming the same row at the same moment finds it taken.
        Delivery.objects.filter(pk=delivery.pk).update(
            status="sending", next_attempt_at=T0 + timedelta(minutes=10)
        )
        assert delivery_attempt(delivery_id=delivery.pk) is None
        # A worker that died mid-send: its lease runs out and the row comes due again.
        clock.move_to(T0 + timedelta(minutes=10))
        assert delivery_attempt(delivery_id=delivery.pk).status == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_old_log_rows_are_pruned(settings):
    settings.DELIVERY_LOG_DAYS = 180
    with time_machine.travel(T0, tick=False) as clock:
        sms_send_now(phone="+8613800138000", kind="login_code", text="code", params={})
        clock.move_to(T0 + timedelta(days=181))
        sms_send_now(phone="+8613800138001", kind="login_code", text="code", params={})
        assert deliveries_prune() == 1
    assert Delivery.objects.get().recipient_masked == "+86 138****8001"


# --- Staff see them ---------------------------------------------------------------------------


@pytest.fixture
def failed_sms(settings, community, django_capture_on_commit_callbacks):
    """A text about ``community`` to a resident, refused by the gateway."""
    settings.SMS_BACKEND = "tests.test_deliveries.BrokenSmsBackend"
    person = member(community, phone="+8613912345678", email="")
    preference_set(user=person, kind="announcement", channel="sms", enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[person], kind="announcement", title="Water off", community=community)
    delivery = Delivery.objects.get(user=person)
    assert delivery.status == "failed"
    return delivery


@pytest.mark.django_db
def test_worker_sees_their_communitys_failed_deliveries(client, community, worker, failed_sms):
    client.force_login(worker)
    page = client.get(reverse("community_deliveries", args=[community.slug]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "+86 139****5678" in html and "+8613912345678" not in html
    assert "isv.MOBILE_NUMBER_ILLEGAL" in html and "非法手机号" in html
    assert reverse("delivery_retry", args=[failed_sms.pk]) in html
    # The same row on the page of every community they serve.
    assert "+86 139****5678" in client.get(reverse("delivery_list")).content.decode()
    # The console links to it.
    console = client.get(reverse("community_home", args=[community.slug])).content.decode()
    assert reverse("community_deliveries", args=[community.slug]) in console


@pytest.mark.django_db
def test_others_do_not_see_them(client, community, resident, failed_sms):
    other_worker = member(CommunityFactory(), Role.COMMUNITY_WORKER)
    TOTP.activate(other_worker, TOTP_SECRET)
    client.force_login(other_worker)
    assert client.get(reverse("community_deliveries", args=[community.slug])).status_code == 404
    assert "139****5678" not in client.get(reverse("delivery_list")).content.decode()
    retry = client.post(reverse("delivery_retry", args=[failed_sms.pk]))
    assert retry.status_code == 404

    client.force_login(resident)
    assert client.get(reverse("community_deliveries", args=[community.slug])).status_code == 404
    assert client.get(reverse("delivery_list")).status_code == 404
    assert client.post(reverse("delivery_retry", args=[failed_sms.pk])).status_code == 404


@pytest.mark.django_db
def test_admin_sees_login_codes_of_no_community(client, admin_user):
    sms_send_now(phone="+8613800138000", kind="login_code", text="x", params={})
    Delivery.objects.update(status="failed", error_code="isv.DAY_LIMIT_CONTROL")
    client.force_login(admin_user)
    html = client.get(reverse("delivery_list")).content.decode()
    assert "+86 138****8000" in html and "isv.DAY_LIMIT_CONTROL" in html
    assert "/retry/" not in html  # a login code is not kept, so it cannot be sent again


@pytest.mark.django_db
def test_list_page_queries_do_not_grow(client, admin_user, settings, django_assert_max_num_queries):
    for n in range(25):
        sms_send_now(phone=f"+86138001380{n:02d}", kind="login_code", text="x", params={})
    Delivery.objects.update(status="failed")
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("delivery_list")).status_code == 200


@pytest.mark.django_db
def test_retry_now_sends_and_is_journalled(
    client, community, worker, failed_sms, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "gongzhi.notifications.sms.LocmemSmsBackend"  # the number is fixed
    client.force_login(worker)
    back = reverse("community_deliveries", args=[community.slug]) + "?status=failed"
    assert client.get(reverse("delivery_retry", args=[failed_sms.pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("delivery_retry", args=[failed_sms.pk]), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    failed_sms.refresh_from_db()
    assert (failed_sms.status, failed_sms.attempts) == ("sent", 2)
    entry = Activity.objects.in_community(community).get(verb="notifications.delivery_retried")
    assert entry.actor == worker
    assert entry.data["error_code"] == "isv.MOBILE_NUMBER_ILLEGAL"
    assert entry.target_id == str(failed_sms.pk)


@pytest.mark.django_db
def test_retry_now_of_a_platform_delivery_goes_to_the_platform_journal(
    client, admin_user, django_capture_on_commit_callbacks
):
    user = UserFactory(email="a@example.org")
    notify(users=[user], kind="announcement", title="x")  # no community; not yet sent
    delivery = Delivery.objects.get(channel="email")
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("delivery_retry", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    entry = PlatformActivity.objects.get(verb="notifications.delivery_retried")
    assert entry.actor == admin_user


@pytest.mark.django_db
def test_who_sees_a_delivery_agrees_in_python_and_sql(community, worker, official, resident):
    """The rule as a predicate (a detail, retry now) and as a filter (the list) agree for
    every viewer and delivery."""
    elsewhere = CommunityFactory()
    deliveries = [
        Delivery.objects.create(channel="sms", kind="announcement", community=c, status="failed")
        for c in (community, elsewhere, None)
    ]
    admin = UserFactory(is_superuser=True)
    other_worker = member(elsewhere, Role.COMMUNITY_WORKER)
    expected = {
        worker.pk: [True, False, False],
        official.pk: [True, False, False],
        other_worker.pk: [False, True, False],
        resident.pk: [False, False, False],
        admin.pk: [True, True, True],
    }
    for viewer in (worker, official, other_worker, resident, admin, AnonymousUser()):
        seen = [rules.has_perm("notifications.retry_delivery", viewer, d) for d in deliveries]
        listed = set(
            view_delivery.filter(viewer, Delivery.objects.all()).values_list("pk", flat=True)
        )
        assert seen == [d.pk in listed for d in deliveries]
        assert seen == expected.get(viewer.pk, [False, False, False])


@pytest.mark.django_db
def test_a_confidential_kinds_deliveries_are_not_on_the_staff_log(
    client, community, worker, admin_user, failed_sms
):
    """Who receives a mediation case's news is itself confidential: its failed delivery shows
    to no worker and no admin, on the list or by its id; the others' still show."""
    from gongzhi.core.manifests import notification_kinds

    assert notification_kinds()["mediation_case"].confidential
    Delivery.objects.filter(pk=failed_sms.pk).update(kind="mediation_case")
    client.force_login(worker)
    page = client.get(reverse("community_deliveries", args=[community.slug])).content.decode()
    assert "139****5678" not in page
    assert client.post(reverse("delivery_retry", args=[failed_sms.pk])).status_code == 404
    client.force_login(admin_user)
    assert "139****5678" not in client.get(reverse("delivery_list")).content.decode()
    Delivery.objects.filter(pk=failed_sms.pk).update(kind="announcement")
    assert "139****5678" in client.get(reverse("delivery_list")).content.decode()
