"""Delete the contents of concluded mediation cases once their committee's retention period
(``MediationCommittee.retention_days``; 1095 days where a community has no committee) has passed
since they concluded, and of applications the committee never took up (still "applied") once the
period has passed since they were opened: an application nobody answered is not kept for ever.
A case accepted and still being mediated is kept, however old. Run it daily (cron or a systemd
timer); running it again changes nothing.

What goes: every encrypted text (the summary, the referral advice, the parties' names and
contacts, the sessions' places and notes, the agreement's content, the follow-ups' notes), the
attachments (rows and files) and the scans, the parties' links to their accounts and the
link to the hotline ticket the case was referred from. What stays,
for the anonymous statistics: the case's number, kind, how it came in, dates, status and outcome,
the follow-ups' dates and performance, and ``purged_at``. One ``mediation.contents_purged``
entry per community, with no data.

Prints ``purged=N kept=M``: cases emptied now, and cases whose contents remain.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.core import journal
from gongzhi.core.models import Community
from gongzhi.mediation.models import (
    CONCLUDED,
    Agreement,
    Attachment,
    Case,
    CaseStatus,
    Confirmation,
    FollowUp,
    MediationCommittee,
    Party,
    Sitting,
)

#: Where a community has no committee (its cases were registered before one was named).
DEFAULT_RETENTION_DAYS = MediationCommittee._meta.get_field("retention_days").get_default()


def _delete_files(model: Any, field: str, rows: Any) -> int:
    storage = model._meta.get_field(field).storage
    deleted = 0
    for name in rows.exclude(**{field: ""}).values_list(field, flat=True):
        if name and storage.exists(name):
            storage.delete(name)
            deleted += 1
    return deleted


def purge_community(community: Community, now: datetime) -> int:
    """Empty the community's cases past retention; how many."""
    committee = MediationCommittee.objects.in_community(community).first()
    days = committee.retention_days if committee else DEFAULT_RETENTION_DAYS
    cutoff = now - timedelta(days=days)
    with transaction.atomic():
        due = list(
            Case.objects.in_community(community)
            .select_for_update()
            .filter(
                Q(status__in=[c.value for c in CONCLUDED], concluded_at__lt=cutoff)
                | Q(status=CaseStatus.APPLIED, opened_at__lt=cutoff),
                purged_at__isnull=True,
            )
            .values_list("pk", flat=True)
        )
        if not due:
            return 0
        cid = community.pk
        sittings = Sitting.objects.in_community(cid).filter(case__in=due)
        confirmations = Confirmation.objects.in_community(cid).filter(party__case__in=due)
        attachments = Attachment.objects.in_community(cid).filter(case__in=due)
        # Files first: once the rows are emptied their names are gone.
        _delete_files(Sitting, "scan", sittings)
        _delete_files(Confirmation, "scan", confirmations)
        _delete_files(Attachment, "file", attachments)
        attachments.delete()
        sittings.update(place="", notes="", scan="")
        confirmations.update(scan="")
        Agreement.objects.in_community(cid).filter(case__in=due).update(
            facts="", terms="", performance=""
        )
        FollowUp.objects.in_community(cid).filter(case__in=due).update(notes="")
        Party.objects.in_community(cid).filter(case__in=due).update(
            person=None, name="", contact=""
        )
        # The hotline ticket it came from goes too: the link would lead back to the text.
        Case.objects.in_community(cid).filter(pk__in=due).update(
            summary="", referral_advice="", ticket=None, purged_at=now
        )
        journal.record(community=community, actor=None, verb="mediation.contents_purged")
    return len(due)


def purge(now: datetime | None = None) -> tuple[int, int]:
    """``(purged, kept)`` over every community with cases."""
    now = now or timezone.now()
    purged = 0
    with_cases = Case.objects.all_communities().values_list("community_id", flat=True).distinct()
    for community in Community.objects.filter(pk__in=with_cases).order_by("pk"):
        purged += purge_community(community, now)
    kept = Case.objects.all_communities().filter(purged_at__isnull=True).count()
    return purged, kept


class Command(BaseCommand):
    help = "Delete the contents of concluded mediation cases past their retention period."

    def handle(self, *args: Any, **options: Any) -> None:
        purged, kept = purge()
        self.stdout.write(f"purged={purged} kept={kept}")
