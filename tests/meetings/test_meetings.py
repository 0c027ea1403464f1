"""Meetings core: scheduling single and recurring meetings (RRULE), overlaps refused, moving
and cancelling, opening and closing with the room's quorum in the journal, a second sitting,
registration with capacity and a waiting list, invitations and day-ahead reminders. Every
refusal leaves nothing saved."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from gongzhi.bodies.models import Charter
from gongzhi.core.models import Activity
from gongzhi.meetings import services
from gongzhi.meetings.models import (
    AgendaItem,
    Invitation,
    Meeting,
    MeetingStatus,
    Presence,
    Registration,
    Series,
)
from gongzhi.notifications.models import Notification
from tests.factories import member
from tests.meetings.world import item_of, meeting_of, seated_council

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def entries(community, verb: str) -> list[Activity]:
    return list(Activity.objects.in_community(community).filter(verb=verb).order_by("pk"))


def at(days: int, hour: int = 19) -> timezone.datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


def schedule(body, actor, *, start=None, hours=2, **fields):
    start = start or at(10)
    return services.meeting_create(
        actor=actor,
        body=body,
        kind=fields.pop("kind", "ordinary"),
        title=fields.pop("title", "议事会例会"),
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        place=fields.pop("place", "社区活动室"),
        **fields,
    )


def code_of(error: pytest.ExceptionInfo) -> str:
    return error.value.code


@pytest.fixture
def council(community, worker):
    return seated_council(community, worker)


# --- Scheduling ---------------------------------------------------------------------------------


def test_a_worker_schedules_a_meeting_and_the_journal_says_which(community, worker, council):
    body, _people = council
    meeting = schedule(body, worker)
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.community_id == community.pk
    [entry] = entries(community, "meeting.created")
    assert entry.data == {"meeting": meeting.pk, "body": body.pk, "kind": "ordinary"}


def test_a_seated_member_may_schedule_a_resident_may_not(community, worker, council, resident):
    body, people = council
    assert schedule(body, people[0]).created_by == people[0]
    with pytest.raises(PermissionDenied):
        schedule(body, resident, start=at(20))
    assert Meeting.objects.in_community(community).count() == 1


@pytest.mark.parametrize(
    ("shift", "hours"),
    [
        (timedelta(0), 2),
        (timedelta(hours=1), 2),
        (timedelta(hours=-1), 2),
        (timedelta(minutes=30), 1),
    ],
)
def test_an_overlapping_meeting_of_the_body_is_refused(community, worker, council, shift, hours):
    body, _people = council
    schedule(body, worker)
    with pytest.raises(ValidationError) as error:
        schedule(body, worker, start=at(10) + shift, hours=hours)
    assert code_of(error) == "meeting_overlaps"
    assert Meeting.objects.in_community(community).count() == 1
    assert len(entries(community, "meeting.created")) == 1


def test_back_to_back_and_other_bodies_and_cancelled_ones_do_not_overlap(
    community, worker, council
):
    body, _people = council
    first = schedule(body, worker)
    schedule(body, worker, start=at(10) + timedelta(hours=2))
    other, _ = seated_council(community, worker, name="业主委员会")
    schedule(other, worker)
    services.meeting_cancel(actor=worker, meeting=first, reason="场地维修")
    schedule(body, worker, start=at(10) - timedelta(hours=1), hours=2)
    assert Meeting.objects.in_community(community).count() == 4


def test_times_reversed_a_dissolved_body_and_no_charter_are_refused(community, worker, council):
    body, _people = council
    with pytest.raises(ValidationError) as error:
        services.meeting_create(
            actor=worker, body=body, kind="ordinary", title="x", starts_at=at(3), ends_at=at(3)
        )
    assert code_of(error) == "meeting_times"
    Charter.objects.in_community(community).filter(body=body).update(
        adopted_at=timezone.now() + timedelta(days=30)
    )
    with pytest.raises(ValidationError) as error:
        schedule(body, worker)
    assert code_of(error) == "no_charter"
    Charter.objects.in_community(community).filter(body=body).update(adopted_at=timezone.now())
    type(body).objects.in_community(community).filter(pk=body.pk).update(
        dissolved_at=timezone.now()
    )
    body.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        schedule(body, worker)
    assert code_of(error) == "body_dissolved"
    assert not Meeting.objects.in_community(community).exists()


# --- Series -------------------------------------------------------------------------------------


def test_a_weekly_series_materialises_each_occurrence_at_the_same_local_time(
    community, worker, council
):
    body, _people = council
    first = schedule(body, worker, rrule="RRULE:FREQ=WEEKLY;COUNT=4")
    series = Series.objects.in_community(community).get()
    assert series.rrule == "FREQ=WEEKLY;COUNT=4" and series.duration_minutes == 120
    meetings = list(Meeting.objects.in_community(community).order_by("starts_at"))
    assert first == meetings[0] and len(meetings) == 4
    for number, meeting in enumerate(meetings):
        assert meeting.series == series
        assert meeting.recurrence_id == meeting.starts_at == at(10 + 7 * number)
        assert timezone.localtime(meeting.starts_at, SHANGHAI).hour == 19
        assert meeting.ends_at - meeting.starts_at == timedelta(hours=2)
    assert len(entries(community, "meeting.created")) == 4
    [created] = entries(community, "series.created")
    assert created.data["count"] == 4


def test_until_a_date_is_read_in_local_time(community, worker, council):
    body, _people = council
    until = (timezone.localdate() + timedelta(days=40)).strftime("%Y%m%d")
    schedule(body, worker, rrule=f"FREQ=WEEKLY;UNTIL={until}")
    assert Meeting.objects.in_community(community).count() == 5  # days 10, 17, 24, 31, 38


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("FREQ=WEEKLY", "rrule_endless"),
        ("FREQ=WEEKLY;COUNT=261", "rrule_too_long"),
        ("FREQ=YEARLY;COUNT=7", "rrule_too_long"),
        ("FREQ=FORTNIGHTLY;COUNT=3", "rrule"),
        ("FREQ=DAILY;COUNT=3\nRRULE:FREQ=WEEKLY;COUNT=2", "rrule"),
        ("FREQ=HOURLY;COUNT=3", "meeting_overlaps"),
    ],
)
def test_a_rule_that_never_ends_is_too_long_unreadable_or_self_overlapping_is_refused(
    community, worker, council, rule, code
):
    body, _people = council
    with pytest.raises(ValidationError) as error:
        schedule(body, worker, rrule=rule)
    assert code_of(error) == code
    assert not Meeting.objects.in_community(community).exists()
    assert not Series.objects.in_community(community).exists()


def test_a_series_that_runs_into_an_existing_meeting_saves_none(community, worker, council):
    body, _people = council
    schedule(body, worker, start=at(24))
    with pytest.raises(ValidationError) as error:
        schedule(body, worker, rrule="FREQ=WEEKLY;COUNT=3")
    assert code_of(error) == "meeting_overlaps"
    assert Meeting.objects.in_community(community).count() == 1
    assert not Series.objects.in_community(community).exists()


def test_moving_an_occurrence_keeps_its_recurrence_id_and_raises_its_sequence(
    community, worker, council, resident
):
    body, _people = council
    schedule(body, worker, rrule="FREQ=WEEKLY;COUNT=3", capacity=5)
    second = Meeting.objects.in_community(community).order_by("starts_at")[1]
    services.registration_add(actor=resident, meeting=second)
    original = second.recurrence_id
    moved = services.meeting_update(
        actor=worker, meeting=second, starts_at=at(18), ends_at=at(18) + timedelta(hours=2)
    )
    assert moved.recurrence_id == original and moved.starts_at == at(18) and moved.sequence == 1
    [entry] = entries(community, "meeting.updated")
    assert entry.data["changed"] == ["starts_at", "ends_at"]
    told = Notification.objects.get(user=resident, kind="meeting_changed")
    assert told.params["title"] == "议事会例会"
    with pytest.raises(ValidationError) as error:
        services.meeting_update(
            actor=worker, meeting=moved, starts_at=at(24), ends_at=at(24) + timedelta(hours=1)
        )
    assert code_of(error) == "meeting_overlaps"
    moved.refresh_from_db()
    assert moved.starts_at == at(18) and moved.sequence == 1


def test_cancelling_a_series_cancels_the_occurrences_to_come(community, worker, council):
    body, _people = council
    first = schedule(body, worker, rrule="FREQ=WEEKLY;COUNT=3")
    series = first.series
    services.series_update(actor=worker, series=series, place="新活动中心")
    assert set(Meeting.objects.in_community(community).values_list("place", flat=True)) == {
        "新活动中心"
    }
    assert services.series_cancel(actor=worker, series=series, reason="换届") == 3
    series.refresh_from_db()
    assert series.sequence == 2
    statuses = Meeting.objects.in_community(community).values_list("status", "sequence")
    assert set(statuses) == {(MeetingStatus.CANCELLED, 2)}


# --- Opening, closing, second sitting ------------------------------------------------------------


def arrive(meeting, person, by, minutes_ago=10):
    Presence.objects.create(
        community=meeting.community,
        meeting=meeting,
        person=person,
        role="member",
        via="secretary",
        arrived_at=timezone.now() - timedelta(minutes=minutes_ago),
        recorded_by=by,
        confirmed_by=by,
        confirmed_at=timezone.now(),
    )


def test_close_journals_the_quorum_and_who_came_then_refuses_everything(
    community, worker, council, resident
):
    body, people = council
    meeting = meeting_of(body, worker, starts_in=timedelta(minutes=-30), capacity=10)
    services.meeting_open(actor=worker, meeting=meeting)
    for person in people[:3]:
        arrive(meeting, person, worker)
    services.meeting_close(actor=worker, meeting=meeting)
    [entry] = entries(community, "meeting.closed")
    assert entry.data["quorum"] is True
    assert (entry.data["members_present"], entry.data["seated"]) == (3, 5)
    assert entry.data["kind"] == "ordinary" and entry.data["body"] == body.pk
    for act in (
        lambda: services.meeting_open(actor=worker, meeting=meeting),
        lambda: services.meeting_close(actor=worker, meeting=meeting),
        lambda: services.registration_add(actor=resident, meeting=meeting),
        lambda: services.meeting_update(actor=worker, meeting=meeting, title="改"),
    ):
        with pytest.raises(ValidationError) as error:
            act()
        assert code_of(error) == "meeting_closed"


def test_a_secretary_who_sits_runs_the_meeting_a_plain_member_does_not(community, worker, council):
    body, people = council
    meeting = meeting_of(body, worker, starts_in=timedelta(minutes=-5), secretary=people[0])
    with pytest.raises(PermissionDenied):
        services.meeting_open(actor=people[1], meeting=meeting)
    assert services.meeting_open(actor=people[0], meeting=meeting).opened_at is not None


def test_a_second_sitting_only_where_the_charter_allows_and_the_first_had_no_quorum(
    community, worker, council
):
    body, people = council
    first = meeting_of(body, worker, starts_in=timedelta(minutes=-30))
    item_of(first, "更换路灯")
    item_of(first, "撤回的议题", withdrawn_at=timezone.now())
    item_of(first, "加装电梯")
    services.meeting_open(actor=worker, meeting=first)
    arrive(first, people[0], worker)
    services.meeting_close(actor=worker, meeting=first)
    assert entries(community, "meeting.closed")[0].data["quorum"] is False
    call = {"actor": worker, "meeting": first, "starts_at": at(3), "ends_at": at(3, 21)}
    with pytest.raises(ValidationError) as error:
        services.second_sitting_call(**call)
    assert code_of(error) == "no_second_sitting"
    Charter.objects.in_community(community).filter(body=body).update(
        second_sitting_quorum_percent=30
    )
    second = services.second_sitting_call(**call)
    assert (second.sitting, second.first_sitting) == (2, first)
    titles = list(
        AgendaItem.objects.in_community(community)
        .filter(meeting=second)
        .values_list("title", flat=True)
    )
    assert titles == ["更换路灯", "加装电梯"]
    with pytest.raises(ValidationError) as error:
        services.second_sitting_call(**call)
    assert code_of(error) == "second_sitting_twice"
    [called] = entries(community, "meeting.second_sitting_called")
    assert called.data["first"] == first.pk and called.data["items"] == 2


def test_no_second_sitting_after_a_quorate_first(community, worker, council):
    body, people = council
    Charter.objects.in_community(community).filter(body=body).update(
        second_sitting_quorum_percent=30
    )
    first = meeting_of(body, worker, starts_in=timedelta(minutes=-30))
    services.meeting_open(actor=worker, meeting=first)
    for person in people:
        arrive(first, person, worker)
    services.meeting_close(actor=worker, meeting=first)
    with pytest.raises(ValidationError) as error:
        services.second_sitting_call(
            actor=worker, meeting=first, starts_at=at(3), ends_at=at(3, 21)
        )
    assert code_of(error) == "quorum_was_met"
    assert Meeting.objects.in_community(community).count() == 1


# --- Registration -------------------------------------------------------------------------------


def test_places_then_the_waiting_list_and_a_freed_place_goes_to_the_first_waiting(
    community, worker, council
):
    body, _people = council
    meeting = meeting_of(body, worker, capacity=2)
    residents = [member(community) for _ in range(4)]
    made = [services.registration_add(actor=r, meeting=meeting) for r in residents]
    assert [r.status for r in made] == ["registered", "registered", "waitlisted", "waitlisted"]
    with pytest.raises(ValidationError) as error:
        services.registration_add(actor=residents[0], meeting=meeting)
    assert code_of(error) == "already_registered"
    services.registration_cancel(actor=residents[1], registration=made[1])
    statuses = dict(Registration.objects.in_community(community).values_list("person_id", "status"))
    assert statuses[residents[2].pk] == "registered" and statuses[residents[3].pk] == "waitlisted"
    assert Notification.objects.filter(user=residents[2], kind="meeting_registration").count() == 1
    # Coming back after cancelling: the end of the queue.
    again = services.registration_add(actor=residents[1], meeting=meeting)
    assert again.pk == made[1].pk and again.status == "waitlisted"


def test_a_worker_registers_someone_a_resident_cannot_register_another(
    community, worker, council, resident
):
    body, _people = council
    meeting = meeting_of(body, worker, capacity=3)
    other = member(community)
    with pytest.raises(PermissionDenied):
        services.registration_add(actor=resident, meeting=meeting, person=other)
    made = services.registration_add(actor=worker, meeting=meeting, person=other)
    assert made.person == other and made.registered_by == worker
    [entry] = entries(community, "meeting.registered")
    assert entry.actor == worker and entry.on_behalf_of == other


def test_registration_needs_a_public_meeting_with_places_and_a_member(
    community, worker, council, resident, outsider
):
    body, _people = council
    closed = meeting_of(body, worker, public=False)
    no_places = meeting_of(body, worker, starts_in=timedelta(days=20))
    for meeting in (closed, no_places):
        with pytest.raises(ValidationError) as error:
            services.registration_add(actor=resident, meeting=meeting)
        assert code_of(error) == "no_registration"
    open_one = meeting_of(body, worker, starts_in=timedelta(days=30), capacity=5)
    with pytest.raises(PermissionDenied):
        services.registration_add(actor=outsider, meeting=open_one)
    assert not Registration.objects.in_community(community).exists()


def test_capacity_cannot_drop_below_those_registered_and_a_rise_promotes(
    community, worker, council
):
    body, _people = council
    meeting = meeting_of(body, worker, capacity=1)
    first, second = member(community), member(community)
    services.registration_add(actor=first, meeting=meeting)
    waiting = services.registration_add(actor=second, meeting=meeting)
    with pytest.raises(ValidationError) as error:
        services.meeting_update(actor=worker, meeting=meeting, capacity=None)
    assert code_of(error) == "capacity_below_registered"
    services.meeting_update(actor=worker, meeting=meeting, capacity=2)
    waiting.refresh_from_db()
    assert waiting.status == "registered"


# --- Invitations and reminders ------------------------------------------------------------------


def test_invitations_go_to_the_seated_members_once(community, worker, council):
    body, people = council
    meeting = meeting_of(body, worker)
    assert services.invitations_send(meeting=meeting) == 5
    assert services.invitations_send(meeting=meeting) == 0
    invited = set(Invitation.objects.in_community(community).values_list("person_id", "kind"))
    assert invited == {(p.pk, "member") for p in people}
    assert Notification.objects.filter(kind="meeting_invitation").count() == 5


def test_a_guest_is_invited_once(community, worker, council, resident):
    body, _people = council
    meeting = meeting_of(body, worker)
    services.invite(actor=worker, meeting=meeting, person=resident, kind="guest")
    with pytest.raises(ValidationError) as error:
        services.invite(actor=worker, meeting=meeting, person=resident, kind="observer")
    assert code_of(error) == "already_invited"


def test_reminders_go_a_day_ahead_once_each(community, worker, council):
    body, people = council
    soon = meeting_of(body, worker, starts_in=timedelta(hours=20), capacity=5)
    later = meeting_of(body, worker, starts_in=timedelta(days=3))
    services.invitations_send(meeting=soon)
    services.invitations_send(meeting=later)
    guest = member(community)
    services.registration_add(actor=guest, meeting=soon)
    services.registration_add(actor=people[0], meeting=soon)  # invited and registered: once
    call_command("meetings_remind")
    call_command("meetings_remind")
    reminded = Notification.objects.filter(kind="meeting_reminder")
    assert sorted(reminded.values_list("user_id", flat=True)) == sorted(
        [p.pk for p in people] + [guest.pk]
    )
    assert (
        not Invitation.objects.in_community(community)
        .filter(meeting=soon, reminded_at__isnull=True)
        .exists()
    )
    assert (
        not Invitation.objects.in_community(community)
        .filter(meeting=later, reminded_at__isnull=False)
        .exists()
    )


def test_cancelling_tells_those_registered_and_invited(community, worker, council, resident):
    body, people = council
    meeting = meeting_of(body, worker, capacity=5)
    services.invitations_send(meeting=meeting)
    services.registration_add(actor=resident, meeting=meeting)
    services.meeting_cancel(actor=worker, meeting=meeting, reason="台风")
    told = Notification.objects.filter(kind="meeting_changed")
    assert sorted(told.values_list("user_id", flat=True)) == sorted(
        [p.pk for p in people] + [resident.pk]
    )
    assert told.first().params["reason"] == "台风"
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == ("cancelled", 1)
    with pytest.raises(ValidationError) as error:
        services.meeting_open(actor=worker, meeting=meeting)
    assert code_of(error) == "meeting_cancelled"
