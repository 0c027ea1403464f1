"""API routes of the room, mounted at /api/v1/: the live quorum, the roll call (arrivals,
departures), recusals and the vote on an item. Refusals are 400 with the service's code
(``no_quorum``, ``meeting_closed``, ``not_seated`` …)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gongzhi.accounts.models import User
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.selectors import community_get
from gongzhi.meetings import room, room_selectors, selectors
from gongzhi.meetings.api import PUBLIC
from gongzhi.meetings.models import AgendaItem, Meeting

router = Router(tags=["meetings"])

MEETING = "/communities/{slug}/meetings/{meeting_id}"


class QuorumOut(Schema):
    seated: int
    present: int = Field(..., description="Counted: in person and by proxy, less recusals.")
    needed: int
    met: bool
    recused: int
    percent: int


class ItemQuorumOut(Schema):
    item: int
    title: str
    quorum: QuorumOut
    decided: bool
    adopted: bool | None


class RoomOut(Schema):
    status: str
    quorum: QuorumOut
    items: list[ItemQuorumOut]


class PersonIn(Schema):
    person: int = Field(..., description="The user id.")
    role: str = Field("member", description="member | observer")


class PresenceOut(Schema):
    id: int
    person: int
    role: str
    arrived_at: Any
    left_at: Any = None
    confirmed: bool


class RecusalIn(Schema):
    reason: str
    person: int | None = Field(None, description="Recorded by the secretary for this member.")


class RecusalOut(Schema):
    id: int
    item: int
    person: int


class DecisionIn(Schema):
    method: str = Field(..., description="hands | roll | online")
    votes_for: int = 0
    votes_against: int = 0
    abstentions: int = 0
    ballots: dict[int, str] | None = Field(None, description="roll: member id -> yes|no|abstain")
    vote: int | None = Field(None, description="online: a closed yes/no vote of the community")
    outcome: str = ""


class DecisionOut(Schema):
    id: int
    item: int
    method: str
    seated: int
    present: int
    votes_for: int
    votes_against: int
    abstentions: int
    adopted: bool
    outcome: str
    decision: int | None = Field(..., description="The body's decision, when one was made.")


def _meeting(request: HttpRequest, slug: str, meeting_id: int, user: Any) -> Meeting:
    community = community_get(slug=slug, user=user)
    return selectors.meeting_get(community=community, user=user, meeting_id=meeting_id)


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    from django.http import Http404

    item = (
        AgendaItem.objects.in_community(meeting.community_id)
        .filter(pk=item_id, meeting=meeting)
        .first()
    )
    if item is None:
        raise Http404
    return item


def _person(meeting: Meeting, person_id: int) -> User:
    from django.http import Http404

    from gongzhi.core.models import Membership

    membership = (
        Membership.objects.in_community(meeting.community_id)
        .select_related("user")
        .filter(user_id=person_id)
        .first()
    )
    if membership is None:
        raise Http404
    return membership.user


def _quorum(state: room.QuorumState) -> dict[str, Any]:
    return {
        "seated": state.seated,
        "present": state.present,
        "needed": state.needed,
        "met": state.met,
        "recused": state.recused,
        "percent": state.percent,
    }


def _presence(presence: Any) -> dict[str, Any]:
    return {
        "id": presence.pk,
        "person": presence.person_id,
        "role": presence.role,
        "arrived_at": presence.arrived_at,
        "left_at": presence.left_at,
        "confirmed": presence.confirmed_at is not None,
    }


@router.get(
    MEETING + "/quorum",
    response=RoomOut,
    auth=PUBLIC,
    summary="The live quorum, per agenda item (what the meeting page shows)",
)
def room_quorum(request: HttpRequest, slug: str, meeting_id: int) -> dict[str, Any]:
    user = api_viewer(request)
    meeting = _meeting(request, slug, meeting_id, user)
    context = room_selectors.room_context(meeting, user)["room"]
    if context is None:
        context = {"quorum": room.quorum_state(meeting=meeting), "items": []}
    return {
        "status": meeting.status,
        "quorum": _quorum(context["quorum"]),
        "items": [
            {
                "item": row.item.pk,
                "title": row.item.title,
                "quorum": _quorum(row.quorum),
                "decided": row.decision is not None,
                "adopted": row.decision.adopted if row.decision is not None else None,
            }
            for row in context["items"]
        ],
    }


@router.post(
    MEETING + "/presences",
    response={201: PresenceOut},
    summary="The secretary signs a member (or an observer) in",
)
def presence_arrive(
    request: HttpRequest, slug: str, meeting_id: int, payload: PersonIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    meeting = _meeting(request, slug, meeting_id, user)
    presence = room.presence_arrive(
        actor=user, meeting=meeting, person=_person(meeting, payload.person), role=payload.role
    )
    return Status(201, _presence(presence))


@router.post(
    MEETING + "/departures",
    response=PresenceOut,
    summary="The secretary signs someone out (a departure may take the quorum away)",
)
def presence_leave(
    request: HttpRequest, slug: str, meeting_id: int, payload: PersonIn
) -> dict[str, Any]:
    user = api_user(request)
    meeting = _meeting(request, slug, meeting_id, user)
    presence = room.presence_leave(
        actor=user, meeting=meeting, person=_person(meeting, payload.person)
    )
    return _presence(presence)


@router.post(
    MEETING + "/items/{item_id}/recusals",
    response={201: RecusalOut},
    summary="Declare a conflict of interest on an item (one's own, or the secretary for one)",
)
def recusal_declare(
    request: HttpRequest, slug: str, meeting_id: int, item_id: int, payload: RecusalIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    meeting = _meeting(request, slug, meeting_id, user)
    item = _item(meeting, item_id)
    person = _person(meeting, payload.person) if payload.person is not None else None
    recusal = room.recusal_declare(actor=user, item=item, reason=payload.reason, person=person)
    return Status(201, {"id": recusal.pk, "item": item.pk, "person": recusal.person_id})


@router.post(
    MEETING + "/items/{item_id}/decision",
    response={201: DecisionOut},
    summary="Record the vote on an item (refused without quorum: 400 no_quorum)",
)
def item_decide(
    request: HttpRequest, slug: str, meeting_id: int, item_id: int, payload: DecisionIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    meeting = _meeting(request, slug, meeting_id, user)
    item = _item(meeting, item_id)
    decision = room.item_decide(
        actor=user,
        item=item,
        method=payload.method,
        votes_for=payload.votes_for,
        votes_against=payload.votes_against,
        abstentions=payload.abstentions,
        ballots=payload.ballots,
        vote=payload.vote,
        outcome=payload.outcome,
    )
    return Status(
        201,
        {
            "id": decision.pk,
            "item": item.pk,
            **{
                name: getattr(decision, name)
                for name in (
                    "method",
                    "seated",
                    "present",
                    "votes_for",
                    "votes_against",
                    "abstentions",
                    "adopted",
                    "outcome",
                )
            },
            "decision": decision.decision_id,
        },
    )
