"""Who keeps a session's roll, marks and decides a learner, and reads a session's ratings (the
attendance part); and the course session as a core check-in target.

- ``learning.keep_roll`` (a Course): those who run the course (``learning.run_course``, the
  courses part: a community worker or those above, or a trainer of the course). The roll, the
  assessment, the completion decision, finishing the course and its results page. The services
  refuse for everyone, a worker included, their own assessment (``own_assessment``), their own
  completion (``own_completion``) and their own presence on the roll (``own_attendance``).
- ``learning.view_ratings`` (a Course): the same people read each session's average stars and
  count, never who gave them.

The rotating QR code (core ``checkin``): those who run the course show it; a learner with a
place (status enrolled) scans it, from 30 minutes before the session until it ends
(``attendance.scanned`` writes their ``Attendance``).
"""

from __future__ import annotations

from typing import Any

import rules

from gongzhi.core import checkin


@rules.predicate
def runs_course(user: Any, course: Any) -> bool:
    """``user`` may run ``course`` (the courses part's ``learning.run_course``)."""
    if course is None:
        return False
    return bool(rules.has_perm("learning.run_course", user, course))


rules.add_perm("learning.keep_roll", runs_course)
rules.add_perm("learning.view_ratings", runs_course)


def may_display(user: Any, session: Any) -> bool:
    """The QR screen: those who run the session's course."""
    return bool(runs_course(user, session.course))


def may_check_in(user: Any, session: Any) -> bool:
    """A scan: a learner with a place (not the waiting list) on the session's course."""
    from gongzhi.learning.attendance import enrolment_of_person

    return session.cancelled_at is None and enrolment_of_person(user, session) is not None


def on_recorded(person: Any, session: Any, row: Any) -> None:
    from gongzhi.learning.attendance import scanned

    scanned(person, session, row)


def scan_status(person: Any, session: Any) -> str:
    from gongzhi.learning.attendance import scan_status as status

    return status(person, session)


def _register_checkin() -> None:
    from gongzhi.learning.models import CourseSession

    checkin.register(
        CourseSession,
        may_display=may_display,
        may_check_in=may_check_in,
        on_recorded=on_recorded,
        status=scan_status,
    )


_register_checkin()
