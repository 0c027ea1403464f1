"""Who may shape a meeting's agenda (agenda part).

- ``meetings.add_item`` (a Meeting): those who run it (``meetings.run_meeting``: a community
  worker or those above, the meeting's secretary or chair while seated) and any member seated in
  the body today — a member's item is marked as coming from a member.
- ``meetings.edit_item`` (an AgendaItem): those who run its meeting, or the seated member who
  added it (their own item: change it, add documents, withdraw it).
- ``meetings.assign_proposal`` (a Meeting): a community worker or those above, who may put a
  proposal on any meeting's agenda; those who run the meeting may take the proposals offered to
  it (the service checks that the body's charter answers the proposal's category).
- Moving items and publishing the agenda: ``meetings.run_meeting``.
- Reading the documents of an item: whoever may see the meeting (``meetings.view_meeting``).
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.policies import is_community_worker
from gongzhi.meetings.policies import from_above, run_meeting, sits_in_meetings_body


@rules.predicate
def runs_items_meeting(user: Any, item: Any) -> bool:
    meeting = getattr(item, "meeting", None)
    return meeting is not None and bool(run_meeting.test(user, meeting))


@rules.predicate
def added_own_item(user: Any, item: Any) -> bool:
    """The seated member who added the item."""
    if not getattr(user, "is_authenticated", False) or item.added_by_id != user.pk:
        return False
    return bool(sits_in_meetings_body(user, item.meeting))


add_item = run_meeting | sits_in_meetings_body
edit_item = runs_items_meeting | added_own_item
assign_proposal = is_community_worker | from_above

rules.add_perm("meetings.add_item", add_item)
rules.add_perm("meetings.edit_item", edit_item)
rules.add_perm("meetings.assign_proposal", assign_proposal)
#: ``meetings.run_meeting`` asked of an item (its meeting): moving items
rules.add_perm("meetings.run_meeting_item", runs_items_meeting)
