"""What information disclosure holds about a person (see ``core.privacy``).

Erasure deletes the person's read confirmations (they count only for current members, so the
figures do not move). The ledger entries they entered or approved, the vouchers they attached
and the announcements, documents and minutes they wrote are the community's records, which the
accounting rules (会计档案管理办法: 30 years for vouchers and books) and the disclosure duty keep:
they stay, pointing at the tombstone account.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.privacy import Section, rows
from gongzhi.disclosure.models import (
    Announcement,
    DocumentVersion,
    LedgerEntry,
    ReadConfirmation,
    Voucher,
)

#: Every reference to a person in this app's models, each exported, erased, or kept pointing at
#: the tombstone account (a staff act: it is in the journal, which the copy holds).
#: tests/test_privacy.py fails on a reference that no app lists.
COVERS = frozenset(
    {
        "disclosure.Announcement.created_by",
        "disclosure.ReadConfirmation.user",
        "disclosure.LedgerEntry.entered_by",
        "disclosure.LedgerEntry.approved_by",
        "disclosure.Voucher.uploaded_by",
        "disclosure.FinancePeriod.published_by",
        "disclosure.FinancePeriod.created_by",
        "disclosure.Document.created_by",
        "disclosure.DocumentVersion.author",
        "disclosure.NoticeBoard.created_by",
    }
)


def export(user: Any) -> list[Section]:
    def scoped(model: Any) -> Any:
        return model.objects.all_communities().select_related("community").order_by("pk")

    return [
        Section(
            "read_confirmations",
            _("Announcements I confirmed reading"),
            rows(
                scoped(ReadConfirmation).filter(user=user).select_related("announcement"),
                community="community.slug",
                announcement="announcement.title",
                confirmed_at="confirmed_at",
            ),
        ),
        Section(
            "ledger_entries",
            _("Ledger entries I entered or approved"),
            rows(
                scoped(LedgerEntry).filter(Q(entered_by=user) | Q(approved_by=user)),
                community="community.slug",
                id="pk",
                occurred_on="occurred_on",
                description="description",
                total_fen="total_fen",
                entered_by_me=lambda e: e.entered_by_id == user.pk,
                approved_by_me=lambda e: e.approved_by_id == user.pk,
                status="status",
            ),
        ),
        Section(
            "vouchers",
            _("Vouchers I attached"),
            rows(
                scoped(Voucher).filter(uploaded_by=user),
                community="community.slug",
                entry="entry_id",
                name="name",
                uploaded_at="uploaded_at",
            ),
        ),
        Section(
            "announcements",
            _("Announcements I wrote"),
            rows(
                scoped(Announcement).filter(created_by=user),
                community="community.slug",
                title="title",
                created_at="created_at",
                published_at="published_at",
            ),
        ),
        Section(
            "document_versions",
            _("Document versions I wrote"),
            rows(
                scoped(DocumentVersion).filter(author=user),
                community="community.slug",
                document="document_id",
                number="number",
                title="title",
                change_note="change_note",
                created_at="created_at",
            ),
        ),
    ]


def erase(user: Any) -> dict[str, int]:
    confirmations = ReadConfirmation.objects.all_communities().filter(user=user).delete()[0]
    return {"read_confirmations": confirmations}
