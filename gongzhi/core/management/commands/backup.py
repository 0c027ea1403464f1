"""Back up the database into a directory of timestamped files, while the site runs.

- SQLite: the sqlite3 online backup API (a consistent copy page by page, safe beside writers in
  WAL mode) into ``gongzhi-<UTC time>.sqlite3``.
- PostgreSQL: ``pg_dump -Fc`` (one consistent snapshot, custom format for ``pg_restore``) into
  ``gongzhi-<UTC time>.dump``.

Prints ``key=value`` lines (``backup=…``, ``engine=…``, ``bytes=…``, ``seconds=…``) and keeps the
newest ``--keep`` backups of the directory. ``manage.py backup_drill`` restores the latest one
into a fresh database and verifies its journal (docs/operations.md, "Backup and restore").
Uploaded files (``var/media/``) and the keys are backed up apart from the database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - runs pg_dump, with arguments, never a shell
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".dump"}


def backup_dir(option: str | None) -> Path:
    configured = option or os.environ.get("GONGZHI_BACKUP_DIR")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "backups"


def engine_of(settings_dict: dict[str, Any]) -> str:
    engine = settings_dict["ENGINE"]
    if "sqlite3" in engine:
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise CommandError(f"backups support SQLite and PostgreSQL, not {engine}")


def pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The libpq environment for the command-line tools: the password never on a command line."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise CommandError(f"{name} is not installed (PostgreSQL's client tools)")
    return found


def sqlite_copy(source: str, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while others write."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(str(target))
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


class Command(BaseCommand):
    help = "Back up the database into timestamped files (SQLite online backup, pg_dump -Fc)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", help="where backups go (default: $GONGZHI_BACKUP_DIR or var/backups)"
        )
        parser.add_argument(
            "--keep", type=int, default=30, help="keep this many newest backups (0: keep all)"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        settings_dict = connections[options["database"]].settings_dict
        engine = engine_of(settings_dict)
        directory = backup_dir(options["dir"])
        directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = directory / f"gongzhi-{stamp}{SUFFIXES[engine]}"
        partial = target.with_name(target.name + ".partial")
        started = time.monotonic()
        if engine == "sqlite":
            name = str(settings_dict["NAME"])
            if name == ":memory:" or "mode=memory" in name or not Path(name).exists():
                raise CommandError(f"no SQLite database file at {name!r}")
            sqlite_copy(name, partial)
        else:
            result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
                [
                    tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--file",
                    str(partial),
                    str(settings_dict["NAME"]),
                ],
                env=pg_env(settings_dict),
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                partial.unlink(missing_ok=True)
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        # Renamed only when complete, so the drill never picks up half a backup.
        partial.rename(target)
        removed = self._prune(directory, SUFFIXES[engine], options["keep"])
        self.stdout.write(f"backup={target}")
        self.stdout.write(f"engine={engine}")
        self.stdout.write(f"bytes={target.stat().st_size}")
        self.stdout.write(f"seconds={time.monotonic() - started:.2f}")
        self.stdout.write(f"pruned={removed}")

    def _prune(self, directory: Path, suffix: str, keep: int) -> int:
        if keep <= 0:
            return 0
        backups = sorted(directory.glob(f"gongzhi-*{suffix}"))
        old = backups[:-keep]
        for path in old:
            path.unlink()
        return len(old)
