"""What notifications hold about a person (see ``core.privacy``): their inbox, their choice
of channels, and the log of e-mails and texts sent to them (``Delivery``). All serve only the
person, so erasure deletes them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.privacy import Section, rows
from gongzhi.notifications.models import ChannelPreference, Delivery, Notification

#: Every reference to a person in this app's models, each exported, erased, or kept pointing at
#: the tombstone account (a staff act: it is in the journal, which the copy holds).
#: tests/test_privacy.py fails on a reference that no app lists.
COVERS = frozenset(
    {
        "notifications.Notification.user",
        "notifications.ChannelPreference.user",
        "notifications.Delivery.user",
    }
)


def export(user: Any) -> list[Section]:
    return [
        Section(
            "notifications",
            _("My notifications"),
            rows(
                Notification.objects.filter(user=user)
                .select_related("community", "user")
                .order_by("pk"),
                community=lambda n: n.community.slug if n.community else None,
                kind="kind",
                title="title",
                body="body",
                url="url",
                created_at="created_at",
                read_at="read_at",
            ),
        ),
        Section(
            "channel_preferences",
            _("How I want to be told"),
            rows(
                ChannelPreference.objects.filter(user=user).order_by("pk"),
                kind="kind",
                channel="channel",
                enabled="enabled",
            ),
        ),
        Section(
            "deliveries",
            _("E-mails and text messages sent to me"),
            rows(
                Delivery.objects.filter(user=user).order_by("pk"),
                channel="channel",
                kind="kind",
                to="recipient_masked",
                status="status",
                attempts="attempts",
                created_at="created_at",
                sent_at="sent_at",
            ),
        ),
    ]


def erase(user: Any) -> dict[str, int]:
    return {
        "notifications": Notification.objects.filter(user=user).delete()[0],
        "channel_preferences": ChannelPreference.objects.filter(user=user).delete()[0],
        "deliveries": Delivery.objects.filter(user=user).delete()[0],
    }
