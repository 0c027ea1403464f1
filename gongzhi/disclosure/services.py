"""Every write of information disclosure. Each service checks permission, validates everything
before writing (bad input changes nothing), runs in one transaction, journals the act and leaves
messages to after the commit (``notify`` enqueues e-mail and SMS on commit).

Ledger writes of one community take a lock on its row: recording an entry, publishing a period
and approving queue behind each other, so an entry can never slip into a period while it is
being published. They are rare (a few a day), so the queue costs nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core import journal
from gongzhi.core.models import Community, Membership
from gongzhi.core.policies import require
from gongzhi.core.uploads import DOCUMENTS, MB, PHOTOS, check_upload, store_upload
from gongzhi.disclosure import selectors
from gongzhi.disclosure.models import (
    Announcement,
    AnnouncementCategory,
    BoardItem,
    Document,
    DocumentKind,
    DocumentVersion,
    EntryKind,
    EntryStatus,
    FinancePeriod,
    LedgerCategory,
    LedgerEntry,
    LedgerLine,
    NoticeBoard,
    PeriodKind,
    ReadConfirmation,
    Voucher,
    categories_of,
)
from gongzhi.disclosure.money import to_fen, yuan
from gongzhi.notifications.services import notify

MAX_TITLE = 200
MAX_BODY = 20_000
MAX_DOCUMENT = 100_000
MAX_VOUCHER_BYTES = 10 * MB
VOUCHER_KINDS = PHOTOS | DOCUMENTS
MAX_LINES = 20
MAX_BOARD_ITEMS = 30


def _require(perm: str, user: Any, obj: object) -> None:
    require(perm, user, obj, _("You are not allowed to do this in the community's disclosure."))


def _text(value: str, *, limit: int, empty: str, too_long: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(empty, code=f"{code}_empty")
    if len(value) > limit:
        raise ValidationError(too_long % {"max": limit}, code=f"{code}_too_long")
    return value


def _title(value: str) -> str:
    return _text(
        value,
        limit=MAX_TITLE,
        empty=_("Give it a title."),
        too_long=_("The title is too long: at most %(max)d characters."),
        code="title",
    )


def _members(community: Community) -> list[User]:
    return [
        m.user
        for m in Membership.objects.in_community(community).select_related("user").order_by("pk")
    ]


def _lock_community(community_id: int) -> Community:
    return Community.objects.select_for_update().get(pk=community_id)


# --- Announcements ----------------------------------------------------------------------------


def announcement_create(
    *,
    actor: User,
    community: Community,
    title: str,
    body: str,
    category: str,
    pinned: bool = False,
    important: bool = False,
    publish: bool = False,
) -> Announcement:
    """A community worker writes an announcement, as a draft or published at once."""
    _require("disclosure.manage", actor, community)
    title = _title(title)
    body = _text(
        body,
        limit=MAX_BODY,
        empty=_("Write the text of the announcement."),
        too_long=_("The text is too long: at most %(max)d characters."),
        code="body",
    )
    if category not in AnnouncementCategory.values:
        raise ValidationError(_("Choose one of the listed categories."), code="unknown_category")
    with transaction.atomic():
        announcement = Announcement.objects.in_community(community).create(
            title=title,
            body=body,
            category=category,
            pinned=bool(pinned),
            important=bool(important),
            created_by=actor,
        )
        journal.record(community=community, actor=actor, verb="notice.created", target=announcement)
        if publish:
            _publish_announcement(actor, community, announcement)
    return announcement


def _publish_announcement(actor: User, community: Community, announcement: Announcement) -> None:
    announcement.published_at = timezone.now()
    announcement.save(update_fields=["published_at"])
    journal.record(
        community=community,
        actor=actor,
        verb="notice.published",
        target=announcement,
        data={"important": announcement.important},
    )
    url = reverse("notice_detail", args=[community.slug, announcement.pk])
    notify(
        users=_members(community),
        kind="notice_important" if announcement.important else "notice_published",
        message="published",
        params={"title": announcement.title},
        url=url,
        community=community,
    )


def announcement_publish(*, actor: User, announcement: Announcement) -> Announcement:
    _require("disclosure.manage", actor, announcement)
    with transaction.atomic():
        locked = (
            Announcement.objects.in_community(announcement.community_id)
            .select_for_update()
            .select_related("community")
            .get(pk=announcement.pk)
        )
        if locked.published_at is not None:
            raise ValidationError(
                _("This announcement is already published."), code="already_published"
            )
        _publish_announcement(actor, locked.community, locked)
    return locked


def announcement_pin(*, actor: User, announcement: Announcement, pinned: bool) -> Announcement:
    _require("disclosure.manage", actor, announcement)
    with transaction.atomic():
        Announcement.objects.in_community(announcement.community_id).filter(
            pk=announcement.pk
        ).update(pinned=pinned)
        announcement.pinned = pinned
        journal.record(
            community=announcement.community,
            actor=actor,
            verb="notice.pinned",
            target=announcement,
            data={"pinned": pinned},
        )
    return announcement


def announcement_confirm_read(*, actor: User, announcement: Announcement) -> bool:
    """A member confirms reading an important notice. True the first time, False after (the
    unique constraint keeps one confirmation per person even when two arrive at once)."""
    _require("disclosure.confirm_read", actor, announcement)
    if not announcement.important or announcement.published_at is None:
        raise ValidationError(
            _("This announcement does not ask for a read confirmation."), code="not_important"
        )
    with transaction.atomic():
        _confirmation, created = ReadConfirmation.objects.in_community(
            announcement.community_id
        ).get_or_create(announcement=announcement, user=actor)
        if created:
            journal.record(
                community=announcement.community,
                actor=actor,
                verb="notice.read_confirmed",
                target=announcement,
            )
    return created


# --- The ledger -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineIn:
    """One category's part of an entry, as typed or sent: an amount in yuan."""

    category: str
    amount: Any
    note: str = ""


