"""Who may act in the room (django-rules); imported by apps.ready().

Running the roll call and recording votes is ``meetings.run_meeting`` (meetings core).
``meetings.declare_recusal`` (an AgendaItem): a member seated in the item's body declares their
own conflict of interest (the secretary may record one for them, under ``run_meeting``).
Importing this module also makes meetings a check-in target of the rotating QR code.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.bodies.policies import sits_in_body
from gongzhi.meetings import room


@rules.predicate
def sits_in_items_body(user: Any, item: Any) -> bool:
    meeting = getattr(item, "meeting", None)
    return meeting is not None and bool(sits_in_body(user, meeting.body))


rules.add_perm("meetings.declare_recusal", sits_in_items_body)

room.register_checkin()
