"""The demo's meetings (registered in ``manifest.DEMO``; ``manage.py seed_demo`` calls ``seed``
after the bodies' demo, whose council and residents' committee meet here).

In the first community: the residents' council (议事会) met twelve days ago — an agenda from a
residents' proposal, published ahead, a roll call with one member absent and an observer, a
proposal answered by the council's decision, a show of hands on a second item, minutes
confirmed by a majority of the members present and published on the notice board, three
follow-ups (one done on time, one open, one overdue, reported to the supervision committee and
carried onto the next meeting); its next meeting in nine days with a second proposal on the
published agenda and residents registered; its monthly ordinary meeting for a year (a series).
The residents' committee held a hearing on parking fees (speakers, written submissions before
and during it, every group answered in the published response) and a round table with the
property company, a business and the street office.

Everything goes through the services where they exist, so permissions, the journal and the
checks are as in real use. Dates are data: where the demo needs a past (a meeting twelve days
ago, a hearing whose submissions closed), rows are created as the services make them and their
dates moved back, as the bodies' and voting demos do. A past meeting's agenda cannot be
published through the service (it publishes only within the notice period ahead of a meeting
to come): its version 1 and the members' invitations are written as rows dated eight days
before it, journalled as the service journals them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.bodies.models import Body, BodyKind, Mandate
from gongzhi.bodies.selectors import sitting_q
from gongzhi.core import journal
from gongzhi.core.demo import DemoContext
from gongzhi.core.models import Community
from gongzhi.deliberation import services as proposal_services
from gongzhi.deliberation.models import Proposal, Status
from gongzhi.meetings import agenda, hearings, minutes, room, services
from gongzhi.meetings.models import (
    ActionItem,
    AgendaItem,
    AgendaVersion,
    BallotChoice,
    Hearing,
    Invitation,
    InvitationKind,
    ItemDecision,
    Meeting,
    MeetingKind,
    Minutes,
    MinutesResponse,
    PresenceRole,
    Sector,
    Submission,
    VoteMethod,
)

#: The council's last meeting was this many days ago, its next is in this many days.
PAST_DAYS_AGO = 12
NEXT_IN_DAYS = 9
COUNCIL = "幸福社区居民议事会"
COMMITTEE = "幸福社区居民委员会"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock time on ``day`` (Asia/Shanghai), aware."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _body(community: Community, kind: str, name: str) -> Body | None:
    return (
        Body.objects.in_community(community)
        .filter(kind=kind, name=name, dissolved_at__isnull=True)
        .first()
    )


def _seated(body: Body, on: date) -> list[User]:
    mandates = (
        Mandate.objects.in_community(body.community_id)
        .filter(sitting_q(on), body=body, membership__isnull=False)
        .select_related("membership__user")
        .order_by("position__pk", "seat")
    )
    return [m.membership.user for m in mandates if m.membership is not None]


def _move(meeting: Meeting, starts_at: datetime, ends_at: datetime) -> Meeting:
    """The demo's past: the meeting happened then (a moved occurrence would keep its
    recurrence id; these are single meetings)."""
    Meeting.objects.in_community(meeting.community_id).filter(pk=meeting.pk).update(
        starts_at=starts_at, ends_at=ends_at
    )
    meeting.refresh_from_db()
    return meeting


# --- The council's last meeting --------------------------------------------------------------


def _publish_before(meeting: Meeting, by: User, members: Iterable[User], days: int) -> None:
    """The agenda as published ``days`` before a meeting now past (the service publishes only
    within the notice period ahead of a meeting to come): version 1 and the members'
    invitations, journalled as the service journals them."""
    published = meeting.starts_at - timedelta(days=days)
    items = list(AgendaItem.objects.in_community(meeting.community_id).filter(meeting=meeting))
    with transaction.atomic():
        version = AgendaVersion.objects.create(
            community_id=meeting.community_id,
            meeting=meeting,
            number=1,
            items=agenda.snapshot(items),
            note="",
            published_by=by,
            published_at=published,
        )
        Invitation.objects.bulk_create(
            Invitation(
                community_id=meeting.community_id,
                meeting=meeting,
                person=person,
                kind=InvitationKind.MEMBER,
                sent_at=published,
            )
            for person in members
        )
        journal.record(
            community=meeting.community,
            actor=by,
            verb="agenda.published",
            target=meeting,
            data={"meeting": meeting.pk, "version": version.number, "items": len(items)},
            at=published,
        )


def _roll_call(
    meeting: Meeting, secretary: User, present: list[User], observer: User | None
) -> None:
    """The secretary signs the members in as they arrived (and one resident as an observer)."""
    people = [(p, PresenceRole.MEMBER) for p in present]
    if observer is not None:
        people.append((observer, PresenceRole.OBSERVER))
    for minute, (person, role) in enumerate(people):
        room.presence_arrive(
            actor=secretary,
            meeting=meeting,
            person=person,
            role=role,
            at=meeting.starts_at - timedelta(minutes=10) + timedelta(minutes=2 * minute),
        )


def _leave(meeting: Meeting, secretary: User, people: list[User]) -> None:
    """Everyone leaves as the meeting ends."""
    for person in people:
        room.presence_leave(actor=secretary, meeting=meeting, person=person, at=meeting.ends_at)


def _minutes(meeting: Meeting, secretary: User, confirmers: list[User]) -> Minutes:
    """Drafted the day after, circulated, confirmed by a majority of the members present."""
    draft = minutes.minutes_draft(actor=secretary, meeting=meeting)
    minutes.minutes_circulate(actor=secretary, minutes=draft)
    for person in confirmers:
        minutes.minutes_respond(actor=person, minutes=draft, kind="confirm")
    draft.refresh_from_db()
    day_after = meeting.ends_at + timedelta(days=1)
    Minutes.objects.in_community(meeting.community_id).filter(pk=draft.pk).update(
        drafted_at=day_after, circulated_at=day_after
    )
    MinutesResponse.objects.in_community(meeting.community_id).filter(minutes=draft).update(
        at=day_after + timedelta(days=1)
    )
    return draft


def _follow_ups(
    decisions: list[ItemDecision], secretary: User, owners: list[User], today: date
) -> None:
    """One follow-up done on time, one open, one overdue (due three days ago, still open)."""
    park, clearing = decisions
    minutes.action_create(
        actor=secretary,
        decision=park,
        title="会同物业制定口袋公园改建方案并在公示栏公示",
        owner=owners[0],
        due_on=today + timedelta(days=20),
    )
    done = minutes.action_create(
        actor=secretary,
        decision=clearing,
        title="通知各楼栋长，张贴楼道堆物清理告示",
        owner=owners[1],
        due_on=today + timedelta(days=2),
    )
    minutes.action_update(
        actor=owners[1], action=done, status="done", note="告示已在12个楼道张贴，楼栋长均已通知。"
    )
    late = minutes.action_create(
        actor=secretary,
        decision=clearing,
        title="联系环卫所清运楼道大件堆物",
        owner=owners[2],
        due_on=today,
    )
    # The demo's past: it was due three days ago and is still open.
    ActionItem.objects.in_community(late.community_id).filter(pk=late.pk).update(
        due_on=today - timedelta(days=3)
    )


def _last_meeting(
    council: Body, worker: User, members: list[User], observer: User | None, today: date
) -> Meeting:
    day = today - timedelta(days=PAST_DAYS_AGO)
    meeting = services.meeting_create(
        actor=worker,
        body=council,
        kind=MeetingKind.ORDINARY,
        title="第三届居民议事会第一次例会",
        starts_at=_at(day, 19),
        ends_at=_at(day, 21),
        place="社区党群服务中心二楼会议室",
        description="本届议事会第一次例会，欢迎居民列席旁听。",
        secretary=worker,
        chair=members[0],
    )
    proposal = (
        Proposal.objects.in_community(council.community_id)
        .filter(status=Status.UNDER_REVIEW, hidden_at__isnull=True)
        .order_by("pk")
        .first()
    )
    park = None
    if proposal is not None:
        park = agenda.item_from_proposal(actor=worker, meeting=meeting, proposal=proposal)
    clearing = agenda.item_add(
        actor=worker,
        meeting=meeting,
        title="开展楼道堆物集中清理",
        description="消防检查发现多个楼道堆放杂物，建议组织一次集中清理。",
        presenter=members[1],
        minutes_allotted=15,
    )
    agenda.item_add(
        actor=members[2],
        meeting=meeting,
        title="通报：上季度路灯维修经费使用情况",
        presenter=members[2],
        minutes_allotted=5,
    )
    _publish_before(meeting, worker, members, days=8)
    services.meeting_open(actor=worker, meeting=meeting)
    present = members[:-1]  # one member sent apologies
    _roll_call(meeting, worker, present, observer)
    decisions = []
    if park is not None:
        decisions.append(
            room.item_decide(
                actor=worker,
                item=park,
                method=VoteMethod.HANDS,
                votes_for=len(present),
                outcome="议事会同意推进口袋公园改建，请居委会会同物业制定方案并公示后实施。",
            )
        )
    decisions.append(
        room.item_decide(
            actor=worker,
            item=clearing,
            method=VoteMethod.ROLL,
            ballots={
                person.pk: BallotChoice.NO if n == 0 else BallotChoice.YES
                for n, person in enumerate(reversed(present))
            },
            outcome="同意于本月内开展楼道堆物集中清理，由楼栋长通知居民，逾期未清理的由环卫统一清运。",
        )
    )
    _leave(meeting, worker, [*present, *([observer] if observer is not None else [])])
    services.meeting_close(actor=worker, meeting=meeting)
    Meeting.objects.in_community(meeting.community_id).filter(pk=meeting.pk).update(
        opened_at=meeting.starts_at, closed_at=meeting.ends_at
    )
    meeting.refresh_from_db()
    _minutes(meeting, worker, present[: len(present) // 2 + 1])
    if len(decisions) == 2:
        _follow_ups(decisions, worker, present, today)
    return meeting


# --- The council's next meetings --------------------------------------------------------------


def _next_meeting(
    council: Body, worker: User, members: list[User], residents: list[User], today: date
) -> Meeting:
    """In nine days: a second proposal put on the agenda by the council, published with notice;
    residents register for the public places."""
    day = today + timedelta(days=NEXT_IN_DAYS)
    meeting = services.meeting_create(
        actor=worker,
        body=council,
        kind=MeetingKind.ORDINARY,
        title="第三届居民议事会第二次例会",
        starts_at=_at(day, 19),
        ends_at=_at(day, 21),
        place="社区党群服务中心二楼会议室",
        description="讨论居民提案，通报上次会议决定的落实情况。欢迎居民报名旁听。",
        capacity=30,
        secretary=worker,
        chair=members[0],
    )
    waiting = (
        Proposal.objects.in_community(council.community_id)
        .filter(status=Status.GATHERING, hidden_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if waiting is not None:
        waiting = proposal_services.proposal_transition(
            actor=worker,
            proposal=waiting,
            to=Status.UNDER_REVIEW,
            reason="提交居民议事会第二次例会讨论。",
        )
        agenda.item_from_proposal(actor=worker, meeting=meeting, proposal=waiting)
    agenda.item_add(
        actor=worker,
        meeting=meeting,
        title="通报：上次会议决定的落实情况",
        presenter=worker,
        minutes_allotted=10,
    )
    agenda.agenda_publish(actor=worker, meeting=meeting)
    for person in residents:
        services.registration_add(actor=person, meeting=meeting)
    return meeting


def _monthly(council: Body, worker: User, members: list[User], today: date) -> Meeting:
    """The council's ordinary meeting, on the first Thursday of each month for a year."""
    first = today + timedelta(days=NEXT_IN_DAYS + 20)
    return services.meeting_create(
        actor=worker,
        body=council,
        kind=MeetingKind.ORDINARY,
        title="居民议事会月度例会",
        starts_at=_at(first, 19, 30),
        ends_at=_at(first, 21),
        place="社区党群服务中心二楼会议室",
        description="每月第一个星期四晚上举行，欢迎居民列席。",
        secretary=worker,
        chair=members[0],
        rrule="FREQ=MONTHLY;BYDAY=1TH;COUNT=12",
    )


