"""Reads that pages, feeds and the API share, already limited to what the viewer may see:
published items for everyone, drafts and pending entries for staff."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import rules
from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404

from gongzhi.core.models import Community, Membership
from gongzhi.disclosure.models import (
    Announcement,
    Document,
    DocumentVersion,
    EntryKind,
    EntryStatus,
    FinancePeriod,
    LedgerCategory,
    LedgerEntry,
    LedgerLine,
    NoticeBoard,
    ReadConfirmation,
    categories_of,
)

# --- Announcements ----------------------------------------------------------------------------


def announcement_list(
    *, community: Community | int, user: Any, category: str = ""
) -> QuerySet[Announcement]:
    queryset: QuerySet[Any] = Announcement.objects.in_community(community)
    if not rules.has_perm("disclosure.view_drafts", user, _as_community(community)):
        queryset = queryset.filter(published_at__isnull=False)
    if category:
        queryset = queryset.filter(category=category)
    if getattr(user, "is_authenticated", False):
        queryset = queryset.annotate(
            read_by_me=Exists(
                ReadConfirmation.objects.all_communities().filter(
                    announcement=OuterRef("pk"), user=user
                )
            )
        )
    return queryset.order_by("-pinned", "-published_at", "-pk")


def _as_community(community: Community | int) -> Any:
    if isinstance(community, Community):
        return community
    return Community.objects.get(pk=community)


def announcement_get(*, community: Community, announcement_id: int, user: Any) -> Announcement:
    announcement = (
        announcement_list(community=community, user=user)
        .select_related("created_by")
        .filter(pk=announcement_id)
        .first()
    )
    if announcement is None:
        raise Http404
    announcement.community = community
    return announcement


@dataclass(frozen=True)
class ReadCounts:
    members: int
    confirmed: int

    @property
    def unread(self) -> int:
        return self.members - self.confirmed

    @property
    def share(self) -> float:
        return self.confirmed / self.members if self.members else 0.0


def read_counts(*, announcement: Announcement) -> ReadCounts:
    members = Membership.objects.in_community(announcement.community_id).count()
    confirmed = (
        ReadConfirmation.objects.in_community(announcement.community_id)
        .filter(
            announcement=announcement,
            user__memberships__community_id=announcement.community_id,
        )
        .count()
    )
    return ReadCounts(members=members, confirmed=confirmed)


def unread_members(*, announcement: Announcement) -> QuerySet[Membership]:
    """Members who have not confirmed an important notice, with what a community worker needs
    to reach them another way (phone, building and unit). Staff only: views check first."""
    return (
        Membership.objects.in_community(announcement.community_id)
        .exclude(
            user__in=ReadConfirmation.objects.in_community(announcement.community_id)
            .filter(announcement=announcement)
            .values("user")
        )
        .select_related("user", "household__building")
        .order_by("household__building__name", "household__unit", "pk")
    )


# --- The ledger -------------------------------------------------------------------------------


def lock_date(community: Community | int) -> date | None:
    """The last day of the latest published period: the books are closed up to it."""
    return (
        FinancePeriod.objects.in_community(community)
        .filter(published_at__isnull=False)
        .aggregate(last=Max("ends_on"))["last"]
    )


def sees_ledger_drafts(user: Any, community: Community) -> bool:
    return rules.has_perm("disclosure.view_ledger_drafts", user, community)


def entry_list(
    *, community: Community, user: Any, status: str = "", period: FinancePeriod | None = None
) -> QuerySet[LedgerEntry]:
    """Staff (and the supervision committee) see every entry; everyone else sees approved
    entries dated inside published periods."""
    queryset = LedgerEntry.objects.in_community(community)
    if not sees_ledger_drafts(user, community):
        last = lock_date(community)
        if last is None:
            return queryset.none()
        queryset = queryset.filter(status=EntryStatus.APPROVED, occurred_on__lte=last)
    if status in EntryStatus.values:
        queryset = queryset.filter(status=status)
    if period is not None:
        queryset = queryset.filter(
            occurred_on__gte=period.starts_on, occurred_on__lte=period.ends_on
        )
    return (
        queryset.select_related("entered_by", "approved_by", "voucher")
        .prefetch_related("lines")
        .annotate(
            is_corrected=Exists(
                LedgerEntry.objects.in_community(community).filter(
                    reverses=OuterRef("pk"), status=EntryStatus.APPROVED
                )
            )
        )
        .order_by("occurred_on", "pk")
    )


def entry_get(*, community: Community, entry_id: int, user: Any) -> LedgerEntry:
    entry = entry_list(community=community, user=user).filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    entry.community = community
    return entry


def reversal_of(entry: LedgerEntry) -> LedgerEntry | None:
    """The entry's reversal, pending or approved (a refused one does not count)."""
    return (
        LedgerEntry.objects.in_community(entry.community_id)
        .filter(reverses=entry)
        .exclude(status=EntryStatus.REJECTED)
        .first()
    )


