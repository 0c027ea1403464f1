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

Keys rotate without breaking a chain. Every chain begins under key id ``"1"`` (settings
``JOURNAL_KEY_ID``'s default; entries written before keys had ids are exactly these), unless its
first entry is a ``journal.key_rotated`` entry with ``from: null``, which names the key the chain
starts under. ``rotate_key`` appends a ``journal.key_rotated`` entry naming the new key id,
signed under the old key; every entry after it is signed under the new one. ``verify`` follows
the same schedule, with the current key (``JOURNAL_KEY``/``JOURNAL_KEY_ID``) and the retired
ones (``JOURNAL_RETIRED_KEYS``), and names a key id it does not have instead of calling the
chain broken. A key id is never used twice in one chain: rotating back to a leaked key would
let its holder sign what follows.

Acts above the communities (creating streets and communities, appointing street officials and
platform admins) go to the platform journal: the same chaining, keys and verification, one
stream, chained inside the act's own transaction (``record_platform``).

Evaluation reads participation from here; the supervision committee reads the audit trail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from gongzhi.core.models import (
    GENESIS_HASH,
    GENESIS_KEY_ID,
    Activity,
    Community,
    JournalHead,
    PlatformActivity,
    PlatformJournalHead,
)
from gongzhi.core.soon import run_soon

CHAIN_BATCH = 2000
#: The verb of the entry that switches a chain to another key (written by ``rotate_key`` only).
ROTATION_VERB = "journal.key_rotated"
PLATFORM_HEAD_PK = 1

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

log = logging.getLogger(__name__)


class JournalError(Exception):
    """The journal cannot append: a configuration or data problem an operator must fix."""


class UnknownJournalKey(JournalError):
    def __init__(self, key_id: str):
        super().__init__(
            f"key id {key_id!r} is not configured: set it as JOURNAL_KEY/JOURNAL_KEY_ID or "
            f"keep it in JOURNAL_RETIRED_KEYS"
        )
        self.key_id = key_id


def keyring() -> dict[str, str]:
    """Every journal key this server has, by id: the retired ones and the current one."""
    ring = {str(k): v for k, v in settings.JOURNAL_RETIRED_KEYS.items()}
    current_id = str(settings.JOURNAL_KEY_ID)
    if ring.get(current_id, settings.JOURNAL_KEY) != settings.JOURNAL_KEY:
        raise ImproperlyConfigured(
            f"JOURNAL_RETIRED_KEYS holds another secret under the current key id {current_id!r}"
        )
    ring[current_id] = settings.JOURNAL_KEY
    return ring


def _key(ring: dict[str, str], key_id: str) -> str:
    try:
        return ring[key_id]
    except KeyError:
        raise UnknownJournalKey(key_id) from None


def _is_genesis_marker(entry: Any) -> bool:
    return entry.seq == 1 and entry.verb == ROTATION_VERB and entry.data.get("from") is None


def _link(head: Any, entries: Iterable[Any], ring: dict[str, str]) -> None:
    """Give ``entries`` the next places after ``head`` and sign them; moves ``head`` along."""
    key = _key(ring, head.key_id)
    seq, prev = head.seq, head.hash
    for entry in entries:
        if entry.verb == ROTATION_VERB:
            raise JournalError("journal.key_rotated entries are written by rotate_key alone")
        seq += 1
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = entry.compute_hash(key)
        prev = entry.hash
    head.seq, head.hash = seq, prev


def _begin(head: Any, make: Callable[..., Any], ring: dict[str, str]) -> None:
    """A chain that begins under a key other than the genesis key says so in its first entry,
    signed under that key."""
    current_id = str(settings.JOURNAL_KEY_ID)
    if head.seq or current_id == GENESIS_KEY_ID:
        return
    marker = make(
        seq=1,
        at=timezone.now(),
        actor=None,
        verb=ROTATION_VERB,
        data={"from": None, "to": current_id},
        prev_hash=GENESIS_HASH,
    )
    marker.hash = marker.compute_hash(_key(ring, current_id))
    marker.save()
    head.seq, head.hash, head.key_id = 1, marker.hash, current_id


def _rotate(
    head: Any,
    make: Callable[..., Any],
    ring: dict[str, str],
    used: set[str],
    actor: User | None,
) -> Any | None:
    """Append the entry that switches ``head``'s chain to the current key; None if it already
    uses it (or has no entries yet: it will begin under the current key)."""
    new_id = str(settings.JOURNAL_KEY_ID)
    if head.seq == 0 or head.key_id == new_id:
        return None
    if new_id in used:
        raise JournalError(
            f"key id {new_id!r} was used before in this chain: give the new key a new id"
        )
    old_key = _key(ring, head.key_id)
    entry = make(
        seq=head.seq + 1,
        at=timezone.now(),
        actor=actor,
        verb=ROTATION_VERB,
        data={"from": head.key_id, "to": new_id},
        prev_hash=head.hash,
    )
    entry.hash = entry.compute_hash(old_key)
    entry.save()
    head.seq, head.hash, head.key_id = entry.seq, entry.hash, new_id
    head.save(update_fields=["seq", "hash", "key_id"])
    return entry


def _used_key_ids(rotations: Iterable[dict[str, Any]]) -> set[str]:
    used = {GENESIS_KEY_ID}
    for data in rotations:
        if data.get("from") is None:
            used = {str(data.get("to"))}
        else:
            used.add(str(data.get("to")))
    return used


def record(
    *,
    community: Community,
    actor: User | None,
    verb: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    on_behalf_of: User | None = None,
    at: datetime | None = None,
) -> Activity:
    """Write one pending entry. Must run inside the caller's atomic block.

    ``at`` is for demo history and imports only: an act done now is journalled now (the
    default). Entries are chained in the order they are written, not by ``at``."""
    if verb == ROTATION_VERB:
        raise JournalError("journal.key_rotated entries are written by rotate_key alone")
    if on_behalf_of is not None and actor is not None and on_behalf_of.pk == actor.pk:
        on_behalf_of = None
    entry = Activity(
        community=community,
        seq=None,
        at=at if at is not None else timezone.now(),
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
    ring = keyring()
    chained = 0
    while True:
        with transaction.atomic():
            head, _created = JournalHead.objects.select_for_update().get_or_create(
                community_id=community_id
            )
            batch = _chain_batch(head, ring)
            chained += batch
        if batch < CHAIN_BATCH:
            return chained


def _chain_batch(head: JournalHead, ring: dict[str, str]) -> int:
    """One batch of pending entries, under ``head``'s lock."""
    community_id = head.community_id
    pending = list(
        Activity.objects.in_community(community_id)
        .filter(seq__isnull=True)
        .order_by("pk")[:CHAIN_BATCH]
    )
    if not pending:
        return 0
    _begin(head, lambda **fields: Activity(community_id=community_id, **fields), ring)
    _link(head, pending, ring)
    Activity.objects.in_community(community_id).bulk_update(pending, ["seq", "prev_hash", "hash"])
    head.save(update_fields=["seq", "hash", "key_id"])
    return len(pending)


def _chain_quietly(community_id: int) -> None:
    """After a commit the act is done: a journal that cannot chain (a key missing from the
    settings) keeps its entries pending and says so in the log and in ``journal_verify``."""
    try:
        chain(community_id)
    except JournalError:
        log.exception("journal of community %s not chained", community_id)


def request_chain(community_id: int) -> None:
    """After an act's commit: chain now, or make sure a task will soon (``core/soon.py``)."""
    from gongzhi.core.tasks import chain_journal

    run_soon(
        chain_journal,
        community_id,
        key=community_id,
        delay=float(settings.JOURNAL_CHAIN_DELAY),
        now=lambda: _chain_quietly(community_id),
    )


def pending_count(community: Community) -> int:
    return Activity.objects.in_community(community).filter(seq__isnull=True).count()


@dataclass(frozen=True)
class BrokenLink:
    community: Community | None  # None: the platform journal
    seq: int
    reason: str
    #: Set when the entry is signed with a key this server does not have: not proof of
    #: tampering, but nothing can be said about the chain from there on.
    unknown_key: str | None = None


def verify(community: Community) -> BrokenLink | None:
    """Walk the chain in order; return the first entry that does not follow from the last.
    Pending entries are not part of the chain yet (``pending_count``)."""
    head = JournalHead.objects.filter(community=community).first()
    return _verify(community, _entries(community), head)


def _verify(owner: Community | None, entries: Iterable[Any], head: Any) -> BrokenLink | None:
    ring = keyring()
    key_id, used = GENESIS_KEY_ID, {GENESIS_KEY_ID}
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for entry in entries:
        if entry.seq != expected_seq:
            return BrokenLink(owner, expected_seq, f"entry #{expected_seq} is missing")
        if entry.prev_hash != expected_prev:
            return BrokenLink(owner, entry.seq, "does not link to the entry before it")
        rotation = entry.verb == ROTATION_VERB
        if _is_genesis_marker(entry):
            key_id = str(entry.data.get("to"))
            used = {key_id}
        if key_id not in ring:
            return BrokenLink(
                owner,
                entry.seq,
                f"signed with key id {key_id!r}, which this server does not have "
                "(keep it in JOURNAL_RETIRED_KEYS)",
                unknown_key=key_id,
            )
        if entry.compute_hash(ring[key_id]) != entry.hash:
            return BrokenLink(owner, entry.seq, "its content was altered after it was written")
        if rotation and not _is_genesis_marker(entry):
            new_id = entry.data.get("to")
            if entry.data.get("from") != key_id or not isinstance(new_id, str) or new_id in used:
                return BrokenLink(owner, entry.seq, "a key rotation that does not follow the keys")
            key_id = new_id
            used.add(new_id)
        expected_prev = entry.hash
        expected_seq += 1
    last = expected_seq - 1
    if head is None:
        if last:
            return BrokenLink(owner, last, "the chain's head record is missing")
        return None
    if head.seq != last:
        return BrokenLink(owner, expected_seq, f"entries after #{last} are missing")
    if head.hash != expected_prev:
        return BrokenLink(owner, last, "the head record does not match the last entry")
    if last and head.key_id != key_id:
        return BrokenLink(owner, last, "the head record names another key than the chain")
    return None


def head_of(community: Community) -> tuple[int, str]:
    """The chain's length and last hash: record it outside the database (a printed notice
    board, the street office's log) and a wholesale rewrite becomes detectable too."""
    head = JournalHead.objects.filter(community=community).first()
    return (head.seq, head.hash) if head else (0, GENESIS_HASH)


def key_id_of(community: Community) -> str:
    """The id of the key the community's next entries are signed with."""
    head = JournalHead.objects.filter(community=community).first()
    return head.key_id if head is not None and head.seq else str(settings.JOURNAL_KEY_ID)


def rotate_key(community: Community, *, actor: User | None = None) -> Activity | None:
    """Move the community's chain to the current key (``JOURNAL_KEY_ID``): chain what is
    pending under the old key, then append the rotation entry, signed under the old key.
    None if there is nothing to rotate."""
    ring = keyring()
    _key(ring, str(settings.JOURNAL_KEY_ID))
    with transaction.atomic():
        head, _created = JournalHead.objects.select_for_update().get_or_create(community=community)
        while _chain_batch(head, ring) == CHAIN_BATCH:
            pass
        rotations = (
            Activity.objects.in_community(community)
            .filter(verb=ROTATION_VERB, seq__isnull=False)
            .order_by("seq")
            .values_list("data", flat=True)
        )
        return _rotate(
            head,
            lambda **fields: Activity(community=community, **fields),
            ring,
            _used_key_ids(rotations),
            actor,
        )


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
    ring = keyring()
    with transaction.atomic():
        head, _created = JournalHead.objects.select_for_update().get_or_create(community=community)
        rows: list[Activity] = []
        content_types: dict[type, int] = {}
        for item in pending:
            target_type_id = None
            if item.target is not None:
                model = type(item.target)
                if model not in content_types:
                    content_types[model] = ContentType.objects.get_for_model(model).pk
                target_type_id = content_types[model]
            rows.append(
                Activity(
                    community=community,
                    at=item.at,
                    actor_id=item.actor_id,
                    on_behalf_of_id=item.on_behalf_of_id,
                    verb=item.verb,
                    target_type_id=target_type_id,
                    target_id=str(item.target.pk) if item.target is not None else "",
                    data=item.data or {},
                )
            )
        _begin(head, lambda **fields: Activity(community=community, **fields), ring)
        _link(head, rows, ring)
        Activity.objects.bulk_create(rows, batch_size=batch_size)
        head.save(update_fields=["seq", "hash", "key_id"])
    return len(rows)


# --- The platform journal -------------------------------------------------------------------


def record_platform(
    *,
    actor: User | None,
    verb: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> PlatformActivity:
    """Append one platform entry, chained at once. Must run inside the act's atomic block:
    the head's lock is held until the act commits (platform acts are rare)."""
    ring = keyring()
    head = _platform_head()
    _begin(head, PlatformActivity, ring)
    entry = PlatformActivity(
        at=timezone.now(),
        actor=actor,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
    _link(head, [entry], ring)
    entry.save()
    head.save(update_fields=["seq", "hash", "key_id"])
    return entry


def _platform_head() -> PlatformJournalHead:
    head, _created = PlatformJournalHead.objects.select_for_update().get_or_create(
        pk=PLATFORM_HEAD_PK
    )
    return head


def rotate_platform_key(*, actor: User | None = None) -> PlatformActivity | None:
    ring = keyring()
    _key(ring, str(settings.JOURNAL_KEY_ID))
    with transaction.atomic():
        head = _platform_head()
        rotations = (
            PlatformActivity.objects.filter(verb=ROTATION_VERB)
            .order_by("seq")
            .values_list("data", flat=True)
        )
        return _rotate(head, PlatformActivity, ring, _used_key_ids(rotations), actor)


def verify_platform() -> BrokenLink | None:
    entries = PlatformActivity.objects.order_by("seq").iterator(chunk_size=2000)
    return _verify(None, entries, PlatformJournalHead.objects.filter(pk=PLATFORM_HEAD_PK).first())


def platform_head() -> tuple[int, str, str]:
    """The platform chain's length, last hash and the id of the key it is signed with now."""
    head = PlatformJournalHead.objects.filter(pk=PLATFORM_HEAD_PK).first()
    if head is None or not head.seq:
        return 0, GENESIS_HASH, str(settings.JOURNAL_KEY_ID)
    return head.seq, head.hash, head.key_id
