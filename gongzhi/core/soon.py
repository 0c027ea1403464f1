"""Run some work soon after a commit, once for many commits: the journal's chaining and the
opinion map's updates use it.

With a task backend that can defer (the database queue in production), each process enqueues
the task at most once per ``delay`` seconds per key, to run ``delay`` seconds later: it then
covers every commit made in this process in that window, since they all committed before it
runs. With the immediate backend (development, tests) or ``delay <= 0`` the work runs now.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from datetime import timedelta
from typing import Any

from django.utils import timezone

_requested: dict[Hashable, float] = {}
_lock = threading.Lock()


def run_soon(task: Any, *args: Any, key: Hashable, delay: float, now: Callable[[], Any]) -> None:
    if not task.get_backend().supports_defer or delay <= 0:
        now()
        return
    key = (task.backend, task.name, key)
    at = time.monotonic()
    with _lock:
        if at - _requested.get(key, -delay) < delay:
            return
        _requested[key] = at
    task.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(*args)


def forget() -> None:
    """Tests: start every window afresh."""
    with _lock:
        _requested.clear()
