"""The feedback hotline (接诉即办, R3.2): residents' tickets, their categories and deadlines, who
handles them, their public timeline and the residents' rating.

- ``Category`` is one of the community's kinds of request, with a stable ``code`` (also the
  Open311 ``service_code``), its deadlines (respond within hours, resolve within days) and the
  department that takes it by default. ``services.categories_install_defaults`` creates the
  default set that the router's vocabulary (``lexicon.py``) knows.
- ``Department`` is a team (property office, grid workers, …); its ``Handler`` rows are the
  people who handle tickets.
- ``Ticket``: what a resident (or a community worker for them, 代办) reported, numbered per
  community, with where, whether it may be shown publicly (never with personal details), the
  router's prediction, its routing state, its status in ``TRANSITIONS``, its deadlines and the
  time of each step (statistics read response and resolution times from them).
- ``TicketEvent`` is the timeline, public or internal; ``Follower`` the people kept informed
  (the reporter, and the reporters of merged duplicates); ``Rating`` the reporter's verdict
  (solved or not, satisfaction 1–5: the 解决率 and 满意率 of city hotlines), one per ticket.
- ``StoredRouter`` keeps the community's trained router (bytes from ``classify.Router.to_bytes``,
  loaded without pickle); ``RoutingCorrection`` is every staff override, the router's labelled
  history.
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
from django.utils.translation import pgettext_lazy

from gongzhi.core.tenancy import TenantManager, TenantModel

#: The longest ticket text (the router reads at most this much as well).
MAX_TEXT = 2000


class Department(TenantModel):
    """A team that handles tickets: the property office, the grid workers, the repair crew."""

    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Department"]()

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="feedback_department_name")
        ]

    def __str__(self) -> str:
        return self.name


class Handler(TenantModel):
    """A person in a department who handles tickets (处置人)."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="handlers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Handler"]()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["department", "user"], name="feedback_handler_once")
        ]
        indexes = [models.Index(fields=["community", "user"])]


class Category(TenantModel):
    """One kind of request (工单分类) of a community, with its deadlines."""

    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("Stable short name, also the Open311 service code."),
    )
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=300, blank=True)
    #: Extra words for the router (space-separated), for a community's own categories.
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    respond_within_hours = models.PositiveIntegerField(_("respond within (hours)"), default=24)
    resolve_within_days = models.PositiveIntegerField(_("resolve within (days)"), default=7)
    department = models.ForeignKey(
        Department,
        verbose_name=_("default department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="categories",
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = TenantManager["Category"]()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="feedback_category_code"),
            models.CheckConstraint(
                condition=Q(respond_within_hours__gt=0) & Q(resolve_within_days__gt=0),
                name="feedback_category_deadlines_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("ticket", "submitted")
    ACCEPTED = "accepted", pgettext_lazy("ticket", "accepted")
    IN_PROGRESS = "in_progress", pgettext_lazy("ticket", "in progress")
    RESOLVED = "resolved", pgettext_lazy("ticket", "resolved")
    CLOSED = "closed", pgettext_lazy("ticket", "closed")


#: status -> the statuses a ticket may move to from it (merging closes from any open status).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.ACCEPTED, Status.CLOSED}),
    Status.ACCEPTED: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED}),
    Status.IN_PROGRESS: frozenset({Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
}
OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS)


class Routing(models.TextChoices):
    AUTO = "auto", _("routed automatically")
    TRIAGE = "triage", _("waiting for a person to choose the category")
    OVERRIDDEN = "overridden", _("category chosen by staff")
    CHOSEN = "chosen", _("category chosen by the reporter")


class Contact(models.TextChoices):
    IN_APP = "in_app", _("messages on the platform")
    PHONE = "phone", _("a phone call")
    NONE = "none", _("do not contact me")


