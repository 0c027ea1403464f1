"""What meetings store: the offline half of self-government (R2.1, R3.3, R6.2).

A ``Meeting`` belongs to a body (``bodies.Body``) and takes its rules from the body's charter in
force on its day: quorum, threshold, proxies, a second sitting, the notice period, the minutes'
objection period. A recurring meeting is a ``Series`` (one RRULE) whose occurrences are
materialised as meetings, each with its own agenda, roll call and minutes; the calendar feed
writes the series back as one VEVENT with its exceptions.

The agenda is a list of ``AgendaItem`` (from a residents' proposal, from staff or members, or an
overdue action item carried over), published as numbered ``AgendaVersion`` snapshots. The roll
call is ``Presence`` intervals (arrival, departure) per person, confirmed by the secretary;
quorum at a moment is computed from them (``quorum.py``), less those who declared a conflict
of interest (``Recusal``) on the item. An item's ``ItemDecision`` records the vote in the room
(or links an online vote) and, when it stands, the body's ``bodies.Decision`` it became. The
``Minutes`` are circulated to the members present, confirmed or corrected, and published as a
versioned ``disclosure.Document``. ``ActionItem`` follow-ups have an owner and a due date.

Hearings (听证会) have speakers drawn by lot when oversubscribed, written submissions and a
response per group of submissions; round tables record their participants and agreed points.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from gongzhi.core.tenancy import TenantManager, TenantModel

# --- Meetings ----------------------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    ORDINARY = "ordinary", _("ordinary meeting")
    EXTRAORDINARY = "extraordinary", _("extraordinary meeting")
    HEARING = "hearing", _("hearing")
    ROUND_TABLE = "round_table", _("round table")
    CONSULTATION = "consultation", _("consultation")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    IN_SESSION = "in_session", _("in session")
    CLOSED = "closed", _("closed")
    CANCELLED = "cancelled", _("cancelled")


class Series(TenantModel):
    """A recurring meeting: its rule (RFC 5545 RRULE, always ending: COUNT or UNTIL) and the
    template its occurrences were made from."""

    body = models.ForeignKey("bodies.Body", on_delete=models.PROTECT, related_name="series")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=MeetingKind.choices)
    rrule = models.CharField(_("repeats (RRULE)"), max_length=200)
    first_starts_at = models.DateTimeField(_("first meeting starts"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), max_length=300, blank=True)
    public = models.BooleanField(_("public"), default=True)
    #: iCalendar SEQUENCE of the series' master event: raised on every change of the series
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Series"]()

    class Meta:
        verbose_name = _("recurring meeting")
        verbose_name_plural = _("recurring meetings")
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gte=1), name="series_duration")
        ]

    def __str__(self) -> str:
        return self.title


class Meeting(TenantModel):
    """会议: one sitting of a body, with its time, place, type and openness."""

    body = models.ForeignKey("bodies.Body", on_delete=models.PROTECT, related_name="meetings")
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    #: the occurrence's start as the series' rule made it (RECURRENCE-ID), kept when moved
    recurrence_id = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), max_length=300, blank=True)
    public = models.BooleanField(_("public"), default=True)
    #: public meetings: seats for residents who register (none = no registration)
    capacity = models.PositiveIntegerField(_("places for the public"), null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    cancel_reason = models.CharField(_("why it was cancelled"), max_length=300, blank=True)
    #: 1, or 2 for a second sitting (二次会议) called when the first had no quorum
    sitting = models.PositiveSmallIntegerField(default=1)
    first_sitting = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="second_sitting"
    )
    #: who keeps the roll and the minutes; the chair leads the meeting
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    #: when the secretary confirmed the roll call (scans can be relayed within a code's window)
    roll_confirmed_at = models.DateTimeField(null=True, blank=True)
    #: iCalendar SEQUENCE: raised on every change a calendar must pick up
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Meeting"]()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(sitting=1, first_sitting__isnull=True)
                | Q(sitting=2, first_sitting__isnull=False),
                name="meeting_sitting_consistent",
            ),
            models.UniqueConstraint(
                fields=["series", "recurrence_id"],
                condition=Q(series__isnull=False),
                name="meeting_occurrence_once",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "starts_at"]),
            models.Index(fields=["body", "starts_at"]),
            models.Index(fields=["community", "updated_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The meeting's page (the check-in page links back to it)."""
        return reverse(
            "meeting_detail", kwargs={"slug": self.community.slug, "meeting_id": self.pk}
        )


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    WAITLISTED = "waitlisted", _("on the waiting list")
    CANCELLED = "cancelled", _("cancelled")


