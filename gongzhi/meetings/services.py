"""Meetings: scheduling, series, opening and closing, second sittings, registration,
invitations and reminders (keyword-only, atomic, journalled).

Two meetings of one body never overlap: the body's row is locked before the check, so two
requests scheduling at once are serialised (``meeting_overlaps``). A recurring meeting is one
``Series`` whose occurrences (an RFC 5545 RRULE that ends, read and expanded by
``gongzhi.core.recurrence``) are each materialised as a ``Meeting`` carrying the rule's start as
its ``recurrence_id``. Registration for a public meeting locks the meeting's row before it counts,
so the seats taken never exceed its capacity; the rest wait in order and the first waiting is
promoted when a seat frees. A closed meeting accepts nothing more (``meeting_closed``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.bodies.models import Body, Mandate
from gongzhi.bodies.selectors import charter_in_force, sitting_q
from gongzhi.core import journal, recurrence, requirements
from gongzhi.core.models import Membership
from gongzhi.core.places import promote_waiting
from gongzhi.core.policies import require
from gongzhi.meetings.models import (
    Invitation,
    InvitationKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Registration,
    RegistrationStatus,
    Series,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

#: A series ends (COUNT or UNTIL) within five years and 260 occurrences (weekly for 5 years).
MAX_OCCURRENCES = 260
MAX_YEARS = 5
#: Reminders go out this long before a meeting starts.
REMIND_AHEAD = timedelta(days=1)


def _require(perm: str, user: Any, obj: object) -> None:
    require(perm, user, obj, _("You are not allowed to do this for this meeting."))


def meeting_url(meeting: Meeting) -> str:
    return reverse(
        "meeting_detail", kwargs={"slug": meeting.community.slug, "meeting_id": meeting.pk}
    )


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _notify(users: Iterable[Any], meeting: Meeting, kind: str, message: str, **params: Any) -> None:
    from gongzhi.core.notify import send

    people = list(users)
    if not people:
        return
    send(
        users=people,
        community=meeting.community,
        kind=kind,
        message=message,
        params={"title": meeting.title, "starts": _local(meeting.starts_at), **params},
        url=meeting_url(meeting),
    )


def _is_member(person: Any, community_id: int) -> bool:
    return (
        Membership.objects.in_community(community_id)
        .filter(user=person, user__is_active=True)
        .exists()
    )


# --- Scheduling -------------------------------------------------------------------------------


def _check_body(body: Body) -> None:
    if body.dissolved_at is not None:
        raise ValidationError(
            _("This body has been dissolved: it holds no more meetings."), code="body_dissolved"
        )
    if charter_in_force(body=body) is None:
        raise ValidationError(
            _("This body has no charter in force: its meetings would have no rules."),
            code="no_charter",
        )


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError(_("A meeting's times need a time zone."), code="meeting_times")
    if ends_at <= starts_at:
        raise ValidationError(_("A meeting must end after it starts."), code="meeting_times")


def _overlapping(
    body: Body, slots: list[tuple[datetime, datetime]], exclude: Iterable[int] = ()
) -> Meeting | None:
    """The first not-cancelled meeting of ``body`` that overlaps one of ``slots``.
    Call with the body's row locked."""
    overlap = Q()
    for starts, ends in slots:
        overlap |= Q(starts_at__lt=ends, ends_at__gt=starts)
    return (
        Meeting.objects.in_community(body.community_id)
        .filter(overlap, body=body)
        .exclude(status=MeetingStatus.CANCELLED)
        .exclude(pk__in=list(exclude))
        .order_by("starts_at")
        .first()
    )


def _refuse_overlap(
    body: Body, slots: list[tuple[datetime, datetime]], exclude: Iterable[int] = ()
) -> None:
    ordered = sorted(slots)
    for (_s1, first_ends), (second_starts, _e2) in zip(ordered, ordered[1:], strict=False):
        if second_starts < first_ends:
            raise ValidationError(
                _("The meetings of this series would overlap one another."), code="meeting_overlaps"
            )
    clash = _overlapping(body, ordered, exclude)
    if clash is not None:
        raise ValidationError(
            _("%(body)s already meets then: “%(title)s” on %(when)s.")
            % {"body": body.name, "title": clash.title, "when": _local(clash.starts_at)},
            code="meeting_overlaps",
        )


