"""No two occupying bookings of one seat overlap: the database's own guarantee.

PostgreSQL: an exclusion constraint over the space, the seat and the range
``[starts_at, busy_until)`` of bookings that are confirmed, pending (a hold) or held for a draw,
with ``btree_gist`` for the equality parts (a trusted extension: the database's owner may create
it). SQLite has no exclusion constraint: two triggers refuse the insert or update instead, and
SQLite's write transactions are serialised besides. Both raise an integrity error whose message
names ``booking_no_overlap``, which the booking engine turns into "this time is already taken".

A constraint cannot read the clock, so a hold past its time still occupies its range until a
booking transaction expires it (``booking.expire_holds``)."""

from django.db import migrations

OCCUPYING = "('pending', 'confirmed', 'draw')"

POSTGRES = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE spaces_booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (
    space_id WITH =, seat WITH =, tstzrange(starts_at, busy_until, '[)') WITH &&
) WHERE (status IN {OCCUPYING});
"""
POSTGRES_REVERSE = "ALTER TABLE spaces_booking DROP CONSTRAINT IF EXISTS booking_no_overlap;"

_CLASH = f"""SELECT RAISE(ABORT, 'booking_no_overlap: this time is already taken')
    WHERE EXISTS (
        SELECT 1 FROM spaces_booking AS other
        WHERE other.space_id = NEW.space_id AND other.seat = NEW.seat
          AND other.status IN {OCCUPYING}
          AND other.starts_at < NEW.busy_until AND NEW.starts_at < other.busy_until
          AND other.id IS NOT NEW.id
    );"""

SQLITE = [
    f"""CREATE TRIGGER booking_no_overlap_insert BEFORE INSERT ON spaces_booking
    WHEN NEW.status IN {OCCUPYING}
    BEGIN {_CLASH} END;""",
    f"""CREATE TRIGGER booking_no_overlap_update
    BEFORE UPDATE OF space_id, seat, starts_at, busy_until, status ON spaces_booking
    WHEN NEW.status IN {OCCUPYING}
    BEGIN {_CLASH} END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS booking_no_overlap_insert;",
    "DROP TRIGGER IF EXISTS booking_no_overlap_update;",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("spaces", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
