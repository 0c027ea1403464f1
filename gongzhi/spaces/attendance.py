"""Attendance at a booked space: checking in with the rotating QR at the door, releasing the
bookings nobody came to, appeals against a no-show, and the fee collected in person.

- **Check-in** (扫码签到): a ``Space`` is a ``core.checkin`` target. Its managers
  (``booking.may_decide``: community workers and the members of the managing body) show the
  rotating code on a screen at the door; a resident scanning it checks in their own confirmed
  booking that is current (or their organisation's), from ``CHECKIN_EARLY`` before it starts
  until it ends. Any other scan is refused with a sentence that says why (no booking now,
  released, too early), and nothing is recorded. ``core.checkin`` keeps one ``CheckIn`` row per
  person and space (its first scan); the booking's ``checked_in_at`` is what counts, and the
  door screen shows how many of today's bookings are checked in (``checked_in_today``).
- **No-shows**: a confirmed booking with no check-in ``Space.no_show_minutes`` after its start
  is released by ``release_no_shows`` (status released, ``no_show`` set; the command
  ``spaces_release`` runs it every few minutes). The rest of its time goes to those waiting
  (``booking._offer_freed``). A space with ``no_show_minutes`` 0 never releases (a courtyard
  with nobody at the door). Only bookings that started within ``RELEASE_WINDOW`` are released,
  so a command that did not run for days does not turn old bookings into no-shows. No-shows
  count against booking (``booking.check_booker``).
- **Appeals**: the person of a no-show appeals once, within ``APPEAL_DAYS``; a manager who is
  neither the appellant nor the one who booked upholds it or withdraws the no-show.
- **Fees**: a booking's fee is collected in person. A manager who may write the finance ledger
  (a community worker), never the payer, records it: an income entry (category fees) that
  waits for a second person's approval in the ledger (``disclosure.ledger_entry_record``).
  The ledger is public once approved, so a resident's name never goes into it: the
  counterparty is the organisation or partner, or "a resident" with the booking's number.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.policies import is_member
from gongzhi.spaces import booking as engine
from gongzhi.spaces.models import AppealStatus, Booking, BookingStatus, NoShowAppeal, Space

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

#: a booking can be checked in from this long before its start
CHECKIN_EARLY = timedelta(minutes=15)
#: only bookings that started this recently are released (see the module's docstring)
RELEASE_WINDOW = timedelta(days=1)
#: how long after the booking a no-show may be appealed
APPEAL_DAYS = 30
REASON_MAX = 1000
ANSWER_MAX = 300


def _when(booking: Booking) -> str:
    return timezone.localtime(booking.starts_at).strftime("%Y-%m-%d %H:%M")


def _lock_booking(booking: Booking) -> Booking:
    return (
        Booking.objects.in_community(booking.community_id)
        .select_for_update()
        .select_related("space")
        .get(pk=booking.pk)
    )


def _tell(booking: Booking, kind: str, message: str, **params: Any) -> None:
    """Tell the booking's person, after the commit (``core.notify`` enqueues on commit)."""
    if booking.person_id is None:
        return
    from django.urls import reverse

    from gongzhi.core.notify import send

    send(
        users=[booking.person],
        community=booking.space.community,
        kind=kind,
        message=message,
        params={"space": booking.space.name, "starts": _when(booking), **params},
        url=reverse("spaces_mine", kwargs={"slug": booking.space.community.slug}),
    )


# --- Check-in --------------------------------------------------------------------------------


def may_display(user: Any, space: Space) -> bool:
    """The door screen: the space's managers."""
    return bool(getattr(user, "is_authenticated", False)) and engine.may_decide(user, space)


def may_check_in(user: Any, space: Space) -> bool:
    """A scan: any member of the space's community; ``scanned`` then finds their booking, or
    says why there is none to check in."""
    return bool(is_member(user, space))


