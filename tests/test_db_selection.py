"""GONGZHI_DB_TESTS_ONLY=1 keeps every test that can reach the database and drops the others."""

from __future__ import annotations

import os
import subprocess
import sys
import unittest
from pathlib import Path
from types import SimpleNamespace

from tests import db_selection

ROOT = Path(__file__).resolve().parents[1]

SAMPLE = """
import pytest


@pytest.fixture
def seeded_once(django_db_setup, django_db_blocker):
    return 1


@pytest.fixture
def member(db):
    return 1


@pytest.mark.django_db
def test_marked():
    pass


def test_db_fixture(db):
    pass


def test_through_a_fixture_of_ours(member):
    pass


def test_a_shared_world(seeded_once):
    pass


def test_transactional(transactional_db):
    pass


def test_admin_client(admin_client):
    pass


@pytest.mark.postgres_only
def test_postgres_only():
    pass


def test_pure():
    pass


def test_settings_and_a_client_alone(settings, client, tmp_path):
    pass


@pytest.mark.parametrize("n", [1, 2])
def test_pure_parametrised(n):
    pass
"""

KEPT = {
    "test_marked",
    "test_db_fixture",
    "test_through_a_fixture_of_ours",
    "test_a_shared_world",
    "test_transactional",
    "test_admin_client",
    "test_postgres_only",
}


def test_pytest_django_items_database_tests_kept_the_others_deselected(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(
        GONGZHI_DB_TESTS_ONLY="1",
        # pytest-django alone: hypothesis', faker's and schemathesis' plugins only cost time here.
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        DJANGO_SETTINGS_MODULE="tests.settings",
        PYTHONPATH=str(ROOT),
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "pytest_django.plugin",
            "-p",
            "tests.db_selection",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
            "-o",
            "markers=postgres_only",
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    collected = {line.split("::")[1] for line in run.stdout.splitlines() if "::" in line}
    assert collected == KEPT
    assert "7/11 tests collected (4 deselected)" in run.stdout


class _Item(SimpleNamespace):
    def get_closest_marker(self, name: str) -> object | None:
        return object() if name in self.markers else None


def _item(
    *, markers: tuple[str, ...] = (), fixtures: list[str] | None = None, cls: type | None = None
) -> _Item:
    # Its own arguments: none; the closure holds what pytest-django's autouse fixtures ask for.
    info = SimpleNamespace(argnames=(), name2fixturedefs={})
    return _Item(markers=markers, fixturenames=fixtures, _fixtureinfo=info, cls=cls)


def test_split_keeps_what_it_cannot_read() -> None:
    class Case(unittest.TestCase):
        pass

    pure = _item(fixtures=["settings", "django_db_blocker"])
    db_test = _item(fixtures=["db"])
    marked = _item(markers=("django_db",), fixtures=[])
    no_closure = _item(fixtures=None)  # an item pytest gives no fixture closure: kept
    unittest_case = _item(fixtures=[], cls=Case)
    own_blocker = _item(fixtures=["settings", "django_db_blocker"])
    own_blocker._fixtureinfo.argnames = ("django_db_blocker",)  # the test asks for it itself
    kept, dropped = db_selection.split(
        [pure, db_test, marked, no_closure, unittest_case, own_blocker]
    )
    assert dropped == [pure]
    assert kept == [db_test, marked, no_closure, unittest_case, own_blocker]
