"""Attendance at a shift: arrival, departure and no-shows (签到、签退、缺席).

Those who run the activity (``volunteering.run_activity``: a worker, the organiser, a leader of
its team) keep the roll: they record arrival and departure, typing the time when it was not
now, or that a volunteer did not come. A volunteer may also scan the rotating QR code the
organiser shows (core ``checkin``): the first scan is the arrival, a later one (at least
``MIN_STAY`` after it) the departure. Scans count from ``SCAN_EARLY`` before the shift until
``SCAN_LATE`` after its end.

Times are checked here and under a lock on the sign-up's row: nothing in the future, a
departure after the arrival, and no more time served than the shift's length plus
``SLACK`` (``hours_exceed_shift``). Once the hours are confirmed (ledger.py) the times no
longer change: a correction is a reversing entry in the ledger.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.policies import require
from gongzhi.volunteering.models import (
    HoursEntry,
    HoursEntryKind,
    Shift,
    SignUp,
    SignUpStatus,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

SCAN_EARLY = timedelta(minutes=30)
SCAN_LATE = timedelta(hours=2)
#: A second scan sooner than this after the arrival is the same arrival (a double tap).
MIN_STAY = timedelta(minutes=5)
#: Time served may exceed the shift's length by this much (arriving early, staying to tidy up).
SLACK = timedelta(minutes=30)


def _require_run(actor: Any, shift: Shift) -> None:
    require(
        "volunteering.run_activity",
        actor,
        shift.activity,
        _("Only those who run this activity keep its roll."),
    )


def _lock(signup: SignUp) -> SignUp:
    return SignUp.objects.in_community(signup.community_id).select_for_update().get(pk=signup.pk)


def _shift_of(signup: SignUp) -> Shift:
    return (
        Shift.objects.in_community(signup.community_id)
        .select_related("activity")
        .get(pk=signup.shift_id)
    )


def is_confirmed(signup: SignUp) -> bool:
    return (
        HoursEntry.objects.in_community(signup.community_id)
        .filter(signup_id=signup.pk, kind=HoursEntryKind.SERVICE)
        .exists()
    )


def _refuse_unless_open(signup: SignUp) -> None:
    if signup.status != SignUpStatus.REGISTERED:
        raise ValidationError(
            _("This volunteer has no place on the shift (waiting list, cancelled or absent)."),
            code="not_signed_up",
        )
    if is_confirmed(signup):
        raise ValidationError(
            _("These hours are already confirmed; correct them in the ledger with a reason."),
            code="already_confirmed",
        )


def _check_moment(shift: Shift, moment: datetime, now: datetime) -> None:
    if moment > now + timedelta(minutes=1):
        raise ValidationError(_("A time in the future cannot be recorded."), code="time_in_future")
    if not shift.starts_at - SCAN_EARLY <= moment <= shift.ends_at + SCAN_LATE:
        raise ValidationError(
            _(
                "The time must lie between 30 minutes before the shift starts and 2 hours after"
                " it ends."
            ),
            code="time_outside_shift",
        )


def _check_stay(shift: Shift, arrived: datetime, left: datetime) -> None:
    if left <= arrived:
        raise ValidationError(
            _("The departure must come after the arrival."), code="departure_before_arrival"
        )
    if left - arrived > (shift.ends_at - shift.starts_at) + SLACK:
        raise ValidationError(
            _(
                "That is longer than the shift (%(minutes)s minutes) plus 30 minutes:"
                " check the times."
            )
            % {"minutes": shift.minutes},
            code="hours_exceed_shift",
        )


def _journal(signup: SignUp, shift: Shift, actor: Any, verb: str, **data: Any) -> None:
    journal.record(
        community=shift.community,
        actor=actor,
        verb=verb,
        target=signup,
        data={"shift": shift.pk, "volunteer": signup.volunteer_id, **data},
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def arrival_record(*, actor: User, signup: SignUp, at: datetime | None = None) -> SignUp:
    """Record (or correct, before confirmation) when ``signup``'s volunteer arrived."""
    shift = _shift_of(signup)
    _require_run(actor, shift)
    now = timezone.now()
    moment = at or now
    with transaction.atomic():
        locked = _lock(signup)
        _refuse_unless_open(locked)
        _check_moment(shift, moment, now)
        if locked.left_at is not None:
            _check_stay(shift, moment, locked.left_at)
        locked.arrived_at = moment
        locked.times_recorded_by = actor
        locked.updated_at = now
        locked.save(update_fields=["arrived_at", "times_recorded_by", "updated_at"])
        _journal(locked, shift, actor, "shift.arrival_recorded", at=_iso(moment))
    return locked


