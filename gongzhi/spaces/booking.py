"""The booking engine: one place where a seat's time is taken, given back and decided, so that
pages, the API, repeating bookings, draws and the waiting list all obey the same rules.

No double booking is the database's job, not this module's. A booking that occupies a seat
(``OCCUPYING``: confirmed, pending with a hold, held for a draw) covers
``[starts_at, busy_until)`` of that seat, and ``migrations/0002_no_overlap`` makes the database
refuse a second occupying booking of the same seat whose range overlaps: an exclusion
constraint over the space, the seat and ``tstzrange`` on PostgreSQL (``btree_gist``), a trigger
on SQLite, whose write transactions are serialised besides. A space with several seats (a
reading room's 20) is guarded with the same strength, one seat per booking in the constraint.

Each transaction here does, in order:

1. lock the space's row (so two requests pick different seats and count quotas one after the
   other: a refused request is refused for a reason, not by a race);
2. expire the holds whose time is up (a constraint cannot read the clock, so an expired hold
   still occupies its range until someone expires it; ``expire_holds``);
3. check the space's rules (``check_rules``: open, not in the past, within opening hours and
   the booking horizon, not too long, who may book, the quota, no-shows);
4. pick the lowest free seat and insert; should the database still refuse it (a row written
   without this module), the refusal becomes the same clear error and nothing is saved.

A slot freed by a cancellation, a rejection, an expiry or a release is offered to those waiting
for it, first come first served (``_offer_freed``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.bodies.models import Body, Partner
from gongzhi.core import journal
from gongzhi.core.policies import (
    is_community_worker,
    membership_in,
    verified_membership,
)
from gongzhi.spaces.models import (
    OCCUPYING,
    Booking,
    BookingStatus,
    DrawRequest,
    DrawRequestOutcome,
    DrawStatus,
    QuotaPeriod,
    ResidentAccess,
    Series,
    Space,
    SpaceStatus,
    WaitingRequest,
    WaitingStatus,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

#: how far back no-shows count against a person (``Space.no_show_limit``)
NO_SHOW_WINDOW = timedelta(days=90)


def occupying_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": OCCUPYING})


def overlapping(space: Space, starts_at: datetime, busy_until: datetime) -> QuerySet[Booking]:
    """The bookings that occupy some seat of ``space`` within ``[starts_at, busy_until)``."""
    return Booking.objects.in_community(space.community_id).filter(
        occupying_q(), space=space, starts_at__lt=busy_until, busy_until__gt=starts_at
    )


def lock_space(space: Space) -> Space:
    """The space's row, locked until the end of the transaction."""
    return Space.objects.in_community(space.community_id).select_for_update().get(pk=space.pk)


def expire_all_holds(*, now: datetime | None = None) -> int:
    """Expire every community's requests whose hold ran out (``spaces_release`` runs it), so a
    quiet space's undecided request does not stay "waiting" and its person is told."""
    now = now or timezone.now()
    due = (
        Booking.objects.all_communities()
        .filter(status=BookingStatus.PENDING, hold_until__lte=now)
        .values_list("space_id", flat=True)
        .distinct()
    )
    count = 0
    for space in Space.objects.all_communities().filter(pk__in=list(due)).order_by("pk"):
        with transaction.atomic():
            count += len(expire_holds(lock_space(space), now=now))
    return count


def expire_holds(space: Space, *, now: datetime | None = None) -> list[Booking]:
    """Expire the pending requests of ``space`` whose hold ran out; the slots they free are
    offered to those waiting. Runs inside the caller's transaction."""
    now = now or timezone.now()
    expired = list(
        Booking.objects.in_community(space.community_id).filter(
            space=space, status=BookingStatus.PENDING, hold_until__lte=now
        )
    )
    for booking in expired:
        booking.status = BookingStatus.EXPIRED
        booking.save(update_fields=["status", "updated_at"])
        journal.record(
            community=space.community,
            actor=None,
            verb="booking.expired",
            target=booking,
            data={"space": space.pk},
        )
    for booking in expired:
        _offer_freed(space, booking.starts_at, booking.busy_until, now=now)
    if expired:
        from gongzhi.spaces import notices

        notices.tell(expired, "expired")
    return expired


