"""The ledger's amounts, dates and references cannot be changed in place, even by a raw UPDATE:
a trigger refuses it (SQLite and PostgreSQL). Approval still writes status and approver, and
deleting a user still clears ``entered_by``; a correction is a new, reversing entry."""

from django.db import migrations

ENTRY_FIELDS = (
    "kind",
    "occurred_on",
    "counterparty",
    "description",
    "total_fen",
    "reverses_id",
    "replaces_id",
)
LINE_FIELDS = ("entry_id", "category", "amount_fen")
MESSAGE = "ledger rows are append-only: correct an entry with a reversing entry"


def _changed(fields, distinct):
    return " OR ".join(f"OLD.{f} {distinct} NEW.{f}" for f in fields)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    tables = (
        ("disclosure_ledgerentry", ENTRY_FIELDS),
        ("disclosure_ledgerline", LINE_FIELDS),
    )
    if vendor == "sqlite":
        for table, fields in tables:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} "
                f"WHEN {_changed(fields, 'IS NOT')} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
            )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION disclosure_ledger_frozen() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; "
            "END; $$ LANGUAGE plpgsql;"
        )
        for table, fields in tables:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} FOR EACH ROW "
                f"WHEN ({_changed(fields, 'IS DISTINCT FROM')}) "
                "EXECUTE FUNCTION disclosure_ledger_frozen();"
            )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in ("disclosure_ledgerentry", "disclosure_ledgerline"):
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen;")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table};")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS disclosure_ledger_frozen();")


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
