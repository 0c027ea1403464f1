"""What volunteering stores (R4): volunteers, teams, activities and their shifts, the hours
ledger, certificates, honours, and mutual aid with its time bank.

- A ``Volunteer`` is a member of the community who registered with consent (skills, availability,
  languages, an emergency contact, insurance; a minor only with a guardian's consent), by
  themself or through a worker (代办). ``Team`` groups volunteers under leaders (``TeamMember``
  with ``leader``); a partner (共建单位) may run a team.
- A ``VolunteerActivity`` (志愿活动) has ``Shift`` rows (place, time, capacity, minimum age,
  required qualifications). A ``SignUp`` is a place on a shift or on its waiting list; arrival and
  departure are recorded on it (by a team leader or by scanning the rotating QR twice).
- ``HoursEntry`` is the hours ledger (谁记录谁证明): one row per confirmed service, written when
  the organiser confirms a sign-up's time, never by the volunteer; corrections are reversing rows
  with a reason. Database triggers refuse UPDATE and DELETE (migration 0002). Served minutes are
  kept, and the minutes credited by the community's rounding rule (``hours.py``).
- A ``Certificate`` (志愿服务证明) carries the fields of 民政部令第67号 and a signed credential (a
  W3C Verifiable Credential as a JWT, Ed25519, ``credentials.py``) under one of the community's
  ``SigningKey`` rows; old keys stay published so old certificates verify after rotation.
- Honours: star levels from confirmed hours (``VolunteeringSettings.star_hours``),
  ``RecognitionList`` (a worker proposes, a body decides), ``ThankYouNote``.
- Mutual aid: ``AidPost`` (a request or an offer), ``Exchange`` (a match both sides confirm),
  ``ExchangeReport`` (a problem for a worker). The time bank (时间银行) is a double-entry ledger:
  ``TimeAccount`` per person plus the community's account; a ``Transfer`` has movements
  (``TimeMovement``) that sum to zero. Time-bank minutes never count as service hours.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.tenancy import TenantManager, TenantModel

#: The star levels cities use (星级志愿者), in confirmed hours.
DEFAULT_STAR_HOURS = [100, 300, 600, 1000, 1500]


def seal_path(instance: VolunteeringSettings, filename: str) -> str:
    return f"volunteering/{instance.community_id}/seal/{filename}"


class VolunteeringSettings(TenantModel):
    """A community's volunteering rules: how minutes become hours, the star levels, the issuer
    named on certificates (with its seal), and the time bank's limits."""

    #: Hours are counted in units of this many minutes (30: half hours) …
    unit_minutes = models.PositiveSmallIntegerField(
        _("hours counted in units of (minutes)"), default=30
    )
    #: … and a started unit counts from this many minutes (15: under 15 → nothing, 15–44 → ½ h).
    threshold_minutes = models.PositiveSmallIntegerField(
        _("a started unit counts from (minutes)"), default=15
    )
    star_hours = models.JSONField(_("star levels (hours)"), default=list)
    issuer_name = models.CharField(_("issuing organisation"), max_length=200, blank=True)
    responsible_name = models.CharField(_("person responsible"), max_length=60, blank=True)
    seal = models.FileField(_("seal (公章) image"), upload_to=seal_path, max_length=200, blank=True)
    #: The time bank: how far a person's account may go below zero, and its ceiling.
    timebank_floor_minutes = models.IntegerField(
        _("time bank: lowest balance (minutes)"), default=-600
    )
    timebank_ceiling_minutes = models.IntegerField(
        _("time bank: highest balance (minutes)"), default=6000
    )
    timebank_starting_minutes = models.PositiveIntegerField(
        _("time bank: starting credit (minutes)"), default=120
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantManager["VolunteeringSettings"]()

    class Meta:
        verbose_name = _("volunteering settings")
        verbose_name_plural = _("volunteering settings")
        constraints = [
            models.UniqueConstraint(fields=["community"], name="volunteering_settings_once"),
            models.CheckConstraint(
                condition=Q(unit_minutes__gt=0) & Q(threshold_minutes__lte=F("unit_minutes")),
                name="volunteering_rounding_sane",
            ),
            models.CheckConstraint(
                condition=Q(timebank_floor_minutes__lte=0) & Q(timebank_ceiling_minutes__gte=0),
                name="volunteering_timebank_limits_sane",
            ),
        ]


# --- Volunteers and teams -------------------------------------------------------------------


class Volunteer(TenantModel):
    """A resident registered as a volunteer, with consent (R4.1)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    skills = models.JSONField(_("skills"), default=list, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    languages = models.CharField(_("languages"), max_length=120, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    emergency_name = models.CharField(_("emergency contact"), max_length=60)
    emergency_phone = models.CharField(_("emergency contact's phone"), max_length=20)
    insurance = models.CharField(_("insurance (insurer and policy)"), max_length=200, blank=True)
    insured_until = models.DateField(_("insured until"), null=True, blank=True)
    guardian_name = models.CharField(_("guardian"), max_length=60, blank=True)
    guardian_phone = models.CharField(_("guardian's phone"), max_length=20, blank=True)
    guardian_consent_at = models.DateTimeField(null=True, blank=True)
    #: consent to the volunteer record being kept (and exported to the national system)
    consent_at = models.DateTimeField()
    #: shown by name on public honours lists and thanks (off unless the volunteer says so)
    on_public_lists = models.BooleanField(_("show my name on public honours lists"), default=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Volunteer"]()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "person"], name="volunteer_once"),
        ]


class TeamKind(models.TextChoices):
    ENVIRONMENT = "environment", _("environment")
    PATROL = "patrol", _("safety patrol")
    NEIGHBOURS = "neighbours", _("neighbourly help")
    GARDEN = "garden", _("garden care")
    ELDERS = "elders", _("help for elderly residents")
    OTHER = "other", _("other")


class Team(TenantModel):
    """志愿服务队: volunteers under leaders; run by the community or by a partner."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("type"), max_length=20, choices=TeamKind.choices)
    description = models.TextField(_("description"), blank=True)
    partner = models.ForeignKey(
        "bodies.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Team"]()

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="team_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(TenantModel):
    """A volunteer in a team; a leader is appointed by a worker (never by themself)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="teams")
    leader = models.BooleanField(_("leader"), default=False)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantManager["TeamMember"]()

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team", "-leader", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "volunteer"],
                condition=Q(left_at__isnull=True),
                name="team_member_once",
            ),
        ]


# --- Activities and shifts ------------------------------------------------------------------


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    CANCELLED = "cancelled", _("cancelled")


class VolunteerActivity(TenantModel):
    """志愿活动: what is done (the content of service on a certificate), where, by which team;
    its organiser records and confirms the hours (谁记录谁证明)."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("content of service"))
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    place = models.CharField(_("place"), max_length=200)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organiser"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["VolunteerActivity"]()

    class Meta:
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Shift(TenantModel):
    """A stretch of an activity with its own places; the check-in target of its volunteers."""

    activity = models.ForeignKey(VolunteerActivity, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("places"))
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    #: qualification codes (declared by the learning app's manifest when it lands)
    required_qualifications = models.JSONField(
        _("required qualifications"), default=list, blank=True
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Shift"]()

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="shift_has_places"),
        ]

    def __str__(self) -> str:
        starts = timezone.localtime(self.starts_at)
        ends = timezone.localtime(self.ends_at)
        return f"{self.activity.title} · {starts:%Y-%m-%d %H:%M}–{ends:%H:%M}"

    def get_absolute_url(self) -> str:
        """The shift's page (the check-in page links back to it)."""
        return reverse(
            "volunteering_shift_detail", kwargs={"slug": self.community.slug, "shift_id": self.pk}
        )

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class SignUpStatus(models.TextChoices):
    REGISTERED = "registered", _("signed up")
    WAITLISTED = "waitlisted", _("on the waiting list")
    CANCELLED = "cancelled", _("cancelled")
    NO_SHOW = "no_show", _("did not come")


