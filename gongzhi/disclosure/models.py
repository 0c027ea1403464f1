"""Information disclosure (信息公开, R7.1 and R1.3): what the community publishes about itself.

- ``Announcement`` (通知公告): a notice with a category, optionally pinned; an *important* one
  asks every member to confirm they have read it (``ReadConfirmation``, one per person), so that
  community workers can reach those who have not in another way.
- The finance ledger (财务公开). ``LedgerEntry`` is one income or expenditure with its date,
  counterparty, voucher (``Voucher``: a PDF or a picture, checked by content) and total;
  ``LedgerLine`` splits it by category, and the lines must add up to the total.
  Money is stored as integer **fen** (分, 1/100 yuan) in ``BigIntegerField``s: sums are exact
  on every database (SQLite has no decimal type) and the API and forms speak Decimal yuan with
  two places. An entry is entered by one person and approved by a *different* one (a check
  constraint); only approved entries count. Entries and lines are never updated in their
  amounts or dates (the models refuse, and database triggers refuse a raw UPDATE): a mistake
  is corrected by a *reversing* entry, whose lines mirror the original's with the opposite
  sign, plus a new right entry that names the entry it replaces. The original stays, marked
  corrected.
- ``FinancePeriod`` (a month, quarter or year): its report is computed from approved entries
  (opening balance, income and expenditure by category, closing balance). Publishing a period
  closes the books up to its last day: no entry may afterwards be dated on or before the latest
  published period's end (the community's *lock date*), so a published report never changes.
  A correction of a closed entry is therefore dated in the open time after the lock date.
- ``Document`` with ``DocumentVersion``s: plans, policies, meeting minutes and decisions; every
  edit is a new numbered version (who, when, why) and older ones stay readable.
- ``NoticeBoard`` (公示栏) with ``BoardItem``s: a printable selection of published items.
"""

from __future__ import annotations

import os
import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core.tenancy import TenantManager, TenantModel


class AppendOnly(Exception):
    """A ledger row was about to be changed in place."""


# --- Announcements ----------------------------------------------------------------------------


class AnnouncementCategory(models.TextChoices):
    GENERAL = "general", _("general notice")
    POLICY = "policy", _("policy")
    SERVICE = "service", _("service information")
    ACTIVITY = "activity", pgettext_lazy("announcement", "activity")
    SAFETY = "safety", _("safety")
    FINANCE = "finance", _("finance")


class Announcement(TenantModel):
    """通知公告: a notice to the community's residents."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=20000)
    category = models.CharField(_("category"), max_length=20, choices=AnnouncementCategory.choices)
    pinned = models.BooleanField(_("pinned to the top"), default=False)
    important = models.BooleanField(
        _("important: ask every resident to confirm they have read it"), default=False
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Announcement"]()

    class Meta:
        verbose_name = _("announcement")
        ordering = ["-pinned", "-published_at", "-pk"]
        indexes = [models.Index(fields=["community", "-pinned", "-published_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="notice_has_title"),
            models.CheckConstraint(condition=~Q(body=""), name="notice_has_body"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ReadConfirmation(TenantModel):
    """A member confirmed reading an important announcement (已阅确认)."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="confirmations"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["ReadConfirmation"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="notice_read_once")
        ]


# --- The finance ledger -----------------------------------------------------------------------


class EntryKind(models.TextChoices):
    INCOME = "income", _("income")
    EXPENDITURE = "expenditure", _("expenditure")


class LedgerCategory(models.TextChoices):
    SUBSIDY = "subsidy", _("government funding and subsidies")
    DONATION = "donation", _("donations")
    PUBLIC_INCOME = "public_income", _("income from shared property (parking, advertising)")
    FEES = "fees", _("service fees")
    OTHER_INCOME = "other_income", _("other income")
    ACTIVITIES = "activities", _("community activities")
    MAINTENANCE = "maintenance", _("repairs and maintenance")
    GREENING = "greening", _("environment and greening")
    AID = "aid", _("help for residents in need")
    SERVICES = "services", _("services bought from organisations")
    OFFICE = "office", _("office costs")
    OTHER_EXPENSE = "other_expense", _("other expenditure")


INCOME_CATEGORIES = frozenset({"subsidy", "donation", "public_income", "fees", "other_income"})
EXPENDITURE_CATEGORIES = frozenset(LedgerCategory.values) - INCOME_CATEGORIES


def categories_of(kind: str) -> frozenset[str]:
    return INCOME_CATEGORIES if kind == EntryKind.INCOME else EXPENDITURE_CATEGORIES