class Ticket(TenantModel):
    """工单: one problem or request a resident reported to the hotline."""

    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("what happened"), max_length=MAX_TEXT)
    # Where: a building and unit, a map point, or a few words (all optional).
    building = models.ForeignKey(
        "core.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.CharField(_("unit or spot"), max_length=60, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    is_public = models.BooleanField(_("may be shown publicly"), default=False)
    contact = models.CharField(
        _("how to contact you"), max_length=8, choices=Contact.choices, default=Contact.IN_APP
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The community worker who filed it for the reporter (代办), if any.
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    predicted_category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confidence = models.FloatField(null=True, blank=True)
    routing = models.CharField(max_length=10, choices=Routing.choices, default=Routing.TRIAGE)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    respond_by = models.DateTimeField(null=True, blank=True)
    resolve_by = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    #: The handler's answer when resolving (public on a public ticket).
    resolution = models.TextField(_("answer"), max_length=MAX_TEXT, blank=True)
    # Deadline reminders and escalations, each sent once (manage.py hotline_deadlines).
    respond_reminded_at = models.DateTimeField(null=True, blank=True)
    resolve_reminded_at = models.DateTimeField(null=True, blank=True)
    respond_escalated_at = models.DateTimeField(null=True, blank=True)
    resolve_escalated_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Ticket"]()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="feedback_ticket_number"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="feedback_ticket_point",
            ),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1),
                name="feedback_ticket_confidence",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "in_progress", "resolved"])
                | Q(accepted_at__isnull=False),
                name="feedback_ticket_accepted_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_at__isnull=False),
                name="feedback_ticket_resolved_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="feedback_ticket_closed_at",
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=F("pk")), name="feedback_ticket_not_own_duplicate"
            ),
        ]
        indexes = [
            # The staff queue and the lists: by status, newest first. Each list orders by
            # (-created_at, -id) and its index ends with both, so the ids of a deep page come
            # from the index alone (an index-only scan, no heap visits, no extra sort).
            models.Index(fields=["community", "status", "-created_at", "-id"]),
            models.Index(fields=["community", "-created_at", "-id"]),
            models.Index(fields=["community", "category", "-created_at", "-id"]),
            # The statistics' refresh finds the tickets changed since it last ran.
            models.Index(fields=["community", "updated_at"]),
            models.Index(fields=["community", "routing", "status"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["reporter", "-created_at"]),
            # The public list: public tickets only.
            models.Index(
                fields=["community", "-created_at", "-id"],
                condition=Q(is_public=True),
                name="feedback_ticket_public",
            ),
            # The deadline command and the overdue queue read open tickets by deadline.
            models.Index(
                fields=["respond_by"],
                condition=Q(status="submitted"),
                name="feedback_ticket_respond_due",
            ),
            models.Index(
                fields=["resolve_by"],
                condition=Q(status__in=["submitted", "accepted", "in_progress"]),
                name="feedback_ticket_resolve_due",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The number residents quote on the phone: 工单号."""
        return f"#{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def escalated(self) -> bool:
        return self.respond_escalated_at is not None or self.resolve_escalated_at is not None

    def overdue(self, now: Any = None) -> bool:
        now = now or timezone.now()
        if self.status == Status.SUBMITTED and self.respond_by and self.respond_by < now:
            return True
        return bool(self.is_open and self.resolve_by and self.resolve_by < now)


class TicketCounter(TenantModel):
    """The last ticket number given out in a community (numbers are per community)."""

    last = models.PositiveIntegerField(default=0)

    objects = TenantManager["TicketCounter"]()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community"], name="feedback_counter_once")]


def photo_path(instance: Any, filename: str) -> str:
    """A random name: the file is served only through a view that checks who may see it."""
    extension = os.path.splitext(filename)[1].lower()[:8]
    return f"feedback/{instance.community_id}/{uuid.uuid4().hex}{extension}"


class TicketPhoto(TenantModel):
    """A photo of the problem (re-encoded without EXIF by ``core.uploads``)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path, max_length=200)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    objects = TenantManager["TicketPhoto"]()

    class Meta:
        ordering = ["pk"]


class EventKind(models.TextChoices):
    FILED = "filed", _("reported")
    ROUTED = "routed", _("categorised")
    RECATEGORISED = "recategorised", _("category changed")
    ACCEPTED = "accepted", pgettext_lazy("ticket", "accepted")
    ASSIGNED = "assigned", _("assigned")
    STARTED = "started", _("work started")
    RESOLVED = "resolved", pgettext_lazy("ticket", "resolved")
    RATED = "rated", _("rated")
    REOPENED = "reopened", _("reopened")
    CLOSED = "closed", pgettext_lazy("ticket", "closed")
    MERGED = "merged", _("merged")
    NOTE = "note", _("note")
    REMINDER = "reminder", _("deadline reminder")
    ESCALATED = "escalated", _("escalated")


class TicketEvent(TenantModel):
    """One step on a ticket's timeline: public (the reporter and, for a public ticket, everyone
    sees it) or internal (staff and handlers only)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=14, choices=EventKind.choices)
    public = models.BooleanField(default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(max_length=MAX_TEXT, blank=True)
    #: The status after the step, where it changed one.
    status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["TicketEvent"]()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["ticket", "at"])]


class Follower(TenantModel):
    """Someone kept informed of a ticket: its reporter, and the reporters of merged duplicates."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Follower"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="feedback_follower_once")
        ]
        indexes = [models.Index(fields=["user", "ticket"])]


