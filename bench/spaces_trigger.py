"""SQLite's no-overlap trigger at scale (issue 20): the time to insert one booking into a space
with 1,000 bookings and into one with 100,000, in the same run, with 0002's triggers and with
the current ones (0005: the (space, seat, busy_until) index).

The bookings table is made by Django's SQLite schema editor from the Booking model (its columns,
checks and indexes, as a migrated database has them) in a scratch file, ``spaces-trigger.sqlite3``
in the bench's data directory, rebuilt each run; the triggers are the migrations' own statements.
Two spaces share the table: one with ``--small`` (1,000) and one with ``--large`` (100,000)
one-hour bookings, four seats, 08:00–22:00, ending two weeks after a fixed "today" (so both have
the same two weeks ahead and differ only in their past). Loaded with no trigger (the rows are
free of overlaps by construction), then the triggers are made. Timed, alternating the two spaces,
``--repeat`` times each, one statement in its own transaction rolled back after:

- an insert that is accepted (seat 1, tomorrow 22:00–23:00, a free hour);
- an insert that is refused (seat 1, tomorrow 10:00–11:00, taken).

Prints ``sqlite_insert_ms_1k=``, ``sqlite_insert_ms_100k=`` (medians),
``sqlite_insert_ratio_100k=`` (100k / 1k), the same for refusals (``sqlite_refuse_…``), each also
with the suffix ``_0002`` for 0002's triggers, and ``sqlite_trigger_plan=``: the index SQLite's
planner picks for the trigger's lookup (and ``…_analyzed=`` after ``ANALYZE``). The key names say 1k and 100k at the default sizes.

    .venv/bin/python bench/spaces_trigger.py              # also run by make bench-spaces
    .venv/bin/python bench/spaces_trigger.py --large 20000
"""

from __future__ import annotations

import argparse
import importlib
import os
import secrets
import sqlite3
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FILE = "spaces-trigger.sqlite3"
SEATS = 4
HOURS = range(8, 22)
TODAY = datetime(2026, 12, 7, tzinfo=UTC)  # fixed: the rows do not depend on the clock
AHEAD_DAYS = 14
SMALL, LARGE = 1, 2  # the two spaces' ids


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40, help="timed inserts per case (40)")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench-spaces")
    args, _unknown = parser.parse_known_args(argv)  # make's BENCH_ARGS serve several benches
    return args


def _scratch(path: Path) -> Any:
    """A Django SQLite connection to a fresh file, whatever the default database is."""
    from django.db import connections
    from django.db.backends.sqlite3.base import DatabaseWrapper

    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    settings = dict(connections["default"].settings_dict)
    settings.update(ENGINE="django.db.backends.sqlite3", NAME=str(path), OPTIONS={})
    wrapper = DatabaseWrapper(settings, alias="spaces_trigger_bench")
    wrapper.ensure_connection()
    return wrapper


def _table(wrapper: Any) -> list[str]:
    """Make spaces_booking as the model has it; the columns a row must be given."""
    from gongzhi.spaces.models import Booking

    with wrapper.schema_editor(atomic=False) as editor:
        editor.create_model(Booking)
    wrapper.connection.execute("PRAGMA foreign_keys = OFF")  # the other tables are not made
    required = [
        f.column
        for f in Booking._meta.concrete_fields
        if not f.null and not f.primary_key and not f.auto_created
    ]
    return [*required, "person_id"]  # nullable, but a confirmed booking is someone's


