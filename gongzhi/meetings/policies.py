"""Who may see, schedule and run meetings (meetings core); every part of the app uses these.

- ``meetings.view_meeting`` (a Meeting): a public meeting everyone, even logged out; a closed
  meeting the body's seated members and the community's staff (its workers and supervisors, the
  officials overseeing it, platform admins).
- ``meetings.schedule`` (a Body): a community worker (or those above the community), or anyone
  seated in the body today — a council calls its own meetings.
- ``meetings.run_meeting`` (a Meeting): a community worker (or those above), or the meeting's
  secretary or chair while they sit in the body (they keep the roll, the agenda and the minutes).
- ``meetings.register`` (a Meeting): a member of the community; ``meetings.register_others``
  (代办, on someone's behalf): the community's staff.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from gongzhi.bodies.policies import sits_in_body
from gongzhi.core.policies import (
    access_of,
    is_community_staff,
    is_community_worker,
    is_member,
    is_platform_admin,
    is_supervisor,
    oversees,
)

from_above = oversees | is_platform_admin


@rules.predicate
def is_public_meeting(user: Any, meeting: Any) -> bool:
    return bool(getattr(meeting, "public", False))


@rules.predicate
def sits_in_meetings_body(user: Any, meeting: Any) -> bool:
    body = getattr(meeting, "body", None)
    return body is not None and bool(sits_in_body(user, body))


@rules.predicate
def keeps_the_meeting(user: Any, meeting: Any) -> bool:
    """The meeting's secretary or chair."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.pk in (getattr(meeting, "secretary_id", None), getattr(meeting, "chair_id", None))


view_meeting = (
    is_public_meeting | is_community_worker | is_supervisor | from_above | sits_in_meetings_body
)
schedule = is_community_worker | from_above | sits_in_body
run_meeting = is_community_worker | from_above | (keeps_the_meeting & sits_in_meetings_body)
register = is_member
register_others = is_community_staff
#: the staff console's link (on a community): those who schedule for any body
schedule_any = is_community_staff

rules.add_perm("meetings.view_meeting", view_meeting)
rules.add_perm("meetings.schedule", schedule)
rules.add_perm("meetings.run_meeting", run_meeting)
rules.add_perm("meetings.register", register)
rules.add_perm("meetings.register_others", register_others)
rules.add_perm("meetings.schedule_any", schedule_any)


def visible_q(user: Any, community_id: int) -> Q:
    """``view_meeting`` as a filter on a community's meetings (the list pages and the API)."""
    if not getattr(user, "is_authenticated", False):
        return Q(public=True)
    access = access_of(user)
    if access.is_admin or community_id in access.overseen:
        return Q()
    from gongzhi.core.models import Role

    held = access.roles.get(community_id, set())
    if Role.COMMUNITY_WORKER in held or Role.SUPERVISOR in held:
        return Q()
    membership = access.member_of.get(community_id)
    if membership is None:
        return Q(public=True)
    from django.utils import timezone

    from gongzhi.bodies.models import Mandate
    from gongzhi.bodies.selectors import sitting_q

    seated = (
        Mandate.objects.in_community(community_id)
        .filter(sitting_q(timezone.localdate()), membership=membership)
        .values("body_id")
    )
    return Q(public=True) | Q(body_id__in=seated)


def can_view(user: Any, meeting: Any) -> bool:
    return bool(rules.has_perm("meetings.view_meeting", user, meeting))


def can_run(user: Any, meeting: Any) -> bool:
    return bool(rules.has_perm("meetings.run_meeting", user, meeting))


def can_schedule(user: Any, body: Any) -> bool:
    return bool(rules.has_perm("meetings.schedule", user, body))
