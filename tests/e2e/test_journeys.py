"""Browser journeys through the real pages, on a phone-sized screen where residents use them.

Run: ``manage.py compile_catalogues; pytest tests/e2e -q -p no:xdist`` (also ``-n 2 --dist
loadfile``). Screenshots of the key steps go to /tmp/e2e-shots/ (E2E_SHOTS_DIR).

Selectors use ids, names, hrefs and form actions, never visible text, so that rewording or
translating a message does not break them. Visible outcomes are still asserted: the language
of the page, numbers, line numbers, and labels taken from the code itself (role and journal
verb labels rendered with ``gettext`` in the page's language).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from gongzhi.core import services
from gongzhi.core.manifests import verb_labels
from gongzhi.core.models import (
    Building,
    Household,
    Membership,
    Role,
    RosterEntry,
    RosterImport,
    VerificationMethod,
)
from gongzhi.notifications.sms import LocmemSmsBackend
from tests.conftest import TOTP_SECRET
from tests.factories import UserFactory

SHOTS = Path(os.environ.get("E2E_SHOTS_DIR", "/tmp/e2e-shots"))  # noqa: S108 - not in the repo
PASSWORD = "correct horse battery"  # tests/factories.py UserFactory
ZH = "zh-hans"
#: Journeys' pages wait longer than the fixture's 10 s: two cores are shared by many, and a
#: loaded machine's first request (templates compiled, the catalogue read) can take that long.
TIMEOUT_MS = 30_000
#: The outline of a drawn chart's path, to compare charts across languages and modes.
PATH_D = re.compile(r'<path[^>]* d="([^"]+)"')

#: A code as allauth makes it (123456 here; BCDF-GHJK by default), inside text in any language.
CODE_RE = re.compile(
    r"(?<![A-Za-z0-9])([A-Z0-9]{3,5}(?:-[A-Z0-9]{3,5})+|[A-Z0-9]{4,9})(?![A-Za-z0-9])"
)
CJK = re.compile(r"[\u4e00-\u9fff]")

LOGOUT_BUTTON = "header form[action='/accounts/logout/'] button[type=submit]"
LOGIN_LINK = "header a[href='/accounts/login/']"
ROSTER_SUBMIT = "main form[enctype='multipart/form-data'] button[type=submit]"


# --- helpers --------------------------------------------------------------------------------


def label(language: str, lazy_text) -> str:
    """A label defined in the code (role, journal verb) as a page in ``language`` shows it."""
    with translation.override(language):
        return str(lazy_text)


def shooter(folder: Path) -> Callable[[Any, str], None]:
    """A ``shot(page, name)`` that saves a full-page screenshot as ``folder/name.png``."""

    def shot(page, name: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return shot


shot = shooter(SHOTS)


def opened(new_context, device: str, **extra):
    """A browser context that waits ``TIMEOUT_MS`` for pages and elements."""
    context = new_context(device, **extra)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


def local_number(phone_e164: str) -> str:
    """+8613700000001 → 13700000001, as a resident types it."""
    return phone_e164.removeprefix("+86")


def sms_code(phone_e164: str, *, timeout: float = 5.0) -> str:
    """The code in the newest SMS sent to ``phone_e164``."""
    deadline = time.monotonic() + timeout
    while True:
        texts = [text for phone, text in LocmemSmsBackend.outbox if phone == phone_e164]
        if texts:
            match = CODE_RE.search(texts[-1])
            assert match, f"no code in the SMS text {texts[-1]!r}"
            return match.group(1)
        if time.monotonic() > deadline:
            raise AssertionError(f"no SMS to {phone_e164}; outbox: {LocmemSmsBackend.outbox!r}")
        time.sleep(0.05)


def totp_code() -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if 30 - time.time() % 30 < 1.5:  # do not send a code that expires on the way
        time.sleep(1.6)
    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))


def force_login(context, user, base_url: str) -> None:
    """A logged-in browser without the UI, for journeys about something else: a real session
    row made by Django's test client, its cookie handed to the browser."""
    from django.conf import settings

    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def submit(page, action: str) -> None:
    """Press the submit button of the form posting to ``action`` and wait for the next page."""
    with page.expect_navigation():
        page.locator(f"main form[action='{action}'] button[type=submit]").first.click()


