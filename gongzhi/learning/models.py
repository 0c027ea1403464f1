"""What learning stores (R8): courses that train residents, the qualifications they grant, and
what the leadership ladder needs that no other app records.

- A ``Course`` (leadership, mediation, deliberation and chairing, first aid, digital help for
  elderly residents …) has ``Trainer`` rows (a resident, a worker or a partner's person),
  ``CourseSession`` rows (checked in through the core rotating QR: ``Attendance``), ``Material`` and
  completion criteria: a share of sessions attended and, where the course says so, an
  ``Assessment`` a trainer marks (never the learner).
- An ``Enrolment`` is a place on a course or on its waiting list (promoted in order through
  ``core/places``). Completing a course grants an ``Award``: the qualification the course
  names, from a day, until a day when the course's qualification expires; renewed by a later
  award. ``Award`` rows are what ``core/qualifications.py`` asks through this app's checker.
- ``Rating``: a learner's stars for a session they attended.
- The ladder (``ladder.py``) is computed from every app's evidence; this app keeps only a
  person's choice to stay out of the workers' pipeline (``PipelineOptOut``), the worker's
  ``Invitation`` to try a role, a resident's ``InviteLink`` and the ``Connection`` rows of who
  invited, recruited or trained whom (how leadership spreads, recorded from now on).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.tenancy import TenantManager, TenantModel


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Topic(models.TextChoices):
    LEADERSHIP = "leadership", _("leadership")
    MEDIATION = "mediation", _("conflict resolution and mediation")
    CHAIRING = "chairing", _("deliberation and chairing")
    FIRST_AID = "first_aid", _("first aid")
    DIGITAL = "digital", _("digital skills for elderly residents")
    OTHER = "other", _("other")


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open for enrolment")
    FINISHED = "finished", _("finished")
    CANCELLED = "cancelled", _("cancelled")


class Course(TenantModel):
    title = models.CharField(_("title"), max_length=120)
    topic = models.CharField(pgettext_lazy("course", "topic"), max_length=20, choices=Topic.choices)
    description = models.TextField(_("description"), blank=True)
    #: the qualification completing it grants (``core/qualifications.py`` code), or ""
    qualification = models.CharField(_("qualification it grants"), max_length=40, blank=True)
    #: how long the qualification holds, in months; 0: it does not expire
    valid_months = models.PositiveSmallIntegerField(_("valid for (months)"), default=0)
    capacity = models.PositiveSmallIntegerField(_("places"))
    #: the share of the sessions a learner must attend to complete, in percent
    min_attendance = models.PositiveSmallIntegerField(_("attendance needed (%)"), default=80)
    assessed = models.BooleanField(_("a trainer marks an assessment"), default=False)
    enrol_until = models.DateField(_("enrolment closes"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CourseStatus.choices, default=CourseStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Course"]()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="course_has_places"),
            models.CheckConstraint(
                condition=Q(min_attendance__lte=100), name="course_attendance_is_a_share"
            ),
        ]
        indexes = [models.Index(fields=["community", "status", "qualification"])]

    def __str__(self) -> str:
        return self.title


class TrainerKind(models.TextChoices):
    RESIDENT = "resident", _("resident")
    WORKER = "worker", _("community worker")
    PARTNER = "partner", _("partner")


class Trainer(TenantModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="trainers")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("trainer is a"), max_length=12, choices=TrainerKind.choices)
    #: the partner (共建单位) whose person trains, for ``kind=partner``
    partner = models.ForeignKey(
        "bodies.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Trainer"]()

    class Meta:
        verbose_name = _("trainer")
        verbose_name_plural = _("trainers")
        ordering = ["course", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "person"], name="trainer_once"),
            models.CheckConstraint(
                condition=Q(kind="partner", partner__isnull=False) | ~Q(kind="partner"),
                name="trainer_partner_named",
            ),
        ]
        indexes = [models.Index(fields=["community", "person"])]


class CourseSession(TenantModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=120)
    #: who trains at this session (one of the course's trainers), if said
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["CourseSession"]()

    class Meta:
        verbose_name = _("course session")
        verbose_name_plural = _("course sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["community", "starts_at"])]

    def __str__(self) -> str:
        return self.title or str(self.course)


class Material(TenantModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=120)
    link = models.URLField(_("link"), blank=True)
    file = models.FileField(_("file"), upload_to="learning/materials/%Y/%m/", blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Material"]()

    class Meta:
        verbose_name = _("course material")
        verbose_name_plural = _("course materials")
        ordering = ["course", "pk"]


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("enrolled")
    WAITLISTED = "waitlisted", _("on the waiting list")
    CANCELLED = "cancelled", _("cancelled")
    COMPLETED = "completed", _("completed")
    NOT_COMPLETED = "not_completed", _("did not complete")


class Enrolment(TenantModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=14, choices=EnrolmentStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    #: a worker who enrolled them (代办); who brought them (recruited by, R8.2)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recruited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantManager["Enrolment"]()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "person"], name="enrolment_once"),
        ]
        indexes = [models.Index(fields=["community", "person", "status"])]


class Attendance(TenantModel):
    """A learner at a session: by scanning the session's rotating QR, or by the trainer's roll."""

    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    arrived_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantManager["Attendance"]()

    class Meta:
        verbose_name = pgettext_lazy("course", "attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once"),
        ]


class Assessment(TenantModel):
    """A trainer's mark of a learner (never the learner's own)."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="assessment")
    passed = models.BooleanField(_("passed"))
    note = models.TextField(_("note"), blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Assessment"]()

    class Meta:
        verbose_name = pgettext_lazy("course", "assessment")
        verbose_name_plural = _("assessments")


class Award(TenantModel):
    """A qualification held from ``valid_from`` until ``valid_until`` (inclusive; none: no
    expiry): from completing a course, or recorded by a worker from an outside certificate.
    Renewal is a later award of the same code; revocation keeps the row."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    qualification = models.CharField(_("qualification"), max_length=40)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    enrolment = models.OneToOneField(
        Enrolment, null=True, blank=True, on_delete=models.PROTECT, related_name="award"
    )
    #: an outside certificate (红十字会急救证 …) a worker saw, when not from a course here
    evidence = models.CharField(_("evidence"), max_length=200, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    #: the public verification page's key and the certificate's number
    token = models.CharField(max_length=32, unique=True, default=new_token)
    number = models.CharField(_("certificate number"), max_length=40, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(_("why it was revoked"), max_length=300, blank=True)

    objects = TenantManager["Award"]()

    class Meta:
        verbose_name = _("qualification held")
        verbose_name_plural = _("qualifications held")
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="award_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["community", "number"],
                condition=~Q(number=""),
                name="award_number_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "person", "qualification", "valid_from"]),
            models.Index(fields=["community", "qualification", "valid_until"]),
        ]


class Rating(TenantModel):
    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="ratings")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveSmallIntegerField(_("stars"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Rating"]()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="rating_once"),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="rating_one_to_five"
            ),
        ]


# --- The ladder and how leadership spreads ---------------------------------------------------


class PipelineOptOut(TenantModel):
    """A resident who asked not to be listed to workers as ready to lead."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["PipelineOptOut"]()

    class Meta:
        verbose_name = _("choice to stay off the pipeline")
        verbose_name_plural = _("choices to stay off the pipeline")
        constraints = [
            models.UniqueConstraint(fields=["community", "person"], name="pipelineoptout_once"),
        ]


class InvitationStatus(models.TextChoices):
    # a context of their own: "accepted" alone is another app's msgid (已采纳, a proposal adopted)
    SENT = "sent", pgettext_lazy("invitation", "sent")
    ACCEPTED = "accepted", pgettext_lazy("invitation", "accepted")
    DECLINED = "declined", pgettext_lazy("invitation", "declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("invitation", "withdrawn")


class Invitation(TenantModel):
    """A worker's invitation to a resident to try a role (chair a meeting, lead a team, train):
    ``step`` is a ``core.leadership`` step code."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    step = models.CharField(_("invited to"), max_length=60)
    message = models.TextField(_("message"), blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=InvitationStatus.choices, default=InvitationStatus.SENT
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Invitation"]()

    class Meta:
        verbose_name = _("invitation to lead")
        verbose_name_plural = _("invitations to lead")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "person", "step"],
                condition=Q(status="sent"),
                name="invitation_one_open",
            ),
        ]


class InviteLink(TenantModel):
    """A resident's personal link that brings a neighbour in (邀请链接)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=32, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["InviteLink"]()

    class Meta:
        verbose_name = _("invitation link")
        verbose_name_plural = _("invitation links")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "owner"],
                condition=Q(revoked_at__isnull=True),
                name="invitelink_one_live",
            ),
        ]


class ConnectionKind(models.TextChoices):
    INVITED = "invited", _("invited to lead")
    RECRUITED = "recruited", _("recruited")
    TRAINED = "trained", _("trained")


class Connection(TenantModel):
    """``source`` invited, recruited or trained ``target`` (how leadership spreads, R8.2):
    recorded from this app's start, never back-filled."""

    source = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("how"), max_length=12, choices=ConnectionKind.choices)
    at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Connection"]()

    class Meta:
        verbose_name = _("connection")
        verbose_name_plural = _("connections")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "source", "target", "kind"], name="connection_once"
            ),
            models.CheckConstraint(
                condition=~Q(source=F("target")), name="connection_not_to_oneself"
            ),
        ]
        indexes = [models.Index(fields=["community", "target"])]
