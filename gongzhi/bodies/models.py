"""What self-governing bodies store (R5.1–R5.3, R2.3).

A community governs itself through bodies (居委会, 业委会, 议事会, 监督委员会, 评议小组, 楼栋长,
interest groups and the organisations it incubates). A ``Body`` has positions; a ``Mandate`` is one
person's term in one seat of a position, with how they were chosen, and the ``RoleGrant`` that the
position's role gives them for exactly the term (``core.RoleGrant.valid_from/valid_until``). Past
mandates stay. A body's ``Charter`` is versioned data — the decisions it may take, quorum,
threshold, meeting frequency, term length, how vacancies are filled, how the charter itself is
amended — and services ask it before recording a ``Decision``.

Review panels (``Panel``) are drawn by lot from a pool of volunteers under quotas (maximin,
``sortition.py``); the portfolio of panels and its SHA-256 are published before the public seed
is entered. Supervision opinions (``Opinion``) name a record and the body that must answer.
Partners live at street level, with an agreement per community.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.tenancy import TenantManager, TenantModel


class BodyKind(models.TextChoices):
    RESIDENTS_COMMITTEE = "residents_committee", _("residents' committee")
    OWNERS_COMMITTEE = "owners_committee", _("owners' committee")
    COUNCIL = "council", _("residents' council")
    SUPERVISION = "supervision", _("supervision committee")
    REVIEW_PANEL = "review_panel", _("review panel")
    BUILDING_HEADS = "building_heads", _("building and unit heads")
    INTEREST_GROUP = "interest_group", _("interest group")
    ORGANISATION = "organisation", _("resident organisation")
    #: 人民调解委员会 (People's Mediation Law art. 8): mediation's cases are its own
    MEDIATION_COMMITTEE = "mediation_committee", _("people's mediation committee")


#: Kinds whose members the supervision committee supervises: its members may hold no position
#: in them (and no community worker's role), and a supervisor raises no opinion on a body they
#: sit in.
SUPERVISED_KINDS = frozenset(
    {
        BodyKind.RESIDENTS_COMMITTEE,
        BodyKind.OWNERS_COMMITTEE,
        BodyKind.COUNCIL,
        BodyKind.BUILDING_HEADS,
    }
)


class Body(TenantModel):
    """组织: a body of the community, with its charter in force (the latest version)."""

    kind = models.CharField(_("type"), max_length=30, choices=BodyKind.choices)
    name = models.CharField(_("name"), max_length=120)
    purpose = models.TextField(_("purpose"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    dissolved_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Body"]()

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="body_name_unique"),
            # One supervision committee at a time.
            models.UniqueConstraint(
                fields=["community"],
                condition=Q(kind="supervision", dissolved_at__isnull=True),
                name="body_one_supervision_committee",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class VacancyRule(models.TextChoices):
    BY_ELECTION = "by_election", _("a by-election")
    NEXT_IN_LINE = "next_in_line", _("the next candidate of the last election")
    APPOINTMENT = "appointment", _("appointment until the next election")
    LOT = "lot", _("a draw by lot from the pool")
    LEFT_EMPTY = "left_empty", _("left empty until the next election")


class ThresholdBase(models.TextChoices):
    PRESENT = "present", _("of the members present")
    MEMBERS = "members", _("of all seated members")


class Charter(TenantModel):
    """章程: one version of a body's rules. The newest version is in force; versions are never
    changed, and a new one is adopted by a decision that meets the amendment rule of the one
    before it (the first version by whoever creates the body)."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="charters")
    version = models.PositiveIntegerField()
    #: ``[{"kind": code, "max_amount_fen": int | None, "topics": [str, …]}, …]``: the decisions
    #: this body may take (kinds from ``core.decisions.decision_kind_registry``).
    powers = models.JSONField(default=list)
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (% of seated members)"))
    threshold_percent = models.PositiveSmallIntegerField(_("votes needed to decide (%)"))
    threshold_base = models.CharField(
        max_length=10, choices=ThresholdBase.choices, default=ThresholdBase.PRESENT
    )
    amendment_percent = models.PositiveSmallIntegerField(
        _("votes needed to amend the charter (% of seated members)")
    )
    meeting_every_days = models.PositiveSmallIntegerField(_("meets at least every (days)"))
    term_months = models.PositiveSmallIntegerField(_("term of office (months)"))
    vacancy_rule = models.CharField(
        _("vacancies are filled by"), max_length=20, choices=VacancyRule.choices
    )
    #: how its meetings run (meetings app): proxies, a second sitting, notice, minutes
    proxies_allowed = models.BooleanField(_("members may vote by proxy"), default=False)
    max_proxies = models.PositiveSmallIntegerField(_("proxies one member may hold"), default=1)
    second_sitting_quorum_percent = models.PositiveSmallIntegerField(
        _("quorum of a second sitting (% of seated members; empty: none)"), null=True, blank=True
    )
    notice_days = models.PositiveSmallIntegerField(_("agenda published ahead (days)"), default=7)
    extraordinary_notice_days = models.PositiveSmallIntegerField(
        _("extraordinary meetings: agenda published ahead (days)"), default=1
    )
    minutes_objection_days = models.PositiveSmallIntegerField(
        _("days to ask for a correction of the minutes"), default=7
    )
    text = models.TextField(_("charter text"), blank=True)
    adopted_at = models.DateTimeField(default=timezone.now)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    #: the decision that adopted it (none for the first version)
    decision = models.OneToOneField(
        "bodies.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantManager["Charter"]()

    class Meta:
        verbose_name = _("charter")
        verbose_name_plural = _("charters")
        ordering = ["body", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["body", "version"], name="charter_version_unique"),
            models.CheckConstraint(
                condition=Q(quorum_percent__gte=1, quorum_percent__lte=100),
                name="charter_quorum_range",
            ),
            models.CheckConstraint(
                condition=Q(threshold_percent__gte=50, threshold_percent__lte=100),
                name="charter_threshold_range",
            ),
            models.CheckConstraint(
                condition=Q(amendment_percent__gte=50, amendment_percent__lte=100),
                name="charter_amendment_range",
            ),
            models.CheckConstraint(
                condition=Q(term_months__gte=1, meeting_every_days__gte=1),
                name="charter_term_and_frequency",
            ),
        ]