def html_lang(page) -> str:
    return page.evaluate("() => document.documentElement.lang")


def html_classes(page) -> list[str]:
    return page.evaluate("() => Array.from(document.documentElement.classList)")


def root_font_px(page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")


def assert_no_sideways_scroll(page) -> None:
    # A click that navigates returns once the new document commits, before it has a root
    # element: measure the page that has loaded, not the one still arriving.
    page.wait_for_load_state("load")
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"], f"{page.url} scrolls sideways: {widths}"
    # On a mobile viewport Chromium widens the layout viewport (and innerWidth) to whatever
    # overflows, so the page is also measured against the device's own width.
    device = page.viewport_size["width"] if page.viewport_size else widths["inner"]
    assert widths["scroll"] <= device and widths["inner"] <= device, (
        f"{page.url} is wider than the {device} px screen: {widths}"
    )


def assert_chinese(text: str, what: str) -> None:
    """On a zh-Hans page a message must be in Chinese (catches a missing translation)."""
    assert CJK.search(text), f"{what} is not in Chinese on a Chinese page: {text!r}"


def assert_logged_in(page) -> None:
    assert page.locator(LOGOUT_BUTTON).is_visible(), f"not logged in on {page.url}"
    assert page.locator(LOGIN_LINK).count() == 0


def password_login(page, phone_e164: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_login", local_number(phone_e164))
    page.fill("#id_password", password)
    submit(page, "/accounts/login/")


def upload_roster(page, filename: str, text: str):
    page.set_input_files(
        "#id_file",
        files=[{"name": filename, "mimeType": "text/csv", "buffer": text.encode("utf-8")}],
    )
    with page.expect_navigation() as navigation:
        page.locator(ROSTER_SUBMIT).click()
    return navigation.value


# --- the pages' own assets ------------------------------------------------------------------


@pytest.mark.browser
def test_pages_load_their_stylesheet_and_script(new_context, community, e2e):
    """Every /static/ file a page asks for is served, and the stylesheet takes effect."""
    page = new_context("phone").new_page()
    static = []
    page.on(
        "response",
        lambda r: static.append((r.url, r.status)) if "/static/" in r.url else None,
    )
    page.goto("/", wait_until="load")
    assert any(url.endswith(".css") for url, _s in static), static
    assert any(url.endswith(".js") for url, _s in static), static
    missing = [(url, status) for url, status in static if status != 200]
    assert not missing, f"static files not served: {missing}"
    header_colour = page.evaluate(
        "() => getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    assert header_colour == "rgb(168, 38, 27)", header_colour  # --accent from site.css


# --- (a) a resident on a phone ----------------------------------------------------------------


@pytest.mark.browser
def test_resident_code_login_language_age_friendly_and_record(new_context, community, worker, e2e):
    resident = UserFactory(phone_verified=True, display_name="李秀英")
    membership = services.membership_join(actor=resident, community=community)
    services.membership_verify_in_person(actor=worker, community=community, membership=membership)

    page = new_context("phone").new_page()

    # Log in with a code sent by SMS.
    page.goto("/accounts/login/code/")
    assert html_lang(page) == "zh-Hans"  # Chinese by default
    assert page.locator(LOGIN_LINK).is_visible()
    assert_no_sideways_scroll(page)
    page.fill("#id_phone", local_number(resident.phone))
    shot(page, "a1-code-login-phone")
    submit(page, "/accounts/login/code/")
    assert "/accounts/login/code/confirm/" in page.url
    page.fill("#id_code", sms_code(resident.phone))
    submit(page, "/accounts/login/code/confirm/")
    assert_logged_in(page)
    # After login a resident of one community lands on its home.
    assert page.url.endswith(f"/c/{community.slug}/"), page.url
    assert_no_sideways_scroll(page)
    shot(page, "a2-home-logged-in")

    # English, kept on the account.
    with page.expect_navigation():
        page.click("header button[name=language][value=en]")
    assert html_lang(page) == "en"
    with translation.override("en"):
        assert page.locator(LOGOUT_BUTTON).inner_text().strip() == translation.gettext("Log out")
    assert page.locator("header button[name=language][value=zh-hans]").is_visible()
    resident.refresh_from_db()
    assert resident.language == "en"

    # Age-friendly mode: larger type, kept on the account.
    standard_px = root_font_px(page)
    assert "af" not in html_classes(page)
    with page.expect_navigation():
        page.click("header button[name=enabled][value='1']")
    assert "af" in html_classes(page)
    assert root_font_px(page) > standard_px, "age-friendly type is not larger (site.css?)"
    assert page.locator("header button[name=enabled][value='0']").is_visible()
    resident.refresh_from_db()
    assert resident.age_friendly is True
    assert_no_sideways_scroll(page)
    shot(page, "a3-home-english-age-friendly")

    with page.expect_navigation():
        page.click(LOGOUT_BUTTON)
    assert page.locator(LOGIN_LINK).is_visible()

    # Another phone (no cookies): Chinese and standard type until the resident logs in...
    other = new_context("phone").new_page()
    other.goto("/accounts/login/")
    assert html_lang(other) == "zh-Hans"
    assert "af" not in html_classes(other)
    # ...then their own settings follow them.
    password_login(other, resident.phone)
    assert_logged_in(other)
    assert html_lang(other) == "en"
    assert "af" in html_classes(other)
    assert root_font_px(other) > standard_px

    # The participation record: what they did, and what a worker did for them.
    other.goto(f"/c/{community.slug}/me/")
    assert html_lang(other) == "en"
    assert other.locator("main h1").is_visible()
    rows = other.locator("main table tbody tr")
    assert rows.count() == 2
    newest, oldest = rows.all_inner_texts()
    assert label("en", verb_labels()["membership.verified"]) in newest
    assert worker.display_name in newest  # done by the worker, on the resident's behalf
    assert label("en", verb_labels()["membership.joined"]) in oldest
    assert worker.display_name not in oldest
    assert "2" in other.locator("main table caption").inner_text()
    # Age-friendly mode adds help instead of hiding it (issue 12): the explanations stay.
    if other.locator(".secondary-info").count():
        assert other.locator(".secondary-info").first.is_visible()
    assert_no_sideways_scroll(other)
    shot(other, "a4-participation-record")


# --- (b) roster import, then a listed resident signs up and is verified ------------------------


@pytest.mark.browser
def test_roster_import_then_signup_verifies_resident(new_context, community, worker, e2e):
    new_phone = "+8613912345678"
    assert not RosterEntry.objects.all_communities().filter(phone=new_phone).exists()

    # The community worker logs in with password and authenticator app.
    staff = new_context("desktop").new_page()
    password_login(staff, worker.phone)
    assert "/accounts/2fa/authenticate/" in staff.url
    staff.fill("#id_code", totp_code())
    submit(staff, "/accounts/2fa/authenticate/")
    assert_logged_in(staff)

    staff.goto(f"/c/{community.slug}/staff/roster/")
    response = upload_roster(
        staff, "花名册.csv", "手机号,姓名,楼栋,单元房号\n13912345678,王芳,3号楼,2单元301\n"
    )
    assert response.status == 200
    assert staff.url.endswith(f"/c/{community.slug}/staff/roster/")  # redirected after POST
    message = staff.locator("main .messages .message.success")
    assert message.is_visible()
    assert "1" in message.inner_text()  # one new entry
    assert staff.locator("main .errors").count() == 0
    shot(staff, "b1-roster-imported")
    entry = RosterEntry.objects.in_community(community).get(phone=new_phone)
    assert entry.name == "王芳"
    assert str(entry.household) == "3号楼 2单元301"
    success_text = message.inner_text()
    with staff.expect_navigation():
        staff.click(LOGOUT_BUTTON)
    assert staff.locator(LOGIN_LINK).is_visible()

    # The resident on the roster signs up on their phone with that number.
    page = new_context("phone").new_page()
    page.goto("/accounts/signup/")
    assert_no_sideways_scroll(page)
    page.fill("#id_phone", "139 1234 5678")
    page.fill("#id_display_name", "王芳")
    page.fill("#id_password1", "Qiyue-lantern-2931")
    page.fill("#id_password2", "Qiyue-lantern-2931")
    shot(page, "b2-signup")
    submit(page, "/accounts/signup/")
    # allauth's verify-phone stage: the code arrives by SMS.
    code_input = page.locator("#id_code")
    assert code_input.is_visible(), f"no phone verification step at {page.url}"
    assert_no_sideways_scroll(page)
    shot(page, "b3-verify-phone")
    code_input.fill(sms_code(new_phone))
    with page.expect_navigation():
        # The form's own submit button, not "Cancel" (which belongs to another form).
        code_input.locator("xpath=ancestor::form").locator(
            "button[type=submit]:not([form])"
        ).click()
    assert_logged_in(page)

    membership = Membership.objects.in_community(community).get(user__phone=new_phone)
    assert membership.verified_at is not None
    assert membership.verification_method == VerificationMethod.ROSTER
    assert str(membership.household) == "3号楼 2单元301"

    page.goto(f"/c/{community.slug}/")
    assert html_lang(page) == "zh-Hans"
    tags = [t.strip() for t in page.locator("main .tag").all_inner_texts()]
    assert label(ZH, Role.VERIFIED_RESIDENT.label) in tags, tags
    # The "you are not verified yet" prompt and its letter-code link are gone.
    assert page.locator(f"main a[href='/c/{community.slug}/verify/']").count() == 0
    assert_no_sideways_scroll(page)
    shot(page, "b4-community-verified")

    assert_chinese(success_text, "the roster success message")


# --- (c) a roster with a bad row is rejected whole ----------------------------------------------


@pytest.mark.browser
def test_roster_with_bad_rows_imports_nothing(new_context, community, worker, e2e):
    context = new_context("desktop")
    force_login(context, worker, e2e)
    page = context.new_page()
    buildings_before = Building.objects.in_community(community).count()
    households_before = Household.objects.in_community(community).count()

    page.goto(f"/c/{community.slug}/staff/roster/")
    roster = (
        "手机号,姓名,楼栋,单元房号\n"
        "13912340001,张伟,5号楼,1单元101\n"  # line 2: good
        "12345,李娜,5号楼,1单元102\n"  # line 3: not a mobile number
        "13912340001,张伟,5号楼,1单元101\n"  # line 4: the number is already on line 2
        "13912340003,刘洋,5号楼,\n"  # line 5: a building without a unit
    )
    response = upload_roster(page, "roster.csv", roster)
    assert response.status == 400

    alert = page.locator("main form .errors[role=alert]")
    assert alert.is_visible()
    assert "3" in alert.inner_text()  # three rows to correct
    rows = page.locator("section[aria-labelledby=errors-heading] table tbody tr")
    assert rows.count() == 3
    cells = [[c.strip() for c in r.split("\t")] for r in rows.all_inner_texts()]
    assert [line for line, _problem in cells] == ["3", "4", "5"]
    problems = [problem for _line, problem in cells]
    assert "12345" in problems[0]  # names the bad value
    assert "2" in problems[1]  # names the line it repeats
    assert problems[2] and len(set(problems)) == 3
    assert page.locator(".messages .message.success").count() == 0
    shot(page, "c1-roster-rejected")

    # Nothing at all was saved, not even the good row.
    assert RosterEntry.objects.in_community(community).count() == 0
    assert RosterImport.objects.in_community(community).count() == 0
    assert Building.objects.in_community(community).count() == buildings_before
    assert Household.objects.in_community(community).count() == households_before

    assert_chinese(alert.inner_text(), "the 'nothing was imported' alert")
    for problem in problems:
        assert_chinese(problem, "a row error")


# --- (d) keyboard: the first Tab reaches "skip to main content" -------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_first_tab_focuses_skip_link(new_context, community, e2e, device):
    page = new_context(device).new_page()
    for path in ["/", "/accounts/login/", f"/c/{community.slug}/"]:
        page.goto(path)
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => ({tag: document.activeElement.tagName,"
            " href: document.activeElement.getAttribute('href'),"
            " cls: document.activeElement.className})"
        )
        assert focused == {"tag": "A", "href": "#main", "cls": "skip-link"}, path
        link = page.locator("a.skip-link")
        assert link.inner_text().strip(), path
        box = link.bounding_box()
        viewport = page.viewport_size
        assert box and 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"], (
            f"skip link focused but not on screen on {path}: {box}"
        )
        if device == "phone" and path == "/":
            shot(page, "d1-skip-link-focused")
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main", path
