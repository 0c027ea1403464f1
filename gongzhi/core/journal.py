"""The activity journal: one append-only, HMAC-chained stream per community.

Services call ``record()`` inside their transaction, so an act and its journal entry commit
together or not at all. ``record()`` writes the entry *pending*: one INSERT, no lock, so acts
of one community (a vote's ballots) do not queue behind each other. After commit, ``chain()``
gives pending entries their place in the chain, in batches: it locks the community's
``JournalHead`` row (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions already
serialise writers), numbers the entries and computes their hashes. The unique (community, seq)
constraint makes a forked chain impossible even if a lock were skipped.

When chaining runs: with the immediate task backend (development, the demo, tests), right after
the act's commit; with the database backend (production), as a task that each app process
enqueues at most once per ``JOURNAL_CHAIN_DELAY`` seconds per community, so under load one
chaining covers many acts. Until then an entry is unchained, and ``verify`` counts it as pending,
not as proof: that window is the price of not serialising every act on one lock
(docs/performance.md, "Casting votes"). ``manage.py journal_verify --chain`` chains what is left.

Evaluation reads participation from here; the supervision committee reads the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.models import GENESIS_HASH, Activity, Community, JournalHead
from gongzhi.core.soon import run_soon

CHAIN_BATCH = 2000


def record(
    *,
    community: Community,
    actor: User | None,
    verb: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    on_behalf_of: User | None = None,
) -> Activity:
    """Write one pending entry. Must run inside the caller's atomic block."""
    if on_behalf_of is not None and actor is not None and on_behalf_of.pk == actor.pk:
        on_behalf_of = None
    entry = Activity(
        community=community,
        seq=None,
        at=timezone.now(),
        actor=actor,
        on_behalf_of=on_behalf_of,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
        prev_hash="",
        hash="",
    )
    entry.save()
    community_id = community.pk
    transaction.on_commit(lambda: request_chain(community_id))
    return entry


def chain(community: Community | int) -> int:
    """Give every pending entry of the community its place in the chain; returns how many."""
    community_id = community.pk if isinstance(community, Community) else community
    chained = 0
    while True:
        with transaction.atomic():
            head, _created = JournalHead.objects.select_for_update().get_or_create(
                community_id=community_id
            )
            pending = list(
                Activity.objects.in_community(community_id)
                .filter(seq__isnull=True)
                .order_by("pk")[:CHAIN_BATCH]
            )
            if not pending:
                return chained
            seq, prev = head.seq, head.hash
            for entry in pending:
                seq += 1
                entry.seq, entry.prev_hash = seq, prev
                entry.hash = entry.compute_hash()
                prev = entry.hash
            Activity.objects.in_community(community_id).bulk_update(
                pending, ["seq", "prev_hash", "hash"]
            )
            head.seq, head.hash = seq, prev
            head.save(update_fields=["seq", "hash"])
            chained += len(pending)
        if len(pending) < CHAIN_BATCH:
            return chained


def request_chain(community_id: int) -> None:
    """After an act's commit: chain now, or make sure a task will soon (``core/soon.py``)."""
    from gongzhi.core.tasks import chain_journal

    run_soon(
        chain_journal,
        community_id,
        key=community_id,
        delay=float(settings.JOURNAL_CHAIN_DELAY),
        now=lambda: chain(community_id),
    )


def pending_count(community: Community) -> int:
    return Activity.objects.in_community(community).filter(seq__isnull=True).count()


@dataclass(frozen=True)
class BrokenLink:
    community: Community
    seq: int
    reason: str


def verify(community: Community) -> BrokenLink | None:
    """Walk the chain in order; return the first entry that does not follow from the last.
    Pending entries are not part of the chain yet (``pending_count``)."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for entry in _entries(community):
        if entry.seq != expected_seq:
            return BrokenLink(community, expected_seq, f"entry #{expected_seq} is missing")
        if entry.prev_hash != expected_prev:
            return BrokenLink(community, entry.seq, "does not link to the entry before it")
        if entry.compute_hash() != entry.hash:
            return BrokenLink(community, entry.seq, "its content was altered after it was written")
        expected_prev = entry.hash
        expected_seq += 1
    head = JournalHead.objects.filter(community=community).first()
    last = expected_seq - 1
    if head is None:
        if last:
            return BrokenLink(community, last, "the chain's head record is missing")
        return None
    if head.seq != last:
        return BrokenLink(community, expected_seq, f"entries after #{last} are missing")
    if head.hash != expected_prev:
        return BrokenLink(community, last, "the head record does not match the last entry")
    return None


def head_of(community: Community) -> tuple[int, str]:
    """The chain's length and last hash: record it outside the database (a printed notice
    board, the street office's log) and a wholesale rewrite becomes detectable too."""
    head = JournalHead.objects.filter(community=community).first()
    return (head.seq, head.hash) if head else (0, GENESIS_HASH)


def _entries(community: Community) -> Iterator[Activity]:
    chained = Activity.objects.in_community(community).filter(seq__isnull=False)
    return chained.order_by("seq").iterator(chunk_size=2000)


@dataclass
class PendingEntry:
    verb: str
    actor_id: int | None
    at: Any
    target: models.Model | None = None
    on_behalf_of_id: int | None = None
    data: dict[str, Any] | None = None


def bulk_append(community: Community, pending: list[PendingEntry], batch_size: int = 2000) -> int:
    """Append many entries in one go (imports, demo data), chained exactly as ``record`` does."""
    if not pending:
        return 0
    with transaction.atomic():
        head, _created = JournalHead.objects.select_for_update().get_or_create(community=community)
        seq, prev = head.seq, head.hash
        rows: list[Activity] = []
        content_types: dict[type, int] = {}
        for item in pending:
            seq += 1
            target_type_id = None
            if item.target is not None:
                model = type(item.target)
                if model not in content_types:
                    content_types[model] = ContentType.objects.get_for_model(model).pk
                target_type_id = content_types[model]
            entry = Activity(
                community=community,
                seq=seq,
                at=item.at,
                actor_id=item.actor_id,
                on_behalf_of_id=item.on_behalf_of_id,
                verb=item.verb,
                target_type_id=target_type_id,
                target_id=str(item.target.pk) if item.target is not None else "",
                data=item.data or {},
                prev_hash=prev,
            )
            entry.hash = entry.compute_hash()
            prev = entry.hash
            rows.append(entry)
        Activity.objects.bulk_create(rows, batch_size=batch_size)
        head.seq, head.hash = seq, prev
        head.save(update_fields=["seq", "hash"])
    return len(rows)
