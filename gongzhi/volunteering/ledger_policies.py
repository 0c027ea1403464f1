"""Who keeps a shift's roll, reverses hours and reads a team's totals (the ledger part); and the
shift as a core check-in target.

- Keeping the roll and confirming hours is ``volunteering.run_activity`` (shift_policies.py: a
  worker or those above, the organiser, a leader of the activity's team), on the activity.
- ``volunteering.reverse_hours`` (an HoursEntry): a community worker or those above, or the
  activity's organiser. Never the volunteer themself: the services refuse ``own_hours`` for
  everyone, a worker included.
- ``volunteering.view_team_hours`` (a Team): the community's staff, those above, and the team's
  leaders.
- A volunteer's own hours are theirs to read (``volunteering.view_volunteer``, core part).

The rotating QR code (core ``checkin``): those who run the activity show it, a volunteer with a
place on the shift scans it; ``attendance.scanned`` turns scans into arrival and departure.
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core import checkin
from gongzhi.core.policies import is_community_staff, is_community_worker
from gongzhi.volunteering.policies import from_above, leads_team


@rules.predicate
def organises_entrys_activity(user: Any, entry: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or entry is None:
        return False
    return bool(entry.activity.organiser_id == user.pk)


reverse_hours = is_community_worker | from_above | organises_entrys_activity
view_team_hours = is_community_staff | from_above | leads_team

rules.add_perm("volunteering.reverse_hours", reverse_hours)
rules.add_perm("volunteering.view_team_hours", view_team_hours)


def may_display(user: Any, shift: Any) -> bool:
    """The QR screen: those who run the shift's activity."""
    return bool(rules.has_perm("volunteering.run_activity", user, shift.activity))


def may_check_in(user: Any, shift: Any) -> bool:
    """A scan: a volunteer with a place (not the waiting list) on this shift."""
    from gongzhi.volunteering.attendance import signup_of_person

    return shift.cancelled_at is None and signup_of_person(user, shift) is not None


def on_recorded(person: Any, shift: Any, row: Any) -> None:
    from gongzhi.volunteering.attendance import scanned

    scanned(person, shift, row)


def scan_status(person: Any, shift: Any) -> str:
    from gongzhi.volunteering.attendance import scan_status as status

    return status(person, shift)


def _register_checkin() -> None:
    from gongzhi.volunteering.models import Shift

    checkin.register(
        Shift,
        may_display=may_display,
        may_check_in=may_check_in,
        on_recorded=on_recorded,
        status=scan_status,
    )


_register_checkin()
