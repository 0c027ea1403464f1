"""Under CI, the tests behind the headline claims may not skip.

The rules' agreement with pabutools, the router's figures on the shared tickets, the opinion
map's agreement with Polis and the browser journeys all skip, with their reason, on a machine
that lacks the shared data, a test dependency or Chromium. That is right on a developer's laptop
and wrong in CI, where a skip would let a claim go untested while the run stays green. When the
``CI`` variable is set, such a skip (at collection or in a test) is reported as a failure.
Skips that are a choice (PostgreSQL-only tests on SQLite, the opt-in slow runs) stay skips.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

#: What a skip's reason names when something the claim needs is missing.
MUST_RUN = re.compile(r"shared|pabutools|chromium|xgettext|gettext", re.IGNORECASE)


def _reason(report: Any) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def _fail_if_required(report: Any) -> None:
    if not os.environ.get("CI") or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = _reason(report)
    if MUST_RUN.search(reason):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, where it must run: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    outcome = yield
    _fail_if_required(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    outcome = yield
    _fail_if_required(outcome.get_result())
