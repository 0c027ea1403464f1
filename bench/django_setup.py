"""One way for a bench to start Django against its own database: production's settings
(``bench/settings.py``) with this run's own keys, migrated, with the hashed static files."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def setup_django(url: str, data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",  # production's, with this run's own keys
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        # A run's own journal key: the evaluation bench's pseudonyms need not match across runs
        # (its rollups are rebuilt and its export compared within the run).
        JOURNAL_KEY=secrets.token_urlsafe(40),
        VOTE_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="testserver,127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        GONGZHI_DATA_DIR=str(data_dir),
        TASKS_BACKEND="immediate",
        CONN_MAX_AGE="60",  # one connection throughout, as a server's worker keeps it
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG=0: the hashed names
