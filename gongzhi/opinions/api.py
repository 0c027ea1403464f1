"""Conversations in the API: list and read them, add a statement, vote, get the map. Errors are
the API's ``{code, message}``; no answer names who voted what."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.core.apidoc import errors
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.pagination import BoundedLimitOffsetPagination
from gongzhi.core.selectors import community_get
from gongzhi.opinions import selectors, services
from gongzhi.opinions.models import Conversation, Statement

router = Router(tags=["conversations"])


class ConversationOut(Schema):
    id: int
    question: str
    description: str
    opens_at: datetime
    closes_at: datetime
    moderation: str
    visitors_allowed: bool
    imported: bool
    is_open: bool

    @staticmethod
    def resolve_is_open(obj: Conversation) -> bool:
        return obj.is_open()


class CountsOut(Schema):
    participants: int
    visitors: int
    statements: int
    votes: int


class ConversationDetailOut(ConversationOut):
    counts: CountsOut
    can_take_part: bool
    why_not: str | None = None


class StatementOut(Schema):
    number: int
    text: str
    status: str
    agree: int = 0
    disagree: int = 0
    passed: int = 0


class StatementIn(Schema):
    text: str


class VoteChoice(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    PASS = "pass"  # noqa: S105 - a vote, not a password


VALUES = {VoteChoice.AGREE: 1, VoteChoice.DISAGREE: -1, VoteChoice.PASS: 0}


class StatementVoteIn(Schema):
    vote: VoteChoice


class StatementVoteOut(Schema):
    saved: bool
    changed: bool


class NextOut(Schema):
    statement: StatementOut | None
    voted: int
    remaining: int


class RepresentativeOut(Schema):
    statement: int
    text: str
    direction: str
    count: int
    seen: int
    percent: int


class GroupOut(Schema):
    group: str
    size: int
    visitors: int
    representative: list[RepresentativeOut]


class ShareOut(Schema):
    group: str
    agree: int
    seen: int
    percent: int


class AcrossOut(Schema):
    statement: int
    text: str
    groups: list[ShareOut]


class PointOut(Schema):
    x: float
    y: float
    group: str | None


class MapOut(Schema):
    ready: bool
    computed_at: datetime | None = None
    participants: int = 0
    clustered: int = 0
    visitors: int = 0
    groups: list[GroupOut] = []
    consensus: list[AcrossOut] = []
    divisive: list[AcrossOut] = []
    points: list[PointOut] = []
    me: PointOut | None = None


def _conversation(request: HttpRequest, slug: str, conversation_id: int) -> Conversation:
    return selectors.conversation_at(
        slug=slug, conversation_id=conversation_id, user=api_viewer(request)
    )


def _statement_out(statement: Statement, stats: dict[str, Any]) -> dict[str, Any]:
    s = stats.get(str(statement.number), {})
    return {
        "number": statement.number,
        "text": statement.text,
        "status": statement.status,
        "agree": s.get("agree", 0),
        "disagree": s.get("disagree", 0),
        "passed": s.get("pass", 0),
    }


@router.get(
    "/{slug}/conversations",
    response=list[ConversationOut],
    auth=None,
    summary="Conversations",
)
@paginate(BoundedLimitOffsetPagination)
def conversation_list(request: HttpRequest, slug: str):
    return selectors.conversation_list(community=community_get(slug=slug, user=request.user))


@router.get(
    "/{slug}/conversations/{conversation_id}",
    response=ConversationDetailOut,
    auth=None,
    summary="One conversation, with its totals and whether you may take part",
)
def conversation_detail(request: HttpRequest, slug: str, conversation_id: int):
    conversation = _conversation(request, slug, conversation_id)
    counts = selectors.counts(conversation=conversation)
    refusal = services.take_part_refusal(conversation, request.user)
    conversation.counts = counts  # type: ignore[attr-defined]
    conversation.can_take_part = refusal is None  # type: ignore[attr-defined]
    conversation.why_not = refusal  # type: ignore[attr-defined]
    return conversation


@router.get(
    "/{slug}/conversations/{conversation_id}/statements",
    response=list[StatementOut],
    auth=None,
    summary="The statements shown, with their vote totals as of the latest map",
)
@paginate(BoundedLimitOffsetPagination)
def statement_list(request: HttpRequest, slug: str, conversation_id: int):
    conversation = _conversation(request, slug, conversation_id)
    stored = selectors.stored_map(conversation=conversation)
    stats = (stored.summary or {}).get("statements", {}) if stored else {}
    return [_statement_out(s, stats) for s in selectors.statements_shown(conversation=conversation)]


@router.post(
    "/{slug}/conversations/{conversation_id}/statements",
    response={201: StatementOut, **errors(429)},
    summary="Add a statement",
)
def statement_add(request: HttpRequest, slug: str, conversation_id: int, payload: StatementIn):
    conversation = _conversation(request, slug, conversation_id)
    statement = services.statement_add(
        actor=api_user(request), conversation=conversation, text=payload.text
    )
    return Status(201, _statement_out(statement, {}))


@router.get(
    "/{slug}/conversations/{conversation_id}/next",
    response=NextOut,
    summary="The next statement for you to vote on (none when you have voted on all)",
)
def next_statement(request: HttpRequest, slug: str, conversation_id: int):
    conversation = _conversation(request, slug, conversation_id)
    stored = selectors.stored_map(conversation=conversation)
    summary = stored.summary if stored is not None else {}
    participant = selectors.participant_of(conversation=conversation, user=api_user(request))
    statement, progress = selectors.next_statement(
        conversation=conversation, participant=participant, summary=summary
    )
    stats = summary.get("statements", {}) if summary else {}
    return {
        "statement": _statement_out(statement, stats) if statement is not None else None,
        "voted": progress.voted,
        "remaining": progress.remaining,
    }


@router.post(
    "/{slug}/conversations/{conversation_id}/statements/{number}/vote",
    response={200: StatementVoteOut, **errors(429)},
    summary="Agree, disagree or pass; a second vote replaces the first",
)
def vote(
    request: HttpRequest, slug: str, conversation_id: int, number: int, payload: StatementVoteIn
):
    user = api_user(request)
    conversation = _conversation(request, slug, conversation_id)
    statement = selectors.statement_get(conversation=conversation, number=number, viewer=user)
    result = services.vote_cast(actor=user, statement=statement, value=VALUES[payload.vote])
    return {"saved": result.saved, "changed": result.changed}


@router.get(
    "/{slug}/conversations/{conversation_id}/map",
    response=MapOut,
    auth=None,
    summary="The opinion map: groups, representative, consensus and divisive statements",
)
def opinion_map(request: HttpRequest, slug: str, conversation_id: int):
    conversation = _conversation(request, slug, conversation_id)
    view = selectors.map_view(conversation=conversation, user=request.user)
    if view is None:
        return {"ready": False}

    def across(items: list[selectors.StatementAcross]) -> list[dict[str, Any]]:
        return [
            {
                "statement": s.number,
                "text": s.text,
                "groups": [
                    {"group": sh.letter, "agree": sh.agree, "seen": sh.seen, "percent": sh.percent}
                    for sh in s.shares
                ],
            }
            for s in items
        ]

    def point(p: selectors.Point) -> dict[str, Any]:
        letter = selectors.GROUP_LETTERS[p.group % 5] if p.group >= 0 else None
        return {"x": p.x, "y": p.y, "group": letter}

    return {
        "ready": True,
        "computed_at": view.computed_at,
        "participants": view.participants,
        "clustered": view.clustered,
        "visitors": view.visitors,
        "groups": [
            {
                "group": g.letter,
                "size": g.size,
                "visitors": g.visitors,
                "representative": [
                    {
                        "statement": r.number,
                        "text": r.text,
                        "direction": "agree" if r.agrees else "disagree",
                        "count": r.count,
                        "seen": r.seen,
                        "percent": r.percent,
                    }
                    for r in g.representative
                ],
            }
            for g in view.groups
        ],
        "consensus": across(view.consensus),
        "divisive": across(view.divisive),
        "points": [point(p) for p in view.points],
        "me": point(view.me) if view.me is not None else None,
    }
