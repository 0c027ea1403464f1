"""The load side of `make bench-votes` (bench/votes.py): who casts what, and the HTTP clients.

The clients run in a few processes (``spawn``, so that no Django state is inherited), each with
some threads; every thread plays one client and works through its own script of actions:

- ``single``: one ballot on the thread's keep-alive connection;
- ``burst``: 2-5 ballots by the same voter at the same moment: the thread opens one connection
  per ballot, sends every request, and only then reads the responses;
- ``change`` / ``change_burst``: the same later on, with another option, always after that
  voter's first action has been answered (one thread plays a voter's actions in order).

Every request is recorded (voter, action, content, status, latency), the accepted ones (HTTP 200)
included. Loopback only; bounded by the script (its number of requests) and by a deadline.
Nothing here imports Django: this module is also what the client processes import.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.load import LOOPBACK, STALE_CONNECTION, Result, hammer

#: A request that was sent but got no response: the server may or may not have applied it.
NO_RESPONSE = 0
#: A request that was never sent because the load phase's deadline had passed.
NOT_SENT = -1


@dataclass(frozen=True)
class Action:
    voter: int  # index into the token list
    seq: int  # 0: the voter's first action, 1: their later change
    kind: str  # single | burst | change | change_burst
    contents: tuple[tuple[int, ...], ...]  # one ballot content per request


def make_plan(
    *,
    voters: int,
    clients: int,
    options: list[int],
    rng: random.Random,
    burst_share: float,
    change_share: float,
    max_burst: int,
) -> list[list[Action]]:
    """One script per client. Each voter belongs to one client, which plays their first action
    and, for ``change_share`` of them, a change at a random later point of its script."""
    order = list(range(voters))
    rng.shuffle(order)
    scripts: list[list[Action]] = []
    for client in range(clients):
        mine = order[client::clients]
        keyed: list[tuple[float, Action]] = []
        for index, voter in enumerate(mine):
            first = _ballots(rng, options, options, burst_share, max_burst)
            kind = "burst" if len(first) > 1 else "single"
            keyed.append((float(index), Action(voter, 0, kind, first)))
            if rng.random() < change_share:
                chosen = {content[0] for content in first}
                others = [o for o in options if o not in chosen] or [
                    o for o in options if o != first[-1][0]
                ]
                later = _ballots(rng, options, others, burst_share, max_burst)
                kind = "change_burst" if len(later) > 1 else "change"
                keyed.append((rng.uniform(index + 0.5, len(mine)), Action(voter, 1, kind, later)))
        keyed.sort(key=lambda pair: pair[0])
        scripts.append([action for _key, action in keyed])
    return scripts


def _ballots(
    rng: random.Random, options: list[int], pick_from: list[int], burst_share: float, max_burst: int
) -> tuple[tuple[int, ...], ...]:
    count = rng.randint(2, max_burst) if rng.random() < burst_share else 1
    return tuple((rng.choice(pick_from),) for _ in range(count))


# --- Client processes ---------------------------------------------------------------------------

#: (voter, seq, kind, content, status, latency in s, code): code is "" when accepted, else the
#: API's error code, the exception's name, or "not_sent".
Record = tuple[int, int, str, tuple[int, ...], int, float, str]


def _headers(token: str) -> dict[str, str]:
    return {
        "Host": LOOPBACK,
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": "gongzhi-bench-votes",
    }


def _code(status: int, data: bytes) -> str:
    if status == 200:
        return ""
    try:
        return str(json.loads(data).get("code") or f"HTTP {status}")
    except (ValueError, AttributeError):
        return f"HTTP {status}"


class _Client:
    def __init__(self, port: int, path: str, tokens: dict[int, str], timeout: float) -> None:
        self.port = port
        self.path = path
        self.tokens = tokens
        self.timeout = timeout
        self.conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
        self.records: list[Record] = []
        self.stale_retries = 0

    def run(self, script: list[Action], deadline: float) -> None:
        try:
            for action in script:
                if time.perf_counter() >= deadline:
                    for content in action.contents:
                        self._record(action, content, NOT_SENT, 0.0, "not_sent")
                elif len(action.contents) == 1:
                    self.single(action)
                else:
                    self.burst(action)
        finally:
            self.conn.close()

    def _record(
        self, action: Action, content: tuple[int, ...], status: int, latency: float, code: str
    ) -> None:
        self.records.append((action.voter, action.seq, action.kind, content, status, latency, code))

    def single(self, action: Action) -> None:
        content = action.contents[0]
        body = json.dumps({"content": list(content)}).encode()
        headers = _headers(self.tokens[action.voter])
        began = time.perf_counter()
        for attempt in range(2):
            reused = self.conn.sock is not None
            try:
                self.conn.request("POST", self.path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except STALE_CONNECTION as exc:
                self.conn.close()
                # A kept-alive connection the server had already closed: the request never
                # reached a worker, so sending it again on a new connection is safe.
                if reused and attempt == 0:
                    self.stale_retries += 1
                    began = time.perf_counter()
                    continue
                self._record(action, content, NO_RESPONSE, 0.0, type(exc).__name__)
                return
            except (OSError, http.client.HTTPException) as exc:
                self.conn.close()
                self._record(action, content, NO_RESPONSE, 0.0, type(exc).__name__)
                return
            latency = time.perf_counter() - began
            self._record(action, content, response.status, latency, _code(response.status, data))
            return

    def burst(self, action: Action) -> None:
        """Every ballot on its own new connection, all sent before any response is read."""
        conns: list[tuple[http.client.HTTPConnection, tuple[int, ...], float] | None] = []
        headers = _headers(self.tokens[action.voter])
        for content in action.contents:
            conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=self.timeout)
            body = json.dumps({"content": list(content)}).encode()
            began = time.perf_counter()
            try:
                conn.request("POST", self.path, body=body, headers=headers)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                self._record(action, content, NO_RESPONSE, 0.0, type(exc).__name__)
                conns.append(None)
                continue
            conns.append((conn, content, began))
        for entry in conns:
            if entry is None:
                continue
            conn, content, began = entry
            try:
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self._record(action, content, NO_RESPONSE, 0.0, type(exc).__name__)
                continue
            finally:
                conn.close()
            latency = time.perf_counter() - began
            self._record(action, content, response.status, latency, _code(response.status, data))


def client_process(
    port: int,
    path: str,
    scripts: list[list[Action]],
    tokens: dict[int, str],
    max_seconds: float,
    timeout: float,
    barrier: Any,
    queue: Any,
) -> None:
    """One load process: a thread per script, released together with the other processes."""
    clients = [_Client(port, path, tokens, timeout) for _ in scripts]
    barrier.wait(timeout=120)
    began = time.perf_counter()
    cpu_began = time.process_time()
    deadline = began + max_seconds
    threads = [
        threading.Thread(target=client.run, args=(script, deadline), daemon=True)
        for client, script in zip(clients, scripts, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max_seconds + 2 * timeout)
    ended = time.perf_counter()
    records = [record for client in clients for record in client.records]
    queue.put(
        {
            "records": records,
            "began": began,
            "ended": ended,
            "cpu": time.process_time() - cpu_began,
            "stale_retries": sum(client.stale_retries for client in clients),
            "hung_threads": sum(thread.is_alive() for thread in threads),
        }
    )


def hammer_process(
    port: int,
    path: str,
    headers: dict[str, str],
    clients: int,
    requests: int,
    duration: float,
    barrier: Any,
    queue: Any,
) -> None:
    """bench.load.hammer in one of several load processes."""
    barrier.wait(timeout=120)
    cpu_began = time.process_time()
    result = hammer(port, path, headers, clients=clients, requests=requests, duration=duration)
    queue.put(
        {
            "latencies": result.latencies,
            "errors": result.errors,
            "elapsed": result.elapsed,
            "cpu": time.process_time() - cpu_began,
        }
    )


@dataclass
class Spread:
    """Work split over several processes that start together; what the parent gets back."""

    outputs: list[dict[str, Any]] = field(default_factory=list)
    wall: float = 0.0  # from the common start to the last process's end
    cpu: float = 0.0  # the load processes' own CPU seconds (user + system, all threads)
    stats: dict[str, float] = field(default_factory=dict)  # machine CPU over the same window


def spread(
    target: Any,
    per_process_args: list[tuple[Any, ...]],
    *,
    timeout: float,
    snapshot: Any = None,
    during: Any = None,
) -> Spread:
    """Run ``target(*args, barrier, queue)`` in one spawned process per args tuple, start them
    together, and collect what each puts on the queue. ``snapshot()`` is called at the start and
    the end (CPU accounting); ``during`` is a context manager around the timed window."""
    import contextlib
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(per_process_args) + 1)
    queue = context.Queue()
    processes = [
        context.Process(target=target, args=(*args, barrier, queue), daemon=True)
        for args in per_process_args
    ]
    for process in processes:
        process.start()
    out = Spread()
    try:
        with during if during is not None else contextlib.nullcontext():
            before = snapshot() if snapshot else None
            barrier.wait(timeout=120)
            out.outputs = [queue.get(timeout=timeout) for _ in processes]
            after = snapshot() if snapshot else None
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join(timeout=10)
    out.wall = max(o.get("ended", 0.0) for o in out.outputs) - min(
        o.get("began", math.inf) for o in out.outputs
    )
    out.cpu = sum(o["cpu"] for o in out.outputs)
    if before is not None and after is not None:
        out.stats = {key: after[key] - before[key] for key in before}
    return out


def baseline(
    port: int,
    path: str,
    headers: list[dict[str, str]],
    *,
    clients: int,
    duration: float,
    requests: int,
) -> tuple[Result, float]:
    """GETs of ``path`` from ``len(headers)`` processes sharing ``clients`` threads; the merged
    Result (elapsed: the longest process's) and the load processes' CPU seconds."""
    procs = len(headers)
    args = [
        (
            port,
            path,
            headers[i],
            max(1, clients // procs + (i < clients % procs)),
            max(1, requests // procs),
            duration,
        )
        for i in range(procs)
    ]
    ran = spread(hammer_process, args, timeout=duration + 120)
    total = Result(elapsed=max(o["elapsed"] for o in ran.outputs))
    for output in ran.outputs:
        total.latencies.extend(output["latencies"])
        total.errors.extend(output["errors"])
    return total, ran.cpu


# --- CPU accounting from /proc ------------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_stats() -> list[tuple[int, str, int, int, int]]:
    """(pid, comm, pgrp, own ticks, reaped children's ticks) of every process."""
    rows = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        comm = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        # After the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        # utime stime cutime cstime ...
        own = int(fields[11]) + int(fields[12])
        children = int(fields[13]) + int(fields[14])
        rows.append((int(entry.name), comm, int(fields[2]), own, children))
    return rows


def cpu_snapshot(server_pgid: int | None) -> dict[str, float]:
    """CPU seconds so far: the machine (busy and all), the gunicorn process group, PostgreSQL."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    # user nice system idle iowait irq softirq steal (guest time is already in user)
    user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    snapshot = {
        "machine_busy": (user + nice + system + irq + softirq) / TICKS,
        "machine_steal": steal / TICKS,  # taken by the hypervisor: a noisy neighbour
        "machine_all": (user + nice + system + idle + iowait + irq + softirq + steal) / TICKS,
        "gunicorn": 0.0,
        "postgres": 0.0,
    }
    for _pid, comm, pgrp, own, children in _proc_stats():
        if server_pgid is not None and pgrp == server_pgid:
            snapshot["gunicorn"] += (own + children) / TICKS
        elif comm == "postgres" or comm.startswith("postgres:"):
            # Backends that exit hand their time to the postmaster's "children" counters.
            snapshot["postgres"] += (own + children) / TICKS
    return snapshot


# --- What PostgreSQL's backends are doing ------------------------------------------------------

SAMPLE_SQL = """
    SELECT pid, state, wait_event_type, wait_event, left(query, 200),
           CASE WHEN wait_event_type = 'Lock' THEN pg_blocking_pids(pid) END
    FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid()
      AND backend_type = 'client backend'
"""

SAMPLE_CLASSES = (
    "journal_lock_wait",  # waiting for the community's JournalHead row (SELECT ... FOR UPDATE)
    "other_lock_wait",  # waiting for another row or key (e.g. the same voter's other request)
    "in_sql",  # running a statement (or a commit)
    "app_in_txn",  # a transaction is open and PostgreSQL waits for the Python side
    "idle",  # connected, no transaction
)


class PgSampler:
    """``with PgSampler(url):`` samples pg_stat_activity every ``interval`` seconds in a thread.

    Each sample counts the bench database's backends per class (SAMPLE_CLASSES) and, when someone
    waits for the journal lock, what the backend holding it is doing (in_sql or app_in_txn).
    """

    def __init__(self, url: str, interval: float = 0.02) -> None:
        self.url = url
        self.interval = interval
        self.samples = 0
        self.totals = dict.fromkeys(SAMPLE_CLASSES, 0)
        self.contended = 0  # samples with at least one journal lock waiter
        self.holder: dict[str, int] = {}
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PgSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        import psycopg

        try:
            with psycopg.connect(self.url, autocommit=True) as conn:
                while not self._stop.wait(self.interval):
                    rows = conn.execute(SAMPLE_SQL).fetchall()
                    self._add(rows)
        except Exception as exc:  # noqa: BLE001 - a failed sampler is a note, not a failed bench
            self.errors.append(f"{type(exc).__name__}: {exc}")

    def _add(self, rows: list[tuple[Any, ...]]) -> None:
        self.samples += 1
        by_pid = {row[0]: row for row in rows}
        holders: set[int] = set()
        for _pid, state, wait_type, _wait, query, blockers in rows:
            query = query or ""
            if state == "active" and wait_type == "Lock":
                if "core_journalhead" in query:
                    self.totals["journal_lock_wait"] += 1
                    holders.update(blockers or [])
                else:
                    self.totals["other_lock_wait"] += 1
            elif state == "active":
                self.totals["in_sql"] += 1
            elif state and state.startswith("idle in transaction"):
                self.totals["app_in_txn"] += 1
            else:
                self.totals["idle"] += 1
        if holders:
            self.contended += 1
            # The holder is the waiters' first blocker that is not itself waiting for the lock.
            for pid in holders:
                row = by_pid.get(pid)
                if row is None:
                    state = "gone"
                elif row[1] == "active" and row[2] == "Lock":
                    continue
                elif row[1] == "active":
                    state = "in_sql"
                else:
                    state = "app_in_txn"
                self.holder[state] = self.holder.get(state, 0) + 1

    def means(self) -> dict[str, float]:
        """Average number of backends per class, the share of contended samples, holder states."""
        n = max(self.samples, 1)
        out = {name: self.totals[name] / n for name in SAMPLE_CLASSES}
        out["journal_contended_share"] = self.contended / n
        held = sum(self.holder.values()) or 1
        for state in ("in_sql", "app_in_txn", "gone"):
            out[f"journal_holder_{state}_share"] = self.holder.get(state, 0) / held
        return out
