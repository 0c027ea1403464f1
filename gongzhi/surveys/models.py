"""What surveys store (问卷调查): the survey and its questions, its waves, who was invited and
who answered, and the answers themselves.

The questions live as one JSON definition on the survey (``definition.Definition``, the shape
that the builder, the XLSForm reader and the answering page share), edited while the survey is a
draft and frozen once it is opened: a wave's answers always refer to the questions as they were.

Anonymous answers are kept like secret ballots: a ``Receipt`` says that a person answered a
wave (so that nobody answers twice, which the database guarantees), a ``Response`` holds what
was answered, and nothing ties the two — no person, no time finer than the day, a random key.
An identified survey keeps the person on the response only when they consent to it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.paper import PaperEntryBase
from gongzhi.core.tenancy import TenantManager, TenantModel


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class Survey(TenantModel):
    """A questionnaire a community asks its residents, once or in several waves."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    form_id = models.SlugField(_("form ID"), max_length=60)
    version = models.CharField(_("version"), max_length=40, default="1")
    anonymous = models.BooleanField(_("anonymous"), default=True)
    definition = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Survey"]()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "form_id", "version"], name="survey_form_version_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class SampleKind(models.TextChoices):
    EVERYONE = "everyone", _("every verified resident")
    RANDOM = "random", _("a random sample")
    STRATIFIED = "stratified", _("a sample stratified by grid")


#: Why a round's answers are not shown yet (``Wave.closed``).
OPEN_ROUND_SEALED = _(
    "A round's answers can be read once it has closed. While answers still arrive, two "
    "downloads a minute apart would tell whose answer is new. End the round early on its page "
    "if it must be read now."
)


class Wave(TenantModel):
    """One round of a survey (基线 / 回访): the same questions asked again, so that answers can
    be compared between rounds, by person (identified, with consent) or by community."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="waves")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(_("label"), max_length=60)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    sample = models.CharField(
        _("who is asked"), max_length=12, choices=SampleKind.choices, default=SampleKind.EVERYONE
    )
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    seed = models.CharField(_("public seed"), max_length=200, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    #: The published candidate lists of a sampled wave, as drawn: ``{stratum: [line, …]}`` in
    #: their published order (one stratum, "", for a simple random sample). With the seed,
    #: anyone can repeat the draw: ``python -m gongzhi.core.lottery``.
    frame = models.JSONField(default=dict, blank=True)
    #: When those it asks were told that it is open (once; see services.waves_announce).
    announced_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantManager["Wave"]()

    class Meta:
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "survey", "position"], name="wave_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="wave_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(sample="everyone") | Q(sample_size__gt=0),
                name="wave_sample_has_size",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.label}"

    @property
    def closed(self) -> bool:
        """No answer can arrive any more. Only then are a round's answers read (results,
        downloads, comparisons): while it is open, two downloads a minute apart and the
        journal's "answered" entry between them would tell whose answer the new row is."""
        return timezone.now() >= self.closes_at or self.survey.status == Status.CLOSED


class Invitation(TenantModel):
    """A person a sampled wave asks (drawn with the public-seed lottery), and when they were
    last reminded."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField(max_length=60, blank=True)
    position = models.PositiveIntegerField()
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Invitation"]()

    class Meta:
        verbose_name = _("invitation to a survey")
        verbose_name_plural = _("invitations to a survey")
        ordering = ["wave", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "wave", "person"], name="invitation_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} asked in {self.wave_id}"


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    PAPER = "paper", _("on paper")


class Receipt(TenantModel):
    """That a person answered a wave: never what they answered."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="receipts")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=20)
    channel = models.CharField(max_length=6, choices=Channel.choices, default=Channel.ONLINE)
    answered_on = models.DateField(default=timezone.localdate)

    objects = TenantManager["Receipt"]()

    class Meta:
        verbose_name = _("survey receipt")
        verbose_name_plural = _("survey receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "wave", "person"], name="receipt_one_per_person"
            ),
            models.UniqueConstraint(
                fields=["community", "wave", "code"], name="receipt_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} answered {self.wave_id}"


class Response(TenantModel):
    """What one respondent answered in one wave: ``answers`` keyed by question name.

    Anonymous: no person, no time (the wave is the period), a random key. ``person`` is set only for an identified
    survey whose respondent consented to be linked (``consented``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    channel = models.CharField(max_length=6, choices=Channel.choices, default=Channel.ONLINE)
    answers = models.JSONField(default=dict)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consented = models.BooleanField(default=False)
    paper_serial = models.CharField(max_length=30, blank=True)

    objects = TenantManager["Response"]()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=True) | Q(consented=True),
                name="response_person_only_with_consent",
            ),
            models.UniqueConstraint(
                fields=["community", "wave", "person"],
                condition=Q(person__isnull=False),
                name="response_one_per_person",
            ),
            models.UniqueConstraint(
                fields=["community", "wave", "paper_serial"],
                condition=~Q(paper_serial=""),
                name="response_one_per_paper_sheet",
            ),
        ]

    def __str__(self) -> str:
        return str(self.pk)


class PaperEntry(PaperEntryBase):
    """One staff member's typing of one paper questionnaire (its printed serial number)."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="paper_entries")

    objects = TenantManager["PaperEntry"]()

    class Meta(PaperEntryBase.Meta):
        constraints = [PaperEntryBase.one_per_person("wave", "survey_paperentry_one_per_person")]

    def __str__(self) -> str:
        return f"{self.wave_id}/{self.serial} by {self.entered_by_id}"


class LicensedScale(TenantModel):
    """A permission-required scale's items (SCI-2), added by a community that holds the licence
    and confirmed by a second worker before any survey may use them."""

    scale = models.CharField(max_length=60)  # "slug@version" in the library
    items = models.JSONField()
    licence_note = models.TextField(_("licence"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["LicensedScale"]()

    class Meta:
        verbose_name = _("licensed scale")
        verbose_name_plural = _("licensed scales")
        constraints = [
            models.UniqueConstraint(fields=["community", "scale"], name="licensed_scale_once"),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("added_by")),
                name="licensed_scale_second_person",
            ),
        ]

    def __str__(self) -> str:
        return self.scale