class Position(TenantModel):
    """职务: 主任, 委员, 秘书 … with its number of seats and the role it gives its holders."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="positions")
    title = models.CharField(_("title"), max_length=60)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    #: a ``core.Role`` value the holder has during the term, or "" for none
    role = models.CharField(_("role it gives"), max_length=30, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = TenantManager["Position"]()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["body", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["body", "title"], name="position_title_unique"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="position_has_seats"),
        ]

    def __str__(self) -> str:
        return self.title


class ChosenBy(models.TextChoices):
    ELECTION = "election", _("elected")
    APPOINTMENT = "appointment", _("appointed")
    LOT = "lot", _("drawn by lot")
    FOUNDING = "founding", _("founding member")


class Mandate(TenantModel):
    """任期: one person's term in one seat. Terms of one seat never overlap (the service locks
    the position); a term ended early keeps its planned end and records when and why."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="mandates")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="mandates")
    seat = models.PositiveSmallIntegerField(_("seat"))
    #: none once the holder erased their account (their membership goes; the term stays)
    membership = models.ForeignKey(
        "core.Membership", null=True, on_delete=models.SET_NULL, related_name="mandates"
    )
    #: the erased holder's tombstone account (``privacy.py``), set when the membership goes
    former_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chosen_by = models.CharField(_("chosen by"), max_length=20, choices=ChosenBy.choices)
    #: the vote that elected them (voting app), when elected
    vote = models.ForeignKey(
        "voting.Vote", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: who appointed them, or recorded the election or the draw
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(_("why the term ended early"), max_length=300, blank=True)
    role_grant = models.OneToOneField(
        "core.RoleGrant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantManager["Mandate"]()

    class Meta:
        verbose_name = _("term of office")
        verbose_name_plural = _("terms of office")
        ordering = ["body", "position__order", "seat", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="mandate_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(seat__gte=1), name="mandate_seat_positive"),
            models.CheckConstraint(
                condition=Q(chosen_by="election") | Q(vote__isnull=True),
                name="mandate_vote_only_if_elected",
            ),
        ]
        indexes = [models.Index(fields=["community", "membership"])]


class Decision(TenantModel):
    """决定: a decision a body took, checked against the charter in force when it was
    recorded: a kind the charter grants, within its ceiling and topics, with the quorum present
    and the threshold met. Meetings (a later issue) link their decisions here."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="decisions")
    charter = models.ForeignKey(Charter, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of decision"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("what was decided"), blank=True)
    amount_fen = models.BigIntegerField(null=True, blank=True)
    topic = models.CharField(_("topic"), max_length=60, blank=True)
    decided_on = models.DateField(_("decided on"))
    seated = models.PositiveSmallIntegerField(_("seated members"))
    present = models.PositiveSmallIntegerField(_("members present"))
    votes_for = models.PositiveSmallIntegerField(_("for"))
    votes_against = models.PositiveSmallIntegerField(_("against"))
    abstentions = models.PositiveSmallIntegerField(_("abstentions"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Decision"]()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(present__lte=F("seated")), name="decision_present_le_seated"
            ),
            models.CheckConstraint(
                condition=Q(votes_for__lte=F("present") - F("votes_against") - F("abstentions")),
                name="decision_votes_le_present",
            ),
            models.CheckConstraint(
                condition=Q(amount_fen__isnull=True) | Q(amount_fen__gte=0),
                name="decision_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title


# --- Incubation of resident organisations -------------------------------------------------


class Stage(models.TextChoices):
    IDEA = "idea", _("idea")
    INCUBATING = "incubating", _("incubating")
    FILED = "filed", _("filed with the street (备案)")
    ACTIVE = "active", _("active")
    DORMANT = "dormant", _("dormant")


#: The stages an organisation may move to from each (a dormant one may revive).
STAGE_STEPS = {
    Stage.IDEA: {Stage.INCUBATING, Stage.DORMANT},
    Stage.INCUBATING: {Stage.FILED, Stage.DORMANT},
    Stage.FILED: {Stage.ACTIVE, Stage.DORMANT},
    Stage.ACTIVE: {Stage.DORMANT},
    Stage.DORMANT: {Stage.INCUBATING, Stage.ACTIVE},
}


class Incubation(TenantModel):
    """孵化: a resident organisation growing from an idea. Its body (kind organisation or
    interest group) holds the founders as mandates (``ChosenBy.FOUNDING``)."""

    body = models.OneToOneField(Body, on_delete=models.CASCADE, related_name="incubation")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.IDEA)
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("mentor"),
    )
    min_founders = models.PositiveSmallIntegerField(_("founding members needed"), default=3)
    filing_number = models.CharField(_("filing number (备案号)"), max_length=60, blank=True)
    started_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Incubation"]()

    class Meta:
        verbose_name = _("incubated organisation")
        verbose_name_plural = _("incubated organisations")
        constraints = [
            models.CheckConstraint(condition=Q(min_founders__gte=1), name="incubation_founders"),
            models.CheckConstraint(
                condition=~Q(stage__in=["filed", "active"]) | ~Q(filing_number=""),
                name="incubation_filed_has_number",
            ),
        ]


class StageChange(TenantModel):
    """The organisation's history: every move between stages, by whom, why."""

    incubation = models.ForeignKey(Incubation, on_delete=models.CASCADE, related_name="changes")
    from_stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["StageChange"]()

    class Meta:
        ordering = ["incubation", "at", "pk"]


class SupportKind(models.TextChoices):
    SPACE = "space", _("space")
    GRANT = "grant", _("small grant")
    TRAINING = "training", _("training")
    ADVICE = "advice", _("advice and mentoring")
    OTHER = "other", _("other support")


class Support(TenantModel):
    """Support given to an organisation; a grant is money, so it is a ledger entry too."""

    incubation = models.ForeignKey(Incubation, on_delete=models.CASCADE, related_name="supports")
    kind = models.CharField(_("kind of support"), max_length=12, choices=SupportKind.choices)
    description = models.CharField(_("description"), max_length=300)
    amount_fen = models.BigIntegerField(null=True, blank=True)
    ledger_entry = models.OneToOneField(
        "disclosure.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    given_on = models.DateField(_("given on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantManager["Support"]()

    class Meta:
        ordering = ["incubation", "-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="grant") | Q(amount_fen__gt=0, ledger_entry__isnull=False),
                name="support_grant_in_ledger",
            ),
        ]


class AnnualReport(TenantModel):
    """年报: what an organisation did in a year, as it reports it."""

    incubation = models.ForeignKey(Incubation, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("year"))
    members = models.PositiveIntegerField(_("members at year end"))
    activities = models.PositiveIntegerField(_("activities held"))
    participants = models.PositiveIntegerField(_("people who took part"))
    text = models.TextField(_("report"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["AnnualReport"]()

    class Meta:
        ordering = ["incubation", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["incubation", "year"], name="annual_report_once"),
        ]


# --- Review panels drawn by lot (R5.2) ------------------------------------------------------


class PanelStatus(models.TextChoices):
    POOL_OPEN = "pool_open", _("taking volunteers")
    PUBLISHED = "published", _("pool closed, portfolio published")
    DRAWN = "drawn", _("drawn, assessing")
    ASSESSED = "assessed", _("assessment published")
    ANSWERED = "answered", _("answered")


class Panel(TenantModel):
    """居民评议小组: assesses one project or policy of ``reviewed_body``. Volunteers join the
    pool; when it closes the portfolio of possible panels (maximin over the quotas) and its
    SHA-256 are published; then the supervision committee enters the public seed, which picks
    one panel of the portfolio through ``core.lottery``. Drawn members hold the reviewer role
    for the panel's term (mandates of ``body``, a body of kind review panel)."""

    title = models.CharField(_("what is reviewed"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    reviewed_body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("reviewed body")
    )
    #: the panel as a body (kind review panel), created when it is drawn
    body = models.OneToOneField(
        Body, null=True, blank=True, on_delete=models.PROTECT, related_name="panel"
    )
    #: the PB process whose ideas it reviews for feasibility, if any (docs/architecture.md)
    budget_process = models.ForeignKey(
        "budgeting.Process", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seats = models.PositiveSmallIntegerField(_("seats drawn by lot"))
    #: the features volunteers declare, in order: ``["grid", "age_band", "gender", "tenure",
    #: "vulnerable"]`` or a subset
    features = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=PanelStatus.choices, default="pool_open")
    pool_closes_at = models.DateTimeField(_("pool closes"))
    ends_on = models.DateField(_("panel works until"))
    answer_days = models.PositiveSmallIntegerField(_("days the body has to answer"), default=30)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Published when the pool closes: ``{"panels": [[pseudonym, …], …], "probabilities":
    # [p, …]}`` in canonical JSON, and its SHA-256.
    portfolio = models.JSONField(null=True, blank=True)
    portfolio_sha256 = models.CharField(max_length=64, blank=True)
    min_probability = models.FloatField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    seed = models.CharField(_("public seed"), max_length=200, blank=True)
    seed_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    seed_entered_at = models.DateTimeField(null=True, blank=True)
    drawn_index = models.PositiveIntegerField(null=True, blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("the body's answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Panel"]()

    VIEW_PERMISSION = "bodies.view_panel_space"
    COMMENT_PERMISSION = "bodies.comment_panel"
    COMMENT_VERB = "panel.commented"
    COMMENT_NOTIFICATION = "panel_comment"

    class Meta:
        verbose_name = _("review panel")
        verbose_name_plural = _("review panels")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="panel_seats_positive"),
            models.CheckConstraint(
                condition=Q(seed="") | Q(portfolio_sha256__regex=r"^[0-9a-f]{64}$"),
                name="panel_seed_after_portfolio",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # deliberation.models.DiscussionSubject: the panel's closed discussion (panel_policies.py).
    def discussion_title(self) -> str:
        return self.title

    def discussion_url(self) -> str:
        return f"/c/{self.community.slug}/bodies/panels/{self.pk}/"

    def discussion_audience(self) -> models.QuerySet[Any]:
        """The panel's members with an account hear of new comments."""
        from gongzhi.accounts.models import User

        members = self.members.filter(user__isnull=False).values("user")
        return User.objects.filter(pk__in=members, is_active=True)


class PoolEntry(TenantModel):
    """A volunteer in a panel's pool, with the features they declared with consent; the
    pseudonym is what the published portfolio and probabilities show."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="pool")
    membership = models.ForeignKey("core.Membership", on_delete=models.CASCADE, related_name="+")
    features = models.JSONField(default=dict)
    consented_at = models.DateTimeField()
    joined_at = models.DateTimeField(default=timezone.now)
    pseudonym = models.CharField(max_length=12)
    probability = models.FloatField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["PoolEntry"]()

    class Meta:
        ordering = ["panel", "pseudonym"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "membership"], name="pool_entry_once"),
            models.UniqueConstraint(fields=["panel", "pseudonym"], name="pool_pseudonym_unique"),
        ]


class Quota(TenantModel):
    """At least ``minimum`` and at most ``maximum`` of the drawn seats with ``feature=value``."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="quotas")
    feature = models.CharField(max_length=30)
    value = models.CharField(max_length=60)
    minimum = models.PositiveSmallIntegerField()
    maximum = models.PositiveSmallIntegerField()

    objects = TenantManager["Quota"]()

    class Meta:
        ordering = ["panel", "feature", "value"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "feature", "value"], name="quota_unique"),
            models.CheckConstraint(condition=Q(minimum__lte=F("maximum")), name="quota_min_le_max"),
        ]


class SeatKind(models.TextChoices):
    DRAWN = "drawn", _("drawn by lot")
    EXPERT = "expert", _("invited expert")
    STAKEHOLDER = "stakeholder", _("invited stakeholder")


class PanelMember(TenantModel):
    """Who sits on a panel: drawn residents, and invited experts and stakeholders marked as
    such (an invited person may have no account: then only the name)."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    kind = models.CharField(max_length=12, choices=SeatKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)

    objects = TenantManager["PanelMember"]()

    class Meta:
        ordering = ["panel", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "user"], condition=Q(user__isnull=False), name="panel_member_once"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="panel_member_named"
            ),
        ]


def document_path(instance: Any, filename: str) -> str:
    """A random name: documents are served only through a view that checks who may see them."""
    extension = os.path.splitext(filename)[1].lower()[:8]
    return f"bodies/{instance.community_id}/{uuid.uuid4().hex}{extension}"


class PanelDocument(TenantModel):
    """A document in the panel's own space (plans, budgets, site photos)."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=document_path, max_length=200)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["PanelDocument"]()

    class Meta:
        ordering = ["panel", "-uploaded_at", "-pk"]


# --- The supervision committee (R5.3) -----------------------------------------------------


class Opinion(TenantModel):
    """监督意见: a supervisor's opinion on a decision or record; the responsible body answers
    by the deadline. Both are public unless private data is involved."""

    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="opinions", verbose_name=_("responsible body")
    )
    #: what it is about: a journal entry's verb and target, or a free reference
    subject = models.CharField(_("about"), max_length=200)
    subject_url = models.CharField(max_length=300, blank=True)
    activity = models.ForeignKey(
        "core.Activity", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="opinions"
    )
    text = models.TextField(_("opinion"))
    private = models.BooleanField(_("involves private data (not published)"), default=False)
    due_on = models.DateField(_("answer due by"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Opinion"]()

    class Meta:
        verbose_name = _("supervision opinion")
        verbose_name_plural = _("supervision opinions")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="opinion_answer_has_text",
            ),
        ]


# --- Partners (R2.3) ----------------------------------------------------------------------


class PartnerKind(models.TextChoices):
    SOCIAL_ORGANISATION = "social_organisation", _("social organisation")
    BUSINESS = "business", _("business")
    GOVERNMENT = "government", _("government body")
    VOLUNTEER_TEAM = "volunteer_team", _("volunteer team")


class Partner(models.Model):
    """共建单位: lives at street level and works with several of its communities."""

    street = models.ForeignKey("core.Street", on_delete=models.CASCADE, related_name="partners")
    kind = models.CharField(_("type"), max_length=30, choices=PartnerKind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="partner_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Agreement(TenantModel):
    """共建协议: what a partner does in one community, and for how long."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agreements")
    scope = models.TextField(_("scope"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    document = models.FileField(upload_to=document_path, max_length=200, blank=True)
    document_name = models.CharField(max_length=120, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Agreement"]()

    class Meta:
        verbose_name = _("partnership agreement")
        verbose_name_plural = _("partnership agreements")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="agreement_ends_after_start"
            ),
        ]


class PartnerService(TenantModel):
    """A service a partner offers the community's residents under an agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="services")
    title = models.CharField(_("service"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(default=True)

    objects = TenantManager["PartnerService"]()

    class Meta:
        ordering = ["agreement", "title", "pk"]


class ContributionKind(models.TextChoices):
    MONEY = "money", _("money")
    IN_KIND = "in_kind", _("in kind")


class Contribution(TenantModel):
    """What a partner gave the community; money goes through the finance ledger."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="contributions")
    kind = models.CharField(_("kind"), max_length=10, choices=ContributionKind.choices)
    description = models.CharField(_("description"), max_length=300)
    value_fen = models.BigIntegerField(_("value (fen)"), null=True, blank=True)
    ledger_entry = models.OneToOneField(
        "disclosure.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    given_on = models.DateField(_("given on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantManager["Contribution"]()

    class Meta:
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="money") | Q(value_fen__gt=0, ledger_entry__isnull=False),
                name="contribution_money_in_ledger",
            ),
        ]


class ServiceRating(TenantModel):
    """A resident's rating of a partner's service, once per person (changeable)."""

    service = models.ForeignKey(PartnerService, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveSmallIntegerField(_("rating"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["ServiceRating"]()

    class Meta:
        ordering = ["service", "-rated_at"]
        constraints = [
            models.UniqueConstraint(fields=["service", "user"], name="service_rating_once"),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="service_rating_range"
            ),
        ]