class Registration(TenantModel):
    """A resident's place at a public meeting, or on its waiting list (promoted in order)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    #: who registered them when it was a worker on their behalf (代办)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Registration"]()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="registration_once"),
        ]


class InvitationKind(models.TextChoices):
    MEMBER = "member", _("member")
    OBSERVER = "observer", _("observer")
    GUEST = "guest", _("invited guest")


class Invitation(TenantModel):
    """Who was invited: every seated member when the agenda is published, and guests."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=InvitationKind.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Invitation"]()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="invitation_once"),
        ]


# --- The agenda --------------------------------------------------------------------------------


class ItemSource(models.TextChoices):
    PROPOSAL = "proposal", _("a residents' proposal")
    STAFF = "staff", _("community staff")
    MEMBER = "member", _("a member of the body")
    ACTION = "action", _("an overdue follow-up")


class AgendaItem(TenantModel):
    """议程: one item, in order, with its presenter, time and the decision it asks for."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    source = models.CharField(_("comes from"), max_length=10, choices=ItemSource.choices)
    proposal = models.ForeignKey(
        "deliberation.Proposal", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: the overdue follow-up this item carries over from an earlier meeting
    action = models.ForeignKey(
        "meetings.ActionItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_to",
    )
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    presenter_name = models.CharField(_("presenter"), max_length=120, blank=True)
    minutes_allotted = models.PositiveSmallIntegerField(_("time (minutes)"), default=10)
    #: the kind of decision asked for (``core.decisions`` registry); blank: for information
    decision_kind = models.CharField(_("decision asked for"), max_length=60, blank=True)
    amount_fen = models.BigIntegerField(null=True, blank=True)
    topic = models.CharField(_("topic"), max_length=60, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    #: what was said (who spoke, in order): written by the secretary, read into the minutes
    speakers = models.TextField(_("who spoke"), blank=True, max_length=5000)

    objects = TenantManager["AgendaItem"]()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "proposal"],
                condition=Q(proposal__isnull=False, withdrawn_at__isnull=True),
                name="agenda_proposal_once",
            ),
            models.CheckConstraint(
                condition=Q(source="proposal", proposal__isnull=False)
                | ~Q(source="proposal") & Q(proposal__isnull=True),
                name="agenda_proposal_source",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def item_document_path(instance: ItemDocument, filename: str) -> str:
    return f"meetings/{instance.community_id}/items/{filename}"


class ItemDocument(TenantModel):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=item_document_path, max_length=200)
    #: the safe name it is served under (``core.uploads``)
    name = models.CharField(max_length=120, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["ItemDocument"]()

    class Meta:
        verbose_name = _("agenda document")
        verbose_name_plural = _("agenda documents")


class AgendaVersion(TenantModel):
    """A published agenda: a numbered snapshot (items, presenters, times), never changed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_versions")
    number = models.PositiveSmallIntegerField()
    #: ``[{"position", "title", "source", "proposal", "presenter", "minutes", "decision_kind"}]``
    items = models.JSONField(default=list)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["AgendaVersion"]()

    class Meta:
        verbose_name = _("published agenda")
        verbose_name_plural = _("published agendas")
        ordering = ["meeting", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="agenda_version_once"),
        ]


# --- The roll call -----------------------------------------------------------------------------


class PresenceRole(models.TextChoices):
    MEMBER = "member", _("member")
    OBSERVER = "observer", _("observer")


class PresenceVia(models.TextChoices):
    SECRETARY = "secretary", _("signed in by the secretary")
    QR = "qr", _("scanned the code")


class Presence(TenantModel):
    """One stretch of a person's presence: arrival, and departure once they leave. A person
    may leave and come back (two rows); at most one stretch is open at a time."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="presences")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=PresenceRole.choices)
    via = models.CharField(max_length=10, choices=PresenceVia.choices)
    arrived_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    #: a scanned arrival counts once the secretary confirmed it; theirs count at once
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Presence"]()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance records")
        ordering = ["meeting", "arrived_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(left_at__isnull=True),
                name="presence_one_open",
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=F("arrived_at")),
                name="presence_leaves_after_arriving",
            ),
        ]


class Proxy(TenantModel):
    """委托: an absent member's vote carried by a present member, where the charter allows."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="proxies")
    giver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["Proxy"]()

    class Meta:
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "giver"],
                condition=Q(revoked_at__isnull=True),
                name="proxy_one_per_giver",
            ),
            models.CheckConstraint(condition=~Q(giver=F("holder")), name="proxy_not_to_self"),
        ]


