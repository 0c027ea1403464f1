"""Spaces' booking part: its pages under /c/<slug>/spaces/.

- the week grid of a space (``spaces_week``): a week in slots, free/taken/held/mine; on a
  phone one day at a time (day tabs, the others hidden by CSS); each free slot is a link to
  the booking form with its time filled in, each taken one a link to wait for it — no script;
- the booking form (``spaces_book``): time, length, purpose, people, an organisation I sit in,
  and for a community worker a resident's phone (代办); "wait for this time" when it is taken;
- cancelling (``spaces_cancel``, POST), and the approvals queue of a space's managers
  (``spaces_approvals``, ``spaces_decide``: approve, or refuse with a reason).

A space, booking or request the viewer may not see or act on answers 404, and so does the
approvals queue to someone who manages no space."""

from __future__ import annotations

from datetime import datetime, timedelta

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.spaces import booking as engine
from gongzhi.spaces import booking_selectors as selectors
from gongzhi.spaces import selectors as catalogue_selectors
from gongzhi.spaces.booking_forms import BookForm, DecideForm
from gongzhi.spaces.models import Booking, BookingStatus, Space


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user, perm="spaces.view_spaces")


@require_GET
def week(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    community = _community(request, slug)
    space = selectors.space_get(community, request.user, space_id)
    start = selectors.parse_day(request.GET.get("week")) or timezone.localdate()
    grid = selectors.availability(
        space, start, request.user, day=selectors.parse_day(request.GET.get("day"))
    )
    return render(
        request,
        "spaces/week.html",
        {
            "community": community,
            "space": space,
            "grid": grid,
            "this_week": selectors.monday_of(timezone.localdate()),
            "book_url": reverse(
                "spaces_book", kwargs={"slug": community.slug, "space_id": space.pk}
            ),
            "manages": request.user.is_authenticated and selectors.may_manage(request.user, space),
        },
    )


def _start_from(request: HttpRequest) -> datetime | None:
    try:
        moment = datetime.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _book(request: HttpRequest, space: Space, form: BookForm) -> Booking | None:
    """Book (or, with ``action=wait``, wait for) the form's time; None with the error on the
    form when refused."""
    actor = request_user(request)
    data = form.cleaned_data
    starts_at = data["starts_at"]
    if not selectors.day_in_reach(starts_at.date()):
        form.add_error("starts_at", _("Choose a time within ten years of today."))
        return None
    ends_at = starts_at + timedelta(minutes=data["minutes"])
    body = None
    if data.get("body"):
        body = selectors.bodies_i_sit_in(space.community_id, actor).filter(pk=data["body"]).first()
        if body is None:
            form.add_error("body", _("You do not sit in this organisation."))
            return None
    meeting = None
    if data.get("meeting"):
        meeting = next(
            (
                m
                for m in catalogue_selectors.meetings_to_book_for(space.community_id, actor)
                if m.pk == data["meeting"]
            ),
            None,
        )
        if meeting is None:
            form.add_error("meeting", _("Choose a coming meeting of an organisation you sit in."))
            return None
    try:
        person = None
        if data.get("phone"):
            person = member_by_phone(phone=data["phone"], community=space.community)
        if request.POST.get("action") == "wait":
            engine.wait_for(
                actor=actor,
                space=space,
                starts_at=starts_at,
                ends_at=ends_at,
                purpose=data["purpose"],
                body=body,
                person=person,
            )
            messages.success(
                request,
                _("You are waiting for this time; if it frees up, it is booked for you.")
                if person is None
                else _("%(name)s is waiting for this time; if it frees up, it is booked for them.")
                % {"name": person},
            )
            return None
        return engine.book(
            actor=actor,
            space=space,
            starts_at=starts_at,
            ends_at=ends_at,
            purpose=data["purpose"],
            person=person,
            body=body,
            attendees=data["attendees"],
            meeting=meeting,
        )
    except ValidationError as error:
        form.add_error(None, error_text(error))
    except PermissionDenied as error:
        form.add_error(None, str(error) or _("You cannot book this."))
    return None


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    community = _community(request, slug)
    space = selectors.space_get(community, request.user, space_id)
    actor = request_user(request)
    bodies = [
        (body.pk, body.name)
        for body in selectors.bodies_i_sit_in(community, actor)
        if space.organisations
    ]
    for_others = rules.has_perm("core.act_on_behalf", actor, community)
    start = _start_from(request)
    meetings = [
        (m.pk, f"{m.body.name} · {m.title} · {timezone.localtime(m.starts_at):%Y-%m-%d %H:%M}")
        for m in catalogue_selectors.meetings_to_book_for(community, actor)
        if space.organisations
    ]
    form = BookForm(
        posted(request),
        space=space,
        bodies=bodies,
        for_others=for_others,
        meetings=meetings,
        initial={"starts_at": start, "minutes": space.slot_minutes, "attendees": 1},
    )
    if request.method == "POST" and form.is_valid():
        made = _book(request, space, form)
        if made is not None:
            if made.status == BookingStatus.PENDING:
                messages.success(
                    request,
                    _("Your request is sent; the time is held for you until %(until)s.")
                    % {"until": timezone.localtime(made.hold_until).strftime("%Y-%m-%d %H:%M")},
                )
            else:
                messages.success(request, _("Booked: %(space)s.") % {"space": space.name})
            return redirect("spaces_mine", slug=community.slug)
        if not form.errors:  # waiting
            return redirect("spaces_mine", slug=community.slug)
    week_of = (start or timezone.localtime()).date()
    return render(
        request,
        "spaces/book_form.html",
        {
            "community": community,
            "space": space,
            "form": form,
            "taken": request.GET.get("taken") == "1",
            "week_of": selectors.monday_of(week_of),
        },
    )


def _back(request: HttpRequest, fallback: str, slug: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback, slug=slug)


@login_required
@require_POST
def cancel(request: HttpRequest, slug: str, booking_id: int) -> HttpResponse:
    community = _community(request, slug)
    actor = request_user(request)
    booking = selectors.booking_for_cancel(community, actor, booking_id)
    try:
        engine.cancel(actor=actor, booking=booking, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The booking is cancelled."))
    return _back(request, "spaces_mine", community.slug)


@login_required
@require_GET
def approvals(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    actor = request_user(request)
    if selectors.managed_spaces_q(community, actor) is None:
        raise Http404  # as a missing page: the API's list is empty
    return render(
        request,
        "spaces/approvals.html",
        {
            "community": community,
            "requests": selectors.approvals(community, actor),
            "form": DecideForm(),
            "me": actor.pk,
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, slug: str, booking_id: int) -> HttpResponse:
    community = _community(request, slug)
    actor = request_user(request)
    booking = selectors.booking_for_decision(community, actor, booking_id)
    approve = request.POST.get("decision") == "approve"
    form = DecideForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        engine.decide(actor=actor, booking=booking, approve=approve, reason=reason)
    except (ValidationError, PermissionDenied) as error:
        messages.error(
            request,
            error_text(error)
            if isinstance(error, ValidationError)
            else (str(error) or _("You cannot decide on this request.")),
        )
    else:
        messages.success(
            request,
            _("The request is approved.") if approve else _("The request is refused."),
        )
    return redirect("spaces_approvals", slug=community.slug)


urlpatterns: list[URLPattern] = [
    path("<int:space_id>/week/", week, name="spaces_week"),
    path("<int:space_id>/book/", book, name="spaces_book"),
    path("bookings/<int:booking_id>/cancel/", cancel, name="spaces_cancel"),
    path("approvals/", approvals, name="spaces_approvals"),
    path("bookings/<int:booking_id>/decide/", decide, name="spaces_decide"),
]
