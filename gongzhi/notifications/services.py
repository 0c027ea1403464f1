"""notify(): the one way any part of gongzhi tells a person something.

The in-app row is written in the caller's transaction; e-mail and SMS are enqueued as tasks only
once that transaction commits, so a rolled-back act never sends a message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from gongzhi.notifications.kinds import DEFAULT_CHANNELS
from gongzhi.notifications.models import ChannelPreference, Notification


def _wants(prefs: dict[tuple[int, str], bool], user_id: int, channel: str) -> bool:
    return prefs.get((user_id, channel), DEFAULT_CHANNELS[channel])


def notify(
    *,
    users: Iterable[Any],
    kind: str,
    title: Any,
    body: Any = "",
    params: Mapping[str, Any] | None = None,
    url: str = "",
    community: Any = None,
) -> list[Notification]:
    """Send ``title``/``body`` (lazy translations, %-formatted with ``params``) to ``users``,
    each in their own language."""
    from gongzhi.notifications.tasks import deliver_email, deliver_sms

    recipients = list(users)
    prefs = {
        (p.user_id, p.channel): p.enabled
        for p in ChannelPreference.objects.filter(user__in=recipients, kind=kind)
    }
    rows: list[Notification] = []
    outgoing: list[partial[Any]] = []
    for user in recipients:
        with translation.override(user.language or None):
            values = {k: str(v) for k, v in (params or {}).items()}
            subject = str(title) % values if values else str(title)
            text = (str(body) % values if values else str(body)) if body else ""
        rows.append(
            Notification(
                user=user,
                community=community,
                kind=kind,
                title=subject[:200],
                body=text,
                url=url,
                created_at=timezone.now(),
            )
        )
        message = f"{subject}\n{text}".strip()
        if user.email and _wants(prefs, user.pk, "email"):
            outgoing.append(partial(deliver_email.enqueue, user.email, subject, message))
        if user.phone and _wants(prefs, user.pk, "sms"):
            outgoing.append(partial(deliver_sms.enqueue, user.phone, f"【共治】{subject}"))
    Notification.objects.bulk_create(rows)
    for send in outgoing:
        transaction.on_commit(send)
    return rows


def notification_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())


def preference_set(*, user: Any, kind: str, channel: str, enabled: bool) -> None:
    ChannelPreference.objects.update_or_create(
        user=user, kind=kind, channel=channel, defaults={"enabled": enabled}
    )