def current_booking(person: Any, space: Space, now: datetime) -> Booking | None:
    """``person``'s confirmed booking of ``space`` open for check-in at ``now``: their own, or
    one of an organisation they sit in today (any of its members may arrive first). One query,
    however many organisations have booked the space now."""
    from gongzhi.spaces.booking_selectors import bodies_i_sit_in

    pk = getattr(person, "pk", None)
    bodies = bodies_i_sit_in(space.community_id, person).order_by().values("pk")
    return (
        Booking.objects.in_community(space.community_id)
        .filter(
            Q(person_id=pk) | Q(body__in=bodies),
            space=space,
            status=BookingStatus.CONFIRMED,
            starts_at__lte=now + CHECKIN_EARLY,
            ends_at__gt=now,
        )
        .order_by("starts_at", "pk")
        .first()
    )


def _why_not(person: Any, space: Space, now: datetime) -> ValidationError:
    """The sentence a resident reads when their scan finds no booking to check in."""
    mine = Booking.objects.in_community(space.community_id).filter(
        space=space, person_id=getattr(person, "pk", None)
    )
    released = mine.filter(
        status=BookingStatus.RELEASED, starts_at__lte=now, ends_at__gt=now
    ).exists()
    if released:
        return ValidationError(
            _(
                "Your booking was released because nobody checked in in time. "
                "You can appeal the no-show from your bookings."
            ),
            code="checkin_released",
        )
    later = (
        mine.filter(status=BookingStatus.CONFIRMED, starts_at__gt=now).order_by("starts_at").first()
    )
    if later is not None:
        return ValidationError(
            _(
                "Your booking starts at %(starts)s. Checking in opens 15 minutes before the "
                "start and lasts until the end."
            )
            % {"starts": _when(later)},
            code="checkin_too_early",
        )
    return ValidationError(
        _("You have no booking of this space now, so there is nothing to check in."),
        code="checkin_no_booking",
    )


def checkin_booking(*, person: Any, space: Space, now: datetime | None = None) -> Booking:
    """Check in ``person``'s current booking of ``space`` (after a valid scan); a second scan
    changes nothing."""
    now = now or timezone.now()
    found = current_booking(person, space, now)
    if found is None:
        raise _why_not(person, space, now)
    with transaction.atomic():
        locked = _lock_booking(found)
        if locked.status != BookingStatus.CONFIRMED:
            raise _why_not(person, space, now)
        if locked.checked_in_at is None:
            locked.checked_in_at = now
            locked.save(update_fields=["checked_in_at", "updated_at"])
            journal.record(
                community=space.community,
                actor=person,
                verb="booking.checked_in",
                target=locked,
                data={"space": space.pk},
            )
    return locked


def scanned(person: Any, space: Space, row: Any) -> None:
    """``core.checkin``'s callback after a scan: check in the scanner's current booking."""
    checkin_booking(person=person, space=space)


def scan_status(person: Any, space: Space) -> str:
    now = timezone.now()
    found = current_booking(person, space, now)
    if found is None or found.checked_in_at is None:
        return ""
    return _("Your booking %(starts)s–%(ends)s is checked in since %(at)s.") % {
        "starts": timezone.localtime(found.starts_at).strftime("%H:%M"),
        "ends": timezone.localtime(found.ends_at).strftime("%H:%M"),
        "at": timezone.localtime(found.checked_in_at).strftime("%H:%M"),
    }


def checked_in_today(space: Space) -> int:
    """The door screen's number: today's bookings checked in. ``core.checkin`` would count
    everyone who ever checked in here (its rows are one per person and space)."""
    from gongzhi.spaces.lending_selectors import checked_in_count

    return checked_in_count(space, timezone.localdate())["checked_in"]


def register_checkin() -> None:
    """Make the space a check-in target; called from the app's ready()."""
    from gongzhi.core import checkin

    checkin.register(
        Space,
        may_display=may_display,
        may_check_in=may_check_in,
        on_recorded=scanned,
        status=scan_status,
        count=checked_in_today,
    )


# --- No-shows --------------------------------------------------------------------------------


def due_for_release(now: datetime, community: Any = None) -> list[Booking]:
    """Confirmed bookings with no check-in whose grace time is over (and that started within
    ``RELEASE_WINDOW``)."""
    rows = (
        Booking.objects.all_communities()
        if community is None
        else Booking.objects.in_community(community)
    )
    candidates = (
        rows.filter(
            status=BookingStatus.CONFIRMED,
            checked_in_at__isnull=True,
            starts_at__lte=now,
            starts_at__gt=now - RELEASE_WINDOW,
            space__no_show_minutes__gt=0,
        )
        .select_related("space")
        .order_by("starts_at", "pk")
    )
    return [
        booking
        for booking in candidates
        if booking.starts_at + timedelta(minutes=booking.space.no_show_minutes) <= now
    ]


