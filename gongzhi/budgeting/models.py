"""Participatory budgeting (参与式预算): a process with dated phases, residents' ideas, their
review by a resident panel (评议小组), ballots, and the stored outcome of the count.

- ``Process`` holds the budget (whole yuan), its scope (the community or one grid), the dates
  of its phases, the ballot settings and the counting rule (``rules.py``).
- ``Idea`` is a resident's project. The panel's ``Review`` rows are private until staff publish
  a decision on the idea itself: accepted ideas, with their final cost, are the ballot's
  projects; rejected ones keep their public reason (a check constraint). Its discussion is the
  deliberation hall's: an idea is a ``DiscussionSubject`` whose comments are hall ``Comment``s
  (threads, moderation, appeals, reactions, paging).
- ``Participation`` (who voted, unique per process and voter) is kept apart from ``Ballot``
  (what was chosen, unique per process and slot): the slot is HMAC(``VOTE_KEY``, process:voter),
  as in the voting app, so a voter can change their ballot until close and only the last one
  counts, while the database alone links no voter to a choice.
- ``Tally`` stores one run of the rule: the rule, its parameters, a digest of the ballots it
  read, and the outcome with each project's explanation — reproducible from the stored ballots.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core import phases
from gongzhi.core.paper import PaperEntryBase
from gongzhi.core.tenancy import TenantManager, TenantModel


class Phase(models.TextChoices):
    ANNOUNCED = "announced", _("announced")
    IDEAS = "ideas", _("idea collection")
    REVIEW = "review", _("feasibility review")
    VOTING = "voting", _("voting")
    RESULTS = "results", _("results")
    IMPLEMENTATION = "implementation", _("implementation")
    EVALUATION = "evaluation", _("evaluation")


#: The dated phases in order, each with the field that says when it begins.
PHASE_STARTS = (
    (Phase.IDEAS, "ideas_from"),
    (Phase.REVIEW, "review_from"),
    (Phase.VOTING, "voting_from"),
    (Phase.RESULTS, "voting_until"),
    (Phase.IMPLEMENTATION, "implementation_from"),
    (Phase.EVALUATION, "evaluation_from"),
)

#: What staff set on a process: its page's form and the services share this list.
PROCESS_FIELDS = (
    "title",
    "description",
    "budget",
    "grid",
    *(field for _phase, field in PHASE_STARTS),
    "ballot_type",
    "min_projects",
    "max_projects",
    "max_total_cost",
    "points",
    "rule",
    "rank_points",
    "tie_breaking",
)


class BallotType(models.TextChoices):
    APPROVAL = "approval", _("approval: tick the projects you support")
    CUMULATIVE = "cumulative", _("cumulative: share out your points among projects")
    RANKED = "ranked", _("ranked: put projects in order of preference")
    KNAPSACK = "knapsack", _("knapsack: choose projects within the budget")


class Rule(models.TextChoices):
    GREEDY = "greedy", _("most votes first (greedy)")
    MES = "mes", _("method of equal shares, no completion")
    MES_UTILITARIAN = "mes-utilitarian", _("method of equal shares, completed by most votes")
    MES_ADD1 = (
        "mes-add1",
        _("method of equal shares, completed by raising the budget step by step (Add1)"),
    )
    MES_ADD1E = "mes-add1e", _("method of equal shares, Add1 until exhaustive")
    MES_ADD1U = "mes-add1u", _("method of equal shares, Add1 then most votes")
    PHRAGMEN = "phragmen", _("sequential Phragmén")
    GREEDY_POINTS = "greedy-points", _("most points first (ranked or cumulative ballots)")


class TieBreaking(models.TextChoices):
    VOTES = "votes,min-cost", _("more votes first, then the cheaper project")
    MIN_COST = "min-cost,votes", _("the cheaper project first, then more votes")
    MAX_COST = "max-cost,votes", _("the dearer project first, then more votes")


class Process(TenantModel):
    """参与式预算: one budget put to the residents of the community or of one grid."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    budget = models.PositiveBigIntegerField(_("budget (yuan)"))
    grid = models.ForeignKey(
        "core.Grid",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for a budget of the whole community."),
    )
    ideas_from = models.DateTimeField(_("idea collection opens"))
    review_from = models.DateTimeField(_("feasibility review begins"))
    voting_from = models.DateTimeField(_("voting opens"))
    voting_until = models.DateTimeField(_("voting closes"))
    implementation_from = models.DateTimeField(_("implementation begins"))
    evaluation_from = models.DateTimeField(_("evaluation begins"))
    ballot_type = models.CharField(
        _("ballot"), max_length=12, choices=BallotType.choices, default=BallotType.KNAPSACK
    )
    min_projects = models.PositiveIntegerField(_("fewest projects on a ballot"), default=1)
    max_projects = models.PositiveIntegerField(
        _("most projects on a ballot"), null=True, blank=True
    )
    max_total_cost = models.PositiveBigIntegerField(
        _("most total cost of a ballot (yuan)"), null=True, blank=True
    )
    points = models.PositiveIntegerField(_("points each voter shares out"), default=10)
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices, default=Rule.MES_ADD1)
    #: Counting a ranked ballot by most points first: the points of the 1st, 2nd, … choice.
    rank_points = models.CharField(
        _("points per rank"),
        max_length=60,
        blank=True,
        default="",
        help_text=_(
            "Counting a ranked ballot by most points first: the points for the 1st, 2nd, … "
            "choice, e.g. 3,2,1. Empty: as many points for a first choice as a ballot has "
            "ranks, one fewer for each rank after it."
        ),
    )
    tie_breaking = models.CharField(
        _("ties"), max_length=20, choices=TieBreaking.choices, default=TieBreaking.VOTES
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    #: The key of the ballots' pseudonyms (``VOTE_KEY_ID`` and a fingerprint), bound by the first
    #: online ballot: until voting closes, ballots are taken under that key only (voting/keys.py).
    vote_key_id = models.CharField(max_length=40, blank=True, default="", editable=False)
    vote_key_check = models.CharField(max_length=16, blank=True, default="", editable=False)

    objects = TenantManager["Process"]()

    class Meta:
        verbose_name = _("budgeting process")
        verbose_name_plural = _("budgeting processes")
        ordering = ["-ideas_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(review_from__gte=F("ideas_from"))
                & Q(voting_from__gte=F("review_from"))
                & Q(voting_until__gt=F("voting_from"))
                & Q(implementation_from__gte=F("voting_until"))
                & Q(evaluation_from__gte=F("implementation_from")),
                name="budget_phases_in_order",
            ),
            models.CheckConstraint(condition=Q(budget__gt=0), name="budget_positive"),
            models.CheckConstraint(
                condition=Q(max_projects__isnull=True) | Q(max_projects__gte=F("min_projects")),
                name="budget_ballot_bounds",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def schedule(self) -> phases.Schedule:
        """The dated phases (core/phases.py): each runs until the next one begins."""
        return phases.Schedule.contiguous(
            [(phase.value, getattr(self, field)) for phase, field in PHASE_STARTS]
        )

    def phase(self, now: datetime | None = None) -> Phase:
        return Phase(self.schedule().current_key(now, default=Phase.ANNOUNCED))

    def phase_label(self) -> str:
        return str(self.phase().label)

    def tie_criteria(self) -> list[str]:
        return self.tie_breaking.split(",")


class IdeaStatus(models.TextChoices):
    SUBMITTED = "submitted", _("waiting for review")
    ACCEPTED = "accepted", pgettext_lazy("idea", "on the ballot")
    REJECTED = "rejected", pgettext_lazy("idea", "not feasible")


class Idea(TenantModel):
    """A resident's project idea; once accepted, a project on the ballot. Residents discuss it
    in the hall's comments (``deliberation.models.DiscussionSubject``)."""

    VIEW_PERMISSION = "budgeting.view"
    COMMENT_PERMISSION = "budgeting.comment"
    COMMENT_VERB = "budget.commented"
    COMMENT_NOTIFICATION = "budget_idea_comment"

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="ideas")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=5000)
    estimated_cost = models.PositiveBigIntegerField(_("estimated cost (yuan)"))
    location = models.CharField(_("where"), max_length=200, blank=True)
    building = models.ForeignKey(
        "core.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        max_length=10, choices=IdeaStatus.choices, default=IdeaStatus.SUBMITTED
    )
    #: The cost the panel settled on; the ballot and the count use it.
    cost = models.PositiveBigIntegerField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, max_length=3000)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    #: A funded project's latest reported progress (0–100); 100 means finished.
    progress = models.PositiveSmallIntegerField(default=0)
    comments = GenericRelation(
        "deliberation.Comment",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="budget_idea",
    )

    objects = TenantManager["Idea"]()

    class Meta:
        verbose_name = _("project idea")
        verbose_name_plural = _("project ideas")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""),
                name="idea_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(cost__isnull=False),
                name="idea_accepted_has_cost",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="idea_progress_le_100"),
        ]
        indexes = [models.Index(fields=["community", "process", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def shown_cost(self) -> int:
        return self.cost if self.cost is not None else self.estimated_cost

    def discussion_title(self) -> str:
        return self.title

    def discussion_url(self) -> str:
        return f"/c/{self.community.slug}/budgets/{self.process_id}/ideas/{self.pk}/"

    def discussion_audience(self) -> models.QuerySet[Any]:
        """Its author hears of comments on their idea."""
        from gongzhi.accounts.models import User

        return User.objects.filter(pk__in=[self.author_id], is_active=True)


def photo_path(instance: Any, filename: str) -> str:
    """A random name: the file is served only through a view that checks who may see it."""
    extension = os.path.splitext(filename)[1].lower()[:8]
    return f"budgeting/{instance.community_id}/{uuid.uuid4().hex}{extension}"


class Photo(TenantModel):
    """A stored photo (re-encoded without EXIF by ``core.uploads``, saved by ``store_upload``)."""

    file = models.FileField(upload_to=photo_path, max_length=200)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["pk"]


class IdeaPhoto(Photo):
    """A photo of an idea's place."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="photos")

    objects = TenantManager["IdeaPhoto"]()

    class Meta(Photo.Meta):
        pass


class Reviewer(TenantModel):
    """A resident on a process's review panel (评议小组, R5.2), assigned by staff."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="reviewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Reviewer"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "process", "user"], name="budget_reviewer_once"
            ),
        ]


class Review(TenantModel):
    """One panel member's assessment of one idea: scores 1–5, a cost, and the reasons."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    feasibility = models.PositiveSmallIntegerField(_("feasibility (1–5)"))
    legality = models.PositiveSmallIntegerField(_("legality (1–5)"))
    cost = models.PositiveBigIntegerField(_("cost the reviewer expects (yuan)"))
    assessment = models.TextField(_("reasoned assessment"), max_length=3000)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Review"]()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "idea", "reviewer"], name="budget_review_once"
            ),
            models.CheckConstraint(
                condition=Q(feasibility__gte=1, feasibility__lte=5, legality__gte=1)
                & Q(legality__lte=5),
                name="budget_review_scores_1_5",
            ),
        ]


#: How a ballot reached the count (the ``Channel`` choices, defined with the paper entries).
CHANNELS = [("online", _("online")), ("paper", _("on paper"))]


class Participation(TenantModel):
    """Who voted in a process (not what): one row per voter, kept when they change a ballot."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="participations")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    #: ``paper``: staff gave this resident a paper ballot, so they cannot also vote online.
    channel = models.CharField(max_length=6, choices=CHANNELS, default="online")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantManager["Participation"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "process", "voter"], name="budget_one_participation"
            ),
        ]


