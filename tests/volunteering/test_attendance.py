"""Arrival, departure and absence at a shift (attendance.py): kept by those who run the
activity, or by the volunteer scanning the rotating QR code (core checkin)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext

from gongzhi.core import checkin
from gongzhi.core.models import Activity
from gongzhi.volunteering import attendance
from gongzhi.volunteering.models import SignUp, SignUpStatus
from tests.factories import member
from tests.volunteering.world import activity_of, shift_of, signup_of, team_of, volunteer_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(community):
    return member(community)


@pytest.fixture
def shift(community, organiser):
    """A two-hour shift that started an hour ago."""
    return shift_of(activity_of(community, organiser), starts_in=-timedelta(hours=1), hours=2)


@pytest.fixture
def signup(shift, community):
    return signup_of(shift, volunteer_of(community))


def _fresh(signup: SignUp) -> SignUp:
    return SignUp.objects.in_community(signup.community_id).get(pk=signup.pk)


def test_the_organiser_records_arrival_and_departure(signup, shift, organiser):
    attendance.arrival_record(actor=organiser, signup=signup, at=shift.starts_at)
    attendance.departure_record(
        actor=organiser, signup=signup, at=shift.starts_at + timedelta(minutes=50)
    )
    row = _fresh(signup)
    assert row.arrived_at == shift.starts_at
    assert row.left_at == shift.starts_at + timedelta(minutes=50)
    assert row.times_recorded_by == organiser
    verbs = set(Activity.objects.in_community(shift.community_id).values_list("verb", flat=True))
    assert {"shift.arrival_recorded", "shift.departure_recorded"} <= verbs


def test_a_leader_of_the_team_and_a_worker_keep_the_roll(community, worker, organiser):
    leader = volunteer_of(community)
    team = team_of(community, worker, leader=leader)
    shift = shift_of(
        activity_of(community, organiser, team=team), starts_in=-timedelta(hours=1), hours=2
    )
    first = signup_of(shift, volunteer_of(community))
    second = signup_of(shift, volunteer_of(community))
    attendance.arrival_record(actor=leader.person, signup=first)
    attendance.arrival_record(actor=worker, signup=second)
    assert _fresh(first).arrived_at and _fresh(second).arrived_at


def test_others_cannot_keep_the_roll(community, signup, resident, worker):
    other_leader = volunteer_of(community)
    team_of(community, worker, name="另一个队", leader=other_leader)
    for outsider in (resident, other_leader.person, signup.volunteer.person):
        with pytest.raises(PermissionDenied):
            attendance.arrival_record(actor=outsider, signup=signup)
    assert _fresh(signup).arrived_at is None


@pytest.mark.parametrize(
    ("arrive", "leave", "code"),
    [
        (0, -10, "departure_before_arrival"),
        (0, 0, "departure_before_arrival"),
        (-30, 121, "hours_exceed_shift"),  # 151 minutes for a 120-minute shift
        (0, 400, "time_in_future"),
        (-45, 30, "time_outside_shift"),
    ],
)
def test_bad_times_are_refused_and_nothing_changes(signup, shift, organiser, arrive, leave, code):
    start = shift.starts_at
    with (
        time_machine.travel(shift.ends_at + timedelta(hours=1), tick=False),
        pytest.raises(ValidationError) as refused,
    ):
        attendance.arrival_record(
            actor=organiser, signup=signup, at=start + timedelta(minutes=arrive)
        )
        attendance.departure_record(
            actor=organiser, signup=signup, at=start + timedelta(minutes=leave)
        )
    assert refused.value.code == code
    assert _fresh(signup).left_at is None


def test_the_longest_stay_is_the_shift_plus_half_an_hour(signup, shift, organiser):
    attendance.arrival_record(
        actor=organiser, signup=signup, at=shift.starts_at - timedelta(minutes=30)
    )
    with time_machine.travel(shift.ends_at + timedelta(minutes=5), tick=False):
        attendance.departure_record(actor=organiser, signup=signup, at=shift.ends_at)
    assert _fresh(signup).left_at == shift.ends_at


def test_a_departure_needs_an_arrival(signup, organiser):
    with pytest.raises(ValidationError) as refused:
        attendance.departure_record(actor=organiser, signup=signup)
    assert refused.value.code == "not_arrived"


def test_only_a_place_on_the_shift_is_on_the_roll(community, shift, organiser):
    waiting = signup_of(shift, volunteer_of(community), status=SignUpStatus.WAITLISTED)
    with pytest.raises(ValidationError) as refused:
        attendance.arrival_record(actor=organiser, signup=waiting)
    assert refused.value.code == "not_signed_up"


def test_no_show_once_the_shift_started_and_not_after_arrival(community, organiser, shift):
    coming = shift_of(activity_of(community, organiser), starts_in=timedelta(days=1))
    early = signup_of(coming, volunteer_of(community))
    with pytest.raises(ValidationError) as refused:
        attendance.no_show_record(actor=organiser, signup=early)
    assert refused.value.code == "shift_not_started"

    came = signup_of(shift, volunteer_of(community))
    attendance.arrival_record(actor=organiser, signup=came)
    with pytest.raises(ValidationError) as refused:
        attendance.no_show_record(actor=organiser, signup=came)
    assert refused.value.code == "already_arrived"

    absent = signup_of(shift, volunteer_of(community))
    attendance.no_show_record(actor=organiser, signup=absent)
    row = _fresh(absent)
    assert (row.status, row.no_show_recorded_by) == (SignUpStatus.NO_SHOW, organiser)
    with pytest.raises(ValidationError):
        attendance.arrival_record(actor=organiser, signup=absent)


def test_errors_are_translated(signup, organiser):
    for language in ("en", "zh-hans"):
        with translation.override(language):
            with pytest.raises(ValidationError) as refused:
                attendance.departure_record(actor=organiser, signup=signup)
            assert refused.value.messages == [gettext("Record the arrival first.")]
    with translation.override("en"):
        with pytest.raises(ValidationError, match="Record the arrival first"):
            attendance.departure_record(actor=organiser, signup=signup)


# --- The rotating QR code ----------------------------------------------------------------------


def test_first_scan_is_arrival_a_later_one_departure(signup, shift):
    person = signup.volunteer.person
    now = timezone.now()
    checkin.checkin_record(actor=person, target=shift, code=checkin.current_code(shift))
    arrived = _fresh(signup).arrived_at
    assert arrived is not None and _fresh(signup).times_recorded_by == person
    # A double tap is the same arrival.
    checkin.checkin_record(actor=person, target=shift, code=checkin.current_code(shift))
    assert _fresh(signup).left_at is None
    later = now + timedelta(minutes=40)
    with time_machine.travel(later, tick=False):
        checkin.checkin_record(actor=person, target=shift, code=checkin.current_code(shift))
    row = _fresh(signup)
    assert row.arrived_at == arrived
    assert row.left_at is not None and row.left_at - arrived >= timedelta(minutes=39)
    # Later scans change nothing.
    with time_machine.travel(later + timedelta(minutes=20), tick=False):
        checkin.checkin_record(actor=person, target=shift, code=checkin.current_code(shift))
    assert _fresh(signup).left_at == row.left_at


def test_the_scan_page_says_arrived_then_left(client, signup, shift):
    """The scanning phone reads what its scan recorded, not only "already checked in"."""
    person = signup.volunteer.person
    client.force_login(person)
    url = checkin.scan_url(shift, checkin.current_code(shift))
    assert str(shift) in client.get(url).content.decode()
    arrived = client.post(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Scan the code again when you leave" in arrived
    assert f'href="{shift.get_absolute_url()}"' in arrived
    with time_machine.travel(timezone.now() + timedelta(minutes=40), tick=False):
        url = checkin.scan_url(shift, checkin.current_code(shift))
        left = client.post(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You left at" in left and "The organiser confirms your hours" in left


def test_a_code_from_another_shift_or_an_old_one_is_refused(community, signup, shift, organiser):
    other = shift_of(activity_of(community, organiser), starts_in=-timedelta(hours=1))
    person = signup.volunteer.person
    old = checkin.code_for(shift, checkin.time_step() - 5)
    for code in (checkin.current_code(other), old):
        with pytest.raises(ValidationError) as refused:
            checkin.checkin_record(actor=person, target=shift, code=code)
        assert refused.value.code == "checkin_code"
    assert _fresh(signup).arrived_at is None


def test_only_volunteers_with_a_place_scan(community, shift, resident):
    waiting = signup_of(shift, volunteer_of(community), status=SignUpStatus.WAITLISTED)
    for person in (resident, waiting.volunteer.person):
        with pytest.raises(PermissionDenied):
            checkin.checkin_record(actor=person, target=shift, code=checkin.current_code(shift))


def test_scanning_opens_half_an_hour_before_the_shift(community, organiser):
    coming = shift_of(activity_of(community, organiser), starts_in=timedelta(hours=2))
    signup = signup_of(coming, volunteer_of(community))
    with pytest.raises(ValidationError) as refused:
        checkin.checkin_record(
            actor=signup.volunteer.person, target=coming, code=checkin.current_code(coming)
        )
    assert refused.value.code == "scan_outside_shift"
    assert _fresh(signup).arrived_at is None


def test_the_qr_screen_is_for_those_who_run_the_activity(shift, organiser, signup, resident):
    target = checkin.target_for("volunteering.shift")
    assert target is not None
    assert target.may_display(organiser, shift)
    assert not target.may_display(resident, shift)
    assert not target.may_display(signup.volunteer.person, shift)
