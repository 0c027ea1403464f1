"""The ledger's append-only rule, complete (SQLite and PostgreSQL triggers):

- amounts, dates, references and a line's note cannot change in place (0002 left out the note);
- a decision is final: once an entry is approved or refused, its status, approver, decision
  time and reason cannot change;
- no ledger row is deleted, not even by a raw DELETE.

Deleting a user still clears ``entered_by``. A correction is a new, reversing entry.
If a later migration alters a column of these tables, SQLite rebuilds the table and drops its
triggers: call ``drop`` and ``create`` from here again (as 0003 does with 0002's).
"""

from django.db import migrations

ENTRY = "disclosure_ledgerentry"
LINE = "disclosure_ledgerline"
FROZEN = {
    ENTRY: (
        "kind",
        "occurred_on",
        "counterparty",
        "description",
        "total_fen",
        "reverses_id",
        "replaces_id",
    ),
    LINE: ("entry_id", "category", "amount_fen", "note"),
}
DECISION = ("status", "approved_by_id", "decided_at", "rejection_reason")
MESSAGE = "ledger rows are append-only: correct an entry with a reversing entry"
DECIDED = "a decision on a ledger entry is final"


def _changed(fields, distinct):
    return " OR ".join(f"OLD.{f} {distinct} NEW.{f}" for f in fields)


def _conditions(distinct):
    """(trigger name, table, event, WHEN condition or None, message)."""
    decided = (
        f"(OLD.status <> 'pending' AND ({_changed(DECISION, distinct)})) "
        f"OR (OLD.approved_by_id IS NOT NULL AND OLD.approved_by_id {distinct} "
        "NEW.approved_by_id)"
    )
    out = []
    for table, fields in FROZEN.items():
        out.append((f"{table}_frozen", table, "UPDATE", _changed(fields, distinct), MESSAGE))
        out.append((f"{table}_no_delete", table, "DELETE", None, MESSAGE))
    out.append((f"{ENTRY}_decided", ENTRY, "UPDATE", decided, DECIDED))
    return out


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name, table, event, when, message in _conditions("IS NOT"):
            condition = f"WHEN {when} " if when else ""
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} {condition}"
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
            )
    elif vendor == "postgresql":
        for function, message in (
            ("disclosure_ledger_frozen", MESSAGE),
            ("disclosure_ledger_decided", DECIDED),
        ):
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{message}' "
                "USING ERRCODE = 'integrity_constraint_violation'; END; $$ LANGUAGE plpgsql;"
            )
        for name, table, event, when, message in _conditions("IS DISTINCT FROM"):
            function = "disclosure_ledger_decided" if message == DECIDED else "disclosure_ledger_frozen"
            condition = f"WHEN ({when}) " if when else ""
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW {condition}"
                f"EXECUTE FUNCTION {function}();"
            )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, table, _event, _when, _message in _conditions("IS NOT"):
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS disclosure_ledger_decided();")


def _previous():
    import importlib

    return importlib.import_module("gongzhi.disclosure.migrations.0002_ledger_append_only")


def forwards(apps, schema_editor):
    _previous().drop(apps, schema_editor)
    create(apps, schema_editor)


def backwards(apps, schema_editor):
    drop(apps, schema_editor)
    _previous().create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0003_reversal_once_unless_refused")]

    operations = [migrations.RunPython(forwards, backwards)]
