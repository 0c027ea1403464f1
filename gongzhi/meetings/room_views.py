"""Pages of the room, under /c/<slug>/meetings/: the secretary's roll call screen (tap a name
to sign in or out, confirm the scans, proxies, the live quorum per item), the vote form per
item, a member's own conflict of interest."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts.models import User
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.selectors import community_get
from gongzhi.meetings import policies, room, room_selectors, selectors
from gongzhi.meetings.models import AgendaItem, Meeting, PresenceRole, Proxy
from gongzhi.meetings.room_forms import ProxyForm, RecusalForm, VoteForm


def _meeting(request: HttpRequest, slug: str, meeting_id: int) -> Meeting:
    community = community_get(slug=slug, user=request.user)
    return selectors.meeting_get(community=community, user=request.user, meeting_id=meeting_id)


def _runner(request: HttpRequest, meeting: Meeting) -> User:
    actor = request_user(request)
    if not policies.can_run(actor, meeting):
        raise PermissionDenied(
            _("Only the meeting's secretary, chair or a community worker can do this.")
        )
    return actor


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = (
        AgendaItem.objects.in_community(meeting.community_id)
        .filter(pk=item_id, meeting=meeting, withdrawn_at__isnull=True)
        .first()
    )
    if item is None:
        raise Http404
    return item


def _person(meeting: Meeting, raw: Any) -> User:
    from gongzhi.core.models import Membership

    try:
        person_id = int(raw)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    found = (
        Membership.objects.in_community(meeting.community_id)
        .select_related("user")
        .filter(user_id=person_id)
        .first()
    )
    if found is None:
        raise Http404
    return found.user


def _roll(meeting: Meeting) -> HttpResponse:
    return redirect("room_roll", slug=meeting.community.slug, meeting_id=meeting.pk)


def _done(request: HttpRequest, call: Any, success: str) -> None:
    try:
        call()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, success)


@login_required
def room_roll(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """The secretary's roll call screen (phone first): each seated member one big button."""
    meeting = _meeting(request, slug, meeting_id)
    _runner(request, meeting)
    context = room_selectors.room_context(meeting, request.user)["room"]
    if context is None:
        raise Http404
    members = [(seat.person.pk, str(seat.person)) for seat in context.get("seats", [])]
    return render(
        request,
        "meetings/room_roll.html",
        {
            "community": meeting.community,
            "meeting": meeting,
            "room": context,
            "proxy_form": ProxyForm(members=members) if context["proxies_allowed"] else None,
        },
    )


@login_required
@require_POST
def room_arrive(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    actor = _runner(request, meeting)
    person = _person(meeting, request.POST.get("person"))
    role = request.POST.get("role") or PresenceRole.MEMBER
    _done(
        request,
        lambda: room.presence_arrive(actor=actor, meeting=meeting, person=person, role=role),
        _("%(name)s is signed in.") % {"name": person},
    )
    return _roll(meeting)


@login_required
@require_POST
def room_leave(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    actor = _runner(request, meeting)
    person = _person(meeting, request.POST.get("person"))
    _done(
        request,
        lambda: room.presence_leave(actor=actor, meeting=meeting, person=person),
        _("%(name)s has left.") % {"name": person},
    )
    return _roll(meeting)


@login_required
@require_POST
def room_confirm(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    actor = _runner(request, meeting)
    ids = [int(p) for p in request.POST.getlist("person") if p.isdigit()]
    _done(
        request,
        lambda: room.roll_confirm(actor=actor, meeting=meeting, person_ids=ids),
        _("The roll call is confirmed."),
    )
    return _roll(meeting)


@login_required
@require_POST
def room_proxy(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    actor = _runner(request, meeting)
    giver = _person(meeting, request.POST.get("giver"))
    holder = _person(meeting, request.POST.get("holder"))
    _done(
        request,
        lambda: room.proxy_record(actor=actor, meeting=meeting, giver=giver, holder=holder),
        _("The proxy is recorded."),
    )
    return _roll(meeting)


@login_required
@require_POST
def room_proxy_revoke(
    request: HttpRequest, slug: str, meeting_id: int, proxy_id: int
) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    actor = _runner(request, meeting)
    proxy = (
        Proxy.objects.in_community(meeting.community_id)
        .filter(pk=proxy_id, meeting=meeting)
        .first()
    )
    if proxy is None:
        raise Http404
    _done(
        request,
        lambda: room.proxy_revoke(actor=actor, proxy=proxy),
        _("The proxy is revoked."),
    )
    return _roll(meeting)


@login_required
@require_POST
def item_recuse(request: HttpRequest, slug: str, meeting_id: int, item_id: int) -> HttpResponse:
    """A member's own conflict of interest on an item (the button on the meeting page)."""
    meeting = _meeting(request, slug, meeting_id)
    item = _item(meeting, item_id)
    actor = request_user(request)
    form = RecusalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the conflict of interest is."))
    else:
        _done(
            request,
            lambda: room.recusal_declare(
                actor=actor, item=item, reason=form.cleaned_data["reason"]
            ),
            _("You do not take part in this item's quorum and vote."),
        )
    return redirect("meeting_detail", slug=slug, meeting_id=meeting.pk)


@login_required
@require_http_methods(["GET", "POST"])
def item_vote(request: HttpRequest, slug: str, meeting_id: int, item_id: int) -> HttpResponse:
    """The vote on one item: hands counted, each member's vote, or an online vote."""
    meeting = _meeting(request, slug, meeting_id)
    actor = _runner(request, meeting)
    item = _item(meeting, item_id)
    form = VoteForm(
        posted(request),
        voters=room_selectors.voters_of(meeting, item),
        votes=room_selectors.online_votes(meeting),
    )
    if form.is_bound and form.is_valid():
        try:
            room.item_decide(actor=actor, item=item, **form.decision())
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The vote is recorded."))
            return redirect("meeting_detail", slug=slug, meeting_id=meeting.pk)
    return render(
        request,
        "meetings/room_vote.html",
        {
            "community": meeting.community,
            "meeting": meeting,
            "item": item,
            "form": form,
            "quorum": room.quorum_state(meeting=meeting, item=item),
        },
    )


urlpatterns: list[URLPattern] = [
    path("<int:meeting_id>/room/", room_roll, name="room_roll"),
    path("<int:meeting_id>/room/arrive/", room_arrive, name="room_arrive"),
    path("<int:meeting_id>/room/leave/", room_leave, name="room_leave"),
    path("<int:meeting_id>/room/confirm/", room_confirm, name="room_confirm"),
    path("<int:meeting_id>/room/proxies/", room_proxy, name="room_proxy"),
    path(
        "<int:meeting_id>/room/proxies/<int:proxy_id>/revoke/",
        room_proxy_revoke,
        name="room_proxy_revoke",
    ),
    path("<int:meeting_id>/items/<int:item_id>/recuse/", item_recuse, name="item_recuse"),
    path("<int:meeting_id>/items/<int:item_id>/vote/", item_vote, name="item_vote"),
]