# --- rules -----------------------------------------------------------------------------------


def quota_window(space: Space, starts_at: datetime) -> tuple[datetime, datetime]:
    """The week (Monday to Sunday) or calendar month, in local time, that holds ``starts_at``."""
    local = timezone.localtime(starts_at)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if space.quota_period == QuotaPeriod.MONTH:
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=7)


def _quota_counter(space: Space, booking: Booking, *, partners: bool = True) -> Q | None:
    """Whose bookings count together: the organisation's, the partner's or the household's
    (a resident with no household: their own). ``partners=False`` for rows that have no
    partner (draw requests)."""
    alone = {"body__isnull": True} | ({"partner__isnull": True} if partners else {})
    if booking.body_id:
        return Q(body_id=booking.body_id)
    if booking.partner_id:
        return Q(partner_id=booking.partner_id)
    if booking.household_id:
        return Q(household_id=booking.household_id, **alone)
    return Q(person_id=booking.person_id, **alone)


def no_shows_of(person: Any, community_id: int, *, now: datetime) -> int:
    return (
        Booking.objects.in_community(community_id)
        .filter(person=person, no_show=True, starts_at__gte=now - NO_SHOW_WINDOW)
        .count()
    )


def hours_allow(space: Space, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether ``[starts_at, ends_at)`` lies within one of the space's opening ranges."""
    if not space.hours:
        return True
    from gongzhi.spaces import hours

    return hours.is_open_for(hours.load(space.hours), starts_at, ends_at)


def check_times(
    space: Space,
    starts_at: datetime,
    ends_at: datetime,
    *,
    now: datetime,
    horizon: bool = True,
) -> None:
    """The rules on the time alone. ``horizon`` is off for a repeating booking, whose limit is a
    year (``core/recurrence``) instead of the space's days ahead."""
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError(_("Give the time with its time zone."), code="booking_naive")
    if ends_at <= starts_at:
        raise ValidationError(_("A booking must end after it starts."), code="booking_order")
    if starts_at < now:
        raise ValidationError(_("This time has already passed."), code="booking_past")
    minutes = (ends_at - starts_at).total_seconds() / 60
    if minutes > space.max_minutes:
        raise ValidationError(
            _("This space can be booked for at most %(minutes)d minutes at a time.")
            % {"minutes": space.max_minutes},
            code="booking_too_long",
        )
    if horizon and starts_at > now + timedelta(days=space.advance_days):
        raise ValidationError(
            _("This space can be booked at most %(days)d days ahead.")
            % {"days": space.advance_days},
            code="booking_too_far",
        )
    if not hours_allow(space, starts_at, ends_at):
        raise ValidationError(
            _("The space is not open for the whole of this time."), code="booking_outside_hours"
        )


def check_booker(space: Space, booking: Booking, *, actor: Any, now: datetime) -> None:
    """Who may book: the space's rule for residents, organisations and partners; a worker
    booking for someone (代办) books under that person's rules."""
    community_id = space.community_id
    if booking.body_id:
        if not space.organisations:
            raise ValidationError(
                _("Organisations cannot book this space."), code="booking_no_organisations"
            )
        from gongzhi.bodies.policies import sits_in_body

        if not (sits_in_body(actor, booking.body) or is_community_worker(actor, space)):
            raise PermissionDenied(_("Only a member of the organisation can book for it."))
    elif booking.partner_id:
        if not space.partners:
            raise ValidationError(_("Partners cannot book this space."), code="booking_no_partners")
        if not is_community_worker(actor, space):
            raise PermissionDenied(_("A community worker books for a partner."))
    else:
        person = booking.person
        if space.residents == ResidentAccess.NONE:
            raise ValidationError(
                _("Residents cannot book this space on their own; ask its managers."),
                code="booking_no_residents",
            )
        membership = (
            verified_membership(person, community_id)
            if space.residents == ResidentAccess.VERIFIED
            else membership_in(person, community_id)
        )
        if membership is None:
            raise ValidationError(
                _("Only verified residents of this community can book this space.")
                if space.residents == ResidentAccess.VERIFIED
                else _("Only residents of this community can book this space."),
                code="booking_not_resident",
            )
        booking.household_id = membership.household_id
    if space.no_show_limit and booking.person_id:
        missed = no_shows_of(booking.person_id, community_id, now=now)
        if missed >= space.no_show_limit:
            raise ValidationError(
                _(
                    "Booking is paused: %(count)d bookings in the last 90 days were not used. "
                    "You can appeal a no-show from your bookings."
                )
                % {"count": missed},
                code="booking_no_shows",
            )


def check_asker(
    space: Space,
    starts_at: datetime,
    ends_at: datetime,
    *,
    person: Any,
    actor: Any,
    body: Body | None,
    now: datetime,
) -> Booking:
    """``check_booker`` for someone who asks now and is booked later (a waiting list, a draw):
    the unsaved booking they would get, with its household, so that a later offer cannot fail
    on who they are."""
    probe = Booking(
        community_id=space.community_id,
        space=space,
        starts_at=starts_at,
        ends_at=ends_at,
        person=person,
        booked_by=actor,
        body=body,
    )
    check_booker(space, probe, actor=actor, now=now)
    return probe


def check_quota(space: Space, booking: Booking) -> None:
    if not space.quota:
        return
    start, end = quota_window(space, booking.starts_at)
    counter = _quota_counter(space, booking)
    used = (
        Booking.objects.in_community(space.community_id)
        .filter(occupying_q(), counter, space=space, starts_at__gte=start, starts_at__lt=end)
        .exclude(pk=booking.pk)
        .count()
    )
    if not booking.partner_id:  # partners do not ask in draws
        # A request waiting for a draw counts until it is drawn or not: asking in two draws,
        # or asking and then booking, would otherwise give more than the quota to one winner.
        used += (
            DrawRequest.objects.in_community(space.community_id)
            .filter(
                _quota_counter(space, booking, partners=False) or Q(),
                outcome=DrawRequestOutcome.WAITING,
                draw__status=DrawStatus.OPEN,
                draw__space=space,
                draw__starts_at__gte=start,
                draw__starts_at__lt=end,
            )
            .count()
        )
    if used >= space.quota:
        raise ValidationError(
            _("The quota of %(quota)d bookings %(period)s for this space is used up.")
            % {"quota": space.quota, "period": QuotaPeriod(space.quota_period).label},
            code="booking_over_quota",
        )


def free_seat(space: Space, starts_at: datetime, busy_until: datetime) -> int | None:
    taken = set(overlapping(space, starts_at, busy_until).values_list("seat", flat=True))
    return next((seat for seat in range(1, space.seats + 1) if seat not in taken), None)


def _insert(booking: Booking) -> Booking:
    """Save ``booking``; the database's refusal of an overlap becomes the user's error."""
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as error:
        if "booking_no_overlap" in str(error):
            raise _taken() from error
        raise
    return booking


def _taken() -> ValidationError:
    return ValidationError(_("This time is already taken."), code="booking_taken")


# --- booking ---------------------------------------------------------------------------------


def place(
    *,
    actor: User,
    space: Space,
    starts_at: datetime,
    ends_at: datetime,
    purpose: str,
    person: Any = None,
    body: Body | None = None,
    partner: Partner | None = None,
    attendees: int = 1,
    series: Series | None = None,
    now: datetime | None = None,
    horizon: bool = True,
    meeting: Any = None,
) -> Booking:
    """Check and insert one booking; the caller holds the space's lock and has expired holds.
    Used by ``book`` and by the repeating bookings, the draw and the waiting list."""
    now = now or timezone.now()
    if space.status != SpaceStatus.OPEN:
        raise ValidationError(_("This space is not open for booking."), code="space_not_open")
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError(_("Say what the space is for."), code="booking_no_purpose")
    if attendees < 1:
        raise ValidationError(_("At least one person must be expected."), code="booking_attendees")
    if attendees > space.capacity:
        raise ValidationError(
            _("This space holds at most %(capacity)d people.") % {"capacity": space.capacity},
            code="booking_over_capacity",
        )
    check_times(space, starts_at, ends_at, now=now, horizon=horizon)
    booking = Booking(
        community_id=space.community_id,
        space=space,
        starts_at=starts_at,
        ends_at=ends_at,
        busy_until=ends_at + timedelta(minutes=space.buffer_minutes),
        person=person if person is not None else (None if partner else actor),
        booked_by=actor,
        body=body,
        partner=partner,
        purpose=purpose[:200],
        attendees=attendees,
        series=series,
        meeting=meeting,
        fee=space.fee,
    )
    if booking.person is None and partner is not None:
        booking.person = actor
    check_booker(space, booking, actor=actor, now=now)
    check_quota(space, booking)
    seat = free_seat(space, booking.starts_at, booking.busy_until)
    if seat is None:
        raise _taken()
    booking.seat = seat
    # A manager's booking for a resident (代办) is the resident's request, decided by the one
    # who books it; a manager's own booking (or their body's) waits for another manager.
    decided_by_booker = may_decide(actor, space) and booking.person_id != actor.pk
    if space.needs_approval and not decided_by_booker:
        booking.status = BookingStatus.PENDING
        booking.hold_until = min(now + timedelta(hours=space.hold_hours), starts_at)
    else:
        booking.status = BookingStatus.CONFIRMED
    return _insert(booking)


def book(
    *,
    actor: User,
    space: Space,
    starts_at: datetime,
    ends_at: datetime,
    purpose: str,
    person: Any = None,
    body: Body | None = None,
    partner: Partner | None = None,
    attendees: int = 1,
    meeting: Any = None,
) -> Booking:
    """Book ``space`` for ``[starts_at, ends_at)``: confirmed, or pending approval with a hold.
    ``person`` differs from ``actor`` only when a community worker books for a resident. With
    ``meeting`` (a body's meeting), the room of that meeting is booked: for its body, which the
    booker must sit in (or be a community worker), from before the meeting starts."""
    if person is not None and person != actor and not is_community_worker(actor, space):
        raise PermissionDenied(_("Only a community worker can book for someone else."))
    if meeting is not None:
        if meeting.community_id != space.community_id or (body and body.pk != meeting.body_id):
            raise ValidationError(
                _("Book a meeting's room for that meeting's own body."), code="booking_meeting"
            )
        if not starts_at <= meeting.starts_at < ends_at:
            raise ValidationError(
                _("The booking must cover the meeting's start (%(starts)s).")
                % {"starts": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")},
                code="booking_meeting_time",
            )
        body = meeting.body
    with transaction.atomic():
        locked = lock_space(space)
        now = timezone.now()
        expire_holds(locked, now=now)
        booking = place(
            actor=actor,
            space=locked,
            starts_at=starts_at,
            ends_at=ends_at,
            purpose=purpose,
            person=person,
            body=body,
            partner=partner,
            attendees=attendees,
            now=now,
            meeting=meeting,
        )
        journal.record(
            community=locked.community,
            actor=actor,
            on_behalf_of=booking.person if booking.person != actor else None,
            verb="booking.requested" if booking.status == BookingStatus.PENDING else "booking.made",
            target=booking,
            data={"space": locked.pk, "starts": starts_at.isoformat(), "seat": booking.seat},
        )
    return booking


def may_decide(user: Any, space: Space) -> bool:
    """The space's managers: the members of the body that manages it, and community workers."""
    if is_community_worker(user, space):
        return True
    if space.managed_by_body_id:
        from gongzhi.bodies.policies import sits_in_body

        return bool(sits_in_body(user, space.managed_by_body))
    return False


def _locked_booking(booking: Booking) -> tuple[Space, Booking]:
    space = lock_space(booking.space)
    fresh = (
        Booking.objects.in_community(booking.community_id).select_for_update().get(pk=booking.pk)
    )
    return space, fresh


def decide(*, actor: User, booking: Booking, approve: bool, reason: str = "") -> Booking:
    """Approve or refuse a pending request, for the space's managers; never one's own. A hold
    that has run out is expired first, and cannot be approved."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError(_("Say why the request is not approved."), code="booking_reason")
    with transaction.atomic():
        space, fresh = _locked_booking(booking)
        if not may_decide(actor, space):
            raise PermissionDenied(_("Only the space's managers decide on requests."))
        if actor.pk in (fresh.person_id, fresh.booked_by_id):
            raise PermissionDenied(_("Someone else must decide on your own request."))
        now = timezone.now()
        expire_holds(space, now=now)
        fresh.refresh_from_db()
        if fresh.status != BookingStatus.PENDING:
            raise ValidationError(
                _("This request is no longer waiting for a decision (%(status)s).")
                % {"status": fresh.get_status_display()},
                code="booking_not_pending",
            )
        fresh.status = BookingStatus.CONFIRMED if approve else BookingStatus.REJECTED
        fresh.hold_until = None
        fresh.decided_by = actor
        fresh.decided_at = now
        fresh.reason = reason[:300]
        fresh.save()
        journal.record(
            community=space.community,
            actor=actor,
            verb="booking.approved" if approve else "booking.rejected",
            target=fresh,
            data={"space": space.pk, "person": fresh.person_id},
        )
        if not approve:
            _offer_freed(space, fresh.starts_at, fresh.busy_until, now=now)
        from gongzhi.spaces import notices

        if approve:
            notices.tell([fresh], "approved")
        else:
            notices.tell([fresh], "rejected", reason=fresh.reason)
    return fresh


def may_cancel(user: Any, booking: Booking) -> bool:
    return getattr(user, "pk", None) in (booking.person_id, booking.booked_by_id) or (
        may_decide(user, booking.space)
    )


def cancel(*, actor: User, booking: Booking, reason: str = "") -> Booking:
    """Cancel a booking or a request that has not started; its slot goes to those waiting."""
    with transaction.atomic():
        space, fresh = _locked_booking(booking)
        if not may_cancel(actor, fresh):
            raise PermissionDenied(_("You cannot cancel this booking."))
        now = timezone.now()
        if fresh.status not in (BookingStatus.CONFIRMED, BookingStatus.PENDING):
            raise ValidationError(_("This booking is not active."), code="booking_not_active")
        if fresh.starts_at <= now:
            raise ValidationError(
                _("A booking that has started cannot be cancelled."), code="booking_started"
            )
        expire_holds(space, now=now)  # so the freed time can go to the first waiting
        fresh.status = BookingStatus.CANCELLED
        fresh.hold_until = None
        fresh.reason = (reason or "").strip()[:300]
        fresh.save()
        journal.record(
            community=space.community,
            actor=actor,
            on_behalf_of=fresh.person if fresh.person_id != actor.pk else None,
            verb="booking.cancelled",
            target=fresh,
            data={"space": space.pk},
        )
        _offer_freed(space, fresh.starts_at, fresh.busy_until, now=now)
    return fresh


# --- waiting ---------------------------------------------------------------------------------


def wait_for(
    *,
    actor: User,
    space: Space,
    starts_at: datetime,
    ends_at: datetime,
    purpose: str,
    body: Body | None = None,
    person: Any = None,
) -> WaitingRequest:
    """Wait for a taken slot: booked automatically, and told, if it frees up. Only those who
    may book the space may wait for it (else every offer would fail); ``person`` differs from
    ``actor`` only when a community worker waits for a resident (代办), who is then the one
    waiting."""
    person = person if person is not None else actor
    if person != actor and not is_community_worker(actor, space):
        raise PermissionDenied(_("Only a community worker can book for someone else."))
    now = timezone.now()
    check_times(space, starts_at, ends_at, now=now)
    if not (purpose or "").strip():
        raise ValidationError(_("Say what the space is for."), code="booking_no_purpose")
    with transaction.atomic():
        locked = lock_space(space)
        expire_holds(locked, now=now)
        check_asker(locked, starts_at, ends_at, person=person, actor=actor, body=body, now=now)
        if free_seat(locked, starts_at, ends_at + timedelta(minutes=locked.buffer_minutes)):
            raise ValidationError(
                _("This time is free: book it instead."), code="waiting_slot_free"
            )
        waiting = WaitingRequest.objects.in_community(space.community_id).filter(
            space=locked, person=person, starts_at=starts_at, status=WaitingStatus.WAITING
        )
        if waiting.exists():
            raise ValidationError(_("You are already waiting for this time."), code="waiting_twice")
        request = WaitingRequest.objects.create(
            community_id=space.community_id,
            space=locked,
            starts_at=starts_at,
            ends_at=ends_at,
            person=person,
            body=body,
            purpose=purpose.strip()[:200],
        )
        journal.record(
            community=locked.community,
            actor=actor,
            on_behalf_of=person if person != actor else None,
            verb="booking.waiting",
            target=request,
            data={"space": locked.pk},
        )
    return request


def _offer_freed(space: Space, start: datetime, end: datetime, *, now: datetime) -> list[Booking]:
    """Offer ``[start, end)`` of ``space``, just freed, to those waiting for a time within it,
    oldest first; each gets it only if their booking now fits every rule."""
    made: list[Booking] = []
    queue = (
        WaitingRequest.objects.in_community(space.community_id)
        .filter(
            space=space,
            status=WaitingStatus.WAITING,
            starts_at__lt=end,
            ends_at__gt=start,
            starts_at__gt=now,
        )
        .select_related("person", "body")
        .order_by("created_at", "pk")
    )
    for request in queue:
        try:
            with transaction.atomic():
                booking = place(
                    actor=request.person,
                    space=space,
                    starts_at=request.starts_at,
                    ends_at=request.ends_at,
                    purpose=request.purpose,
                    body=request.body,
                    now=now,
                )
        except (ValidationError, PermissionDenied):
            continue
        request.status = WaitingStatus.BOOKED
        request.booking = booking
        request.save(update_fields=["status", "booking", "updated_at"])
        journal.record(
            community=space.community,
            actor=None,
            verb="booking.from_waiting",
            target=booking,
            data={"space": space.pk, "person": request.person_id},
        )
        made.append(booking)
    if made:
        from gongzhi.spaces import notices

        notices.booked_from_waiting(made)
    return made


def bookings_of(person: Any, community_id: int) -> QuerySet[Booking]:
    return (
        Booking.objects.in_community(community_id)
        .filter(Q(person=person) | Q(booked_by=person))
        .select_related("space")
    )


def active(bookings: Iterable[Booking]) -> list[Booking]:
    return [booking for booking in bookings if booking.occupies]


# --- draws (draws.py) ------------------------------------------------------------------------


def hold_for_draw(*, actor: User, space: Space, draw: Any) -> list[Booking]:
    """Hold every free seat of ``draw``'s slot with a ``draw`` row (nobody's yet), so nobody
    books it directly while requests are collected. The caller holds the space's lock and has
    expired holds; the draw's own checks (times, who opens it) are ``draws.py``'s."""
    busy_until = draw.ends_at + timedelta(minutes=space.buffer_minutes)
    taken = set(overlapping(space, draw.starts_at, busy_until).values_list("seat", flat=True))
    return [
        _insert(
            Booking(
                community_id=space.community_id,
                space=space,
                seat=seat,
                starts_at=draw.starts_at,
                ends_at=draw.ends_at,
                busy_until=busy_until,
                status=BookingStatus.DRAW,
                person=None,
                booked_by=actor,
                draw=draw,
                purpose="",
                fee=space.fee,
            )
        )
        for seat in range(1, space.seats + 1)
        if seat not in taken
    ]


def settle_draw_hold(hold: Booking, *, winner: Any = None, now: datetime | None = None) -> Booking:
    """A draw's held seat given to ``winner`` (a ``DrawRequest``) as a confirmed booking, or,
    with no winner, removed (a hold is nobody's, and a cancelled row must name its person) and
    its time offered to those waiting. The caller holds the space's lock."""
    if hold.status != BookingStatus.DRAW:
        raise ValidationError(_("This seat is no longer held for the draw."), code="draw_hold_gone")
    if winner is None:
        space, start, end = hold.space, hold.starts_at, hold.busy_until
        hold.delete()
        _offer_freed(space, start, end, now=now or timezone.now())
        return hold
    hold.status = BookingStatus.CONFIRMED
    hold.person_id = winner.person_id
    hold.body_id = winner.body_id
    hold.household_id = winner.household_id
    hold.purpose = winner.purpose
    hold.save(update_fields=["status", "person", "body", "household", "purpose", "updated_at"])
    return hold
