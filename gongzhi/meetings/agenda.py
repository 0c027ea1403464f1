"""The agenda of a meeting (议程): items, their order, documents, publication and history.

Items come from residents' proposals that reached the council's agenda (offered to the next
meeting of the body that answers their category, or assigned by a worker), from staff and
members, and from overdue follow-ups carried over by the minutes' deadlines. Publishing snapshots
the working list as a numbered ``AgendaVersion``; the first publication must respect the
charter's notice period (``notice_days``, ``extraordinary_notice_days`` for an extraordinary
meeting) and sends the invitations; later publications are new versions, kept with what changed.

``record_item`` checks no permission: the minutes' carry-over and a second sitting call it
after their own checks. Every other write here checks ``meetings.run_meeting`` (or
``meetings.add_item`` for a seated member's own item).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max

from gongzhi.core import journal
from gongzhi.meetings.models import AgendaItem, ItemSource, Meeting

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.deliberation.models import Proposal
    from gongzhi.meetings.models import ActionItem


def _next_position(meeting: Meeting) -> int:
    last = meeting.items.filter(withdrawn_at__isnull=True).aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


@transaction.atomic
def record_item(
    *,
    meeting: Meeting,
    title: str,
    source: str,
    added_by: User | None = None,
    proposal: Proposal | None = None,
    action: ActionItem | None = None,
    description: str = "",
    decision_kind: str = "",
    topic: str = "",
    amount_fen: int | None = None,
    presenter: User | None = None,
    presenter_name: str = "",
    minutes_allotted: int = 10,
) -> AgendaItem:
    """Append an item at the end of the working agenda and journal it (no permission check).

    The actor of the journal entry is ``added_by``, or nobody when the system adds it."""
    # The meeting row is the lock that keeps positions unique under concurrent additions.
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    item = AgendaItem.objects.create(
        community_id=meeting.community_id,
        meeting=meeting,
        position=_next_position(meeting),
        title=title,
        description=description,
        source=ItemSource(source),
        proposal=proposal,
        action=action,
        presenter=presenter,
        presenter_name=presenter_name,
        minutes_allotted=minutes_allotted,
        decision_kind=decision_kind,
        amount_fen=amount_fen,
        topic=topic,
        added_by=added_by,
    )
    journal.record(
        community=meeting.community,
        actor=added_by,
        verb="agenda.item_added",
        target=item,
        data={
            "meeting": meeting.pk,
            "item": item.pk,
            "source": item.source,
            "proposal": proposal.pk if proposal is not None else None,
            "action": action.pk if action is not None else None,
        },
    )
    return item


def page_context(meeting: Any, user: Any) -> dict[str, Any]:
    """What this part adds to the meeting page (its partial reads only these keys)."""
    return {}