class SignUp(TenantModel):
    """A volunteer's place on a shift (or on its waiting list, promoted in order), with the
    arrival and departure recorded for it and, once confirmed, its ledger entry."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(_("status"), max_length=12, choices=SignUpStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    #: a worker who signed them up (代办); who brought them (recruited by, R8.2)
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recruited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    #: who recorded the times: the team leader or organiser, or the volunteer by scanning
    times_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    no_show_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantManager["SignUp"]()

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "volunteer"], name="signup_once"),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True)
                | Q(arrived_at__isnull=False, left_at__gt=F("arrived_at")),
                name="signup_leaves_after_arrival",
            ),
        ]


# --- The hours ledger -----------------------------------------------------------------------


class HoursEntryKind(models.TextChoices):
    SERVICE = "service", _("service")
    REVERSAL = "reversal", _("reversal")


class HoursEntry(TenantModel):
    """One confirmed service, or the reversal of one (append-only: triggers refuse UPDATE and
    DELETE). ``served_minutes`` from arrival to departure; ``credited_minutes`` after the
    community's rounding rule. A reversal carries both negated and the reason."""

    kind = models.CharField(_("kind"), max_length=10, choices=HoursEntryKind.choices)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="hours")
    activity = models.ForeignKey(VolunteerActivity, on_delete=models.PROTECT, related_name="hours")
    #: denormalised from the activity, for a team's totals from one index
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signup = models.ForeignKey(
        SignUp, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    served_on = models.DateField(_("served on"))
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    served_minutes = models.IntegerField(_("minutes served"))
    credited_minutes = models.IntegerField(_("minutes credited"))
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    #: who recorded the times, and who confirmed them (the organiser; never the volunteer)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["HoursEntry"]()

    class Meta:
        verbose_name = _("hours entry")
        verbose_name_plural = _("hours entries")
        ordering = ["served_on", "pk"]
        indexes = [
            models.Index(fields=["volunteer", "served_on"], name="hours_by_volunteer"),
            # A team's totals add up ~100,000 entries at scale: every column their query reads
            # is in the index, so PostgreSQL sums them from it alone (an index-only scan).
            models.Index(
                fields=[
                    "team",
                    "served_on",
                    "community",
                    "kind",
                    "credited_minutes",
                    "served_minutes",
                ],
                name="hours_by_team",
            ),
            models.Index(fields=["activity", "served_on"], name="hours_by_activity"),
            models.Index(fields=["community", "served_on"], name="hours_by_period"),
        ]
        constraints = [
            # One confirmed service per sign-up (a second confirmation is refused).
            models.UniqueConstraint(
                fields=["signup"], condition=Q(kind="service"), name="hours_one_per_signup"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="service",
                        reverses__isnull=True,
                        served_minutes__gte=0,
                        credited_minutes__gte=0,
                    )
                )
                | (
                    Q(
                        kind="reversal",
                        reverses__isnull=False,
                        served_minutes__lte=0,
                        credited_minutes__lte=0,
                    )
                    & ~Q(reason="")
                ),
                name="hours_entry_shape",
            ),
        ]


