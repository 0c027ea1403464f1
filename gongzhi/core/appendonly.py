"""Append-only tables, held by the database (SQLite and PostgreSQL triggers).

A ledger whose totals must always equal the sum of its rows cannot let a row change or vanish:
a correction is a new, reversing row. The ORM can be bypassed (a raw UPDATE, the admin, a
script), so the rule lives in triggers that refuse it, as the finance ledger's do
(``disclosure`` migrations 0002/0004). A migration calls::

    migrations.RunPython(*appendonly.operations("volunteering_hoursentry"))

``frozen``: the columns that may never change (default: every UPDATE is refused). Deleting a row
is refused while its community exists; only removing a whole community (and the test runner's
flush, which empties every table) takes its ledger with it.

If a later migration alters a column of such a table, SQLite rebuilds the table and drops its
triggers: run ``operations`` again after it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured

MESSAGE = "ledger rows are append-only: correct an entry with a reversing entry"


def _statements(vendor: str, table: str, frozen: Sequence[str] | None) -> list[str]:
    distinct = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    changed = " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in frozen or ())
    alive = "EXISTS (SELECT 1 FROM core_community WHERE id = OLD.community_id)"
    update_when = f"WHEN ({changed}) " if changed else ""
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} {update_when}"
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} WHEN {alive} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
        ]
    if vendor == "postgresql":
        # A trigger's WHEN cannot hold a subquery: the delete function looks for the community.
        return [
            "CREATE OR REPLACE FUNCTION gongzhi_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; "
            "END; $$ LANGUAGE plpgsql;",
            "CREATE OR REPLACE FUNCTION gongzhi_append_only_delete() RETURNS trigger AS $$ "
            f"BEGIN IF {alive} THEN RAISE EXCEPTION '{MESSAGE}' "
            "USING ERRCODE = 'integrity_constraint_violation'; END IF; RETURN OLD; "
            "END; $$ LANGUAGE plpgsql;",
            f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} FOR EACH ROW {update_when}"
            "EXECUTE FUNCTION gongzhi_append_only();",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
            "EXECUTE FUNCTION gongzhi_append_only_delete();",
        ]
    raise ImproperlyConfigured(f"append-only ledgers need SQLite or PostgreSQL, not {vendor}")


def _drops(vendor: str, table: str) -> list[str]:
    on = f" ON {table}" if vendor == "postgresql" else ""
    return [f"DROP TRIGGER IF EXISTS {table}_{name}{on};" for name in ("frozen", "no_delete")]


def operations(
    *tables: str, frozen: Sequence[str] | None = None
) -> tuple[Callable[[Any, Any], None], Callable[[Any, Any], None]]:
    """(forwards, backwards) for ``migrations.RunPython``: make ``tables`` append-only."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for table in tables:
            for statement in _statements(vendor, table, frozen):
                schema_editor.execute(statement)

    def backwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for table in tables:
            for statement in _drops(vendor, table):
                schema_editor.execute(statement)

    return forwards, backwards