class EntryStatus(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("not approved")


#: The fields of an entry and its lines that never change once written (also guarded by
#: database triggers, see migration 0002).
FROZEN_ENTRY_FIELDS = (
    "kind",
    "occurred_on",
    "counterparty",
    "description",
    "total_fen",
    "reverses_id",
    "replaces_id",
    "entered_by_id",
)


class LedgerEntry(TenantModel):
    """One income or expenditure (收支记录). ``total_fen`` is positive, except on a reversing
    entry, which is negative and mirrors the entry it reverses."""

    kind = models.CharField(_("income or expenditure"), max_length=12, choices=EntryKind.choices)
    occurred_on = models.DateField(_("date"))
    counterparty = models.CharField(_("paid by or to"), max_length=200)
    description = models.CharField(_("what it was for"), max_length=500)
    total_fen = models.BigIntegerField(_("total (fen)"))
    reverses = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
        help_text="The entry this one cancels (冲销): at most one reversal that is not refused.",
    )
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacements",
        help_text="The reversed entry this one puts right.",
    )
    status = models.CharField(
        max_length=10, choices=EntryStatus.choices, default=EntryStatus.PENDING
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=500, blank=True)

    objects = TenantManager["LedgerEntry"]()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["occurred_on", "pk"]
        indexes = [models.Index(fields=["community", "status", "occurred_on"])]
        constraints = [
            # The four-eyes rule (双人复核): whoever entered an entry cannot approve it.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("entered_by")),
                name="ledger_approver_differs",
            ),
            models.CheckConstraint(
                condition=(Q(status="approved") & Q(approved_by__isnull=False))
                | (~Q(status="approved") & Q(approved_by__isnull=True)),
                name="ledger_approved_has_approver",
            ),
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & Q(total_fen__gt=0))
                | (Q(reverses__isnull=False) & Q(total_fen__lt=0)),
                name="ledger_total_sign",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | Q(replaces__isnull=True),
                name="ledger_reverses_or_replaces",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="ledger_rejection_has_reason",
            ),
            # An entry is reversed once; a refused reversal leaves room for a right one.
            models.UniqueConstraint(
                fields=["reverses"],
                condition=Q(reverses__isnull=False) & ~Q(status="rejected"),
                name="ledger_reversed_once",
            ),
            models.CheckConstraint(condition=~Q(counterparty=""), name="ledger_has_counterparty"),
            models.CheckConstraint(condition=~Q(description=""), name="ledger_has_description"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.description}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly(
                "A ledger entry is never changed; approve it with ledger_entry_approve or "
                "correct it with a reversing entry."
            )
        super().save(*args, **kwargs)

    @property
    def sign(self) -> int:
        """+1 for income, -1 for expenditure: how the entry moves the balance."""
        return 1 if self.kind == EntryKind.INCOME else -1

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class LedgerLine(TenantModel):
    """One category's share of an entry (分项). Lines of an entry add up to its total."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(_("category"), max_length=20, choices=LedgerCategory.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = TenantManager["LedgerLine"]()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_fen=0), name="ledger_line_not_zero"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("A ledger line is never changed; correct its entry instead.")
        super().save(*args, **kwargs)


def voucher_path(instance: Any, filename: str) -> str:
    """A random name: vouchers are served only through a view that checks who may see them."""
    extension = os.path.splitext(filename)[1].lower()[:8]
    return f"disclosure/{instance.community_id}/{uuid.uuid4().hex}{extension}"


class Voucher(TenantModel):
    """The receipt or invoice behind an entry (凭证): a PDF or a picture, checked by content."""

    entry = models.OneToOneField(LedgerEntry, on_delete=models.CASCADE, related_name="voucher")
    file = models.FileField(upload_to=voucher_path, max_length=200)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Voucher"]()


class PeriodKind(models.TextChoices):
    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")
    YEAR = "year", _("year")


class FinancePeriod(TenantModel):
    """A reporting period (财务公开期): a month, a quarter or a year."""

    #: Its report, attached by ``selectors.with_reports`` for feeds and notice boards.
    report: Any

    kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["FinancePeriod"]()

    class Meta:
        verbose_name = _("finance report")
        ordering = ["-starts_on", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "kind", "starts_on"], name="finance_period_once"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="finance_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def label(self) -> str:
        start: date = self.starts_on
        if self.kind == PeriodKind.MONTH:
            return _("%(year)d-%(month)02d") % {"year": start.year, "month": start.month}
        if self.kind == PeriodKind.QUARTER:
            return _("%(year)d Q%(quarter)d") % {
                "year": start.year,
                "quarter": (start.month - 1) // 3 + 1,
            }
        return str(start.year)


# --- Versioned documents ----------------------------------------------------------------------


class DocumentKind(models.TextChoices):
    PLAN = "plan", _("plan")
    POLICY = "policy", _("policy")
    MINUTES = "minutes", _("meeting minutes")
    DECISION = "decision", _("decision")


class Document(TenantModel):
    """A plan, policy, meeting minutes or decision, kept in numbered versions."""

    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    version_count = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["Document"]()

    class Meta:
        verbose_name = _("document")
        ordering = ["-updated_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="document_has_title")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class DocumentVersion(TenantModel):
    """One version of a document: its full text, who wrote it, when and why."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=100_000)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["DocumentVersion"]()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="document_version_from_1"),
            models.CheckConstraint(condition=~Q(body=""), name="document_version_has_body"),
        ]


# --- The notice board -------------------------------------------------------------------------


class NoticeBoard(TenantModel):
    """公示栏: a printable page of chosen published items, at a stable public address."""

    title = models.CharField(_("title"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager["NoticeBoard"]()

    class Meta:
        verbose_name = _("notice board")
        verbose_name_plural = _("notice boards")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class BoardItem(TenantModel):
    """One item on a board: exactly one of an announcement, a finance period, a document."""

    board = models.ForeignKey(NoticeBoard, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    announcement = models.ForeignKey(
        Announcement, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.ForeignKey(
        FinancePeriod, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    objects = TenantManager["BoardItem"]()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(announcement__isnull=False, period__isnull=True, document__isnull=True)
                    | Q(announcement__isnull=True, period__isnull=False, document__isnull=True)
                    | Q(announcement__isnull=True, period__isnull=True, document__isnull=False)
                ),
                name="board_item_one_thing",
            ),
            models.UniqueConstraint(fields=["board", "position"], name="board_item_position"),
        ]
