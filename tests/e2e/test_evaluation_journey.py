"""Browser journey of evaluation (issue 13), in Debian's Chromium: a community worker opens the
dashboard from the staff console on a phone, switches to the age-friendly mode, reads the gap
between older residents and everyone else in the table behind it, opens the printable report,
prints it (Chromium's own print to PDF, with the print stylesheet) and downloads report.pdf.
Checked on the way: no sideways scrolling, axe-core at zero WCAG A/AA violations, and the
journey's Content-Security-Policy watcher (no inline style or script on these pages)."""

from __future__ import annotations

import pytest

from tests.e2e.a11y import axe_violations
from tests.e2e.test_journeys import assert_no_sideways_scroll, force_login, html_classes, shot
from tests.evaluation.pages_world import build

pytestmark = pytest.mark.browser


def test_worker_reads_a_group_gap_and_prints_the_report(new_context, community, worker, e2e):
    world = build(community)
    slug = community.slug
    dashboard = f"/c/{slug}/evaluation/"
    context = new_context("phone", accept_downloads=True)
    context.set_default_timeout(60_000)  # a long page on a shared machine (full-page shots)
    force_login(context, worker, e2e)
    page = context.new_page()
    page.goto(f"/c/{slug}/")
    with page.expect_navigation():
        page.locator(f"main a[href='{dashboard}']").first.click()
    assert page.url.endswith(dashboard)
    assert_no_sideways_scroll(page)
    card = page.locator("#ind-participation-rate")
    assert card.locator(".figure-value").inner_text().strip() == "75.0%"
    assert card.locator("svg[role=img]").is_visible()
    # In the standard mode the table behind the chart waits behind its summary.
    assert not card.locator("details.chart-table table").is_visible()
    shot(page, "evaluation-01-dashboard")

    # The age-friendly mode: larger text; the table behind a chart still waits behind its
    # summary (open tables made the page ~58,000 px long on a phone) and opens on a tap.
    with page.expect_navigation():
        page.locator("header .prefs button[name=enabled][value='1']").click()
    assert "af" in html_classes(page)
    assert_no_sideways_scroll(page)
    card = page.locator("#ind-participation-rate")
    assert not card.locator("details.chart-table table").is_visible()
    card.locator("details.chart-table > summary").click()
    assert card.locator("details.chart-table table").is_visible()
    month = world.last.strftime("%Y-%m")
    assert card.locator("details.chart-table tbody tr").first.locator("th").inner_text() == month
    elderly = card.locator("table[data-dimension=elderly]")
    assert elderly.is_visible()
    assert "+50.0" in elderly.locator("caption").inner_text()
    rows = elderly.locator("tbody tr")
    assert rows.nth(0).locator("td").first.inner_text().strip() == "100.0%"
    assert rows.nth(1).locator("td").first.inner_text().strip() == "50.0%"
    hidden = card.locator("table[data-dimension=low_income] tbody tr.suppressed")
    assert hidden.count() == 2 and "—" in hidden.first.inner_text()
    assert not axe_violations(page), axe_violations(page)
    shot(page, "evaluation-02-age-friendly-gap")

    # The printable report, printed (A4, the print stylesheet) and downloaded as a PDF.
    with page.expect_navigation():
        page.locator(f"main a[href='/c/{slug}/evaluation/report/']").first.click()
    assert_no_sideways_scroll(page)
    assert not axe_violations(page), axe_violations(page)
    shot(page, "evaluation-03-report")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator("[data-print]").is_hidden()
    printed = page.pdf(format="A4", print_background=True)
    assert printed.startswith(b"%PDF") and len(printed) > 10_000
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.locator(f"main a[href='/c/{slug}/evaluation/report.pdf']").first.click()
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
