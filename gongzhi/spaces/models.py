"""What spaces stores (R2.2, R11.1): the community's shared spaces and the things it lends out,
the bookings that can never overlap, and the idle spaces it revives.

- A ``Space`` (activity room, hall, courtyard, rooftop garden, reading room …) has its opening
  hours (``hours.py``: weekly ranges, closures, what a public holiday does), its accessibility,
  the body or partner that manages it, and its booking rules: who may book, how long, how far
  ahead, a cleaning buffer, a quota per household or organisation, approval, a fee collected in
  person, and what a no-show costs. ``seats`` is how many can book it at once: 1 for a room
  booked whole, 20 for a reading room's seats.
- A ``Booking`` is one seat of one space for ``[starts_at, ends_at)``; ``busy_until`` adds the
  cleaning buffer. A booking that is ``confirmed``, ``pending`` (a request that holds the slot
  until ``hold_until`` while the managers decide) or ``draw`` (a contested slot held for a
  public-seed draw) occupies ``[starts_at, busy_until)`` of its seat; the database refuses a
  second one that overlaps it (``migrations/0002``: an exclusion constraint on PostgreSQL, a
  trigger on SQLite). A constraint cannot read the clock, so every booking transaction first
  expires the holds whose time is up (``booking.expire_holds``).
- A ``Series`` is a repeat rule (RRULE with exceptions, at most a year) whose occurrences are
  bookings; a ``WaitingRequest`` waits for a taken slot; a ``DrawRound`` collects requests for a
  popular slot until a deadline and gives it by lot, favouring those who had nothing lately; a
  ``NoShowAppeal`` contests a no-show.
- A ``Resource`` is something lent out (folding tables, a projector, a wheelchair); a ``Loan``
  is one lending, due back on a day.
- An ``IdleSpace`` is an unused room or plot on its way to becoming a shared space: recorded,
  consulted on (a hall proposal or an opinion-map conversation), renovated (a budgeting project
  with its milestones), opened as a ``Space``, and afterwards measured against its promise.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.tenancy import TenantModel


class SpaceKind(models.TextChoices):
    ROOM = "room", _("activity room")
    HALL = "hall", _("hall")
    COURTYARD = "courtyard", _("courtyard")
    GARDEN = "garden", _("garden")
    READING_ROOM = "reading_room", _("reading room")
    KITCHEN = "kitchen", _("shared kitchen")
    SPORTS = "sports", _("sports ground")
    OTHER = "other", _("other space")


class ResidentAccess(models.TextChoices):
    """Which residents may book a space for themselves."""

    ALL = "all", _("every registered resident")
    VERIFIED = "verified", _("verified residents only")
    NONE = "none", _("no resident on their own")


class QuotaPeriod(models.TextChoices):
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")


class SpaceStatus(models.TextChoices):
    DRAFT = "draft", _("being prepared")
    OPEN = "open", _("open for booking")
    CLOSED = "closed", _("closed for now")


class Space(TenantModel):
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=SpaceKind.choices)
    description = models.TextField(_("description"), blank=True)
    building = models.ForeignKey(
        "core.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    location = models.CharField(_("where it is"), max_length=200, blank=True)
    photo = models.ImageField(_("photo"), upload_to="spaces/photos/%Y/", blank=True)
    capacity = models.PositiveIntegerField(_("people it holds"), default=10)
    seats = models.PositiveSmallIntegerField(
        _("bookable at once"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("1: the space is booked whole; more: each booking takes one seat."),
    )
    equipment = models.TextField(_("equipment"), blank=True)
    step_free = models.BooleanField(_("step-free access"), default=False)
    lift = models.BooleanField(_("lift"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    accessibility_note = models.CharField(_("more on access"), max_length=200, blank=True)
    #: opening hours as ``hours.py`` stores them: weekly ranges, closures, the holiday policy
    hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    managed_by_body = models.ForeignKey(
        "bodies.Body",
        verbose_name=_("managed by (body)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    managed_by_partner = models.ForeignKey(
        "bodies.Partner",
        verbose_name=_("managed by (partner)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SpaceStatus.choices, default=SpaceStatus.DRAFT
    )
    # --- booking rules -----------------------------------------------------------------------
    residents = models.CharField(
        _("residents who may book"),
        max_length=10,
        choices=ResidentAccess.choices,
        default=ResidentAccess.VERIFIED,
    )
    organisations = models.BooleanField(_("organisations may book"), default=True)
    partners = models.BooleanField(_("partners may book"), default=False)
    slot_minutes = models.PositiveSmallIntegerField(
        _("grid step (minutes)"), default=30, validators=[MinValueValidator(5)]
    )
    max_minutes = models.PositiveIntegerField(
        _("longest booking (minutes)"), default=180, validators=[MinValueValidator(5)]
    )
    advance_days = models.PositiveSmallIntegerField(
        _("bookable up to (days ahead)"), default=30, validators=[MaxValueValidator(366)]
    )
    buffer_minutes = models.PositiveSmallIntegerField(_("cleaning time after (minutes)"), default=0)
    quota = models.PositiveSmallIntegerField(
        _("bookings allowed per household or organisation"),
        default=0,
        help_text=_("0: no limit."),
    )
    quota_period = models.CharField(
        _("quota period"), max_length=10, choices=QuotaPeriod.choices, default=QuotaPeriod.WEEK
    )
    needs_approval = models.BooleanField(_("bookings need approval"), default=False)
    hold_hours = models.PositiveSmallIntegerField(
        _("a request holds the slot for (hours)"),
        default=48,
        validators=[MinValueValidator(1)],
    )
    series_allowed = models.BooleanField(_("repeating bookings allowed"), default=True)
    fee = models.DecimalField(
        _("fee (yuan)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    fee_note = models.CharField(_("about the fee"), max_length=200, blank=True)
    no_show_minutes = models.PositiveSmallIntegerField(
        _("released if nobody checks in within (minutes)"), default=15
    )
    no_show_limit = models.PositiveSmallIntegerField(
        _("no-shows in 90 days that pause booking"),
        default=3,
        help_text=_("0: no-shows never pause booking."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        ordering = ("name", "pk")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="space_name_unique"),
            models.CheckConstraint(
                condition=Q(managed_by_body__isnull=True) | Q(managed_by_partner__isnull=True),
                name="space_one_manager",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="space_seats_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    CONFIRMED = "confirmed", _("confirmed")
    DRAW = "draw", _("held for a draw")
    CANCELLED = "cancelled", _("cancelled")
    REJECTED = "rejected", _("not approved")
    EXPIRED = "expired", _("request expired")
    RELEASED = "released", _("released: nobody came")


#: the statuses that occupy a seat's time; the database refuses two that overlap
OCCUPYING = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.DRAW)


class Series(TenantModel):
    """A repeating booking: a rule (RRULE), the days skipped, and the bookings it made."""

    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="series")
    rrule = models.CharField(_("repeats (RRULE)"), max_length=200)
    exdates = models.JSONField(_("days skipped"), default=list, blank=True)
    starts_at = models.DateTimeField(_("first start"))
    minutes = models.PositiveIntegerField(_("length (minutes)"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.ForeignKey(
        "bodies.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("repeating booking")
        verbose_name_plural = _("repeating bookings")


class DrawStatus(models.TextChoices):
    OPEN = "open", _("taking requests")
    DRAWN = "drawn", _("drawn")
    CANCELLED = "cancelled", _("cancelled")


class DrawRound(TenantModel):
    """A popular slot given by lot: requests until ``closes_at``, then a draw from a seed
    announced in advance (``seed_rule``) and typed in once known (``core/lottery``)."""

    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="draws")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    closes_at = models.DateTimeField(_("requests close"))
    seed_rule = models.CharField(_("where the seed will come from"), max_length=200)
    seed = models.CharField(_("seed"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DrawStatus.choices, default=DrawStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("draw for a popular slot")
        verbose_name_plural = _("draws for popular slots")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="draw_order"),
            models.CheckConstraint(
                condition=Q(closes_at__lte=F("starts_at")), name="draw_closes_before"
            ),
        ]


class Booking(TenantModel):
    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="bookings")
    seat = models.PositiveSmallIntegerField(_("seat"), default=1)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    #: ``ends_at`` plus the space's cleaning buffer when booked: the end of what it occupies
    busy_until = models.DateTimeField()
    status = models.CharField(_("status"), max_length=10, choices=BookingStatus.choices)
    #: a pending request holds its slot until then; the next booking transaction expires it
    hold_until = models.DateTimeField(null=True, blank=True)
    #: who the booking is for; ``booked_by`` differs when a worker books for them (代办)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="space_bookings",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    #: booked for an organisation (a body of the community) or a partner
    body = models.ForeignKey(
        "bodies.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey(
        "bodies.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: the household a resident's booking counts against (quotas)
    household = models.ForeignKey(
        "core.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    attendees = models.PositiveIntegerField(_("people expected"), default=1)
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    draw = models.ForeignKey(
        DrawRound, null=True, blank=True, on_delete=models.PROTECT, related_name="holds"
    )
    #: the meeting held in the space, when a body books its room here
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    no_show = models.BooleanField(default=False)
    fee = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal(0))
    fee_paid_at = models.DateTimeField(null=True, blank=True)
    #: the fee collected in person: who took it, and its income entry in the finance ledger
    fee_received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: a plain key, not one-to-one: a unique column would make SQLite rebuild the table and
    #: lose 0002's overlap triggers (the service writes one entry per booking)
    fee_entry = models.ForeignKey(
        "disclosure.LedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("space", "booking")
        verbose_name_plural = pgettext_lazy("space", "bookings")
        ordering = ("starts_at", "pk")
        indexes = [
            models.Index(fields=["space", "starts_at"], name="booking_space_start"),
            models.Index(fields=["person", "starts_at"], name="booking_person_start"),
            models.Index(fields=["status", "hold_until"], name="booking_holds"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="booking_order"),
            models.CheckConstraint(
                condition=Q(busy_until__gte=F("ends_at")), name="booking_busy_after_end"
            ),
            models.CheckConstraint(condition=Q(seat__gte=1), name="booking_seat_positive"),
            models.CheckConstraint(
                condition=~Q(status=BookingStatus.PENDING) | Q(hold_until__isnull=False),
                name="booking_pending_has_hold",
            ),
            models.CheckConstraint(
                condition=Q(status=BookingStatus.DRAW) | Q(person__isnull=False),
                name="booking_has_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.space} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def occupies(self) -> bool:
        return self.status in OCCUPYING


class DrawRequestOutcome(models.TextChoices):
    WAITING = "waiting", _("waiting for the draw")
    WON = "won", _("drawn")
    NOT_DRAWN = "not_drawn", _("not drawn")
    WITHDRAWN = "withdrawn", _("withdrawn")


class DrawRequest(TenantModel):
    draw = models.ForeignKey(DrawRound, on_delete=models.CASCADE, related_name="requests")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.ForeignKey(
        "bodies.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "core.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    outcome = models.CharField(
        max_length=10, choices=DrawRequestOutcome.choices, default=DrawRequestOutcome.WAITING
    )
    #: 0 for those with no booking of the space lately (drawn first), 1 for the others
    tier = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("request in a draw")
        verbose_name_plural = _("requests in a draw")
        constraints = [
            models.UniqueConstraint(fields=["draw", "person"], name="draw_request_once"),
        ]


class WaitingStatus(models.TextChoices):
    WAITING = "waiting", _("waiting")
    BOOKED = "booked", _("booked when it freed up")
    WITHDRAWN = "withdrawn", _("withdrawn")


class WaitingRequest(TenantModel):
    """Someone waiting for a taken slot: when a booking over it is cancelled, rejected, expires
    or is released, the first waiting whose booking now fits gets it."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="waiting")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.ForeignKey(
        "bodies.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    status = models.CharField(
        max_length=10, choices=WaitingStatus.choices, default=WaitingStatus.WAITING
    )
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("waiting request")
        verbose_name_plural = _("waiting requests")
        constraints = [
            models.UniqueConstraint(
                fields=["space", "person", "starts_at"],
                condition=Q(status="waiting"),
                name="waiting_once",
            ),
        ]


