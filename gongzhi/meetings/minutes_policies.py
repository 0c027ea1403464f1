"""Who may do what with minutes and follow-ups (django-rules); imported by apps.ready().

- Drafting, editing, circulating minutes, resolving corrections and setting follow-ups: those
  who run the meeting — a community worker, or the meeting's secretary or chair while they sit
  in the body (the same rule as ``meetings.run_meeting``, kept here so this part stands alone).
- Confirming or asking for a correction: the members present (checked by the service against
  the roll call, since presence is a fact, not a role).
- Reading minutes: approved ones as the meeting itself (public meetings for everyone; closed
  ones for the body's seated members and the community's staff and supervisors); drafts only
  for those who run the meeting and the members present.
- Marking a follow-up done or dropped: its owner or a community worker — nobody else closes
  someone's task for them.
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils import timezone

from gongzhi.core.policies import (
    access_of,
    is_community_staff,
    is_community_worker,
    is_platform_admin,
    is_supervisor,
)


def _meeting_of(obj: Any) -> Any:
    from gongzhi.meetings.models import ActionItem, Meeting, Minutes

    if isinstance(obj, Meeting):
        return obj
    if isinstance(obj, Minutes):
        return obj.meeting
    if isinstance(obj, ActionItem):
        return obj.decision.item.meeting
    return None


def _sits_in(user: Any, meeting: Any) -> bool:
    from gongzhi.bodies.selectors import sits_in

    membership = access_of(user).member_of.get(meeting.community_id)
    return membership is not None and sits_in(
        body=meeting.body, membership=membership, on=timezone.localdate()
    )


@rules.predicate
def runs_meeting(user: Any, obj: Any) -> bool:
    """The meeting's secretary or chair, while they sit in its body."""
    meeting = _meeting_of(obj)
    if meeting is None or not getattr(user, "is_authenticated", False):
        return False
    if user.pk not in (meeting.secretary_id, meeting.chair_id):
        return False
    return _sits_in(user, meeting)


@rules.predicate
def sees_closed_meeting(user: Any, obj: Any) -> bool:
    meeting = _meeting_of(obj)
    if meeting is None or not getattr(user, "is_authenticated", False):
        return False
    return _sits_in(user, meeting)


@rules.predicate
def is_public_meeting(user: Any, obj: Any) -> bool:
    meeting = _meeting_of(obj)
    return meeting is not None and bool(meeting.public)


@rules.predicate
def owns_action(user: Any, obj: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        getattr(obj, "owner_id", None) == user.pk
    )


run_minutes = is_community_worker | is_platform_admin | runs_meeting
view_meeting_minutes = (
    is_public_meeting | is_community_staff | is_supervisor | sees_closed_meeting | runs_meeting
)
update_action = owns_action | is_community_worker | is_platform_admin

rules.add_perm("meetings.run_minutes", run_minutes)
rules.add_perm("meetings.view_minutes", view_meeting_minutes)
rules.add_perm("meetings.update_action", update_action)
