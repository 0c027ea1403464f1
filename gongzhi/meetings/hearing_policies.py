"""Who may do what at a hearing (听证会), a consultation or a round table (圆桌会).

Every permission takes the meeting (``meetings.Meeting``).

- ``meetings.manage_hearing``: set the hearing up, group the submissions, answer each group and
  publish the response; record a round table's participants and agreed points. Whoever runs
  the meeting (``meetings.run_meeting``: a community worker or those above, or the meeting's
  secretary or chair seated in the body).
- ``meetings.speak_at_hearing``: register to speak: verified residents of the community who
  may see the meeting.
- ``meetings.submit_to_hearing``: a written submission: verified residents, and the
  community's staff (named, not numbered, on the public page).
- ``meetings.draw_speakers``: enter the public seed of the speakers' draw: whoever runs the
  meeting, or a supervisor. The service also refuses the hearing's own organiser (code
  ``own_draw``): whoever sets up a draw does not also fix its chance.
- Reading a hearing or a round table is reading the meeting (``meetings.view_meeting``).
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.policies import (
    is_community_staff,
    is_community_worker,
    is_supervisor,
    is_verified_resident,
)


@rules.predicate
def may_view_meeting(user: Any, meeting: Any) -> bool:
    return bool(rules.has_perm("meetings.view_meeting", user, meeting))


@rules.predicate
def may_run_meeting(user: Any, meeting: Any) -> bool:
    return bool(rules.has_perm("meetings.run_meeting", user, meeting))


manage_hearing = is_community_worker | may_run_meeting

rules.add_perm("meetings.manage_hearing", manage_hearing)
rules.add_perm("meetings.speak_at_hearing", is_verified_resident & may_view_meeting)
rules.add_perm(
    "meetings.submit_to_hearing", (is_verified_resident | is_community_staff) & may_view_meeting
)
rules.add_perm("meetings.draw_speakers", manage_hearing | is_supervisor)
