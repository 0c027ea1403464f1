"""The in-app inbox and each person's choice of channels."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_APP = "in_app", _("in the app")
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("text message (SMS)")


class Notification(models.Model):
    """One message in a person's inbox, rendered in their language when it was sent."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    community = models.ForeignKey(
        "core.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at", "created_at"])]

    def __str__(self) -> str:
        return self.title


class ChannelPreference(models.Model):
    """Whether a person wants e-mail or SMS for one kind of notification (in-app is always on).

    No row means the default: e-mail on (when the person has an address), SMS off.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preferences"
    )
    kind = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="channelpref_unique"),
            models.CheckConstraint(
                condition=~models.Q(channel="in_app"), name="channelpref_not_in_app"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.channel}={self.enabled}"
