"""Reads of meetings: the community's list (public meetings for everyone, closed ones for the
body's members and staff), one meeting, its registrations, and the home page's tile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.bodies.models import Body
from gongzhi.core.home import Tile, TileItem
from gongzhi.core.models import Community
from gongzhi.meetings.models import (
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Registration,
    RegistrationStatus,
    Series,
)
from gongzhi.meetings.policies import visible_q

PAGE = 50
TILE_SHOWN = 3


def meetings_visible(*, community: Community, user: Any) -> QuerySet[Meeting]:
    """The community's meetings ``user`` may see (``meetings.view_meeting`` as a filter)."""
    return (
        Meeting.objects.in_community(community)
        .filter(visible_q(user, community.pk))
        .select_related("body")
    )


@dataclass(frozen=True)
class MeetingFilter:
    body: int | None = None
    kind: str = ""


def meeting_lists(
    *, community: Community, user: Any, filters: MeetingFilter
) -> tuple[list[Meeting], list[Meeting]]:
    """(upcoming soonest first, past latest first), at most ``PAGE`` each."""
    meetings: QuerySet[Any] = meetings_visible(community=community, user=user).annotate(
        registered=Count("registrations", filter=Q(registrations__status="registered"))
    )
    if filters.body:
        meetings = meetings.filter(body_id=filters.body)
    if filters.kind in MeetingKind.values:
        meetings = meetings.filter(kind=filters.kind)
    now = timezone.now()
    upcoming = list(meetings.filter(ends_at__gte=now).order_by("starts_at", "pk")[:PAGE])
    past = list(meetings.filter(ends_at__lt=now).order_by("-starts_at", "-pk")[:PAGE])
    return upcoming, past


def bodies_meeting(community: Community) -> list[tuple[int, str]]:
    """The bodies (not dissolved) for the list's filter and the scheduling form."""
    return list(
        Body.objects.in_community(community)
        .filter(dissolved_at__isnull=True)
        .order_by("name")
        .values_list("pk", "name")
    )


def meeting_get(*, community: Community, user: Any, meeting_id: int) -> Meeting:
    """One meeting ``user`` may see; a closed meeting is as missing to others as a missing one."""
    meeting = (
        meetings_visible(community=community, user=user)
        .select_related("series", "secretary", "chair", "first_sitting")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def series_get(*, community: Community, series_id: int) -> Series:
    series = Series.objects.in_community(community).filter(pk=series_id).first()
    if series is None:
        raise Http404
    return series


@dataclass(frozen=True)
class Seats:
    capacity: int | None
    registered: int
    waiting: int
    mine: Registration | None

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.registered)


def seats_of(meeting: Meeting, user: Any) -> Seats:
    counts = {
        row["status"]: row["n"]
        for row in Registration.objects.in_community(meeting.community_id)
        .filter(meeting=meeting)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    mine = None
    if getattr(user, "is_authenticated", False):
        mine = (
            Registration.objects.in_community(meeting.community_id)
            .filter(meeting=meeting, person=user)
            .exclude(status=RegistrationStatus.CANCELLED)
            .first()
        )
    return Seats(
        capacity=meeting.capacity,
        registered=counts.get(RegistrationStatus.REGISTERED, 0),
        waiting=counts.get(RegistrationStatus.WAITLISTED, 0),
        mine=mine,
    )


def registrations_of(meeting: Meeting) -> QuerySet[Registration]:
    return (
        Registration.objects.in_community(meeting.community_id)
        .filter(meeting=meeting)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("person")
        .order_by("status", "created_at", "pk")
    )


def registration_get(*, meeting: Meeting, registration_id: int) -> Registration:
    registration = (
        Registration.objects.in_community(meeting.community_id)
        .filter(meeting=meeting, pk=registration_id)
        .select_related("meeting", "person")
        .first()
    )
    if registration is None:
        raise Http404
    return registration


def invitations_of(meeting: Meeting) -> QuerySet[Invitation]:
    return (
        Invitation.objects.in_community(meeting.community_id)
        .filter(meeting=meeting)
        .select_related("person")
        .order_by("kind", "sent_at", "pk")
    )


def home_next_meetings(community: Community, user: Any) -> Tile | None:
    """The community home's tile: the next public meetings (one query); none when there is
    none coming."""
    now = timezone.now()
    coming = list(
        Meeting.objects.in_community(community)
        .filter(public=True, ends_at__gte=now)
        .exclude(status__in=[MeetingStatus.CANCELLED, MeetingStatus.CLOSED])
        .select_related("body")
        .order_by("starts_at", "pk")[:TILE_SHOWN]
    )
    if not coming:
        return None
    items = [
        TileItem(
            label=meeting.title,
            url=reverse(
                "meeting_detail", kwargs={"slug": community.slug, "meeting_id": meeting.pk}
            ),
            note=" · ".join(
                part
                for part in (
                    timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
                    meeting.body.name,
                    meeting.place,
                    _("in session now") if meeting.status == MeetingStatus.IN_SESSION else "",
                )
                if part
            ),
            warn=meeting.status == MeetingStatus.IN_SESSION,
        )
        for meeting in coming
    ]
    return Tile(
        key="meetings.next",
        title=_("Next public meetings"),
        items=items,
        empty="",
        more_url=reverse("meeting_list", kwargs={"slug": community.slug}),
        more_label=_("All meetings"),
    )
