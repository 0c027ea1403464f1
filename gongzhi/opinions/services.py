"""Every write of a conversation: opening it, statements and their moderation, votes, imports,
and the opinion map's update (which a background task runs, never a request).

One vote per participant and statement holds because the database says so (a unique
constraint, written with INSERT … ON CONFLICT DO UPDATE); a participant's number and a
statement's number are unique per conversation, and a number taken by a concurrent request is
simply drawn again. Adding statements and voting count towards per-person limits
(``RATE_LIMITS``) in the shared cache, as the deliberation hall's comments do.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core import journal
from gongzhi.core.models import Community
from gongzhi.core.policies import membership_in, require, verified_membership
from gongzhi.core.ratelimit import count_hit
from gongzhi.core.soon import run_soon
from gongzhi.notifications.services import notify
from gongzhi.opinions import mapstore, polis, polisdata
from gongzhi.opinions.models import (
    STATEMENT_MAX_LENGTH,
    STATEMENT_STORED_LENGTH,
    Conversation,
    ConversationMap,
    Moderation,
    Participant,
    Statement,
    StatementStatus,
    StatementVote,
)

logger = logging.getLogger(__name__)

#: Per person: (at most this many, in a window of this many seconds of local time).
RATE_LIMITS: dict[str, tuple[int, int]] = {
    "statement": (10, 3600),
    "opinion_vote": (300, 600),
}
MAX_SEED_STATEMENTS = 30
MAX_IMPORT_VOTES = 500_000
#: A moderator's reason, shown to the statement's author.
REASON_MAX_LENGTH = 500


# --- Who may take part ---------------------------------------------------------------------


def take_part_refusal(conversation: Conversation, user: Any) -> str | None:
    """Why ``user`` cannot add statements or vote now, in words; None if they can."""
    if not conversation.has_opened():
        return _("This conversation opens on %(date)s.") % {
            "date": timezone.localtime(conversation.opens_at).strftime("%Y-%m-%d %H:%M")
        }
    if conversation.is_closed():
        return _("This conversation is closed.")
    if not getattr(user, "is_authenticated", False):
        return _("Log in to take part.")
    membership = membership_in(user, conversation.community_id)
    if membership is None:
        return _("Join this community to take part.")
    if membership.verified_at is None and not conversation.visitors_allowed:
        return _("Only verified residents take part in this conversation.")
    return None


def _check_can_take_part(actor: User, conversation: Conversation) -> None:
    refusal = take_part_refusal(conversation, actor)
    if refusal is None:
        return
    if not conversation.is_open():
        raise ValidationError(refusal, code="not_open")
    raise PermissionDenied(refusal)


def _count_towards_limit(action: str, user: User) -> None:
    limit, window = RATE_LIMITS[action]
    if count_hit(action, user.pk, window=window) > limit:
        if action == "statement":
            message = _(
                "You can add at most %(limit)d statements an hour. Please wait a little."
            ) % {"limit": limit}
        else:
            message = _("You are voting very fast. Please wait a few minutes.")
        raise ValidationError(message, code="rate_limited")


def _clean_statement(text: str, max_length: int = STATEMENT_MAX_LENGTH) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError(_("Write a statement first."), code="statement_empty")
    if len(text) > max_length:
        raise ValidationError(
            _("A statement has at most %(max)d characters; this one has %(n)d.")
            % {"max": max_length, "n": len(text)},
            code="statement_too_long",
        )
    return text


def _next_number(queryset: QuerySet[Any]) -> int:
    last = queryset.aggregate(last=Max("number"))["last"]
    return 0 if last is None else last + 1


def _participant(conversation: Conversation, user: User) -> Participant:
    """The user's participant in the conversation, created on their first act."""
    participants = Participant.objects.in_community(conversation.community_id)
    visitor = verified_membership(user, conversation.community_id) is None
    for _attempt in range(5):
        existing = participants.filter(conversation=conversation, user=user).first()
        if existing is not None:
            if existing.visitor and not visitor:  # verified since they joined
                participants.filter(pk=existing.pk).update(visitor=False)
                existing.visitor = False
            return existing
        number = _next_number(participants.filter(conversation=conversation))
        try:
            with transaction.atomic():
                return participants.create(
                    conversation=conversation, user=user, number=number, visitor=visitor
                )
        except IntegrityError:
            continue  # their own concurrent request, or someone else took the number
    raise IntegrityError("could not number a participant")


# --- Opening a conversation ------------------------------------------------------------------


