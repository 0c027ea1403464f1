"""Hearings (听证会) and round tables: the services' rules, bad input refused with nothing
saved, the speakers' draw by the core lottery with a seed the organiser may not enter, the
pseudonymous submissions and the complete response."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.core import lottery
from gongzhi.core.models import Activity, Role
from gongzhi.meetings import hearings
from gongzhi.meetings.models import (
    AgreedPoint,
    Hearing,
    MeetingKind,
    MeetingStatus,
    ResponseGroup,
    RoundTableParticipant,
    Speaker,
    SpeakerStatus,
    Submission,
)
from tests.factories import CommunityFactory, member
from tests.meetings.world import meeting_of, seated_council

NOW = timezone.now


@pytest.fixture
def body(community, worker):
    return seated_council(community, worker)[0]


@pytest.fixture
def meeting(body, worker):
    return meeting_of(body, worker, kind=MeetingKind.HEARING, title="加装电梯听证会")


def setup_args(meeting: Any, **overrides: Any) -> dict[str, Any]:
    args = {
        "meeting": meeting,
        "subject": "3号楼加装电梯方案",
        "speaker_slots": 2,
        "slot_minutes": 5,
        "speakers_close_at": meeting.starts_at - timedelta(days=1),
        "submissions_open_at": NOW() - timedelta(days=1),
        "submissions_close_at": meeting.ends_at + timedelta(days=2),
    }
    args.update(overrides)
    return args


@pytest.fixture
def hearing(meeting, worker):
    return hearings.hearing_setup(actor=worker, **setup_args(meeting))


def code_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> str | None:
    return excinfo.value.code


def close_speakers(hearing: Hearing) -> Hearing:
    Hearing.objects.in_community(hearing.community_id).filter(pk=hearing.pk).update(
        speakers_close_at=NOW() - timedelta(minutes=1)
    )
    hearing.refresh_from_db()
    return hearing


def close_submissions(hearing: Hearing) -> Hearing:
    Hearing.objects.in_community(hearing.community_id).filter(pk=hearing.pk).update(
        submissions_close_at=NOW() - timedelta(minutes=1),
        submissions_open_at=NOW() - timedelta(days=3),
    )
    hearing.refresh_from_db()
    return hearing


def residents(community: Any, n: int) -> list[Any]:
    return [member(community) for _ in range(n)]


def register(hearing: Hearing, people: list[Any]) -> list[Speaker]:
    return [
        hearings.speaker_register(actor=p, hearing=hearing, position_summary=f"意见 {i}")
        for i, p in enumerate(people, start=1)
    ]


# --- Setting up -------------------------------------------------------------------------------


def test_a_worker_sets_a_hearing_up_once_and_it_is_journalled(meeting, worker):
    hearing = hearings.hearing_setup(actor=worker, **setup_args(meeting))

    assert hearing.created_by == worker
    assert hearing.speaker_slots == 2
    entry = Activity.objects.in_community(meeting.community).get(verb="hearing.created")
    assert entry.data == {"meeting": meeting.pk, "hearing": hearing.pk, "kind": "hearing"}
    with pytest.raises(ValidationError) as again:
        hearings.hearing_setup(actor=worker, **setup_args(meeting))
    assert code_of(again) == "hearing_exists"
    assert Hearing.objects.in_community(meeting.community).count() == 1


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"subject": "  "}, "subject_empty"),
        ({"speaker_slots": 0}, "slots_invalid"),
        ({"speaker_slots": True}, "slots_invalid"),
        ({"slot_minutes": 500}, "slot_minutes_invalid"),
        ({"submissions_open_at": "close"}, "submissions_window_order"),
        ({"submissions_close_at": "past"}, "submissions_past"),
        ({"speakers_close_at": "past"}, "speakers_past"),
        ({"speakers_close_at": "after start"}, "speakers_after_start"),
    ],
)
def test_bad_setups_are_refused_with_a_code_and_nothing_saved(meeting, worker, overrides, code):
    args = setup_args(meeting)
    for key, value in overrides.items():
        if value == "close":
            value = args["submissions_close_at"] + timedelta(hours=1)
        elif value == "past":
            value = NOW() - timedelta(hours=1)
            if key == "submissions_close_at":
                args["submissions_open_at"] = NOW() - timedelta(days=2)
        elif value == "after start":
            value = meeting.starts_at + timedelta(minutes=1)
        args[key] = value

    with pytest.raises(ValidationError) as excinfo:
        hearings.hearing_setup(actor=worker, **args)

    assert code_of(excinfo) == code
    assert not Hearing.objects.in_community(meeting.community).exists()
    assert not Activity.objects.in_community(meeting.community).filter(verb="hearing.created")


def test_only_hearings_and_consultations_take_a_hearing(body, worker):
    ordinary = meeting_of(body, worker)
    with pytest.raises(ValidationError) as excinfo:
        hearings.hearing_setup(actor=worker, **setup_args(ordinary))
    assert code_of(excinfo) == "not_a_hearing"
    assert str(excinfo.value.messages[0]) == gettext(
        "Only a hearing or a consultation takes speakers and written submissions."
    )
    consultation = meeting_of(body, worker, kind=MeetingKind.CONSULTATION, starts_in=timedelta(20))
    assert hearings.hearing_setup(actor=worker, **setup_args(consultation)).pk


def test_a_cancelled_meeting_takes_no_hearing(meeting, worker):
    meeting.status = MeetingStatus.CANCELLED
    meeting.save()
    with pytest.raises(ValidationError) as excinfo:
        hearings.hearing_setup(actor=worker, **setup_args(meeting))
    assert code_of(excinfo) == "meeting_cancelled"


def test_residents_and_supervisors_do_not_set_hearings_up(meeting, resident, supervisor):
    for person in (resident, supervisor):
        with pytest.raises(PermissionDenied):
            hearings.hearing_setup(actor=person, **setup_args(meeting))
    assert not Hearing.objects.in_community(meeting.community).exists()


def test_the_meetings_seated_secretary_sets_it_up(body, worker):
    secretary = body.mandates.select_related("membership__user").first().membership.user
    meeting = meeting_of(body, worker, kind=MeetingKind.HEARING, secretary=secretary)
    hearing = hearings.hearing_setup(actor=secretary, **setup_args(meeting))
    assert hearing.created_by == secretary


# --- Speakers ---------------------------------------------------------------------------------


def test_verified_residents_register_to_speak_once(hearing, community, unverified):
    alice = member(community)
    speaker = hearings.speaker_register(actor=alice, hearing=hearing, position_summary="支持")

    assert speaker.status == SpeakerStatus.REGISTERED
    assert speaker.slot is None
    with pytest.raises(ValidationError) as again:
        hearings.speaker_register(actor=alice, hearing=hearing, position_summary="再次")
    assert code_of(again) == "speaker_already"
    assert str(again.value.messages[0]) == gettext("You are already registered to speak.")
    with pytest.raises(PermissionDenied):
        hearings.speaker_register(actor=unverified, hearing=hearing, position_summary="我也想说")
    with pytest.raises(ValidationError) as empty:
        hearings.speaker_register(actor=member(community), hearing=hearing, position_summary=" ")
    assert code_of(empty) == "summary_empty"
    assert Speaker.objects.in_community(community).count() == 1
    assert (
        Activity.objects.in_community(community).filter(verb="hearing.speaker_registered").count()
        == 1
    )


def test_residents_of_another_community_do_not_register(hearing):
    stranger = member(CommunityFactory())
    with pytest.raises(PermissionDenied):
        hearings.speaker_register(actor=stranger, hearing=hearing, position_summary="路过")
    assert not Speaker.objects.in_community(hearing.community_id).exists()


def test_registration_closes_at_its_time(hearing, community):
    close_speakers(hearing)
    with pytest.raises(ValidationError) as excinfo:
        hearings.speaker_register(actor=member(community), hearing=hearing, position_summary="晚了")
    assert code_of(excinfo) == "speakers_closed"
    assert not Speaker.objects.in_community(community).exists()


def test_when_no_more_register_than_slots_everyone_speaks_in_order(hearing, worker, community):
    first, second = register(hearing, residents(community, 2))
    close_speakers(hearing)

    drawn = hearings.speakers_draw(actor=worker, hearing=hearing)  # the organiser may: no lot

    assert [(s.pk, s.slot) for s in drawn] == [(first.pk, 1), (second.pk, 2)]
    hearing.refresh_from_db()
    assert hearing.seed == ""
    assert hearing.drawn_by == worker
    entry = Activity.objects.in_community(community).get(verb="hearing.speakers_drawn")
    assert entry.data["lottery"] is False
    assert entry.data["drawn"] == [1, 2]


def test_an_oversubscribed_hearing_is_drawn_by_lot_with_someone_elses_seed(
    hearing, worker, supervisor, community
):
    speakers = register(hearing, residents(community, 5))
    close_speakers(hearing)

    with pytest.raises(ValidationError) as own:
        hearings.speakers_draw(actor=worker, hearing=hearing, seed="2026-12-01 福彩 123")
    assert code_of(own) == "own_draw"
    hearing.refresh_from_db()
    assert hearing.drawn_at is None
    with pytest.raises(ValidationError) as blank:
        hearings.speakers_draw(actor=supervisor, hearing=hearing, seed="  ")
    assert code_of(blank) == "seed_invalid"

    drawn = hearings.speakers_draw(actor=supervisor, hearing=hearing, seed="2026-12-01 福彩 123")

    expected = lottery.draw(
        "2026-12-01 福彩 123", [str(s.person) for s in speakers], hearing.speaker_slots
    )
    assert [s.pk for s in drawn] == [speakers[p - 1].pk for p in expected.positions]
    assert [s.slot for s in drawn] == [1, 2]
    statuses = dict(Speaker.objects.in_community(community).values_list("pk", "status"))
    assert sorted(statuses.values()).count(SpeakerStatus.NOT_DRAWN) == 3
    entry = Activity.objects.in_community(community).get(verb="hearing.speakers_drawn")
    assert entry.actor == supervisor
    assert entry.data["seed"] == "2026-12-01 福彩 123"
    assert entry.data["drawn"] == list(expected.positions)
    assert entry.data["list_sha256"] == expected.list_sha256
    with pytest.raises(ValidationError) as again:
        hearings.speakers_draw(actor=supervisor, hearing=hearing, seed="另一个")
    assert code_of(again) == "already_drawn"


def test_another_worker_may_enter_the_seed_but_residents_may_not(hearing, community, resident):
    register(hearing, residents(community, 3))
    close_speakers(hearing)
    with pytest.raises(PermissionDenied):
        hearings.speakers_draw(actor=resident, hearing=hearing, seed="x")
    other = member(community, Role.COMMUNITY_WORKER)
    assert len(hearings.speakers_draw(actor=other, hearing=hearing, seed="x")) == 2


def test_no_draw_before_registration_closes_and_no_registration_after_it(
    hearing, supervisor, community
):
    register(hearing, residents(community, 3))
    with pytest.raises(ValidationError) as early:
        hearings.speakers_draw(actor=supervisor, hearing=hearing, seed="x")
    assert code_of(early) == "speakers_open"
    close_speakers(hearing)
    hearings.speakers_draw(actor=supervisor, hearing=hearing, seed="x")
    Hearing.objects.in_community(community).filter(pk=hearing.pk).update(
        speakers_close_at=NOW() + timedelta(hours=1)
    )
    with pytest.raises(ValidationError) as late:
        hearings.speaker_register(actor=member(community), hearing=hearing, position_summary="我")
    assert code_of(late) == "speakers_drawn"


# --- Submissions and the response --------------------------------------------------------------


def test_submissions_only_within_the_window(meeting, worker, community, resident):
    hearing = hearings.hearing_setup(
        actor=worker,
        **setup_args(meeting, submissions_open_at=NOW() + timedelta(hours=1)),
    )
    with pytest.raises(ValidationError) as early:
        hearings.submission_make(actor=resident, hearing=hearing, text="太早")
    assert code_of(early) == "submissions_not_open"
    assert str(early.value.messages[0]) == gettext("Written submissions are not open yet.")
    close_submissions(hearing)
    with pytest.raises(ValidationError) as late:
        hearings.submission_make(actor=resident, hearing=hearing, text="太晚")
    assert code_of(late) == "submissions_closed"
    assert not Submission.objects.in_community(community).exists()


def test_the_window_may_close_after_the_meeting(body, worker, resident):
    # "before and during": the hearing was yesterday, the window still open
    past = meeting_of(body, worker, kind=MeetingKind.HEARING, starts_in=timedelta(days=-1))
    hearing = Hearing.objects.in_community(past.community).create(
        meeting=past,
        subject="噪音",
        speaker_slots=3,
        speakers_close_at=past.starts_at - timedelta(days=1),
        submissions_open_at=past.starts_at - timedelta(days=5),
        submissions_close_at=NOW() + timedelta(days=3),
        created_by=worker,
    )
    assert hearings.submission_make(actor=resident, hearing=hearing, text="晚上太吵").pk


def test_submissions_are_public_under_pseudonyms_but_staff_under_their_name(
    hearing, worker, community
):
    from gongzhi.meetings.hearing_selectors import submissions

    alice, bob = residents(community, 2)
    hearings.submission_make(actor=alice, hearing=hearing, text="支持加装")
    hearings.submission_make(actor=bob, hearing=hearing, text="担心采光")
    hearings.submission_make(actor=alice, hearing=hearing, text="补充：费用分摊")
    staff = hearings.submission_make(actor=worker, hearing=hearing, text="社区说明")
    with pytest.raises(ValidationError) as empty:
        hearings.submission_make(actor=bob, hearing=hearing, text="   ")
    assert code_of(empty) == "submission_empty"

    rows = submissions(hearing, bob)
    resident_label = gettext("Resident #%(n)d")
    assert [r.author for r in rows[:3]] == [
        resident_label % {"n": 1},
        resident_label % {"n": 2},
        resident_label % {"n": 1},
    ]
    assert staff.by_staff
    assert str(worker) in rows[3].author
    assert [r.mine for r in rows] == [False, True, False, False]
    assert (
        Activity.objects.in_community(community).filter(verb="hearing.submission_made").count() == 4
    )


def test_the_response_is_published_only_when_complete(hearing, worker, community):
    alice, bob = residents(community, 2)
    one = hearings.submission_make(actor=alice, hearing=hearing, text="支持")
    two = hearings.submission_make(actor=bob, hearing=hearing, text="反对")
    support = hearings.group_create(actor=worker, hearing=hearing, title="支持加装")
    concern = hearings.group_create(actor=worker, hearing=hearing, title="担心采光")
    assert (support.position, concern.position) == (1, 2)

    with pytest.raises(ValidationError) as open_:
        hearings.response_publish(actor=worker, hearing=hearing)
    assert code_of(open_) == "submissions_open"
    close_submissions(hearing)
    hearings.submission_group(actor=worker, submission=one, group=support)
    with pytest.raises(ValidationError) as ungrouped:
        hearings.response_publish(actor=worker, hearing=hearing)
    assert code_of(ungrouped) == "response_incomplete"
    hearings.submission_group(actor=worker, submission=two, group=concern)
    hearings.group_answer(actor=worker, group=support, answer="方案已通过")
    with pytest.raises(ValidationError) as unanswered:
        hearings.response_publish(actor=worker, hearing=hearing)
    assert code_of(unanswered) == "response_incomplete"
    with pytest.raises(ValidationError) as blank:
        hearings.group_answer(actor=worker, group=concern, answer="")
    assert code_of(blank) == "answer_empty"
    hearing.refresh_from_db()
    assert hearing.response_published_at is None
    assert not Activity.objects.in_community(community).filter(verb="hearing.response_published")

    hearings.group_answer(actor=worker, group=concern, answer="已做日照分析，影响在标准内")
    published = hearings.response_publish(actor=worker, hearing=hearing)

    assert published.response_published_at is not None
    entry = Activity.objects.in_community(community).get(verb="hearing.response_published")
    assert entry.data["submissions"] == 2
    assert entry.data["groups"] == 2
    with pytest.raises(ValidationError) as after:
        hearings.group_create(actor=worker, hearing=hearing, title="再来")
    assert code_of(after) == "response_published"
    assert ResponseGroup.objects.in_community(community).count() == 2


def test_a_group_of_another_hearing_is_refused(hearing, body, worker, community, resident):
    other_meeting = meeting_of(body, worker, kind=MeetingKind.HEARING, starts_in=timedelta(30))
    other = hearings.hearing_setup(actor=worker, **setup_args(other_meeting))
    foreign = hearings.group_create(actor=worker, hearing=other, title="别的")
    submission = hearings.submission_make(actor=resident, hearing=hearing, text="意见")
    with pytest.raises(ValidationError) as excinfo:
        hearings.submission_group(actor=worker, submission=submission, group=foreign)
    assert code_of(excinfo) == "other_hearing"
    submission.refresh_from_db()
    assert submission.group_id is None


def test_residents_do_not_group_or_publish(hearing, resident):
    with pytest.raises(PermissionDenied):
        hearings.group_create(actor=resident, hearing=hearing, title="我来分组")
    with pytest.raises(PermissionDenied):
        hearings.response_publish(actor=resident, hearing=hearing)


# --- Round tables -----------------------------------------------------------------------------


@pytest.fixture
def round_table(body, worker):
    return meeting_of(
        body,
        worker,
        kind=MeetingKind.ROUND_TABLE,
        title="停车圆桌会",
        starts_in=timedelta(hours=-1),
    )


def test_a_round_table_records_participants_and_agreed_points(round_table, worker, community):
    neighbour = member(community)
    hearings.participant_add(
        actor=worker, meeting=round_table, name="", sector="resident", person=neighbour
    )
    hearings.participant_add(
        actor=worker, meeting=round_table, name="王经理", sector="property", affiliation="物业公司"
    )
    first = hearings.point_agree(
        actor=worker, meeting=round_table, text="夜间限停", responsible="物业"
    )
    second = hearings.point_agree(actor=worker, meeting=round_table, text="增设车位")

    names = RoundTableParticipant.objects.in_community(community).values_list("name", flat=True)
    assert sorted(names) == sorted([str(neighbour), "王经理"])
    assert (first.position, second.position) == (1, 2)
    verbs = Activity.objects.in_community(community).values_list("verb", flat=True)
    assert list(verbs).count("roundtable.participant_added") == 2
    assert list(verbs).count("roundtable.point_agreed") == 2
    with pytest.raises(ValidationError) as twice:
        hearings.participant_add(
            actor=worker, meeting=round_table, name="", sector="resident", person=neighbour
        )
    assert code_of(twice) == "participant_already"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"name": "张三", "sector": "aliens"}, "sector_invalid"),
        ({"name": " ", "sector": "business"}, "name_empty"),
        ({"name": "x" * 121, "sector": "business"}, "name_too_long"),
        ({"name": "李四", "sector": "resident", "person": "stranger"}, "other_community"),
    ],
)
def test_bad_participants_are_refused(round_table, worker, fields, code):
    if fields.get("person") == "stranger":
        fields["person"] = member(CommunityFactory())
    with pytest.raises(ValidationError) as excinfo:
        hearings.participant_add(actor=worker, meeting=round_table, **fields)
    assert code_of(excinfo) == code
    assert not RoundTableParticipant.objects.in_community(round_table.community_id).exists()


def test_points_are_agreed_at_a_round_table_that_has_begun(body, worker, meeting):
    later = meeting_of(body, worker, kind=MeetingKind.ROUND_TABLE, starts_in=timedelta(days=3))
    with pytest.raises(ValidationError) as early:
        hearings.point_agree(actor=worker, meeting=later, text="提前写好")
    assert code_of(early) == "meeting_not_started"
    with pytest.raises(ValidationError) as wrong:
        hearings.point_agree(actor=worker, meeting=meeting, text="听证会上")
    assert code_of(wrong) == "not_a_round_table"
    assert not AgreedPoint.objects.in_community(meeting.community).exists()


def test_residents_do_not_record_round_tables(round_table, resident):
    with pytest.raises(PermissionDenied):
        hearings.point_agree(actor=resident, meeting=round_table, text="我说了算")


# --- The meeting page's context ----------------------------------------------------------------


def test_page_context_holds_only_this_parts_keys(hearing, round_table, body, worker, resident):
    ordinary = meeting_of(body, worker, starts_in=timedelta(days=40))
    assert hearings.page_context(ordinary, resident) == {}

    context = hearings.page_context(hearing.meeting, resident)
    assert context["hearing"] == hearing
    assert context["hearing_can_speak"] is True
    assert context["hearing_can_manage"] is False
    assert all(key.startswith("hearing") for key in context)

    table = hearings.page_context(round_table, worker)
    assert table["roundtable_can_manage"] is True
    assert all(key.startswith("roundtable") for key in table)
