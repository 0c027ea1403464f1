"""Reads of the honour part that pages and the API share.

``hub`` and ``mine`` feed the volunteering home page and a volunteer's own page (views.py,
owned by the core part): each returns the context its partial
(``volunteering/_hub_honour.html``, ``volunteering/_mine_honour.html``) reads as
``hub_honour`` / ``mine_honour``.

Public reads (approved lists, thanks) filter at the moment they are read: a volunteer who
turned ``on_public_lists`` off, or withdrew, is not shown, whatever the list said when it was
approved. Names are in alphabetical order (by pinyin for Chinese names), never by hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum
from django.http import Http404
from pypinyin import lazy_pinyin

from gongzhi.volunteering import honour_policies
from gongzhi.volunteering.honours import RECOGNITION_KIND, Star, star_of
from gongzhi.volunteering.models import (
    HoursEntry,
    RecognitionEntry,
    RecognitionList,
    RecognitionStatus,
    ThankYouNote,
    Volunteer,
)
from gongzhi.volunteering.selectors import settings_for

#: How many thank-you notes a page shows (newest first).
THANKS_SHOWN = 20


def name_key(name: str) -> tuple[str, str]:
    """Alphabetical order of a name: by its toneless pinyin (Chinese), then the name itself."""
    return (" ".join(lazy_pinyin(name)).lower(), name)


# --- Stars ------------------------------------------------------------------------------------


def confirmed_minutes(volunteer: Volunteer) -> int:
    """The volunteer's credited minutes: the sum of their ledger entries (reversals included)."""
    total = (
        HoursEntry.objects.in_community(volunteer.community_id)
        .filter(volunteer=volunteer)
        .aggregate(total=Sum("credited_minutes"))["total"]
    )
    return int(total or 0)


def star_for(volunteer: Volunteer) -> Star:
    """The volunteer's star level under the community's thresholds (for them and for staff)."""
    thresholds = settings_for(volunteer.community_id).star_hours
    return star_of(confirmed_minutes(volunteer), thresholds)


# --- Recognition lists ------------------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    """One volunteer as a public list shows them: a name and what they are thanked for."""

    name: str
    citation: str
    volunteer_id: int


def _public_entries(recognition: RecognitionList) -> list[Named]:
    named = [
        Named(
            name=str(entry.volunteer.person),
            citation=entry.citation,
            volunteer_id=entry.volunteer_id,
        )
        for entry in recognition.entries.all()
        if entry.volunteer.on_public_lists and entry.volunteer.withdrawn_at is None
    ]
    return sorted(named, key=lambda n: name_key(n.name))


def _all_entries(recognition: RecognitionList) -> list[Named]:
    named = [
        Named(
            name=str(entry.volunteer.person),
            citation=entry.citation,
            volunteer_id=entry.volunteer_id,
        )
        for entry in recognition.entries.all()
    ]
    return sorted(named, key=lambda n: name_key(n.name))


def _with_entries(community: Any) -> QuerySet[RecognitionList]:
    """The community's lists, each with its entries and their people loaded."""
    entries = RecognitionEntry.objects.in_community(community).select_related("volunteer__person")
    queryset = RecognitionList.objects.in_community(community)
    return queryset.select_related(
        "body", "proposed_by", "decided_by", "community"
    ).prefetch_related(Prefetch("entries", queryset=entries))


@dataclass(frozen=True)
class PublicList:
    recognition: RecognitionList
    named: list[Named]


def approved_lists(community: Any) -> list[PublicList]:
    """The community's approved lists, newest year first, each with the volunteers it may
    still show (on public lists today), alphabetically."""
    lists = (
        _with_entries(community)
        .filter(status=RecognitionStatus.APPROVED)
        .order_by("-year", "-decided_at", "-pk")
    )
    return [PublicList(recognition=r, named=_public_entries(r)) for r in lists]


def pending_lists(community: Any, viewer: Any) -> list[RecognitionList]:
    """Lists not yet decided that ``viewer`` may see (staff, and those who record the body's
    decisions), oldest first."""
    if not getattr(viewer, "is_authenticated", False):
        return []
    lists = (
        _with_entries(community)
        .filter(status=RecognitionStatus.PROPOSED)
        .order_by("proposed_at", "pk")
    )
    return [r for r in lists if honour_policies.can("view_recognition", viewer, r)]


def recognition_get(*, community: Any, viewer: Any, recognition_id: int) -> RecognitionList:
    """One list, if ``viewer`` may see it; a forbidden list is as missing as a missing one."""
    recognition = _with_entries(community).filter(pk=recognition_id).first()
    if recognition is None or not honour_policies.can("view_recognition", viewer, recognition):
        raise Http404
    return recognition


def entries_shown(recognition: RecognitionList, viewer: Any) -> list[Named]:
    """The names a page shows: every name to staff and deciders (they judge the proposal),
    to everyone else only those on public lists today."""
    if getattr(viewer, "is_authenticated", False) and (
        honour_policies.can("propose_recognition", viewer, recognition.community)
        or honour_policies.can("decide_recognition", viewer, recognition)
    ):
        return _all_entries(recognition)
    return _public_entries(recognition)