class AppealStatus(models.TextChoices):
    OPEN = "open", _("waiting for a decision")
    UPHELD = "upheld", _("no-show stands")
    OVERTURNED = "overturned", _("no-show withdrawn")


class NoShowAppeal(TenantModel):
    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="appeal")
    reason = models.TextField(_("why it was not a no-show"))
    status = models.CharField(
        max_length=12, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("no-show appeal")
        verbose_name_plural = _("no-show appeals")


class ResourceKind(models.TextChoices):
    FURNITURE = "furniture", _("tables and chairs")
    EQUIPMENT = "equipment", _("equipment (projector, sound)")
    TOOLS = "tools", _("tools")
    MOBILITY = "mobility", _("mobility aid (wheelchair, walker)")
    OTHER = "other", _("other")


class Resource(TenantModel):
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=12, choices=ResourceKind.choices)
    quantity = models.PositiveIntegerField(_("how many"), default=1)
    loan_days = models.PositiveSmallIntegerField(_("lent for (days)"), default=7)
    note = models.CharField(_("note"), max_length=200, blank=True)
    kept_at = models.ForeignKey(
        Space,
        verbose_name=_("kept at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    managed_by_body = models.ForeignKey(
        "bodies.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("resource lent out")
        verbose_name_plural = _("resources lent out")
        ordering = ("name", "pk")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="resource_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Loan(TenantModel):
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="loans")
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="space_loans"
    )
    count = models.PositiveIntegerField(_("how many"), default=1)
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lent_at = models.DateTimeField()
    due_on = models.DateField(_("due back"))
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reminded_on = models.DateField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="loan_count_positive"),
            models.CheckConstraint(condition=~Q(lent_by=F("borrower")), name="loan_not_to_oneself"),
        ]


