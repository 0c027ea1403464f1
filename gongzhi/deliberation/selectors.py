"""Reads for the deliberation hall, limited to what the viewer may see.

A hidden item (proposal or comment) stays in its place, but for everyone except its author and
the moderators it carries ``masked=True`` (computed in SQL, from the same rule as the
``deliberation.see_hidden`` permission): pages and the API then show "hidden by the moderators:
<reason>" instead of its text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, overload

from django.core.paginator import Page
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.expressions import BaseExpression
from django.http import Http404

from gongzhi.core.models import Community
from gongzhi.core.pagination import paginate_by_ids
from gongzhi.core.policies import access_of
from gongzhi.deliberation.models import (
    AUTHOR_STEPS,
    REACTION_EMOJI,
    Appeal,
    Attachment,
    Comment,
    Flag,
    FlagReason,
    ModerationEvent,
    Proposal,
    Reaction,
    ReactionKind,
    Status,
    Support,
    subject_filter,
)
from gongzhi.deliberation.policies import (
    is_moderator,
    moderated_communities,
    see_hidden,
    view_proposal,
)

LIST_ORDERS = {
    "new": ("-published_at", "-pk"),
    "support": ("-support_count", "-pk"),
}

ItemKey = tuple[int | None, int | None]  # (proposal id, None) or (None, comment id)


def masked(viewer: Any) -> BaseExpression:
    """``True`` where the row is hidden and the viewer is neither its author nor a moderator.
    The same rule as ``policies.see_hidden``, spelled without empty ``IN ()`` lists."""
    hidden = Q(hidden_at__isnull=False)
    if viewer is not None and viewer.is_authenticated:
        if access_of(viewer).is_admin:
            return Value(False, output_field=BooleanField())
        hidden &= ~Q(author=viewer)
        communities = moderated_communities(viewer)
        if communities:
            hidden &= ~Q(community__in=communities)
    return Case(When(hidden, then=Value(True)), default=Value(False), output_field=BooleanField())


def proposal_list(
    *, community: Community, viewer: Any, status: str = "", order: str = "new", mine: bool = False
) -> QuerySet[Proposal]:
    queryset = view_proposal.filter(viewer, Proposal.objects.in_community(community))
    if status in Status.values:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.exclude(status__in=[Status.DRAFT, Status.WITHDRAWN])
    if mine and viewer.is_authenticated:
        queryset = queryset.filter(author=viewer)
    return (
        queryset.select_related("author", "category")
        .annotate(masked=masked(viewer))
        .order_by(*LIST_ORDERS.get(order, LIST_ORDERS["new"]))
    )


def proposal_get(*, community: Community, viewer: Any, proposal_id: int) -> Proposal:
    proposal = (
        view_proposal.filter(viewer, Proposal.objects.in_community(community))
        .select_related("author", "category", "grid", "building", "merged_into", "community")
        .annotate(masked=masked(viewer))
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise Http404
    return proposal


def comment_get(*, subject: Any, viewer: Any, comment_id: int) -> Comment:
    """A comment on a subject the viewer may see (fetched by its app, e.g. ``proposal_get``)."""
    comment = (
        Comment.objects.in_community(subject.community_id)
        .filter(**subject_filter(subject), pk=comment_id)
        .select_related("author")
        .annotate(masked=masked(viewer))
        .first()
    )
    if comment is None:
        raise Http404
    comment.subject = subject
    return comment


def item_get(
    *, community: Community, viewer: Any, proposal_id: int, comment_id: int | None = None
) -> Proposal | Comment:
    proposal = proposal_get(community=community, viewer=viewer, proposal_id=proposal_id)
    if comment_id is None:
        return proposal
    return comment_get(subject=proposal, viewer=viewer, comment_id=comment_id)


def comment_list(*, subject: Any, viewer: Any) -> QuerySet[Comment]:
    return (
        Comment.objects.in_community(subject.community_id)
        .filter(**subject_filter(subject))
        .select_related("author")
        .annotate(masked=masked(viewer))
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class ReactionCount:
    kind: str
    emoji: str
    label: str
    count: int
    mine: bool


THREADS_PER_PAGE = 30


def _top_level(community_id: int, subject_type_id: int, subject_id: int) -> QuerySet[Comment]:
    return (
        Comment.objects.in_community(community_id)
        .filter(subject_type_id=subject_type_id, subject_id=subject_id, parent__isnull=True)
        .order_by("created_at", "pk")
    )


def comment_threads(subject: Any, *, viewer: Any = None, page: Any = None) -> Page:
    """One page of a subject's top-level comments in order, each with its replies
    (``thread_replies``) and, on every comment, ``masked`` and ``reaction_counts``: the same
    few queries however long the discussion, since only this page's threads are loaded."""
    scoped = Comment.objects.in_community(subject.community_id).annotate(masked=masked(viewer))
    subject_type = subject_filter(subject)["subject_type"]
    top = (
        _top_level(subject.community_id, subject_type.pk, subject.pk)
        .annotate(masked=masked(viewer))
        .select_related("author")
    )
    threads_page = paginate_by_ids(top, page, THREADS_PER_PAGE)
    threads: list[Any] = list(threads_page.object_list)
    replies = scoped.select_related("author").order_by("created_at", "pk")
    prefetch_related_objects(
        threads, Prefetch("replies", queryset=replies, to_attr="thread_replies")
    )
    shown = [c.pk for comment in threads for c in [comment, *comment.thread_replies]]
    counts: Counter[tuple[int, str]] = Counter()
    for comment_id, kind, n in (
        Reaction.objects.in_community(subject.community_id)
        .filter(comment__in=shown)
        .values_list("comment", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(comment_id, kind)] = n
    mine: set[tuple[int, str]] = set()
    if viewer is not None and viewer.is_authenticated and counts:
        mine = set(
            Reaction.objects.in_community(subject.community_id)
            .filter(comment__in=shown, user=viewer)
            .values_list("comment", "kind")
        )
    for comment in threads:
        for c in [comment, *comment.thread_replies]:
            c.subject = subject
            c.reaction_counts = [
                ReactionCount(
                    kind=kind.value,
                    emoji=REACTION_EMOJI[kind],
                    label=str(kind.label),
                    count=counts[(c.pk, kind.value)],
                    mine=(c.pk, kind.value) in mine,
                )
                for kind in ReactionKind
            ]
    threads_page.object_list = threads
    return threads_page


def thread_page_of(comment: Comment) -> int:
    """The page of ``comment_threads`` on which this comment's thread is shown."""
    root = comment.parent if comment.parent_id else comment
    assert root is not None
    before = (
        _top_level(comment.community_id, comment.subject_type_id, comment.subject_id)
        .filter(Q(created_at__lt=root.created_at) | Q(created_at=root.created_at, pk__lt=root.pk))
        .count()
    )
    return before // THREADS_PER_PAGE + 1


def reaction_counts(*, comment: Comment, viewer: Any) -> dict[str, Any]:
    rows = dict(
        Reaction.objects.in_community(comment.community_id)
        .filter(comment=comment)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    mine = set()
    if viewer is not None and viewer.is_authenticated:
        mine = set(
            Reaction.objects.in_community(comment.community_id)
            .filter(comment=comment, user=viewer)
            .values_list("kind", flat=True)
        )
    return {
        "counts": {kind.value: rows.get(kind.value, 0) for kind in ReactionKind},
        "mine": sorted(mine),
    }


def supports(*, viewer: Any, proposal: Proposal) -> bool:
    if not viewer.is_authenticated:
        return False
    return (
        Support.objects.in_community(proposal.community_id)
        .filter(proposal=proposal, user=viewer)
        .exists()
    )


def attachments(*, proposal: Proposal) -> list[Attachment]:
    """A proposal's files; empty for a viewer who sees the proposal hidden (``masked``)."""
    if getattr(proposal, "masked", False):
        return []
    return list(Attachment.objects.in_community(proposal.community_id).filter(proposal=proposal))


def attachment_get(*, proposal: Proposal, attachment_id: int) -> Attachment:
    """A file of a proposal fetched with ``proposal_get``: its visibility is the proposal's."""
    if getattr(proposal, "masked", True):
        raise Http404
    attachment = (
        Attachment.objects.in_community(proposal.community_id)
        .filter(proposal=proposal, pk=attachment_id)
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


# --- Moderation ------------------------------------------------------------------------------


def _key(proposal_id: int | None, comment_id: int | None) -> ItemKey:
    return (proposal_id, comment_id)


def key_of(item: Proposal | Comment) -> ItemKey:
    if isinstance(item, Proposal):
        return (item.pk, None)
    return (None, item.pk)


def _on_subject(subject: Any) -> Q:
    """Moderation rows about the subject (if it is a proposal) or any of its comments."""
    filters = subject_filter(subject)
    on = Q(comment__subject_type=filters["subject_type"], comment__subject_id=subject.pk)
    return on | Q(proposal=subject) if isinstance(subject, Proposal) else on


@dataclass
class ItemModeration:
    """What the viewer may know about moderation on one subject's page, by item key."""

    history: dict[ItemKey, list[ModerationEvent]] = field(default_factory=dict)
    open_flags: dict[ItemKey, int] = field(default_factory=dict)
    appeals: dict[ItemKey, Appeal] = field(default_factory=dict)
    flagged_by_me: set[ItemKey] = field(default_factory=set)


def moderation_on(*, subject: Any, viewer: Any, is_moderator: bool) -> ItemModeration:
    """Histories, open flags and appeals for a subject (a proposal, or another app's) and its
    comments. Moderators see everything; an author sees the steps on their own items that
    concern them (never flags)."""
    result = ItemModeration()
    if viewer is None or not viewer.is_authenticated:
        return result
    community_id = subject.community_id
    on = _on_subject(subject)
    events = ModerationEvent.objects.in_community(community_id).filter(on)
    appeals = Appeal.objects.in_community(community_id).filter(on)
    if not is_moderator:
        own = Q(comment__isnull=True, proposal__author=viewer) | Q(comment__author=viewer)
        events = events.filter(own, step__in=list(AUTHOR_STEPS))
        appeals = appeals.filter(author=viewer)
    history: dict[ItemKey, list[ModerationEvent]] = defaultdict(list)
    for event in events.select_related("actor").order_by("at", "pk"):
        history[_key(event.proposal_id, event.comment_id)].append(event)
    result.history = dict(history)
    result.appeals = {_key(a.proposal_id, a.comment_id): a for a in appeals}
    result.flagged_by_me = {
        _key(p, c)
        for p, c in Flag.objects.in_community(community_id)
        .filter(on, flagged_by=viewer)
        .values_list("proposal", "comment")
    }
    if is_moderator:
        result.open_flags = {
            _key(p, c): n
            for p, c, n in Flag.objects.in_community(community_id)
            .filter(on, resolved_at__isnull=True)
            .values_list("proposal", "comment")
            .annotate(n=Count("pk"))
            .order_by()
        }
    return result


def moderation_history(*, item: Proposal | Comment, viewer: Any) -> list[ModerationEvent]:
    """One item's history, for its author (the steps that concern them) or a moderator (all).
    Anyone else gets 404, as for a missing item."""
    if not see_hidden.predicate.test(viewer, item):
        raise Http404
    events = ModerationEvent.objects.in_community(item.community_id).select_related("actor")
    if isinstance(item, Proposal):
        events = events.filter(proposal=item)
    else:
        events = events.filter(comment=item)
    if not is_moderator.test(viewer, item):
        events = events.filter(step__in=list(AUTHOR_STEPS))
    return list(events.order_by("at", "pk"))


def appeal_get(*, community: Community, viewer: Any, appeal_id: int) -> Appeal:
    """An appeal, for the moderators and its author; 404 for anyone else."""
    appeal = (
        see_hidden.filter(viewer, Appeal.objects.in_community(community))
        .select_related("proposal", "comment", "community")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise Http404
    return appeal


@dataclass(frozen=True)
class ReasonCount:
    reason: str
    label: str
    count: int


@dataclass
class QueueEntry:
    """One item waiting for a moderator: open flags (how many, why) and/or an open appeal. The
    item is a proposal (``comment`` empty) or a comment on ``subject``."""

    subject: Any
    comment: Comment | None
    since: datetime
    flag_count: int = 0
    reasons: list[ReasonCount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    appeal: Appeal | None = None

    @property
    def item(self) -> Proposal | Comment:
        return self.comment or self.subject

    @property
    def kind(self) -> str:
        return "comment" if self.comment is not None else "proposal"

    @property
    def url(self) -> str:
        """Where the item is shown."""
        page = self.subject.discussion_url()
        return f"{page}#comment-{self.comment.pk}" if self.comment is not None else page

    @property
    def actions_url(self) -> str:
        """The item's own address, to which ``hide/`` and ``dismiss-flags/`` are added."""
        page = self.subject.discussion_url()
        return f"{page}comments/{self.comment.pk}/" if self.comment is not None else page


class ModerationQueue(Sequence[QueueEntry]):
    """The queue, oldest first. Ordering needs only one small row per waiting item (two
    queries); a page's proposals, comments (with their subjects, one query per kind of subject)
    and flag reasons load when it is sliced, so the page and the API list cost the same few
    queries at any length."""

    def __init__(self, community: Community) -> None:
        self.community = community
        waiting: dict[ItemKey, dict[str, Any]] = {}
        for p, c, n, first in (
            Flag.objects.in_community(community)
            .filter(resolved_at__isnull=True)
            .values_list("proposal", "comment")
            .annotate(n=Count("pk"), first=Min("created_at"))
            .order_by()
        ):
            waiting[_key(p, c)] = {"since": first, "flags": n, "appeal": None}
        for appeal in Appeal.objects.in_community(community).filter(decided_at__isnull=True):
            key = _key(appeal.proposal_id, appeal.comment_id)
            entry = waiting.setdefault(key, {"since": appeal.created_at, "flags": 0})
            entry["since"] = min(entry["since"], appeal.created_at)
            entry["appeal"] = appeal
        self._keys = sorted(
            waiting, key=lambda k: (waiting[k]["since"], k[1] is not None, k[0] or k[1])
        )
        self._waiting = waiting

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> QueueEntry: ...

    @overload
    def __getitem__(self, index: slice) -> list[QueueEntry]: ...

    def __getitem__(self, index: int | slice) -> QueueEntry | list[QueueEntry]:
        if isinstance(index, slice):
            return self._load(self._keys[index])
        return self._load([self._keys[index]])[0]

    def __iter__(self) -> Iterator[QueueEntry]:
        return iter(self._load(self._keys))

    def _load(self, keys: list[ItemKey]) -> list[QueueEntry]:
        if not keys:
            return []
        community = self.community
        proposal_ids = {p for p, _c in keys if p is not None}
        comment_ids = {c for _p, c in keys if c is not None}
        proposals: dict[int, Proposal] = {}
        if proposal_ids:
            proposals = {
                p.pk: p
                for p in Proposal.objects.in_community(community)
                .filter(pk__in=proposal_ids)
                .select_related("author", "hidden_by")
            }
        comments: dict[int, Comment] = {}
        if comment_ids:
            comments = {
                c.pk: c
                for c in Comment.objects.in_community(community)
                .filter(pk__in=comment_ids)
                .select_related("author", "hidden_by")
                .prefetch_related("subject")
            }
        for item in [*proposals.values(), *(c.subject for c in comments.values())]:
            if item is not None and item.community_id == community.pk:
                item.community = community
        reasons: dict[ItemKey, Counter[str]] = defaultdict(Counter)
        notes: dict[ItemKey, list[str]] = defaultdict(list)
        for p, c, reason, note in (
            Flag.objects.in_community(community)
            .filter(
                Q(proposal__in=proposal_ids) | Q(comment__in=comment_ids),
                resolved_at__isnull=True,
            )
            .order_by("created_at", "pk")
            .values_list("proposal", "comment", "reason", "note")
        ):
            reasons[_key(p, c)][reason] += 1
            if note:
                notes[_key(p, c)].append(note)
        labels = dict(FlagReason.choices)
        entries = []
        for key in keys:
            proposal_id, comment_id = key
            comment = comments.get(comment_id) if comment_id is not None else None
            subject = comment.subject if comment is not None else proposals.get(proposal_id or 0)
            if subject is None:
                continue  # deleted since the queue was read
            waiting = self._waiting[key]
            entries.append(
                QueueEntry(
                    subject=subject,
                    comment=comment,
                    since=waiting["since"],
                    flag_count=waiting["flags"],
                    reasons=[
                        ReasonCount(reason=r, label=str(labels[r]), count=n)
                        for r, n in reasons[key].most_common()
                    ],
                    notes=notes[key],
                    appeal=waiting["appeal"],
                )
            )
        return entries


def moderation_queue(*, community: Community) -> ModerationQueue:
    """Call only after checking ``deliberation.moderate`` on the community."""
    return ModerationQueue(community)
