"""The hours ledger (志愿服务时长): confirmation, reversal and correction (谁记录谁证明).

Hours count only once someone who runs the activity confirms a sign-up's recorded arrival and
departure: ``hours_confirm`` writes one service ``HoursEntry`` with the minutes served and the
minutes credited by the community's rounding rule (``hours.credited_minutes`` with
``VolunteeringSettings.unit_minutes``/``threshold_minutes``). Nobody confirms their own hours
(``own_hours``), a worker included. A sign-up is confirmed once: the partial unique constraint
``hours_one_per_signup`` backs the check under concurrent requests.

The ledger is append-only (database triggers, migration 0002): a mistake is corrected by a
reversing entry (``hours_reverse``: negated minutes, the reason, ``reverses`` the entry, at most
once by the one-to-one column) and, for a different amount, a new service entry
(``hours_correct``). Certificates that counted a reversed entry are revoked in the same
transaction (``certificates.on_entry_reversed``). Totals are sums over entries
(ledger_selectors.py), never stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import rules
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.policies import require
from gongzhi.volunteering import certificates
from gongzhi.volunteering.attendance import SLACK
from gongzhi.volunteering.hours import credited_minutes, hours_text
from gongzhi.volunteering.models import (
    HoursEntry,
    HoursEntryKind,
    Shift,
    SignUp,
    SignUpStatus,
)
from gongzhi.volunteering.selectors import settings_for

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

REASON_MAX = 300


def _own_hours() -> ValidationError:
    return ValidationError(
        _("Nobody confirms or corrects their own hours: ask the organiser or a worker."),
        code="own_hours",
    )


def _credit(community_id: int, served: int) -> int:
    rule = settings_for(community_id)
    return credited_minutes(served, rule.unit_minutes, rule.threshold_minutes)


def _notify_confirmed(entry: HoursEntry) -> None:
    from gongzhi.core.notify import send

    activity = entry.activity
    send(
        users=[entry.volunteer.person],
        community=entry.community,
        kind="hours_confirmed",
        message="confirmed",
        params={"hours": str(hours_text(entry.credited_minutes)), "title": activity.title},
        url=reverse("volunteering_my_hours", kwargs={"slug": entry.community.slug}),
    )


def hours_confirm(*, actor: User, signup: SignUp) -> HoursEntry:
    """Confirm ``signup``'s recorded time: one service entry, credited by the community's rule."""
    shift = (
        Shift.objects.in_community(signup.community_id)
        .select_related("activity")
        .get(pk=signup.shift_id)
    )
    require(
        "volunteering.run_activity",
        actor,
        shift.activity,
        _("Only those who run this activity confirm its hours."),
    )
    with transaction.atomic():
        locked = (
            SignUp.objects.in_community(signup.community_id).select_for_update().get(pk=signup.pk)
        )
        volunteer = locked.volunteer
        if volunteer.person_id == actor.pk:
            raise _own_hours()
        if locked.status != SignUpStatus.REGISTERED:
            raise ValidationError(
                _("This volunteer has no place on the shift (waiting list, cancelled or absent)."),
                code="not_signed_up",
            )
        if locked.arrived_at is None or locked.left_at is None:
            raise ValidationError(
                _("Record the arrival and the departure before confirming the hours."),
                code="times_missing",
            )
        entries = HoursEntry.objects.in_community(signup.community_id)
        if entries.filter(signup_id=locked.pk, kind=HoursEntryKind.SERVICE).exists():
            raise _already_confirmed()
        served = int((locked.left_at - locked.arrived_at).total_seconds() // 60)
        try:
            with transaction.atomic():
                entry = entries.create(
                    community_id=signup.community_id,
                    kind=HoursEntryKind.SERVICE,
                    volunteer=volunteer,
                    activity=shift.activity,
                    team_id=shift.activity.team_id,
                    shift=shift,
                    signup=locked,
                    served_on=timezone.localdate(locked.arrived_at),
                    started_at=locked.arrived_at,
                    ended_at=locked.left_at,
                    served_minutes=served,
                    credited_minutes=_credit(signup.community_id, served),
                    recorded_by_id=locked.times_recorded_by_id,
                    confirmed_by=actor,
                )
        except IntegrityError as error:  # a concurrent confirmation won
            raise _already_confirmed() from error
        journal.record(
            community=shift.community,
            actor=actor,
            verb="hours.confirmed",
            target=entry,
            data={
                "signup": locked.pk,
                "volunteer": volunteer.pk,
                "served_on": entry.served_on.isoformat(),
                "served_minutes": served,
                "credited_minutes": entry.credited_minutes,
            },
        )
        transaction.on_commit(lambda: _notify_confirmed(entry))
    return entry


def _already_confirmed() -> ValidationError:
    return ValidationError(_("These hours are already confirmed."), code="already_confirmed")


@dataclass
class ConfirmAll:
    confirmed: list[HoursEntry] = field(default_factory=list)
    #: sign-ups left out, with why (times missing, the actor's own)
    skipped: list[tuple[SignUp, str]] = field(default_factory=list)


def hours_confirm_all(*, actor: User, shift: Shift) -> ConfirmAll:
    """Confirm every sign-up of ``shift`` with both times recorded and no entry yet; the actor's
    own sign-up and those without times are left out (and said so)."""
    require(
        "volunteering.run_activity",
        actor,
        shift.activity,
        _("Only those who run this activity confirm its hours."),
    )
    done = ConfirmAll()
    confirmed = set(
        HoursEntry.objects.in_community(shift.community_id)
        .filter(shift_id=shift.pk, kind=HoursEntryKind.SERVICE, signup__isnull=False)
        .values_list("signup_id", flat=True)
    )
    signups = (
        SignUp.objects.in_community(shift.community_id)
        .filter(shift_id=shift.pk, status=SignUpStatus.REGISTERED)
        .exclude(pk__in=confirmed)
        .select_related("volunteer")
    )
    for signup in signups:
        try:
            done.confirmed.append(hours_confirm(actor=actor, signup=signup))
        except ValidationError as error:
            done.skipped.append((signup, error.code or ""))
    return done


def _reverse_q_allowed(actor: Any, entry: HoursEntry) -> None:
    require(
        "volunteering.reverse_hours",
        actor,
        entry,
        _("Only a worker or the activity's organiser corrects hours in the ledger."),
    )
    if entry.volunteer.person_id == actor.pk:
        raise _own_hours()


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why these hours are reversed."), code="reason_required")
    if len(reason) > REASON_MAX:
        raise ValidationError(
            _("Keep the reason under %(count)s characters.") % {"count": REASON_MAX},
            code="reason_too_long",
        )
    return reason


def _write_reversal(actor: Any, entry: HoursEntry, reason: str) -> HoursEntry:
    """Inside the caller's transaction: lock the entry, refuse a second reversal, write it."""
    entries = HoursEntry.objects.in_community(entry.community_id)
    locked = entries.select_for_update().get(pk=entry.pk)
    if locked.kind != HoursEntryKind.SERVICE:
        raise ValidationError(_("A reversal is not itself reversed."), code="not_reversible")
    if entries.filter(reverses_id=locked.pk).exists():
        raise _already_reversed()
    try:
        with transaction.atomic():
            reversal = entries.create(
                community_id=locked.community_id,
                kind=HoursEntryKind.REVERSAL,
                volunteer_id=locked.volunteer_id,
                activity_id=locked.activity_id,
                team_id=locked.team_id,
                shift_id=locked.shift_id,
                signup_id=locked.signup_id,
                served_on=locked.served_on,
                started_at=locked.started_at,
                ended_at=locked.ended_at,
                served_minutes=-locked.served_minutes,
                credited_minutes=-locked.credited_minutes,
                reverses=locked,
                reason=reason,
                recorded_by=actor,
                confirmed_by=actor,
            )
    except IntegrityError as error:  # a concurrent reversal won
        raise _already_reversed() from error
    certificates.on_entry_reversed(entry=locked, reversal=reversal)
    journal.record(
        community=locked.community,
        actor=actor,
        verb="hours.reversed",
        target=reversal,
        data={
            "entry": locked.pk,
            "volunteer": locked.volunteer_id,
            "credited_minutes": reversal.credited_minutes,
            "reason": reason,
        },
    )
    return reversal


