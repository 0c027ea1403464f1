"""``GONGZHI_DB_TESTS_ONLY=1``: run only the tests that can reach the database.

CI runs the suite on SQLite, then again on PostgreSQL. A test that cannot touch the database
gives the same result on both, so the second pass deselects it (.ci/run). pytest-django refuses
database access to any test that did not ask for it, and a test asks in one of three ways, all
visible before it runs: the ``django_db`` marker, a database fixture in its fixture closure
(``db``, ``transactional_db``, ``live_server``, ``admin_client`` through ``db``, ...), or
pytest-django's ``django_db_blocker``/``django_db_setup`` requested by a fixture of ours (a
shared world seeded once, as in tests/test_demo_street.py). Anything this module cannot read
(an item with no fixture closure, a unittest ``TestCase``) is kept: when in doubt, run it.

No Django import here: ``-p tests.db_selection`` loads it before Django is set up
(tests/test_db_selection.py runs it that way on sample tests).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

ENV = "GONGZHI_DB_TESTS_ONLY"

#: Fixtures that open the database to a test (pytest-django's own, and its helpers).
DB_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
        "django_db_setup",
        "_django_db_helper",
    }
)

#: Asked for by pytest-django's autouse fixtures in every test; only our own use of it counts.
BLOCKER = "django_db_blocker"

#: Markers that name a database test even without ``django_db``.
DB_MARKERS = ("django_db", "postgres_only")


def _requests_blocker(item: Any) -> bool:
    """Does the test, or a fixture not from pytest-django, ask for the blocker itself?"""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return True
    if BLOCKER in info.argnames:
        return True
    for defs in info.name2fixturedefs.values():
        for fixturedef in defs:
            module = getattr(fixturedef.func, "__module__", "") or ""
            if module.startswith("pytest_django"):
                continue
            if BLOCKER in fixturedef.argnames or "django_db_setup" in fixturedef.argnames:
                return True
    return False


def uses_database(item: Any) -> bool:
    """True unless the item certainly cannot reach the database."""
    if any(item.get_closest_marker(name) is not None for name in DB_MARKERS):
        return True
    if getattr(item, "cls", None) is not None and _is_unittest_case(item.cls):
        return True
    names = getattr(item, "fixturenames", None)
    if names is None:
        return True
    if DB_FIXTURES & set(names):
        return True
    return _requests_blocker(item)


def _is_unittest_case(cls: type) -> bool:
    import unittest

    return isinstance(cls, type) and issubclass(cls, unittest.TestCase)


def split(items: list[Any]) -> tuple[list[Any], list[Any]]:
    """(kept, dropped): the database tests, and those that cannot reach the database."""
    kept: list[Any] = []
    dropped: list[Any] = []
    for item in items:
        (kept if uses_database(item) else dropped).append(item)
    return kept, dropped


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(ENV) != "1":
        return
    kept, dropped = split(items)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