def _in_meeting_words(error: ValidationError) -> ValidationError:
    """A refusal of core's repeat rules in the words and codes meetings had before the rules
    moved to core."""
    if error.code == "rrule_endless":
        return ValidationError(
            _("A repeating meeting must end: give COUNT (how many times) or UNTIL (a date)."),
            code="rrule_endless",
        )
    if error.code == "rrule_too_long":
        return ValidationError(
            _("A repeating meeting may run for at most %(years)d years and %(count)d meetings.")
            % {"years": MAX_YEARS, "count": MAX_OCCURRENCES},
            code="rrule_too_long",
        )
    if error.code == "rrule_empty":
        return ValidationError(_("This repeat rule makes no meeting at all."), code="rrule")
    return error


def occurrences(rrule: str, starts_at: datetime) -> list[datetime]:
    """The starts of the series ``rrule`` from ``starts_at`` (aware, the platform's zone):
    refused past 260 occurrences or five years, or when the rule never ends."""
    try:
        return recurrence.occurrences(
            rrule, starts_at, limit=recurrence.Limit(years=MAX_YEARS, count=MAX_OCCURRENCES)
        )
    except ValidationError as error:
        worded = _in_meeting_words(error)
        if worded is error:
            raise
        raise worded from error


def _check_person(person: Any, community_id: int, what: str) -> None:
    if person is not None and not _is_member(person, community_id):
        raise ValidationError(
            _("The %(role)s must be a member of the community.") % {"role": what}, code="not_member"
        )


