"""The in-app inbox and each person's choice of channels."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.notifications.rendering import Rendered, language_of, render


class Channel(models.TextChoices):
    IN_APP = "in_app", _("in the app")
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("text message (SMS)")


class Notification(models.Model):
    """One message in a person's inbox, kept as its msgids and parameters and rendered in the
    reader's language each time it is shown or sent (``rendered()``).

    ``frozen_title``/``frozen_body`` hold the text as it was frozen when sent, for rows written
    before messages were stored as msgids; new rows leave them empty. ``title``/``body`` read it
    as its recipient reads it, in their own language.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    community = models.ForeignKey(
        "core.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=60)
    #: The untranslated title and body (``context\x04msgid`` when they have a context).
    title_msgid = models.CharField(max_length=300, blank=True)
    body_msgid = models.TextField(blank=True)
    #: ``%(name)s`` values: text as given, or ``{"msgid": …}`` for one translated when shown.
    params = models.JSONField(default=dict, blank=True)
    frozen_title = models.CharField(max_length=200, blank=True, db_column="title")
    frozen_body = models.TextField(blank=True, db_column="body")
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at", "created_at"])]

    def __str__(self) -> str:
        return self.rendered().title

    def rendered(self, language: str | None = None) -> Rendered:
        """Title and body in ``language`` (default: the active one)."""
        if not self.title_msgid:
            return Rendered(self.frozen_title, self.frozen_body)
        return render(self.title_msgid, self.body_msgid, self.params, language=language)

    @property
    def title(self) -> str:
        """The title in its recipient's language."""
        return self.rendered(language_of(self.user)).title

    @title.setter
    def title(self, text: str) -> None:
        self.frozen_title, self.title_msgid = text, ""

    @property
    def body(self) -> str:
        return self.rendered(language_of(self.user)).body

    @body.setter
    def body(self, text: str) -> None:
        self.frozen_body = text


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


class Delivery(models.Model):
    """One message handed to e-mail or SMS for one person, and what became of it.

    This is the delivery log (when, to whom — masked —, which template, the provider's request
    id and BizId, the outcome, the error, the attempts) and the retry schedule: a passing
    failure leaves it ``pending`` with a ``next_attempt_at`` that backs off, and
    ``manage.py send_due_deliveries`` (or a deferred task) tries again when that time comes.

    Only what a retry needs is kept in full (``recipient``, ``subject``, ``body``, ``params``),
    and only until the message is sent. A login code is never stored: it is sent while its owner
    waits, logged with the masked number, and cannot be retried from here.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    channel = models.CharField(
        max_length=10,
        choices=[(Channel.EMAIL, Channel.EMAIL.label), (Channel.SMS, Channel.SMS.label)],
    )
    kind = models.CharField(max_length=60)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    community = models.ForeignKey(
        "core.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    recipient = models.CharField(max_length=254, blank=True)
    recipient_masked = models.CharField(max_length=254)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)
    template = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    provider_requests = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=100, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    request_id = models.CharField(max_length=100, blank=True)
    biz_id = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("message delivery")
        verbose_name_plural = _("message deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["community", "status", "created_at"], name="delivery_community"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sending", "sent", "failed"]),
                name="delivery_status_valid",
            ),
            # Waiting rows carry the time of their next try, or nothing would ever send them.
            models.CheckConstraint(
                condition=~models.Q(status__in=["pending", "sending"])
                | models.Q(next_attempt_at__isnull=False),
                name="delivery_waiting_has_next_attempt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} → {self.recipient_masked} ({self.status})"

    @property
    def can_retry(self) -> bool:
        """Not yet sent and its content still here (a login code never is)."""
        return self.status in (self.Status.PENDING, self.Status.FAILED) and bool(self.recipient)