def _check_date(community_id: int, occurred_on: date) -> None:
    if occurred_on > timezone.localdate():
        raise ValidationError(
            _("An entry records money that has already moved: its date cannot be in the future."),
            code="future_date",
        )
    locked_until = selectors.lock_date(community_id)
    if locked_until is not None and occurred_on <= locked_until:
        raise ValidationError(
            _(
                "The books are closed up to %(day)s (a published period). Date the entry after "
                "that day; a mistake in a closed period is corrected by a reversal dated now."
            )
            % {"day": locked_until.isoformat()},
            code="period_closed",
        )


def _checked_lines(
    kind: str, total_fen: int, lines: Sequence[LineIn]
) -> list[tuple[str, int, str]]:
    if not lines:
        raise ValidationError(_("Give at least one line with a category."), code="no_lines")
    if len(lines) > MAX_LINES:
        raise ValidationError(
            _("At most %(max)d lines per entry.") % {"max": MAX_LINES}, code="too_many_lines"
        )
    allowed = categories_of(kind)
    checked = []
    for line in lines:
        if line.category not in LedgerCategory.values:
            raise ValidationError(
                _("“%(category)s” is not a ledger category. Choose one of the listed categories.")
                % {"category": line.category},
                code="unknown_category",
            )
        if line.category not in allowed:
            raise ValidationError(
                _("“%(category)s” is not a category of %(kind)s.")
                % {
                    "category": LedgerCategory(line.category).label,
                    "kind": EntryKind(kind).label,
                },
                code="wrong_category",
            )
        fen = to_fen(line.amount)
        if fen <= 0:
            raise ValidationError(
                _("Each line's amount must be more than 0 yuan."), code="amount_not_positive"
            )
        note = (line.note or "").strip()
        if len(note) > 200:
            raise ValidationError(_("A line's note is at most 200 characters."), code="note")
        checked.append((line.category, fen, note))
    lines_fen = sum(fen for _c, fen, _n in checked)
    if lines_fen != total_fen:
        raise ValidationError(
            _(
                "The entry does not balance: its lines add up to %(lines)s yuan but its total "
                "is %(total)s yuan."
            )
            % {"lines": yuan(lines_fen), "total": yuan(total_fen)},
            code="unbalanced",
        )
    return checked


