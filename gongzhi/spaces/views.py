"""Spaces' core pages under /c/<slug>/spaces/: the catalogue (the home page, with each part's
section), a space's page, a worker's form to set a space up or change it, opening and closing
it, its photo, "my bookings" (mine and each part's section) and the calendar feeds.

The parts' sections come from their selectors, as in learning: ``<part>_selectors.hub(community,
viewer)`` and ``.mine(community, user)`` give the context their partials
``spaces/_hub_<part>.html`` and ``spaces/_mine_<part>.html`` read as ``hub_<part>`` /
``mine_<part>``. A part that has not landed yet is skipped.

Feeds: a space's feed holds its confirmed bookings as busy blocks with no names, for members: by
session, or, since a calendar app has no session, by the space feed's own token as ``?token=``
(``selectors.space_feed_token``: signed, it opens that space's feed only, and dies with the
member's calendar address). "My bookings" is read at a secret address made of the member's
calendar token (``core.CalendarFeed``, issued on the calendar page), which opens nothing else;
that token no longer opens a space's feed (addresses given out with it before stopped working:
a space's address is the kind people pass on, and the personal token also opened every personal
feed).
"""

from __future__ import annotations

import importlib
import mimetypes
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import ical
from gongzhi.core.files import serve_upload
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get
from gongzhi.spaces import catalogue, selectors
from gongzhi.spaces.forms import CloseForm, SpaceForm
from gongzhi.spaces.models import Booking, Space

#: the parts whose sections the home page and "my bookings" gather, in order
PARTS = ("booking", "series", "lending", "revival", "forecast")


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user, perm="spaces.view_spaces")


def _space(request: HttpRequest, slug: str, space_id: int, perm: str = "") -> Space:
    community = _community(request, slug)
    return selectors.space_get(
        community=community, viewer=request.user, space_id=space_id, perm=perm
    )


