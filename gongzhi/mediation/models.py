"""What mediation stores (R5.5): confidential neighbour mediation under the People's Mediation
Law (人民调解法).

- A ``Case`` between ``Party`` rows (residents, or a resident and the property company) about a
  kind of dispute, come in from a hotline ticket (with the reporter's consent), a party's
  application or a walk-in a worker registered. ``Assignment`` rows name its mediators (they hold
  the mediation qualification); a party may refuse one and a mediator with a conflict declines
  (both end the assignment, with the reason).
- ``Sitting`` rows (调解会) keep the notes (调解笔录) that each party confirms (``Confirmation``:
  on their phone or a scanned paper signature). An ``Agreement`` (调解协议书) holds the statutory
  content (art. 29), is signed by each party (``Confirmation`` again) and the mediator and sealed
  by the committee. ``FollowUp`` visits (回访) check performance. Outcomes: agreed, not agreed
  (with referral advice), withdrawn.
- Every text a case holds and every attachment is encrypted at rest (``fields.SealedTextField``,
  ``fields.SealedFileField``) under ``MEDIATION_KEY``, which lives in the environment, never in
  the database or its backups. What stays in clear is what the statistics need and reveals no
  one: the kind, how it came in, dates, status and outcome, the follow-up's performance.
- After the retention period a case's contents are deleted (``purged_at``); the clear columns
  remain for anonymous statistics.
- ``MediationCommittee``: the community's people's mediation committee (人民调解委员会), a body of
  the bodies app, and its head, who sees every case and seals agreements.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.tenancy import TenantManager, TenantModel
from gongzhi.mediation.fields import SealedFileField, SealedTextField


class MediationCommittee(TenantModel):
    """The community's mediation committee: the body, and its head (主任) now. One per community."""

    body = models.ForeignKey("bodies.Body", on_delete=models.PROTECT, related_name="+")
    head = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    #: the committee's seal, an image (kept in clear: it is on every agreement it seals)
    seal = models.ImageField(_("seal"), upload_to="mediation/seals/", blank=True)
    #: how long a concluded case's contents are kept (days), then deleted
    retention_days = models.PositiveIntegerField(_("keep case contents for (days)"), default=1095)
    #: who named the head, and when (never the head themself)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    appointed_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["MediationCommittee"]()

    class Meta:
        verbose_name = _("mediation committee")
        verbose_name_plural = _("mediation committees")
        constraints = [
            models.UniqueConstraint(fields=["community"], name="mediation_one_committee"),
        ]


class DisputeKind(models.TextChoices):
    NOISE = "noise", _("noise")
    LEAK = "leak", _("water leaks")
    PARKING = "parking", _("parking")
    PETS = "pets", _("pets")
    SHARED_SPACE = "shared_space", _("shared spaces")
    BOUNDARY = "boundary", _("boundaries and encroachment")
    PROPERTY_SERVICE = "property_service", _("property management services")
    FAMILY = "family", _("family and neighbourhood relations")
    OTHER = "other", pgettext_lazy("dispute", "other")


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("referred from the hotline")
    APPLICATION = "application", _("a party's application")
    WALK_IN = "walk_in", _("walk-in, registered by a worker")


class CaseStatus(models.TextChoices):
    #: applied or registered; the committee has not yet accepted it (受理)
    APPLIED = "applied", _("applied")
    ACCEPTED = "accepted", _("accepted, being mediated")
    AGREED = "agreed", _("agreement reached")
    NOT_AGREED = "not_agreed", _("no agreement")
    WITHDRAWN = "withdrawn", _("withdrawn")
    #: the committee did not take it (a party refused mediation, not a matter for mediation)
    DECLINED = "declined", _("not taken up")


CONCLUDED = (CaseStatus.AGREED, CaseStatus.NOT_AGREED, CaseStatus.WITHDRAWN, CaseStatus.DECLINED)


class Case(TenantModel):
    #: ``<SLUG>-M<year>-<000001>`` (core/numbering.py)
    number = models.CharField(_("case number"), max_length=40)
    kind = models.CharField(_("kind of dispute"), max_length=20, choices=DisputeKind.choices)
    channel = models.CharField(_("came in as"), max_length=12, choices=Channel.choices)
    #: the hotline ticket it was referred from, with the reporter's consent
    ticket = models.ForeignKey(
        "feedback.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.APPLIED
    )
    #: what the dispute is about, in the applicant's or the worker's words (encrypted)
    summary = SealedTextField(_("what the dispute is about"), blank=True)
    #: for "no agreement": where the parties may go next (encrypted)
    referral_advice = SealedTextField(_("referral advice"), blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    #: the target: concluded within a month of acceptance
    due_on = models.DateField(null=True, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    #: contents deleted after the retention period; the clear columns stay for statistics
    purged_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Case"]()

    class Meta:
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="mediation_case_number"),
            models.CheckConstraint(
                condition=~Q(status__in=[c.value for c in CONCLUDED])
                | Q(concluded_at__isnull=False),
                name="mediation_concluded_has_date",
            ),
        ]
        indexes = [models.Index(fields=["community", "status", "opened_at"])]

    def __str__(self) -> str:
        return self.number


