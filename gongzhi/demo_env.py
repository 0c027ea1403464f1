"""The demo's own settings: ``demo.env`` in the data directory (``var/`` unless
``GONGZHI_DATA_DIR``), written once by ``make demo`` and read by ``settings.py``.

It turns DEBUG off, says that this is the demo (``GONGZHI_DEMO=1``: login codes are printed on
the console, no HTTPS) and holds the demo's own random keys, so that even the demo never runs on
a key that is published with the source. The keys are generated once and kept: the journal of a
seeded demo is chained with them and its secret ballots are keyed by them, so the file is never
written again once it exists (delete the whole data directory to start afresh).

Run as ``python -m gongzhi.demo_env [DATA_DIR]``. It imports nothing from Django: settings.py
loads the file with :func:`load` before it reads any variable.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import sys
from pathlib import Path

FILE_NAME = "demo.env"

#: The keys a data directory seeded before ``demo.env`` existed was written with (the
#: development defaults of settings.py at the time). Kept for such a directory only, so that its
#: journal still verifies and its voters' secret ballots are still theirs.
LEGACY_SECRET_KEY = "dev-only-not-secret-gongzhi-0000000000000000000000000000000000000000"  # noqa: S105


def read(path: Path) -> dict[str, str]:
    """``NAME=value`` lines; blank lines and ``#`` comments are skipped."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if sep and name.strip():
            values[name.strip()] = value.strip()
    return values


def load(path: Path) -> None:
    """Put the file's variables into the environment, unless the environment has them already:
    what is set where the process starts always wins."""
    if path.is_file():
        for name, value in read(path).items():
            os.environ.setdefault(name, value)


def _has_journal(database: Path) -> bool:
    if not database.is_file():
        return False
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            return connection.execute("SELECT 1 FROM core_activity LIMIT 1").fetchone() is not None
        finally:
            connection.close()
    except sqlite3.Error:
        return False


def content(data_dir: Path) -> str:
    if _has_journal(data_dir / "gongzhi.sqlite3"):
        secret_key = journal_key = LEGACY_SECRET_KEY
        vote_key = LEGACY_SECRET_KEY + ":votes"
        # What settings.py derived when no CREDENTIAL_KEY was set: keys already made stay readable.
        credential_key = LEGACY_SECRET_KEY + ":credentials"
        mediation_key = LEGACY_SECRET_KEY + ":mediation"
        origin = (
            "# This data directory was seeded before demo.env existed, with the development keys:\n"
            "# they are kept so that its journal still verifies. For keys of its own, delete the\n"
            "# data directory and run `make run` again.\n"
        )
    else:
        secret_key, journal_key, vote_key, credential_key, mediation_key = (
            secrets.token_urlsafe(50) for _i in range(5)
        )
        origin = (
            "# Keys generated for this demo alone, once: never change them (docs/operations.md).\n"
        )
    return (
        "# The demo's settings, written by `make demo` (gongzhi/demo_env.py) and read by\n"
        "# gongzhi/settings.py. Variables set in the environment win over this file.\n"
        "# Not for production: see docs/operations.md.\n"
        "DEBUG=0\n"
        "GONGZHI_DEMO=1\n"
        f"{origin}"
        f"SECRET_KEY={secret_key}\n"
        f"JOURNAL_KEY={journal_key}\n"
        f"VOTE_KEY={vote_key}\n"
        f"CREDENTIAL_KEY={credential_key}\n"
        f"MEDIATION_KEY={mediation_key}\n"
    )


def write(data_dir: Path) -> bool:
    """Write ``demo.env`` unless it exists; True if it was written."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / FILE_NAME
    try:
        # O_EXCL: never overwrite, even if two `make` runs race; 0600: it holds keys.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(content(data_dir))
    return True


def main(argv: list[str]) -> int:
    default = os.environ.get(
        "GONGZHI_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var")
    )
    data_dir = Path(argv[0] if argv else default)
    if write(data_dir):
        print(f"wrote {data_dir / FILE_NAME}: the demo's settings and its own keys")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