def release(booking: Booking, *, now: datetime) -> Booking | None:
    """Release one booking nobody checked in to; None if it changed meanwhile (checked in,
    cancelled). The rest of its time goes to those waiting."""
    with transaction.atomic():
        space = engine.lock_space(booking.space)
        locked = _lock_booking(booking)
        grace = timedelta(minutes=space.no_show_minutes)
        if (
            locked.status != BookingStatus.CONFIRMED
            or locked.checked_in_at is not None
            or not space.no_show_minutes
            or locked.starts_at + grace > now
        ):
            return None
        locked.status = BookingStatus.RELEASED
        locked.no_show = True
        locked.save(update_fields=["status", "no_show", "updated_at"])
        journal.record(
            community=space.community,
            actor=None,
            verb="booking.released",
            target=locked,
            data={"space": space.pk, "person": locked.person_id},
        )
        if locked.busy_until > now:
            engine._offer_freed(space, max(now, locked.starts_at), locked.busy_until, now=now)
        _tell(locked, "space_attendance", "released", minutes=space.no_show_minutes)
    return locked


def release_no_shows(now: datetime | None = None, *, community: Any = None) -> list[Booking]:
    """Release every booking due (the ``spaces_release`` command); each in its own
    transaction, so one failure does not hold back the others."""
    now = now or timezone.now()
    released = []
    for booking in due_for_release(now, community):
        done = release(booking, now=now)
        if done is not None:
            released.append(done)
    return released


# --- Appeals ---------------------------------------------------------------------------------


def may_appeal(user: Any, booking: Booking) -> bool:
    return bool(booking.no_show) and getattr(user, "pk", None) == booking.person_id