class Rating(TenantModel):
    """The reporter's verdict on a resolved ticket (评价): one per ticket."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    solved = models.BooleanField(_("was the problem solved?"))
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"))
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Rating"]()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1, satisfaction__lte=5),
                name="feedback_rating_satisfaction_1_5",
            ),
        ]
        indexes = [models.Index(fields=["community", "created_at"])]


class StoredRouter(TenantModel):
    """The community's trained router (``classify.Router.to_bytes``: arrays and JSON, no pickle)."""

    data = models.BinaryField()
    #: The category codes it was trained for, in order: a change of categories retrains.
    codes = models.JSONField(default=list)
    examples = models.PositiveIntegerField(default=0)
    trained_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["StoredRouter"]()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community"], name="feedback_router_once")]


class RoutingCorrection(TenantModel):
    """A labelled example: staff set a ticket's category (over the router's guess or in triage)."""

    ticket = models.ForeignKey(
        Ticket, null=True, on_delete=models.SET_NULL, related_name="corrections"
    )
    text = models.TextField(max_length=MAX_TEXT)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    predicted = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["RoutingCorrection"]()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["community", "created_at"])]


# --- Statistics rollups (written only by ``stats.stats_refresh``) -----------------------------


class TicketMonthStat(TenantModel):
    """The hotline's figures for the tickets filed in one closed month, per category and
    handler (assignee): sums and counts only, so any grouping adds rows up (``stats.py``)."""

    month = models.DateField()
    category = models.ForeignKey(Category, null=True, on_delete=models.CASCADE, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    tickets = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    response_seconds = models.BigIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    resolution_seconds = models.BigIntegerField(default=0)
    resolved_with_deadline = models.PositiveIntegerField(default=0)
    resolved_on_time = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    satisfaction_sum = models.PositiveIntegerField(default=0)

    objects = TenantManager["TicketMonthStat"]()

    class Meta:
        indexes = [models.Index(fields=["community", "month"])]


class TicketBuildingStat(TenantModel):
    """Tickets filed in one closed month per building and category (the heat view)."""

    month = models.DateField()
    building = models.ForeignKey(
        "core.Building", null=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(Category, null=True, on_delete=models.CASCADE, related_name="+")
    tickets = models.PositiveIntegerField(default=0)

    objects = TenantManager["TicketBuildingStat"]()

    class Meta:
        indexes = [models.Index(fields=["community", "month"])]


class TicketStatsState(TenantModel):
    """How far a community's rollups go: every ticket filed before ``refreshed_at`` is in them
    (as it was then); later ones are counted live. ``through`` is the month of that refresh."""

    through = models.DateField(null=True)
    refreshed_at = models.DateTimeField(null=True)

    objects = TenantManager["TicketStatsState"]()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community"], name="feedback_stats_once")]