def meeting_create(
    *,
    actor: User,
    body: Body,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    online_url: str = "",
    public: bool = True,
    description: str = "",
    capacity: int | None = None,
    secretary: User | None = None,
    chair: User | None = None,
    rrule: str = "",
) -> Meeting:
    """Schedule a meeting of ``body``; with ``rrule``, a series and all its occurrences (the
    first returned). Refused: the times reversed, an overlap with another meeting of the body,
    a dissolved body, a body without a charter in force."""
    _require("meetings.schedule", actor, body)
    title = title.strip()
    if not title:
        raise ValidationError(_("A meeting needs a title."), code="meeting_title")
    if kind not in MeetingKind.values:
        raise ValidationError(_("Unknown type of meeting."), code="meeting_kind")
    _check_times(starts_at, ends_at)
    if capacity is not None and (not public or capacity < 1):
        raise ValidationError(
            _("Places for the public are for public meetings, and at least one."), code="capacity"
        )
    _check_person(secretary, body.community_id, _("secretary"))
    _check_person(chair, body.community_id, _("chair"))
    duration = ends_at - starts_at
    starts = occurrences(rrule, starts_at) if rrule.strip() else [starts_at]
    slots = [(start, start + duration) for start in starts]
    now = timezone.now()
    with transaction.atomic():
        locked = Body.objects.in_community(body.community_id).select_for_update().get(pk=body.pk)
        _check_body(locked)
        _refuse_overlap(locked, slots)
        # The chair's qualification, if the community requires one, on the first and last day
        # (in that order: chairing from before the requirement's day keeps the chair).
        for day in sorted({timezone.localdate(slots[0][0]), timezone.localdate(slots[-1][0])}):
            if chair is not None:
                requirements.check(body.community, chair, "meetings.chair", day)
        series = None
        if rrule.strip():
            series = Series.objects.create(
                community_id=body.community_id,
                body=body,
                title=title,
                kind=kind,
                rrule=rrule.strip().removeprefix("RRULE:"),
                first_starts_at=starts[0],
                duration_minutes=max(1, int(duration.total_seconds() // 60)),
                place=place,
                online_url=online_url,
                public=public,
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
            journal.record(
                community=body.community,
                actor=actor,
                verb="series.created",
                target=series,
                data={
                    "series": series.pk,
                    "body": body.pk,
                    "rrule": series.rrule,
                    "count": len(starts),
                },
            )
        meetings = Meeting.objects.bulk_create(
            [
                Meeting(
                    community_id=body.community_id,
                    body=body,
                    series=series,
                    recurrence_id=start if series else None,
                    kind=kind,
                    title=title,
                    description=description,
                    starts_at=start,
                    ends_at=end,
                    place=place,
                    online_url=online_url,
                    public=public,
                    capacity=capacity,
                    secretary=secretary,
                    chair=chair,
                    created_by=actor,
                    created_at=now,
                    updated_at=now,
                )
                for start, end in slots
            ]
        )
        if meetings[0].pk is None:  # bulk_create sets pks on PostgreSQL and SQLite >= 3.35
            meetings = list(
                Meeting.objects.in_community(body.community_id)
                .filter(body=body, created_at=now)
                .order_by("starts_at")
            )
        for meeting in meetings:
            data: dict[str, Any] = {"meeting": meeting.pk, "body": body.pk, "kind": kind}
            if series:
                data["series"] = series.pk
            journal.record(
                community=body.community,
                actor=actor,
                verb="meeting.created",
                target=meeting,
                data=data,
            )
    return meetings[0]


def _lock(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.in_community(meeting.community_id)
        .select_for_update(of=("self",))
        .select_related("community", "body")
        .get(pk=meeting.pk)
    )


def _refuse_done(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CLOSED:
        raise ValidationError(
            _("This meeting is closed: nothing can be added to it."), code="meeting_closed"
        )
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."), code="meeting_cancelled")


def _people_concerned(meeting: Meeting) -> list[Any]:
    """Those registered (or waiting) and those invited: the people a change is news to."""
    from gongzhi.accounts.models import User

    registered = Registration.objects.in_community(meeting.community_id).filter(
        meeting=meeting,
        status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED],
    )
    invited = Invitation.objects.in_community(meeting.community_id).filter(meeting=meeting)
    return list(
        User.objects.filter(
            Q(pk__in=registered.values("person_id")) | Q(pk__in=invited.values("person_id")),
            is_active=True,
        )
    )


_UNCHANGED: Any = object()


def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    title: str | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    place: str | None = None,
    online_url: str | None = None,
    description: str | None = None,
    capacity: Any = _UNCHANGED,
) -> Meeting:
    """Change a meeting's time, place, link, title, description or places (None: unchanged).
    Raises ``sequence`` so calendars pick the change up; a moved occurrence of a series keeps
    its ``recurrence_id``. Those registered and invited hear of a new time or place."""
    _require("meetings.run_meeting", actor, meeting)
    with transaction.atomic():
        body = (
            Body.objects.in_community(meeting.community_id)
            .select_for_update()
            .get(pk=meeting.body_id)
        )
        current = _lock(meeting)
        _refuse_done(current)
        new_starts = starts_at or current.starts_at
        new_ends = ends_at or current.ends_at
        _check_times(new_starts, new_ends)
        values = {
            "title": title.strip() if title is not None else None,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "place": place,
            "online_url": online_url,
            "description": description,
        }
        changed = [
            name
            for name, value in values.items()
            if value is not None and value != getattr(current, name)
        ]
        if capacity is not _UNCHANGED and capacity != current.capacity:
            if capacity is not None and (not current.public or capacity < 1):
                raise ValidationError(
                    _("Places for the public are for public meetings, and at least one."),
                    code="capacity",
                )
            taken = _registered(current).count()
            if (capacity is None and taken) or (capacity is not None and capacity < taken):
                raise ValidationError(
                    _("%(n)d people have registered already: keep at least that many places.")
                    % {"n": taken},
                    code="capacity_below_registered",
                )
            changed.append("capacity")
        moved = {"starts_at", "ends_at"} & set(changed)
        if moved and current.status != MeetingStatus.SCHEDULED:
            raise ValidationError(
                _("A meeting in session cannot be moved."), code="meeting_in_session"
            )
        if "title" in changed and not values["title"]:
            raise ValidationError(_("A meeting needs a title."), code="meeting_title")
        if not changed:
            return current
        if moved:
            _refuse_overlap(body, [(new_starts, new_ends)], exclude=[current.pk])
        day = timezone.localdate(new_starts)
        if current.chair_id is not None and day != timezone.localdate(current.starts_at):
            requirements.check(current.community, current.chair, "meetings.chair", day)
        for name in changed:
            setattr(current, name, capacity if name == "capacity" else values[name])
        current.sequence += 1
        current.updated_at = timezone.now()
        current.save()
        if "capacity" in changed:
            _promote(current)
        journal.record(
            community=current.community,
            actor=actor,
            verb="meeting.updated",
            target=current,
            data={"meeting": current.pk, "body": current.body_id, "changed": changed},
        )
        if {"starts_at", "ends_at", "place", "online_url"} & set(changed):
            _notify(
                _people_concerned(current),
                current,
                "meeting_changed",
                "changed",
                place=current.place or current.online_url,
            )
    return current


def meeting_cancel(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a scheduled meeting (its calendar entry becomes STATUS:CANCELLED); those
    registered and invited are told why."""
    _require("meetings.run_meeting", actor, meeting)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the meeting is cancelled."), code="cancel_reason")
    with transaction.atomic():
        current = _lock(meeting)
        _refuse_done(current)
        if current.status != MeetingStatus.SCHEDULED:
            raise ValidationError(
                _("A meeting in session is closed, not cancelled."), code="meeting_in_session"
            )
        _cancel(current, reason)
        journal.record(
            community=current.community,
            actor=actor,
            verb="meeting.cancelled",
            target=current,
            data={"meeting": current.pk, "body": current.body_id, "reason": reason},
        )
    return current


def _cancel(meeting: Meeting, reason: str) -> None:
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason[:300]
    meeting.sequence += 1
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    _notify(_people_concerned(meeting), meeting, "meeting_changed", "cancelled", reason=reason)


def _future_occurrences(series: Series) -> list[Meeting]:
    return list(
        Meeting.objects.in_community(series.community_id)
        .select_for_update(of=("self",))
        .select_related("community")
        .filter(series=series, status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now())
        .order_by("starts_at")
    )


def series_cancel(*, actor: User, series: Series, reason: str) -> int:
    """Cancel every occurrence still to come (those held stay in the record); how many."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the meeting is cancelled."), code="cancel_reason")
    with transaction.atomic():
        locked = (
            Series.objects.in_community(series.community_id).select_for_update().get(pk=series.pk)
        )
        coming = _future_occurrences(locked)
        for meeting in coming:
            _require("meetings.run_meeting", actor, meeting)
        for meeting in coming:
            _cancel(meeting, reason)
            journal.record(
                community=meeting.community,
                actor=actor,
                verb="meeting.cancelled",
                target=meeting,
                data={"meeting": meeting.pk, "body": meeting.body_id, "series": locked.pk},
            )
        locked.sequence += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["sequence", "updated_at"])
    return len(coming)


