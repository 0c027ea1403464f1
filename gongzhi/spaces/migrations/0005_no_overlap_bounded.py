"""SQLite's no-overlap triggers read only the bookings that end after the new one starts.

0002's triggers look for a clash through the (space, starts_at) index, bounded on one side only
(``starts_at < NEW.busy_until``): every booking of the space that starts before the new one ends,
which on a space with years of history is nearly all of its rows, for every insert. The clash test
itself is unchanged (same seat, occupying, ``[starts_at, busy_until)`` ranges meet); what changes
is the index it can use: (space, seat, busy_until), where ``busy_until > NEW.starts_at`` is a range
on the index's last column. A booking in the past ends before the new one starts and is never
read; what is read is the seat's bookings still running or ahead of the new one's start, which the
spaces' booking horizon keeps small. No bound on the length of a booking is assumed (a space's
longest booking may change; a booking made under older rules must still be seen), so the guard
refuses exactly what 0002's did.

SQLite only: PostgreSQL's exclusion constraint (0002) is a GiST index and already reads only what
overlaps. The index is not in the model's ``Meta.indexes`` (it serves the trigger alone and exists
on SQLite only). No column of Booking is altered: on SQLite that would rebuild the table and drop
the triggers."""

import importlib

from django.db import migrations

OCCUPYING = "('pending', 'confirmed', 'draw')"

INDEX = (
    "CREATE INDEX IF NOT EXISTS booking_seat_busy ON spaces_booking (space_id, seat, busy_until);"
)
INDEX_REVERSE = "DROP INDEX IF EXISTS booking_seat_busy;"

_CLASH = f"""SELECT RAISE(ABORT, 'booking_no_overlap: this time is already taken')
    WHERE EXISTS (
        SELECT 1 FROM spaces_booking AS other
        WHERE other.space_id = NEW.space_id AND other.seat = NEW.seat
          AND other.busy_until > NEW.starts_at AND other.starts_at < NEW.busy_until
          AND other.status IN {OCCUPYING}
          AND other.id IS NOT NEW.id
    );"""  # noqa: S608 - constants only

SQLITE = [
    "DROP TRIGGER IF EXISTS booking_no_overlap_insert;",
    "DROP TRIGGER IF EXISTS booking_no_overlap_update;",
    INDEX,
    f"""CREATE TRIGGER booking_no_overlap_insert BEFORE INSERT ON spaces_booking
    WHEN NEW.status IN {OCCUPYING}
    BEGIN {_CLASH} END;""",
    f"""CREATE TRIGGER booking_no_overlap_update
    BEFORE UPDATE OF space_id, seat, starts_at, busy_until, status ON spaces_booking
    WHEN NEW.status IN {OCCUPYING}
    BEGIN {_CLASH} END;""",
]


def _previous() -> list[str]:
    """0002's triggers, as 0002 wrote them."""
    before = importlib.import_module("gongzhi.spaces.migrations.0002_no_overlap")
    return [
        "DROP TRIGGER IF EXISTS booking_no_overlap_insert;",
        "DROP TRIGGER IF EXISTS booking_no_overlap_update;",
        *before.SQLITE,
        INDEX_REVERSE,
    ]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in _previous():
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("spaces", "0004_revival_drop_reason")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