class Side(models.TextChoices):
    APPLICANT = "applicant", _("applicant")
    RESPONDENT = "respondent", _("respondent")


class Party(TenantModel):
    """One side's party: a resident (``person``) or an organisation such as the property company
    (``name`` only; its representative may be a user too)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: the name as written on the agreement; for an organisation, its name (encrypted)
    name = SealedTextField(_("name"))
    #: how to reach them when they have no account (encrypted)
    contact = SealedTextField(_("contact"), blank=True)
    #: when they agreed to mediation (人民调解 is voluntary: art. 17)
    consented_at = models.DateTimeField(null=True, blank=True)
    #: when they declined mediation (the case is then not taken up)
    refused_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Party"]()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["case", "side", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "case", "person"],
                condition=Q(person__isnull=False),
                name="mediation_party_once",
            ),
        ]


class AssignmentEnd(models.TextChoices):
    CONFLICT = "conflict", _("declined: a conflict of interest")
    REFUSED = "refused", _("refused by a party")
    REPLACED = "replaced", _("replaced by the committee")


class Assignment(TenantModel):
    """A mediator on a case, from ``assigned_at`` until ``ended_at`` (if it ended early)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    #: the committee's head (or the committee) who assigned them; a party may choose (art. 19)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=AssignmentEnd.choices, blank=True)
    #: the party who refused them, when one did
    refused_by = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantManager["Assignment"]()

    class Meta:
        verbose_name = _("mediator on a case")
        verbose_name_plural = _("mediators on cases")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "case", "mediator"],
                condition=Q(ended_at__isnull=True),
                name="mediation_assigned_once",
            ),
            # A mediator refused by a party or who declined is not assigned to that case again.
            models.UniqueConstraint(
                fields=["community", "case", "mediator"],
                condition=Q(end_reason__in=["conflict", "refused"]),
                name="mediation_refused_stays_refused",
            ),
        ]


class Sitting(TenantModel):
    """A mediation session (调解会) and its notes (调解笔录)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sittings")
    held_at = models.DateTimeField(_("held at"))
    place = SealedTextField(_("place"), blank=True)
    notes = SealedTextField(_("notes"), blank=True)
    #: a scan of the paper notes the parties signed (encrypted)
    scan = SealedFileField(_("scan of the signed notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Sitting"]()

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["case", "held_at", "pk"]


class Agreement(TenantModel):
    """调解协议书 (art. 29): the parties, the facts and responsibilities, the rights and duties
    agreed, the manner and deadline of performance; signed by the parties and the mediator,
    sealed by the committee."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="agreement")
    facts = SealedTextField(_("the facts and responsibilities"))
    terms = SealedTextField(_("the rights and duties agreed"))
    performance = SealedTextField(_("how it will be performed"))
    perform_by = models.DateField(_("performed by"))
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(default=timezone.now)
    mediator_signed_at = models.DateTimeField(null=True, blank=True)
    mediator_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sealed_at = models.DateTimeField(null=True, blank=True)
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantManager["Agreement"]()

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")


class ConfirmVia(models.TextChoices):
    PHONE = "phone", _("on their phone")
    PAPER = "paper", _("signed on paper (scanned)")


class Confirmation(TenantModel):
    """A party's confirmation of a session's notes or signature of the agreement: exactly one of
    ``sitting`` and ``agreement``."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="confirmations")
    sitting = models.ForeignKey(
        Sitting, null=True, blank=True, on_delete=models.CASCADE, related_name="confirmations"
    )
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.CASCADE, related_name="confirmations"
    )
    via = models.CharField(max_length=6, choices=ConfirmVia.choices)
    scan = SealedFileField(_("scan of the signature"), blank=True)
    #: who recorded a paper signature (the mediator); null when the party confirmed themself
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Confirmation"]()

    class Meta:
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        constraints = [
            models.CheckConstraint(
                condition=Q(sitting__isnull=False, agreement__isnull=True)
                | Q(sitting__isnull=True, agreement__isnull=False),
                name="mediation_confirms_one_thing",
            ),
            models.UniqueConstraint(
                fields=["community", "party", "sitting"],
                condition=Q(sitting__isnull=False),
                name="mediation_notes_confirmed_once",
            ),
            models.UniqueConstraint(
                fields=["community", "party", "agreement"],
                condition=Q(agreement__isnull=False),
                name="mediation_agreement_signed_once",
            ),
        ]


class Performance(models.TextChoices):
    FULL = "full", _("performed in full")
    PARTIAL = "partial", _("partly performed")
    NONE = "none", _("not performed")
    NOT_DUE = "not_due", _("not yet due")


class FollowUp(TenantModel):
    """A follow-up visit (回访) on how the agreement is performed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    visited_on = models.DateField(_("visited on"))
    performance = models.CharField(_("performance"), max_length=8, choices=Performance.choices)
    notes = SealedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["FollowUp"]()

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["case", "visited_on", "pk"]


class Attachment(TenantModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    name = SealedTextField(_("name"))
    file = SealedFileField(_("file"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Attachment"]()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