def series_update(
    *,
    actor: User,
    series: Series,
    title: str | None = None,
    place: str | None = None,
    online_url: str | None = None,
) -> int:
    """Change the title, place or link of the series and of every occurrence still to come
    (times stay: move single occurrences with ``meeting_update``); how many changed."""
    with transaction.atomic():
        locked = (
            Series.objects.in_community(series.community_id).select_for_update().get(pk=series.pk)
        )
        values = {
            "title": title.strip() if title else None,
            "place": place,
            "online_url": online_url,
        }
        changes = {k: v for k, v in values.items() if v is not None and v != getattr(locked, k)}
        if not changes:
            return 0
        coming = _future_occurrences(locked)
        for meeting in coming:
            _require("meetings.run_meeting", actor, meeting)
        now = timezone.now()
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.sequence += 1
        locked.updated_at = now
        locked.save()
        for meeting in coming:
            for name, value in changes.items():
                setattr(meeting, name, value)
            meeting.sequence += 1
            meeting.updated_at = now
            meeting.save()
            journal.record(
                community=meeting.community,
                actor=actor,
                verb="meeting.updated",
                target=meeting,
                data={
                    "meeting": meeting.pk,
                    "body": meeting.body_id,
                    "changed": sorted(changes),
                    "series": locked.pk,
                },
            )
    return len(coming)


# --- Opening, closing, a second sitting -------------------------------------------------------


def meeting_open(*, actor: User, meeting: Meeting) -> Meeting:
    """Open the sitting: the roll call and decisions may begin."""
    _require("meetings.run_meeting", actor, meeting)
    with transaction.atomic():
        current = _lock(meeting)
        _refuse_done(current)
        if current.status == MeetingStatus.IN_SESSION:
            raise ValidationError(
                _("This meeting is already in session."), code="meeting_in_session"
            )
        current.status = MeetingStatus.IN_SESSION
        current.opened_at = timezone.now()
        current.updated_at = current.opened_at
        current.save(update_fields=["status", "opened_at", "updated_at"])
        journal.record(
            community=current.community,
            actor=actor,
            verb="meeting.opened",
            target=current,
            data={"meeting": current.pk, "body": current.body_id},
        )
    return current