def ledger_entry_record(
    *,
    actor: User,
    community: Community,
    kind: str,
    occurred_on: date,
    counterparty: str,
    description: str,
    total: Any,
    lines: Sequence[LineIn],
    voucher: Any = None,
    replaces: LedgerEntry | None = None,
    _reuse_voucher_of: LedgerEntry | None = None,
) -> LedgerEntry:
    """A community worker enters an income or expenditure, split into lines by category whose
    sum is the total (as on the voucher). It waits for a second person's approval."""
    _require("disclosure.manage", actor, community)
    if kind not in EntryKind.values:
        raise ValidationError(_("Choose income or expenditure."), code="kind")
    counterparty = _text(
        counterparty,
        limit=200,
        empty=_("Say who paid or was paid."),
        too_long=_("The counterparty is too long: at most %(max)d characters."),
        code="counterparty",
    )
    description = _text(
        description,
        limit=500,
        empty=_("Say what the money was for."),
        too_long=_("The description is too long: at most %(max)d characters."),
        code="description",
    )
    total_fen = to_fen(total)
    if total_fen <= 0:
        raise ValidationError(_("The total must be more than 0 yuan."), code="amount_not_positive")
    checked = _checked_lines(kind, total_fen, lines)
    upload = (
        check_upload(voucher, kinds=VOUCHER_KINDS, max_bytes=MAX_VOUCHER_BYTES)
        if voucher is not None
        else None
    )
    written: list[Any] = []
    try:
        with transaction.atomic():
            locked = _lock_community(community.pk)
            _check_date(community.pk, occurred_on)
            entry = LedgerEntry.objects.in_community(community).create(
                kind=kind,
                occurred_on=occurred_on,
                counterparty=counterparty,
                description=description,
                total_fen=total_fen,
                replaces=replaces,
                entered_by=actor,
            )
            LedgerLine.objects.bulk_create(
                LedgerLine(community=community, entry=entry, category=c, amount_fen=f, note=n)
                for c, f, n in checked
            )
            if upload is not None:
                store_upload(
                    Voucher(community=community, entry=entry, uploaded_by=actor), upload, written
                )
            elif _reuse_voucher_of is not None and hasattr(_reuse_voucher_of, "voucher"):
                old = _reuse_voucher_of.voucher
                Voucher.objects.in_community(community).create(
                    entry=entry,
                    file=old.file.name,
                    name=old.name,
                    content_type=old.content_type,
                    size=old.size,
                    width=old.width,
                    height=old.height,
                    uploaded_by=actor,
                )
            journal.record(
                community=locked,
                actor=actor,
                verb="finance.entry_recorded",
                target=entry,
                data={"kind": kind, "total_fen": total_fen, "replaces": replaces and replaces.pk},
            )
    except Exception:
        for file in written:
            file.delete(save=False)
        raise
    return entry


def ledger_voucher_attach(*, actor: User, entry: LedgerEntry, file: Any) -> Voucher:
    """Attach the voucher to a pending entry that has none (the API enters JSON first)."""
    _require("disclosure.manage", actor, entry)
    upload = check_upload(file, kinds=VOUCHER_KINDS, max_bytes=MAX_VOUCHER_BYTES)
    written: list[Any] = []
    try:
        with transaction.atomic():
            locked = (
                LedgerEntry.objects.in_community(entry.community_id)
                .select_for_update()
                .get(pk=entry.pk)
            )
            if locked.status != EntryStatus.PENDING:
                raise ValidationError(
                    _("Vouchers are attached before approval."), code="already_decided"
                )
            if Voucher.objects.in_community(entry.community_id).filter(entry=locked).exists():
                raise ValidationError(
                    _("This entry already has its voucher."), code="voucher_exists"
                )
            voucher = Voucher(community_id=entry.community_id, entry=locked, uploaded_by=actor)
            store_upload(voucher, upload, written)
            journal.record(
                community=entry.community,
                actor=actor,
                verb="finance.voucher_attached",
                target=locked,
            )
    except Exception:
        for stored in written:
            stored.delete(save=False)
        raise
    return voucher


def _decide(entry: LedgerEntry, actor: User) -> LedgerEntry:
    locked = (
        LedgerEntry.objects.in_community(entry.community_id)
        .select_for_update()
        .select_related("community")
        .get(pk=entry.pk)
    )
    if locked.status != EntryStatus.PENDING:
        raise ValidationError(
            _("This entry has already been approved or refused."), code="already_decided"
        )
    return locked


