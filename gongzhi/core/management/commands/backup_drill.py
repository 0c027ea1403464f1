"""Prove that the latest backup restores: restore it into a fresh database and verify the
activity journal there (``journal_verify``), then throw the copy away.

- SQLite: the backup is copied (sqlite3 backup API) into a new file in a temporary directory.
- PostgreSQL: a new database ``<name>_drill_<time>`` is created, filled with ``pg_restore`` and
  dropped afterwards.

Prints ``key=value`` lines — ``backup=``, ``restored_into=``, ``restored_tables=``,
``communities=``, ``journal_entries=``, ``journal_ok=yes|no``, ``seconds=`` — and exits non-zero
when the restore or the journal check fails. Run it after each backup from cron.
"""

from __future__ import annotations

import io
import subprocess  # noqa: S404 - runs pg_restore, with arguments, never a shell
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend

from gongzhi.core.management.commands.backup import (
    SUFFIXES,
    backup_dir,
    engine_of,
    pg_env,
    sqlite_copy,
    tool,
)

DRILL_ALIAS = "backup_drill"


def latest_backup(directory: Path, engine: str) -> Path:
    backups = sorted(directory.glob(f"gongzhi-*{SUFFIXES[engine]}"))
    if not backups:
        raise CommandError(f"no {engine} backup in {directory}")
    return backups[-1]


@contextmanager
def as_default(settings_dict: dict[str, Any]) -> Iterator[Any]:
    """Make ``settings_dict``'s database the default connection for the block: the commands
    run inside it (``journal_verify``) read the restored copy, not the live database."""
    drill = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, DRILL_ALIAS)
    original = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = drill
    try:
        yield drill
    finally:
        drill.close()
        connections[DEFAULT_DB_ALIAS] = original


class Command(BaseCommand):
    help = "Restore the latest backup into a fresh database and verify its activity journal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", help="where backups are (as for manage.py backup)")
        parser.add_argument("--backup", help="this backup file instead of the latest")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        live = connections[options["database"]].settings_dict
        engine = engine_of(live)
        if options["backup"]:
            backup = Path(options["backup"])
            if not backup.is_file():
                raise CommandError(f"no backup file {backup}")
        else:
            backup = latest_backup(backup_dir(options["dir"]), engine)
        self.stdout.write(f"backup={backup}")
        started = time.monotonic()
        if engine == "sqlite":
            with tempfile.TemporaryDirectory(prefix="gongzhi-drill-") as scratch:
                target = Path(scratch) / "restored.sqlite3"
                sqlite_copy(str(backup), target)
                self.stdout.write(f"restored_into={target}")
                ok = self._check({**live, "NAME": str(target)})
        else:
            ok = self._postgresql(live, backup)
        self.stdout.write(f"seconds={time.monotonic() - started:.2f}")
        if not ok:
            raise CommandError("the backup drill failed: the restored journal does not verify")

    def _postgresql(self, live: dict[str, Any], backup: Path) -> bool:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        name = f"{live['NAME']}_drill_{stamp}"[:63]
        env = pg_env(live)
        self._psql_admin(live, f'CREATE DATABASE "{name}"')
        try:
            self.stdout.write(f"restored_into={name}")
            result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
                [
                    tool("pg_restore"),
                    "--no-owner",
                    "--exit-on-error",
                    "--dbname",
                    name,
                    str(backup),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                self.stdout.write("restored_tables=0")
                self.stdout.write("journal_ok=no")
                self.stderr.write(f"pg_restore failed: {result.stderr.strip()}")
                return False
            return self._check({**live, "NAME": name})
        finally:
            self._psql_admin(live, f'DROP DATABASE IF EXISTS "{name}"')

    def _psql_admin(self, live: dict[str, Any], statement: str) -> None:
        """CREATE and DROP DATABASE run outside any transaction, on a connection of their own
        to the server's maintenance database."""
        import psycopg
        from psycopg.conninfo import make_conninfo

        params = {
            "dbname": "postgres",
            "host": live.get("HOST") or None,
            "port": live.get("PORT") or None,
            "user": live.get("USER") or None,
            "password": live.get("PASSWORD") or None,
        }
        conninfo = make_conninfo(**{k: str(v) for k, v in params.items() if v})
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(statement.encode())

    def _check(self, settings_dict: dict[str, Any]) -> bool:
        with as_default(settings_dict) as drill:
            tables = drill.introspection.table_names()
            self.stdout.write(f"restored_tables={len(tables)}")
            from gongzhi.core.models import Activity, Community

            self.stdout.write(f"communities={Community.objects.count()}")
            self.stdout.write(f"journal_entries={Activity.objects.all_communities().count()}")
            report = io.StringIO()
            try:
                call_command("journal_verify", stdout=report)
                ok = True
            except CommandError as error:
                report.write(f"{error}\n")
                ok = False
        for line in report.getvalue().splitlines():
            if line.startswith("BROKEN"):
                self.stderr.write(line)
        self.stdout.write(f"journal_ok={'yes' if ok else 'no'}")
        return ok
