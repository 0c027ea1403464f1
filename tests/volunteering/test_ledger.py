"""The hours ledger (ledger.py): confirmation by someone other than the volunteer (谁记录谁证明),
credit by the community's rounding rule, reversals and corrections with a reason, totals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from gongzhi.core.models import Activity
from gongzhi.notifications.models import Notification
from gongzhi.volunteering import ledger, ledger_selectors
from gongzhi.volunteering.models import (
    HoursEntry,
    HoursEntryKind,
    SignUpStatus,
    VolunteeringSettings,
)
from tests.factories import member
from tests.volunteering.world import activity_of, shift_of, signup_of, team_of, volunteer_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(community):
    return member(community)


@pytest.fixture
def team(community, worker):
    return team_of(community, worker, leader=volunteer_of(community))


@pytest.fixture
def shift(community, organiser, team):
    return shift_of(
        activity_of(community, organiser, team=team), starts_in=-timedelta(hours=3), hours=2
    )


def served(shift, volunteer, minutes):
    """A sign-up whose arrival and departure are recorded, ``minutes`` apart."""
    return signup_of(
        shift,
        volunteer,
        arrived_at=shift.starts_at,
        left_at=shift.starts_at + timedelta(minutes=minutes),
    )


def _entries(community):
    return HoursEntry.objects.in_community(community)


def test_the_organiser_confirms_and_the_rule_credits(
    community, shift, organiser, team, django_capture_on_commit_callbacks
):
    signup = served(shift, volunteer_of(community), 75)
    with django_capture_on_commit_callbacks(execute=True):
        entry = ledger.hours_confirm(actor=organiser, signup=signup)
    assert (entry.kind, entry.served_minutes, entry.credited_minutes) == ("service", 75, 90)
    assert (entry.team, entry.shift, entry.signup, entry.activity) == (
        team,
        shift,
        signup,
        shift.activity,
    )
    assert entry.confirmed_by == organiser
    assert Activity.objects.in_community(community).filter(verb="hours.confirmed").exists()
    note = Notification.objects.filter(user=signup.volunteer.person, kind="hours_confirmed").get()
    assert note.params["hours"] == "1.5"


def test_the_communitys_own_rule_credits(community, shift, organiser):
    VolunteeringSettings.objects.create(community=community, unit_minutes=60, threshold_minutes=60)
    entry = ledger.hours_confirm(actor=organiser, signup=served(shift, volunteer_of(community), 75))
    assert entry.credited_minutes == 60


def test_the_teams_leader_and_a_worker_confirm(community, shift, team, worker):
    leader = team.members.get().volunteer.person
    ledger.hours_confirm(actor=leader, signup=served(shift, volunteer_of(community), 30))
    ledger.hours_confirm(actor=worker, signup=served(shift, volunteer_of(community), 30))
    assert _entries(community).count() == 2


def test_nobody_confirms_their_own_hours_not_even_a_worker(community, shift, worker, team):
    for person in (worker, team.members.get().volunteer.person):
        volunteer = (
            team.members.get().volunteer
            if person != worker
            else volunteer_of(community, person=worker)
        )
        with pytest.raises(ValidationError) as refused:
            ledger.hours_confirm(actor=person, signup=served(shift, volunteer, 60))
        assert refused.value.code == "own_hours"
    assert not _entries(community).exists()


def test_others_may_not_confirm(community, shift, resident, worker):
    other_leader = volunteer_of(community)
    team_of(community, worker, name="另一个队", leader=other_leader)
    signup = served(shift, volunteer_of(community), 60)
    for outsider in (resident, other_leader.person):
        with pytest.raises(PermissionDenied):
            ledger.hours_confirm(actor=outsider, signup=signup)
    assert not _entries(community).exists()


def test_times_are_needed_and_confirmation_happens_once(community, shift, organiser):
    bare = signup_of(shift, volunteer_of(community))
    with pytest.raises(ValidationError) as refused:
        ledger.hours_confirm(actor=organiser, signup=bare)
    assert refused.value.code == "times_missing"
    absent = signup_of(shift, volunteer_of(community), status=SignUpStatus.NO_SHOW)
    with pytest.raises(ValidationError) as refused:
        ledger.hours_confirm(actor=organiser, signup=absent)
    assert refused.value.code == "not_signed_up"
    signup = served(shift, volunteer_of(community), 60)
    ledger.hours_confirm(actor=organiser, signup=signup)
    with pytest.raises(ValidationError) as refused:
        ledger.hours_confirm(actor=organiser, signup=signup)
    assert refused.value.code == "already_confirmed"
    assert _entries(community).count() == 1


def test_confirm_all_leaves_out_ones_own_and_the_unrecorded(community, shift, team):
    leader = team.members.get().volunteer
    served(shift, leader, 60)
    served(shift, volunteer_of(community), 60)
    served(shift, volunteer_of(community), 44)
    signup_of(shift, volunteer_of(community))
    done = ledger.hours_confirm_all(actor=leader.person, shift=shift)
    assert len(done.confirmed) == 2
    assert sorted(code for _, code in done.skipped) == ["own_hours", "times_missing"]
    assert sorted(e.credited_minutes for e in done.confirmed) == [30, 60]


def test_a_reversal_negates_says_why_and_happens_once(community, shift, organiser, monkeypatch):
    seen = []
    monkeypatch.setattr(
        ledger.certificates,
        "on_entry_reversed",
        lambda *, entry, reversal: seen.append((entry.pk, reversal.pk)),
    )
    volunteer = volunteer_of(community)
    entry = ledger.hours_confirm(actor=organiser, signup=served(shift, volunteer, 75))
    with pytest.raises(ValidationError) as refused:
        ledger.hours_reverse(actor=organiser, entry=entry, reason="  ")
    assert refused.value.code == "reason_required"
    reversal = ledger.hours_reverse(actor=organiser, entry=entry, reason="签退时间录错")
    assert (reversal.kind, reversal.served_minutes, reversal.credited_minutes) == (
        HoursEntryKind.REVERSAL,
        -75,
        -90,
    )
    assert reversal.reverses == entry and reversal.reason == "签退时间录错"
    assert seen == [(entry.pk, reversal.pk)]
    assert ledger_selectors.volunteer_totals(volunteer).credited_minutes == 0
    assert ledger_selectors.volunteer_totals(volunteer).services == 0
    with pytest.raises(ValidationError) as refused:
        ledger.hours_reverse(actor=organiser, entry=entry, reason="again")
    assert refused.value.code == "already_reversed"
    with pytest.raises(ValidationError) as refused:
        ledger.hours_reverse(actor=organiser, entry=reversal, reason="again")
    assert refused.value.code == "not_reversible"


def test_who_reverses(community, shift, organiser, team, worker, resident):
    leader = team.members.get().volunteer.person
    entry = ledger.hours_confirm(
        actor=organiser, signup=served(shift, volunteer_of(community, person=worker), 60)
    )
    # A leader who is not the organiser, a resident: not allowed; the volunteer (a worker
    # here): never their own.
    for person in (leader, resident):
        with pytest.raises(PermissionDenied):
            ledger.hours_reverse(actor=person, entry=entry, reason="x")
    with pytest.raises(ValidationError) as refused:
        ledger.hours_reverse(actor=worker, entry=entry, reason="x")
    assert refused.value.code == "own_hours"
    ledger.hours_reverse(actor=organiser, entry=entry, reason="x")


def test_a_correction_is_a_reversal_and_a_new_entry(community, shift, organiser):
    volunteer = volunteer_of(community)
    entry = ledger.hours_confirm(actor=organiser, signup=served(shift, volunteer, 100))
    with pytest.raises(ValidationError) as refused:
        ledger.hours_correct(actor=organiser, entry=entry, served_minutes=200, reason="x")
    assert refused.value.code == "hours_exceed_shift"
    reversal, corrected = ledger.hours_correct(
        actor=organiser, entry=entry, served_minutes=50, reason="提前离开"
    )
    assert reversal.reverses == entry
    assert (corrected.kind, corrected.served_minutes, corrected.credited_minutes) == (
        "service",
        50,
        60,
    )
    assert corrected.signup is None and corrected.shift == shift
    totals = ledger_selectors.volunteer_totals(volunteer)
    assert (totals.served_minutes, totals.credited_minutes, totals.services) == (50, 60, 1)


def test_totals_per_team_activity_community_and_period(community, organiser, team, worker):
    early = shift_of(
        activity_of(community, organiser, team=team), starts_in=-timedelta(days=10), hours=2
    )
    late = shift_of(activity_of(community, organiser), starts_in=-timedelta(days=1), hours=2)
    volunteer = volunteer_of(community)
    ledger.hours_confirm(actor=organiser, signup=served(early, volunteer, 60))
    ledger.hours_confirm(actor=organiser, signup=served(late, volunteer, 30))
    assert ledger_selectors.team_totals(team).credited_minutes == 60
    assert ledger_selectors.activity_totals(late.activity).credited_minutes == 30
    assert ledger_selectors.community_totals(community.pk).credited_minutes == 90
    since = late.starts_at.date() - timedelta(days=2)
    assert ledger_selectors.community_totals(community.pk, start=since).credited_minutes == 30
    assert ledger_selectors.volunteer_totals(volunteer, end=since).credited_minutes == 60
    record = ledger_selectors.record_of(volunteer)
    assert [e.activity.title for e in record] == [late.activity.title, early.activity.title]
    page = ledger_selectors.record_of(volunteer, before=(record[0].served_on, record[0].pk))
    assert [e.pk for e in page] == [record[1].pk]


def test_refusals_read_in_english_and_chinese(community, shift, organiser, worker):
    signup = served(shift, volunteer_of(community, person=worker), 60)
    with translation.override("en"):
        with pytest.raises(ValidationError, match="Nobody confirms or corrects their own hours"):
            ledger.hours_confirm(actor=worker, signup=signup)
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as refused:
            ledger.hours_confirm(actor=worker, signup=signup)
        assert refused.value.messages == [
            translation.gettext(
                "Nobody confirms or corrects their own hours: ask the organiser or a worker."
            )
        ]