# --- Certificates ---------------------------------------------------------------------------


class SigningKey(TenantModel):
    """A community's Ed25519 key for credentials. The private key is stored encrypted under
    ``CREDENTIAL_KEY`` (settings, outside the database); retired keys stay, public, so every
    certificate signed with them still verifies."""

    kid = models.CharField(max_length=64, unique=True)
    public_key = models.TextField()  # PEM (SubjectPublicKeyInfo)
    private_key = models.TextField()  # PEM (PKCS#8), encrypted
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantManager["SigningKey"]()

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community"],
                condition=Q(retired_at__isnull=True),
                name="one_active_signing_key",
            ),
        ]


class Certificate(TenantModel):
    """志愿服务证明 (民政部令第67号): issued by a worker (the handler, 经办人) for a volunteer's
    confirmed hours in a period; a PDF with a QR code to its public verification page and a
    signed credential. Revoked when an entry it counted is later reversed."""

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    #: the volunteer's identity as printed (name; ID masked), frozen at issue
    holder_name = models.CharField(max_length=60)
    holder_id_masked = models.CharField(max_length=40, blank=True)
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    credited_minutes = models.IntegerField(_("minutes credited"))
    content = models.TextField(_("content of service"))
    entries = models.ManyToManyField(HoursEntry, related_name="certificates")
    issuer_name = models.CharField(_("issuing organisation"), max_length=200)
    responsible_name = models.CharField(_("person responsible"), max_length=60)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handler"),
    )
    handler_name = models.CharField(max_length=60)
    seal = models.CharField(max_length=200, blank=True)  # the seal file's name at issue
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(default=timezone.now)
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+")
    credential = models.TextField()  # the JWT (compact JWS)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    objects = TenantManager["Certificate"]()

    class Meta:
        verbose_name = _("volunteer service certificate")
        verbose_name_plural = _("volunteer service certificates")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_to__gte=F("period_from")), name="certificate_period"
            ),
        ]


# --- Honours --------------------------------------------------------------------------------


class RecognitionStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


