"""Defects a review found in information disclosure, each held by a test: pending corrections on
the public entry page, amounts exported as text, gaps in the database's append-only rule,
500s on huge amounts and far-future periods, and feeds and boards that cost queries per item."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.accounts.services import api_token_create
from gongzhi.disclosure import services
from gongzhi.disclosure.models import EntryStatus, FinancePeriod, LedgerEntry, LedgerLine
from gongzhi.disclosure.services import LineIn
from tests.disclosure.helpers import approved, last_month, pdf, record, second_worker

D = timedelta(days=1)


def _month(community, worker, starts_on=None):
    return services.finance_period_create(
        actor=worker, community=community, kind="month", starts_on=starts_on or last_month()
    )


def _auth(user):
    _t, raw = api_token_create(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- 1. Pending corrections are drafts -------------------------------------------------------


@pytest.mark.django_db
def test_the_public_entry_page_shows_only_approved_corrections(
    community, worker, approver, resident, client
):
    original = approved(community, worker, approver)
    services.finance_period_publish(actor=worker, period=_month(community, worker))
    correction = services.ledger_entry_correct(
        actor=worker,
        entry=original,
        reason="金额有误",
        replacement={"total": "90", "lines": [LineIn("maintenance", "90")]},
    )
    reversal, replacement = correction.reversal, correction.replacement
    url = reverse("finance_entry", args=[community.slug, original.pk])

    def page(user=None):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    for viewer in (None, resident):
        shown = page(viewer)
        assert "Reversed by entry" not in shown and "replaced by entry" not in shown
        assert f"#{reversal.pk}" not in shown and f"#{replacement.pk}" not in shown
    staff = page(worker)
    assert f"Reversed by entry #{reversal.pk}" in staff
    assert f"replaced by entry #{replacement.pk}" in staff

    services.ledger_entry_approve(actor=approver, entry=reversal)
    shown = page()
    assert f"Reversed by entry #{reversal.pk}" in shown
    assert "replaced by entry" not in shown and f"#{replacement.pk}" not in shown
    services.ledger_entry_approve(actor=approver, entry=replacement)
    assert f"replaced by entry #{replacement.pk}" in page()


# --- 2. Amounts export as numbers ------------------------------------------------------------


@pytest.mark.django_db
def test_exported_amounts_are_numbers_and_only_text_cells_are_made_safe(
    community, worker, approver, client
):
    original = approved(
        community, worker, approver, counterparty="=HYPERLINK(1)", description="-rm", total="100"
    )
    period = _month(community, worker)
    reversal = services.ledger_entry_correct(
        actor=worker, entry=original, reason="重复录入", occurred_on=period.ends_on
    ).reversal
    services.ledger_entry_approve(actor=approver, entry=reversal)
    client.force_login(worker)

    response = client.get(reverse("finance_period_export", args=[community.slug, period.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    lines = [row for row in rows if row and row[0] == str(reversal.pk)]
    assert lines and lines[0][4] == "-100.00"  # a plain negative number, not '-100.00 text
    assert lines[0][5] == "'=HYPERLINK(1)"
    assert [row[6] for row in rows if row and row[0] == str(original.pk)] == ["'-rm"]
    assert ["Total expenditure", "", "0.00"] in rows
    assert not any(cell.startswith("'-1") for row in rows for cell in row)

    response = client.get(
        reverse("finance_period_export", args=[community.slug, period.pk, "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    by_entry = {row[0].value: row for row in sheet.iter_rows() if row and row[0].value}
    amount = by_entry[str(reversal.pk)][4]
    assert isinstance(amount.value, int | float) and amount.value == -100
    assert amount.number_format == "0.00"
    assert by_entry[str(original.pk)][4].value == 100
    assert by_entry[str(reversal.pk)][5].value == "'=HYPERLINK(1)"
    assert by_entry[str(original.pk)][6].value == "'-rm"


# --- 3. Append-only in the database ------------------------------------------------------------


def _refused(sql, params=()):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_the_database_refuses_deleting_ledger_rows_and_undoing_a_decision(
    community, worker, approver
):
    entry = approved(community, worker, approver, lines=[LineIn("maintenance", "100", "灯")])
    refused = services.ledger_entry_reject(
        actor=approver, entry=record(community, worker), reason="没有发票"
    )
    pending = record(community, worker)
    lines = LedgerLine.objects.in_community(community)
    count = (LedgerEntry.objects.in_community(community).count(), lines.count())

    _refused("DELETE FROM disclosure_ledgerline WHERE entry_id = %s", [entry.pk])
    _refused("DELETE FROM disclosure_ledgerentry WHERE id = %s", [pending.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.in_community(community).filter(pk=pending.pk).delete()
    _refused("UPDATE disclosure_ledgerline SET note = 'x' WHERE entry_id = %s", [entry.pk])
    other = second_worker(community)
    for sql, params in (
        (
            "UPDATE disclosure_ledgerentry SET status = 'pending', approved_by_id = NULL, "
            "decided_at = NULL WHERE id = %s",
            [entry.pk],
        ),
        (
            "UPDATE disclosure_ledgerentry SET status = 'rejected', approved_by_id = NULL, "
            "rejection_reason = 'x' WHERE id = %s",
            [entry.pk],
        ),
        (
            "UPDATE disclosure_ledgerentry SET approved_by_id = %s WHERE id = %s",
            [other.pk, entry.pk],
        ),
        ("UPDATE disclosure_ledgerentry SET decided_at = NULL WHERE id = %s", [entry.pk]),
    ):
        _refused(sql, params)
    _refused("UPDATE disclosure_ledgerentry SET status = 'pending' WHERE id = %s", [refused.pk])
    _refused("UPDATE disclosure_ledgerentry SET rejection_reason = 'y' WHERE id = %s", [refused.pk])

    fresh = LedgerEntry.objects.in_community(community).get(pk=entry.pk)
    assert (fresh.status, fresh.approved_by_id) == (EntryStatus.APPROVED, approver.pk)
    assert fresh.lines.get().note == "灯"
    assert (LedgerEntry.objects.in_community(community).count(), lines.count()) == count
    # What stays allowed: deciding a pending entry, and clearing who entered a row.
    services.ledger_entry_approve(actor=approver, entry=pending)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE disclosure_ledgerentry SET entered_by_id = NULL WHERE id = %s", [entry.pk]
        )
    assert LedgerEntry.objects.in_community(community).get(pk=entry.pk).entered_by_id is None


# --- 4. Bad input is a clear error, not a 500 --------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["1e30", "-1e30", "1E+400", "100000000.01"])
def test_huge_amounts_are_refused_on_the_page_and_the_api(community, worker, client, amount):
    client.force_login(worker)
    data = {
        "kind": "expenditure",
        "occurred_on": (last_month() + 2 * D).isoformat(),
        "counterparty": "绿化公司",
        "description": "修剪树木",
        "total": amount,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-category": "greening",
        "lines-0-amount": amount,
        "voucher": pdf(),
    }
    response = client.post(reverse("finance_entry_create", args=[community.slug]), data)
    assert response.status_code == 200
    assert "The amount is too large." in response.content.decode()
    body = {
        "kind": "expenditure",
        "occurred_on": data["occurred_on"],
        "counterparty": "绿化公司",
        "description": "修剪树木",
        "total": amount,
        "lines": [{"category": "greening", "amount": amount}],
    }
    response = client.post(
        f"/api/v1/communities/{community.slug}/ledger/entries",
        json.dumps(body),
        content_type="application/json",
        **_auth(worker),
    )
    assert response.status_code == 400, response.content
    assert response.json()["message"] == "The amount is too large."
    assert not LedgerEntry.objects.in_community(community).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "starts_on"),
    [
        ("month", "9999-12-01"),
        ("year", "9999-01-01"),
        ("quarter", "9999-10-01"),
        ("month", "1999-12-01"),
    ],
)
def test_periods_out_of_range_are_refused_on_the_page_and_the_api(
    community, worker, client, kind, starts_on
):
    client.force_login(worker)
    response = client.post(
        reverse("finance_period_create", args=[community.slug]),
        {"kind": kind, "starts_on": starts_on},
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "A period starts between the years 2000 and 2100."
    ]
    response = client.post(
        f"/api/v1/communities/{community.slug}/ledger/periods",
        json.dumps({"kind": kind, "starts_on": starts_on}),
        content_type="application/json",
        **_auth(worker),
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "period_start"
    assert not FinancePeriod.objects.in_community(community).exists()
    # The edges are fine.
    for day in (date(2000, 1, 1), date(2100, 12, 1)):
        assert (
            services.finance_period_create(
                actor=worker, community=community, kind="month", starts_on=day
            ).starts_on
            == day
        )


# --- 5. Feeds and boards cost the same queries however many items ----------------------------


def _months_back(n: int) -> date:
    day = last_month()
    for _ in range(n):
        day = (day - D).replace(day=1)
    return day


def _publish_items(community, worker, approver, start: int, count: int) -> list:
    """``count`` published periods (each with an entry), documents (each with two versions) and
    announcements; periods from ``start`` months before last month, oldest first."""
    made: list = []
    for back in range(start + count - 1, start - 1, -1):
        first = _months_back(back)
        approved(community, worker, approver, total=str(10 + back), on=first + 2 * D)
        period = _month(community, worker, first)
        services.finance_period_publish(actor=worker, period=period)
        made.append(period)
    for i in range(count):
        document = services.document_create(
            actor=worker,
            community=community,
            kind="minutes",
            title=f"纪要{start + i}",
            body="第一稿",
            publish=True,
        )
        services.document_revise(
            actor=worker, document=document, title=document.title, body="第二稿", change_note="改"
        )
        made.append(document)
        made.append(
            services.announcement_create(
                actor=worker,
                community=community,
                title=f"通知{start + i}",
                body="正文",
                category="general",
                publish=True,
            )
        )
    return made


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.django_db
def test_the_feed_costs_the_same_queries_for_more_items(community, worker, approver, client):
    url = reverse("notice_feed_rss", args=[community.slug])
    _publish_items(community, worker, approver, start=6, count=2)
    few, text = _queries(client, url)
    assert "第二稿" in text and "第一稿" not in text
    _publish_items(community, worker, approver, start=0, count=6)
    many, text = _queries(client, url)
    assert text.count("Finance report") == 8 and text.count("第二稿") == 8
    assert many == few, (few, many)
    # The numbers are the report's: opening balance and expenditure of the newest month.
    newest = FinancePeriod.objects.in_community(community).order_by("-starts_on").first()
    report = services_report(newest)
    assert f"Opening balance {report[0]} yuan" in text and f"expenditure {report[1]} yuan" in text


def services_report(period):
    from gongzhi.disclosure.money import yuan
    from gongzhi.disclosure.selectors import period_report

    report = period_report(period=period)
    return yuan(report.opening_fen), yuan(report.expenditure_fen)


@pytest.mark.django_db
def test_the_board_costs_the_same_queries_for_more_items(community, worker, approver, client):
    def board(items):
        return services.board_create(
            actor=worker,
            community=community,
            title="公示",
            periods=[i.pk for i in items if isinstance(i, FinancePeriod)],
            documents=[i.pk for i in items if i._meta.model_name == "document"],
            announcements=[i.pk for i in items if i._meta.model_name == "announcement"],
        )

    small = board(_publish_items(community, worker, approver, start=6, count=1))
    large = board(_publish_items(community, worker, approver, start=0, count=5))
    few, _text = _queries(client, reverse("board_detail", args=[community.slug, small.pk]))
    many, text = _queries(client, reverse("board_detail", args=[community.slug, large.pk]))
    assert text.count("第二稿") == 5 and text.count('class="qr"') == 16
    assert many == few, (few, many)
