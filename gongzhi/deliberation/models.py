"""The deliberation hall (议事厅): proposals (提案), their supporters, comments and public timeline.

A proposal's life: draft → published (gathering support) → threshold reached → under review
(on a council agenda) → answered (accepted / rejected / merged) → implemented. Every change of
state is a ``ProposalEvent`` row, shown as the public timeline, with who decided, when and why.

Discussion: a ``Comment`` belongs to a *subject* (a generic relation), so the hall's threads,
moderation, reactions and paging serve other apps' items too — a budgeting idea has the same
discussion as a proposal. A subject is any model that declares what the hall needs of it
(``DiscussionSubject``); the hall never imports the apps that own subjects.

Moderation (R1.1): anyone logged in may flag a proposal or a comment (``Flag``, one per person
per item). Moderators hide an item with a reason its author reads; the author may appeal once
(``Appeal``, one per item); a moderator decides. Each step is a ``ModerationEvent`` row, the
item's moderation history. An "item" is a proposal (``proposal`` set) or a comment (``comment``
set), never both: a comment's subject may be something other than a proposal.
"""

from __future__ import annotations

import os
import uuid
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.tenancy import TenantManager, TenantModel


class DeliberationSettings(TenantModel):
    """How many supports put a proposal before the council, per community."""

    #: Share of the community's verified residents whose support a proposal needs (in %).
    threshold_percent = models.DecimalField(max_digits=5, decimal_places=2, default=2)
    #: …but never fewer supports than this, so a tiny community is not decided by two people.
    threshold_minimum = models.PositiveIntegerField(default=10)

    objects = TenantManager["DeliberationSettings"]()

    class Meta:
        verbose_name = _("deliberation settings")
        verbose_name_plural = _("deliberation settings")
        constraints = [
            models.UniqueConstraint(fields=["community"], name="delibsettings_one_per_community"),
            models.CheckConstraint(
                condition=Q(threshold_percent__gt=0, threshold_percent__lte=100),
                name="delibsettings_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community_id}: {self.threshold_percent}%"


class Category(TenantModel):
    name = models.CharField(_("name"), max_length=40)

    objects = TenantManager["Category"]()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="category_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Scope(models.TextChoices):
    COMMUNITY = "community", _("the whole community")
    GRID = "grid", _("a grid")
    BUILDING = "building", _("a building")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    GATHERING = "gathering", _("gathering support")
    THRESHOLD_REACHED = "threshold", _("enough support")
    UNDER_REVIEW = "review", _("on the council's agenda")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    MERGED = "merged", _("merged into another proposal")
    IMPLEMENTED = "implemented", _("implemented")
    WITHDRAWN = "withdrawn", _("withdrawn by its author")


#: States in which residents can still add or withdraw their support.
OPEN_STATES = {Status.GATHERING, Status.THRESHOLD_REACHED}
#: Answers the council or staff can give, and where each may follow from.
ANSWERS = {Status.ACCEPTED, Status.REJECTED, Status.MERGED}
TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.GATHERING, Status.WITHDRAWN},
    Status.GATHERING: {Status.THRESHOLD_REACHED, Status.UNDER_REVIEW, Status.WITHDRAWN, *ANSWERS},
    Status.THRESHOLD_REACHED: {Status.UNDER_REVIEW, *ANSWERS},
    Status.UNDER_REVIEW: set(ANSWERS),
    Status.ACCEPTED: {Status.IMPLEMENTED},
    Status.REJECTED: set(),
    Status.MERGED: set(),
    Status.IMPLEMENTED: set(),
    Status.WITHDRAWN: set(),
}


class DiscussionSubject(Protocol):
    """What the hall needs of a thing residents discuss (a proposal, a budgeting idea).

    Its discussion is shown on ``discussion_url()`` and its comments are posted and acted on
    under ``discussion_url() + "comments/"`` (``deliberation.urls.discussion_urls``). Who may
    read and comment are its own app's permissions; hiding and appeals are the hall's, by the
    hall's moderators. A subject may also have ``hidden_at`` (a hidden subject's discussion is
    closed) and needs ``community`` loaded for its URL.
    """

    pk: Any
    community_id: int
    #: rules permissions, checked with the subject: who reads it, who may comment.
    VIEW_PERMISSION: ClassVar[str]
    COMMENT_PERMISSION: ClassVar[str]
    #: the journal verb of a new comment, and the notification kind its audience receives.
    COMMENT_VERB: ClassVar[str]
    COMMENT_NOTIFICATION: ClassVar[str]

    def discussion_title(self) -> str: ...

    def discussion_url(self) -> str: ...

    def discussion_audience(self) -> models.QuerySet[Any]:
        """The users told of a new comment (the commenter is left out)."""
        ...


def subject_filter(subject: Any) -> dict[str, Any]:
    """Filter arguments for the comments of ``subject``."""
    return {"subject_type": ContentType.objects.get_for_model(subject), "subject_id": subject.pk}


