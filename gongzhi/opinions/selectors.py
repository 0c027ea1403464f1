"""Reads of conversations that pages and the API share: lists, the next statement to vote on,
the opinion map as residents see it (points, groups, representative, consensus and divisive
statements), participation over time, and the Polis export.

No read here names who voted what: the map speaks of participants' positions and groups, the
counts are totals, and the export speaks of numbers (and is for staff).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import rules
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404

from gongzhi.core.exports import spreadsheet_safe
from gongzhi.core.models import Community
from gongzhi.opinions import mapstore, polisdata
from gongzhi.opinions.models import (
    Conversation,
    ConversationMap,
    Moderation,
    Participant,
    Statement,
    StatementStatus,
    StatementVote,
)
from gongzhi.opinions.policies import see_statement

#: Okabe & Ito's colours, told apart with colour blindness; each group also has a letter.
GROUP_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6D00")
GROUP_LETTERS = "ABCDE"
UNGROUPED_COLOUR = "#8c8c8c"
#: Above this many participants the map draws base clusters (sized by members) instead.
MAX_POINTS = 3000
SVG_WIDTH, SVG_HEIGHT, SVG_MARGIN = 600, 400, 24


def conversation_list(*, community: Community) -> QuerySet[Conversation]:
    return Conversation.objects.in_community(community).order_by("-closes_at", "-pk")


def conversation_get(*, community: Community, conversation_id: int) -> Conversation:
    conversation = (
        Conversation.objects.in_community(community)
        .select_related("community")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        raise Http404
    return conversation


def conversation_at(*, slug: str, conversation_id: int, user: Any) -> Conversation:
    """A conversation by its community's slug, community included, in one query (the API)."""
    conversation = (
        Conversation.objects.all_communities()
        .select_related("community")
        .filter(community__slug=slug, pk=conversation_id)
        .first()
    )
    if conversation is None or not rules.has_perm("opinions.view_conversation", user, conversation):
        raise Http404
    return conversation


def participant_of(*, conversation: Conversation, user: Any) -> Participant | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Participant.objects.in_community(conversation.community_id)
        .filter(conversation=conversation, user=user)
        .first()
    )


def _shown(conversation: Conversation) -> QuerySet[Statement]:
    shown = Q(status=StatementStatus.ACCEPTED)
    if conversation.moderation == Moderation.AFTER:
        shown |= Q(status=StatementStatus.PENDING)
    return (
        Statement.objects.in_community(conversation.community_id)
        .filter(conversation=conversation)
        .filter(shown)
    )


def statements_shown(*, conversation: Conversation) -> QuerySet[Statement]:
    """The statements voters see, in their numbers' order."""
    return _shown(conversation).order_by("number")


def statement_get(*, conversation: Conversation, number: int, viewer: Any) -> Statement:
    """A statement the viewer may see (shown, or theirs, or they moderate); else 404."""
    queryset = see_statement.filter(
        viewer,
        Statement.objects.in_community(conversation.community_id).filter(conversation=conversation),
    )
    statement = queryset.filter(number=number).first()
    if statement is None:
        raise Http404
    statement.conversation = conversation
    return statement


def my_statements(*, conversation: Conversation, user: Any) -> list[Statement]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Statement.objects.in_community(conversation.community_id)
        .filter(conversation=conversation, author__user=user)
        .order_by("number")
    )


def my_votes(*, participant: Participant | None, limit: int = 200) -> list[StatementVote]:
    """A participant's own votes, latest first: shown to them alone, so they can change one."""
    if participant is None:
        return []
    return list(
        StatementVote.objects.in_community(participant.community_id)
        .filter(participant=participant)
        .select_related("statement")
        .order_by("-updated_at", "-pk")[:limit]
    )


def moderation_queue(*, conversation: Conversation) -> QuerySet[Statement]:
    """Statements no moderator has looked at yet (shown already where moderation comes after)."""
    return (
        Statement.objects.in_community(conversation.community_id)
        .filter(conversation=conversation, status=StatementStatus.PENDING)
        .order_by("number")
    )


@dataclass(frozen=True)
class Counts:
    participants: int
    visitors: int
    statements: int
    votes: int
    pending: int


