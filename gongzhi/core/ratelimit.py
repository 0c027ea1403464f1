"""Counting acts per person in fixed windows of time, in the shared cache (rate limits).

Each window is its own key — a slot of local time (a day runs from midnight in ``TIME_ZONE``) —
so a count never has to carry its expiry along: Django's database cache implements ``incr`` as
get-then-set with the *default* timeout, which would otherwise cut a day's window to five
minutes; ``touch`` sets the expiry back. ``cache.add`` + ``incr`` are atomic on Redis; on the
database cache the enclosing transaction serialises them on SQLite (IMMEDIATE transactions),
the embedded default. On PostgreSQL without Redis two simultaneous acts can be counted as one:
a limit against floods, not an exact meter (docs/operations.md recommends Redis there).
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone


def count_hit(name: str, who: object, *, window: int) -> int:
    """Count one act by ``who`` under ``name`` in the current window; return the count so far."""
    offset = timezone.localtime().utcoffset() or timedelta()
    local = time.time() + offset.total_seconds()
    key = f"gz:rate:{name}:{who}:{int(local // window)}"
    with transaction.atomic():
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            count = 1
        cache.touch(key, window)
    return count