def meeting_close(*, actor: User, meeting: Meeting) -> Meeting:
    """Close the sitting; the journal keeps whether it ever had quorum and who came."""
    from gongzhi.meetings import room

    _require("meetings.run_meeting", actor, meeting)
    with transaction.atomic():
        current = _lock(meeting)
        _refuse_done(current)
        if current.status != MeetingStatus.IN_SESSION:
            raise ValidationError(_("Open the meeting before closing it."), code="meeting_not_open")
        current.status = MeetingStatus.CLOSED
        current.closed_at = timezone.now()
        current.updated_at = current.closed_at
        current.save(update_fields=["status", "closed_at", "updated_at"])
        reached, present, seated = room.quorum_reached(current)
        journal.record(
            community=current.community,
            actor=actor,
            verb="meeting.closed",
            target=current,
            data={
                "meeting": current.pk,
                "body": current.body_id,
                "kind": current.kind,
                "quorum": bool(reached),
                "seated": int(seated),
                "members_present": int(present),
                "sitting": current.sitting,
            },
        )
    return current


def second_sitting_call(
    *, actor: User, meeting: Meeting, starts_at: datetime, ends_at: datetime
) -> Meeting:
    """二次会议: call a second sitting of a meeting that closed without quorum, where the
    charter allows one (with its lower quorum); the first sitting's agenda is copied."""
    from gongzhi.meetings import agenda, room

    _require("meetings.run_meeting", actor, meeting)
    _check_times(starts_at, ends_at)
    with transaction.atomic():
        body = (
            Body.objects.in_community(meeting.community_id)
            .select_for_update()
            .get(pk=meeting.body_id)
        )
        first = _lock(meeting)
        if first.status != MeetingStatus.CLOSED:
            raise ValidationError(
                _("A second sitting is called after the first has closed."),
                code="meeting_not_closed",
            )
        if first.sitting != 1:
            raise ValidationError(_("A second sitting has no third."), code="second_sitting_twice")
        if Meeting.objects.in_community(first.community_id).filter(first_sitting=first).exists():
            raise ValidationError(
                _("A second sitting was already called."), code="second_sitting_twice"
            )
        charter = charter_in_force(body=body)
        if charter is None or charter.second_sitting_quorum_percent is None:
            raise ValidationError(
                _("The body's charter does not provide for a second sitting."),
                code="no_second_sitting",
            )
        reached, _present, _seated = room.quorum_reached(first)
        if reached:
            raise ValidationError(
                _("The first sitting had its quorum: there is no second sitting."),
                code="quorum_was_met",
            )
        _check_body(body)
        _refuse_overlap(body, [(starts_at, ends_at)])
        if first.chair_id is not None:
            requirements.check(
                first.community, first.chair, "meetings.chair", timezone.localdate(starts_at)
            )
        now = timezone.now()
        second = Meeting.objects.create(
            community_id=first.community_id,
            body=body,
            kind=first.kind,
            title=first.title,
            description=first.description,
            starts_at=starts_at,
            ends_at=ends_at,
            place=first.place,
            online_url=first.online_url,
            public=first.public,
            capacity=first.capacity,
            sitting=2,
            first_sitting=first,
            secretary=first.secretary,
            chair=first.chair,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        journal.record(
            community=first.community,
            actor=actor,
            verb="meeting.created",
            target=second,
            data={"meeting": second.pk, "body": body.pk, "kind": second.kind, "sitting": 2},
        )
        copied = 0
        for item in first.items.filter(withdrawn_at__isnull=True).order_by("position", "pk"):
            agenda.record_item(
                meeting=second,
                title=item.title,
                source=item.source,
                added_by=actor,
                proposal=item.proposal,
                action=item.action,
                description=item.description,
                decision_kind=item.decision_kind,
                topic=item.topic,
                amount_fen=item.amount_fen,
            )
            copied += 1
        journal.record(
            community=first.community,
            actor=actor,
            verb="meeting.second_sitting_called",
            target=second,
            data={"meeting": second.pk, "first": first.pk, "body": body.pk, "items": copied},
        )
    return second


# --- Registration -----------------------------------------------------------------------------


def _registered(meeting: Meeting) -> Any:
    return Registration.objects.in_community(meeting.community_id).filter(
        meeting=meeting, status=RegistrationStatus.REGISTERED
    )


def _promote(meeting: Meeting) -> list[Registration]:
    """Move the first waiting into the free places (the meeting's row is locked)."""
    if meeting.capacity is None:
        free = None
    else:
        free = meeting.capacity - _registered(meeting).count()
        if free <= 0:
            return []
    promoted = promote_waiting(
        Registration.objects.in_community(meeting.community_id).filter(
            meeting=meeting, status=RegistrationStatus.WAITLISTED
        ),
        free=free,
        status=RegistrationStatus.REGISTERED,
        related=("person",),
    )
    _notify([r.person for r in promoted], meeting, "meeting_registration", "promoted")
    return promoted


def registration_add(*, actor: User, meeting: Meeting, person: User | None = None) -> Registration:
    """Register ``person`` (oneself; someone else only by staff, 代办) for a public meeting
    with places: a place while there are some, else the waiting list."""
    person = person or actor
    if person.pk != actor.pk:
        _require("meetings.register_others", actor, meeting)
    else:
        _require("meetings.register", actor, meeting)
    if not _is_member(person, meeting.community_id):
        raise ValidationError(_("Only members of the community can register."), code="not_member")
    with transaction.atomic():
        current = _lock(meeting)
        _refuse_done(current)
        if not current.public or current.capacity is None:
            raise ValidationError(
                _("This meeting takes no registrations: just come."), code="no_registration"
            )
        if current.status != MeetingStatus.SCHEDULED or current.starts_at <= timezone.now():
            raise ValidationError(
                _("Registration closed when the meeting began."), code="registration_closed"
            )
        existing = (
            Registration.objects.in_community(current.community_id)
            .filter(meeting=current, person=person)
            .first()
        )
        if existing is not None and existing.status != RegistrationStatus.CANCELLED:
            raise ValidationError(
                _("Already registered for this meeting."), code="already_registered"
            )
        full = _registered(current).count() >= current.capacity
        status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED
        now = timezone.now()
        by = actor if person.pk != actor.pk else None
        if existing is None:
            registration = Registration.objects.create(
                community_id=current.community_id,
                meeting=current,
                person=person,
                status=status,
                registered_by=by,
                created_at=now,
                updated_at=now,
            )
        else:
            # Back in the queue from now: cancelling and returning does not keep one's place.
            registration = existing
            registration.status = status
            registration.registered_by = by
            registration.created_at = now
            registration.updated_at = now
            registration.reminded_at = None
            registration.save()
        journal.record(
            community=current.community,
            actor=actor,
            on_behalf_of=person,
            verb="meeting.registered",
            target=current,
            data={"meeting": current.pk, "body": current.body_id, "status": status},
        )
    return registration


def registration_cancel(*, actor: User, registration: Registration) -> Registration:
    """Give up a place (oneself, or staff for someone); the first waiting takes it."""
    if registration.person_id != actor.pk:
        _require("meetings.register_others", actor, registration.meeting)
    with transaction.atomic():
        meeting = _lock(registration.meeting)
        current = (
            Registration.objects.in_community(meeting.community_id)
            .select_for_update()
            .get(pk=registration.pk)
        )
        if current.status == RegistrationStatus.CANCELLED:
            raise ValidationError(
                _("This registration was already cancelled."), code="registration_cancelled"
            )
        if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.IN_SESSION):
            raise ValidationError(_("This meeting has begun."), code="meeting_closed")
        was = current.status
        current.status = RegistrationStatus.CANCELLED
        current.updated_at = timezone.now()
        current.save(update_fields=["status", "updated_at"])
        promoted = _promote(meeting) if was == RegistrationStatus.REGISTERED else []
        journal.record(
            community=meeting.community,
            actor=actor,
            on_behalf_of=current.person,
            verb="meeting.registration_cancelled",
            target=meeting,
            data={"meeting": meeting.pk, "was": was, "promoted": [r.person_id for r in promoted]},
        )
    return current