def counts(*, conversation: Conversation) -> Counts:
    cid = conversation.community_id
    people = (
        Participant.objects.in_community(cid)
        .filter(conversation=conversation)
        .aggregate(n=Count("pk"), visitors=Count("pk", filter=Q(visitor=True)))
    )
    statements = (
        Statement.objects.in_community(cid)
        .filter(conversation=conversation)
        .aggregate(
            shown=Count(
                "pk",
                filter=Q(status=StatementStatus.ACCEPTED)
                | (
                    Q(status=StatementStatus.PENDING)
                    if conversation.moderation == Moderation.AFTER
                    else Q(pk__in=[])
                ),
            ),
            pending=Count("pk", filter=Q(status=StatementStatus.PENDING)),
        )
    )
    votes = StatementVote.objects.in_community(cid).filter(conversation=conversation).count()
    return Counts(
        participants=people["n"],
        visitors=people["visitors"],
        statements=statements["shown"],
        votes=votes,
        pending=statements["pending"],
    )


def stored_map(*, conversation: Conversation) -> ConversationMap | None:
    return (
        ConversationMap.objects.in_community(conversation.community_id)
        .filter(conversation=conversation)
        .first()
    )


# --- The order of voting ---------------------------------------------------------------------


def priority(votes: int, spread: float) -> float:
    """How much a vote on this statement helps the map: Polis's novelty boost for statements
    few have voted on (``1 + 8·2^(−S/5)``, ``conversation.clj``), times how far apart the
    groups' agreement lies (statements that split groups place people best)."""
    return (1.0 + 8.0 * 2.0 ** (-votes / 5.0)) * (1.0 + 2.0 * spread)


@dataclass(frozen=True)
class Progress:
    voted: int
    shown: int

    @property
    def remaining(self) -> int:
        return max(self.shown - self.voted, 0)


def next_statement(
    *, conversation: Conversation, participant: Participant | None, summary: dict[str, Any]
) -> tuple[Statement | None, Progress]:
    """The statement to show next: among those shown and not yet voted on by the participant,
    the one with the highest ``priority`` in the latest map (new statements count as unvoted),
    the lowest number on a tie. Also how far the participant has come."""
    shown = _shown(conversation)
    if participant is not None:
        mine = StatementVote.objects.in_community(conversation.community_id).filter(
            statement=OuterRef("pk"), participant=participant
        )
        candidates = list(shown.filter(~Exists(mine)))
        voted = (
            StatementVote.objects.in_community(conversation.community_id)
            .filter(participant=participant, statement__in=shown)
            .count()
        )
    else:
        candidates = list(shown)
        voted = 0
    stats = summary.get("statements", {}) if summary else {}

    def key(statement: Statement) -> tuple[float, int]:
        s = stats.get(str(statement.number), {})
        return (-priority(s.get("votes", 0), s.get("spread", 0.0)), statement.number)

    candidates.sort(key=key)
    return (candidates[0] if candidates else None), Progress(voted, voted + len(candidates))


# --- The map as residents see it ------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    r: float
    colour: str
    group: int = -1  # -1: not in a group


@dataclass(frozen=True)
class Share:
    letter: str
    colour: str
    agree: int
    seen: int

    @property
    def percent(self) -> int:
        return round(100 * self.agree / self.seen) if self.seen else 0


@dataclass(frozen=True)
class Representative:
    number: int
    text: str
    agrees: bool  # the group agrees more than the others (else: disagrees more)
    count: int  # in the group, how many agreed (or disagreed)
    seen: int  # in the group, how many voted on it

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.seen) if self.seen else 0


@dataclass(frozen=True)
class GroupView:
    index: int
    letter: str
    colour: str
    size: int
    visitors: int
    x: float
    y: float
    representative: list[Representative]
    has_me: bool = False


@dataclass(frozen=True)
class StatementAcross:
    """A statement with each group's agreement (consensus and divisive statements)."""

    number: int
    text: str
    shares: list[Share]


@dataclass
class MapView:
    computed_at: dt.datetime | None
    participants: int
    clustered: int
    visitors: int
    groups: list[GroupView]
    consensus: list[StatementAcross]
    divisive: list[StatementAcross]
    points: list[Point]
    ungrouped: int
    me: Point | None = None
    my_group: GroupView | None = None
    width: int = SVG_WIDTH
    height: int = SVG_HEIGHT
    clusters_drawn: bool = False  # base clusters drawn instead of every participant
    statements: dict[int, str] = field(default_factory=dict)