# --- The residents' committee: a hearing and a round table -----------------------------------

SUBMISSIONS = [
    ("地面停车位太少，晚上回来经常没有车位，收费可以，但要先增加车位。", 0),
    ("外来车辆占用车位严重，建议先做好门禁管理，再谈收费。", 0),
    ("老年人子女探望停车也要收费吗？希望给探望车辆留免费时段。", 1),
    ("收费标准应公开测算依据，收入用途要定期公示。", 1),
]
GROUPS = [
    (
        "车位紧张、外来车辆占位",
        "居委会将会同物业在东门加装车牌识别门禁，外来车辆临时停放限时两小时；"
        "利用东侧空地新增车位二十个，新增车位建成后再执行收费。",
    ),
    (
        "探望停车与收费公开",
        "每日十八时至二十一时探望车辆免费停放；收费标准的测算依据已在公示栏公示，"
        "停车收入纳入小区公共收益，每季度在公开栏公布收支。",
    ),
]


def _hearing(committee: Body, worker: User, residents: list[User], today: date) -> Hearing:
    """A hearing six days ago: speakers and written submissions before and during it, every
    group of submissions answered in the published response."""
    start = _at(today + timedelta(days=3), 19)
    meeting = services.meeting_create(
        actor=worker,
        body=committee,
        kind=MeetingKind.HEARING,
        title="小区停车收费调整听证会",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="社区文化活动室",
        description="听取居民对小区地面停车收费调整方案的意见。",
        secretary=worker,
    )
    now = timezone.now()
    hearing = hearings.hearing_setup(
        actor=worker,
        meeting=meeting,
        subject="物业提出将地面停车费由每月100元调整为每月150元，并对外来车辆按时收费。",
        speaker_slots=5,
        slot_minutes=5,
        speakers_close_at=start - timedelta(days=1),
        submissions_open_at=now - timedelta(hours=1),
        submissions_close_at=start + timedelta(days=2),
    )
    for person, summary in zip(
        residents[:3],
        ("支持调整，但要先增加车位", "反对对探望车辆收费", "要求公开收费测算依据"),
        strict=False,
    ):
        hearings.speaker_register(actor=person, hearing=hearing, position_summary=summary)
    made = [
        (hearings.submission_make(actor=person, hearing=hearing, text=text), group)
        for person, (text, group) in zip(residents[3:], SUBMISSIONS, strict=False)
    ]
    # The demo's past: the hearing was six days ago; submissions opened a week before it and
    # closed two days after it.
    shift = _at(today - timedelta(days=6), 19) - start
    meeting = _move(meeting, meeting.starts_at + shift, meeting.ends_at + shift)
    Hearing.objects.in_community(hearing.community_id).filter(pk=hearing.pk).update(
        speakers_close_at=hearing.speakers_close_at + shift,
        submissions_open_at=meeting.starts_at - timedelta(days=7),
        submissions_close_at=hearing.submissions_close_at + shift,
    )
    for n, (submission, _group) in enumerate(made):
        Submission.objects.in_community(hearing.community_id).filter(pk=submission.pk).update(
            created_at=meeting.starts_at - timedelta(days=3 - n)
        )
    hearing.refresh_from_db()
    hearings.speakers_draw(actor=worker, hearing=hearing)
    services.meeting_open(actor=worker, meeting=meeting)
    services.meeting_close(actor=worker, meeting=meeting)
    Meeting.objects.in_community(meeting.community_id).filter(pk=meeting.pk).update(
        opened_at=meeting.starts_at, closed_at=meeting.ends_at
    )
    groups = [
        hearings.group_create(actor=worker, hearing=hearing, title=title) for title, _ in GROUPS
    ]
    for submission, index in made:
        hearings.submission_group(actor=worker, submission=submission, group=groups[index])
    for group, (_title, answer) in zip(groups, GROUPS, strict=True):
        hearings.group_answer(actor=worker, group=group, answer=answer)
    return hearings.response_publish(actor=worker, hearing=hearing)


