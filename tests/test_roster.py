"""Roster import: CSV and XLSX, all or nothing, and pre-verification on sign-up."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook

from gongzhi.accounts.adapter import AccountAdapter
from gongzhi.core import services
from gongzhi.core.models import Building, Household, Membership, RosterEntry
from gongzhi.core.roster import RosterFileError, read_table, roster_header
from gongzhi.voting.models import OwnerShare
from gongzhi.voting.services import owner_roll_import
from tests.factories import UserFactory
from tests.voting.test_owner_roll import owners_vote  # noqa: F401 - a fixture

GOOD_CSV = "手机号,姓名,楼栋,单元房号\n13800138000,王大妈,3号楼,2单元301\n139 1234 5678,李师傅,,\n"


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_good_csv_creates_entries_buildings_and_households(community, worker):
    result = services.roster_import(
        actor=worker, community=community, filename="roster.csv", content=GOOD_CSV.encode()
    )
    assert result.created == 2
    entries = {e.phone: e for e in RosterEntry.objects.in_community(community)}
    assert set(entries) == {"+8613800138000", "+8613912345678"}
    assert entries["+8613800138000"].household.unit == "2单元301"
    assert Building.objects.in_community(community).get().name == "3号楼"


@pytest.mark.django_db
def test_gb18030_csv_from_excel_is_read(community, worker):
    result = services.roster_import(
        actor=worker, community=community, filename="名册.csv", content=GOOD_CSV.encode("gb18030")
    )
    assert result.created == 2
    assert RosterEntry.objects.in_community(community).get(phone="+8613800138000").name == "王大妈"


@pytest.mark.django_db
def test_xlsx_with_numeric_phone_cells(community, worker):
    content = _xlsx([["姓名", "手机号", "楼栋", "单元房号"], ["赵六", 13700001111, "1号楼", "101"]])
    result = services.roster_import(
        actor=worker, community=community, filename="r.xlsx", content=content
    )
    assert result.created == 1
    assert RosterEntry.objects.in_community(community).get().phone == "+8613700001111"


@pytest.mark.django_db
def test_bad_rows_reject_the_whole_file_with_line_numbers(community, worker):
    content = (
        "phone,name,building,unit\n"
        "13800138000,ok,1号楼,101\n"
        "12345,too short,,\n"
        "13800138000,duplicate,,\n"
        "13900001111,half an address,1号楼,\n"
    ).encode()
    with pytest.raises(services.RosterRejected) as caught, translation.override("en"):
        services.roster_import(actor=worker, community=community, filename="r.csv", content=content)
    assert [e.line for e in caught.value.errors] == [3, 4, 5]
    assert "line 2" in caught.value.errors[1].message
    assert not RosterEntry.objects.in_community(community).exists()
    assert not Household.objects.in_community(community).exists()


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("roster.pdf", b"%PDF-1.4"),
        ("roster.xlsx", b"this is not a zip"),
        ("roster.csv", b"\xff\xfe\x00\x00binary"),
        ("roster.csv", "姓名,楼栋\n张三,1号楼\n".encode()),
        ("roster.csv", b""),
        ("roster.csv", "手机号\n".encode()),
    ],
)
@pytest.mark.django_db
def test_unreadable_files_are_refused(community, worker, filename, content):
    with pytest.raises(RosterFileError):
        services.roster_import(
            actor=worker, community=community, filename=filename, content=content
        )
    assert not RosterEntry.objects.in_community(community).exists()


@pytest.mark.django_db
def test_oversized_file_is_refused(community, worker, settings):
    settings.ROSTER_MAX_BYTES = 100
    with pytest.raises(RosterFileError):
        services.roster_import(
            actor=worker, community=community, filename="r.csv", content=b"x" * 101
        )


@pytest.mark.django_db
def test_signing_up_with_a_listed_number_verifies(community, worker):
    services.roster_import(
        actor=worker, community=community, filename="r.csv", content=GOOD_CSV.encode()
    )
    newcomer = UserFactory(phone="+8613800138000", phone_verified=False, display_name="")
    AccountAdapter().set_phone_verified(newcomer, newcomer.phone)
    membership = Membership.objects.in_community(community).get(user=newcomer)
    assert membership.verified_at is not None
    assert membership.verification_method == "roster"
    assert membership.household.unit == "2单元301"
    newcomer.refresh_from_db()
    assert newcomer.display_name == "王大妈"
    assert (
        RosterEntry.objects.in_community(community).get(phone=newcomer.phone).claimed_by == newcomer
    )


@pytest.mark.django_db
def test_unconfirmed_phone_is_not_verified_by_roster(community, worker):
    UserFactory(phone="+8613800138000", phone_verified=False)
    result = services.roster_import(
        actor=worker, community=community, filename="r.csv", content=GOOD_CSV.encode()
    )
    assert result.verified_now == 0
    assert (
        not Membership.objects.in_community(community).filter(user__phone="+8613800138000").exists()
    )


@pytest.mark.django_db
def test_existing_confirmed_account_is_verified_on_import(community, worker):
    existing = UserFactory(phone="+8613912345678", phone_verified=True)
    result = services.roster_import(
        actor=worker, community=community, filename="r.csv", content=GOOD_CSV.encode()
    )
    assert result.verified_now == 1
    assert Membership.objects.in_community(community).get(user=existing).verified_at is not None


@pytest.mark.django_db
def test_residents_cannot_import(community, resident):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.roster_import(
            actor=resident, community=community, filename="r.csv", content=GOOD_CSV.encode()
        )


@pytest.mark.django_db
def test_upload_page_shows_row_errors_and_saves_nothing(client, community, worker):
    client.force_login(worker)
    bad = SimpleUploadedFile(
        "r.csv", "手机号,姓名\n13800138000,甲\nnot-a-number,乙\n".encode(), "text/csv"
    )
    response = client.post(
        reverse("roster_upload", args=[community.slug]), {"file": bad}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "not-a-number" in page and "<td>3</td>" in page
    assert not RosterEntry.objects.in_community(community).exists()


@pytest.mark.django_db
def test_upload_page_imports_a_good_file(client, community, worker):
    client.force_login(worker)
    good = SimpleUploadedFile("r.csv", GOOD_CSV.encode(), "text/csv")
    response = client.post(reverse("roster_upload", args=[community.slug]), {"file": good})
    assert response.status_code == 302
    assert RosterEntry.objects.in_community(community).count() == 2


@pytest.mark.django_db
def test_a_monstrous_csv_cell_is_a_clear_error_not_a_crash(community, worker):
    content = ("手机号,姓名\n13800138000," + "x" * 200_000 + "\n").encode()
    with pytest.raises(RosterFileError):
        services.roster_import(actor=worker, community=community, filename="r.csv", content=content)


@pytest.mark.django_db
def test_a_sheet_longer_than_the_limit_is_refused_without_reading_it_all(
    community, worker, settings
):
    settings.ROSTER_MAX_ROWS = 10
    content = _xlsx([["手机号"], *[[13800000000 + i] for i in range(50)]])
    with pytest.raises(RosterFileError):
        services.roster_import(
            actor=worker, community=community, filename="r.xlsx", content=content
        )


def test_landlines_are_not_accepted_as_login_numbers():
    from gongzhi.core.phones import normalize_phone

    with pytest.raises(ValidationError):
        normalize_phone("01062345678")


@pytest.mark.django_db
def test_member_export_neutralises_formulas(client, community, worker):
    from tests.factories import member

    member(community, display_name="=HYPERLINK(1)")
    client.force_login(worker)
    text = client.get(
        reverse("member_list", args=[community.slug]), {"format": "csv"}
    ).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "\n=HYPERLINK" not in text


# --- files that cost more to read than they weigh ---------------------------------------------

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _with_sheet(sheet_xml: bytes) -> bytes:
    """A real workbook (written by openpyxl) whose first sheet is ``sheet_xml``."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_xlsx([["x"]]))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            target.writestr(
                info.filename, sheet_xml if info.filename.endswith("sheet1.xml") else data
            )
    return out.getvalue()