class IdleStatus(models.TextChoices):
    RECORDED = "recorded", _("recorded")
    CONSULTING = "consulting", _("use under consultation")
    RENOVATING = "renovating", _("being renovated")
    OPENED = "opened", _("opened as a shared space")
    DROPPED = "dropped", _("dropped")


class IdleSpace(TenantModel):
    title = models.CharField(_("name"), max_length=80)
    location = models.CharField(_("where it is"), max_length=200)
    building = models.ForeignKey(
        "core.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area_m2 = models.DecimalField(
        _("area (m²)"),
        max_digits=8,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    owner = models.CharField(_("owner"), max_length=120)
    status = models.CharField(
        _("status"), max_length=12, choices=IdleStatus.choices, default=IdleStatus.RECORDED
    )
    proposed_use = models.TextField(_("proposed use"), blank=True)
    #: what was promised when it opens: hours of use a week
    promised_hours_week = models.PositiveSmallIntegerField(
        _("hours of use a week promised"), null=True, blank=True
    )
    proposal = models.ForeignKey(
        "deliberation.Proposal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    conversation = models.ForeignKey(
        "opinions.Conversation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        "budgeting.Idea", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    space = models.OneToOneField(
        Space, null=True, blank=True, on_delete=models.PROTECT, related_name="revived_from"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    drop_reason = models.CharField(_("why it was dropped"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("idle space")
        verbose_name_plural = _("idle spaces")
        ordering = ("-created_at", "pk")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="opened") | Q(space__isnull=False),
                name="idle_opened_has_space",
            ),
        ]

    def __str__(self) -> str:
        return self.title
