"""Pages of the series-and-draws part, under /c/<slug>/spaces/.

Repeating bookings: the form (how often and how many times, or a rule written out), the report
it leads to (every time, and why any cannot be had) with the choice to book the rest or
nothing, the series' page with its times, and cancelling one time or the rest. Draws: a
manager's form to open one, its page (ask, withdraw; once closed the published list with the
tiers; the seed form for a manager who did not ask; the draw's order and winners) and the list
as plain text, one request a line, for ``python -m gongzhi.core.lottery``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import ical
from gongzhi.core.actions import Action, perform
from gongzhi.core.http import error_text, request_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get
from gongzhi.spaces import booking as engine
from gongzhi.spaces import draws, series
from gongzhi.spaces import series_selectors as selectors
from gongzhi.spaces.models import DrawStatus
from gongzhi.spaces.series_forms import DrawAskForm, DrawForm, ReasonForm, SeedForm, SeriesForm

#: The buttons that need nothing but the object and, for a draw's cancelling, an optional
#: reason: each through core ``actions.perform`` (a refusal is a message on the page).
_REFUSED = (ValidationError, PermissionDenied)
OCCURRENCE_CANCEL: Action = Action(
    act=lambda user, booking, data: series.occurrence_cancel(actor=user, booking=booking),
    done=gettext_lazy("This time is cancelled; the others stay booked."),
    refused=_REFUSED,
)
DRAW_WITHDRAW: Action = Action(
    act=lambda user, mine, data: draws.draw_withdraw(actor=user, request=mine),
    done=gettext_lazy("Your request is withdrawn."),
    refused=_REFUSED,
)
DRAW_CANCEL: Action = Action(
    act=lambda user, draw, data: draws.draw_cancel(
        actor=user, draw=draw, reason=data.get("reason", "")
    ),
    form=ReasonForm,
    form_required=False,
    done=gettext_lazy("The draw is cancelled; its time is free again."),
    refused=_REFUSED,
)


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user, perm="spaces.view_spaces")


# --- series --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def series_new(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    """GET: the form. POST: the report (nothing saved); with ``book`` (all, or the rest), the
    booking itself."""
    community = _community(request, slug)
    user = request_user(request)
    space = selectors.space_get(community, user, space_id)
    if not space.series_allowed:
        messages.error(request, _("This space does not take repeating bookings."))
        return redirect("spaces_home", slug=slug)
    form = SeriesForm(request.POST or None, community=community, user=user)
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(
            request,
            "spaces/series_form.html",
            {"community": community, "space": space, "form": form},
            status=status,
        )
    data = form.cleaned_data
    choice = request.POST.get("book", "")
    try:
        outcome = series.series_book(
            actor=user,
            space=space,
            rrule=data["rule"],
            starts_at=data["starts_at"],
            minutes=data["minutes"],
            purpose=data["purpose"],
            exdates=data["exdates"],
            body=data.get("body"),
            attendees=data["attendees"],
            book_rest=choice == "rest",
            dry_run=choice not in ("all", "rest"),
        )
    except (ValidationError, PermissionDenied) as error:
        form.add_error(None, error_text(error))
        return render(
            request,
            "spaces/series_form.html",
            {"community": community, "space": space, "form": form},
            status=400,
        )
    if outcome.series is not None:
        messages.success(
            request,
            ngettext(
                "%(count)d time is booked.", "%(count)d times are booked.", len(outcome.booked)
            )
            % {"count": len(outcome.booked)},
        )
        return redirect("spaces_series", slug=slug, series_id=outcome.series.pk)
    if choice:
        messages.error(request, _("Some times could no longer be had: nothing was booked."))
    return render(
        request,
        "spaces/series_report.html",
        {"community": community, "space": space, "form": form, "outcome": outcome},
    )


@login_required
@require_GET
def series_detail(request: HttpRequest, slug: str, series_id: int) -> HttpResponse:
    community = _community(request, slug)
    row = selectors.series_get(community, request.user, series_id)
    return render(
        request,
        "spaces/series_detail.html",
        {
            "community": community,
            "series": row,
            "occurrences": selectors.occurrences(row),
            "reason_form": ReasonForm(),
            "may_decide": engine.may_decide(request.user, row.space)
            and request.user.pk not in (row.person_id, row.booked_by_id)
            and selectors.occurrences(row).filter(status="pending").exists(),
        },
    )


@login_required
@require_GET
def series_calendar(request: HttpRequest, slug: str, series_id: int) -> HttpResponse:
    """The series as one calendar entry (its rule and exceptions) to add to a phone."""
    community = _community(request, slug)
    row = selectors.series_get(community, request.user, series_id)
    event = selectors.calendar_event(row)
    return ical.calendar_response(
        [event] if event else [],
        name=f"{row.space.name} · {row.purpose}",
        filename=f"series-{row.pk}.ics",
    )


@login_required
@require_POST
def series_cancel(request: HttpRequest, slug: str, series_id: int) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    row = selectors.series_get(community, user, series_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        cancelled = series.series_cancel(actor=user, series=row, reason=reason)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d time is cancelled.", "%(count)d times are cancelled.", len(cancelled)
            )
            % {"count": len(cancelled)},
        )
    return redirect("spaces_series", slug=slug, series_id=row.pk)


@login_required
@require_POST
def series_decide(request: HttpRequest, slug: str, series_id: int) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    row = selectors.series_get(community, user, series_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    approve = request.POST.get("approve") == "1"
    try:
        decided = series.series_decide(actor=user, series=row, approve=approve, reason=reason)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            (
                ngettext("%(count)d time approved.", "%(count)d times approved.", len(decided))
                if approve
                else ngettext(
                    "%(count)d time not approved.", "%(count)d times not approved.", len(decided)
                )
            )
            % {"count": len(decided)},
        )
    return redirect("spaces_series", slug=slug, series_id=row.pk)


@login_required
@require_POST
def occurrence_cancel(
    request: HttpRequest, slug: str, series_id: int, booking_id: int
) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    row = selectors.series_get(community, user, series_id)
    booking = selectors.occurrences(row).filter(pk=booking_id).first()
    if booking is None:
        raise Http404
    return perform(
        request, OCCURRENCE_CANCEL, booking, back=reverse("spaces_series", args=[slug, row.pk])
    )


# --- draws ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def draw_new(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    space = selectors.space_get(community, user, space_id)
    if not engine.may_decide(user, space):
        raise Http404
    form = DrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draw = draws.draw_open(
                actor=user,
                space=space,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                closes_at=data["closes_at"],
                seed_rule=data["seed_rule"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The draw is open; the time is held for it."))
            return redirect("spaces_draw", slug=slug, draw_id=draw.pk)
    return render(
        request,
        "spaces/draw_form.html",
        {"community": community, "space": space, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _draw_page(
    request: HttpRequest, community: Community, draw: Any, **forms: Any
) -> dict[str, Any]:
    user = request.user
    mine = selectors.my_request(draw, user)
    manager = bool(engine.may_decide(user, draw.space))
    is_open = draw.status == DrawStatus.OPEN and not draws.closed_for(draw)
    published = selectors.published(draw)
    context = {
        "community": community,
        "draw": draw,
        "space": draw.space,
        "mine": mine,
        "is_open": is_open,
        "manager": manager,
        "published": published,
        "seats": published.seats if published else selectors.seats_held(draw),
        "may_draw": manager and draw.status == DrawStatus.OPEN and not is_open and mine is None,
    }
    if is_open and mine is None and getattr(user, "is_authenticated", False):
        context["ask_form"] = forms.get("ask_form") or DrawAskForm(community=community, user=user)
    if context["may_draw"]:
        context["seed_form"] = forms.get("seed_form") or SeedForm()
    if manager and draw.status == DrawStatus.OPEN:
        context["cancel_form"] = ReasonForm()
    return context


@require_GET
def draw_detail(request: HttpRequest, slug: str, draw_id: int) -> HttpResponse:
    community = _community(request, slug)
    draw = selectors.draw_get(community, request.user, draw_id)
    return render(request, "spaces/draw_detail.html", _draw_page(request, community, draw))


@require_GET
def draw_list_text(request: HttpRequest, slug: str, draw_id: int) -> HttpResponse:
    """The published list, one request a line in order, for the lottery's command line."""
    community = _community(request, slug)
    draw = selectors.draw_get(community, request.user, draw_id)
    published = selectors.published(draw)
    if published is None:
        raise Http404
    response = HttpResponse(
        "".join(f"{line}\n" for line in published.labels), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="draw-{draw.pk}.txt"'
    return response


@login_required
@require_POST
def draw_ask(request: HttpRequest, slug: str, draw_id: int) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    draw = selectors.draw_get(community, user, draw_id)
    form = DrawAskForm(request.POST, community=community, user=user)
    if form.is_valid():
        try:
            draws.draw_request(
                actor=user,
                draw=draw,
                purpose=form.cleaned_data["purpose"],
                body=form.cleaned_data.get("body"),
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("You are in the draw; you will be told the result."))
            return redirect("spaces_draw", slug=slug, draw_id=draw.pk)
    return render(
        request,
        "spaces/draw_detail.html",
        _draw_page(request, community, draw, ask_form=form),
        status=400,
    )


@login_required
@require_POST
def draw_withdraw(request: HttpRequest, slug: str, draw_id: int) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    draw = selectors.draw_get(community, user, draw_id)
    mine = selectors.my_request(draw, user)
    if mine is None:
        raise Http404
    return perform(request, DRAW_WITHDRAW, mine, back=reverse("spaces_draw", args=[slug, draw.pk]))


@login_required
@require_POST
def draw_run(request: HttpRequest, slug: str, draw_id: int) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    draw = selectors.draw_get(community, user, draw_id)
    if not engine.may_decide(user, draw.space):
        raise Http404
    form = SeedForm(request.POST)
    if form.is_valid():
        try:
            winners = draws.draw_run(actor=user, draw=draw, seed=form.cleaned_data["seed"])
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request,
                ngettext(
                    "Drawn: %(count)d request won.", "Drawn: %(count)d requests won.", len(winners)
                )
                % {"count": len(winners)},
            )
            return redirect("spaces_draw", slug=slug, draw_id=draw.pk)
    draw.refresh_from_db()
    return render(
        request,
        "spaces/draw_detail.html",
        _draw_page(request, community, draw, seed_form=form),
        status=400,
    )