# --- Invitations and reminders ----------------------------------------------------------------


def seated_on(meeting: Meeting) -> Any:
    """The users seated in the meeting's body on its day."""
    from gongzhi.accounts.models import User

    day = timezone.localdate(meeting.starts_at)
    mandates = Mandate.objects.in_community(meeting.community_id).filter(
        sitting_q(day), body_id=meeting.body_id, membership__isnull=False
    )
    return User.objects.filter(pk__in=mandates.values("membership__user_id"), is_active=True)


def invitations_send(*, meeting: Meeting) -> int:
    """Invite every member seated on the meeting's day (called when its agenda is first
    published; no permission check). Those already invited are not invited twice. How many."""
    with transaction.atomic():
        current = _lock(meeting)
        _refuse_done(current)
        already = set(
            Invitation.objects.in_community(current.community_id)
            .filter(meeting=current)
            .values_list("person_id", flat=True)
        )
        people = [p for p in seated_on(current) if p.pk not in already]
        Invitation.objects.bulk_create(
            [
                Invitation(
                    community_id=current.community_id,
                    meeting=current,
                    person=person,
                    kind=InvitationKind.MEMBER,
                )
                for person in people
            ]
        )
        if people:
            journal.record(
                community=current.community,
                actor=None,
                verb="meeting.invited",
                target=current,
                data={"meeting": current.pk, "kind": InvitationKind.MEMBER, "count": len(people)},
            )
            _notify(people, current, "meeting_invitation", "invited", place=_where(current))
    return len(people)


