"""The Content-Security-Policy in a real browser: the watcher every journey uses sees what the
policy blocks, and the pages whose script the policy could break still work under it — the
API's interactive docs, Django's admin, the printable pages, the hotline's "use where I am"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser import watch_csp
from tests.conftest import TOTP_SECRET
from tests.e2e.test_journeys import force_login
from tests.factories import UserFactory

POLICY = "default-src 'self'; script-src 'self'; style-src 'self'"


@pytest.mark.browser
def test_the_watcher_sees_blocked_script_handler_and_style(browser, e2e):
    """Without this, a journey could pass while the policy silently broke its page."""
    context = browser.new_context()
    try:
        seen = watch_csp(context)
        page = context.new_page()
        page.route(
            "**/probe",
            lambda route: route.fulfill(
                content_type="text/html",
                headers={"Content-Security-Policy": POLICY},
                body=(
                    "<!DOCTYPE html><p style='color:red'>x</p><script>window.ran = 1</script>"
                    "<button onclick='window.ran = 2'>b</button>"
                ),
            ),
        )
        page.goto(e2e + "/probe")
        page.click("button")
        page.wait_for_timeout(200)
        assert page.evaluate("() => window.ran") is None
        text = "\n".join(seen)
        assert "script-src" in text and "style-src" in text, text
        assert len(seen) >= 3, seen
    finally:
        context.close()


@pytest.mark.browser
def test_api_docs_run_under_the_policy(new_context, e2e):
    page = new_context("desktop").new_page()
    page.goto("/api/v1/docs")
    # Swagger UI is drawn by its script from the served OpenAPI document (now ~750 kB, parsed in
    # the page: on a loaded 2-core runner that took over the default 10 s twice).
    page.locator(".swagger-ui .info .title").wait_for(timeout=45_000)
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 10


@pytest.mark.browser
def test_admin_runs_under_the_policy(new_context, e2e):
    from allauth.mfa.totp.internal.auth import TOTP

    admin = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(admin, TOTP_SECRET)
    context = new_context("desktop")
    force_login(context, admin, e2e)
    page = context.new_page()
    page.goto("/admin/")
    page.locator("#site-name").wait_for()
    page.goto("/admin/core/community/")
    page.locator("#changelist").wait_for()
    # The change list's "select all" box is wired by the admin's own script.
    boxes = page.locator("#action-toggle")
    if boxes.count():
        boxes.check()


@pytest.mark.browser
def test_print_buttons_print(new_context, community, e2e):
    """The notice board's and the letters' Print buttons had inline onclick handlers."""
    from gongzhi.disclosure import services

    worker = _staff(community)
    notice = services.announcement_create(
        actor=worker,
        community=community,
        title="停水通知",
        body="周三上午九点到十二点停水。",
        category="general",
        publish=True,
    )
    board = services.board_create(
        actor=worker, community=community, title="一号公示栏", announcements=[notice.pk]
    )
    context = new_context("desktop")
    context.add_init_script("window.print = function () { window.printed = true; };")
    force_login(context, worker, e2e)
    page = context.new_page()
    page.goto(reverse("board_detail", args=[community.slug, board.pk]))
    page.locator("button[data-print]").click()
    assert page.evaluate("() => window.printed") is True


@pytest.mark.browser
def test_use_where_i_am_fills_the_map_point(new_context, community, e2e):
    """The hotline form's geolocation button had an inline script."""
    from gongzhi.feedback import services
    from tests.factories import member

    services.categories_install_defaults(community=community)
    resident = member(community)
    context = new_context(
        "phone",
        geolocation={"latitude": 39.9042, "longitude": 116.4074},
        permissions=["geolocation"],
    )
    force_login(context, resident, e2e)
    page = context.new_page()
    page.goto(reverse("hotline_file", args=[community.slug]))
    page.locator("#locate").click()
    page.wait_for_function("() => document.getElementById('id_latitude').value !== ''")
    assert page.input_value("#id_latitude") == "39.904200"
    assert page.input_value("#id_longitude") == "116.407400"


def _staff(community):
    from allauth.mfa.totp.internal.auth import TOTP

    from gongzhi.core.models import Role
    from tests.factories import member

    user = member(community, Role.COMMUNITY_WORKER)
    TOTP.activate(user, TOTP_SECRET)
    return user