def ledger_entry_approve(*, actor: User, entry: LedgerEntry) -> LedgerEntry:
    """A second person approves an entry (复核). Only approved entries count in reports."""
    _require("disclosure.approve_entry", actor, entry)
    if entry.entered_by_id == actor.pk:
        raise ValidationError(
            _("An entry must be approved by someone other than the person who entered it."),
            code="same_person",
        )
    with transaction.atomic():
        _lock_community(entry.community_id)
        locked = _decide(entry, actor)
        if not locked.is_reversal and not hasattr(locked, "voucher"):
            raise ValidationError(
                _("Attach the voucher (receipt or invoice) before the entry is approved."),
                code="no_voucher",
            )
        now = timezone.now()
        # One conditional UPDATE: of two approvals at once only one changes the row.
        changed = (
            LedgerEntry.objects.in_community(entry.community_id)
            .filter(pk=entry.pk, status=EntryStatus.PENDING)
            .update(status=EntryStatus.APPROVED, approved_by=actor, decided_at=now)
        )
        if not changed:
            raise ValidationError(
                _("This entry has already been approved or refused."), code="already_decided"
            )
        journal.record(
            community=locked.community,
            actor=actor,
            verb="finance.entry_approved",
            target=locked,
            data={"total_fen": locked.total_fen},
        )
    return selectors.entry_get(community=locked.community, entry_id=entry.pk, user=actor)