def conversation_open(
    *,
    actor: User,
    community: Community,
    question: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    description: str = "",
    moderation: str = Moderation.BEFORE,
    visitors_allowed: bool = False,
    seed_statements: Sequence[str] = (),
) -> Conversation:
    """A community worker puts a question to the community, with a few seed statements."""
    require("opinions.manage_conversations", actor, community)
    question = " ".join((question or "").split())
    if not question or len(question) > 200:
        raise ValidationError(
            _("The question must have 1 to 200 characters."), code="question_invalid"
        )
    description = (description or "").strip()
    if len(description) > 5000:
        raise ValidationError(
            _("The background has at most 5000 characters."), code="description_too_long"
        )
    if moderation not in Moderation.values:
        raise ValidationError(_("Choose how statements are moderated."), code="moderation_invalid")
    if closes_at <= opens_at:
        raise ValidationError(_("A conversation must close after it opens."), code="window_invalid")
    seeds: list[str] = []
    for line in seed_statements:
        if not (line or "").strip():
            continue
        text = _clean_statement(line)
        if text not in seeds:
            seeds.append(text)
    if len(seeds) > MAX_SEED_STATEMENTS:
        raise ValidationError(
            _("At most %(max)d seed statements.") % {"max": MAX_SEED_STATEMENTS},
            code="too_many_seeds",
        )
    now = timezone.now()
    with transaction.atomic():
        conversation = Conversation.objects.in_community(community).create(
            question=question,
            description=description,
            opens_at=opens_at,
            closes_at=closes_at,
            moderation=moderation,
            visitors_allowed=visitors_allowed,
            created_by=actor,
        )
        Statement.objects.bulk_create(
            [
                Statement(
                    community=community,
                    conversation=conversation,
                    number=i,
                    text=text,
                    seed=True,
                    status=StatementStatus.ACCEPTED,
                    moderated_by=actor,
                    moderated_at=now,
                    created_at=now,
                )
                for i, text in enumerate(seeds)
            ]
        )
        journal.record(
            community=community,
            actor=actor,
            verb="conversation.opened",
            target=conversation,
            data={"seed_statements": len(seeds)},
        )
    return conversation


# --- Statements ------------------------------------------------------------------------------


def statement_add(*, actor: User, conversation: Conversation, text: str) -> Statement:
    """A participant adds a statement: shown at once, or after a moderator accepts it."""
    _check_can_take_part(actor, conversation)
    text = _clean_statement(text)
    statements = Statement.objects.in_community(conversation.community_id)
    if statements.filter(conversation=conversation, text=text).exists():
        raise ValidationError(
            _("This statement is already in the conversation: vote on it instead."),
            code="statement_repeated",
        )
    _count_towards_limit("statement", actor)
    with transaction.atomic():
        author = _participant(conversation, actor)
        statement = None
        for _attempt in range(5):
            number = _next_number(statements.filter(conversation=conversation))
            try:
                with transaction.atomic():
                    statement = statements.create(
                        conversation=conversation, number=number, text=text, author=author
                    )
                break
            except IntegrityError as error:
                if statements.filter(conversation=conversation, text=text).exists():
                    raise ValidationError(
                        _("This statement is already in the conversation: vote on it instead."),
                        code="statement_repeated",
                    ) from error
        if statement is None:
            raise IntegrityError("could not number a statement")
        journal.record(
            community=conversation.community,
            actor=actor,
            verb="statement.added",
            target=conversation,
            data={"statement": statement.number},
        )
    return statement


def statement_moderate(
    *, actor: User, statement: Statement, accept: bool, reason: str = ""
) -> Statement:
    """Accept a statement, or take it out with a reason its author reads."""
    conversation = statement.conversation
    require("opinions.moderate", actor, conversation)
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationError(
            _("Say why the statement is taken out: its author will read it."),
            code="reason_missing",
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("The reason has at most %(max)d characters.") % {"max": REASON_MAX_LENGTH},
            code="reason_too_long",
        )
    status = StatementStatus.ACCEPTED if accept else StatementStatus.REJECTED
    if statement.status == status:
        return statement
    with transaction.atomic():
        statement.status = status
        statement.reason = "" if accept else reason
        statement.moderated_by = actor
        statement.moderated_at = timezone.now()
        statement.save(update_fields=["status", "reason", "moderated_by", "moderated_at"])
        journal.record(
            community=conversation.community,
            actor=actor,
            verb="statement.accepted" if accept else "statement.rejected",
            target=conversation,
            data={"statement": statement.number},
        )
        author = statement.author.user if statement.author is not None else None
        if author is not None and author.pk != actor.pk:
            notify(
                users=[author],
                community=conversation.community,
                kind="statement_moderated",
                message="shown" if accept else "taken_out",
                params={"text": statement.text[:60], "reason": reason},
                url=f"/c/{conversation.community.slug}/conversations/{conversation.pk}/",
            )
    # Taking a statement out changes the map (its column is zeroed).
    transaction.on_commit(lambda: request_map_update(conversation.community_id, conversation.pk))
    return statement


