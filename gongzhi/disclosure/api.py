"""Information disclosure in the API: announcements (list, read, confirm reading), the finance
ledger (entries and period reports: public reads of published data, staff writes, a second
person's approval), documents with their versions. Amounts are decimal strings in yuan with two
places (``"1234.50"``); errors are the API's ``{code, message}``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.security import SessionAuth

from gongzhi.accounts.api import TokenAuth
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.pagination import BoundedLimitOffsetPagination
from gongzhi.core.policies import require
from gongzhi.core.selectors import community_get
from gongzhi.disclosure import selectors, services
from gongzhi.disclosure.models import (
    Announcement,
    Document,
    DocumentVersion,
    FinancePeriod,
    LedgerEntry,
)
from gongzhi.disclosure.money import as_decimal

router = Router(tags=["disclosure"])


def _anyone(request: HttpRequest) -> Any:
    """Public reads: a token or a session shows staff their drafts; no credentials reads as a
    visitor (a bad token too, rather than a 401, as for any public page)."""
    return AnonymousUser()


#: Public reads answer everyone, and still recognise the caller when they say who they are.
PUBLIC = [TokenAuth(), SessionAuth(), _anyone]


# --- Schemas ----------------------------------------------------------------------------------


class AnnouncementOut(Schema):
    id: int
    title: str
    body: str
    category: str
    pinned: bool
    important: bool
    published_at: datetime | None
    read_by_me: bool = False

    @staticmethod
    def resolve_read_by_me(obj: Announcement) -> bool:
        return bool(getattr(obj, "read_by_me", False))


class AnnouncementIn(Schema):
    title: str
    body: str
    category: str
    pinned: bool = False
    important: bool = False
    publish: bool = False


class ConfirmOut(Schema):
    confirmed: bool
    first_time: bool


class UnreadMemberOut(Schema):
    name: str
    phone: str
    building: str | None
    unit: str | None


class UnreadOut(Schema):
    members: int
    confirmed: int
    unread: int
    not_yet_read: list[UnreadMemberOut]


class LineOut(Schema):
    category: str
    amount: Decimal
    note: str


class EntryOut(Schema):
    id: int
    kind: str
    occurred_on: date
    counterparty: str
    description: str
    total: Decimal
    status: str
    lines: list[LineOut]
    reverses: int | None
    replaces: int | None
    corrected: bool
    entered_by: str | None
    approved_by: str | None
    voucher: bool

    @staticmethod
    def resolve_total(obj: LedgerEntry) -> Decimal:
        return as_decimal(obj.total_fen)

    @staticmethod
    def resolve_lines(obj: LedgerEntry) -> list[dict[str, Any]]:
        return [
            {"category": ln.category, "amount": as_decimal(ln.amount_fen), "note": ln.note}
            for ln in obj.lines.all()
        ]

    @staticmethod
    def resolve_reverses(obj: LedgerEntry) -> int | None:
        return obj.reverses_id

    @staticmethod
    def resolve_replaces(obj: LedgerEntry) -> int | None:
        return obj.replaces_id

    @staticmethod
    def resolve_corrected(obj: LedgerEntry) -> bool:
        return selectors.is_corrected(obj)

    @staticmethod
    def resolve_entered_by(obj: LedgerEntry) -> str | None:
        return obj.entered_by.display_name if obj.entered_by is not None else None

    @staticmethod
    def resolve_approved_by(obj: LedgerEntry) -> str | None:
        return obj.approved_by.display_name if obj.approved_by is not None else None

    @staticmethod
    def resolve_voucher(obj: LedgerEntry) -> bool:
        return hasattr(obj, "voucher")


class LineIn(Schema):
    category: str
    amount: Decimal
    note: str = ""


class EntryIn(Schema):
    kind: str
    occurred_on: date
    counterparty: str
    description: str
    total: Decimal
    lines: list[LineIn]


class RejectIn(Schema):
    reason: str


class CorrectionIn(Schema):
    reason: str
    occurred_on: date | None = None
    replacement: EntryIn | None = None


class CorrectionOut(Schema):
    reversal: EntryOut
    replacement: EntryOut | None


class PeriodOut(Schema):
    id: int
    kind: str
    label: str
    starts_on: date
    ends_on: date
    published_at: datetime | None


class CategoryTotalOut(Schema):
    category: str
    label: str
    amount: Decimal


class ReportOut(Schema):
    period: PeriodOut
    opening_balance: Decimal
    income: list[CategoryTotalOut]
    total_income: Decimal
    expenditure: list[CategoryTotalOut]
    total_expenditure: Decimal
    closing_balance: Decimal


class PeriodIn(Schema):
    kind: str
    starts_on: date


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    version_count: int
    published_at: datetime | None
    updated_at: datetime


class VersionOut(Schema):
    number: int
    title: str
    body: str
    change_note: str
    author: str | None
    created_at: datetime

    @staticmethod
    def resolve_author(obj: DocumentVersion) -> str | None:
        return obj.author.display_name if obj.author is not None else None


class DocumentDetailOut(DocumentOut):
    versions: list[VersionOut]


class DocumentIn(Schema):
    kind: str
    title: str
    body: str
    change_note: str = ""
    publish: bool = False


class RevisionIn(Schema):
    title: str
    body: str
    change_note: str


# --- Announcements ----------------------------------------------------------------------------


@router.get(
    "/{slug}/announcements", response=list[AnnouncementOut], auth=PUBLIC, summary="Announcements"
)
@paginate(BoundedLimitOffsetPagination)
def announcement_list(request: HttpRequest, slug: str, category: str = ""):
    user = api_viewer(request)
    community = community_get(slug=slug, user=user)
    return selectors.announcement_list(community=community, user=user, category=category)


@router.get(
    "/{slug}/announcements/{announcement_id}",
    response=AnnouncementOut,
    auth=PUBLIC,
    summary="One announcement",
)
def announcement_detail(request: HttpRequest, slug: str, announcement_id: int):
    user = api_viewer(request)
    community = community_get(slug=slug, user=user)
    return selectors.announcement_get(
        community=community, announcement_id=announcement_id, user=user
    )


@router.post(
    "/{slug}/announcements",
    response={201: AnnouncementOut},
    summary="Write an announcement (staff)",
)
def announcement_create(request: HttpRequest, slug: str, payload: AnnouncementIn):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    return Status(
        201, services.announcement_create(actor=user, community=community, **payload.dict())
    )


@router.post(
    "/{slug}/announcements/{announcement_id}/publish",
    response=AnnouncementOut,
    summary="Publish a draft announcement and notify residents (staff)",
)
def announcement_publish(request: HttpRequest, slug: str, announcement_id: int):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    announcement = selectors.announcement_get(
        community=community, announcement_id=announcement_id, user=user
    )
    return services.announcement_publish(actor=user, announcement=announcement)


@router.post(
    "/{slug}/announcements/{announcement_id}/confirm",
    response=ConfirmOut,
    summary="Confirm that you have read an important announcement",
)
def announcement_confirm(request: HttpRequest, slug: str, announcement_id: int):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    announcement = selectors.announcement_get(
        community=community, announcement_id=announcement_id, user=user
    )
    first = services.announcement_confirm_read(actor=user, announcement=announcement)
    return {"confirmed": True, "first_time": first}


@router.get(
    "/{slug}/announcements/{announcement_id}/unread",
    response=UnreadOut,
    summary="Who has not yet confirmed an important announcement (staff)",
)
def announcement_unread(request: HttpRequest, slug: str, announcement_id: int):
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="disclosure.view_unread")
    announcement = selectors.announcement_get(
        community=community, announcement_id=announcement_id, user=user
    )
    counts = selectors.read_counts(announcement=announcement)
    members = selectors.unread_members(announcement=announcement)[:1000]
    return {
        "members": counts.members,
        "confirmed": counts.confirmed,
        "unread": counts.unread,
        "not_yet_read": [
            {
                "name": m.user.display_name,
                "phone": m.user.phone,
                "building": m.household.building.name if m.household is not None else None,
                "unit": m.household.unit if m.household is not None else None,
            }
            for m in members
        ],
    }


# --- The ledger -------------------------------------------------------------------------------


def _lines(lines: list[LineIn]) -> list[services.LineIn]:
    return [services.LineIn(ln.category, ln.amount, ln.note) for ln in lines]


def _entry(request: HttpRequest, slug: str, entry_id: int) -> LedgerEntry:
    user = api_viewer(request)
    community = community_get(slug=slug, user=user)
    return selectors.entry_get(community=community, entry_id=entry_id, user=user)


@router.get(
    "/{slug}/ledger/entries",
    response=list[EntryOut],
    auth=PUBLIC,
    summary="Ledger entries (the public reads approved entries of published periods)",
)
@paginate(BoundedLimitOffsetPagination)
def entry_list(request: HttpRequest, slug: str, status: str = ""):
    user = api_viewer(request)
    community = community_get(slug=slug, user=user)
    return selectors.entry_list(community=community, user=user, status=status)


@router.get(
    "/{slug}/ledger/entries/{entry_id}", response=EntryOut, auth=PUBLIC, summary="One entry"
)
def entry_detail(request: HttpRequest, slug: str, entry_id: int):
    return _entry(request, slug, entry_id)


@router.post(
    "/{slug}/ledger/entries",
    response={201: EntryOut},
    summary="Enter an income or expenditure (staff); attach its voucher next",
)
def entry_create(request: HttpRequest, slug: str, payload: EntryIn):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    values = payload.dict()
    values["lines"] = _lines(payload.lines)
    entry = services.ledger_entry_record(actor=user, community=community, **values)
    return Status(201, selectors.entry_get(community=community, entry_id=entry.pk, user=user))


@router.post(
    "/{slug}/ledger/entries/{entry_id}/voucher",
    response={201: EntryOut},
    summary="Attach the voucher (PDF, JPEG, PNG or WebP) to a pending entry (staff)",
)
def entry_voucher(request: HttpRequest, slug: str, entry_id: int, file: File[UploadedFile]):
    entry = _entry(request, slug, entry_id)
    services.ledger_voucher_attach(actor=api_user(request), entry=entry, file=file)
    return Status(201, _entry(request, slug, entry_id))


@router.post(
    "/{slug}/ledger/entries/{entry_id}/approve",
    response=EntryOut,
    summary="Approve an entry (a second person: not the one who entered it)",
)
def entry_approve(request: HttpRequest, slug: str, entry_id: int):
    entry = _entry(request, slug, entry_id)
    return services.ledger_entry_approve(actor=api_user(request), entry=entry)


@router.post(
    "/{slug}/ledger/entries/{entry_id}/reject",
    response=EntryOut,
    summary="Refuse a pending entry, with the reason",
)
def entry_reject(request: HttpRequest, slug: str, entry_id: int, payload: RejectIn):
    entry = _entry(request, slug, entry_id)
    return services.ledger_entry_reject(actor=api_user(request), entry=entry, reason=payload.reason)


@router.post(
    "/{slug}/ledger/entries/{entry_id}/correct",
    response={201: CorrectionOut},
    summary="Correct an approved entry: a reversing entry, and optionally the right one",
)
def entry_correct(request: HttpRequest, slug: str, entry_id: int, payload: CorrectionIn):
    user = api_user(request)
    entry = _entry(request, slug, entry_id)
    replacement = None
    if payload.replacement is not None:
        replacement = payload.replacement.dict()
        replacement["lines"] = _lines(payload.replacement.lines)
    correction = services.ledger_entry_correct(
        actor=user,
        entry=entry,
        reason=payload.reason,
        occurred_on=payload.occurred_on,
        replacement=replacement,
    )
    community = entry.community
    return Status(
        201,
        {
            "reversal": selectors.entry_get(
                community=community, entry_id=correction.reversal.pk, user=user
            ),
            "replacement": correction.replacement
            and selectors.entry_get(
                community=community, entry_id=correction.replacement.pk, user=user
            ),
        },
    )


def _report(period: FinancePeriod) -> dict[str, Any]:
    report = selectors.period_report(period=period)

    def rows(items: list[selectors.CategoryTotal]) -> list[dict[str, Any]]:
        return [
            {"category": r.category, "label": r.label, "amount": as_decimal(r.fen)} for r in items
        ]

    return {
        "period": period,
        "opening_balance": as_decimal(report.opening_fen),
        "income": rows(report.income),
        "total_income": as_decimal(report.income_fen),
        "expenditure": rows(report.expenditure),
        "total_expenditure": as_decimal(report.expenditure_fen),
        "closing_balance": as_decimal(report.closing_fen),
    }


@router.get(
    "/{slug}/ledger/periods",
    response=list[PeriodOut],
    auth=PUBLIC,
    summary="Finance periods (the public reads published ones)",
)
@paginate(BoundedLimitOffsetPagination)
def period_list(request: HttpRequest, slug: str):
    user = api_viewer(request)
    return selectors.period_list(community=community_get(slug=slug, user=user), user=user)


@router.get(
    "/{slug}/ledger/periods/{period_id}",
    response=ReportOut,
    auth=PUBLIC,
    summary="A period's report: opening balance, income and expenditure by category, closing",
)
def period_report(request: HttpRequest, slug: str, period_id: int):
    user = api_viewer(request)
    community = community_get(slug=slug, user=user)
    return _report(selectors.period_get(community=community, period_id=period_id, user=user))


@router.post("/{slug}/ledger/periods", response={201: PeriodOut}, summary="Open a period (staff)")
def period_create(request: HttpRequest, slug: str, payload: PeriodIn):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    return Status(
        201, services.finance_period_create(actor=user, community=community, **payload.dict())
    )


@router.post(
    "/{slug}/ledger/periods/{period_id}/publish",
    response=ReportOut,
    summary="Publish a period's report and close the books up to its end (staff)",
)
def period_publish(request: HttpRequest, slug: str, period_id: int):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    period = selectors.period_get(community=community, period_id=period_id, user=user)
    return _report(services.finance_period_publish(actor=user, period=period))


# --- Documents --------------------------------------------------------------------------------


def _document_out(document: Document) -> dict[str, Any]:
    out = DocumentOut.from_orm(document).dict()
    out["versions"] = list(selectors.versions_of(document))
    return out


@router.get("/{slug}/documents", response=list[DocumentOut], auth=PUBLIC, summary="Documents")
@paginate(BoundedLimitOffsetPagination)
def document_list(request: HttpRequest, slug: str, kind: str = ""):
    user = api_viewer(request)
    return selectors.document_list(
        community=community_get(slug=slug, user=user), user=user, kind=kind
    )


@router.get(
    "/{slug}/documents/{document_id}",
    response=DocumentDetailOut,
    auth=PUBLIC,
    summary="One document with all its versions, newest first",
)
def document_detail(request: HttpRequest, slug: str, document_id: int):
    user = api_viewer(request)
    community = community_get(slug=slug, user=user)
    return _document_out(
        selectors.document_get(community=community, document_id=document_id, user=user)
    )


@router.post(
    "/{slug}/documents", response={201: DocumentDetailOut}, summary="Write a document (staff)"
)
def document_create(request: HttpRequest, slug: str, payload: DocumentIn):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    document = services.document_create(actor=user, community=community, **payload.dict())
    return Status(201, _document_out(document))


@router.post(
    "/{slug}/documents/{document_id}/versions",
    response={201: VersionOut},
    summary="Write a new version of a document (staff)",
)
def document_revise(request: HttpRequest, slug: str, document_id: int, payload: RevisionIn):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    require("disclosure.manage", user, community)
    document = selectors.document_get(community=community, document_id=document_id, user=user)
    return Status(201, services.document_revise(actor=user, document=document, **payload.dict()))


@router.post(
    "/{slug}/documents/{document_id}/publish",
    response=DocumentOut,
    summary="Publish a document (staff)",
)
def document_publish(request: HttpRequest, slug: str, document_id: int):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    document = selectors.document_get(community=community, document_id=document_id, user=user)
    return services.document_publish(actor=user, document=document)
