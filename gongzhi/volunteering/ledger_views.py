"""Pages of the ledger part, under /c/<slug>/volunteering/: a shift's roll (arrival, departure,
absent, confirm; the QR screen's link), a volunteer's own hours, a team's hours, and reversing
or correcting an entry. A shift or entry the viewer may not act on answers 404, as a missing
one does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.selectors import community_get
from gongzhi.volunteering import attendance, ledger, ledger_selectors, selectors
from gongzhi.volunteering.ledger_forms import ReverseForm, TimeForm
from gongzhi.volunteering.models import HoursEntry, HoursEntryKind, Shift, SignUp, Team


def _shift_run(request: HttpRequest, slug: str, shift_id: int) -> Shift:
    """The shift, for those who run its activity (404 for anyone else)."""
    community = community_get(slug=slug, user=request.user)
    shift = (
        Shift.objects.in_community(community)
        .select_related("activity", "community")
        .filter(pk=shift_id)
        .first()
    )
    if shift is None or not rules.has_perm(
        "volunteering.run_activity", request.user, shift.activity
    ):
        raise Http404
    return shift


def _signup(shift: Shift, signup_id: int) -> SignUp:
    found = (
        SignUp.objects.in_community(shift.community_id)
        .select_related("volunteer__person")
        .filter(pk=signup_id, shift_id=shift.pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _back(shift: Shift) -> HttpResponse:
    return redirect("volunteering_shift_roll", slug=shift.community.slug, shift_id=shift.pk)


def _done(request: HttpRequest, call: Callable[[], Any], success: str) -> None:
    try:
        call()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, success)


@login_required
@require_GET
def shift_roll(request: HttpRequest, slug: str, shift_id: int) -> HttpResponse:
    """The organiser's or leader's roll (phone first): one card per volunteer."""
    shift = _shift_run(request, slug, shift_id)
    lines = ledger_selectors.roll(shift)
    return render(
        request,
        "volunteering/shift_roll.html",
        {
            "community": shift.community,
            "shift": shift,
            "activity": shift.activity,
            "lines": lines,
            "time_form": TimeForm(),
            "me": request.user.pk,
            "to_confirm": any(
                line.entry is None and line.served_minutes is not None for line in lines
            ),
        },
    )


def _time(request: HttpRequest) -> Any:
    form = TimeForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Enter the time as date and hours:minutes."), code="time_invalid")
    return form.cleaned_data.get("at")


#: The roll's actions: (the service call, the message on success).
ROLL_ACTIONS: dict[str, tuple[Callable[[Any, SignUp, HttpRequest], Any], Any]] = {
    "arrival": (
        lambda actor, signup, request: attendance.arrival_record(
            actor=actor, signup=signup, at=_time(request)
        ),
        lambda name: _("%(name)s's arrival is recorded.") % {"name": name},
    ),
    "departure": (
        lambda actor, signup, request: attendance.departure_record(
            actor=actor, signup=signup, at=_time(request)
        ),
        lambda name: _("%(name)s's departure is recorded.") % {"name": name},
    ),
    "no-show": (
        lambda actor, signup, request: attendance.no_show_record(actor=actor, signup=signup),
        lambda name: _("%(name)s is recorded as absent.") % {"name": name},
    ),
    "confirm": (
        lambda actor, signup, request: ledger.hours_confirm(actor=actor, signup=signup),
        lambda name: _("%(name)s's hours are confirmed.") % {"name": name},
    ),
}


@login_required
@require_POST
def roll_act(
    request: HttpRequest, slug: str, shift_id: int, signup_id: int, action: str
) -> HttpResponse:
    shift = _shift_run(request, slug, shift_id)
    if action not in ROLL_ACTIONS:
        raise Http404
    signup = _signup(shift, signup_id)
    actor = request_user(request)
    call, success = ROLL_ACTIONS[action]
    _done(request, lambda: call(actor, signup, request), success(signup.volunteer.person))
    return _back(shift)


@login_required
@require_POST
def roll_confirm_all(request: HttpRequest, slug: str, shift_id: int) -> HttpResponse:
    shift = _shift_run(request, slug, shift_id)
    done = ledger.hours_confirm_all(actor=request_user(request), shift=shift)
    messages.success(
        request,
        _("Hours confirmed: %(done)s; left out: %(left)s.")
        % {"done": len(done.confirmed), "left": len(done.skipped)},
    )
    return _back(shift)


@login_required
@require_GET
def my_hours(request: HttpRequest, slug: str) -> HttpResponse:
    """A volunteer's own record: totals and every entry, newest first (keyset pages)."""
    community = community_get(slug=slug, user=request.user)
    volunteer = selectors.volunteer_for(request.user, community.pk)
    context: dict[str, Any] = {"community": community, "volunteer": volunteer}
    if volunteer is not None:
        before = _keyset(request)
        entries = ledger_selectors.record_of(volunteer, before=before)
        context.update(
            totals=ledger_selectors.volunteer_totals(volunteer),
            entries=entries,
            reversed=ledger_selectors.reversed_ids(entries),
            next_page=(
                f"{entries[-1].served_on.isoformat()}.{entries[-1].pk}"
                if len(entries) == ledger_selectors.RECORD_PAGE
                else ""
            ),
        )
    return render(request, "volunteering/hours_mine.html", context)