def _where(meeting: Meeting) -> str:
    return meeting.place or meeting.online_url


def invite(*, actor: User, meeting: Meeting, person: User, kind: str) -> Invitation:
    """Invite one person (an observer, a guest: the property company, a resident concerned)."""
    _require("meetings.run_meeting", actor, meeting)
    if kind not in InvitationKind.values:
        raise ValidationError(_("Unknown kind of invitation."), code="invitation_kind")
    if not _is_member(person, meeting.community_id):
        raise ValidationError(_("Only members of the community can be invited."), code="not_member")
    with transaction.atomic():
        current = _lock(meeting)
        _refuse_done(current)
        if (
            Invitation.objects.in_community(current.community_id)
            .filter(meeting=current, person=person)
            .exists()
        ):
            raise ValidationError(_("This person is already invited."), code="already_invited")
        invitation = Invitation.objects.create(
            community_id=current.community_id, meeting=current, person=person, kind=kind
        )
        journal.record(
            community=current.community,
            actor=actor,
            verb="meeting.invited",
            target=current,
            data={"meeting": current.pk, "kind": kind, "count": 1, "person": person.pk},
        )
        _notify([person], current, "meeting_invitation", "invited", place=_where(current))
    return invitation


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind those invited and registered of each meeting that starts within a day, once
    each (``reminded_at``; rows another run holds are skipped). How many reminders."""
    now = now or timezone.now()
    sent = 0
    meetings = (
        Meeting.objects.all_communities()
        .filter(
            status=MeetingStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=now + REMIND_AHEAD
        )
        .select_related("community")
        .order_by("starts_at")
    )
    for meeting in meetings:
        with transaction.atomic():
            invitations = list(
                Invitation.objects.in_community(meeting.community_id)
                .select_for_update(skip_locked=True, of=("self",))
                .filter(meeting=meeting, reminded_at__isnull=True)
                .select_related("person")
            )
            registrations = list(
                Registration.objects.in_community(meeting.community_id)
                .select_for_update(skip_locked=True, of=("self",))
                .filter(
                    meeting=meeting,
                    reminded_at__isnull=True,
                    status=RegistrationStatus.REGISTERED,
                )
                .select_related("person")
            )
            rows: list[Invitation | Registration] = [*invitations, *registrations]
            people: dict[int, Any] = {}
            for row in rows:
                row.reminded_at = now
                row.save(update_fields=["reminded_at"])
                if row.person.is_active:
                    people[row.person_id] = row.person
            _notify(people.values(), meeting, "meeting_reminder", "tomorrow", place=_where(meeting))
            sent += len(people)
    return sent