class Recusal(TenantModel):
    """回避: a member's declared conflict of interest on one item; they leave its quorum and vote."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="recusals")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("the conflict of interest"), max_length=300)
    declared_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Recusal"]()

    class Meta:
        verbose_name = _("declared conflict of interest")
        verbose_name_plural = _("declared conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["item", "person"], name="recusal_once")]


# --- Decisions per item ------------------------------------------------------------------------


class VoteMethod(models.TextChoices):
    HANDS = "hands", _("show of hands, counted")
    ROLL = "roll", _("each member's vote recorded")
    ONLINE = "online", _("online vote")


class ItemDecision(TenantModel):
    """The vote on an item and its outcome under the charter, with the numbers that prove it."""

    item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="decision")
    method = models.CharField(max_length=10, choices=VoteMethod.choices)
    vote = models.ForeignKey(
        "voting.Vote", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    seated = models.PositiveSmallIntegerField()
    #: members counted for this item: present (and proxies), less those who recused
    present = models.PositiveSmallIntegerField()
    votes_for = models.PositiveSmallIntegerField()
    votes_against = models.PositiveSmallIntegerField()
    abstentions = models.PositiveSmallIntegerField()
    adopted = models.BooleanField()
    outcome = models.TextField(_("what was decided"), max_length=5000)
    #: the body's decision it became, when adopted and the item asked for one
    decision = models.OneToOneField(
        "bodies.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["ItemDecision"]()

    class Meta:
        verbose_name = _("vote on an agenda item")
        verbose_name_plural = _("votes on agenda items")

    @property
    def outcome_restates_count(self) -> bool:
        """True when the outcome is only the count written out (room.py's default text, in the
        language the vote was recorded in), so a page showing the count need not repeat it."""
        from gongzhi.meetings.room import _default_outcome  # noqa: PLC0415 - room imports models

        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                default = _default_outcome(
                    self.adopted, self.votes_for, self.votes_against, self.abstentions
                )
            if self.outcome.strip() == str(default):
                return True
        return False


class BallotChoice(models.TextChoices):
    YES = "yes", _("for")
    NO = "no", _("against")
    ABSTAIN = "abstain", _("abstain")


class Ballot(TenantModel):
    """One member's recorded vote on an item (when the method is ``roll``)."""

    decision = models.ForeignKey(ItemDecision, on_delete=models.CASCADE, related_name="ballots")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=10, choices=BallotChoice.choices)
    #: cast for an absent member whose proxy this person holds
    for_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantManager["Ballot"]()

    class Meta:
        verbose_name = _("recorded vote")
        verbose_name_plural = _("recorded votes")


# --- Minutes and follow-ups --------------------------------------------------------------------


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    CIRCULATED = "circulated", _("sent to the members present")
    APPROVED = "approved", _("approved")


class Minutes(TenantModel):
    """会议纪要: drafted by the secretary, circulated to the members present, approved by a
    majority of them or by nobody asking for a correction within the charter's period."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    text = models.TextField(_("minutes"), max_length=100_000)
    status = models.CharField(
        max_length=12, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(default=timezone.now)
    circulated_at = models.DateTimeField(null=True, blank=True)
    #: corrections may be asked for until then; silence approves after it
    objections_until = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    #: "majority" or "silence"
    approved_how = models.CharField(max_length=10, blank=True)
    #: the published, versioned document (disclosure app)
    document = models.OneToOneField(
        "disclosure.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantManager["Minutes"]()

    class Meta:
        verbose_name = _("meeting minutes")
        verbose_name_plural = _("meeting minutes")


class ResponseKind(models.TextChoices):
    CONFIRM = "confirm", _("confirmed")
    CORRECTION = "correction", _("asked for a correction")


class MinutesResponse(TenantModel):
    """A member present confirming the minutes, or asking for a correction (kept, answered)."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=ResponseKind.choices)
    text = models.TextField(_("the correction asked for"), blank=True, max_length=5000)
    at = models.DateTimeField(default=timezone.now)
    #: how the secretary dealt with a correction (and when)
    resolution = models.TextField(_("how it was dealt with"), blank=True, max_length=5000)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager["MinutesResponse"]()

    class Meta:
        verbose_name = _("response to minutes")
        verbose_name_plural = _("responses to minutes")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes", "person"],
                condition=Q(kind="confirm"),
                name="minutes_confirm_once",
            ),
        ]


class ActionStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")