def bodies_to_decide(community: Any) -> list[tuple[int, str]]:
    """``(id, name)`` of the bodies whose charter in force grants approving recognition."""
    from gongzhi.bodies.selectors import bodies_with_power

    return bodies_with_power(community, RECOGNITION_KIND)


def eligible_volunteers(community: Any) -> list[Volunteer]:
    """Active volunteers who agreed to appear on public lists, alphabetically (the proposal
    form's choices)."""
    volunteers = (
        Volunteer.objects.in_community(community)
        .filter(on_public_lists=True, withdrawn_at__isnull=True)
        .select_related("person")
    )
    return sorted(volunteers, key=lambda v: name_key(str(v.person)))


def recognitions_of(volunteer: Volunteer) -> list[RecognitionList]:
    """The approved lists that name the volunteer (their own page; shown to them whether or not
    they are on public lists)."""
    return list(
        RecognitionList.objects.in_community(volunteer.community_id)
        .filter(status=RecognitionStatus.APPROVED, entries__volunteer=volunteer)
        .order_by("-year", "-pk")
    )


# --- Thanks -----------------------------------------------------------------------------------


def thanks_of(volunteer: Volunteer, *, include_hidden: bool = False) -> list[ThankYouNote]:
    """Notes thanking the volunteer, newest first (with the hidden ones for the volunteer)."""
    notes = (
        ThankYouNote.objects.in_community(volunteer.community_id)
        .filter(volunteer=volunteer)
        .select_related("author", "activity")
    )
    if not include_hidden:
        notes = notes.filter(hidden_at__isnull=True)
    return list(notes.order_by("-created_at", "-pk")[:THANKS_SHOWN])


def public_thanks(community: Any, *, limit: int = THANKS_SHOWN) -> list[ThankYouNote]:
    """Recent notes anyone may read: not hidden, to volunteers on public lists."""
    return list(
        ThankYouNote.objects.in_community(community)
        .filter(
            hidden_at__isnull=True,
            volunteer__on_public_lists=True,
            volunteer__withdrawn_at__isnull=True,
        )
        .select_related("volunteer__person", "author", "activity")
        .order_by("-created_at", "-pk")[:limit]
    )


def note_get(*, community: Any, viewer: Any, note_id: int) -> ThankYouNote:
    """A note ``viewer`` may hide (the volunteer it thanks, or a worker); else 404."""
    note = (
        ThankYouNote.objects.in_community(community)
        .filter(pk=note_id)
        .select_related("volunteer", "community")
        .first()
    )
    if note is None or not honour_policies.can("hide_thanks", viewer, note):
        raise Http404
    return note


def volunteer_to_thank(*, community: Any, volunteer_id: int) -> Volunteer:
    """An active volunteer of the community (the thanks form's subject); else 404."""
    volunteer = (
        Volunteer.objects.in_community(community)
        .filter(pk=volunteer_id, withdrawn_at__isnull=True)
        .select_related("person", "community")
        .first()
    )
    if volunteer is None:
        raise Http404
    return volunteer


# --- The volunteering home page and a person's own page ---------------------------------------


def hub(community: Any, viewer: Any) -> dict[str, Any]:
    """What the volunteering home page shows of this part to ``viewer`` (may be anonymous):
    the latest approved list's title and how many it names publicly, and for staff and
    deciders how many lists wait for a decision."""
    latest = (
        RecognitionList.objects.in_community(community)
        .filter(status=RecognitionStatus.APPROVED)
        .order_by("-year", "-decided_at", "-pk")
        .first()
    )
    return {
        "latest": latest,
        "pending": len(pending_lists(community, viewer)),
        "can_propose": getattr(viewer, "is_authenticated", False)
        and honour_policies.can("propose_recognition", viewer, community),
    }


def mine(community: Any, user: Any, volunteer: Any) -> dict[str, Any]:
    """What a person's own volunteering page shows of this part (``volunteer`` may be None):
    their star level and the hours to the next, the lists naming them, their latest notes."""
    if volunteer is None:
        return {}
    notes = thanks_of(volunteer)
    return {
        "star": star_for(volunteer),
        "recognitions": recognitions_of(volunteer),
        "thanks": notes[:3],
        "thanks_count": len(notes),
    }


def activities_served(volunteer: Volunteer) -> list[Any]:
    """The activities the volunteer has confirmed service in, newest first (the thanks form's
    choices), at most 50."""
    from gongzhi.volunteering.models import HoursEntryKind, VolunteerActivity

    served = HoursEntry.objects.in_community(volunteer.community_id).filter(
        volunteer=volunteer, kind=HoursEntryKind.SERVICE
    )
    return list(
        VolunteerActivity.objects.in_community(volunteer.community_id)
        .filter(pk__in=served.values("activity_id"))
        .order_by("-pk")[:50]
    )
