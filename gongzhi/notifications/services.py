"""notify(): the one way any part of gongzhi tells a person something, and the deliveries it
hands to e-mail and SMS.

The in-app row and a ``Delivery`` row per outside channel are written in the caller's
transaction; the deliveries are enqueued as tasks only once that transaction commits, so a
rolled-back act never sends a message. A delivery that fails for a passing reason (a timeout,
the provider's throttling, an SMTP server that is down) waits with a ``next_attempt_at`` that
doubles each time (``DELIVERY_RETRY_DELAY`` … ``DELIVERY_RETRY_DELAY_MAX``) until
``DELIVERY_MAX_ATTEMPTS``; one that fails for good (a bad number, a template the provider has
not approved) is marked failed at once. Staff see both and can send one again
(``delivery_retry_now``).
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import rules
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.manifests import notification_kinds
from gongzhi.notifications.kinds import DEFAULT_CHANNELS
from gongzhi.notifications.masking import mask_email, mask_phone
from gongzhi.notifications.models import Channel, ChannelPreference, Delivery, Notification
from gongzhi.notifications.rendering import language_of, store_params, stored_msgid
from gongzhi.notifications.sms import SmsMessage, SmsResult, get_backend

#: What one try at a delivery came to; SMS backends answer it, e-mail is wrapped into it.
Outcome = SmsResult

WAITING = (Delivery.Status.PENDING, Delivery.Status.SENDING)
SMS_BRAND = "【共治】"


def _wants(prefs: dict[tuple[int, str], bool], user_id: int, channel: str) -> bool:
    return prefs.get((user_id, channel), DEFAULT_CHANNELS[channel])


def _template(kind: str, message: str, title: str, body: str) -> tuple[str, str]:
    """The stored msgids of what to send: the kind's declared message, or free text."""
    if isinstance(title, Promise) or isinstance(body, Promise):
        raise TypeError(
            f"Declare the messages of {kind!r} in its app's NOTIFICATION_KINDS and pass "
            "message=…: a translation passed here would reach no test of its kinds."
        )
    if not message:
        if not title:
            raise ValueError("notify() needs a message of the kind, or a free-text title.")
        return title, body
    declared = notification_kinds().get(kind)
    template = declared.messages.get(message) if declared is not None else None
    if template is None:
        raise ImproperlyConfigured(
            f"Notification kind {kind!r} declares no message {message!r} (NOTIFICATION_KINDS)."
        )
    return (
        stored_msgid(template.title),
        stored_msgid(template.body) if template.body else "",
    )


def notify(
    *,
    users: Iterable[Any],
    kind: str,
    message: str = "",
    title: str = "",
    body: str = "",
    params: Mapping[str, Any] | None = None,
    url: str = "",
    community: Any = None,
) -> list[Notification]:
    """Tell ``users`` the ``message`` of ``kind`` (as its app declares it in its manifest's
    NOTIFICATION_KINDS), %-formatted with ``params``.

    Only msgids and parameters are stored; each person reads it in their own language, in the
    inbox and in the e-mail or text message, which is rendered when it is sent. ``title`` and
    ``body`` instead of ``message`` send text that is no declared message (written in its
    readers' language already), %-formatted with ``params`` in the same way.
    """
    title_msgid, body_msgid = _template(kind, message, title, body)
    stored_params = store_params(params)
    recipients = list(users)
    prefs = {
        (p.user_id, p.channel): p.enabled
        for p in ChannelPreference.objects.filter(user__in=recipients, kind=kind)
    }
    now = timezone.now()
    rows: list[Notification] = []
    outgoing: list[tuple[int, Delivery]] = []
    for user in recipients:
        rows.append(
            Notification(
                user=user,
                community=community,
                kind=kind,
                title_msgid=title_msgid,
                body_msgid=body_msgid,
                params=stored_params,
                url=url,
                created_at=now,
            )
        )
        common = {"kind": kind, "user": user, "community": community, "next_attempt_at": now}
        if user.email and _wants(prefs, user.pk, "email"):
            outgoing.append(
                (
                    len(rows) - 1,
                    Delivery(
                        channel=Channel.EMAIL,
                        recipient=user.email,
                        recipient_masked=mask_email(user.email),
                        **common,
                    ),
                )
            )
        if user.phone and _wants(prefs, user.pk, "sms"):
            outgoing.append(
                (
                    len(rows) - 1,
                    Delivery(
                        channel=Channel.SMS,
                        recipient=user.phone,
                        recipient_masked=mask_phone(user.phone),
                        **common,
                    ),
                )
            )
    Notification.objects.bulk_create(rows)
    deliveries = []
    for index, delivery in outgoing:
        delivery.notification = rows[index]
        deliveries.append(delivery)
    Delivery.objects.bulk_create(deliveries)
    ids = [d.pk for d in deliveries]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return rows


