"""Browser journey of the finance disclosure (issue 3), in Debian's Chromium: a community worker
enters last month's income and an expenditure split over two categories, each with its voucher;
a second worker approves both (the first cannot approve their own); the first publishes the
month's report and puts it on a notice board, which is printed — as print media on screen and
as an A4 PDF — with the numbers and the QR codes on it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gongzhi.disclosure.models import EntryStatus, FinancePeriod, LedgerEntry, NoticeBoard
from tests.disclosure.helpers import PDF, last_month, purge_ledger, second_worker
from tests.e2e.test_journeys import force_login, shot, submit

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _ledger_flushable(transactional_db):
    """The flush after this test deletes rows, which the ledger's triggers refuse."""
    yield
    purge_ledger()


def _enter(page, slug, *, kind, day, counterparty, description, total, lines):
    page.goto(f"/c/{slug}/notices/finance/")
    page.locator(f"a[href='/c/{slug}/notices/finance/entries/new/']").first.click()
    page.check(f"input[name=kind][value={kind}]")
    page.fill("#id_occurred_on", day)
    page.fill("#id_counterparty", counterparty)
    page.fill("#id_description", description)
    page.fill("#id_total", total)
    page.set_input_files(
        "#id_voucher", {"name": "发票.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    for index, (category, amount) in enumerate(lines):
        page.select_option(f"#id_lines-{index}-category", category)
        page.fill(f"#id_lines-{index}-amount", amount)
    submit(page, f"/c/{slug}/notices/finance/entries/new/")


def test_enter_approve_publish_and_print_the_notice_board(new_context, community, worker, e2e):
    slug = community.slug
    start = last_month()
    desk = new_context("desktop")
    force_login(desk, worker, e2e)
    page = desk.new_page()

    # The first worker enters an income and an expenditure split over two categories.
    _enter(
        page,
        slug,
        kind="income",
        day=(start + timedelta(days=1)).isoformat(),
        counterparty="街道办事处",
        description="社区公益金拨款",
        total="20000",
        lines=[("subsidy", "20000")],
    )
    income = LedgerEntry.objects.in_community(community).get(description="社区公益金拨款")
    assert page.url.endswith(f"/c/{slug}/notices/finance/entries/{income.pk}/")
    assert page.locator("#total").inner_text() == "20000.00"
    # An expenditure whose lines do not add up is refused, and nothing is saved.
    _enter(
        page,
        slug,
        kind="expenditure",
        day=(start + timedelta(days=9)).isoformat(),
        counterparty="绿城园林公司",
        description="中心花园补种与修剪",
        total="3000",
        lines=[("greening", "2400"), ("maintenance", "500")],
    )
    assert "账目不平" in page.locator("main .errors").inner_text()
    assert LedgerEntry.objects.in_community(community).count() == 1
    _enter(
        page,
        slug,
        kind="expenditure",
        day=(start + timedelta(days=9)).isoformat(),
        counterparty="绿城园林公司",
        description="中心花园补种与修剪",
        total="3000",
        lines=[("greening", "2400"), ("maintenance", "600")],
    )
    spending = LedgerEntry.objects.in_community(community).get(description="中心花园补种与修剪")
    assert (
        page.locator(
            f"form[action='/c/{slug}/notices/finance/entries/{spending.pk}/approve/']"
        ).count()
        == 0
    )
    shot(page, "disclosure-01-entry")

    # A second worker approves both from the list of entries waiting for approval.
    colleague = second_worker(community)
    other = new_context("desktop")
    force_login(other, colleague, e2e)
    review = other.new_page()
    for entry in (income, spending):
        review.goto(f"/c/{slug}/notices/finance/")
        review.locator(f"#pending a[href='/c/{slug}/notices/finance/entries/{entry.pk}/']").click()
        submit(review, f"/c/{slug}/notices/finance/entries/{entry.pk}/approve/")
        assert colleague.display_name in review.locator("#approved-by").inner_text()
    assert set(LedgerEntry.objects.in_community(community).values_list("status", flat=True)) == {
        EntryStatus.APPROVED
    }

    # The first worker opens last month's report, checks it and publishes it.
    page.goto(f"/c/{slug}/notices/finance/")
    page.select_option("#id_kind", "month")
    page.fill("#id_starts_on", start.isoformat())
    submit(page, f"/c/{slug}/notices/finance/periods/new/")
    period = FinancePeriod.objects.in_community(community).get()
    assert page.locator("#draft").is_visible()
    assert page.locator("[data-field=closing]").inner_text() == "17000.00"
    submit(page, f"/c/{slug}/notices/finance/periods/{period.pk}/publish/")
    assert page.locator("#published").is_visible()
    shot(page, "disclosure-02-report")

    # ... and puts it on a notice board (the report is already ticked).
    page.locator(f"a[href='/c/{slug}/notices/boards/new/?period={period.pk}']").click()
    assert page.locator(f"input[name=periods][value='{period.pk}']").is_checked()
    page.fill("#id_title", "本月财务公示")
    submit(page, f"/c/{slug}/notices/boards/new/")
    board = NoticeBoard.objects.in_community(community).get()
    assert page.url.endswith(f"/c/{slug}/notices/boards/{board.pk}/")

    # Printed: no site header, the numbers, and the QR codes of the report and of the board.
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    board_text = page.locator("#board").inner_text()
    for number in ("20000.00", "3000.00", "2400.00", "600.00", "17000.00"):
        assert number in board_text
    assert page.locator("#board svg.qr").count() == 2
    qr = page.locator("#board-qr svg.qr")
    assert qr.is_visible() and qr.bounding_box()["width"] > 80
    # Scaled by CSS through its viewBox, so the printed code is whole, not clipped.
    assert qr.get_attribute("viewBox").startswith("0 0 ")
    shot(page, "disclosure-03-board-print")
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5_000

    # Anyone can open the board's stable address, logged in or not.
    visitor = new_context("phone").new_page()
    visitor.goto(f"/c/{slug}/notices/boards/{board.pk}/")
    assert "17000.00" in visitor.locator("#board").inner_text()