# --- Votes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteResult:
    changed: bool  # an earlier, different vote was overwritten
    saved: bool  # False when the same vote was already there


def vote_cast(*, actor: User, statement: Statement, value: int) -> VoteResult:
    """Agree (1), disagree (-1) or pass (0) on a statement; a second vote overwrites the first."""
    conversation = statement.conversation
    _check_can_take_part(actor, conversation)
    if value not in (-1, 0, 1) or isinstance(value, bool):
        raise ValidationError(_("Vote agree, disagree or pass."), code="vote_invalid")
    if not statement.is_shown(conversation):
        raise ValidationError(
            _("This statement is not in the conversation, or not shown."),
            code="unknown_statement",
        )
    _count_towards_limit("opinion_vote", actor)
    votes = StatementVote.objects.in_community(conversation.community_id)
    now = timezone.now()
    with transaction.atomic():
        participant = _participant(conversation, actor)
        before = (
            votes.filter(statement=statement, participant=participant)
            .values_list("value", flat=True)
            .first()
        )
        if before == value:
            return VoteResult(changed=False, saved=False)
        # INSERT … ON CONFLICT (statement, participant) DO UPDATE: concurrent requests of one
        # person leave one row, the last written.
        StatementVote.objects.bulk_create(
            [
                StatementVote(
                    community_id=conversation.community_id,
                    conversation=conversation,
                    statement=statement,
                    participant=participant,
                    value=value,
                    created_at=now,
                    updated_at=now,
                )
            ],
            update_conflicts=True,
            unique_fields=["community", "statement", "participant"],
            update_fields=["value", "updated_at"],
        )
        journal.record(
            community=conversation.community,
            actor=actor,
            verb="statement.voted" if before is None else "statement.vote_changed",
            target=conversation,
            data={"statement": statement.number},
        )
    transaction.on_commit(lambda: request_map_update(conversation.community_id, conversation.pk))
    return VoteResult(changed=before is not None, saved=True)


# --- The opinion map -----------------------------------------------------------------------


def request_map_update(community_id: int, conversation_id: int) -> None:
    """After a vote's commit: update the map now (immediate task backend: development, tests)
    or make sure a task will soon, at most once per ``OPINION_MAP_DELAY`` seconds per
    conversation from each process (``core/soon.py``). A failing update is logged, never the
    voter's problem."""
    from gongzhi.opinions.tasks import update_map

    try:
        run_soon(
            update_map,
            community_id,
            conversation_id,
            key=conversation_id,
            delay=float(settings.OPINION_MAP_DELAY),
            now=lambda: map_update(community_id=community_id, conversation_id=conversation_id),
        )
    except Exception:
        logger.exception("opinion map update of conversation %s failed", conversation_id)


def _fingerprint(conversation: Conversation) -> str:
    votes = StatementVote.objects.in_community(conversation.community_id).filter(
        conversation=conversation
    )
    v = votes.aggregate(n=Count("pk"), last=Max("updated_at"))
    s = (
        Statement.objects.in_community(conversation.community_id)
        .filter(conversation=conversation, status=StatementStatus.REJECTED)
        .aggregate(n=Count("pk"), last=Max("moderated_at"))
    )
    last_vote = v["last"].isoformat() if v["last"] else ""
    last_out = s["last"].isoformat() if s["last"] else ""
    return f"{v['n']}|{last_vote}|{s['n']}|{last_out}"[:100]