def ledger_entry_reject(*, actor: User, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """The approver refuses an entry, or its author withdraws it, with a reason. A refused
    entry stays in the ledger, counts nowhere and can be entered again correctly."""
    if entry.entered_by_id != actor.pk:
        _require("disclosure.approve_entry", actor, entry)
    else:
        _require("disclosure.manage", actor, entry)
    reason = _text(
        reason,
        limit=500,
        empty=_("Say why the entry is not approved."),
        too_long=_("The reason is too long: at most %(max)d characters."),
        code="reason",
    )
    with transaction.atomic():
        locked = _decide(entry, actor)
        LedgerEntry.objects.in_community(entry.community_id).filter(
            pk=entry.pk, status=EntryStatus.PENDING
        ).update(status=EntryStatus.REJECTED, decided_at=timezone.now(), rejection_reason=reason)
        journal.record(
            community=locked.community,
            actor=actor,
            verb="finance.entry_rejected",
            target=locked,
            data={"reason": reason},
        )
    return selectors.entry_get(community=locked.community, entry_id=entry.pk, user=actor)


@dataclass(frozen=True)
class Correction:
    reversal: LedgerEntry
    replacement: LedgerEntry | None


def ledger_entry_correct(
    *,
    actor: User,
    entry: LedgerEntry,
    reason: str,
    occurred_on: date | None = None,
    replacement: dict[str, Any] | None = None,
) -> Correction:
    """Correct an approved entry without touching it: a reversing entry that mirrors its lines
    with the opposite sign (so the two cancel exactly), and optionally the right entry that
    replaces it. Both are new entries and wait for a second person's approval; the original
    stays, marked corrected. ``replacement`` holds ``ledger_entry_record``'s arguments (its
    voucher defaults to the original's)."""
    _require("disclosure.manage", actor, entry)
    reason = _text(
        reason,
        limit=300,
        empty=_("Say what was wrong with the entry."),
        too_long=_("The reason is too long: at most %(max)d characters."),
        code="reason",
    )
    occurred_on = occurred_on or timezone.localdate()
    with transaction.atomic():
        locked_community = _lock_community(entry.community_id)
        original = (
            LedgerEntry.objects.in_community(entry.community_id)
            .select_for_update()
            .get(pk=entry.pk)
        )
        if original.is_reversal:
            raise ValidationError(
                _("A reversal is not corrected; correct the original entry again instead."),
                code="reversal_of_reversal",
            )
        if original.status != EntryStatus.APPROVED:
            raise ValidationError(
                _("Only an approved entry is corrected; refuse a pending one instead."),
                code="not_approved",
            )
        if (
            LedgerEntry.objects.in_community(entry.community_id)
            .filter(reverses=original)
            .exclude(status=EntryStatus.REJECTED)
            .exists()
        ):
            raise ValidationError(
                _("This entry has already been reversed."), code="already_reversed"
            )
        _check_date(entry.community_id, occurred_on)
        lines = list(original.lines.all())
        reversal = LedgerEntry.objects.in_community(entry.community_id).create(
            kind=original.kind,
            occurred_on=occurred_on,
            counterparty=original.counterparty,
            description=(
                _("Reversal of entry #%(number)d: %(reason)s")
                % {"number": original.pk, "reason": reason}
            )[:500],
            total_fen=-original.total_fen,
            reverses=original,
            entered_by=actor,
        )
        LedgerLine.objects.bulk_create(
            LedgerLine(
                community_id=entry.community_id,
                entry=reversal,
                category=line.category,
                amount_fen=-line.amount_fen,
                note=line.note,
            )
            for line in lines
        )
        check_mirror(original, reversal)
        journal.record(
            community=locked_community,
            actor=actor,
            verb="finance.entry_reversed",
            target=reversal,
            data={"reverses": original.pk, "reason": reason},
        )
        replaced = None
        if replacement is not None:
            values = {
                "kind": original.kind,
                "counterparty": original.counterparty,
                "description": original.description,
            } | replacement
            values.setdefault("occurred_on", occurred_on)
            replaced = ledger_entry_record(
                actor=actor,
                community=locked_community,
                replaces=original,
                _reuse_voucher_of=original if values.get("voucher") is None else None,
                **values,
            )
    return Correction(reversal=reversal, replacement=replaced)


def check_mirror(original: LedgerEntry, reversal: LedgerEntry) -> None:
    """A reversal balances only if it is the exact mirror of its original: same kind, the
    opposite total, and line for line the same categories with opposite amounts."""
    theirs = sorted((ln.category, ln.amount_fen) for ln in original.lines.all())
    ours = sorted((ln.category, -ln.amount_fen) for ln in reversal.lines.all())
    if (
        reversal.kind != original.kind
        or reversal.total_fen != -original.total_fen
        or theirs != ours
        or sum(a for _c, a in ours) != original.total_fen
    ):
        raise ValidationError(
            _("The reversal does not mirror the entry it reverses."), code="unbalanced"
        )


# --- Periods ----------------------------------------------------------------------------------


#: The years a period may start in: a ledger of the 2000s, and no year-10000 overflow.
PERIOD_YEARS = (2000, 2100)


def period_end(kind: str, starts_on: date) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    month0 = starts_on.month - 1 + months
    following = date(starts_on.year + month0 // 12, month0 % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def finance_period_create(
    *, actor: User, community: Community, kind: str, starts_on: date
) -> FinancePeriod:
    """A month (starting on the 1st), a quarter (January, April, July, October) or a year."""
    _require("disclosure.manage", actor, community)
    if kind not in PeriodKind.values:
        raise ValidationError(_("Choose a month, a quarter or a year."), code="period_kind")
    if not PERIOD_YEARS[0] <= starts_on.year <= PERIOD_YEARS[1]:
        raise ValidationError(
            _("A period starts between the years %(first)s and %(last)s.")
            % {"first": PERIOD_YEARS[0], "last": PERIOD_YEARS[1]},
            code="period_start",
        )
    starts_ok = starts_on.day == 1 and (
        kind == PeriodKind.MONTH
        or (kind == PeriodKind.QUARTER and starts_on.month in (1, 4, 7, 10))
        or (kind == PeriodKind.YEAR and starts_on.month == 1)
    )
    if not starts_ok:
        raise ValidationError(
            _(
                "A month starts on its 1st, a quarter on 1 January, April, July or October, "
                "a year on 1 January."
            ),
            code="period_start",
        )
    with transaction.atomic():
        if (
            FinancePeriod.objects.in_community(community)
            .filter(kind=kind, starts_on=starts_on)
            .exists()
        ):
            raise ValidationError(_("This period already exists."), code="period_exists")
        period = FinancePeriod.objects.in_community(community).create(
            kind=kind, starts_on=starts_on, ends_on=period_end(kind, starts_on), created_by=actor
        )
        journal.record(
            community=community, actor=actor, verb="finance.period_created", target=period
        )
    return period


def finance_period_publish(*, actor: User, period: FinancePeriod) -> FinancePeriod:
    """Publish a period's report and close the books up to its last day."""
    _require("disclosure.manage", actor, period)
    with transaction.atomic():
        community = _lock_community(period.community_id)
        locked = FinancePeriod.objects.in_community(community).select_for_update().get(pk=period.pk)
        if locked.published_at is not None:
            raise ValidationError(_("This period is already published."), code="already_published")
        if locked.ends_on >= timezone.localdate():
            raise ValidationError(
                _("A period is published once it has ended."), code="period_not_ended"
            )
        waiting = (
            LedgerEntry.objects.in_community(community)
            .filter(status=EntryStatus.PENDING, occurred_on__lte=locked.ends_on)
            .count()
        )
        if waiting:
            raise ValidationError(
                _(
                    "%(n)d entries dated in or before this period are waiting for approval: "
                    "approve or refuse them first."
                )
                % {"n": waiting},
                code="pending_entries",
            )
        locked.published_at = timezone.now()
        locked.published_by = actor
        locked.save(update_fields=["published_at", "published_by"])
        report = selectors.period_report(period=locked)
        journal.record(
            community=community,
            actor=actor,
            verb="finance.period_published",
            target=locked,
            data={
                "opening_fen": report.opening_fen,
                "income_fen": report.income_fen,
                "expenditure_fen": report.expenditure_fen,
                "closing_fen": report.closing_fen,
                # Evaluation's disclosure timeliness: how long after its end it was published.
                "period_end": locked.ends_on.isoformat(),
            },
        )
        notify(
            users=_members(community),
            kind="finance_published",
            message="published",
            params={"period": locked.label},
            url=reverse("finance_period", args=[community.slug, locked.pk]),
            community=community,
        )
    return locked


# --- Documents --------------------------------------------------------------------------------


def _document_body(body: str) -> str:
    return _text(
        body,
        limit=MAX_DOCUMENT,
        empty=_("Write the text of the document."),
        too_long=_("The text is too long: at most %(max)d characters."),
        code="body",
    )


def document_create(
    *,
    actor: User,
    community: Community,
    kind: str,
    title: str,
    body: str,
    change_note: str = "",
    publish: bool = False,
) -> Document:
    _require("disclosure.manage", actor, community)
    return document_record(
        community=community,
        kind=kind,
        title=title,
        body=body,
        author=actor,
        change_note=change_note,
        publish=publish,
    )


def document_revise(
    *, actor: User, document: Document, title: str, body: str, change_note: str
) -> DocumentVersion:
    """Every edit is a new version; the older ones stay readable."""
    _require("disclosure.manage", actor, document)
    title, body = _title(title), _document_body(body)
    change_note = _text(
        change_note,
        limit=300,
        empty=_("Say what changed in this version."),
        too_long=_("The note is too long: at most %(max)d characters."),
        code="change_note",
    )
    return document_record_version(
        document=document, title=title, body=body, change_note=change_note, author=actor
    )


def document_publish(*, actor: User, document: Document) -> Document:
    _require("disclosure.manage", actor, document)
    with transaction.atomic():
        changed = (
            Document.objects.in_community(document.community_id)
            .filter(pk=document.pk, published_at__isnull=True)
            .update(published_at=timezone.now())
        )
        if not changed:
            raise ValidationError(
                _("This document is already published."), code="already_published"
            )
        journal.record(
            community=document.community,
            actor=actor,
            verb="document.published",
            target=document,
        )
    document.refresh_from_db()
    return document


def document_record(
    *,
    community: Community,
    kind: str,
    title: str,
    body: str,
    author: User | None,
    change_note: str = "",
    publish: bool = True,
) -> Document:
    """A document's first version, with no permission check: ``document_create`` checks it, and
    another app's service (approved meeting minutes, published at once) checks its own."""
    if kind not in DocumentKind.values:
        raise ValidationError(_("Choose one of the listed kinds of document."), code="unknown_kind")
    title, body = _title(title), _document_body(body)
    with transaction.atomic():
        document = Document.objects.in_community(community).create(
            kind=kind,
            title=title,
            version_count=1,
            created_by=author,
            published_at=timezone.now() if publish else None,
        )
        DocumentVersion.objects.in_community(community).create(
            document=document,
            number=1,
            title=title,
            body=body,
            change_note=(change_note or "").strip()[:300],
            author=author,
        )
        journal.record(community=community, actor=author, verb="document.created", target=document)
        if publish:
            journal.record(
                community=community, actor=author, verb="document.published", target=document
            )
    return document


def document_record_version(
    *, document: Document, title: str, body: str, change_note: str, author: User | None
) -> DocumentVersion:
    """A new version, with no permission check: ``document_revise`` checks it, and another
    app's service (corrected minutes) checks its own. An unchanged text is refused."""
    title, body = _title(title), _document_body(body)
    with transaction.atomic():
        locked = (
            Document.objects.in_community(document.community_id)
            .select_for_update()
            .select_related("community")
            .get(pk=document.pk)
        )
        latest = locked.versions.order_by("-number").first()
        if latest is not None and latest.title == title and latest.body == body:
            raise ValidationError(
                _("Nothing changed: the text is the same as the latest version."),
                code="unchanged",
            )
        number = locked.version_count + 1
        version = DocumentVersion.objects.in_community(locked.community_id).create(
            document=locked,
            number=number,
            title=title,
            body=body,
            change_note=(change_note or "").strip()[:300],
            author=author,
        )
        Document.objects.in_community(locked.community_id).filter(pk=locked.pk).update(
            version_count=number, title=title, updated_at=timezone.now()
        )
        journal.record(
            community=locked.community,
            actor=author,
            verb="document.revised",
            target=locked,
            data={"version": number},
        )
    return version


# --- Notice boards ----------------------------------------------------------------------------


def board_create(
    *,
    actor: User,
    community: Community,
    title: str,
    announcements: Iterable[int] = (),
    periods: Iterable[int] = (),
    documents: Iterable[int] = (),
) -> NoticeBoard:
    """A notice board (公示栏) of chosen published items, in the order given (announcements,
    then finance reports, then documents). Its page is public, so drafts cannot go on it."""
    _require("disclosure.manage", actor, community)
    title = _title(title)
    wanted = {
        "announcement": list(dict.fromkeys(int(i) for i in announcements)),
        "period": list(dict.fromkeys(int(i) for i in periods)),
        "document": list(dict.fromkeys(int(i) for i in documents)),
    }
    count = sum(len(ids) for ids in wanted.values())
    if count == 0:
        raise ValidationError(_("Choose at least one item for the board."), code="board_empty")
    if count > MAX_BOARD_ITEMS:
        raise ValidationError(
            _("At most %(max)d items on one board.") % {"max": MAX_BOARD_ITEMS},
            code="board_too_many",
        )
    models_by_field = {
        "announcement": Announcement,
        "period": FinancePeriod,
        "document": Document,
    }
    for field, ids in wanted.items():
        found = set(
            models_by_field[field]
            .objects.in_community(community)
            .filter(pk__in=ids, published_at__isnull=False)
            .values_list("pk", flat=True)
        )
        if found != set(ids):
            raise ValidationError(
                _("Only published items of this community can go on a notice board."),
                code="board_unpublished",
            )
    with transaction.atomic():
        board = NoticeBoard.objects.in_community(community).create(title=title, created_by=actor)
        position = 0
        items = []
        for field, ids in wanted.items():
            for pk in ids:
                position += 1
                items.append(
                    BoardItem(
                        community=community,
                        board=board,
                        position=position,
                        **{f"{field}_id": pk},
                    )
                )
        BoardItem.objects.bulk_create(items)
        journal.record(
            community=community,
            actor=actor,
            verb="board.created",
            target=board,
            data={"items": count},
        )
    return board


def board_append(*, board: NoticeBoard, document: Document) -> BoardItem | None:
    """Put a published document at the end of ``board`` (another app's service, which checked
    its own permission: no check here). Once on the board it stays where it is (None); a board
    holds at most ``MAX_BOARD_ITEMS``, so the oldest item falls off a full one."""
    if document.community_id != board.community_id or document.published_at is None:
        raise ValidationError(
            _("Only published items of this community can go on a notice board."),
            code="board_unpublished",
        )
    with transaction.atomic():
        locked = NoticeBoard.objects.in_community(board.community_id).select_for_update()
        locked.get(pk=board.pk)
        items = BoardItem.objects.in_community(board.community_id).filter(board=board)
        if items.filter(document=document).exists():
            return None
        positions = list(items.order_by("position").values_list("pk", "position"))
        if len(positions) >= MAX_BOARD_ITEMS:
            drop = [pk for pk, _position in positions[: len(positions) - MAX_BOARD_ITEMS + 1]]
            items.filter(pk__in=drop).delete()
        last = positions[-1][1] if positions else 0
        return BoardItem.objects.in_community(board.community_id).create(
            board=board, position=last + 1, document=document
        )
