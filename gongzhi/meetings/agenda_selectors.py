"""Reads about agendas: the working list, the published versions and what changed between them,
the proposals waiting for a meeting and the meeting each is offered to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from gongzhi.bodies.charter import check_power
from gongzhi.bodies.models import Body, Charter
from gongzhi.bodies.selectors import charter_in_force, rules_of
from gongzhi.deliberation.models import Proposal, Status
from gongzhi.meetings.models import (
    AgendaItem,
    AgendaVersion,
    ItemDocument,
    Meeting,
    MeetingStatus,
)

#: The power a body needs for a proposal to be offered to its meetings.
ANSWER_PROPOSALS = "answer_proposals"
#: Meetings whose agenda may still change.
OPEN_STATUSES = (MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION)


def meeting_get(*, community: Any, meeting_id: int, user: Any) -> Meeting:
    """A meeting the user may see; a forbidden one is as missing as a missing one."""
    from gongzhi.meetings.policies import can_view

    meeting = (
        Meeting.objects.in_community(community)
        .select_related("community", "body")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None or not can_view(user, meeting):
        raise Http404
    return meeting


def working_items(meeting: Meeting) -> QuerySet[AgendaItem]:
    """The agenda as it stands now (withdrawn items left out), in order."""
    documents = ItemDocument.objects.in_community(meeting.community_id).order_by("uploaded_at")
    return (
        AgendaItem.objects.in_community(meeting.community_id)
        .filter(meeting=meeting, withdrawn_at__isnull=True)
        .select_related("presenter", "proposal", "action")
        .prefetch_related(Prefetch("documents", queryset=documents))
        .order_by("position", "pk")
    )


def item_get(*, meeting: Meeting, item_id: int) -> AgendaItem:
    item = (
        AgendaItem.objects.in_community(meeting.community_id)
        .select_related("meeting__community", "meeting__body", "proposal")
        .filter(meeting=meeting, pk=item_id)
        .first()
    )
    if item is None:
        raise Http404
    return item


def document_get(*, item: AgendaItem, document_id: int) -> ItemDocument:
    document = (
        ItemDocument.objects.in_community(item.community_id)
        .filter(item=item, pk=document_id)
        .first()
    )
    if document is None:
        raise Http404
    return document


def versions_of(meeting: Meeting) -> list[AgendaVersion]:
    """Published versions, newest first."""
    return list(
        AgendaVersion.objects.in_community(meeting.community_id)
        .filter(meeting=meeting)
        .select_related("published_by")
        .order_by("-number")
    )


def latest_version(meeting: Meeting) -> AgendaVersion | None:
    return (
        AgendaVersion.objects.in_community(meeting.community_id)
        .filter(meeting=meeting)
        .order_by("-number")
        .first()
    )


def published_item_ids(meeting: Meeting) -> set[int]:
    """Items in the latest published version (their documents are public with the agenda)."""
    version = latest_version(meeting)
    if version is None:
        return set()
    return {int(entry["item"]) for entry in version.items if entry.get("item") is not None}


# --- History: what changed between versions --------------------------------------------------

#: Fields of a snapshot entry whose change is reported (besides position).
_COMPARED = ("title", "presenter", "minutes", "decision_kind")


@dataclass(frozen=True)
class VersionChanges:
    version: AgendaVersion
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    moved: list[tuple[str, int, int]] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def first(self) -> bool:
        return self.version.number == 1


def compare(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """What changed from one snapshot to the next, matching entries by their item's id."""
    old = {entry["item"]: entry for entry in before}
    new = {entry["item"]: entry for entry in after}
    added = [entry["title"] for key, entry in new.items() if key not in old]
    removed = [entry["title"] for key, entry in old.items() if key not in new]
    # Moved: the order among the items in both changed (not a shift from an addition or a
    # withdrawal above it).
    kept_before = [
        e["item"] for e in sorted(before, key=lambda e: e["position"]) if e["item"] in new
    ]
    kept_after = [e["item"] for e in sorted(after, key=lambda e: e["position"]) if e["item"] in old]
    moved = [
        (new[key]["title"], old[key]["position"], new[key]["position"])
        for index, key in enumerate(kept_after)
        if kept_before.index(key) != index
    ]
    changed = [
        entry["title"]
        for key, entry in new.items()
        if key in old and any(old[key].get(f) != entry.get(f) for f in _COMPARED)
    ]
    return {"added": added, "removed": removed, "moved": moved, "changed": changed}


def history(meeting: Meeting) -> list[VersionChanges]:
    """Every published version, newest first, with what changed since the one before."""
    versions = versions_of(meeting)
    found = []
    for index, version in enumerate(versions):
        earlier = versions[index + 1].items if index + 1 < len(versions) else None
        if earlier is None:
            found.append(VersionChanges(version=version))
        else:
            found.append(VersionChanges(version=version, **compare(earlier, version.items)))
    return found


# --- Proposals waiting for a meeting ---------------------------------------------------------


def topic_of(proposal: Proposal) -> str:
    """A proposal's topic for a charter's powers: its category's name."""
    return proposal.category.name if proposal.category is not None else ""


def covers(charter: Charter | None, proposal: Proposal) -> bool:
    """Whether a charter lets its body answer ``proposal`` (its category, or any topic)."""
    if charter is None:
        return False
    refusals = check_power(
        rules_of(charter), kind=ANSWER_PROPOSALS, amount_fen=None, topic=topic_of(proposal)
    )
    return not refusals


def _on_open_agenda(community_id: int) -> QuerySet[AgendaItem]:
    return AgendaItem.objects.in_community(community_id).filter(
        proposal__isnull=False, withdrawn_at__isnull=True, meeting__status__in=OPEN_STATUSES
    )


def waiting_proposals(body: Body) -> list[Proposal]:
    """Proposals on the council's agenda (deliberation "under review") that this body's charter
    answers and that no open meeting has on its agenda yet, oldest first."""
    charter = charter_in_force(body=body)
    if charter is None or body.dissolved_at is not None:
        return []
    taken = _on_open_agenda(body.community_id).values("proposal_id")
    candidates = (
        Proposal.objects.in_community(body.community_id)
        .filter(status=Status.UNDER_REVIEW, hidden_at__isnull=True)
        .exclude(pk__in=taken)
        .select_related("category", "author")
        .order_by("updated_at", "pk")
    )
    return [proposal for proposal in candidates if covers(charter, proposal)]


def next_meeting_of(body: Body) -> Meeting | None:
    """The body's next scheduled meeting that has not started."""
    return (
        Meeting.objects.in_community(body.community_id)
        .filter(body=body, status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now())
        .order_by("starts_at", "pk")
        .first()
    )


def offer_for(proposal: Proposal) -> Meeting | None:
    """The meeting a proposal is offered to: the earliest next meeting among the bodies whose
    charter answers its category."""
    bodies = Body.objects.in_community(proposal.community_id).filter(dissolved_at__isnull=True)
    found: list[Meeting] = []
    for body in bodies:
        if covers(charter_in_force(body=body), proposal):
            meeting = next_meeting_of(body)
            if meeting is not None:
                found.append(meeting)
    found.sort(key=lambda m: (m.starts_at, m.pk))
    return found[0] if found else None


def proposal_is_taken(proposal: Proposal) -> bool:
    """Whether an open meeting has the proposal on its agenda already."""
    return _on_open_agenda(proposal.community_id).filter(proposal=proposal).exists()