def _enqueue(ids: list[int]) -> None:
    from gongzhi.notifications.tasks import deliver

    for delivery_id in ids:
        deliver.enqueue(delivery_id)


def notification_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())


def preference_set(*, user: Any, kind: str, channel: str, enabled: bool) -> None:
    ChannelPreference.objects.update_or_create(
        user=user, kind=kind, channel=channel, defaults={"enabled": enabled}
    )


def preferences_save(*, user: Any, choices: Iterable[tuple[str, str, bool]]) -> None:
    """Save the settings page: ``(kind, channel, enabled)`` for each box it showed."""
    with transaction.atomic():
        for kind, channel, enabled in choices:
            preference_set(user=user, kind=kind, channel=channel, enabled=enabled)


# --- Deliveries ---------------------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    """How long a delivery waits after its ``attempts``-th try failed for a passing reason:
    ``DELIVERY_RETRY_DELAY`` doubled each time, at most ``DELIVERY_RETRY_DELAY_MAX``."""
    seconds = settings.DELIVERY_RETRY_DELAY * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.DELIVERY_RETRY_DELAY_MAX))


def delivery_attempt(*, delivery_id: int) -> Delivery | None:
    """Try one due delivery now. Returns it with its outcome recorded, or None when it was not
    due (sent meanwhile, not yet time, or being sent by another worker)."""
    now = timezone.now()
    # Claiming is one conditional UPDATE, so a deferred task and the periodic command never
    # send the same message twice. The claim is a lease: a worker that dies mid-send leaves
    # the row "sending" with a next_attempt_at that comes due again.
    claimed = Delivery.objects.filter(
        pk=delivery_id, status__in=WAITING, next_attempt_at__lte=now
    ).update(
        status=Delivery.Status.SENDING,
        next_attempt_at=now + timedelta(seconds=settings.DELIVERY_CLAIM_SECONDS),
        last_attempt_at=now,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("notification", "user").get(pk=delivery_id)
    content = _outgoing(delivery)
    if content is None:
        outcome = Outcome(
            ok=False,
            error_code="content_gone",
            error_message="The notification was deleted before its message was sent.",
        )
    elif delivery.channel == Channel.SMS:
        outcome = _send_sms(delivery, content)
    else:
        outcome = _send_email(delivery, content)
    return _record_outcome(delivery, outcome)


@dataclass(frozen=True)
class Outgoing:
    """What one try sends: an e-mail's subject and text, or a text message and its template
    variables."""

    subject: str
    text: str
    params: dict[str, str]


def _outgoing(delivery: Delivery) -> Outgoing | None:
    """What to send, rendered now in the recipient's language (so a person who changed their
    language before a retry reads the new one); None when its notification is gone. Deliveries
    enqueued before rendering moved here carry their frozen text."""
    if delivery.subject or delivery.body:
        params = {str(k): str(v) for k, v in (delivery.params or {}).items()}
        return Outgoing(delivery.subject, delivery.body, params)
    if delivery.notification is None:
        return None
    shown = delivery.notification.rendered(language_of(delivery.user))
    if delivery.channel == Channel.SMS:
        return Outgoing(shown.title, f"{SMS_BRAND}{shown.title}", {"title": shown.title})
    return Outgoing(shown.title, f"{shown.title}\n{shown.body}".strip(), {})


def deliveries_send_due(*, limit: int = 500) -> int:
    """Send what is due (first tries the task queue lost, and retries); returns how many were
    tried. ``manage.py send_due_deliveries`` runs this every minute."""
    due = (
        Delivery.objects.filter(status__in=WAITING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for delivery_id in list(due) if delivery_attempt(delivery_id=delivery_id))


def _send_sms(delivery: Delivery, content: Outgoing) -> Outcome:
    message = SmsMessage(
        phone=delivery.recipient,
        kind=delivery.kind,
        text=content.text,
        params=content.params,
        reference=f"gz-{delivery.pk}",
    )
    try:
        return get_backend().send(message)
    except Exception as error:  # a backend's bug must not leave the row claimed forever
        return Outcome(
            ok=False, transient=True, error_code=type(error).__name__, error_message=str(error)
        )


def _send_email(delivery: Delivery, content: Outgoing) -> Outcome:
    subject = content.subject.replace("\n", " ")[:300]
    try:
        send_mail(subject, content.text, settings.DEFAULT_FROM_EMAIL, [delivery.recipient])
    except smtplib.SMTPRecipientsRefused as error:
        return Outcome(ok=False, error_code="smtp.recipient_refused", error_message=str(error))
    except Exception as error:  # SMTP down, a timeout, the connection refused: try again later
        return Outcome(
            ok=False, transient=True, error_code=type(error).__name__, error_message=str(error)
        )
    return Outcome(ok=True)


def _record_outcome(delivery: Delivery, outcome: Outcome) -> Delivery:
    now = timezone.now()
    delivery.provider_requests += outcome.requests
    delivery.template = outcome.template or delivery.template
    delivery.request_id = outcome.request_id or delivery.request_id
    delivery.biz_id = outcome.biz_id or delivery.biz_id
    if outcome.ok:
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = now
        delivery.next_attempt_at = None
        delivery.error_code = delivery.error_message = ""
        # Sent: what only a retry needed goes (the log keeps the masked number).
        delivery.recipient = delivery.subject = delivery.body = ""
        delivery.params = {}
    else:
        delivery.error_code = outcome.error_code[:100]
        delivery.error_message = outcome.error_message[:500]
        if outcome.transient and delivery.attempts < settings.DELIVERY_MAX_ATTEMPTS:
            delivery.status = Delivery.Status.PENDING
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        else:
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = None
    delivery.save()
    if delivery.status == Delivery.Status.PENDING:
        _defer(delivery.pk, delivery.next_attempt_at)
    return delivery


def _defer(delivery_id: int, when: datetime | None) -> None:
    """With a queue that can wait (the database backend), also enqueue the retry for its time;
    ``send_due_deliveries`` sends it either way (the immediate backend cannot wait)."""
    from gongzhi.notifications.tasks import deliver

    if when is not None and deliver.get_backend().supports_defer:
        deliver.using(run_after=when).enqueue(delivery_id)


def delivery_retry_now(*, actor: Any, delivery: Delivery) -> Delivery:
    """Staff: send a failed or waiting message again now, whatever its schedule (journalled)."""
    if not rules.has_perm("notifications.retry_delivery", actor, delivery):
        raise PermissionDenied(_("You are not allowed to do this."))
    if not delivery.can_retry:
        raise ValidationError(
            _("This message cannot be sent again from here."), code="delivery_not_retryable"
        )
    with transaction.atomic():
        updated = Delivery.objects.filter(
            pk=delivery.pk,
            status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED],
        ).update(status=Delivery.Status.PENDING, next_attempt_at=timezone.now())
        if not updated:
            raise ValidationError(
                _("This message is being sent right now."), code="delivery_not_retryable"
            )
        data = {
            "channel": delivery.channel,
            "kind": delivery.kind,
            "attempts": delivery.attempts,
            "error_code": delivery.error_code,
        }
        if delivery.community is not None:
            journal.record(
                community=delivery.community,
                actor=actor,
                verb="notifications.delivery_retried",
                target=delivery,
                data=data,
            )
        else:
            journal.record_platform(
                actor=actor, verb="notifications.delivery_retried", target=delivery, data=data
            )
        delivery_id = delivery.pk
        transaction.on_commit(lambda: _enqueue([delivery_id]))
    delivery.refresh_from_db()
    return delivery


def sms_send_now(
    *, phone: str, kind: str, text: str, params: Mapping[str, str], user: Any = None
) -> Delivery:
    """Send a text while someone waits for it (a login code) and log it. Its content is not
    kept, so it is never retried from the log: the backend's own quick retries are all it gets,
    and the person asks for a new code."""
    now = timezone.now()
    delivery = Delivery(
        channel=Channel.SMS,
        kind=kind,
        user=user if getattr(user, "pk", None) else None,
        recipient_masked=mask_phone(phone),
        attempts=1,
        created_at=now,
        last_attempt_at=now,
    )
    try:
        outcome = get_backend().send(SmsMessage(phone=phone, kind=kind, text=text, params=params))
    except Exception as error:  # the person must still see the page; the log shows what broke
        outcome = Outcome(ok=False, error_code=type(error).__name__, error_message=str(error))
    delivery.provider_requests = outcome.requests
    delivery.template = outcome.template
    delivery.request_id = outcome.request_id
    delivery.biz_id = outcome.biz_id
    delivery.error_code = outcome.error_code[:100]
    delivery.error_message = outcome.error_message[:500]
    delivery.status = Delivery.Status.SENT if outcome.ok else Delivery.Status.FAILED
    delivery.sent_at = timezone.now() if outcome.ok else None
    delivery.save()
    return delivery


def deliveries_prune() -> int:
    """Forget log rows older than ``DELIVERY_LOG_DAYS`` that are done (sent or failed)."""
    cutoff = timezone.now() - timedelta(days=settings.DELIVERY_LOG_DAYS)
    done = [Delivery.Status.SENT, Delivery.Status.FAILED]
    deleted, _counts = Delivery.objects.filter(status__in=done, created_at__lt=cutoff).delete()
    return deleted