class Proposal(TenantModel):
    """提案"""

    #: Whether moderation hides it from this viewer, annotated by the selectors (in SQL).
    masked: bool

    VIEW_PERMISSION = "deliberation.view_proposal"
    COMMENT_PERMISSION = "deliberation.comment"
    COMMENT_VERB = "comment.added"
    COMMENT_NOTIFICATION = "proposal_comment"

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals"
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("what and why"), max_length=5000)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL)
    scope = models.CharField(
        _("concerns"), max_length=12, choices=Scope.choices, default=Scope.COMMUNITY
    )
    grid = models.ForeignKey("core.Grid", null=True, blank=True, on_delete=models.SET_NULL)
    building = models.ForeignKey("core.Building", null=True, blank=True, on_delete=models.SET_NULL)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    support_count = models.PositiveIntegerField(default=0)
    support_threshold = models.PositiveIntegerField(default=0)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    #: Hidden by the moderators: everyone but its author and the moderators reads the reason
    #: instead of the text. A reason is required (check constraint).
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.TextField(blank=True, max_length=2000)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comments = GenericRelation(
        "deliberation.Comment",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="proposal",
    )

    objects = TenantManager["Proposal"]()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="community", grid__isnull=True, building__isnull=True)
                | Q(scope="grid", grid__isnull=False, building__isnull=True)
                | Q(scope="building", building__isnull=False, grid__isnull=True),
                name="proposal_scope_matches_place",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="proposal_point_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="proposal_merged_has_target",
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="proposal_hidden_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "published_at"]),
            models.Index(fields=["community", "author"]),
            # The index's two orders, read in index order down to the last page
            # (docs/performance.md, "Proposals").
            models.Index(fields=["community", "-published_at", "-id"], name="proposal_newest"),
            models.Index(
                fields=["community", "-support_count", "-id"], name="proposal_most_supported"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open_for_support(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def discussion_title(self) -> str:
        return self.title

    def discussion_url(self) -> str:
        return f"/c/{self.community.slug}/proposals/{self.pk}/"

    def discussion_audience(self) -> models.QuerySet[Any]:
        from gongzhi.accounts.models import User

        return User.objects.filter(
            pk__in=Follow.objects.in_community(self.community_id)
            .filter(proposal=self)
            .values("user")
        )


class Support(TenantModel):
    """One verified resident's support. The unique constraint is what makes it one."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Support"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "proposal", "user"], name="support_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.proposal_id}"


class Follow(TenantModel):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    objects = TenantManager["Follow"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "proposal", "user"], name="follow_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.proposal_id}"


class Comment(TenantModel):
    """A comment, or a reply to one (threads are one level of parent links), on a subject: a
    proposal or another app's ``DiscussionSubject``. The subject's ``GenericRelation`` deletes
    its comments with it."""

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    #: Hidden by the moderators: everyone but its author and the moderators reads the reason
    #: instead of the text. A reason is required (check constraint).
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.TextField(blank=True, max_length=2000)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantManager["Comment"]()

    class Meta:
        # Named in the reader's language where pages list kinds of things (the journal's filter).
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(
                fields=["community", "subject_type", "subject_id", "created_at"],
                name="comment_by_subject",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="comment_hidden_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.body[:40]

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ProposalEvent(TenantModel):
    """One step of the public timeline: who moved the proposal where, when, and why."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    reason = models.TextField(blank=True, max_length=5000)
    #: what the step rests on, when it is somewhere else (the meeting that decided it)
    basis_title = models.CharField(max_length=200, blank=True)
    basis_url = models.CharField(max_length=300, blank=True)

    objects = TenantManager["ProposalEvent"]()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(to_status__in=["rejected", "merged"]) | ~Q(reason=""),
                name="proposalevent_rejection_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.from_status} → {self.to_status}"


class ProposalRevision(TenantModel):
    """The text before an edit, so that supporters can see what changed after they supported."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=120)
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["ProposalRevision"]()

    def __str__(self) -> str:
        return f"{self.proposal_id} @ {self.at:%Y-%m-%d}"


# --- Moderation ------------------------------------------------------------------------------


class FlagReason(models.TextChoices):
    SPAM = "spam", _("spam or advertising")
    ABUSE = "abuse", _("abuse or insults")
    PERSONAL_DATA = "personal_data", _("other people's personal data")
    OFF_TOPIC = "off_topic", _("off topic")
    OTHER = "other", _("something else")


class FlagResolution(models.TextChoices):
    HIDDEN = "hidden", _("hidden")
    DISMISSED = "dismissed", _("dismissed")


def _names_one_item(model: str) -> models.CheckConstraint:
    """The row is about a proposal or about a comment (whatever the comment's subject)."""
    return models.CheckConstraint(
        condition=Q(proposal__isnull=False, comment__isnull=True)
        | Q(proposal__isnull=True, comment__isnull=False),
        name=f"{model}_names_one_item",
    )


def _one_per_item(fields: list[str], name: str) -> list[models.UniqueConstraint]:
    """Unique per proposal (when the item is the proposal) and per comment (when it is one)."""
    return [
        models.UniqueConstraint(
            fields=["community", "proposal", *fields],
            condition=Q(comment__isnull=True),
            name=f"{name}_proposal",
        ),
        models.UniqueConstraint(
            fields=["community", "comment", *fields],
            condition=Q(comment__isnull=False),
            name=f"{name}_comment",
        ),
    ]


class Flag(TenantModel):
    """举报: one person tells the moderators that a proposal or a comment breaks the rules."""

    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=16, choices=FlagReason.choices)
    note = models.TextField(blank=True, max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=12, choices=FlagResolution.choices, blank=True)

    objects = TenantManager["Flag"]()

    class Meta:
        constraints = [
            _names_one_item("flag"),
            *_one_per_item(["flagged_by"], "flag_one_per_person"),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(note=""), name="flag_other_has_note"
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, resolution="")
                | Q(resolved_at__isnull=False) & ~Q(resolution=""),
                name="flag_resolution_complete",
            ),
        ]
        indexes = [models.Index(fields=["community", "resolved_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.reason}: {self.proposal_id}/{self.comment_id}"


class AppealDecision(models.TextChoices):
    RESTORED = "restored", _("restored")
    KEPT_HIDDEN = "kept_hidden", _("kept hidden")


class Appeal(TenantModel):
    """申诉: the author of a hidden item asks the moderators to look again — once per item."""

    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.CASCADE, related_name="appeals"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="appeals"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=12, choices=AppealDecision.choices, blank=True)
    decision_reason = models.TextField(blank=True, max_length=2000)

    objects = TenantManager["Appeal"]()

    class Meta:
        constraints = [
            _names_one_item("appeal"),
            *_one_per_item([], "appeal_once_per_item"),
            models.CheckConstraint(condition=~Q(text=""), name="appeal_has_text"),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True, decision="")
                | Q(decided_at__isnull=False) & ~Q(decision="") & ~Q(decision_reason=""),
                name="appeal_decision_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["community", "decided_at", "created_at"])]

    def __str__(self) -> str:
        return f"appeal {self.proposal_id}/{self.comment_id}"


class ModerationStep(models.TextChoices):
    FLAGGED = "flagged", _("flagged")
    FLAGS_DISMISSED = "dismissed", _("flags dismissed")
    HIDDEN = "hidden", _("hidden by the moderators")
    APPEALED = "appealed", _("appealed by the author")
    RESTORED = "restored", _("restored after the appeal")
    KEPT_HIDDEN = "kept_hidden", _("kept hidden after the appeal")


#: Steps the item's author sees in its history. Flags (and their dismissal) stay among the
#: moderators, so that an author is not set against the neighbour who flagged them.
AUTHOR_STEPS = {
    ModerationStep.HIDDEN,
    ModerationStep.APPEALED,
    ModerationStep.RESTORED,
    ModerationStep.KEPT_HIDDEN,
}


class ModerationEvent(TenantModel):
    """One step of an item's moderation history: who did what, when, and why."""

    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.CASCADE, related_name="moderation_events"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="moderation_events"
    )
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    step = models.CharField(max_length=12, choices=ModerationStep.choices)
    #: For a flag: the reason chosen (the free text, if any, is in ``reason``).
    flag_reason = models.CharField(max_length=16, choices=FlagReason.choices, blank=True)
    reason = models.TextField(blank=True, max_length=2000)

    objects = TenantManager["ModerationEvent"]()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            _names_one_item("moderationevent"),
            models.CheckConstraint(
                condition=~Q(step__in=["hidden", "restored", "kept_hidden", "appealed"])
                | ~Q(reason=""),
                name="moderationevent_decision_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["community", "proposal", "at"])]

    def __str__(self) -> str:
        return f"{self.step}: {self.proposal_id}/{self.comment_id}"


# --- Reactions and attachments ----------------------------------------------------------------


class ReactionKind(models.TextChoices):
    AGREE = "agree", pgettext_lazy("reaction", "agree")
    THANKS = "thanks", pgettext_lazy("reaction", "thanks")
    QUESTION = "question", pgettext_lazy("reaction", "question")


REACTION_EMOJI = {ReactionKind.AGREE: "👍", ReactionKind.THANKS: "❤️", ReactionKind.QUESTION: "🤔"}


class Reaction(TenantModel):
    """A quick answer to a comment; one of each kind per person per comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReactionKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Reaction"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "comment", "user", "kind"], name="reaction_one_of_each_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.comment_id}"


def attachment_path(instance: Any, filename: str) -> str:
    """A random name: the stored path tells nothing, and the file is served only through a view
    that checks the proposal's visibility (never as a public MEDIA file)."""
    extension = os.path.splitext(filename)[1].lower()[:8]
    return f"deliberation/{instance.community_id}/{uuid.uuid4().hex}{extension}"


class Attachment(TenantModel):
    """A photo (re-encoded without EXIF) or a PDF attached to a proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Attachment"]()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
