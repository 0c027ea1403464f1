"""Volunteer activities and shifts under /c/<slug>/volunteering/: the list of activities with
coming shifts, one activity with its shifts, one shift (sign up, give up one's place, the
waiting list; for those who run it, who is coming), and the organisers' forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.ical import CalendarEvent, calendar_response
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.volunteering import shift_selectors as selectors
from gongzhi.volunteering import shifts
from gongzhi.volunteering.models import (
    ActivityStatus,
    Shift,
    SignUp,
    SignUpStatus,
    Team,
    VolunteerActivity,
)
from gongzhi.volunteering.selectors import volunteer_for
from gongzhi.volunteering.shift_forms import (
    ActivityForm,
    CancelForm,
    ShiftForm,
    SignUpOtherForm,
)
from gongzhi.volunteering.shift_policies import can_run, can_view


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user)


def _activity(request: HttpRequest, slug: str, activity_id: int) -> VolunteerActivity:
    community = _community(request, slug)
    activity = (
        VolunteerActivity.objects.in_community(community)
        .select_related("team", "organiser")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None or not can_view(request.user, activity):
        raise Http404
    activity.community = community
    return activity


def _shift(request: HttpRequest, slug: str, shift_id: int) -> Shift:
    community = _community(request, slug)
    shift = (
        Shift.objects.in_community(community)
        .select_related("activity__team", "activity__organiser")
        .filter(pk=shift_id)
        .first()
    )
    if shift is None or not can_view(request.user, shift.activity):
        raise Http404
    shift.activity.community = community
    return shift


def join_url(slug: str) -> str:
    try:
        return reverse("volunteering_join", kwargs={"slug": slug})
    except NoReverseMatch:
        return ""


def _form_page(
    request: HttpRequest,
    community: Community,
    form: forms.Form,
    title: Any,
    *,
    back: tuple[str, str],
    button: Any = None,
    note: str = "",
) -> HttpResponse:
    return render(
        request,
        "volunteering/activity_form.html",
        {
            "community": community,
            "form": form,
            "title": title,
            "back_url": back[0],
            "back_label": back[1],
            "note": note,
            "button": button or gettext_lazy("Save"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Activities ---------------------------------------------------------------------------------


@require_GET
def activity_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    return render(
        request,
        "volunteering/activity_list.html",
        {
            "community": community,
            "activities": selectors.activities_open(community),
            "mine_to_run": list(
                selectors.activities_run_by(community, request.user).order_by("-created_at", "-pk")[
                    :50
                ]
            ),
            "may_organise": selectors.may_organise(request.user, community),
        },
    )


def _organiser(form: ActivityForm, community: Community) -> Any:
    phone = form.cleaned_data.get("organiser_phone")
    return member_by_phone(phone=phone, community=community) if phone else None


def _team(form: ActivityForm, community: Community) -> Team | None:
    team_id = form.cleaned_data.get("team")
    if team_id is None:
        return None
    return Team.objects.in_community(community).get(pk=team_id)


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    if not selectors.may_organise(request.user, community):
        raise PermissionDenied
    form = ActivityForm(posted(request), community=community)
    if form.is_valid():
        try:
            activity = shifts.activity_create(
                actor=request_user(request),
                community=community,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                place=form.cleaned_data["place"],
                team=_team(form, community),
                organiser=_organiser(form, community),
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request, _("The activity is saved as a draft: add its shifts, then publish it.")
            )
            return redirect("volunteering_shift_create", slug=slug, activity_id=activity.pk)
    return _form_page(
        request,
        community,
        form,
        gettext_lazy("New volunteer activity"),
        back=(reverse("volunteering_activity_list", args=[slug]), _("Volunteer activities")),
    )


@require_GET
def activity_detail(request: HttpRequest, slug: str, activity_id: int) -> HttpResponse:
    activity = _activity(request, slug, activity_id)
    volunteer = volunteer_for(request.user, activity.community_id)
    return render(
        request,
        "volunteering/activity_detail.html",
        {
            "community": activity.community,
            "activity": activity,
            "shifts": selectors.shift_views(activity, volunteer),
            "can_run": can_run(request.user, activity),
            "volunteer": volunteer,
            "join_url": join_url(slug),
        },
    )


def _back_to(activity: VolunteerActivity) -> tuple[str, str]:
    return (
        reverse("volunteering_activity_detail", args=[activity.community.slug, activity.pk]),
        activity.title,
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, slug: str, activity_id: int) -> HttpResponse:
    activity = _activity(request, slug, activity_id)
    if not can_run(request.user, activity):
        raise PermissionDenied
    community = activity.community
    form = ActivityForm.of(activity, posted(request))
    if form.is_valid():
        try:
            shifts.activity_update(
                actor=request_user(request),
                activity=activity,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                place=form.cleaned_data["place"],
                team=_team(form, community),
                organiser=_organiser(form, community),
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The activity is changed."))
            return redirect("volunteering_activity_detail", slug=slug, activity_id=activity.pk)
    return _form_page(
        request, community, form, gettext_lazy("Change the activity"), back=_back_to(activity)
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_cancel(request: HttpRequest, slug: str, activity_id: int) -> HttpResponse:
    activity = _activity(request, slug, activity_id)
    if not can_run(request.user, activity):
        raise PermissionDenied
    form = CancelForm(posted(request))
    if form.is_valid():
        try:
            shifts.activity_cancel(
                actor=request_user(request), activity=activity, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request, _("The activity is cancelled; the volunteers signed up are told.")
            )
            return redirect("volunteering_activity_detail", slug=slug, activity_id=activity.pk)
    return _form_page(
        request,
        activity.community,
        form,
        gettext_lazy("Cancel the activity"),
        back=_back_to(activity),
        button=gettext_lazy("Cancel the activity"),
    )


def _act(request: HttpRequest, target: str, run: Callable[[], Any], done: str) -> HttpResponse:
    try:
        run()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return redirect(target)


@login_required
@require_POST
def activity_publish(request: HttpRequest, slug: str, activity_id: int) -> HttpResponse:
    activity = _activity(request, slug, activity_id)
    actor = request_user(request)
    return _act(
        request,
        _back_to(activity)[0],
        lambda: shifts.activity_publish(actor=actor, activity=activity),
        _("The activity is published: volunteers can sign up."),
    )


# --- Shifts -----------------------------------------------------------------------------------


def _shift_fields(form: ShiftForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "capacity": data["capacity"],
        "place": data.get("place") or "",
        "min_age": data.get("min_age"),
        "required_qualifications": data.get("required_qualifications") or [],
    }


@login_required
@require_http_methods(["GET", "POST"])
def shift_create(request: HttpRequest, slug: str, activity_id: int) -> HttpResponse:
    activity = _activity(request, slug, activity_id)
    if not can_run(request.user, activity):
        raise PermissionDenied
    form = ShiftForm(posted(request))
    if form.is_valid():
        try:
            shifts.shift_create(
                actor=request_user(request), activity=activity, **_shift_fields(form)
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The shift is added."))
            return redirect("volunteering_activity_detail", slug=slug, activity_id=activity.pk)
    return _form_page(
        request,
        activity.community,
        form,
        gettext_lazy("Add a shift"),
        back=_back_to(activity),
        note=activity.title,
    )


def _shift_back(shift: Shift) -> tuple[str, str]:
    return (
        reverse("volunteering_shift_detail", args=[shift.activity.community.slug, shift.pk]),
        shift.activity.title,
    )


@require_GET
def shift_detail(request: HttpRequest, slug: str, shift_id: int) -> HttpResponse:
    shift = _shift(request, slug, shift_id)
    activity = shift.activity
    volunteer = volunteer_for(request.user, shift.community_id)
    runs = can_run(request.user, activity)
    view = selectors.shift_view(shift, volunteer)
    return render(
        request,
        "volunteering/shift_detail.html",
        {
            "community": activity.community,
            "activity": activity,
            "shift": view.shift,
            "view": view,
            "volunteer": volunteer,
            "can_run": runs,
            "can_sign_up_others": bool(
                rules.has_perm("volunteering.register_others", request.user, activity.community)
            ),
            "signups": list(selectors.signups_of(shift)) if runs else [],
            "join_url": join_url(slug),
            "published": activity.status == ActivityStatus.PUBLISHED,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def shift_edit(request: HttpRequest, slug: str, shift_id: int) -> HttpResponse:
    shift = _shift(request, slug, shift_id)
    if not can_run(request.user, shift.activity):
        raise PermissionDenied
    form = ShiftForm.of(shift, posted(request))
    if form.is_valid():
        try:
            shifts.shift_update(actor=request_user(request), shift=shift, **_shift_fields(form))
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The shift is changed; those signed up are told."))
            return redirect("volunteering_shift_detail", slug=slug, shift_id=shift.pk)
    return _form_page(
        request,
        shift.activity.community,
        form,
        gettext_lazy("Change the shift"),
        back=_shift_back(shift),
    )


@login_required
@require_http_methods(["GET", "POST"])
def shift_cancel(request: HttpRequest, slug: str, shift_id: int) -> HttpResponse:
    shift = _shift(request, slug, shift_id)
    if not can_run(request.user, shift.activity):
        raise PermissionDenied
    form = CancelForm(posted(request))
    if form.is_valid():
        try:
            shifts.shift_cancel(actor=request_user(request), shift=shift, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The shift is cancelled; those signed up are told."))
            return redirect("volunteering_shift_detail", slug=slug, shift_id=shift.pk)
    return _form_page(
        request,
        shift.activity.community,
        form,
        gettext_lazy("Cancel the shift"),
        back=_shift_back(shift),
        button=gettext_lazy("Cancel the shift"),
    )


@login_required
@require_POST
def shift_signup(request: HttpRequest, slug: str, shift_id: int) -> HttpResponse:
    shift = _shift(request, slug, shift_id)
    actor = request_user(request)
    try:
        made = shifts.signup_add(actor=actor, shift=shift)
    except ValidationError as error:
        messages.error(request, error_text(error))
        if getattr(error, "code", None) == "not_volunteer" and join_url(slug):
            return redirect(join_url(slug))
    else:
        if made.status == SignUpStatus.WAITLISTED:
            messages.info(request, _("The shift is full: you are on the waiting list."))
        else:
            messages.success(request, _("You are signed up. Thank you!"))
    return redirect("volunteering_shift_detail", slug=slug, shift_id=shift.pk)


@login_required
@require_http_methods(["GET", "POST"])
def shift_signup_other(request: HttpRequest, slug: str, shift_id: int) -> HttpResponse:
    shift = _shift(request, slug, shift_id)
    if not rules.has_perm("volunteering.register_others", request.user, shift.activity.community):
        raise PermissionDenied
    form = SignUpOtherForm(posted(request))
    if form.is_valid():
        try:
            person = member_by_phone(
                phone=form.cleaned_data["phone"], community=shift.activity.community
            )
            made = shifts.signup_add(actor=request_user(request), shift=shift, person=person)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            if made.status == SignUpStatus.WAITLISTED:
                messages.info(request, _("The shift is full: they are on the waiting list."))
            else:
                messages.success(request, _("The volunteer is signed up."))
            return redirect("volunteering_shift_detail", slug=slug, shift_id=shift.pk)
    return _form_page(
        request,
        shift.activity.community,
        form,
        gettext_lazy("Sign up a volunteer"),
        back=_shift_back(shift),
        button=pgettext_lazy("for a shift", "Sign up"),
    )


@login_required
@require_POST
def signup_cancel(request: HttpRequest, slug: str, shift_id: int, signup_id: int) -> HttpResponse:
    shift = _shift(request, slug, shift_id)
    signup = (
        SignUp.objects.in_community(shift.community_id)
        .select_related("volunteer")
        .filter(pk=signup_id, shift=shift)
        .first()
    )
    if signup is not None:
        signup.shift = shift
    if signup is None or not rules.has_perm("volunteering.cancel_signup", request.user, signup):
        raise Http404
    actor = request_user(request)
    target = request.POST.get("next", "")
    if not target.startswith(f"/c/{slug}/volunteering/"):
        target = _shift_back(shift)[0]
    return _act(
        request,
        target,
        lambda: shifts.signup_cancel(actor=actor, signup=signup),
        _("The sign-up is cancelled."),
    )


def _event(shift: Shift, url: str) -> CalendarEvent:
    activity = shift.activity
    return CalendarEvent(
        uid=f"volunteer-shift-{shift.pk}",
        start=shift.starts_at,
        end=shift.ends_at,
        summary=activity.title,
        location=shift.place or activity.place,
        description=activity.description,
        url=url,
        status="CANCELLED"
        if shift.cancelled_at or activity.status == ActivityStatus.CANCELLED
        else "CONFIRMED",
    )


@require_GET
def shift_ics(request: HttpRequest, slug: str, shift_id: int) -> HttpResponse:
    shift = _shift(request, slug, shift_id)
    url = request.build_absolute_uri(_shift_back(shift)[0])
    return calendar_response(
        [_event(shift, url)], name=shift.activity.title, filename=f"shift-{shift.pk}.ics"
    )


@login_required
@require_GET
def my_shifts_ics(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    volunteer = volunteer_for(request.user, community.pk)
    events = []
    for signup, _position in selectors.my_signups(community, volunteer):
        if signup.status == SignUpStatus.REGISTERED:
            signup.shift.activity.community = community
            events.append(
                _event(signup.shift, request.build_absolute_uri(_shift_back(signup.shift)[0]))
            )
    return calendar_response(events, name=_("My volunteer shifts"), filename="my-shifts.ics")


A = "activities/<int:activity_id>/"
S = "shifts/<int:shift_id>/"

urlpatterns: list[URLPattern] = [
    path("activities/", activity_list, name="volunteering_activity_list"),
    path("activities/new/", activity_create, name="volunteering_activity_create"),
    path(A, activity_detail, name="volunteering_activity_detail"),
    path(f"{A}edit/", activity_edit, name="volunteering_activity_edit"),
    path(f"{A}publish/", activity_publish, name="volunteering_activity_publish"),
    path(f"{A}cancel/", activity_cancel, name="volunteering_activity_cancel"),
    path(f"{A}shifts/new/", shift_create, name="volunteering_shift_create"),
    path("shifts/mine.ics", my_shifts_ics, name="volunteering_my_shifts_ics"),
    path(S, shift_detail, name="volunteering_shift_detail"),
    path(f"{S}edit/", shift_edit, name="volunteering_shift_edit"),
    path(f"{S}cancel/", shift_cancel, name="volunteering_shift_cancel"),
    path(f"{S}signup/", shift_signup, name="volunteering_shift_signup"),
    path(f"{S}signup-someone/", shift_signup_other, name="volunteering_shift_signup_other"),
    path(
        f"{S}signups/<int:signup_id>/cancel/",
        signup_cancel,
        name="volunteering_signup_cancel",
    ),
    path(f"{S}calendar.ics", shift_ics, name="volunteering_shift_ics"),
]