def departure_record(*, actor: User, signup: SignUp, at: datetime | None = None) -> SignUp:
    """Record (or correct, before confirmation) when ``signup``'s volunteer left."""
    shift = _shift_of(signup)
    _require_run(actor, shift)
    now = timezone.now()
    moment = at or now
    with transaction.atomic():
        locked = _lock(signup)
        _refuse_unless_open(locked)
        if locked.arrived_at is None:
            raise ValidationError(_("Record the arrival first."), code="not_arrived")
        _check_moment(shift, moment, now)
        _check_stay(shift, locked.arrived_at, moment)
        locked.left_at = moment
        locked.times_recorded_by = actor
        locked.updated_at = now
        locked.save(update_fields=["left_at", "times_recorded_by", "updated_at"])
        _journal(locked, shift, actor, "shift.departure_recorded", at=_iso(moment))
    return locked


def no_show_record(*, actor: User, signup: SignUp) -> SignUp:
    """Record that ``signup``'s volunteer did not come (once the shift has started)."""
    shift = _shift_of(signup)
    _require_run(actor, shift)
    now = timezone.now()
    if shift.starts_at > now:
        raise ValidationError(
            _("A volunteer can be marked absent only once the shift has started."),
            code="shift_not_started",
        )
    with transaction.atomic():
        locked = _lock(signup)
        _refuse_unless_open(locked)
        if locked.arrived_at is not None:
            raise ValidationError(
                _("This volunteer's arrival is recorded."), code="already_arrived"
            )
        locked.status = SignUpStatus.NO_SHOW
        locked.no_show_recorded_by = actor
        locked.updated_at = now
        locked.save(update_fields=["status", "no_show_recorded_by", "updated_at"])
        _journal(locked, shift, actor, "shift.no_show_recorded")
    return locked


# --- The rotating QR code (core checkin) -----------------------------------------------------


def signup_of_person(person: Any, shift: Shift) -> SignUp | None:
    """``person``'s place on ``shift`` (registered), if any."""
    if not getattr(person, "is_authenticated", False):
        return None
    return (
        SignUp.objects.in_community(shift.community_id)
        .filter(
            shift_id=shift.pk,
            volunteer__person_id=person.pk,
            volunteer__withdrawn_at__isnull=True,
            status=SignUpStatus.REGISTERED,
        )
        .first()
    )


def scan_status(person: Any, shift: Shift) -> str:
    """What the volunteer reads after a scan: arrived (scan again when leaving), or left."""
    found = signup_of_person(person, shift)
    if found is None or found.arrived_at is None:
        return ""
    arrived = timezone.localtime(found.arrived_at).strftime("%H:%M")
    if found.left_at is None:
        return _(
            "You arrived at %(arrived)s. Scan the code again when you leave, to record your "
            "departure."
        ) % {"arrived": arrived}
    return _("You left at %(left)s (arrived %(arrived)s). The organiser confirms your hours.") % {
        "left": timezone.localtime(found.left_at).strftime("%H:%M"),
        "arrived": arrived,
    }


def scanned(person: Any, shift: Shift, checkin: Any, now: datetime | None = None) -> None:
    """core checkin's ``on_recorded``: the first scan is the arrival, a later one (``MIN_STAY``
    on) the departure; later scans change nothing (idempotent). The departure is capped at the
    shift's length plus ``SLACK`` after the arrival (the organiser corrects it if need be)."""
    now = now or timezone.now()
    if not shift.starts_at - SCAN_EARLY <= now <= shift.ends_at + SCAN_LATE:
        raise ValidationError(
            _("Scanning is open from 30 minutes before the shift until 2 hours after it ends."),
            code="scan_outside_shift",
        )
    found = signup_of_person(person, shift)
    if found is None:
        return
    locked = _lock(found)
    if locked.left_at is not None or is_confirmed(locked):
        return
    if locked.arrived_at is None:
        locked.arrived_at = now
        verb = "shift.arrival_recorded"
        fields = ["arrived_at"]
    elif now - locked.arrived_at >= MIN_STAY:
        cap = locked.arrived_at + (shift.ends_at - shift.starts_at) + SLACK
        locked.left_at = min(now, cap)
        verb = "shift.departure_recorded"
        fields = ["left_at"]
    else:
        return
    locked.times_recorded_by = person
    locked.updated_at = now
    locked.save(update_fields=[*fields, "times_recorded_by", "updated_at"])
    _journal(locked, shift, person, verb, at=_iso(now), via="qr")
