"""The finance ledger: entries split by category that must balance, a voucher checked by its
content, approval by a second person (service and database), reports that count only approved
entries, corrections that are new entries (never an UPDATE of an amount), periods that close
the books, exports, and the bad input that changes nothing."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from gongzhi.core.models import Activity, Role
from gongzhi.disclosure import selectors, services
from gongzhi.disclosure.models import (
    AppendOnly,
    EntryStatus,
    LedgerEntry,
    LedgerLine,
    Voucher,
)
from gongzhi.disclosure.money import MAX_FEN, as_decimal, to_fen, yuan
from gongzhi.disclosure.services import LineIn
from tests.disclosure.helpers import approved, last_month, pdf, png, record
from tests.factories import member

D = timedelta(days=1)


def _nothing_saved(community) -> None:
    assert not LedgerEntry.objects.in_community(community).exists()
    assert not LedgerLine.objects.in_community(community).exists()
    assert not Voucher.objects.in_community(community).exists()


# --- Money ------------------------------------------------------------------------------------


def test_money_is_exact_fen():
    assert to_fen("12.5") == 1250
    assert to_fen(Decimal("0.01")) == 1
    assert to_fen("1,234.56") == 123456
    assert to_fen(0.1) == 10
    assert yuan(-5) == "-0.05" and yuan(123456) == "1234.56"
    for bad in ("1.234", "abc", "NaN", "1e20"):
        with pytest.raises(ValidationError):
            to_fen(bad)


# --- Recording --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_entry_split_into_lines_is_saved_pending_with_its_voucher(community, worker):
    entry = record(
        community,
        worker,
        total="350.00",
        lines=[LineIn("maintenance", "300"), LineIn("greening", "50.00", "补种")],
        voucher=png(),
    )
    assert entry.status == EntryStatus.PENDING and entry.total_fen == 35000
    assert sorted(entry.lines.values_list("category", "amount_fen")) == [
        ("greening", 5000),
        ("maintenance", 30000),
    ]
    assert entry.voucher.content_type == "image/png"
    assert Activity.objects.filter(community=community, verb="finance.entry_recorded").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"total": "100.00", "lines": [LineIn("maintenance", "60"), LineIn("office", "30")]},
            "does not balance",
        ),
        ({"lines": [LineIn("bribes", "100")]}, "not a ledger category"),
        ({"lines": [LineIn("donation", "100")]}, "not a category of expenditure"),
        ({"lines": []}, "at least one line"),
        ({"total": "0", "lines": [LineIn("maintenance", "0")]}, "more than 0"),
        ({"total": "10.005", "lines": [LineIn("maintenance", "10.005")]}, "two decimal places"),
        ({"counterparty": "   "}, "who paid or was paid"),
        ({"description": ""}, "what the money was for"),
        ({"description": "长" * 501}, "too long"),
        ({"kind": "gift"}, "income or expenditure"),
        (
            {"voucher": SimpleUploadedFile("发票.pdf", b"MZ\x90\x00 not a pdf")},
            "not a kind of file",
        ),
        ({"voucher": SimpleUploadedFile("发票.pdf", b"%PDF-1.4 cut off")}, "not a complete PDF"),
        ({"on": timezone.localdate() + D}, "cannot be in the future"),
    ],
)
def test_bad_entries_are_refused_with_a_clear_error_and_nothing_saved(
    community, worker, changes, message
):
    with pytest.raises(ValidationError, match=message):
        record(community, worker, **changes)
    _nothing_saved(community)


@pytest.mark.django_db
def test_residents_and_outsiders_cannot_record(community, resident, outsider, supervisor):
    for user in (resident, outsider, supervisor):
        with pytest.raises(PermissionDenied):
            record(community, user)
    _nothing_saved(community)


# --- Approval ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_approval_needs_a_second_person(community, worker, approver):
    entry = record(community, worker)
    with pytest.raises(ValidationError, match="someone other than the person who entered it"):
        services.ledger_entry_approve(actor=worker, entry=entry)
    assert LedgerEntry.objects.in_community(community).get().status == EntryStatus.PENDING
    done = services.ledger_entry_approve(actor=approver, entry=entry)
    assert done.status == EntryStatus.APPROVED and done.approved_by == approver
    with pytest.raises(ValidationError, match="already been approved"):
        services.ledger_entry_approve(actor=approver, entry=entry)


@pytest.mark.django_db
def test_the_database_refuses_approval_by_the_person_who_entered(community, worker):
    entry = record(community, worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.in_community(community).filter(pk=entry.pk).update(
            status=EntryStatus.APPROVED, approved_by=worker
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        # approved without an approver
        LedgerEntry.objects.in_community(community).filter(pk=entry.pk).update(
            status=EntryStatus.APPROVED
        )


@pytest.mark.django_db
def test_the_supervision_committee_may_approve_residents_may_not(
    community, worker, supervisor, resident
):
    entry = record(community, worker)
    with pytest.raises(PermissionDenied):
        services.ledger_entry_approve(actor=resident, entry=entry)
    assert services.ledger_entry_approve(actor=supervisor, entry=entry).approved_by == supervisor


@pytest.mark.django_db
def test_an_entry_without_voucher_is_not_approved_until_one_is_attached(
    community, worker, approver
):
    entry = record(community, worker, voucher=None)
    with pytest.raises(ValidationError, match="Attach the voucher"):
        services.ledger_entry_approve(actor=approver, entry=entry)
    with pytest.raises(ValidationError, match="not a kind of file"):
        services.ledger_voucher_attach(
            actor=worker, entry=entry, file=SimpleUploadedFile("a.pdf", b"<html>")
        )
    services.ledger_voucher_attach(actor=worker, entry=entry, file=pdf())
    with pytest.raises(ValidationError, match="already has its voucher"):
        services.ledger_voucher_attach(actor=worker, entry=entry, file=pdf())
    assert services.ledger_entry_approve(actor=approver, entry=entry).status == "approved"


@pytest.mark.django_db
def test_a_refused_entry_keeps_its_reason_and_counts_nowhere(community, worker, approver):
    entry = record(community, worker, total="80")
    with pytest.raises(ValidationError, match="Say why"):
        services.ledger_entry_reject(actor=approver, entry=entry, reason=" ")
    services.ledger_entry_reject(actor=approver, entry=entry, reason="金额与发票不符")
    entry = LedgerEntry.objects.in_community(community).get()
    assert (entry.status, entry.rejection_reason) == ("rejected", "金额与发票不符")
    period = services.finance_period_create(
        actor=worker, community=community, kind="month", starts_on=last_month()
    )
    assert selectors.period_report(period=period).expenditure_fen == 0


# --- Reports and periods ----------------------------------------------------------------------


def _month(community, worker):
    return services.finance_period_create(
        actor=worker, community=community, kind="month", starts_on=last_month()
    )


@pytest.mark.django_db
def test_the_report_counts_approved_entries_by_category_from_the_opening_balance(
    community, worker, approver
):
    start = last_month()
    approved(community, worker, approver, kind="income", total="1000", on=start - 5 * D)
    approved(community, worker, approver, kind="income", total="5000.50", on=start)
    approved(
        community,
        worker,
        approver,
        total="1200",
        lines=[LineIn("maintenance", "1000"), LineIn("greening", "200")],
        on=start + 9 * D,
    )
    approved(community, worker, approver, total="300", lines=[LineIn("activities", "300")])
    record(community, worker, total="999")  # pending: does not count
    period = _month(community, worker)
    report = selectors.period_report(period=period)
    assert report.opening_fen == 100000
    assert [(r.category, r.fen) for r in report.income] == [("subsidy", 500050)]
    assert [(r.category, r.fen) for r in report.expenditure] == [
        ("activities", 30000),
        ("maintenance", 100000),
        ("greening", 20000),
    ]
    assert report.closing_fen == 100000 + 500050 - 150000


@pytest.mark.django_db
def test_periods_start_on_their_first_day_and_exist_once(community, worker):
    with pytest.raises(ValidationError, match="starts on its 1st"):
        services.finance_period_create(
            actor=worker, community=community, kind="month", starts_on=last_month() + D
        )
    with pytest.raises(ValidationError, match="quarter"):
        services.finance_period_create(
            actor=worker,
            community=community,
            kind="quarter",
            starts_on=last_month().replace(month=2),
        )
    period = _month(community, worker)
    assert (period.ends_on + D).day == 1
    with pytest.raises(ValidationError, match="already exists"):
        _month(community, worker)


@pytest.mark.django_db
def test_publishing_closes_the_books_and_needs_every_entry_decided(
    community, worker, approver, resident
):
    pending = record(community, worker, total="50")
    period = _month(community, worker)
    with pytest.raises(ValidationError, match="waiting for approval"):
        services.finance_period_publish(actor=worker, period=period)
    services.ledger_entry_approve(actor=approver, entry=pending)
    with pytest.raises(PermissionDenied):
        services.finance_period_publish(actor=resident, period=period)
    services.finance_period_publish(actor=worker, period=period)
    assert selectors.lock_date(community) == period.ends_on
    published = Activity.objects.in_community(community).get(verb="finance.period_published")
    assert published.data["period_end"] == period.ends_on.isoformat()  # for its timeliness
    # No new entry inside a closed period.
    with pytest.raises(ValidationError, match="books are closed"):
        record(community, worker, on=period.ends_on)
    assert LedgerEntry.objects.in_community(community).count() == 1
    # The open time after it takes entries, and residents were told.
    record(community, worker, on=period.ends_on + D)
    from gongzhi.notifications.models import Notification

    assert Notification.objects.filter(user=resident, kind="finance_published").exists()


@pytest.mark.django_db
def test_a_period_is_published_once_it_has_ended(community, worker):
    this_month = services.finance_period_create(
        actor=worker,
        community=community,
        kind="month",
        starts_on=timezone.localdate().replace(day=1),
    )
    with pytest.raises(ValidationError, match="once it has ended"):
        services.finance_period_publish(actor=worker, period=this_month)


# --- Corrections ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_correction_is_a_mirror_reversal_plus_a_new_entry_and_never_an_update(
    community, worker, approver
):
    original = approved(
        community,
        worker,
        approver,
        total="1200",
        lines=[LineIn("maintenance", "1000"), LineIn("greening", "200")],
    )
    period = _month(community, worker)
    services.finance_period_publish(actor=worker, period=period)
    before = selectors.period_report(period=period)
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as queries:
        correction = services.ledger_entry_correct(
            actor=worker,
            entry=original,
            reason="发票金额应为1100元",
            replacement={
                "description": "更换路灯",
                "total": "1100",
                "lines": [LineIn("maintenance", "900"), LineIn("greening", "200")],
            },
        )
    updates = [
        q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")
    ]
    assert not [sql for sql in updates if "disclosure_ledger" in sql], updates
    reversal, replacement = correction.reversal, correction.replacement
    assert reversal.reverses_id == original.pk and reversal.total_fen == -120000
    assert sorted(reversal.lines.values_list("category", "amount_fen")) == [
        ("greening", -20000),
        ("maintenance", -100000),
    ]
    assert replacement.replaces_id == original.pk and replacement.total_fen == 110000
    assert replacement.voucher.file.name == original.voucher.file.name  # the same receipt
    assert reversal.occurred_on == replacement.occurred_on == today  # in the open time
    # The original is untouched and, once the reversal is approved, marked corrected.
    fresh = LedgerEntry.objects.in_community(community).get(pk=original.pk)
    assert (fresh.total_fen, fresh.status, fresh.occurred_on) == (
        120000,
        "approved",
        original.occurred_on,
    )
    assert not selectors.is_corrected(fresh)
    services.ledger_entry_approve(actor=approver, entry=reversal)
    services.ledger_entry_approve(actor=approver, entry=replacement)
    assert selectors.is_corrected(LedgerEntry.objects.in_community(community).get(pk=original.pk))
    # The published report has not moved; the correction shows in the open period.
    assert selectors.period_report(period=period).closing_fen == before.closing_fen
    now = services.finance_period_create(
        actor=worker, community=community, kind="month", starts_on=today.replace(day=1)
    )
    report = selectors.period_report(period=now)
    assert report.opening_fen == before.closing_fen
    assert report.expenditure_fen == -120000 + 110000
    assert report.closing_fen == before.closing_fen - 110000 + 120000
    # Corrected once only; a reversal is not itself corrected.
    with pytest.raises(ValidationError, match="already been reversed"):
        services.ledger_entry_correct(actor=worker, entry=original, reason="again")
    with pytest.raises(ValidationError, match="A reversal is not corrected"):
        services.ledger_entry_correct(actor=worker, entry=reversal, reason="x")


@pytest.mark.django_db
def test_a_correction_dated_in_a_closed_period_is_refused_and_saves_nothing(
    community, worker, approver
):
    original = approved(community, worker, approver)
    period = _month(community, worker)
    services.finance_period_publish(actor=worker, period=period)
    with pytest.raises(ValidationError, match="books are closed"):
        services.ledger_entry_correct(
            actor=worker, entry=original, reason="错", occurred_on=period.ends_on
        )
    # An unbalanced replacement refuses the whole correction, reversal included.
    with pytest.raises(ValidationError, match="does not balance"):
        services.ledger_entry_correct(
            actor=worker,
            entry=original,
            reason="错",
            replacement={"total": "90", "lines": [LineIn("maintenance", "80")]},
        )
    assert LedgerEntry.objects.in_community(community).count() == 1


@pytest.mark.django_db
def test_a_reversal_that_does_not_mirror_is_refused(community, worker, approver):
    original = approved(community, worker, approver, total="100")
    other = approved(community, worker, approver, total="90")
    with pytest.raises(ValidationError, match="does not mirror"):
        services.check_mirror(original, other)


@pytest.mark.django_db
def test_amounts_cannot_be_changed_in_place_even_by_raw_sql(community, worker, approver):
    entry = approved(community, worker, approver)
    line = entry.lines.get()
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        line.save()
    for queryset, change in (
        (LedgerEntry.objects.in_community(community), {"total_fen": 1}),
        (LedgerEntry.objects.in_community(community), {"occurred_on": timezone.localdate()}),
        (LedgerLine.objects.in_community(community), {"amount_fen": 1}),
        (LedgerLine.objects.in_community(community), {"category": "office"}),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            queryset.update(**change)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE disclosure_ledgerline SET amount_fen = 1")
    assert LedgerLine.objects.in_community(community).get().amount_fen == 10000


# --- Visibility, exports, pages ---------------------------------------------------------------


@pytest.mark.django_db
def test_residents_see_published_periods_staff_see_drafts(
    community, worker, approver, resident, client
):
    entry = approved(community, worker, approver, description="修理健身器材")
    period = _month(community, worker)
    assert list(selectors.period_list(community=community, user=resident)) == []
    assert list(selectors.entry_list(community=community, user=resident)) == []
    client.force_login(resident)
    assert (
        client.get(reverse("finance_period", args=[community.slug, period.pk])).status_code == 404
    )
    assert client.get(reverse("finance_entry", args=[community.slug, entry.pk])).status_code == 404
    assert (
        client.get(reverse("finance_voucher", args=[community.slug, entry.pk])).status_code == 404
    )
    client.force_login(worker)
    page = client.get(reverse("finance_period", args=[community.slug, period.pk]))
    assert "修理健身器材" in page.content.decode() and 'id="draft"' in page.content.decode()
    services.finance_period_publish(actor=worker, period=period)
    client.logout()
    page = client.get(reverse("finance_period", args=[community.slug, period.pk]))
    assert page.status_code == 200 and "修理健身器材" in page.content.decode()
    voucher = client.get(reverse("finance_voucher", args=[community.slug, entry.pk]))
    assert voucher.status_code == 200 and voucher["Content-Type"] == "application/pdf"
    assert voucher["Content-Security-Policy"].startswith("default-src 'none'")


@pytest.mark.django_db
def test_exports_are_formula_safe_csv_and_xlsx(community, worker, approver, client):
    approved(community, worker, approver, counterparty='=HYPERLINK("http://x")', total="12.30")
    period = _month(community, worker)
    services.finance_period_publish(actor=worker, period=period)
    response = client.get(reverse("finance_period_export", args=[community.slug, period.pk, "csv"]))
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert ["Total expenditure", "", "12.30"] in rows
    assert any(cell == '\'=HYPERLINK("http://x")' for row in rows for cell in row)
    assert not any(cell.startswith("=") for row in rows for cell in row)
    response = client.get(
        reverse("finance_period_export", args=[community.slug, period.pk, "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert '\'=HYPERLINK("http://x")' in cells and 12.3 in cells
    assert (
        client.get(
            reverse("finance_period_export", args=[community.slug, period.pk, "pdf"])
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_entry_form_saves_a_balanced_entry_and_refuses_an_unbalanced_one(community, worker, client):
    client.force_login(worker)
    url = reverse("finance_entry_create", args=[community.slug])
    data = {
        "kind": "expenditure",
        "occurred_on": (last_month() + 2 * D).isoformat(),
        "counterparty": "绿化公司",
        "description": "修剪树木",
        "total": "500",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-0-category": "greening",
        "lines-0-amount": "400",
        "lines-1-category": "maintenance",
        "lines-1-amount": "50",
    }
    response = client.post(url, {**data, "voucher": pdf()})
    assert response.status_code == 200
    assert "does not balance" in response.content.decode()
    _nothing_saved(community)
    data["lines-1-amount"] = "100"
    response = client.post(url, {**data, "voucher": pdf()})
    entry = LedgerEntry.objects.in_community(community).get()
    assert response.status_code == 302 and entry.total_fen == 50000
    # One category and no amount: the total goes to it.
    data.update({"lines-0-amount": "", "lines-1-category": "", "lines-1-amount": ""})
    client.post(url, {**data, "voucher": png()})
    assert LedgerEntry.objects.in_community(community).last().lines.get().amount_fen == 50000


@pytest.mark.django_db
def test_approve_page_is_for_a_second_person(community, worker, approver, client):
    entry = record(community, worker)
    client.force_login(worker)
    url = reverse("finance_entry", args=[community.slug, entry.pk])
    assert "finance_entry_approve" not in url
    page = client.get(url).content.decode()
    assert reverse("finance_entry_approve", args=[community.slug, entry.pk]) not in page
    client.post(reverse("finance_entry_approve", args=[community.slug, entry.pk]))
    assert LedgerEntry.objects.in_community(community).get().status == "pending"
    client.force_login(approver)
    page = client.get(url).content.decode()
    assert reverse("finance_entry_approve", args=[community.slug, entry.pk]) in page
    client.post(reverse("finance_entry_approve", args=[community.slug, entry.pk]))
    assert LedgerEntry.objects.in_community(community).get().status == "approved"


@pytest.mark.django_db
def test_correction_page_enters_reversal_and_replacement(community, worker, approver, client):
    entry = approved(community, worker, approver, total="100")
    client.force_login(worker)
    url = reverse("finance_entry_correct", args=[community.slug, entry.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "reason": "金额录错",
            "occurred_on": timezone.localdate().isoformat(),
            "replace": "on",
            "kind": "expenditure",
            "counterparty": "物业公司",
            "description": "更换路灯",
            "total": "110",
            "occurred_on_0": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-category": "maintenance",
            "lines-0-amount": "110",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    totals = sorted(LedgerEntry.objects.in_community(community).values_list("total_fen", flat=True))
    assert totals == [-10000, 10000, 11000]


@pytest.mark.django_db
def test_ledger_list_query_count(
    community, worker, approver, client, django_assert_max_num_queries
):
    for i in range(15):
        approved(community, worker, approver, total=str(10 + i))
    client.force_login(worker)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("finance_entries", args=[community.slug]))
    assert response.content.decode().count("data-entry=") == 15


@pytest.mark.django_db
def test_entries_of_another_community_are_not_found(community, other_community, worker, approver):
    entry = record(community, worker)
    stranger = member(other_community, Role.COMMUNITY_WORKER)
    with pytest.raises(PermissionDenied):
        services.ledger_entry_approve(actor=stranger, entry=entry)
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.entry_get(community=other_community, entry_id=entry.pk, user=stranger)


@given(st.integers(min_value=-MAX_FEN, max_value=MAX_FEN))
def test_yuan_and_fen_round_trip(fen):
    assert to_fen(yuan(fen)) == fen
    assert to_fen(as_decimal(fen)) == fen


@pytest.mark.django_db
def test_a_refused_reversal_leaves_room_for_another_but_two_live_ones_cannot_exist(
    community, worker, approver
):
    original = approved(community, worker, approver)
    first = services.ledger_entry_correct(actor=worker, entry=original, reason="录错").reversal
    services.ledger_entry_reject(actor=approver, entry=first, reason="原记录无误")
    assert not selectors.is_corrected(original)
    second = services.ledger_entry_correct(actor=worker, entry=original, reason="确实录错").reversal
    services.ledger_entry_approve(actor=approver, entry=second)
    fresh = selectors.entry_get(community=community, entry_id=original.pk, user=worker)
    assert selectors.reversal_of(fresh) == second
    assert selectors.is_corrected(fresh)
    # Past the service, the database itself keeps one live reversal per entry.
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.in_community(community).create(
            kind=original.kind,
            occurred_on=timezone.localdate(),
            counterparty="x",
            description="x",
            total_fen=-original.total_fen,
            reverses=original,
            entered_by=worker,
        )
