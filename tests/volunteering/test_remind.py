"""``manage.py volunteering_remind``: those with a place on a shift starting within a day are
reminded once; the waiting, the cancelled and later shifts are not."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongzhi.notifications.models import Notification
from gongzhi.volunteering.models import ActivityStatus, SignUp
from tests.volunteering.world import activity_of, shift_of, signup_of, volunteer_of

pytestmark = pytest.mark.django_db


def remind() -> str:
    out = StringIO()
    call_command("volunteering_remind", stdout=out)
    return out.getvalue().strip()


def test_reminds_those_with_a_place_once(community, worker):
    activity = activity_of(community, worker)
    tomorrow = shift_of(activity, starts_in=timedelta(hours=20))
    next_week = shift_of(activity, starts_in=timedelta(days=7))
    placed, waiting, cancelled, later = (volunteer_of(community) for _i in range(4))
    signup_of(tomorrow, placed)
    signup_of(tomorrow, waiting, status="waitlisted")
    signup_of(tomorrow, cancelled, status="cancelled")
    signup_of(next_week, later)

    assert remind() == "reminded=1"
    told = Notification.objects.get(kind="shift_reminder")
    assert told.user == placed.person and told.params["title"] == activity.title
    assert SignUp.objects.in_community(community).get(volunteer=placed).reminded_at is not None
    assert remind() == "reminded=0"


def test_cancelled_shifts_and_activities_remind_nobody(community, worker):
    shift = shift_of(
        activity_of(community, worker), starts_in=timedelta(hours=5), cancelled_at=timezone.now()
    )
    signup_of(shift, volunteer_of(community))
    gone = shift_of(
        activity_of(community, worker, status=ActivityStatus.CANCELLED),
        starts_in=timedelta(hours=5),
    )
    signup_of(gone, volunteer_of(community))
    assert remind() == "reminded=0"