def _inline(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def _cell_bomb(
    header: list[str],
    rows: int = 600,
    per_row: int = 1000,
    prefix: str = "",
    dimension: str | None = None,
) -> bytes:
    """The issue's file: about 70 KB holding 600,000 inline cells (no ``<dimension>`` unless
    given one, as Excel and openpyxl write)."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{SHEET_NS}"' if prefix else f'xmlns="{SHEET_NS}"'
    cell = f'<{p}c t="inlineStr"><{p}is><{p}t>1</{p}t></{p}is></{p}c>'.encode()
    head = "".join(f'<{p}c t="inlineStr"><{p}is><{p}t>{h}</{p}t></{p}is></{p}c>' for h in header)
    dim = f'<{p}dimension ref="{dimension}"/>' if dimension else ""
    parts = [f"<{p}worksheet {xmlns}>{dim}<{p}sheetData><{p}row>{head}</{p}row>".encode()]
    parts += [f"<{p}row>".encode() + cell * per_row + f"</{p}row>".encode() for _ in range(rows)]
    parts.append(f"</{p}sheetData></{p}worksheet>".encode())
    return _with_sheet(b"".join(parts))


def _fastest(action, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            action()
        except RosterFileError:
            pass
        times.append(time.perf_counter() - start)
    return min(times)


SMALL = _xlsx(
    [["手机号", "姓名", "楼栋", "单元房号"]]
    + [[13800000000 + i, "张三", "1号楼", str(i)] for i in range(50)]
)


@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.django_db
def test_a_cell_bomb_is_refused_fast_with_its_own_message(community, worker, prefix):
    bomb = _cell_bomb(["手机号", "姓名"], prefix=prefix)
    assert len(bomb) < 100_000
    with pytest.raises(RosterFileError, match="more than 200000 cells"), translation.override("en"):
        services.roster_import(actor=worker, community=community, filename="r.xlsx", content=bomb)
    assert not RosterEntry.objects.in_community(community).exists()
    # Refusing it costs about as much as reading a small valid roster: it cost 11.6 s before.
    small = _fastest(lambda: read_table("r.xlsx", SMALL, 20_000, header=roster_header))
    refused = _fastest(lambda: read_table("r.xlsx", bomb, 20_000, header=roster_header))
    assert refused < 15 * small, (refused, small)


@pytest.mark.django_db
def test_an_owners_roll_bomb_is_refused_as_fast(community, worker, owners_vote):  # noqa: F811
    bomb = _cell_bomb(["手机号", "面积"])
    with pytest.raises(RosterFileError, match="200000"):
        owner_roll_import(actor=worker, vote=owners_vote, filename="roll.xlsx", content=bomb)
    assert not OwnerShare.objects.in_community(community).exists()
    small = _xlsx([["手机号", "面积"]] + [[13800000000 + i, 80] for i in range(50)])

    def import_small():
        owner_roll_import(actor=worker, vote=owners_vote, filename="roll.xlsx", content=small)

    def import_bomb():
        owner_roll_import(actor=worker, vote=owners_vote, filename="roll.xlsx", content=bomb)

    assert _fastest(import_bomb) < 15 * _fastest(import_small)
    assert OwnerShare.objects.in_community(community).count() == 50


def test_the_header_is_checked_before_the_rest_is_read():
    # Within the cell budget, but with no phone column: refused after one row. The sheet declares
    # its dimension, as Excel's and openpyxl's do: without one, openpyxl's read-only loader parses
    # the whole sheet looking for it (its scan stops only at </sheetData>) before any row is
    # given, which would hide what this test times. 20,000 cells show it as 150,000 did.
    no_phone = _cell_bomb(["姓名"], rows=20, per_row=1000, dimension="A1:ALL21")
    with pytest.raises(RosterFileError, match="手机号"):
        read_table("r.xlsx", no_phone, 20_000, header=roster_header)
    with_phone = _cell_bomb(["手机号"], rows=20, per_row=1000, dimension="A1:ALL21")
    assert len(read_table("r.xlsx", with_phone, 20_000, header=roster_header)) == 21
    refused = _fastest(lambda: read_table("r.xlsx", no_phone, 20_000, header=roster_header), 2)
    read_whole = _fastest(lambda: read_table("r.xlsx", with_phone, 20_000, header=roster_header), 2)
    assert refused * 5 < read_whole


def test_declared_dimensions_do_not_pad_every_row():
    # "A1:XFD1048576" made openpyxl pad each row to 16,384 cells, and yield 20,000 of them.
    sheet = (
        f'<worksheet xmlns="{SHEET_NS}"><dimension ref="A1:XFD1048576"/><sheetData>'
        f'<row r="1">{_inline("手机号")}</row><row r="2"><c><v>13800138000</v></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    assert read_table("r.xlsx", _with_sheet(sheet), 20_000) == [["手机号"], ["13800138000"]]


def test_a_workbook_that_unpacks_too_large_is_refused_unread():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b" " * (101 * 1024 * 1024))
    with pytest.raises(RosterFileError) as refused:
        read_table("r.xlsx", out.getvalue(), 20_000)
    why = gettext(
        "This Excel workbook is too large once unpacked. Keep only the roster, on one sheet."
    )
    assert str(refused.value) == why


def test_a_csv_is_held_to_the_same_cell_budget():
    content = ("手机号\n" + ",".join(["1"] * 250_000) + "\n").encode()
    with pytest.raises(RosterFileError, match="200000"):
        read_table("r.csv", content, 20_000)