@login_required
@require_POST
def draw_cancel(request: HttpRequest, slug: str, draw_id: int) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    draw = selectors.draw_get(community, user, draw_id)
    if not engine.may_decide(user, draw.space):
        raise Http404
    return perform(request, DRAW_CANCEL, draw, back=reverse("spaces_draw", args=[slug, draw.pk]))


urlpatterns: list[URLPattern] = [
    path("<int:space_id>/series/", series_new, name="spaces_series_new"),
    path("series/<int:series_id>/", series_detail, name="spaces_series"),
    path("series/<int:series_id>/cancel/", series_cancel, name="spaces_series_cancel"),
    path("series/<int:series_id>/decide/", series_decide, name="spaces_series_decide"),
    path("series/<int:series_id>/calendar.ics", series_calendar, name="spaces_series_calendar"),
    path(
        "series/<int:series_id>/times/<int:booking_id>/cancel/",
        occurrence_cancel,
        name="spaces_occurrence_cancel",
    ),
    path("<int:space_id>/draws/new/", draw_new, name="spaces_draw_new"),
    path("draws/<int:draw_id>/", draw_detail, name="spaces_draw"),
    path("draws/<int:draw_id>/list.txt", draw_list_text, name="spaces_draw_list"),
    path("draws/<int:draw_id>/ask/", draw_ask, name="spaces_draw_ask"),
    path("draws/<int:draw_id>/withdraw/", draw_withdraw, name="spaces_draw_withdraw"),
    path("draws/<int:draw_id>/draw/", draw_run, name="spaces_draw_run"),
    path("draws/<int:draw_id>/cancel/", draw_cancel, name="spaces_draw_cancel"),
]
