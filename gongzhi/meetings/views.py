"""Meetings pages under /c/<slug>/meetings/: the list (upcoming and past, by body and type;
public meetings for everyone), one meeting (time, place, body, type, status, registration, then
each part's section: agenda, roll call, minutes, hearing), and the staff forms — one table of
steps (who may, the form, the service), as the hotline's pages do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.bodies.models import Body
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.meetings import agenda, hearings, minutes, policies, room, selectors, services
from gongzhi.meetings.forms import (
    CancelForm,
    FilterForm,
    InviteForm,
    MeetingEditForm,
    MeetingForm,
    RegisterOtherForm,
    SecondSittingForm,
)
from gongzhi.meetings.models import Meeting, MeetingStatus

#: The parts' sections of the meeting page, in order: each adds its keys (``page_context``)
#: and includes its partial, which reads only those keys.
PARTS = (agenda, room, minutes, hearings)


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user)


def _meeting(request: HttpRequest, slug: str, meeting_id: int) -> Meeting:
    return selectors.meeting_get(
        community=_community(request, slug), user=request.user, meeting_id=meeting_id
    )


def _schedulable(user: Any, community: Community) -> list[tuple[int, str]]:
    """The bodies this person may call a meeting of."""
    bodies = Body.objects.in_community(community).filter(dissolved_at__isnull=True)
    return [(b.pk, b.name) for b in bodies.order_by("name") if policies.can_schedule(user, b)]


@require_GET
def meeting_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    bodies = selectors.bodies_meeting(community)
    form = FilterForm(request.GET or None, bodies=bodies)
    filters = selectors.MeetingFilter()
    if form.is_bound and form.is_valid():
        filters = selectors.MeetingFilter(
            body=form.cleaned_data["body"], kind=form.cleaned_data["kind"]
        )
    upcoming, past = selectors.meeting_lists(
        community=community, user=request.user, filters=filters
    )
    can_schedule = request.user.is_authenticated and bool(_schedulable(request.user, community))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "community": community,
            "form": form,
            "upcoming": upcoming,
            "past": past,
            "can_schedule": can_schedule,
        },
    )


@require_GET
def meeting_detail(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    context: dict[str, Any] = {}
    for part in PARTS:
        context.update(part.page_context(meeting, request.user))
    can_run = policies.can_run(request.user, meeting)
    seats = selectors.seats_of(meeting, request.user)
    context.update(
        {
            "community": meeting.community,
            "meeting": meeting,
            "seats": seats,
            "can_run": can_run,
            "can_register": (
                meeting.public
                and meeting.capacity is not None
                and meeting.status == MeetingStatus.SCHEDULED
                and request.user.is_authenticated
                and seats.mine is None
                and bool(rules.has_perm("meetings.register", request.user, meeting))
            ),
            "registrations": selectors.registrations_of(meeting) if can_run else [],
            "invitations": selectors.invitations_of(meeting) if can_run else [],
            "second_sitting": getattr(meeting, "second_sitting", None)
            if meeting.sitting == 1
            else None,
        }
    )
    return render(request, "meetings/meeting_detail.html", context)


def _form_page(
    request: HttpRequest,
    community: Community,
    meeting: Meeting | None,
    form: forms.Form,
    title: Any,
    button: Any = None,
) -> HttpResponse:
    return render(
        request,
        "meetings/meeting_form.html",
        {
            "community": community,
            "meeting": meeting,
            "form": form,
            "title": title,
            "button": button or gettext_lazy("Save"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    bodies = _schedulable(request.user, community)
    if not bodies:
        raise PermissionDenied
    initial = {"body": request.GET.get("body")} if request.GET.get("body") else None
    form = MeetingForm(posted(request), bodies=bodies, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        body = Body.objects.in_community(community).get(pk=data.pop("body"))
        try:
            meeting = services.meeting_create(actor=request_user(request), body=body, **data)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The meeting is scheduled."))
            return redirect("meeting_detail", slug=slug, meeting_id=meeting.pk)
    return _form_page(request, community, None, form, gettext_lazy("Schedule a meeting"))


# --- Steps on one meeting: who may (the service checks too), the form, the service ----------


@dataclass(frozen=True)
class Step:
    title: Any
    make_form: Callable[[Meeting, Any], forms.Form]
    run: Callable[[Any, Meeting, Any], Any]
    done: Any
    button: Any = None


def _edit(actor: Any, meeting: Meeting, form: Any) -> Any:
    return services.meeting_update(actor=actor, meeting=meeting, **form.cleaned_data)


def _cancel(actor: Any, meeting: Meeting, form: Any) -> Any:
    return services.meeting_cancel(actor=actor, meeting=meeting, **form.cleaned_data)


def _cancel_series(actor: Any, meeting: Meeting, form: Any) -> Any:
    if meeting.series is None:
        raise ValidationError(_("This meeting does not repeat."), code="no_series")
    return services.series_cancel(actor=actor, series=meeting.series, **form.cleaned_data)


def _second(actor: Any, meeting: Meeting, form: Any) -> Any:
    return services.second_sitting_call(actor=actor, meeting=meeting, **form.cleaned_data)


def _invite(actor: Any, meeting: Meeting, form: Any) -> Any:
    person = member_by_phone(phone=form.cleaned_data["phone"], community=meeting.community)
    return services.invite(
        actor=actor, meeting=meeting, person=person, kind=form.cleaned_data["kind"]
    )


def _register_other(actor: Any, meeting: Meeting, form: Any) -> Any:
    person = member_by_phone(phone=form.cleaned_data["phone"], community=meeting.community)
    return services.registration_add(actor=actor, meeting=meeting, person=person)


STEPS = {
    "edit": Step(
        gettext_lazy("Change the meeting"),
        lambda meeting, data: MeetingEditForm.of(meeting, data),
        _edit,
        gettext_lazy("The meeting is changed; those invited and registered are told."),
    ),
    "cancel": Step(
        gettext_lazy("Cancel the meeting"),
        lambda meeting, data: CancelForm(data),
        _cancel,
        gettext_lazy("The meeting is cancelled; those invited and registered are told."),
        gettext_lazy("Cancel the meeting"),
    ),
    "cancel_series": Step(
        gettext_lazy("Cancel all the meetings of this series still to come"),
        lambda meeting, data: CancelForm(data),
        _cancel_series,
        gettext_lazy(
            "The meetings still to come are cancelled; those invited and registered are told."
        ),
        gettext_lazy("Cancel them all"),
    ),
    "second": Step(
        gettext_lazy("Call a second sitting"),
        lambda meeting, data: SecondSittingForm(data),
        _second,
        gettext_lazy("The second sitting is called with the same agenda."),
        gettext_lazy("Call a second sitting"),
    ),
    "invite": Step(
        gettext_lazy("Invite someone"),
        lambda meeting, data: InviteForm(data),
        _invite,
        gettext_lazy("The invitation is sent."),
        gettext_lazy("Invite"),
    ),
    "register": Step(
        gettext_lazy("Register a resident"),
        lambda meeting, data: RegisterOtherForm(data),
        _register_other,
        gettext_lazy("The resident is registered."),
        gettext_lazy("Register"),
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def meeting_step(request: HttpRequest, slug: str, meeting_id: int, step: str) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    action = STEPS[step]
    perm = "meetings.register_others" if step == "register" else "meetings.run_meeting"
    if not rules.has_perm(perm, request.user, meeting):
        raise PermissionDenied
    form = action.make_form(meeting, posted(request))
    if form.is_valid():
        try:
            made = action.run(request_user(request), meeting, form)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, str(action.done))
            target = made if isinstance(made, Meeting) and step == "second" else meeting
            return redirect("meeting_detail", slug=slug, meeting_id=target.pk)
    return _form_page(request, meeting.community, meeting, form, action.title, action.button)


# --- One-button acts (POST): open, close, register, give up one's place --------------------


def _act(request: HttpRequest, meeting: Meeting, run: Callable[[], Any], done: str) -> HttpResponse:
    try:
        run()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return redirect("meeting_detail", slug=meeting.community.slug, meeting_id=meeting.pk)


@login_required
@require_POST
def meeting_open(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    actor = request_user(request)
    return _act(
        request,
        meeting,
        lambda: services.meeting_open(actor=actor, meeting=meeting),
        _("The meeting is open: the roll call may begin."),
    )


@login_required
@require_POST
def meeting_close(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    actor = request_user(request)
    return _act(
        request,
        meeting,
        lambda: services.meeting_close(actor=actor, meeting=meeting),
        _("The meeting is closed."),
    )


@login_required
@require_POST
def meeting_register(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    actor = request_user(request)

    def run() -> None:
        made = services.registration_add(actor=actor, meeting=meeting)
        if made.status == "waitlisted":
            messages.info(request, _("The meeting is full: you are on the waiting list."))

    return _act(request, meeting, run, _("Your registration is recorded."))


@login_required
@require_POST
def registration_cancel(
    request: HttpRequest, slug: str, meeting_id: int, registration_id: int
) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    registration = selectors.registration_get(meeting=meeting, registration_id=registration_id)
    actor = request_user(request)
    return _act(
        request,
        meeting,
        lambda: services.registration_cancel(actor=actor, registration=registration),
        _("The registration is cancelled."),
    )


M = "<int:meeting_id>/"

urlpatterns: list[URLPattern] = [
    path("", meeting_list, name="meeting_list"),
    path("new/", meeting_create, name="meeting_create"),
    path(M, meeting_detail, name="meeting_detail"),
    path(f"{M}edit/", meeting_step, {"step": "edit"}, name="meeting_edit"),
    path(f"{M}cancel/", meeting_step, {"step": "cancel"}, name="meeting_cancel"),
    path(
        f"{M}cancel-series/", meeting_step, {"step": "cancel_series"}, name="meeting_series_cancel"
    ),
    path(f"{M}second-sitting/", meeting_step, {"step": "second"}, name="meeting_second_sitting"),
    path(f"{M}invite/", meeting_step, {"step": "invite"}, name="meeting_invite"),
    path(
        f"{M}register-someone/", meeting_step, {"step": "register"}, name="meeting_register_other"
    ),
    path(f"{M}open/", meeting_open, name="meeting_open"),
    path(f"{M}close/", meeting_close, name="meeting_close"),
    path(f"{M}register/", meeting_register, name="meeting_register"),
    path(
        f"{M}registrations/<int:registration_id>/cancel/",
        registration_cancel,
        name="meeting_registration_cancel",
    ),
]
