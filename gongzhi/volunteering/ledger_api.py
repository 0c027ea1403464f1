"""API routes of the ledger part, mounted at /api/v1/: a shift's roll, arrival, departure,
absence and confirmation, a volunteer's own hours, a team's hours, and reversing an entry.
Refusals are 400 with the service's code (``own_hours``, ``already_confirmed``,
``hours_exceed_shift``, ``time_in_future`` …); a shift, team or entry the caller may not act on
is 404, as a missing one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import rules
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from gongzhi.core.http import api_user
from gongzhi.core.selectors import community_get
from gongzhi.volunteering import attendance, ledger, ledger_selectors, selectors
from gongzhi.volunteering.models import HoursEntry, HoursEntryKind, Shift, SignUp, Team

router = Router(tags=["volunteering"])

C = "/communities/{slug}/volunteering"
ROLL = C + "/shifts/{shift_id}/roll"
ROLL_SIGNUP = ROLL + "/{signup_id}"


class HoursTotalsOut(Schema):
    served_minutes: int
    credited_minutes: int
    hours: str = Field(..., description="Credited hours, one decimal.")
    services: int = Field(..., description="Service entries that stand (not reversed).")


class ShiftRollLineOut(Schema):
    signup: int
    volunteer: int
    name: str
    status: str
    arrived_at: datetime | None
    left_at: datetime | None
    served_minutes: int | None
    entry: int | None = Field(..., description="The ledger entry, once confirmed.")
    credited_minutes: int | None
    reversed: bool


class ShiftRollOut(Schema):
    shift: int
    starts_at: datetime
    ends_at: datetime
    lines: list[ShiftRollLineOut]


class RollTimeIn(Schema):
    at: datetime | None = Field(None, description="When; empty: now.")


class RollSignUpOut(Schema):
    signup: int
    status: str
    arrived_at: datetime | None
    left_at: datetime | None


class HoursEntryOut(Schema):
    id: int
    kind: str
    volunteer: int
    activity: int
    activity_title: str
    served_on: date
    served_minutes: int
    credited_minutes: int
    reverses: int | None
    reason: str


class VolunteerHoursOut(Schema):
    totals: HoursTotalsOut
    entries: list[HoursEntryOut]


class TeamHoursTotalsOut(Schema):
    team: int
    totals: HoursTotalsOut


class HoursReversalIn(Schema):
    reason: str
    served_minutes: int | None = Field(
        None, description="The corrected time served: a new entry after the reversal."
    )


class HoursReversalOut(Schema):
    reversal: HoursEntryOut
    corrected: HoursEntryOut | None


def _totals(totals: ledger_selectors.Totals) -> dict[str, Any]:
    return {
        "served_minutes": totals.served_minutes,
        "credited_minutes": totals.credited_minutes,
        "hours": str(totals.hours),
        "services": totals.services,
    }


def _entry(entry: HoursEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "volunteer": entry.volunteer_id,
        "activity": entry.activity_id,
        "activity_title": entry.activity.title,
        "served_on": entry.served_on,
        "served_minutes": entry.served_minutes,
        "credited_minutes": entry.credited_minutes,
        "reverses": entry.reverses_id,
        "reason": entry.reason,
    }


def _shift(request: HttpRequest, slug: str, shift_id: int) -> Shift:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    shift = (
        Shift.objects.in_community(community)
        .select_related("activity", "community")
        .filter(pk=shift_id)
        .first()
    )
    if shift is None or not rules.has_perm("volunteering.run_activity", user, shift.activity):
        raise Http404
    return shift


def _signup(shift: Shift, signup_id: int) -> SignUp:
    found = (
        SignUp.objects.in_community(shift.community_id)
        .filter(pk=signup_id, shift_id=shift.pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _signup_out(signup: SignUp) -> dict[str, Any]:
    return {
        "signup": signup.pk,
        "status": signup.status,
        "arrived_at": signup.arrived_at,
        "left_at": signup.left_at,
    }


@router.get(ROLL, response=ShiftRollOut, summary="A shift's roll (those who run its activity)")
def roll_get(request: HttpRequest, slug: str, shift_id: int) -> dict[str, Any]:
    shift = _shift(request, slug, shift_id)
    return {
        "shift": shift.pk,
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "lines": [
            {
                "signup": line.signup.pk,
                "volunteer": line.signup.volunteer_id,
                "name": str(line.signup.volunteer.person),
                "status": line.signup.status,
                "arrived_at": line.signup.arrived_at,
                "left_at": line.signup.left_at,
                "served_minutes": line.served_minutes,
                "entry": line.entry.pk if line.entry else None,
                "credited_minutes": line.entry.credited_minutes if line.entry else None,
                "reversed": line.reversed,
            }
            for line in ledger_selectors.roll(shift)
        ],
    }


@router.post(ROLL_SIGNUP + "/arrival", response=RollSignUpOut, summary="Record an arrival")
def roll_arrival(
    request: HttpRequest, slug: str, shift_id: int, signup_id: int, payload: RollTimeIn
) -> dict[str, Any]:
    shift = _shift(request, slug, shift_id)
    signup = attendance.arrival_record(
        actor=api_user(request), signup=_signup(shift, signup_id), at=payload.at
    )
    return _signup_out(signup)


@router.post(
    ROLL_SIGNUP + "/departure",
    response=RollSignUpOut,
    summary="Record a departure (400 hours_exceed_shift beyond the shift plus 30 minutes)",
)
def roll_departure(
    request: HttpRequest, slug: str, shift_id: int, signup_id: int, payload: RollTimeIn
) -> dict[str, Any]:
    shift = _shift(request, slug, shift_id)
    signup = attendance.departure_record(
        actor=api_user(request), signup=_signup(shift, signup_id), at=payload.at
    )
    return _signup_out(signup)


@router.post(ROLL_SIGNUP + "/no-show", response=RollSignUpOut, summary="Record an absence")
def roll_no_show(request: HttpRequest, slug: str, shift_id: int, signup_id: int) -> dict[str, Any]:
    shift = _shift(request, slug, shift_id)
    signup = attendance.no_show_record(actor=api_user(request), signup=_signup(shift, signup_id))
    return _signup_out(signup)


@router.post(
    ROLL_SIGNUP + "/confirm",
    response={201: HoursEntryOut},
    summary="Confirm a sign-up's hours (never one's own: 400 own_hours)",
)
def roll_confirm(
    request: HttpRequest, slug: str, shift_id: int, signup_id: int
) -> Status[dict[str, Any]]:
    shift = _shift(request, slug, shift_id)
    entry = ledger.hours_confirm(actor=api_user(request), signup=_signup(shift, signup_id))
    return Status(201, _entry(entry))


@router.get(
    C + "/volunteers/me/hours", response=VolunteerHoursOut, summary="My hours and my record"
)
def my_hours(request: HttpRequest, slug: str) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    volunteer = selectors.volunteer_for(user, community.pk)
    if volunteer is None:
        raise Http404
    return {
        "totals": _totals(ledger_selectors.volunteer_totals(volunteer)),
        "entries": [_entry(entry) for entry in ledger_selectors.record_of(volunteer)],
    }


@router.get(
    C + "/teams/{team_id}/hours",
    response=TeamHoursTotalsOut,
    summary="A team's hours (staff and the team's leaders)",
)
def team_hours(
    request: HttpRequest,
    slug: str,
    team_id: int,
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    team = Team.objects.in_community(community).filter(pk=team_id).first()
    if team is None or not rules.has_perm("volunteering.view_team_hours", user, team):
        raise Http404
    return {"team": team.pk, "totals": _totals(ledger_selectors.team_totals(team, start, end))}


@router.post(
    C + "/hours/{entry_id}/reversal",
    response={201: HoursReversalOut},
    summary="Reverse an entry with a reason, or correct it with served_minutes",
)
def hours_reversal(
    request: HttpRequest, slug: str, entry_id: int, payload: HoursReversalIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    entry = (
        HoursEntry.objects.in_community(community)
        .select_related("activity", "volunteer", "shift")
        .filter(pk=entry_id, kind=HoursEntryKind.SERVICE)
        .first()
    )
    if entry is None or not rules.has_perm("volunteering.reverse_hours", user, entry):
        raise Http404
    if payload.served_minutes is not None:
        reversal, corrected = ledger.hours_correct(
            actor=user, entry=entry, served_minutes=payload.served_minutes, reason=payload.reason
        )
        return Status(201, {"reversal": _entry(reversal), "corrected": _entry(corrected)})
    reversal = ledger.hours_reverse(actor=user, entry=entry, reason=payload.reason)
    return Status(201, {"reversal": _entry(reversal), "corrected": None})