def is_corrected(entry: LedgerEntry) -> bool:
    """The entry has an approved reversal: it is cancelled in the reports."""
    annotated = getattr(entry, "is_corrected", None)
    if annotated is not None:
        return bool(annotated)
    reversal = reversal_of(entry)
    return reversal is not None and reversal.status == EntryStatus.APPROVED


# --- Periods ----------------------------------------------------------------------------------


def period_list(*, community: Community, user: Any) -> QuerySet[FinancePeriod]:
    queryset = FinancePeriod.objects.in_community(community)
    if not sees_ledger_drafts(user, community):
        queryset = queryset.filter(published_at__isnull=False)
    return queryset.order_by("-starts_on", "kind")


def period_get(*, community: Community, period_id: int, user: Any) -> FinancePeriod:
    period = period_list(community=community, user=user).filter(pk=period_id).first()
    if period is None:
        raise Http404
    period.community = community
    return period


@dataclass
class CategoryTotal:
    category: str
    label: str
    fen: int


@dataclass
class PeriodReport:
    """A period's report: only approved entries count; a reversal counts in its own period,
    with the opposite sign, under the original's categories."""

    period: FinancePeriod
    opening_fen: int
    income: list[CategoryTotal] = field(default_factory=list)
    expenditure: list[CategoryTotal] = field(default_factory=list)

    @property
    def income_fen(self) -> int:
        return sum(row.fen for row in self.income)

    @property
    def expenditure_fen(self) -> int:
        return sum(row.fen for row in self.expenditure)

    @property
    def closing_fen(self) -> int:
        return self.opening_fen + self.income_fen - self.expenditure_fen


def period_reports(periods: list[FinancePeriod]) -> dict[int, PeriodReport]:
    """The reports of many periods of one community in one query: approved lines summed by
    month, kind and category (a period starts on a month's first day and ends on a month's
    last), then each period adds up its months."""
    if not periods:
        return {}
    monthly = list(
        LedgerLine.objects.in_community(periods[0].community_id)
        .filter(entry__status=EntryStatus.APPROVED)
        .annotate(month=TruncMonth("entry__occurred_on"))
        .values_list("month", "entry__kind", "category")
        .annotate(total=Sum("amount_fen"))
        .order_by()
    )
    reports = {}
    for period in periods:
        opening = 0
        totals: dict[str, int] = {}
        for month, kind, category, total in monthly:
            if month < period.starts_on:
                opening += int(total) if kind == EntryKind.INCOME else -int(total)
            elif month <= period.ends_on:
                totals[category] = totals.get(category, 0) + int(total)
        report = PeriodReport(period=period, opening_fen=opening)
        for category in LedgerCategory:
            if category.value not in totals:
                continue
            row = CategoryTotal(category.value, str(category.label), totals[category.value])
            if category.value in categories_of(EntryKind.INCOME):
                report.income.append(row)
            else:
                report.expenditure.append(row)
        reports[period.pk] = report
    return reports


def period_report(*, period: FinancePeriod) -> PeriodReport:
    return period_reports([period])[period.pk]


# --- Documents --------------------------------------------------------------------------------


def document_list(*, community: Community, user: Any, kind: str = "") -> QuerySet[Document]:
    queryset = Document.objects.in_community(community)
    if not rules.has_perm("disclosure.view_drafts", user, community):
        queryset = queryset.filter(published_at__isnull=False)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-updated_at", "-pk")