def _already_reversed() -> ValidationError:
    return ValidationError(_("This entry has already been reversed."), code="already_reversed")


def hours_reverse(*, actor: User, entry: HoursEntry, reason: str) -> HoursEntry:
    """Reverse ``entry`` with ``reason``: a new entry with its minutes negated."""
    _reverse_q_allowed(actor, entry)
    reason = _clean_reason(reason)
    with transaction.atomic():
        return _write_reversal(actor, entry, reason)


def hours_correct(
    *, actor: User, entry: HoursEntry, served_minutes: int, reason: str
) -> tuple[HoursEntry, HoursEntry]:
    """Correct ``entry``'s amount: its reversal plus a new service entry of ``served_minutes``
    (credited by the rule; no sign-up, the original keeps it). (reversal, new entry)."""
    _reverse_q_allowed(actor, entry)
    reason = _clean_reason(reason)
    if served_minutes <= 0:
        raise ValidationError(
            _("A corrected time is more than 0 minutes; to cancel hours, reverse them."),
            code="minutes_invalid",
        )
    shift = entry.shift
    if shift is not None and served_minutes > shift.minutes + SLACK.total_seconds() // 60:
        raise ValidationError(
            _(
                "That is longer than the shift (%(minutes)s minutes) plus 30 minutes:"
                " check the times."
            )
            % {"minutes": shift.minutes},
            code="hours_exceed_shift",
        )
    with transaction.atomic():
        reversal = _write_reversal(actor, entry, reason)
        corrected = HoursEntry.objects.in_community(entry.community_id).create(
            community_id=entry.community_id,
            kind=HoursEntryKind.SERVICE,
            volunteer_id=entry.volunteer_id,
            activity_id=entry.activity_id,
            team_id=entry.team_id,
            shift_id=entry.shift_id,
            signup=None,
            served_on=entry.served_on,
            served_minutes=served_minutes,
            credited_minutes=_credit(entry.community_id, served_minutes),
            reason=reason,
            recorded_by=actor,
            confirmed_by=actor,
        )
        journal.record(
            community=entry.community,
            actor=actor,
            verb="hours.confirmed",
            target=corrected,
            data={
                "corrects": entry.pk,
                "volunteer": entry.volunteer_id,
                "served_on": entry.served_on.isoformat(),
                "served_minutes": served_minutes,
                "credited_minutes": corrected.credited_minutes,
            },
        )
    return reversal, corrected


def can_reverse(user: Any, entry: HoursEntry) -> bool:
    return bool(rules.has_perm("volunteering.reverse_hours", user, entry)) and (
        entry.volunteer.person_id != getattr(user, "pk", None)
    )
