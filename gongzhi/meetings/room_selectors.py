"""Reads for the room: the roll call screen and the meeting page's section (``_room.html``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.meetings import room
from gongzhi.meetings.models import (
    AgendaItem,
    ItemDecision,
    Meeting,
    MeetingStatus,
    Presence,
    PresenceRole,
    Proxy,
    Recusal,
)


@dataclass(frozen=True)
class Seat:
    """A seated member on the roll call screen."""

    person: Any
    present: bool
    #: scanned the code, waiting for the secretary's confirmation
    scanned: bool
    proxy_to: Any = None


@dataclass(frozen=True)
class ItemRow:
    item: AgendaItem
    quorum: room.QuorumState
    decision: ItemDecision | None
    recused: bool
    can_recuse: bool


def is_live(meeting: Meeting) -> bool:
    """The roll call may be kept: in session, or from 30 minutes before a scheduled start."""
    if meeting.status == MeetingStatus.IN_SESSION:
        return True
    return (
        meeting.status == MeetingStatus.SCHEDULED
        and meeting.starts_at - room.EARLY_CHECK_IN <= timezone.now()
    )


def room_context(meeting: Meeting, user: Any) -> dict[str, Any]:
    """The ``room`` key of the meeting page and the roll call screen."""
    if meeting.status == MeetingStatus.CANCELLED or (
        meeting.status == MeetingStatus.SCHEDULED and not is_live(meeting)
    ):
        # nothing to show before the doors open (and no queries on the meeting page)
        return {"room": None}
    can_run = bool(rules.has_perm("meetings.run_meeting", user, meeting))
    charter = room.charter_of(meeting)
    seated = room.seated_ids(meeting)
    stretches = room.stretches_of(meeting)
    proxies = room.proxies_of(meeting)
    now = timezone.now()
    at = (
        now
        if meeting.status != MeetingStatus.CLOSED or not meeting.closed_at
        else meeting.closed_at
    )

    def state(kind: str = "", recused: frozenset[int] = frozenset()) -> room.QuorumState:
        return room.state_from(
            meeting=meeting,
            charter=charter,
            seated=seated,
            stretches=stretches,
            proxies=proxies,
            kind=kind,
            recused=recused,
            at=at,
        )

    items = list(
        AgendaItem.objects.in_community(meeting.community_id)
        .filter(meeting=meeting, withdrawn_at__isnull=True)
        .select_related("decision")
        .order_by("position", "pk")
    )
    recusals: dict[int, set[int]] = {}
    for item_id, person_id in (
        Recusal.objects.in_community(meeting.community_id)
        .filter(item__meeting=meeting)
        .values_list("item_id", "person_id")
    ):
        recusals.setdefault(item_id, set()).add(person_id)
    me = getattr(user, "pk", None)
    live = is_live(meeting)
    rows = []
    for item in items:
        decided = getattr(item, "decision", None)
        mine = me in recusals.get(item.pk, set())
        rows.append(
            ItemRow(
                item=item,
                quorum=state(item.decision_kind, frozenset(recusals.get(item.pk, set()))),
                decision=decided,
                recused=mine,
                can_recuse=(live and decided is None and not mine and me in seated),
            )
        )
    context: dict[str, Any] = {
        "meeting": meeting,
        "can_run": can_run,
        "live": live,
        "closed": meeting.status == MeetingStatus.CLOSED,
        "quorum": state(),
        "items": rows,
        "proxies_allowed": bool(charter and charter.proxies_allowed),
    }
    if can_run:
        context.update(roll_of(meeting, seated=seated, at=at))
        context["checkin_url"] = reverse("checkin_screen", args=["meetings.meeting", meeting.pk])
    return {"room": context}


def roll_of(meeting: Meeting, *, seated: frozenset[int], at: Any) -> dict[str, Any]:
    """The secretary's list: every seated member (present or not, scanned and waiting),
    the observers present, the proxies given."""
    open_rows = list(
        Presence.objects.in_community(meeting.community_id)
        .filter(meeting=meeting, left_at__isnull=True)
        .select_related("person")
    )
    present = {p.person_id for p in open_rows if p.confirmed_at is not None}
    scanned = {p.person_id for p in open_rows if p.confirmed_at is None}
    active = list(
        Proxy.objects.in_community(meeting.community_id)
        .filter(meeting=meeting, revoked_at__isnull=True)
        .select_related("giver", "holder")
    )
    given = {p.giver_id: p.holder for p in active}
    people = User.objects.filter(pk__in=seated).order_by("display_name", "pk")
    return {
        "seats": [
            Seat(
                person=person,
                present=person.pk in present,
                scanned=person.pk in scanned,
                proxy_to=given.get(person.pk),
            )
            for person in people
        ],
        "observers": [
            p for p in open_rows if p.role == PresenceRole.OBSERVER or p.person_id not in seated
        ],
        "waiting": [p for p in open_rows if p.confirmed_at is None],
        "proxies": active,
    }


def voters_of(meeting: Meeting, item: AgendaItem) -> list[tuple[int, str]]:
    """Who votes on ``item`` now: the members counted for it, in person or by proxy."""
    charter = room.charter_of(meeting)
    count = room.quorum.count_at(
        seated=room.seated_ids(meeting),
        stretches=room.stretches_of(meeting),
        at=timezone.now(),
        recused=room.recused_ids(item),
        proxies=room.proxies_of(meeting),
        max_proxies=room.max_proxies(charter),
    )
    people = User.objects.filter(pk__in=count.in_person | count.by_proxy).order_by(
        "display_name", "pk"
    )
    return [(p.pk, str(p) if p.pk in count.in_person else f"{p} ({_by_proxy()})") for p in people]


def _by_proxy() -> str:
    from django.utils.translation import gettext

    return gettext("by proxy")


def online_votes(meeting: Meeting) -> list[tuple[int, str]]:
    """Closed yes/no votes of the community, newest first, to link as an item's vote."""
    from gongzhi.voting.models import Method, Vote

    votes = (
        Vote.objects.in_community(meeting.community_id)
        .filter(method=Method.YES_NO, closes_at__lte=timezone.now())
        .order_by("-closes_at")[:50]
    )
    return [(v.pk, v.title) for v in votes]
