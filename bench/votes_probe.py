"""gongzhi.wsgi with timers, for the diagnostic run of `make bench-votes` (``--probe``).

Not the measured server: the numbers of bench/votes.py come from plain ``gongzhi.wsgi``. This
wrapper times, in each gunicorn worker and for every ballot of the measured vote
(GONGZHI_BENCH_PROBE_PATH):

- the request's wall time, its SQL statements and their time inside ``cursor.execute``;
- ``journal_wait``: the duration of the community's ``JournalHead`` SELECT … FOR UPDATE, i.e.
  mostly the wait for the journal lock;
- ``journal_hold``: from that statement's end to the end of the transaction's COMMIT, i.e. how
  long the request holds the lock that every ballot of the community needs.

With GONGZHI_BENCH_PROBE_PROFILE=1 (sync workers only: one thread per process) each ballot
request also runs under cProfile. Each worker writes probe-<pid>.json (and .prof) into
GONGZHI_BENCH_PROBE_DIR every few seconds and when it exits. The app's code is not changed.
"""

from __future__ import annotations

import atexit
import cProfile
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from gongzhi.wsgi import application as _application

_DIR = Path(os.environ.get("GONGZHI_BENCH_PROBE_DIR", "."))
#: The measured vote's ballot path: the warm-up's ballots are not timed.
_PATH = os.environ.get("GONGZHI_BENCH_PROBE_PATH", "")
_PROFILE = cProfile.Profile() if os.environ.get("GONGZHI_BENCH_PROBE_PROFILE") == "1" else None
_LOCK = threading.Lock()
_DATA: dict[str, list[float]] = {
    "request_s": [],
    "sql_s": [],
    "queries": [],
    "journal_wait_s": [],
    "journal_hold_s": [],
}
_FLUSHED = [time.monotonic()]


class _Timer:
    def __init__(self) -> None:
        self.sql = 0.0
        self.queries = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ended = time.perf_counter()
            self.sql += ended - began
            self.queries += 1
            if "core_journalhead" in sql and "FOR UPDATE" in sql:
                _add("journal_wait_s", ended - began)
                transaction.on_commit(lambda: _add("journal_hold_s", time.perf_counter() - ended))


def _add(key: str, value: float) -> None:
    with _LOCK:
        _DATA[key].append(value)


def _flush() -> None:
    with _LOCK:
        text = json.dumps(_DATA)
        _FLUSHED[0] = time.monotonic()
    target = _DIR / f"probe-{os.getpid()}.json"
    temporary = target.with_suffix(".tmp")
    temporary.write_text(text)
    temporary.replace(target)
    if _PROFILE is not None:
        _PROFILE.dump_stats(_DIR / f"probe-{os.getpid()}.prof")


atexit.register(_flush)


def application(environ: dict[str, Any], start_response: Any) -> Any:
    if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != _PATH:
        return _application(environ, start_response)
    timer = _Timer()
    began = time.perf_counter()
    if _PROFILE is not None:
        _PROFILE.enable()
    try:
        with connection.execute_wrapper(timer):
            return _application(environ, start_response)
    finally:
        if _PROFILE is not None:
            _PROFILE.disable()
        _add("request_s", time.perf_counter() - began)
        _add("sql_s", timer.sql)
        _add("queries", float(timer.queries))
        if time.monotonic() - _FLUSHED[0] > 2:
            _flush()