def map_update(*, community_id: int, conversation_id: int) -> bool:
    """Compute the conversation's opinion map from its votes, with the stored map as
    ``previous``; False when nothing changed since the last update. The computation runs
    outside any transaction, so voting never waits for it; only the save is atomic."""
    conversation = (
        Conversation.objects.in_community(community_id).filter(pk=conversation_id).first()
    )
    if conversation is None:
        return False
    maps = ConversationMap.objects.in_community(community_id)
    stored, _created = maps.get_or_create(conversation=conversation)
    fingerprint = _fingerprint(conversation)
    if stored.fingerprint == fingerprint:
        return False
    rows = list(
        StatementVote.objects.in_community(community_id)
        .filter(conversation=conversation)
        .order_by("updated_at", "pk")
        .values_list("participant__number", "statement__number", "value")
    )
    statements = Statement.objects.in_community(community_id).filter(conversation=conversation)
    moderated_out = set(
        statements.filter(status=StatementStatus.REJECTED).values_list("number", flat=True)
    )
    previous = mapstore.from_json(stored.result)
    votes = polis.Votes.from_triples(rows)
    in_conv: set[int] = set()
    if previous is None and rows:
        # No earlier map (the first update, or an import): whoever Polis would have taken
        # in as the votes arrived is clustered, as after a restart of Polis's own server.
        first_cast = list(
            StatementVote.objects.in_community(community_id)
            .filter(conversation=conversation)
            .order_by("created_at", "pk")
            .values_list("participant__number", "statement__number")
        )
        in_conv = polis.in_conv_over_time([p for p, _s in first_cast], [s for _p, s in first_cast])
    result = polis.opinion_map(
        votes, moderated_out=moderated_out, previous=previous, in_conv=in_conv
    )
    visitors = set(
        Participant.objects.in_community(community_id)
        .filter(conversation=conversation, visitor=True)
        .values_list("number", flat=True)
    )
    summary = _summary(result, votes, visitors)
    with transaction.atomic():
        row = maps.select_for_update().get(pk=stored.pk)
        if row.fingerprint == fingerprint:
            return False
        row.previous = row.result
        row.result = mapstore.to_json(result)
        row.summary = summary
        row.fingerprint = fingerprint
        row.computed_at = timezone.now()
        row.updates += 1
        row.save()
    return True


def _summary(result: polis.OpinionMap, votes: polis.Votes, visitors: set[int]) -> dict[str, Any]:
    """Per statement its votes and how far the groups' agreement lies apart (the order of
    voting); per group its size and its visitors; the conversation's totals."""
    statements = result.statements
    col = np.searchsorted(statements, votes.statement) if statements.size else votes.statement
    d = statements.size
    agree = np.bincount(col[votes.vote > 0], minlength=d)
    disagree = np.bincount(col[votes.vote < 0], minlength=d)
    seen = np.bincount(col, minlength=d)
    if result.n_groups >= 2:
        p = (result.group_agree + 1.0) / (result.group_seen + 2.0)
        spread = p.max(0) - p.min(0)
    else:
        spread = np.zeros(d)
    assignments = result.assignments()
    groups = [
        {
            "size": int((result.group == g).sum()),
            "visitors": sum(1 for pid, gg in assignments.items() if gg == g and pid in visitors),
        }
        for g in range(result.n_groups)
    ]
    return {
        "statements": {
            str(int(statements[j])): {
                "votes": int(seen[j]),
                "agree": int(agree[j]),
                "disagree": int(disagree[j]),
                "pass": int(seen[j] - agree[j] - disagree[j]),
                "spread": round(float(spread[j]), 4),
            }
            for j in range(d)
        },
        "groups": groups,
        "participants": int(result.participants.size),
        "clustered": int(result.in_conv.sum()),
        "visitors": len(visitors & set(result.participants.tolist())),
    }


# --- Import of a Polis export ---------------------------------------------------------------


