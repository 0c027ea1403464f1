"""The no-overlap guard as the migrations leave it (0002, and 0005 on SQLite): present after the
last migration, reading only the bookings that can clash, and refusing every overlap however
long the booking it meets (no bound on a booking's length is assumed)."""

from __future__ import annotations

import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, connection, transaction

from gongzhi.spaces.models import BookingStatus
from tests.factories import member
from tests.spaces.world import at, booking_of, space_of

pytestmark = pytest.mark.django_db

BOUNDED = importlib.import_module("gongzhi.spaces.migrations.0005_no_overlap_bounded")
FIRST = importlib.import_module("gongzhi.spaces.migrations.0002_no_overlap")
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's guard is 0002's exclusion constraint"
)


def _triggers() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'spaces_booking'"
        )
        return dict(cursor.fetchall())


def _index_columns(name: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA index_info({name})")
        return [row[2] for row in cursor.fetchall()]


def _squeezed(sql: str) -> str:
    """A statement as SQLite keeps it: spaces aside, no final semicolon."""
    return " ".join(sql.split()).removesuffix(";")


def test_the_guard_after_the_last_migration():
    if connection.vendor == "sqlite":
        made = {_squeezed(s) for s in BOUNDED.SQLITE if s.startswith("CREATE TRIGGER")}
        assert {_squeezed(s) for s in _triggers().values()} == made
        assert set(_triggers()) == {"booking_no_overlap_insert", "booking_no_overlap_update"}
        assert _index_columns("booking_seat_busy") == ["space_id", "seat", "busy_until"]
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conname = 'booking_no_overlap' AND contype = 'x'"
            )
            (definition,) = cursor.fetchone()
        assert "tstzrange(starts_at, busy_until, '[)'::text) WITH &&" in definition


@sqlite_only
def test_the_sqlite_guard_looks_up_through_the_seat_and_end_index(community):
    """The trigger's lookup, bounded by ``busy_until > NEW.starts_at`` on the index's last
    column: a space's past is not read (0002's (space, starts_at) index read all of it)."""
    start = at(2)
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN QUERY PLAN SELECT 1 FROM spaces_booking AS other "
            "WHERE other.space_id = %s AND other.seat = %s "
            "AND other.busy_until > %s AND other.starts_at < %s "
            "AND other.status IN ('pending', 'confirmed', 'draw') AND other.id IS NOT %s",
            [1, 1, start, start + timedelta(hours=1), None],
        )
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "booking_seat_busy (space_id=? AND seat=? AND busy_until>?)" in plan


@sqlite_only
def test_0005_undone_gives_back_0002s_triggers_and_redone_the_bounded_ones():
    editor = SimpleNamespace(connection=connection, execute=lambda sql: _execute(sql))
    with transaction.atomic():
        BOUNDED.backwards(None, editor)
        assert {_squeezed(s) for s in _triggers().values()} == {_squeezed(s) for s in FIRST.SQLITE}
        assert _index_columns("booking_seat_busy") == []
        BOUNDED.forwards(None, editor)
        test_the_guard_after_the_last_migration()
        transaction.set_rollback(True)


def _execute(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


# --- what the guard refuses and allows, on both databases -------------------------------------

DAY = 24


@pytest.mark.parametrize(
    ("offset_hours", "hours", "clash"),
    [
        (0, 1, True),  # the same hour
        (0.5, 1, True),  # starts inside
        (-0.5, 1, True),  # ends inside
        (-2, 5, True),  # covers it
        (1, 1, False),  # starts where it ends
        (-1, 1, False),  # ends where it starts
        (-400 * DAY, 500 * DAY, True),  # a booking from long ago running past it
        (-400 * DAY, 400 * DAY, False),  # one that ended just before it began
    ],
)
def test_the_guard_refuses_every_overlap_however_long(
    community, resident, offset_hours, hours, clash
):
    """The bound reads bookings by their end, never assuming how long one may be: a booking
    made under other rules (a year-long hold written straight to the table) still clashes."""
    space = space_of(community)
    start = at(2)
    older = start + timedelta(hours=offset_hours)
    booking_of(space, resident, older, hours=hours)
    newcomer = member(community)
    if clash:
        with pytest.raises(IntegrityError, match="booking_no_overlap"), transaction.atomic():
            booking_of(space, newcomer, start)
    else:
        booking_of(space, newcomer, start)


@pytest.mark.parametrize("change", ["busy_until", "seat", "starts_at"])
def test_the_guard_refuses_an_update_that_reaches_another_booking(community, resident, change):
    space = space_of(community, seats=2)
    start = at(2)
    booking_of(space, resident, start + timedelta(hours=2))  # seat 1, 12:00-13:00
    moved = booking_of(space, member(community), start, seat=2 if change == "seat" else 1)
    if change == "busy_until":
        moved.busy_until = start + timedelta(hours=2, minutes=1)
    elif change == "seat":
        moved.starts_at, moved.ends_at = start + timedelta(hours=2), start + timedelta(hours=3)
        moved.busy_until = moved.ends_at
        moved.save()  # seat 2 at 12:00 is free
        moved.seat = 1
    else:
        moved.starts_at = start + timedelta(hours=2, minutes=30)
        moved.ends_at = moved.busy_until = start + timedelta(hours=3)
    with pytest.raises(IntegrityError, match="booking_no_overlap"), transaction.atomic():
        moved.save()
    moved.refresh_from_db()
    moved.status = BookingStatus.CANCELLED
    moved.save()  # a freed row is never refused
