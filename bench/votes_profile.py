"""Where one ballot's time goes, measured in-process, for `make bench-votes` (bench/votes.py).

Sends ballots one at a time through the whole Django stack (``django.test.Client``: middleware,
django-ninja, token authentication, the service) against the bench database, with no other
load, and reports per ballot:

- the wall time, this process's CPU time (the app's share: PostgreSQL's is not in it), the SQL
  statements and their time inside ``cursor.execute``;
- the same for each step of the request path (token authentication, the staff MFA check,
  ``vote_at``, ``services.ballot_cast`` and, inside it, ``eligible``, ``_option_ids``,
  ``_validate``, ``_participation``, the ballot's write (``bulk_create`` … ON CONFLICT, on any
  tenant model) and ``journal.record``): the bench wraps those functions in this process only;
- how long the journal lock is held, if a ballot takes it: from the end of the ``JournalHead``
  SELECT … FOR UPDATE to the end of the COMMIT (since entries are written pending and chained
  by a task, a ballot no longer does; 0 confirms it);
- a cProfile of another batch of ballots (written to a file; the top functions are returned).

Must run after ``django.setup()``, in the bench's process only.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Step:
    name: str
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)


class _Sql:
    """connection.execute_wrapper: every statement's time, and the journal lock's hold time."""

    def __init__(self) -> None:
        self.entries: list[tuple[float, str]] = []
        self.holds: list[float] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        from django.db import transaction

        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ended = time.perf_counter()
            self.entries.append((ended - began, sql))
            if "core_journalhead" in sql and "FOR UPDATE" in sql:
                transaction.on_commit(lambda: self.holds.append(time.perf_counter() - ended))

    @property
    def total(self) -> float:
        return sum(seconds for seconds, _sql in self.entries)


def _steps() -> list[tuple[str, Any, str]]:
    """(label, owner, attribute): the functions timed, as the request path looks them up."""
    from gongzhi.accounts import api as accounts_api
    from gongzhi.accounts import services as accounts_services
    from gongzhi.core import journal
    from gongzhi.core.tenancy import TenantQuerySet
    from gongzhi.voting import api as voting_api
    from gongzhi.voting import services

    return [
        ("token auth: api_token_authenticate", accounts_services, "api_token_authenticate"),
        ("token auth: needs_mfa_setup", accounts_api, "needs_mfa_setup"),
        ("selectors.vote_at (community and vote)", voting_api.selectors, "vote_at"),
        ("services.ballot_cast", services, "ballot_cast"),
        ("  eligible", services, "eligible"),
        ("  _option_ids", services, "_option_ids"),
        ("  _validate", services, "_validate"),
        ("  _participation", services, "_participation"),
        ("    _insert_unless_conflict", services, "_insert_unless_conflict"),
        ("  bulk_create (any tenant model)", TenantQuerySet, "bulk_create"),
        ("  journal.record", journal, "record"),
    ]


def _wrap(step: Step, sql: _Sql, function: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        count, total = len(sql.entries), sql.total
        began, cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            step.seconds.append(time.perf_counter() - began)
            step.cpu.append(time.process_time() - cpu)
            step.queries.append(len(sql.entries) - count)
            step.sql.append(sql.total - total)

    return timed


def _ms(values: list[float]) -> float:
    return statistics.median(values) * 1000 if values else 0.0


def profile_ballots(
    *, path: str, tokens: list[str], option_ids: list[int], count: int, out: Path
) -> dict[str, Any]:
    """Time ``count`` first ballots (voters ``tokens[10:10+count]``), then cProfile ``count``
    more; write the details to ``out`` and return the summary."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")

    def cast(token: str, option: int) -> None:
        response = client.post(
            path,
            data={"content": [option]},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        if response.status_code != 200:
            raise RuntimeError(
                f"ballot answered {response.status_code}: {response.content[:300]!r}"
            )

    for index, token in enumerate(tokens[:10]):  # warm-up: imports, caches, the connection
        cast(token, option_ids[index % len(option_ids)])

    sql = _Sql()
    steps = [Step(label) for label, _owner, _attr in _steps()]
    walls: list[float] = []
    cpus: list[float] = []
    counts: list[int] = []
    sql_totals: list[float] = []
    statements: list[list[tuple[float, str]]] = []
    with ExitStack() as stack:
        for step, (_label, owner, attr) in zip(steps, _steps(), strict=True):
            original = getattr(owner, attr)
            setattr(owner, attr, _wrap(step, sql, original))
            stack.callback(setattr, owner, attr, original)
        stack.enter_context(connection.execute_wrapper(sql))
        for index, token in enumerate(tokens[10 : 10 + count]):
            sql.entries = []
            began, cpu = time.perf_counter(), time.process_time()
            cast(token, option_ids[index % len(option_ids)])
            walls.append(time.perf_counter() - began)
            cpus.append(time.process_time() - cpu)
            counts.append(len(sql.entries))
            sql_totals.append(sql.total)
            statements.append(sql.entries)

    profiler = cProfile.Profile()
    for index, token in enumerate(tokens[10 + count : 10 + 2 * count]):
        profiler.enable()
        cast(token, option_ids[index % len(option_ids)])
        profiler.disable()
    profiled = len(tokens[10 + count : 10 + 2 * count])

    median_request = sorted(range(len(walls)), key=walls.__getitem__)[len(walls) // 2]
    summary: dict[str, Any] = {
        "ballots": len(walls),
        "wall_ms": _ms(walls),
        "cpu_ms": _ms(cpus),
        "queries": statistics.median(counts),
        "sql_ms": _ms(sql_totals),
        "journal_hold_ms": _ms(sql.holds),
        "journal_hold_p95_ms": (sorted(sql.holds)[int(0.95 * (len(sql.holds) - 1))] * 1000)
        if sql.holds
        else 0.0,
        "steps": [
            (
                step.name,
                _ms(step.seconds),
                _ms(step.cpu),
                statistics.median(step.queries or [0]),
                _ms(step.sql),
            )
            for step in steps
        ],
        "statements": [
            (seconds * 1000, " ".join(text.split())) for seconds, text in statements[median_request]
        ],
    }

    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    summary["profiled"] = profiled
    summary["top_cumulative"] = _top(profiler, profiled)
    lines = [
        f"in-process ballots: {summary['ballots']} timed, {profiled} profiled",
        f"wall {summary['wall_ms']:.2f} ms (CPU {summary['cpu_ms']:.2f} ms), "
        f"{summary['queries']} queries, "
        f"SQL {summary['sql_ms']:.2f} ms, journal lock held {summary['journal_hold_ms']:.2f} ms",
        "",
        "statements of the median ballot (ms):",
        *(f"  {ms:6.2f}  {text[:160]}" for ms, text in summary["statements"]),
        "",
        stream.getvalue(),
    ]
    out.write_text("\n".join(lines) + "\n")
    return summary


def _top(profiler: cProfile.Profile, calls: int) -> list[tuple[str, float]]:
    """The gongzhi functions with the most cumulative time per ballot (ms)."""
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if "/gongzhi/" in filename and "/migrations/" not in filename:
            short = filename.split("/gongzhi/", 1)[1]
            rows.append((f"gongzhi/{short}:{line}({name})", cumulative * 1000 / max(calls, 1)))
    rows.sort(key=lambda row: row[1], reverse=True)
    return rows[:12]
