"""The room: roll call, proxies, recusals, live quorum and the decision on each item.

Services are keyword-only, atomic and journalled; the quorum arithmetic is ``quorum.py`` (plain
data), fed here from the confirmed ``Presence`` stretches of the seated members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from gongzhi.bodies import charter as rules_
from gongzhi.bodies.models import Charter, Mandate
from gongzhi.bodies.selectors import charter_in_force, rules_of, sitting_q
from gongzhi.meetings import quorum
from gongzhi.meetings.models import AgendaItem, Meeting, Presence, PresenceRole, Proxy, Recusal

# --- Quorum -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuorumState:
    """The quorum of a meeting (or of one item) at a moment."""

    seated: int
    #: members counted: present in person and by proxy, less those who recused
    present: int
    needed: int
    met: bool
    recused: int
    percent: int = 0
    in_person: int = 0
    by_proxy: int = 0


def meeting_day(meeting: Meeting) -> date:
    return timezone.localdate(meeting.starts_at)


def charter_of(meeting: Meeting) -> Charter | None:
    """The body's charter in force on the meeting's day."""
    return charter_in_force(body=meeting.body, on=meeting_day(meeting))


def seated_ids(meeting: Meeting) -> frozenset[int]:
    """User ids of the members seated on the meeting's day."""
    return frozenset(
        Mandate.objects.in_community(meeting.community_id)
        .filter(sitting_q(meeting_day(meeting)), body_id=meeting.body_id, membership__isnull=False)
        .values_list("membership__user_id", flat=True)
    )


def stretches_of(meeting: Meeting) -> list[quorum.Stretch]:
    """The confirmed stretches of presence of members (observers never count)."""
    rows = Presence.objects.in_community(meeting.community_id).filter(
        meeting=meeting, role=PresenceRole.MEMBER, confirmed_at__isnull=False
    )
    return [
        quorum.Stretch(p.person_id, p.arrived_at, p.left_at)
        for p in rows.only("person_id", "arrived_at", "left_at")
    ]


def proxies_of(meeting: Meeting) -> list[quorum.ProxyGrant]:
    rows = Proxy.objects.in_community(meeting.community_id).filter(meeting=meeting)
    return [quorum.ProxyGrant(p.giver_id, p.holder_id, p.recorded_at, p.revoked_at) for p in rows]


def max_proxies(charter: Charter | None) -> int:
    if charter is None or not charter.proxies_allowed:
        return 0
    return charter.max_proxies


def quorum_percent(meeting: Meeting, charter: Charter, kind: str = "") -> int:
    """The quorum for this sitting, or for an item asking for a decision of ``kind`` (a
    power's own quorum is never lowered by a second sitting)."""
    rules = rules_of(charter)
    power = rules_.power_for(rules, kind) if kind else None
    if power is not None and power.quorum_percent is not None:
        return power.quorum_percent
    return quorum.sitting_percent(
        quorum_percent=charter.quorum_percent,
        sitting=meeting.sitting,
        second_sitting_percent=charter.second_sitting_quorum_percent,
    )


def recused_ids(item: AgendaItem) -> frozenset[int]:
    return frozenset(
        Recusal.objects.in_community(item.community_id)
        .filter(item=item)
        .values_list("person_id", flat=True)
    )


def quorum_state(
    *, meeting: Meeting, item: AgendaItem | None = None, at: datetime | None = None
) -> QuorumState:
    """Who counts toward the quorum of ``meeting`` (of ``item``: less its recusals, under its
    decision kind's quorum) at ``at`` (now by default)."""
    at = at or timezone.now()
    charter = charter_of(meeting)
    seated = seated_ids(meeting)
    if charter is None:
        return QuorumState(len(seated), 0, quorum.needed(len(seated), 100), False, 0, 100)
    percent = quorum_percent(meeting, charter, item.decision_kind if item is not None else "")
    recused = recused_ids(item) if item is not None else frozenset()
    count = quorum.count_at(
        seated=seated,
        stretches=stretches_of(meeting),
        at=at,
        recused=recused,
        proxies=proxies_of(meeting),
        max_proxies=max_proxies(charter),
    )
    return QuorumState(
        seated=len(seated),
        present=count.present,
        needed=quorum.needed(len(seated), percent),
        met=quorum.met(seated=len(seated), present=count.present, percent=percent),
        recused=len(count.recused),
        percent=percent,
        in_person=len(count.in_person),
        by_proxy=len(count.by_proxy),
    )


def quorum_reached(meeting: Meeting) -> tuple[bool, int, int]:
    """(quorum reached at any moment of the meeting, distinct seated members present, seated)."""
    charter = charter_of(meeting)
    seated = seated_ids(meeting)
    stretches = stretches_of(meeting)
    present = quorum.ever_present(seated, stretches)
    if charter is None:
        return False, present, len(seated)
    reached = quorum.reached(
        seated=seated,
        stretches=stretches,
        percent=quorum_percent(meeting, charter),
        proxies=proxies_of(meeting),
        max_proxies=max_proxies(charter),
    )
    return reached, present, len(seated)


def page_context(meeting: Any, user: Any) -> dict[str, Any]:
    """What this part adds to the meeting page (its partial reads only these keys)."""
    return {}
