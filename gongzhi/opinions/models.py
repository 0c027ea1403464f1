"""Conversations (意见征集): a question, short statements residents add, and agree / disagree /
pass votes on them, from which the opinion map (意见地图, ``polis.py``) is drawn.

- ``Conversation`` is opened by a community worker, for a window of dates; the organiser chooses
  whether statements are shown before or after a moderator has looked at them, and whether
  residents who are not verified may take part (their share is marked in the results).
- ``Participant`` is a person in one conversation under a number (Polis's ``pid``): the map,
  the exports and every page speak of numbers, never of names.
- ``Statement`` (Polis's comment, ``tid`` = ``number``) and ``StatementVote``: one vote per
  participant and statement, enforced by the database; a change overwrites it.
- ``ConversationMap`` keeps the latest map and the one before it (the next update's
  ``previous``), computed by a background task (``tasks.update_map``), never in a request.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.tenancy import TenantManager, TenantModel

#: A statement is short: one thought a neighbour can agree or disagree with.
STATEMENT_MAX_LENGTH = 200
#: Room for longer statements read from Polis exports (up to ~1,200 bytes in UTF-8, which the
#: unique index on the text can hold).
STATEMENT_STORED_LENGTH = 400


class Moderation(models.TextChoices):
    BEFORE = "before", _("a moderator accepts each statement before it is shown")
    AFTER = "after", _("statements are shown at once; moderators may take them out later")


class Conversation(TenantModel):
    """议题 / 意见征集: one question put to the community."""

    question = models.CharField(_("question"), max_length=200)
    description = models.TextField(_("background"), blank=True, max_length=5000)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    moderation = models.CharField(
        _("moderation"), max_length=6, choices=Moderation.choices, default=Moderation.BEFORE
    )
    visitors_allowed = models.BooleanField(
        _("residents who are not verified may take part"), default=False
    )
    #: Read from a Polis export (a record: it opens and closes when the original did).
    imported = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Conversation"]()

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="conversation_closes_after_opening",
            ),
        ]
        indexes = [models.Index(fields=["community", "closes_at"])]

    def __str__(self) -> str:
        return self.question

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def is_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at

    def has_opened(self, now=None) -> bool:
        return (now or timezone.now()) >= self.opens_at


class Participant(TenantModel):
    """Someone taking part in one conversation, known there by a number only."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    number = models.PositiveIntegerField()
    #: Null for participants read from a Polis export.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: Took part without being a verified resident (only where the organiser allows it).
    visitor = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Participant"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "conversation", "number"], name="participant_unique_number"
            ),
            models.UniqueConstraint(
                fields=["community", "conversation", "user"],
                condition=Q(user__isnull=False),
                name="participant_one_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class StatementStatus(models.TextChoices):
    PENDING = "pending", _("waiting for a moderator")
    ACCEPTED = "accepted", pgettext_lazy("statement", "accepted")
    REJECTED = "rejected", _("taken out")


class Statement(TenantModel):
    """观点: one short statement of a conversation (Polis's comment)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="statements"
    )
    number = models.PositiveIntegerField()
    text = models.CharField(_("statement"), max_length=STATEMENT_STORED_LENGTH)
    #: Null for the organiser's seed statements.
    author = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seed = models.BooleanField(default=False)
    status = models.CharField(
        max_length=8, choices=StatementStatus.choices, default=StatementStatus.PENDING
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Statement"]()

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "conversation", "number"], name="statement_unique_number"
            ),
            models.UniqueConstraint(
                fields=["community", "conversation", "text"], name="statement_unique_text"
            ),
            # Taking a statement out needs a reason its author can read.
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="statement_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def is_shown(self, conversation: Conversation | None = None) -> bool:
        """Shown to voters: accepted, or not yet moderated where moderation comes after."""
        conversation = conversation or self.conversation
        if self.status == StatementStatus.REJECTED:
            return False
        return self.status == StatementStatus.ACCEPTED or (
            conversation.moderation == Moderation.AFTER
        )


class VoteValue(models.IntegerChoices):
    AGREE = 1, _("agree")
    DISAGREE = -1, _("disagree")
    PASS = 0, _("pass / unsure")


class StatementVote(TenantModel):
    """One participant's vote on one statement; the latest one counts."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=VoteValue.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["StatementVote"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "statement", "participant"], name="statementvote_one_each"
            ),
            models.CheckConstraint(
                condition=Q(value__in=[-1, 0, 1]), name="statementvote_value_valid"
            ),
        ]
        indexes = [models.Index(fields=["conversation", "participant"])]

    def __str__(self) -> str:
        return f"{self.participant_id} on {self.statement_id}"


class ConversationMap(TenantModel):
    """The latest opinion map of a conversation and the one before it (``mapstore`` JSON)."""

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="opinion_map"
    )
    result = models.JSONField(default=dict)
    previous = models.JSONField(default=dict)
    #: What the presentation needs besides the map: per statement its vote count and how much
    #: it divides the groups (the order of voting), visitors per group.
    summary = models.JSONField(default=dict)
    #: The votes the result was computed from (count, latest change): equal means up to date.
    fingerprint = models.CharField(max_length=100, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    updates = models.PositiveIntegerField(default=0)

    objects = TenantManager["ConversationMap"]()

    def __str__(self) -> str:
        return f"map of {self.conversation_id}"
