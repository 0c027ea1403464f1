"""The export of volunteer service records for the national volunteer system, in the fields of
民政部令第67号《志愿服务记录与证明出具办法》: personal information, service records (time,
place, content, hours), training, awards and evaluation.

Two tables: the volunteers (one row each: personal information, total hours, training, awards,
evaluation) and their service records (one row per confirmed service that was not reversed).
XLSX holds both; CSV one of them (``table``). Training and evaluation are columns left empty
until the apps that keep them exist (the learning issue adds training). The phone number is
shown in full only to those who manage volunteering; other staff see it masked.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import rules
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.exports import Sheet, table_export
from gongzhi.core.policies import require
from gongzhi.volunteering.models import (
    HoursEntry,
    HoursEntryKind,
    RecognitionEntry,
    RecognitionStatus,
    Volunteer,
)

TABLES = ("volunteers", "service")


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%H:%M") if moment else ""


def records_tables(
    *, community: Any, viewer: Any, period_from: date | None = None, period_to: date | None = None
) -> list[Sheet]:
    """The two tables, for ``viewer`` (full phone numbers only with ``volunteering.manage``)."""
    full_phone = rules.has_perm("volunteering.manage", viewer, community)
    volunteers = list(
        Volunteer.objects.in_community(community)
        .select_related("person")
        .order_by("person__display_name", "pk")
    )
    entries = (
        HoursEntry.objects.in_community(community)
        .filter(kind=HoursEntryKind.SERVICE, reversed_by__isnull=True)
        .select_related("activity", "shift")
        .order_by("volunteer_id", "served_on", "pk")
    )
    if period_from:
        entries = entries.filter(served_on__gte=period_from)
    if period_to:
        entries = entries.filter(served_on__lte=period_to)
    by_volunteer: dict[int, list[HoursEntry]] = defaultdict(list)
    for entry in entries:
        by_volunteer[entry.volunteer_id].append(entry)
    awards: dict[int, list[str]] = defaultdict(list)
    approved = (
        RecognitionEntry.objects.in_community(community)
        .filter(recognition__status=RecognitionStatus.APPROVED)
        .select_related("recognition")
        .order_by("recognition__year", "pk")
    )
    for award in approved:
        awards[award.volunteer_id].append(f"{award.recognition.year} {award.recognition.title}")

    def name_phone(volunteer: Volunteer) -> tuple[str, str]:
        person = volunteer.person
        phone = person.phone.removeprefix("+86") if full_phone else person.masked_phone
        return person.display_name, phone

    people: list[list[object]] = [
        [
            _("Name"),
            _("Phone"),
            _("Gender"),
            _("Date of birth"),
            _("Registered on"),
            _("Service hours"),
            _("Training"),
            _("Awards"),
            _("Evaluation"),
        ]
    ]
    service: list[list[object]] = [
        [
            _("Name"),
            _("Phone"),
            _("Date"),
            _("Start time"),
            _("End time"),
            _("Place"),
            _("Content"),
            _("Hours"),
        ]
    ]
    for volunteer in volunteers:
        name, phone = name_phone(volunteer)
        own = by_volunteer.get(volunteer.pk, [])
        people.append(
            [
                name,
                phone,
                "",  # gongzhi does not ask anyone's gender
                volunteer.birth_date.isoformat() if volunteer.birth_date else "",
                timezone.localdate(volunteer.created_at).isoformat(),
                _hours(sum(entry.credited_minutes for entry in own)),
                "",  # training: kept by the learning app once it exists
                "；".join(awards.get(volunteer.pk, [])),
                "",  # evaluation: not kept
            ]
        )
        for entry in own:
            place = (entry.shift.place if entry.shift else "") or entry.activity.place
            service.append(
                [
                    name,
                    phone,
                    entry.served_on.isoformat(),
                    _local(entry.started_at),
                    _local(entry.ended_at),
                    place,
                    entry.activity.title,
                    _hours(entry.credited_minutes),
                ]
            )
    return [
        Sheet(title=_("Volunteers"), rows=people, number_format="0.0"),
        Sheet(title=_("Service records"), rows=service, number_format="0.0"),
    ]


def records_export(
    *,
    actor: Any,
    community: Any,
    fmt: str,
    table: str = "volunteers",
    period_from: date | None = None,
    period_to: date | None = None,
) -> HttpResponse:
    """The download (CSV: ``table`` alone; XLSX: both), journalled as ``records.exported``."""
    require(
        "volunteering.export_records",
        actor,
        community,
        _("Only community staff may export volunteer service records."),
    )
    sheets = records_tables(
        community=community, viewer=actor, period_from=period_from, period_to=period_to
    )
    if fmt == "csv" and table == "service":
        sheets = sheets[1:]
    with transaction.atomic():
        journal.record(
            community=community,
            actor=actor,
            verb="records.exported",
            data={
                "format": fmt,
                "table": table if fmt == "csv" else "all",
                "from": period_from.isoformat() if period_from else "",
                "to": period_to.isoformat() if period_to else "",
                "rows": len(sheets[0].rows) - 1,
            },
        )
    return table_export(fmt=fmt, name=f"volunteer-records-{community.slug}", sheets=sheets)