class Ballot(TenantModel):
    """What one voter chose, under a keyed pseudonym (``slot``); the last one counts.

    ``choice`` is a list of ``[idea_id, points]`` pairs: points are 1 for approval and knapsack
    ballots, the points given for cumulative ones, and the list's order is the ranking for
    ranked ones.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="ballots")
    slot = models.CharField(max_length=64)
    choice = models.JSONField()
    channel = models.CharField(max_length=6, choices=CHANNELS, default="online")

    objects = TenantManager["Ballot"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "process", "slot"], name="budget_one_ballot"
            ),
        ]


class TallyStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be counted")
    DONE = "done", _("counted")
    FAILED = "failed", _("the count failed")


class Tally(TenantModel):
    """One run of the rule over the stored ballots, with what it needs to be run again."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="tallies")
    rule = models.CharField(max_length=20, choices=Rule.choices)
    tie_breaking = models.CharField(max_length=20)
    #: Budget, ballot type, project costs, and a SHA-256 of the ballots the run read.
    parameters = models.JSONField(default=dict)
    status = models.CharField(
        max_length=8, choices=TallyStatus.choices, default=TallyStatus.PENDING
    )
    voters = models.PositiveIntegerField(default=0)
    #: While a long count runs: about how far it is, in percent (written by the task).
    progress = models.PositiveSmallIntegerField(default=0)
    #: Per project: votes, cost, funded, the reason, and (MES) how the cost was shared.
    outcome = models.JSONField(default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Tally"]()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["community", "process", "status"])]


# --- Paper ballots (纸质选票) -----------------------------------------------------------------


class Channel(models.TextChoices):
    ONLINE = "online", CHANNELS[0][1]
    PAPER = "paper", CHANNELS[1][1]


class PaperEntry(PaperEntryBase):
    """One staff member's typing of one paper ballot (the serial is printed on the paper).

    A paper ballot counts once two different people have typed it the same way; the counted
    ``Ballot`` then has the slot ``paper:<serial>`` and the channel ``paper``.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="paper_entries")

    objects = TenantManager["PaperEntry"]()

    class Meta(PaperEntryBase.Meta):
        constraints = [PaperEntryBase.one_per_person("process", "budget_paperentry_one_per_person")]


# --- Implementation tracking (项目实施公开) ----------------------------------------------------


class Milestone(TenantModel):
    """A step of a funded project's work, with the date it is planned for and when it was done."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due = models.DateField(_("planned for"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Milestone"]()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due", "pk"]


class ProgressUpdate(TenantModel):
    """A community worker's report on a funded project: how far it is, what happened, and —
    when it is late — why, and when it should now be finished. Reports are never edited."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="progress_updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    body = models.TextField(_("what happened"), max_length=3000)
    delay_reason = models.TextField(_("reason for a delay"), blank=True, max_length=2000)
    expected_finish = models.DateField(_("now expected to be finished"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["ProgressUpdate"]()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="budget_progress_at_most_100"
            ),
        ]
        indexes = [models.Index(fields=["community", "idea", "created_at"])]


class ProgressPhoto(Photo):
    """A photo of the work, attached to a progress update."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="photos")

    objects = TenantManager["ProgressPhoto"]()

    class Meta(Photo.Meta):
        pass


class Spending(TenantModel):
    """Money spent on a funded project. Entries are never edited: a mistake is corrected by a
    new entry (a negative amount for money returned or booked twice)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="spendings")
    amount = models.BigIntegerField(_("amount (yuan)"))
    spent_on = models.DateField(_("date"))
    note = models.CharField(_("what it paid for"), max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Spending"]()

    class Meta:
        ordering = ["spent_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="budget_spending_not_zero"),
            models.CheckConstraint(condition=~Q(note=""), name="budget_spending_has_note"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("A spending entry is never changed; add a correcting entry.")
        super().save(*args, **kwargs)


class ProgressComment(TenantModel):
    """A resident's comment on how a funded project is being carried out."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="progress_comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["ProgressComment"]()

    class Meta:
        ordering = ["pk"]