def _from_ms(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def _latest_votes(data: polisdata.Conversation) -> list[polisdata.Vote]:
    """The last vote of each participant on each statement, with its time."""
    if data.votes:
        latest: dict[tuple[int, int], polisdata.Vote] = {}
        for vote in data.votes:  # in the order cast
            latest[(vote.participant, vote.comment_id)] = vote
        return list(latest.values())
    return [
        polisdata.Vote(row.participant, cid, value)
        for row in data.participants
        for cid, value in row.votes.items()
    ]


def conversation_import(
    *,
    actor: User,
    community: Community,
    question: str,
    data: polisdata.Conversation,
    description: str = "",
) -> Conversation:
    """A new conversation from a Polis export: its statements (with their moderation), its
    participants under their numbers (no accounts) and their latest votes. It is a record:
    open from its first statement or vote to its last."""
    require("opinions.manage_conversations", actor, community)
    question = " ".join((question or "").split())
    if not question or len(question) > 200:
        raise ValidationError(
            _("The question must have 1 to 200 characters."), code="question_invalid"
        )
    if not data.comments:
        raise ValidationError(
            _("The export has no statements (comments.csv is missing or empty)."),
            code="import_no_statements",
        )
    votes = _latest_votes(data)
    if len(votes) > MAX_IMPORT_VOTES:
        raise ValidationError(
            _("The export has more than %(max)d votes.") % {"max": MAX_IMPORT_VOTES},
            code="import_too_large",
        )
    comment_ids = {c.comment_id for c in data.comments}
    for number in [c.comment_id for c in data.comments] + [v.participant for v in votes]:
        if number < 0:
            raise ValidationError(
                _("The export numbers a statement or participant below zero."),
                code="import_invalid",
            )
    unknown = sorted({v.comment_id for v in votes} - comment_ids)
    if unknown:
        raise ValidationError(
            _("votes.csv has votes on statement %(id)d, which comments.csv does not hold.")
            % {"id": unknown[0]},
            code="import_unknown_statement",
        )
    times = [c.timestamp for c in data.comments if c.timestamp] + [
        v.timestamp for v in votes if v.timestamp
    ]
    now = timezone.now()
    opens_at = _from_ms(min(times)) if times else now - timedelta(seconds=1)
    closes_at = _from_ms(max(times)) + timedelta(seconds=1) if times else now
    taken_out = _("Taken out by the moderators of the original conversation.")
    seen_texts: set[str] = set()
    with transaction.atomic():
        conversation = Conversation.objects.in_community(community).create(
            question=question,
            description=(description or "").strip()[:5000],
            opens_at=opens_at,
            closes_at=closes_at,
            moderation=Moderation.AFTER,
            imported=True,
            created_by=actor,
        )
        pids = sorted({v.participant for v in votes} | {c.author_id for c in data.comments})
        participants = Participant.objects.bulk_create(
            [
                Participant(
                    community=community,
                    conversation=conversation,
                    number=pid,
                    joined_at=opens_at,
                )
                for pid in pids
                if pid >= 0
            ],
            batch_size=2000,
        )
        participant_of = {p.number: p for p in participants}
        status_of = {
            1: StatementStatus.ACCEPTED,
            0: StatementStatus.PENDING,
            -1: StatementStatus.REJECTED,
        }
        rows = []
        for comment in sorted(data.comments, key=lambda c: c.comment_id):
            text = " ".join(comment.body.split()) or f"#{comment.comment_id}"
            if len(text) > STATEMENT_STORED_LENGTH:
                text = text[: STATEMENT_STORED_LENGTH - 1] + "…"
            if text in seen_texts:
                text = f"{text[: STATEMENT_STORED_LENGTH - 10]} (#{comment.comment_id})"
            seen_texts.add(text)
            status = status_of.get(max(-1, min(1, comment.moderated)), StatementStatus.PENDING)
            rows.append(
                Statement(
                    community=community,
                    conversation=conversation,
                    number=comment.comment_id,
                    text=text,
                    author=participant_of.get(comment.author_id),
                    seed=comment.author_id < 0,
                    status=status,
                    reason=taken_out if status == StatementStatus.REJECTED else "",
                    created_at=_from_ms(comment.timestamp) if comment.timestamp else opens_at,
                )
            )
        statement_of = {s.number: s for s in Statement.objects.bulk_create(rows, batch_size=2000)}
        StatementVote.objects.bulk_create(
            [
                StatementVote(
                    community=community,
                    conversation=conversation,
                    statement=statement_of[v.comment_id],
                    participant=participant_of[v.participant],
                    value=v.vote,
                    created_at=_from_ms(v.timestamp) if v.timestamp else opens_at,
                    updated_at=_from_ms(v.timestamp) if v.timestamp else opens_at,
                )
                for v in votes
            ],
            batch_size=5000,
        )
        journal.record(
            community=community,
            actor=actor,
            verb="conversation.imported",
            target=conversation,
            data={"statements": len(rows), "participants": len(participants), "votes": len(votes)},
        )
    transaction.on_commit(lambda: request_map_update(community.pk, conversation.pk))
    return conversation


def read_export(files: Iterable[tuple[str, bytes]]) -> polisdata.Conversation:
    """An uploaded export (``comments.csv``, ``votes.csv``, ``participants-votes.csv``) read
    with ``polisdata``; raises ValidationError with the reader's message."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        for name, content in files:
            (Path(folder) / name).write_bytes(content)
        try:
            return polisdata.read_conversation(folder)
        except polisdata.PolisDataError as error:
            message = str(error).replace(folder + "/", "").replace(folder, "")
            raise ValidationError(
                _("The export cannot be read: %(problem)s") % {"problem": message},
                code="import_unreadable",
            ) from error
