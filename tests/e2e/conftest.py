"""Fixtures for the browser journeys: Debian's Chromium driven by Playwright (sync API).

* Chromium is never downloaded: ``tests.browser.chromium_path()`` finds the system build. If
  there is none the journeys are skipped, loudly; when the ``CI`` variable is set they fail.
* The Django app runs in pytest-django's ``live_server`` thread, in this process, on the
  file-based SQLite test database; ``transactional_db`` lets both threads see the same rows.
  SMS go to ``LocmemSmsBackend.outbox`` (set up by ``tests/conftest.py``), which this process
  can read directly.
* Playwright's sync API keeps an asyncio loop running in the main thread while it is started,
  so Django's ORM (used by fixtures and DB assertions here) would refuse to run
  ("SynchronousOnlyOperation"). Playwright is therefore started per *module* and
  ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set only for as long as it runs; other test modules that
  share an xdist worker see neither.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator

import pytest

from tests.browser import chromium_path, watch_csp

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DEVICES = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}

#: A resident's browser on a phone in China: Accept-Language zh-CN, Beijing time.
LOCALE = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        reason = (
            "NO CHROMIUM FOUND: browser journeys NOT RUN. Install Debian's `chromium` package "
            "or set CHROMIUM_PATH (never `playwright install`)."
        )
        if os.environ.get("CI"):
            pytest.fail(reason + " CI is set, so this is a failure.", pytrace=False)
        warnings.warn(reason, pytest.PytestWarning, stacklevel=1)  # shown without -rs
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        chromium = manager.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def e2e(browser, live_server, transactional_db):
    """The server's base URL; the cache (rate limits, used TOTP codes) is emptied first."""
    from django.core.cache import cache

    cache.clear()
    return live_server.url


@pytest.fixture
def new_context(browser, e2e):
    """``new_context("phone")`` opens a fresh browser profile (no cookies); all are closed after.

    Every page the journey opens is watched for Content-Security-Policy violations: a journey
    that passes while the policy blocked a script, a handler or a style on the way fails here.
    """
    contexts = []
    violations: list[str] = []

    def make(device: str = "phone", **extra):
        options = {**LOCALE, **DEVICES[device], "base_url": e2e, **extra}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append((context, watch_csp(context)))
        return context

    yield make
    for context, seen in contexts:
        context.close()
        violations.extend(seen)
    if violations:
        pytest.fail(
            "The Content-Security-Policy blocked something:\n" + "\n".join(violations),
            pytrace=False,
        )