def appeal_submit(
    *, actor: User, booking: Booking, reason: str, now: datetime | None = None
) -> NoShowAppeal:
    """The person of a no-show says why it was not one; once per booking."""
    now = now or timezone.now()
    if actor.pk != booking.person_id:
        raise PermissionDenied(_("Only the person the booking was for can appeal its no-show."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why it was not a no-show."), code="appeal_no_reason")
    if len(reason) > REASON_MAX:
        raise ValidationError(
            _("The reason is too long: at most %(max)d characters.") % {"max": REASON_MAX},
            code="appeal_too_long",
        )
    with transaction.atomic():
        locked = _lock_booking(booking)
        if not locked.no_show:
            raise ValidationError(
                _("This booking is not counted as a no-show."), code="appeal_not_no_show"
            )
        if locked.ends_at + timedelta(days=APPEAL_DAYS) < now:
            raise ValidationError(
                _("A no-show can be appealed within %(days)d days.") % {"days": APPEAL_DAYS},
                code="appeal_too_late",
            )
        if NoShowAppeal.objects.in_community(booking.community_id).filter(booking=locked).exists():
            raise ValidationError(_("This no-show has already been appealed."), code="appeal_twice")
        appeal = NoShowAppeal.objects.in_community(booking.community_id).create(
            booking=locked, reason=reason
        )
        journal.record(
            community=locked.space.community,
            actor=actor,
            verb="booking.no_show_appealed",
            target=appeal,
            data={"booking": locked.pk, "space": locked.space_id},
        )
    return appeal


def appeal_decide(
    *, actor: User, appeal: NoShowAppeal, overturn: bool, answer: str = ""
) -> NoShowAppeal:
    """A manager of the space upholds the no-show or withdraws it (``overturn``); never the
    appellant nor the one who booked. Upholding needs an answer the resident reads."""
    answer = (answer or "").strip()
    if not overturn and not answer:
        raise ValidationError(_("Say why the no-show stands."), code="appeal_no_answer")
    if len(answer) > ANSWER_MAX:
        raise ValidationError(
            _("The answer is too long: at most %(max)d characters.") % {"max": ANSWER_MAX},
            code="appeal_answer_too_long",
        )
    with transaction.atomic():
        locked = (
            NoShowAppeal.objects.in_community(appeal.community_id)
            .select_for_update()
            .get(pk=appeal.pk)
        )
        booking = _lock_booking(locked.booking)
        if not engine.may_decide(actor, booking.space):
            raise PermissionDenied(_("Only the space's managers decide on appeals."))
        if actor.pk in (booking.person_id, booking.booked_by_id):
            raise PermissionDenied(_("Someone else must decide on an appeal about your booking."))
        if locked.status != AppealStatus.OPEN:
            raise ValidationError(_("This appeal has already been decided."), code="appeal_decided")
        locked.status = AppealStatus.OVERTURNED if overturn else AppealStatus.UPHELD
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.answer = answer
        locked.save()
        if overturn:
            booking.no_show = False
            booking.save(update_fields=["no_show", "updated_at"])
        journal.record(
            community=booking.space.community,
            actor=actor,
            verb="booking.no_show_withdrawn" if overturn else "booking.no_show_upheld",
            target=locked,
            data={"booking": booking.pk, "space": booking.space_id},
        )
        _tell(
            booking,
            "space_attendance",
            "appeal_overturned" if overturn else "appeal_upheld",
            answer=answer,
        )
    return locked


# --- Fees --------------------------------------------------------------------------------------


def may_take_fee_on(user: Any, space: Space) -> bool:
    """A manager of the space who writes the finance ledger (a community worker)."""
    return engine.may_decide(user, space) and bool(
        rules.has_perm("disclosure.manage", user, space.community)
    )


def may_take_fee(user: Any, booking: Booking) -> bool:
    return may_take_fee_on(user, booking.space) and getattr(user, "pk", None) not in (
        booking.person_id,
        booking.booked_by_id,
    )


def fee_record_paid(*, actor: User, booking: Booking, occurred_on: date | None = None) -> Booking:
    """Record that the booking's fee was paid in person: an income entry in the finance ledger
    (waiting for a second person's approval there) and the booking marked paid."""
    from gongzhi.disclosure.services import LineIn, ledger_entry_record

    if not may_take_fee_on(actor, booking.space):
        raise PermissionDenied(
            _("A community worker managing the space records fees in the finance ledger.")
        )
    if actor.pk in (booking.person_id, booking.booked_by_id):
        raise PermissionDenied(_("Someone else must record the fee you paid."))
    occurred_on = occurred_on or timezone.localdate()
    with transaction.atomic():
        locked = _lock_booking(booking)
        if locked.fee <= 0:
            raise ValidationError(_("This booking has no fee."), code="fee_none")
        if locked.fee_paid_at is not None:
            raise ValidationError(
                _("The fee of this booking is already recorded."), code="fee_paid_twice"
            )
        if locked.status not in (BookingStatus.CONFIRMED, BookingStatus.RELEASED):
            raise ValidationError(
                _("Only a confirmed booking's fee is collected (this one is %(status)s).")
                % {"status": locked.get_status_display()},
                code="fee_not_confirmed",
            )
        if locked.body_id:
            counterparty = str(locked.body)
        elif locked.partner_id:
            counterparty = str(locked.partner)
        else:
            counterparty = _("a resident (booking no. %(number)d)") % {"number": locked.pk}
        entry = ledger_entry_record(
            actor=actor,
            community=locked.space.community,
            kind="income",
            occurred_on=occurred_on,
            counterparty=counterparty,
            description=_("Fee for using %(space)s on %(starts)s (booking no. %(number)d)")
            % {"space": locked.space.name, "starts": _when(locked), "number": locked.pk},
            total=locked.fee,
            lines=[LineIn("fees", locked.fee)],
        )
        locked.fee_paid_at = timezone.now()
        locked.fee_received_by = actor
        locked.fee_entry = entry
        locked.save(update_fields=["fee_paid_at", "fee_received_by", "fee_entry", "updated_at"])
        journal.record(
            community=locked.space.community,
            actor=actor,
            on_behalf_of=None,
            verb="booking.fee_paid",
            target=locked,
            data={"space": locked.space_id, "entry": entry.pk, "fee": str(locked.fee)},
        )
    return locked
