"""Volunteer activities and shifts: who organises and runs them, publishing and cancelling,
sign-ups (a place or the waiting list), promotion when a place frees, and every refusal a
volunteer may meet — past, cancelled, too young, no birth date, a missing qualification,
already signed up, overlapping — with a translated message and nothing saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from gongzhi.core.models import Activity, Role
from gongzhi.notifications.models import Notification
from gongzhi.volunteering import shifts
from gongzhi.volunteering.models import (
    ActivityStatus,
    Shift,
    SignUp,
    SignUpStatus,
    VolunteerActivity,
)
from tests.factories import member
from tests.volunteering.world import activity_of, shift_of, signup_of, team_of, volunteer_of

pytestmark = pytest.mark.django_db


def verbs(community, verb: str) -> list[Activity]:
    return list(Activity.objects.in_community(community).filter(verb=verb).order_by("pk"))


def refused(code: str, run, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        run(*args, **kwargs)
    assert error.value.code == code
    return error.value


def later(days: float = 3, hours: float = 0):
    return timezone.now().replace(microsecond=0) + timedelta(days=days, hours=hours)


# --- Activities ---------------------------------------------------------------------------------


def test_a_worker_creates_a_draft_adds_a_shift_and_publishes(community, worker):
    activity = shifts.activity_create(
        actor=worker,
        community=community,
        title="  周末花园除草 ",
        description="除草、浇水",
        place="社区花园",
    )
    assert activity.status == ActivityStatus.DRAFT
    assert activity.organiser == worker and activity.title == "周末花园除草"
    refused("no_shifts", shifts.activity_publish, actor=worker, activity=activity)
    shift = shifts.shift_create(
        actor=worker, activity=activity, starts_at=later(), ends_at=later(3, 2), capacity=4
    )
    assert shift.place == "社区花园"  # the activity's by default
    published = shifts.activity_publish(actor=worker, activity=activity)
    assert published.status == ActivityStatus.PUBLISHED
    refused("already_published", shifts.activity_publish, actor=worker, activity=activity)
    assert [len(verbs(community, v)) for v in ("activity.created", "activity.published")] == [1, 1]
    assert len(verbs(community, "shift.created")) == 1


def test_who_organises_and_who_runs_an_activity(community, worker, resident):
    leader_person = member(community)
    leader = volunteer_of(community, leader_person)
    team = team_of(community, worker, leader=leader)
    with pytest.raises(PermissionDenied):
        shifts.activity_create(
            actor=resident, community=community, title="t", description="d", place="p"
        )
    # A team leader organises; the organiser runs it; another leader's team does not.
    activity = shifts.activity_create(
        actor=leader_person,
        community=community,
        title="楼道清扫",
        description="清扫楼道",
        place="3号楼",
        team=team,
    )
    assert activity.organiser == leader_person
    other = activity_of(community, worker, team=team)
    shifts.activity_update(actor=leader_person, activity=other, place="5号楼")  # leads its team
    alone = activity_of(community, worker)
    with pytest.raises(PermissionDenied):
        shifts.activity_update(actor=leader_person, activity=alone, place="x")
    with pytest.raises(PermissionDenied):
        shifts.shift_create(
            actor=resident, activity=activity, starts_at=later(), ends_at=later(3, 1), capacity=1
        )


def test_an_organiser_must_be_a_member_and_the_team_open(community, other_community, worker):
    stranger = member(other_community)
    refused(
        "organiser_not_member",
        shifts.activity_create,
        actor=worker,
        community=community,
        title="t",
        description="d",
        place="p",
        organiser=stranger,
    )
    team = team_of(community, worker)
    team.closed_at = timezone.now()
    team.save()
    refused(
        "team_closed",
        shifts.activity_create,
        actor=worker,
        community=community,
        title="t",
        description="d",
        place="p",
        team=team,
    )
    refused(
        "title_required",
        shifts.activity_create,
        actor=worker,
        community=community,
        title="  ",
        description="d",
        place="p",
    )
    assert not VolunteerActivity.objects.in_community(community).exists()


def test_bad_shifts_are_refused_and_nothing_is_saved(community, worker):
    activity = activity_of(community, worker)
    cases = [
        ("shift_times", {"starts_at": later(3, 2), "ends_at": later(3, 1), "capacity": 2}),
        ("shift_past", {"starts_at": later(-1), "ends_at": later(-1, 2), "capacity": 2}),
        ("capacity", {"starts_at": later(), "ends_at": later(3, 2), "capacity": 0}),
        ("min_age", {"starts_at": later(), "ends_at": later(3, 2), "capacity": 2, "min_age": 130}),
        (
            "unknown_qualification",
            {
                "starts_at": later(),
                "ends_at": later(3, 2),
                "capacity": 2,
                "required_qualifications": ["no_such_qualification"],
            },
        ),
    ]
    for code, fields in cases:
        refused(code, shifts.shift_create, actor=worker, activity=activity, **fields)
    assert not Shift.objects.in_community(community).exists()


# --- Sign-ups -----------------------------------------------------------------------------------


def test_sign_up_takes_a_place_then_the_waiting_list(community, worker):
    shift = shift_of(activity_of(community, worker), capacity=2)
    people = [volunteer_of(community) for _i in range(4)]
    made = [shifts.signup_add(actor=v.person, shift=shift) for v in people]
    assert [s.status for s in made] == ["registered", "registered", "waitlisted", "waitlisted"]
    journalled = verbs(community, "shift.signed_up")
    assert [e.data["status"] for e in journalled] == [s.status for s in made]


def test_cancelling_promotes_the_first_waiting_and_tells_them(community, worker):
    shift = shift_of(activity_of(community, worker), capacity=1)
    first, second, third = (volunteer_of(community) for _i in range(3))
    held = shifts.signup_add(actor=first.person, shift=shift)
    shifts.signup_add(actor=second.person, shift=shift)
    shifts.signup_add(actor=third.person, shift=shift)

    cancelled = shifts.signup_cancel(actor=first.person, signup=held)

    assert cancelled.status == SignUpStatus.CANCELLED
    rows = {s.volunteer_id: s.status for s in SignUp.objects.in_community(community)}
    assert rows == {first.pk: "cancelled", second.pk: "registered", third.pk: "waitlisted"}
    told = Notification.objects.get(kind="shift_place")
    assert told.user == second.person
    assert len(verbs(community, "shift.promoted")) == 1
    refused("signup_cancelled", shifts.signup_cancel, actor=first.person, signup=held)
    # Coming back puts one at the end of the queue.
    again = shifts.signup_add(actor=first.person, shift=shift)
    assert again.pk == held.pk and again.status == SignUpStatus.WAITLISTED


def test_leaving_the_waiting_list_promotes_nobody(community, worker):
    shift = shift_of(activity_of(community, worker), capacity=1)
    a, b = volunteer_of(community), volunteer_of(community)
    shifts.signup_add(actor=a.person, shift=shift)
    waiting = shifts.signup_add(actor=b.person, shift=shift)
    shifts.signup_cancel(actor=b.person, signup=waiting)
    assert not Notification.objects.filter(kind="shift_place").exists()


def test_raising_the_capacity_promotes_and_lowering_it_below_the_taken_is_refused(
    community, worker
):
    shift = shift_of(activity_of(community, worker), capacity=1)
    people = [volunteer_of(community) for _i in range(3)]
    for v in people:
        shifts.signup_add(actor=v.person, shift=shift)
    shifts.shift_update(actor=worker, shift=shift, capacity=2)
    assert SignUp.objects.in_community(community).filter(status="registered").count() == 2
    refused("capacity_below_signups", shifts.shift_update, actor=worker, shift=shift, capacity=1)


def test_who_may_not_sign_up(community, worker, resident):
    shift = shift_of(activity_of(community, worker))
    error = refused("not_volunteer", shifts.signup_add, actor=resident, shift=shift)
    assert "志愿者" in error.messages[0]  # in the default language, zh-Hans
    withdrawn = volunteer_of(community, withdrawn_at=timezone.now())
    refused("not_volunteer", shifts.signup_add, actor=withdrawn.person, shift=shift)
    assert not SignUp.objects.in_community(community).exists()


def test_past_started_cancelled_and_unpublished_shifts_take_nobody(community, worker):
    volunteer = volunteer_of(community)
    activity = activity_of(community, worker)
    started = shift_of(activity, starts_in=timedelta(minutes=-10))
    refused("shift_past", shifts.signup_add, actor=volunteer.person, shift=started)
    past = shift_of(activity, starts_in=timedelta(days=-2))
    refused("shift_past", shifts.signup_add, actor=volunteer.person, shift=past)
    cancelled = shift_of(activity, starts_in=timedelta(days=9), cancelled_at=timezone.now())
    refused("shift_cancelled", shifts.signup_add, actor=volunteer.person, shift=cancelled)
    draft = shift_of(activity_of(community, worker, status=ActivityStatus.DRAFT))
    refused("activity_not_open", shifts.signup_add, actor=volunteer.person, shift=draft)
    assert not SignUp.objects.in_community(community).exists()


def test_minimum_age_on_the_shifts_day(community, worker):
    shift = shift_of(activity_of(community, worker), starts_in=timedelta(days=10), min_age=18)
    day = timezone.localdate(shift.starts_at)
    turns_18_after = volunteer_of(
        community, birth_date=date(day.year - 18, day.month, day.day) + timedelta(days=1)
    )
    turns_18_that_day = volunteer_of(community, birth_date=date(day.year - 18, day.month, day.day))
    unknown = volunteer_of(community)
    refused("too_young", shifts.signup_add, actor=turns_18_after.person, shift=shift)
    refused("age_unknown", shifts.signup_add, actor=unknown.person, shift=shift)
    assert shifts.signup_add(actor=turns_18_that_day.person, shift=shift).status == "registered"


def test_already_signed_up_and_overlapping_shifts_are_refused(community, worker):
    volunteer = volunteer_of(community)
    activity = activity_of(community, worker)
    shift = shift_of(activity, starts_in=timedelta(days=3), hours=2)
    shifts.signup_add(actor=volunteer.person, shift=shift)
    refused("already_signed_up", shifts.signup_add, actor=volunteer.person, shift=shift)
    overlapping = shift_of(
        activity_of(community, worker, title="另一个活动"),
        starts_in=timedelta(days=3, hours=1),
        hours=2,
    )
    refused("shift_overlaps", shifts.signup_add, actor=volunteer.person, shift=overlapping)
    right_after = shift_of(activity, starts_in=timedelta(days=3, hours=2), hours=1)
    assert shifts.signup_add(actor=volunteer.person, shift=right_after).status == "registered"
    assert SignUp.objects.in_community(community).count() == 2


def test_errors_are_translated(community, worker, resident):
    shift = shift_of(activity_of(community, worker))
    with translation.override("zh-hans"):
        zh = refused("not_volunteer", shifts.signup_add, actor=resident, shift=shift)
    with translation.override("en"):
        en = refused("not_volunteer", shifts.signup_add, actor=resident, shift=shift)
    assert en.messages[0].startswith("Only registered volunteers can sign up")
    assert zh.messages[0]  # the catalogue is filled by the translation pass


def test_a_worker_signs_up_a_resident_on_their_behalf(community, worker):
    volunteer = volunteer_of(community)
    shift = shift_of(activity_of(community, worker))
    other = member(community)
    with pytest.raises(PermissionDenied):
        shifts.signup_add(actor=other, shift=shift, person=volunteer.person)
    signup = shifts.signup_add(
        actor=worker, shift=shift, person=volunteer.person, recruited_by=other
    )
    assert signup.signed_up_by == worker and signup.recruited_by == other
    entry = verbs(community, "shift.signed_up")[0]
    assert entry.actor == worker and entry.on_behalf_of == volunteer.person


def test_who_may_cancel_a_sign_up(community, worker):
    activity = activity_of(community, worker)
    shift = shift_of(activity)
    volunteer = volunteer_of(community)
    signup = signup_of(shift, volunteer)
    with pytest.raises(PermissionDenied):
        shifts.signup_cancel(actor=member(community), signup=signup)
    organiser = member(community)
    run_by_them = shift_of(activity_of(community, organiser), starts_in=timedelta(days=8))
    theirs = signup_of(run_by_them, volunteer)
    assert shifts.signup_cancel(actor=organiser, signup=theirs).status == "cancelled"
    assert shifts.signup_cancel(actor=worker, signup=signup).status == "cancelled"


def test_a_started_shift_can_no_longer_be_cancelled(community, worker):
    volunteer = volunteer_of(community)
    shift = shift_of(activity_of(community, worker), starts_in=timedelta(minutes=-5))
    signup = signup_of(shift, volunteer)
    refused("shift_past", shifts.signup_cancel, actor=volunteer.person, signup=signup)


def test_cancelling_an_activity_tells_everyone_and_closes_its_shifts(community, worker):
    activity = activity_of(community, worker)
    shift = shift_of(activity, capacity=1)
    a, b = volunteer_of(community), volunteer_of(community)
    shifts.signup_add(actor=a.person, shift=shift)
    shifts.signup_add(actor=b.person, shift=shift)
    shifts.activity_cancel(actor=worker, activity=activity, reason="暴雨预警")
    told = Notification.objects.filter(kind="shift_changed")
    assert {n.user_id for n in told} == {a.person_id, b.person_id}
    shift.refresh_from_db()
    assert shift.cancelled_at is not None
    refused("shift_cancelled", shifts.signup_add, actor=volunteer_of(community).person, shift=shift)
    refused("activity_cancelled", shifts.activity_cancel, actor=worker, activity=activity)


def test_moving_a_shift_tells_those_signed_up(community, worker):
    shift = shift_of(activity_of(community, worker))
    volunteer = volunteer_of(community)
    shifts.signup_add(actor=volunteer.person, shift=shift)
    shifts.shift_update(
        actor=worker,
        shift=shift,
        starts_at=shift.starts_at + timedelta(hours=1),
        ends_at=shift.ends_at + timedelta(hours=1),
    )
    assert Notification.objects.get(kind="shift_changed").user == volunteer.person
    shifts.shift_cancel(actor=worker, shift=shift, reason="场地维修")
    assert Notification.objects.filter(kind="shift_changed").count() == 2
    refused("shift_cancelled", shifts.shift_cancel, actor=worker, shift=shift)


def test_a_worker_of_another_community_runs_nothing_here(community, other_community):
    activity = activity_of(community, member(community))
    outsider = member(other_community, Role.COMMUNITY_WORKER)
    with pytest.raises(PermissionDenied):
        shifts.activity_publish(actor=outsider, activity=activity)