class ActionItem(TenantModel):
    """督办事项: a follow-up of a decision, with an owner and a due date; its status is public."""

    decision = models.ForeignKey(ItemDecision, on_delete=models.PROTECT, related_name="actions")
    title = models.CharField(_("what is to be done"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_name = models.CharField(_("who does it"), max_length=120, blank=True)
    due_on = models.DateField(_("due"))
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default="open")
    done_at = models.DateTimeField(null=True, blank=True)
    done_note = models.CharField(_("what was done"), max_length=500, blank=True)
    #: when it was reported overdue to the supervision committee
    flagged_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["ActionItem"]()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["community", "status", "due_on"])]

    def __str__(self) -> str:
        return self.title


# --- Hearings and round tables -----------------------------------------------------------------


class Hearing(TenantModel):
    """听证会: the subject, speaker registration (drawn by lot when oversubscribed), the window
    for written submissions and the published response."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="hearing")
    subject = models.TextField(_("subject"), max_length=5000)
    speaker_slots = models.PositiveSmallIntegerField(_("speaking slots"))
    slot_minutes = models.PositiveSmallIntegerField(_("minutes per speaker"), default=5)
    speakers_close_at = models.DateTimeField(_("speakers register until"))
    submissions_open_at = models.DateTimeField(_("written submissions from"))
    submissions_close_at = models.DateTimeField(_("written submissions until"))
    seed = models.CharField(_("public seed"), max_length=200, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response_published_at = models.DateTimeField(null=True, blank=True)
    #: who set the hearing up: never the one who enters the draw's seed
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantManager["Hearing"]()

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        constraints = [
            models.CheckConstraint(
                condition=Q(submissions_close_at__gt=F("submissions_open_at")),
                name="hearing_window",
            ),
            models.CheckConstraint(condition=Q(speaker_slots__gte=1), name="hearing_slots"),
        ]


class SpeakerStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    SPEAKING = "speaking", _("has a slot")
    NOT_DRAWN = "not_drawn", _("not drawn")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Speaker(TenantModel):
    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="speakers")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position_summary = models.CharField(_("what you will say"), max_length=500)
    status = models.CharField(max_length=12, choices=SpeakerStatus.choices, default="registered")
    slot = models.PositiveSmallIntegerField(null=True, blank=True)
    registered_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Speaker"]()

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["hearing", "slot", "registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["hearing", "person"], name="speaker_once"),
            models.UniqueConstraint(
                fields=["hearing", "slot"], condition=Q(slot__isnull=False), name="speaker_slot"
            ),
        ]


class ResponseGroup(TenantModel):
    """A group of submissions that say the same thing, and the published answer to it."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="groups")
    title = models.CharField(_("what these submissions say"), max_length=200)
    answer = models.TextField(_("the answer"), blank=True, max_length=5000)
    position = models.PositiveSmallIntegerField(default=0)

    objects = TenantManager["ResponseGroup"]()

    class Meta:
        verbose_name = _("group of submissions")
        verbose_name_plural = _("groups of submissions")
        ordering = ["hearing", "position", "pk"]


class Submission(TenantModel):
    """A written submission to a hearing or consultation, before or during its window."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="submissions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("your submission"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    group = models.ForeignKey(
        ResponseGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    #: written by community staff: shown with their name, not as a numbered resident
    by_staff = models.BooleanField(default=False)

    objects = TenantManager["Submission"]()

    class Meta:
        verbose_name = _("written submission")
        verbose_name_plural = _("written submissions")
        ordering = ["created_at", "pk"]


class Sector(models.TextChoices):
    RESIDENT = "resident", _("residents")
    PROPERTY = "property", _("property company")
    BUSINESS = "business", _("businesses")
    GOVERNMENT = "government", _("government")
    ORGANISATION = "organisation", _("social organisations")
    OTHER = "other", _("others")


class RoundTableParticipant(TenantModel):
    """圆桌会: who sat at the table and for whom."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    sector = models.CharField(_("for"), max_length=12, choices=Sector.choices)
    affiliation = models.CharField(_("organisation"), max_length=200, blank=True)

    objects = TenantManager["RoundTableParticipant"]()

    class Meta:
        verbose_name = _("round table participant")
        verbose_name_plural = _("round table participants")


class AgreedPoint(TenantModel):
    """A point the round table agreed on, with who takes it forward."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agreed_points")
    position = models.PositiveSmallIntegerField()
    text = models.TextField(_("what was agreed"), max_length=2000)
    responsible = models.CharField(_("who takes it forward"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["AgreedPoint"]()

    class Meta:
        verbose_name = _("agreed point")
        verbose_name_plural = _("agreed points")
        ordering = ["meeting", "position", "pk"]