def _rows(space: int, count: int, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    """``count`` one-hour bookings of every seat and hour, the last day AHEAD_DAYS after TODAY."""
    per_day = SEATS * len(HOURS)
    days = -(-count // per_day)
    first = TODAY + timedelta(days=AHEAD_DAYS - days + 1)
    stamp = _text(TODAY)
    made = 0
    for d in range(days):
        for hour in HOURS:
            start = first + timedelta(days=d, hours=hour)
            for seat in range(1, SEATS + 1):
                if made == count:
                    return
                made += 1
                end = start + timedelta(hours=1)
                values = {
                    "community_id": 1,
                    "space_id": space,
                    "seat": seat,
                    "starts_at": _text(start),
                    "ends_at": _text(end),
                    "busy_until": _text(end),
                    "status": "confirmed",
                    "person_id": 1,
                    "booked_by_id": 1,
                    "purpose": "自习",
                    "reason": "",
                    "attendees": 1,
                    "no_show": 0,
                    "fee": "0",
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                yield tuple(values[c] for c in columns)


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _insert_sql(columns: list[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f"INSERT INTO spaces_booking ({names}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608 - the model's columns


def _one(space: int, start: datetime, columns: list[str]) -> tuple[Any, ...]:
    row = dict(zip(columns, next(_rows(space, 1, columns)), strict=True))
    end = start + timedelta(hours=1)
    row.update(starts_at=_text(start), ends_at=_text(end), busy_until=_text(end), seat=1)
    return tuple(row[c] for c in columns)


def _time(raw: sqlite3.Connection, sql: str, row: tuple[Any, ...], refused: bool) -> float:
    raw.execute("BEGIN")
    began = time.perf_counter()
    try:
        raw.execute(sql, row)
        if refused:
            raise AssertionError("the trigger let an overlapping booking in")
    except sqlite3.IntegrityError as error:
        if not refused or "booking_no_overlap" not in str(error):
            raise
    took = time.perf_counter() - began
    raw.execute("ROLLBACK")
    return took


def _measure(raw: sqlite3.Connection, columns: list[str], repeat: int) -> dict[str, float]:
    sql = _insert_sql(columns)
    tomorrow = TODAY + timedelta(days=1)
    cases = {
        "insert": (tomorrow + timedelta(hours=22), False),
        "refuse": (tomorrow + timedelta(hours=10), True),
    }
    out: dict[str, float] = {}
    for name, (start, refused) in cases.items():
        times: dict[int, list[float]] = {SMALL: [], LARGE: []}
        for space in (SMALL, LARGE):  # warm-up
            _time(raw, sql, _one(space, start, columns), refused)
        for _n in range(repeat):
            for space in (SMALL, LARGE):
                times[space].append(_time(raw, sql, _one(space, start, columns), refused))
        small = statistics.median(times[SMALL]) * 1000
        large = statistics.median(times[LARGE]) * 1000
        out[f"{name}_small"] = small
        out[f"{name}_large"] = large
        out[f"{name}_ratio"] = large / small
    return out


def _plan(raw: sqlite3.Connection) -> str:
    """The index the planner picks for the trigger's lookup (its WHERE, NEW.* as parameters)."""
    tomorrow = TODAY + timedelta(days=1, hours=22)
    rows = raw.execute(
        "EXPLAIN QUERY PLAN SELECT 1 FROM spaces_booking AS other "
        "WHERE other.space_id = ? AND other.seat = ? "
        "AND other.busy_until > ? AND other.starts_at < ? "
        "AND other.status IN ('pending', 'confirmed', 'draw') AND other.id IS NOT ?",
        (LARGE, 1, _text(tomorrow), _text(tomorrow + timedelta(hours=1)), None),
    ).fetchall()
    detail = " ".join(str(row[-1]) for row in rows)
    for word in detail.split():
        if word.startswith("booking_") or word.startswith("spaces_booking_"):
            return word
    return detail[:60]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Build the scratch table, time 0002's triggers, then 0005's; the key=value lines."""
    before = importlib.import_module("gongzhi.spaces.migrations.0002_no_overlap")
    after = importlib.import_module("gongzhi.spaces.migrations.0005_no_overlap_bounded")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    wrapper = _scratch(args.data_dir / FILE)
    try:
        raw: sqlite3.Connection = wrapper.connection
        columns = _table(wrapper)
        began = time.perf_counter()
        sql = _insert_sql(columns)
        raw.execute("BEGIN")
        raw.executemany(sql, _rows(SMALL, args.small, columns))
        raw.executemany(sql, _rows(LARGE, args.large, columns))
        raw.execute("COMMIT")
        lines: dict[str, Any] = {
            "sqlite_version": sqlite3.sqlite_version,
            "sqlite_trigger_rows": f"{args.small}+{args.large}",
            "sqlite_trigger_load_s": round(time.perf_counter() - began, 1),
        }
        for statement in before.SQLITE:
            raw.execute(statement)
        old = _measure(raw, columns, args.repeat)
        for statement in after.SQLITE:
            raw.execute(statement)
        lines["sqlite_trigger_plan"] = _plan(raw)
        new = _measure(raw, columns, args.repeat)
        raw.execute("ANALYZE")  # what the planner picks once it has statistics
        lines["sqlite_trigger_plan_analyzed"] = _plan(raw)
        for suffix, got in (("", new), ("_0002", old)):
            for name in ("insert", "refuse"):
                lines[f"sqlite_{name}_ms_1k{suffix}"] = round(got[f"{name}_small"], 3)
                lines[f"sqlite_{name}_ms_100k{suffix}"] = round(got[f"{name}_large"], 3)
                lines[f"sqlite_{name}_ratio_100k{suffix}"] = round(got[f"{name}_ratio"], 2)
        return lines
    finally:
        wrapper.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{args.data_dir / FILE}{suffix}").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.data_dir = args.data_dir.resolve()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{args.data_dir / FILE}")
    for key in ("SECRET_KEY", "CREDENTIAL_KEY", "MEDIATION_KEY", "JOURNAL_KEY", "VOTE_KEY"):
        os.environ.setdefault(key, secrets.token_urlsafe(40))
    os.environ.setdefault("GONGZHI_DATA_DIR", str(args.data_dir))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()  # the models only: nothing is migrated
    lines = measure(args)
    print("\n".join(f"{key}={value}" for key, value in lines.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
