"""Who may organise and run volunteer activities, see them, and sign people up (the shifts part).

- ``volunteering.organise`` (a Community): a community worker (or those above the community), or
  a leader of any of its open teams — they create activities.
- ``volunteering.run_activity`` (a VolunteerActivity): a community worker (or those above), the
  activity's organiser, or a leader of its team. They edit, publish and cancel it, add shifts,
  and (the ledger part) keep the roll and confirm the hours.
- ``volunteering.view_activity`` (a VolunteerActivity): a published or cancelled activity
  everyone, even logged out; a draft only those who run it.
- ``volunteering.cancel_signup`` (a SignUp): the volunteer themself, those who run the
  activity, the community's staff.

Signing up someone else (代办) is ``volunteering.register_others`` (the core part's policies).
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core.policies import (
    is_community_staff,
    is_community_worker,
    is_platform_admin,
    oversees,
)
from gongzhi.volunteering.policies import leads_any_team, leads_team

from_above = oversees | is_platform_admin


@rules.predicate
def organises_activity(user: Any, activity: Any) -> bool:
    """The activity's organiser."""
    return bool(getattr(user, "is_authenticated", False)) and user.pk == getattr(
        activity, "organiser_id", None
    )


@rules.predicate
def leads_activity_team(user: Any, activity: Any) -> bool:
    """A leader of the activity's team."""
    return bool(leads_team(user, getattr(activity, "team", None)))


@rules.predicate
def is_open_activity(user: Any, activity: Any) -> bool:
    from gongzhi.volunteering.models import ActivityStatus

    return getattr(activity, "status", None) != ActivityStatus.DRAFT


@rules.predicate
def runs_signups_activity(user: Any, signup: Any) -> bool:
    shift = getattr(signup, "shift", None)
    return shift is not None and bool(run_activity(user, shift.activity))


@rules.predicate
def is_own_signup(user: Any, signup: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    volunteer = getattr(signup, "volunteer", None)
    return volunteer is not None and volunteer.person_id == user.pk


organise = is_community_worker | from_above | leads_any_team
run_activity = is_community_worker | from_above | organises_activity | leads_activity_team
view_activity = is_open_activity | run_activity
cancel_signup = is_own_signup | is_community_staff | runs_signups_activity

rules.add_perm("volunteering.organise", organise)
rules.add_perm("volunteering.run_activity", run_activity)
rules.add_perm("volunteering.view_activity", view_activity)
rules.add_perm("volunteering.cancel_signup", cancel_signup)


def can_run(user: Any, activity: Any) -> bool:
    return bool(rules.has_perm("volunteering.run_activity", user, activity))


def can_view(user: Any, activity: Any) -> bool:
    return bool(rules.has_perm("volunteering.view_activity", user, activity))
