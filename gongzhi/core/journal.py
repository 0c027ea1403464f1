"""The activity journal: one append-only, HMAC-chained stream per community.

Services call ``record()`` inside their transaction, so an act and its journal entry commit
together or not at all. Appending locks the community's ``JournalHead`` row (SELECT … FOR UPDATE
on PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers), and the unique
(community, seq) constraint makes a forked chain impossible even if a lock were skipped.
Evaluation reads participation from here; the supervision committee reads the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.models import GENESIS_HASH, Activity, Community, JournalHead


def record(
    *,
    community: Community,
    actor: User | None,
    verb: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    on_behalf_of: User | None = None,
) -> Activity:
    """Append one entry. Must run inside the caller's atomic block."""
    if on_behalf_of is not None and actor is not None and on_behalf_of.pk == actor.pk:
        on_behalf_of = None
    # No savepoint of its own: the entry stands or falls with the caller's act.
    with transaction.atomic(savepoint=False):
        head, _created = JournalHead.objects.select_for_update().get_or_create(community=community)
        entry = Activity(
            community=community,
            seq=head.seq + 1,
            at=timezone.now(),
            actor=actor,
            on_behalf_of=on_behalf_of,
            verb=verb,
            target_type=ContentType.objects.get_for_model(target) if target is not None else None,
            target_id=str(target.pk) if target is not None else "",
            data=data or {},
            prev_hash=head.hash,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        head.seq = entry.seq
        head.hash = entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


@dataclass(frozen=True)
class BrokenLink:
    community: Community
    seq: int
    reason: str


def verify(community: Community) -> BrokenLink | None:
    """Walk the chain in order; return the first entry that does not follow from the last."""
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
    return Activity.objects.in_community(community).order_by("seq").iterator(chunk_size=2000)


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
