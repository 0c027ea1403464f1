"""The tests' settings: the project's own (gongzhi/settings.py), with explicit test keys.

pytest reads this module (pyproject.toml, ``DJANGO_SETTINGS_MODULE``); so do ``make test``,
``make lint`` and the other make targets that are not the demo. The tests run as the demo does
(DEBUG off, ``GONGZHI_DEMO=1``: plain HTTP, static files from the apps' folders, SMS kept in
memory by tests/conftest.py) but never with the keys of a ``var/demo.env``: their own are set
here, before the project's settings are read. Whatever the environment already sets wins (a
database URL, a test database's name).

They go into the environment, and child processes (pytest-xdist's workers, a ``manage.py`` a
test starts) are told to read ``gongzhi.settings``: with this environment those are the same
settings, and a child need not have tests/ on its path.
"""

from __future__ import annotations

import os

TEST_ENVIRONMENT = {
    "DEBUG": "0",
    "GONGZHI_DEMO": "1",
    "SECRET_KEY": "tests-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "JOURNAL_KEY": "tests-only-journal-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "VOTE_KEY": "tests-only-vote-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "CREDENTIAL_KEY": "tests-only-credential-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "MEDIATION_KEY": "tests-only-mediation-key-0123456789abcdefghijklmnopqrstuvwxyz",
}
for _name, _value in TEST_ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)

from gongzhi.settings import *  # noqa: E402,F403

os.environ["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings"