def _round_table(committee: Body, worker: User, resident: User, today: date) -> Meeting:
    """A round table three days ago on the east gate's traffic, with the property company, a
    business, the street office and residents; two agreed points."""
    day = today - timedelta(days=3)
    meeting = services.meeting_create(
        actor=worker,
        body=committee,
        kind=MeetingKind.ROUND_TABLE,
        title="东门交通秩序圆桌会",
        starts_at=_at(day, 15),
        ends_at=_at(day, 17),
        place="社区党群服务中心一楼",
        description="居民、物业、商户和街道共同商量东门早晚高峰的交通秩序。",
        secretary=worker,
    )
    for name, sector, affiliation, person in (
        (resident.display_name, Sector.RESIDENT, "", resident),
        ("王经理", Sector.PROPERTY, "安居物业服务有限公司", None),
        ("李老板", Sector.BUSINESS, "东门便民超市", None),
        ("赵科长", Sector.GOVERNMENT, "街道城市管理科", None),
    ):
        hearings.participant_add(
            actor=worker,
            meeting=meeting,
            name=name,
            sector=sector,
            affiliation=affiliation,
            person=person,
        )
    services.meeting_open(actor=worker, meeting=meeting)
    hearings.point_agree(
        actor=worker,
        meeting=meeting,
        text="早晚高峰（7:00–9:00、17:00–19:00）东门禁止超市送货车辆停靠。",
        responsible="东门便民超市、安居物业",
    )
    hearings.point_agree(
        actor=worker,
        meeting=meeting,
        text="街道在东门外划设临时停车泊位十个，下月底前完成。",
        responsible="街道城市管理科",
    )
    services.meeting_close(actor=worker, meeting=meeting)
    Meeting.objects.in_community(meeting.community_id).filter(pk=meeting.pk).update(
        opened_at=meeting.starts_at, closed_at=meeting.ends_at
    )
    return meeting