class RecognitionList(TenantModel):
    """An annual recognition list (年度表彰): a worker proposes, a body (the council) decides."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    citation = models.TextField(_("citation"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RecognitionStatus.choices,
        default=RecognitionStatus.PROPOSED,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    body = models.ForeignKey(
        "bodies.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.ForeignKey(
        "bodies.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = TenantManager["RecognitionList"]()

    class Meta:
        verbose_name = _("recognition list")
        verbose_name_plural = _("recognition lists")
        ordering = ["-year", "-pk"]


class RecognitionEntry(TenantModel):
    """A volunteer on a list, with what they are thanked for (never their rank or hours)."""

    recognition = models.ForeignKey(
        RecognitionList, on_delete=models.CASCADE, related_name="entries"
    )
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="+")
    citation = models.CharField(_("recognised for"), max_length=300)

    objects = TenantManager["RecognitionEntry"]()

    class Meta:
        verbose_name = _("recognised volunteer")
        verbose_name_plural = _("recognised volunteers")
        ordering = ["recognition", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recognition", "volunteer"], name="recognition_once"),
        ]


class ThankYouNote(TenantModel):
    """A resident who was helped thanks a volunteer (for a shift or a mutual-aid exchange)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="thanks")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("message"), max_length=500)
    activity = models.ForeignKey(
        VolunteerActivity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    #: hidden by the volunteer or a moderator
    hidden_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["ThankYouNote"]()

    class Meta:
        verbose_name = _("thank-you note")
        verbose_name_plural = _("thank-you notes")
        ordering = ["-created_at", "-pk"]


# --- Mutual aid and the time bank -----------------------------------------------------------


class AidKind(models.TextChoices):
    REQUEST = "request", _("request for help")
    OFFER = "offer", _("offer of help")


class AidStatus(models.TextChoices):
    OPEN = "open", _("open")
    MATCHED = "matched", _("matched")
    CLOSED = "closed", _("closed")
    WITHDRAWN = "withdrawn", _("withdrawn")


class AidPost(TenantModel):
    """A verified resident asks for help ("陪老人去医院") or offers it ("修自行车")."""

    kind = models.CharField(_("kind"), max_length=10, choices=AidKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("details"), blank=True)
    when = models.CharField(_("when"), max_length=120, blank=True)
    minutes = models.PositiveIntegerField(_("time it takes (minutes)"), default=60)
    status = models.CharField(
        _("status"), max_length=12, choices=AidStatus.choices, default=AidStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["AidPost"]()

    class Meta:
        verbose_name = _("mutual-aid post")
        verbose_name_plural = _("mutual-aid posts")
        ordering = ["-created_at", "-pk"]


class ExchangeStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    AGREED = "agreed", _("agreed")
    DONE = "done", _("done")
    DISPUTED = "disputed", _("problem reported")
    CANCELLED = "cancelled", _("cancelled")


class Exchange(TenantModel):
    """A match between someone helped and someone helping; done once both confirm it, and
    then (with the time bank on) ``minutes`` move from the helped's account to the helper's."""

    post = models.ForeignKey(AidPost, on_delete=models.CASCADE, related_name="exchanges")
    helped = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=ExchangeStatus.choices, default=ExchangeStatus.PROPOSED
    )
    minutes = models.PositiveIntegerField(_("time (minutes)"))
    created_at = models.DateTimeField(default=timezone.now)
    helped_confirmed_at = models.DateTimeField(null=True, blank=True)
    helper_confirmed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Exchange"]()

    class Meta:
        verbose_name = _("mutual-aid exchange")
        verbose_name_plural = _("mutual-aid exchanges")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(helped=F("helper")), name="exchange_two_people"),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="exchange_takes_time"),
        ]


class ExchangeReport(TenantModel):
    """Either side reports a problem with an exchange; a worker deals with it."""

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("what went wrong"))
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(_("how it was resolved"), blank=True)

    objects = TenantManager["ExchangeReport"]()

    class Meta:
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")
        ordering = ["-created_at", "-pk"]


class TimeAccount(TenantModel):
    """A time-bank account: a person's, or (``owner`` empty) the community's, which grants
    starting credit. The balance is the sum of its movements: never stored, never edited."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["TimeAccount"]()

    class Meta:
        verbose_name = _("time-bank account")
        verbose_name_plural = _("time-bank accounts")
        constraints = [
            models.UniqueConstraint(fields=["community", "owner"], name="time_account_once"),
            models.UniqueConstraint(
                fields=["community"],
                condition=Q(owner__isnull=True),
                name="one_community_time_account",
            ),
        ]


class TransferKind(models.TextChoices):
    EXCHANGE = "exchange", _("exchange")
    GRANT = "grant", _("starting credit")
    REVERSAL = "reversal", _("reversal")


class Transfer(TenantModel):
    """One double-entry transfer of time: its movements sum to zero (append-only)."""

    kind = models.CharField(_("kind"), max_length=10, choices=TransferKind.choices)
    exchange = models.ForeignKey(
        Exchange, null=True, blank=True, on_delete=models.PROTECT, related_name="transfers"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Transfer"]()

    class Meta:
        verbose_name = _("time-bank transfer")
        verbose_name_plural = _("time-bank transfers")
        ordering = ["created_at", "pk"]


class TimeMovement(TenantModel):
    """One side of a transfer: minutes into (positive) or out of (negative) an account."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="movements")
    account = models.ForeignKey(TimeAccount, on_delete=models.PROTECT, related_name="movements")
    minutes = models.IntegerField()

    objects = TenantManager["TimeMovement"]()

    class Meta:
        verbose_name = _("time-bank movement")
        verbose_name_plural = _("time-bank movements")
        ordering = ["transfer", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(minutes=0), name="movement_moves_time"),
        ]
