"""The CI guard turns a skip for missing shared data into a failure, and only under CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SAMPLE = """
import pytest

pabutools = pytest.importorskip("no_such_module_gz", reason="pabutools (test dependency) is missing")


def test_nothing():
    pass
"""

SAMPLE_IN_TEST = """
import pytest


def test_needs_data():
    pytest.skip("the shared Pabulib files are not at /nowhere")


def test_postgres_only():
    pytest.skip("PostgreSQL only")
"""


def _run(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_at_collection.py").write_text(SAMPLE)
    (tmp_path / "test_in_test.py").write_text(SAMPLE_IN_TEST)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = "true"
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rA",
            "--continue-on-collection-errors",
            "-p",
            "tests.ci_guard",
            "-p",
            "no:django",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_a_missing_claim_fails_under_ci_and_a_choice_stays_a_skip(tmp_path):
    out = _run(tmp_path, ci=True).stdout
    assert "ERROR test_at_collection.py" in out, out
    assert "FAILED test_in_test.py::test_needs_data" in out, out
    assert "SKIPPED [1] test_in_test.py" in out and "PostgreSQL only" in out, out
    assert out.count("skipped under CI, where it must run") >= 2, out


def test_on_a_laptop_they_only_skip(tmp_path):
    result = _run(tmp_path, ci=False)
    assert result.returncode == 0, result.stdout
    assert "3 skipped" in result.stdout, result.stdout


def test_the_suite_runs_with_the_guard(pytestconfig):
    assert pytestconfig.pluginmanager.hasplugin("tests.ci_guard")