def _scaler(xy: np.ndarray) -> Any:
    """Map coordinates to the SVG's box, keeping distances true (one scale for both axes)."""
    if xy.size == 0:
        return lambda p: (SVG_WIDTH / 2, SVG_HEIGHT / 2)
    lo, hi = xy.min(0), xy.max(0)
    span = np.maximum(hi - lo, 1e-9)
    scale = min((SVG_WIDTH - 2 * SVG_MARGIN) / span[0], (SVG_HEIGHT - 2 * SVG_MARGIN) / span[1])
    offset = (np.array([SVG_WIDTH, SVG_HEIGHT]) - span * scale) / 2

    def to_svg(p: np.ndarray) -> tuple[float, float]:
        x, y = (np.asarray(p) - lo) * scale + offset
        # SVG's y grows downwards.
        return round(float(x), 1), round(float(SVG_HEIGHT - y), 1)

    return to_svg


def map_view(*, conversation: Conversation, user: Any) -> MapView | None:
    """The latest map, ready for the page; None before the first update."""
    stored = stored_map(conversation=conversation)
    result = mapstore.from_json(stored.result) if stored is not None else None
    if stored is None or result is None:
        return None
    summary = stored.summary or {}
    texts = dict(
        Statement.objects.in_community(conversation.community_id)
        .filter(conversation=conversation)
        .values_list("number", "text")
    )
    me_number = None
    if getattr(user, "is_authenticated", False):
        me_number = (
            Participant.objects.in_community(conversation.community_id)
            .filter(conversation=conversation, user=user)
            .values_list("number", flat=True)
            .first()
        )
    coords, group = result.coords, result.group
    shown_xy = coords if coords.size else np.zeros((0, 2))
    to_svg = _scaler(shown_xy)
    column = {int(s): j for j, s in enumerate(result.statements.tolist())}
    sizes = summary.get("groups", [])

    groups: list[GroupView] = []
    for g in range(result.n_groups):
        reps = []
        for r in result.repness.get(g, ()):
            j = column.get(r.statement)
            if j is None:
                continue
            seen = int(result.group_seen[g, j])
            count = int(
                result.group_agree[g, j] if r.repful_for == "agree" else result.group_disagree[g, j]
            )
            reps.append(
                Representative(
                    r.statement, texts.get(r.statement, ""), r.repful_for == "agree", count, seen
                )
            )
        members = coords[group == g]
        cx, cy = to_svg(members.mean(0)) if members.size else to_svg(result.group_centers[g])
        # The group's letter stays inside the picture, even for a group in a corner.
        cx = min(max(cx, 20.0), SVG_WIDTH - 20.0)
        cy = min(max(cy, 26.0), SVG_HEIGHT - 14.0)
        groups.append(
            GroupView(
                index=g,
                letter=GROUP_LETTERS[g % len(GROUP_LETTERS)],
                colour=GROUP_COLOURS[g % len(GROUP_COLOURS)],
                size=int((group == g).sum()),
                visitors=int(sizes[g]["visitors"]) if g < len(sizes) else 0,
                x=cx,
                y=cy,
                representative=reps,
            )
        )

    def across(number: int) -> StatementAcross:
        j = column[number]
        return StatementAcross(
            number,
            texts.get(number, ""),
            [
                Share(
                    gv.letter,
                    gv.colour,
                    int(result.group_agree[gv.index, j]),
                    int(result.group_seen[gv.index, j]),
                )
                for gv in groups
            ],
        )

    def colour_of(g: int) -> str:
        return GROUP_COLOURS[g % len(GROUP_COLOURS)] if g >= 0 else UNGROUPED_COLOUR

    points: list[Point] = []
    clusters_drawn = result.participants.size > MAX_POINTS
    if clusters_drawn:
        clustered = group >= 0
        for base_id, weight, centre in zip(
            result.base_ids.tolist(), result.base_weights.tolist(), result.base_centers, strict=True
        ):
            members = clustered & (result.base_of == base_id)
            g = int(np.bincount(group[members]).argmax()) if members.any() else -1
            x, y = to_svg(centre)
            points.append(Point(x, y, round(2 + 1.5 * float(np.sqrt(weight)), 1), colour_of(g), g))
    else:
        for xy, g in zip(coords, group.tolist(), strict=True):
            x, y = to_svg(xy)
            points.append(Point(x, y, 4.0, colour_of(g), g))

    me = my_group = None
    if me_number is not None:
        i = int(np.searchsorted(result.participants, me_number))
        if i < result.participants.size and result.participants[i] == me_number:
            x, y = to_svg(coords[i])
            me = Point(x, y, 9.0, colour_of(int(group[i])), int(group[i]))
            if group[i] >= 0:
                g = int(group[i])
                groups[g] = replace(groups[g], has_me=True)
                my_group = groups[g]

    return MapView(
        computed_at=stored.computed_at,
        participants=int(result.participants.size),
        clustered=int(result.in_conv.sum()),
        visitors=int(summary.get("visitors", 0)),
        groups=groups,
        consensus=[across(c.statement) for c in result.consensus if c.statement in column],
        divisive=[across(d.statement) for d in result.divisive if d.statement in column],
        points=points,
        ungrouped=int((group < 0).sum()),
        me=me,
        my_group=my_group,
        clusters_drawn=clusters_drawn,
        statements=texts,
    )