def seed(context: DemoContext) -> None:
    community, worker = context.community, context.worker
    council = _body(community, BodyKind.COUNCIL, COUNCIL)
    committee = _body(community, BodyKind.RESIDENTS_COMMITTEE, COMMITTEE)
    if council is None or committee is None:
        return  # a small demo street has no bodies (gongzhi/bodies/demo.py), so no meetings
    today = timezone.localdate()
    members = _seated(council, today - timedelta(days=PAST_DAYS_AGO))
    if len(members) < 3:
        return
    sitting = {person.pk for person in members}
    sitting |= {person.pk for person in _seated(committee, today)}
    residents = [person for person in context.crowd[150:200] if person.pk not in sitting]
    if len(residents) < 10:
        residents = [person for person in context.crowd if person.pk not in sitting][:20]
    if len(residents) < 15:
        return  # too few residents besides the bodies' members to fill the demo's seats
    _last_meeting(council, worker, members, residents[0], today)
    _monthly(council, worker, members, today)
    _next_meeting(council, worker, members, residents[1:7], today)
    # The overdue follow-up goes to the supervision committee and onto the next meeting's
    # agenda, as the daily ``minutes_deadlines`` does.
    minutes.flag_overdue()
    minutes.carry_overdue()
    _hearing(committee, worker, residents[7:14], today)
    _round_table(committee, worker, residents[14], today)