def _keyset(request: HttpRequest) -> Any:
    from datetime import date

    raw = request.GET.get("before", "")
    day, _dot, pk = raw.partition(".")
    try:
        return (date.fromisoformat(day), int(pk)) if raw else None
    except ValueError:
        return None


@login_required
@require_GET
def team_hours(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    """A team's totals and its volunteers' totals (staff and the team's leaders)."""
    community = community_get(slug=slug, user=request.user)
    team = Team.objects.in_community(community).filter(pk=team_id).first()
    if team is None or not rules.has_perm("volunteering.view_team_hours", request.user, team):
        raise Http404
    return render(
        request,
        "volunteering/hours_team.html",
        {
            "community": community,
            "team": team,
            "totals": ledger_selectors.team_totals(team),
            "people": ledger_selectors.team_volunteer_totals(team),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hours_reverse(request: HttpRequest, slug: str, entry_id: int) -> HttpResponse:
    """Reverse an entry with a reason, or correct it to another time served."""
    community = community_get(slug=slug, user=request.user)
    entry = (
        HoursEntry.objects.in_community(community)
        .select_related("activity", "volunteer__person", "shift")
        .filter(pk=entry_id, kind=HoursEntryKind.SERVICE)
        .first()
    )
    if entry is None or not rules.has_perm("volunteering.reverse_hours", request.user, entry):
        raise Http404
    form = ReverseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        actor = request_user(request)
        minutes = form.cleaned_data.get("served_minutes")
        reason = form.cleaned_data["reason"]
        try:
            if minutes:
                ledger.hours_correct(
                    actor=actor, entry=entry, served_minutes=minutes, reason=reason
                )
            else:
                ledger.hours_reverse(actor=actor, entry=entry, reason=reason)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The ledger is corrected."))
            if entry.shift_id is not None:
                return _back(entry.shift)  # type: ignore[arg-type]
            return redirect("volunteering_home", slug=community.slug)
    return render(
        request,
        "volunteering/hours_reverse.html",
        {"community": community, "entry": entry, "form": form},
    )


S = "shifts/<int:shift_id>/"

urlpatterns: list[URLPattern] = [
    path(f"{S}roll/", shift_roll, name="volunteering_shift_roll"),
    path(f"{S}roll/confirm-all/", roll_confirm_all, name="volunteering_roll_confirm_all"),
    path(f"{S}roll/<int:signup_id>/<str:action>/", roll_act, name="volunteering_roll_act"),
    path("me/hours/", my_hours, name="volunteering_my_hours"),
    path("teams/<int:team_id>/hours/", team_hours, name="volunteering_team_hours"),
    path("hours/<int:entry_id>/reverse/", hours_reverse, name="volunteering_hours_reverse"),
]