# --- Participation over time ---------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: dt.date
    participants: int  # who took part for the first time that day
    statements: int
    votes: int  # first votes cast that day (a changed vote is not counted again)
    bar: int = 0  # the votes bar's length, 0–100


def participation_over_time(*, conversation: Conversation) -> list[Day]:
    cid = conversation.community_id

    def per_day(queryset: QuerySet[Any], field_name: str) -> dict[dt.date, int]:
        rows = (
            queryset.filter(conversation=conversation)
            .annotate(day=TruncDate(field_name))
            .values("day")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return {row["day"]: row["n"] for row in rows}

    people = per_day(Participant.objects.in_community(cid), "joined_at")
    statements = per_day(Statement.objects.in_community(cid).filter(seed=False), "created_at")
    votes = per_day(StatementVote.objects.in_community(cid), "created_at")
    days = sorted(set(people) | set(statements) | set(votes))
    most = max(votes.values(), default=0) or 1
    return [
        Day(
            d,
            people.get(d, 0),
            statements.get(d, 0),
            votes.get(d, 0),
            round(100 * votes.get(d, 0) / most),
        )
        for d in days
    ]


# --- The Polis export -----------------------------------------------------------------------

EXPORT_FILES = ("comments.csv", "votes.csv", "participants-votes.csv")


def _ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def polis_export(*, conversation: Conversation) -> dict[str, bytes]:
    """The three files of the Polis open-data layout: statements (with their moderation and
    vote counts), the latest vote of each participant on each statement, and each
    participant's votes with their group in the latest map. Seed statements have author -1."""
    cid = conversation.community_id
    votes = [
        polisdata.Vote(p, s, v, _ms(at))
        for p, s, v, at in StatementVote.objects.in_community(cid)
        .filter(conversation=conversation)
        .order_by("updated_at", "pk")
        .values_list("participant__number", "statement__number", "value", "updated_at")
    ]
    agrees: dict[int, int] = {}
    disagrees: dict[int, int] = {}
    for v in votes:
        if v.vote > 0:
            agrees[v.comment_id] = agrees.get(v.comment_id, 0) + 1
        elif v.vote < 0:
            disagrees[v.comment_id] = disagrees.get(v.comment_id, 0) + 1
    moderated: dict[str, int] = {StatementStatus.ACCEPTED: 1, StatementStatus.PENDING: 0}
    comments = [
        polisdata.Comment(
            comment_id=number,
            author_id=-1 if author is None else author,
            # A resident's "=HYPERLINK(…)" must not run in the spreadsheet a worker opens.
            body=spreadsheet_safe([text])[0],
            moderated=moderated.get(status, -1),
            timestamp=_ms(created_at),
            agrees=agrees.get(number, 0),
            disagrees=disagrees.get(number, 0),
        )
        for number, author, text, status, created_at in Statement.objects.in_community(cid)
        .filter(conversation=conversation)
        .order_by("number")
        .values_list("number", "author__number", "text", "status", "created_at")
    ]
    stored = stored_map(conversation=conversation)
    result = mapstore.from_json(stored.result) if stored is not None else None
    groups = result.assignments() if result is not None else {}
    with tempfile.TemporaryDirectory() as folder:
        polisdata.write_conversation(folder, comments=comments, votes=votes, groups=groups)
        return {name: (Path(folder) / name).read_bytes() for name in EXPORT_FILES}