def document_get(*, community: Community, document_id: int, user: Any) -> Document:
    document = document_list(community=community, user=user).filter(pk=document_id).first()
    if document is None:
        raise Http404
    document.community = community
    return document


def versions_of(document: Document) -> QuerySet[DocumentVersion]:
    return (
        DocumentVersion.objects.in_community(document.community_id)
        .filter(document=document)
        .select_related("author")
        .order_by("-number")
    )


def latest_versions(documents: list[Document]) -> dict[int, DocumentVersion]:
    """Each document's newest version, in one query."""
    if not documents:
        return {}
    community_id = documents[0].community_id
    newest = (
        DocumentVersion.objects.in_community(community_id)
        .filter(document=OuterRef("document"))
        .order_by("-number")
        .values("number")[:1]
    )
    versions = DocumentVersion.objects.in_community(community_id).filter(
        document__in=[document.pk for document in documents], number=Subquery(newest)
    )
    return {version.document_id: version for version in versions}


def version_get(*, document: Document, number: int) -> DocumentVersion:
    version = versions_of(document).filter(number=number).first()
    if version is None:
        raise Http404
    return version


@dataclass(frozen=True)
class DiffLine:
    op: str  # " " same, "+" added, "-" removed
    text: str


def version_diff(old: DocumentVersion, new: DocumentVersion) -> list[DiffLine]:
    """Line by line, with difflib (the standard library's sequence matcher)."""
    a = [f"# {old.title}", *old.body.splitlines()]
    b = [f"# {new.title}", *new.body.splitlines()]
    out = []
    for line in difflib.ndiff(a, b):
        if line.startswith("? "):
            continue  # ndiff's intraline hints are for terminals
        out.append(DiffLine(op=line[0], text=line[2:]))
    return out


# --- Boards and the feed ----------------------------------------------------------------------


def board_list(*, community: Community) -> QuerySet[NoticeBoard]:
    return (
        NoticeBoard.objects.in_community(community)
        .annotate(item_count=Count("items"))
        .order_by("-created_at", "-pk")
    )


def board_get(*, community: Community, board_id: int) -> NoticeBoard:
    board = NoticeBoard.objects.in_community(community).filter(pk=board_id).first()
    if board is None:
        raise Http404
    board.community = community
    return board


def board_items(board: NoticeBoard) -> list[Any]:
    """The board's items that are still published, each as its object, in order."""
    items = board.items.select_related("announcement", "period", "document").order_by("position")
    out: list[Any] = []
    for item in items:
        thing = item.announcement or item.period or item.document
        if thing is not None and thing.published_at is not None:
            thing.community = board.community
            out.append(thing)
    return out


def with_summaries(things: list[Any]) -> list[Any]:
    """Attach to each period its ``report`` and to each document its ``latest_version``, with
    two queries for the whole list (a feed or a board would otherwise cost two per item)."""
    periods = [thing for thing in things if isinstance(thing, FinancePeriod)]
    documents = [thing for thing in things if isinstance(thing, Document)]
    reports = period_reports(periods)
    versions = latest_versions(documents)
    for period in periods:
        period.report = reports[period.pk]
    for document in documents:
        document.latest_version = versions.get(document.pk)  # type: ignore[attr-defined]
    return things


def published_for_feed(*, community: Community, limit: int = 50) -> list[Any]:
    """Published announcements, documents and finance periods, newest first."""
    announcements = list(
        Announcement.objects.in_community(community)
        .filter(published_at__isnull=False)
        .order_by("-published_at")[:limit]
    )
    documents = list(
        Document.objects.in_community(community)
        .filter(published_at__isnull=False)
        .order_by("-published_at")[:limit]
    )
    periods = list(
        FinancePeriod.objects.in_community(community)
        .filter(published_at__isnull=False)
        .order_by("-published_at")[:limit]
    )
    items: list[Any] = [*announcements, *documents, *periods]
    for item in items:
        item.community = community
    items.sort(key=lambda item: item.published_at, reverse=True)
    return items[:limit]


def pending_count(community: Community) -> int:
    return LedgerEntry.objects.in_community(community).filter(status=EntryStatus.PENDING).count()