def _url(name: str, **kwargs: Any) -> str:
    """Another part's page, or nothing while that part has not landed."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def space_url(space: Space) -> str:
    return reverse("spaces_space", kwargs={"slug": space.community.slug, "space_id": space.pk})


def parts_context(kind: str, community: Community, user: Any) -> tuple[dict, list[str]]:
    context: dict[str, Any] = {}
    templates: list[str] = []
    for part in PARTS:
        try:
            module = importlib.import_module(f"gongzhi.spaces.{part}_selectors")
        except ModuleNotFoundError:
            continue
        build = getattr(module, kind, None)
        template = f"spaces/_{kind}_{part}.html"
        if build is None:
            continue
        try:
            get_template(template)
        except TemplateDoesNotExist:
            continue
        context[f"{kind}_{part}"] = build(community, user)
        templates.append(template)
    return context, templates


@require_GET
def home(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    parts, templates = parts_context("hub", community, request.user)
    return render(
        request,
        "spaces/home.html",
        {
            "community": community,
            "cards": selectors.catalogue_cards(community, request.user),
            "can_manage": request.user.has_perm("spaces.manage_spaces", community),
            "hub_templates": templates,
            **parts,
        },
    )


@require_GET
def space_detail(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    space = _space(request, slug, space_id)
    token = selectors.calendar_token(request.user)
    # with the space's own token, an address a calendar app can read without a session
    feed = selectors.space_feed_path(space, request.user, token)
    return render(
        request,
        "spaces/space_detail.html",
        {
            "community": space.community,
            "space": space,
            "week_url": _url("spaces_week", slug=slug, space_id=space.pk),
            "series_url": _url("spaces_series_new", slug=slug, space_id=space.pk)
            if space.series_allowed
            else "",
            "desk_url": _url("spaces_desk", slug=slug, space_id=space.pk),
            "approvals_url": _url("spaces_approvals", slug=slug),
            "feed_url": request.build_absolute_uri(feed),
            "feed_has_token": bool(token),
            **selectors.space_page(space, request.user),
        },
    )


def _form_page(
    request: HttpRequest, community: Community, form: SpaceForm, space: Space | None
) -> HttpResponse:
    return render(
        request,
        "spaces/space_form.html",
        {
            "community": community,
            "form": form,
            "space": space,
            "title": _("Change the space") if space else _("New space"),
            "back": space_url(space)
            if space
            else reverse("spaces_home", kwargs={"slug": community.slug}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def space_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    if not request.user.has_perm("spaces.manage_spaces", community):
        raise Http404
    form = SpaceForm(community, posted(request), request.FILES or None)
    if form.is_valid():
        try:
            space = catalogue.space_create(
                actor=request_user(request),
                community=community,
                photo=form.cleaned_data.get("new_photo"),
                **form.space_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request, _("The space is saved, not yet open: open it when it is ready.")
            )
            return redirect(space_url(space))
    return _form_page(request, community, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def space_edit(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    space = _space(request, slug, space_id, "spaces.manage_spaces")
    form = SpaceForm(space.community, posted(request), request.FILES or None, instance=space)
    if form.is_valid():
        try:
            catalogue.space_update(
                actor=request_user(request),
                space=space,
                photo=form.cleaned_data.get("new_photo"),
                remove_photo=bool(form.cleaned_data.get("remove_photo")),
                **form.space_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The space is changed."))
            return redirect(space_url(space))
    # the form bound to the instance may have changed it in memory: show the stored one
    space.refresh_from_db()
    return _form_page(request, space.community, form, space)


@login_required
@require_POST
def space_open(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    space = _space(request, slug, space_id, "spaces.manage_spaces")
    try:
        catalogue.space_open(actor=request_user(request), space=space)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The space is open for booking."))
    return redirect(space_url(space))


@login_required
@require_POST
def space_close(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    space = _space(request, slug, space_id, "spaces.manage_spaces")
    form = CloseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        catalogue.space_close(actor=request_user(request), space=space, reason=reason)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("The space is closed: nobody can book it. Bookings already made stay."),
        )
    return redirect(space_url(space))


@dataclass(frozen=True)
class _Photo:
    """A space's photo as ``serve_upload`` serves it: it was checked and re-encoded on upload
    (``core.uploads``), and named with the extension of what it really is."""

    file: FieldFile
    content_type: str
    name: str


@require_GET
def space_photo(request: HttpRequest, slug: str, space_id: int) -> FileResponse:
    space = _space(request, slug, space_id)
    if not space.photo:
        raise Http404
    name = space.photo.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return serve_upload(_Photo(file=space.photo, content_type=content_type, name=name))


# --- My bookings -------------------------------------------------------------------------------


def _my_feed_url(request: HttpRequest, community: Community, user: Any) -> str:
    token = selectors.calendar_token(user)
    if not token:
        return ""
    return request.build_absolute_uri(
        reverse("spaces_my_feed", kwargs={"slug": community.slug, "token": token})
    )


def _booking_rows(bookings: list[Booking], slug: str) -> list[dict[str, Any]]:
    now = timezone.now()
    return [
        {
            "booking": booking,
            "cancel_url": _url("spaces_cancel", slug=slug, booking_id=booking.pk)
            if selectors.may_cancel_mine(booking, now)
            else "",
            "appeal_url": _url("spaces_appeal", slug=slug, booking_id=booking.pk)
            if booking.no_show
            else "",
        }
        for booking in bookings
    ]


@login_required
@require_GET
def mine(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    parts, templates = parts_context("mine", community, user)
    bookings = selectors.my_bookings(community, user)
    return render(
        request,
        "spaces/mine.html",
        {
            "community": community,
            "upcoming": _booking_rows(bookings.upcoming, slug),
            "past": _booking_rows(bookings.past, slug),
            "feed_url": _my_feed_url(request, community, user),
            "mine_templates": templates,
            **parts,
        },
    )


# --- Calendar feeds ----------------------------------------------------------------------------


def _event(booking: Booking, *, summary: str, location: str, url: str) -> ical.CalendarEvent:
    cancelled = booking.status == "cancelled"
    return ical.CalendarEvent(
        uid=f"space-booking-{booking.pk}",
        start=booking.starts_at,
        end=booking.ends_at,
        summary=summary,
        location=location,
        url=url,
        updated=booking.updated_at,
        status="CANCELLED" if cancelled else "",
        sequence=1 if cancelled else 0,
    )


@require_GET
def space_feed(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    """A space's busy times, with no names: for members, by session or by the space feed's own
    token (never by a personal calendar token)."""
    token = request.GET.get("token", "")
    viewer: Any = request.user
    if token:
        viewer = selectors.space_feed_reader(token, space_id)
        if viewer is None:
            raise Http404
    community = community_get(slug=slug, user=viewer, perm="spaces.view_spaces")
    space = selectors.space_get(community=community, viewer=viewer, space_id=space_id)
    url = request.build_absolute_uri(space_url(space))
    busy = _("Booked")
    events = [
        _event(booking, summary=busy, location=space.location or space.name, url=url)
        for booking in selectors.space_feed_bookings(space)
    ]
    return ical.calendar_response(events, name=space.name, filename=f"space-{space.pk}.ics")


@require_GET
def my_feed(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    person = ical.person_for_calendar_feed(token)
    if person is None:
        raise Http404
    try:
        community = community_get(slug=slug, user=person, perm="spaces.view_spaces")
    except PermissionDenied as error:  # pragma: no cover - community_get answers 404
        raise Http404 from error
    url = request.build_absolute_uri(reverse("spaces_mine", kwargs={"slug": slug}))
    events = [
        _event(
            booking,
            summary=booking.space.name
            + (f" · {booking.purpose}" if booking.purpose else "")
            + ("" if booking.status != "pending" else " " + _("(waiting for approval)")),
            location=booking.space.location or booking.space.name,
            url=url,
        )
        for booking in selectors.my_feed_bookings(community, person)
    ]
    return ical.calendar_response(
        events, name=_("My bookings") + f" · {community.name}", filename="bookings.ics"
    )


urlpatterns: list[URLPattern] = [
    path("", home, name="spaces_home"),
    path("mine/", mine, name="spaces_mine"),
    path("mine/<str:token>.ics", my_feed, name="spaces_my_feed"),
    path("new/", space_create, name="spaces_create"),
    path("<int:space_id>/", space_detail, name="spaces_space"),
    path("<int:space_id>/edit/", space_edit, name="spaces_edit"),
    path("<int:space_id>/open/", space_open, name="spaces_open"),
    path("<int:space_id>/close/", space_close, name="spaces_close"),
    path("<int:space_id>/photo/", space_photo, name="spaces_photo"),
    path("<int:space_id>/calendar.ics", space_feed, name="spaces_space_feed"),
]
