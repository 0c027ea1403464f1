"""One community with one of everything the API addresses, built through the services: the
world that tests/test_api_routes.py walks route by route and tests/test_schemathesis.py lets
schemathesis loose on. Each user has an API token; staff have two-factor login, as the API
requires of them."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from allauth.mfa.totp.internal.auth import TOTP
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.services import api_token_create
from gongzhi.budgeting import selectors as budget_selectors
from gongzhi.budgeting import services as budgeting
from gongzhi.core import journal
from gongzhi.core.models import Membership, Role
from gongzhi.core.services import household_codes_issue
from gongzhi.deliberation import services as hall
from gongzhi.deliberation.models import DeliberationSettings
from gongzhi.disclosure import services as disclosure
from gongzhi.disclosure.services import LineIn
from gongzhi.evaluation import services as evaluation
from gongzhi.feedback import routing
from gongzhi.feedback import services as hotline
from gongzhi.opinions import services as opinions
from gongzhi.opinions.models import Moderation
from gongzhi.surveys import services as surveys
from gongzhi.voting import selectors as vote_selectors
from gongzhi.voting import services as voting
from gongzhi.voting.models import Electorate
from tests.budgeting.helpers import make_process, project, set_phase
from tests.conftest import TOTP_SECRET
from tests.disclosure.helpers import last_month, pdf
from tests.factories import BuildingFactory, CommunityFactory, HouseholdFactory, member


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def staff(community: Any, role: str, **fields: Any) -> Any:
    user = member(community, role, **fields)
    TOTP.activate(user, TOTP_SECRET)
    return user


@dataclass
class World:
    community: Any
    users: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)

    def auth(self, who: str | None) -> dict[str, str]:
        if who is None:
            return {}
        return {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[who]}"}


def volunteering_world(world: World, community: Any) -> None:
    from tests.volunteering import api_parts

    api_parts.build(world, community)


def learning_world(world: World, community: Any) -> None:
    from tests.learning import api_parts

    api_parts.build(world, community)


def covenants_world(world: World, community: Any) -> None:
    from tests.covenants import api_parts

    api_parts.build(world, community)


def mediation_world(world: World, community: Any) -> None:
    from tests.mediation import api_parts

    api_parts.build(world, community)


def spaces_world(world: World, community: Any) -> None:
    from tests.spaces import api_parts

    api_parts.build(world, community)


def build_world() -> World:
    """Build the world. Call inside a test's database (``db`` or ``django_db_blocker``)."""
    routing.forget()
    community = CommunityFactory()
    world = World(community=community)
    users = world.users
    users["worker"] = staff(community, Role.COMMUNITY_WORKER)
    users["approver"] = staff(community, Role.COMMUNITY_WORKER)
    users["resident"] = member(community)
    users["writer"] = member(community)
    users["council"] = member(community, Role.COUNCIL_MEMBER)
    users["handler"] = member(community, display_name="维修师傅")
    users["neighbour"] = member(community)
    users["unverified"] = member(community, verified=False)
    users["walkin"] = member(community, verified=False)
    users["newcomer"] = member(CommunityFactory())
    users["leaver"] = member(community)
    users["supervisor"] = member(community, Role.SUPERVISOR)
    for name, user in users.items():
        world.tokens[name] = api_token_create(user=user, name="api world")[1]
    worker, resident, writer = users["worker"], users["resident"], users["writer"]
    ids = world.ids
    ids["slug"] = community.slug
    ids["membership_id"] = Membership.objects.in_community(community).get(user=resident).pk
    ids["role"] = Role.VOLUNTEER.value
    ids["walkin_membership_id"] = (
        Membership.objects.in_community(community).get(user=users["walkin"]).pk
    )
    building = BuildingFactory(community=community, name="3号楼")
    ids["building"] = building.name
    household = HouseholdFactory(building=building)
    ids["letter_code"] = household_codes_issue(
        actor=worker, community=community, households=[household]
    )[0][1]

    with TestCase.captureOnCommitCallbacks(execute=True):
        _deliberation(world, community)
        _budgeting(world, community)
        _votes(world, community)
        _conversation(world, community)
        _hotline(world, community, building)
        _disclosure(world, community)
        _surveys(world, community)
        _incubation(world, community)
        _evaluation(world, community)
        _supervision(world, community)
        _partners(world, community)
        _bodies(world, community)
        _meetings(world, community)
        _panels(world, community)
        _agenda(world, community)
        _room(world, community)
        _minutes(world, community)
        _hearings(world, community)
        volunteering_world(world, community)
        learning_world(world, community)
        covenants_world(world, community)
        mediation_world(world, community)
        spaces_world(world, community)
    assert worker and resident and writer
    return world


def _deliberation(world: World, community: Any) -> None:
    users, ids = world.users, world.ids
    DeliberationSettings.objects.in_community(community).create(
        threshold_percent=1, threshold_minimum=3
    )
    proposal = hall.proposal_create(
        actor=users["resident"], community=community, title="在3号楼装电梯", body="老人上下楼太难。"
    )
    ids["proposal_id"] = proposal.pk
    comment = hall.comment_add(actor=users["writer"], subject=proposal, body="同意，早该装了。")
    ids["comment_id"] = comment.pk
    # A hidden proposal and comment of the resident's, each with an appeal to decide or to make.
    hidden = hall.proposal_create(
        actor=users["resident"], community=community, title="把广场改成停车场", body="车太多。"
    )
    hall.item_hide(actor=users["council"], item=hidden, reason="重复的提议")
    ids["hidden_proposal_id"] = hidden.pk
    ids["spare_proposal_id"] = hall.proposal_create(
        actor=users["writer"], community=community, title="楼下装快递柜", body="方便取件。"
    ).pk
    appealed = hall.comment_add(actor=users["resident"], subject=proposal, body="物业不作为！")
    hall.item_hide(actor=users["council"], item=appealed, reason="人身攻击")
    ids["appeal_id"] = hall.appeal_add(
        actor=users["resident"], item=appealed, text="我没有攻击谁"
    ).pk
    mine = hall.comment_add(actor=users["resident"], subject=proposal, body="电梯谁来出钱？")
    hall.item_hide(actor=users["council"], item=mine, reason="离题")
    ids["hidden_comment_id"] = mine.pk
    hall.flag_add(actor=users["resident"], item=comment, reason="spam")


def _budgeting(world: World, community: Any) -> None:
    users, ids = world.users, world.ids
    worker = users["worker"]
    ideas = make_process(community, worker, "ideas")
    ids["ideas_process_id"] = ideas.pk
    idea = budgeting.idea_submit(
        actor=users["writer"],
        process=ideas,
        title="装长椅",
        description="广场",
        estimated_cost=3000,
    )
    ids["idea_id"] = idea.pk
    fresh = budget_selectors.idea_get(process=ideas, idea_id=idea.pk)
    idea_comment = hall.comment_add(actor=users["writer"], subject=fresh, body="长椅要有靠背。")
    ids["idea_comment_id"] = idea_comment.pk
    hall.flag_add(actor=users["resident"], item=idea_comment, reason="spam")
    mine = hall.comment_add(actor=users["resident"], subject=fresh, body="不要长椅！")
    hall.item_hide(actor=users["council"], item=mine, reason="离题")
    ids["hidden_idea_comment_id"] = mine.pk

    voting_now = make_process(community, worker, "voting", ballot_type="approval")
    ids["voting_process_id"] = voting_now.pk
    ids["projects"] = [
        project(voting_now, 30_000, "路灯").pk,
        project(voting_now, 20_000, "长椅").pk,
    ]

    counted = make_process(
        community, worker, "voting", rule="greedy", budget=100, ballot_type="approval"
    )
    funded, _ = project(counted, 60, "路灯"), project(counted, 50, "长椅")
    budgeting.ballot_cast(actor=users["resident"], process=counted, projects=[funded.pk])
    set_phase(counted, "results")
    budgeting.tally_request(actor=worker, process=counted)
    set_phase(counted, "implementation")
    ids["funded_process_id"] = counted.pk
    ids["funded_idea_id"] = funded.pk


def _votes(world: World, community: Any) -> None:
    users, ids = world.users, world.ids
    now = timezone.now()
    common = {"actor": users["worker"], "community": community, "options": ["甲方案", "乙方案"]}
    open_vote = voting.vote_create(
        title="大门改造选哪个方案？",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=7),
        results_shown="after_voting",
        **common,
    )
    ids["vote_id"] = open_vote.pk
    ids["option_id"] = vote_selectors.options_of(open_vote)[0].pk
    closed = voting.vote_create(
        title="要不要装充电桩？",
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=1),
        **common,
    )
    voting.ballot_cast(
        actor=users["resident"], vote=closed, content=[vote_selectors.options_of(closed)[0].pk]
    )
    type(closed).objects.in_community(community).filter(pk=closed.pk).update(
        closes_at=now - timedelta(minutes=1)
    )
    ids["closed_vote_id"] = closed.pk
    owners = voting.vote_create(
        title="续聘物业公司",
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=8),
        electorate=Electorate.OWNERS,
        method="yes_no",
        actor=users["worker"],
        community=community,
        options=[],
    )
    ids["owners_vote_id"] = owners.pk


def _conversation(world: World, community: Any) -> None:
    now = timezone.now()
    conversation = opinions.conversation_open(
        actor=world.users["worker"],
        community=community,
        question="我们的小区广场怎么用？",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        moderation=Moderation.AFTER,
        seed_statements=["广场应该留给老人跳舞", "广场应该给孩子们玩", "晚上九点以后要安静"],
    )
    world.ids["conversation_id"] = conversation.pk
    world.ids["statement_number"] = 1


def _hotline(world: World, community: Any, building: Any) -> None:
    users, ids = world.users, world.ids
    hotline.categories_install_defaults(community=community)
    department = hotline.department_create(actor=None, community=community, name="物业服务中心")
    ids["department"] = department.name
    hotline.handler_add(actor=None, department=department, user=users["handler"])
    ids["handler_phone"] = users["handler"].phone

    def ticket(text: str, **kw: Any) -> Any:
        return hotline.ticket_file(
            actor=users["resident"],
            community=community,
            text=text,
            category="property_repair",
            building=building,
            is_public=True,
            **kw,
        )

    ids["ticket"] = ticket("3号楼电梯坏了，卡在五楼不动").number
    # Assigned to the handler: to accept, start, note and resolve.
    assigned = ticket("楼道灯不亮了，晚上很黑")
    hotline.ticket_assign(
        actor=users["worker"], ticket=assigned, department=department, assignee=users["handler"]
    )
    ids["assigned_ticket"] = assigned.number
    # Resolved: to rate, to reopen, to close.
    for name in ("rated_ticket", "reopened_ticket", "closed_ticket"):
        resolved = ticket(f"垃圾桶满了没人清 {name}")
        resolved = hotline.ticket_assign(
            actor=users["worker"], ticket=resolved, department=department, assignee=users["handler"]
        )
        resolved = hotline.ticket_accept(actor=users["handler"], ticket=resolved)
        hotline.ticket_resolve(actor=users["handler"], ticket=resolved, note="已清理")
        ids[name] = resolved.number
    ids["merged_ticket"] = ticket("电梯又坏了，五楼").number


def _disclosure(world: World, community: Any) -> None:
    users, ids = world.users, world.ids
    worker = users["worker"]
    ids["announcement_id"] = disclosure.announcement_create(
        actor=worker,
        community=community,
        title="停水通知",
        body="周三上午停水。",
        category="service",
        important=True,
        publish=True,
    ).pk
    ids["draft_announcement_id"] = disclosure.announcement_create(
        actor=worker, community=community, title="消防演练", body="周五下午。", category="safety"
    ).pk

    def entry(**kw: Any) -> Any:
        return disclosure.ledger_entry_record(
            actor=worker,
            community=community,
            kind="expenditure",
            occurred_on=last_month() + timedelta(days=3),
            counterparty="物业公司",
            description="更换路灯",
            total="100.00",
            lines=[LineIn("maintenance", "100.00")],
            **kw,
        )

    ids["pending_entry_id"] = entry(voucher=pdf()).pk
    ids["entry_without_voucher_id"] = entry().pk
    ids["rejected_entry_id"] = entry(voucher=pdf()).pk
    approved = entry(voucher=pdf())
    disclosure.ledger_entry_approve(actor=users["approver"], entry=approved)
    ids["approved_entry_id"] = approved.pk
    # The month before last: no entries, so its report can be published.
    before_last = (last_month() - timedelta(days=1)).replace(day=1)
    ids["period_id"] = disclosure.finance_period_create(
        actor=worker, community=community, kind="month", starts_on=before_last
    ).pk
    ids["period_start"] = last_month().isoformat()
    ids["document_id"] = disclosure.document_create(
        actor=worker, community=community, kind="plan", title="年度计划", body="一、绿化。"
    ).pk


def _surveys(world: World, community: Any) -> None:
    """An open survey with a round running now that the resident has answered, and a sampled
    round to come, not yet drawn."""
    from gongzhi.surveys.models import Wave
    from tests.surveys.answering import GOOD, open_survey

    users, ids = world.users, world.ids
    survey, wave = open_survey(worker=users["worker"], community=community, form_id="api_world")
    surveys.response_submit(actor=users["resident"], wave=wave, answers=GOOD)
    sampled = surveys.wave_create(
        actor=users["worker"],
        survey=survey,
        label="回访",
        opens_at=timezone.now() + timedelta(days=30),
        closes_at=timezone.now() + timedelta(days=40),
        sample="random",
        sample_size=2,
    )
    # A round that has closed: only a closed round's answers can be downloaded.
    closed = Wave.objects.in_community(community).create(
        survey=survey,
        position=0,
        label="前测",
        opens_at=timezone.now() - timedelta(days=20),
        closes_at=timezone.now() - timedelta(days=10),
        created_by=users["worker"],
    )
    ids.update(
        survey_id=survey.pk,
        wave_id=wave.pk,
        draw_wave_id=sampled.pk,
        closed_wave_id=closed.pk,
        export_fmt="csv",
    )


def _incubation(world: World, community: Any) -> None:
    """An organisation the resident proposed, still an idea (others join it as founders)."""
    from gongzhi.bodies import incubation

    world.ids["organisation_id"] = incubation.organisation_propose(
        actor=world.users["resident"],
        community=community,
        kind="interest_group",
        name="广场舞队",
        purpose="每晚跳舞健身",
    ).body_id


def _evaluation(world: World, community: Any) -> None:
    """The rollups of everything above, and one intervention."""
    world.ids["indicator_key"] = "participation.rate"
    evaluation.intervention_record(
        actor=world.users["worker"],
        community=community,
        name="楼长培训",
        kind="training",
        started_on=timezone.localdate() - timedelta(days=60),
    )
    journal.chain(community)
    evaluation.refresh(community=community)


def _supervision(world: World, community: Any) -> None:
    """A body the council member sits in, and a supervisor's opinion it must answer."""
    from gongzhi.bodies import services as bodies
    from gongzhi.bodies import supervision
    from gongzhi.bodies.models import BodyKind, ChosenBy, Position

    users, ids = world.users, world.ids
    charter = bodies.CharterIn(
        powers=[], quorum_percent=50, threshold_percent=50, amendment_percent=67, term_months=36
    )
    body = bodies.record_body(
        community=community,
        kind=BodyKind.BUILDING_HEADS,
        name="楼栋长联席会",
        purpose="楼栋事务",
        charter=charter,
        created_by=users["worker"],
    )
    position = Position.objects.in_community(community).create(body=body, title="楼栋长", seats=3)
    bodies.record_mandate(
        body=body,
        position=position,
        membership=Membership.objects.in_community(community).get(user=users["council"]),
        seat=1,
        chosen_by=ChosenBy.APPOINTMENT,
        starts_on=timezone.localdate() - timedelta(days=10),
        recorded_by=users["worker"],
    )
    ids["opinion_body_id"] = body.pk
    ids["opinion_id"] = supervision.opinion_raise(
        actor=users["supervisor"],
        community=community,
        body=body,
        subject="楼道堆物清理",
        text="清理进度未公开。",
        due_on=timezone.localdate() + timedelta(days=14),
    ).pk


def _partners(world: World, community: Any) -> None:
    """A partner of the street with an agreement in force and one service."""
    from gongzhi.bodies import partners
    from tests.factories import official_of

    users, ids = world.users, world.ids
    partner = partners.partner_create(
        actor=official_of(community.street),
        street=community.street,
        kind="social_organisation",
        name="阳光社工站",
    )
    agreement = partners.agreement_sign(
        actor=users["worker"],
        community=community,
        partner=partner,
        scope="独居老人探访",
        starts_on=timezone.localdate() - timedelta(days=30),
        ends_on=timezone.localdate() + timedelta(days=335),
    )
    ids["partner_agreement_id"] = agreement.pk
    ids["partner_service_id"] = partners.service_add(
        actor=users["worker"], agreement=agreement, title="上门探访"
    ).pk


def _bodies(world: World, community: Any) -> None:
    """A council with three members sitting, a free seat, and a resident to appoint to it."""
    from gongzhi.bodies import services as bodies
    from gongzhi.bodies.models import BodyKind, ChosenBy

    users, ids = world.users, world.ids
    powers = [{"kind": "appoint_member", "max_amount_fen": None, "topics": []}]
    body = bodies.record_body(
        community=community,
        kind=BodyKind.COUNCIL,
        name="居民议事会",
        purpose="商议小区公共事务",
        charter=bodies.CharterIn(powers=powers, quorum_percent=50),
        created_by=users["worker"],
    )
    position = bodies.position_add(
        actor=users["worker"], body=body, title="议事员", seats=5, role=Role.COUNCIL_MEMBER
    )
    for seat, name in enumerate(("writer", "neighbour", "handler"), start=1):
        bodies.record_mandate(
            body=body,
            position=position,
            membership=Membership.objects.in_community(community).get(user=users[name]),
            seat=seat,
            chosen_by=ChosenBy.APPOINTMENT,
            starts_on=timezone.localdate() - timedelta(days=30),
            recorded_by=users["worker"],
        )
    ids["body_id"] = body.pk
    ids["body_position_id"] = position.pk


def _meetings(world: World, community: Any) -> None:
    """A public meeting of the council five weeks ahead with two places (meetings core)."""
    from gongzhi.bodies.models import Body
    from gongzhi.meetings import services as meetings

    users, ids = world.users, world.ids
    body = Body.objects.in_community(community).get(pk=ids["body_id"])
    starts = timezone.now().replace(microsecond=0) + timedelta(days=35)
    meeting = meetings.meeting_create(
        actor=users["worker"],
        body=body,
        kind="ordinary",
        title="议事会例会（公开）",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="社区活动室",
        capacity=2,
    )
    ids["meeting_id"] = meeting.pk


def _room(world: World, community: Any) -> None:
    """A meeting of the council in session with one item, two of its three members signed in
    (meetings: the room)."""
    from gongzhi.bodies.models import Body
    from gongzhi.meetings import room
    from gongzhi.meetings.models import AgendaItem, Meeting, MeetingStatus

    users, ids = world.users, world.ids
    body = Body.objects.in_community(community).get(pk=ids["body_id"])
    starts = timezone.now().replace(microsecond=0) - timedelta(minutes=10)
    meeting = Meeting.objects.in_community(community).create(
        body=body,
        kind="ordinary",
        title="议事会例会（进行中）",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        status=MeetingStatus.IN_SESSION,
        opened_at=starts,
        created_by=users["worker"],
    )
    item = AgendaItem.objects.in_community(community).create(
        meeting=meeting, position=1, title="楼道堆物清理", source="staff"
    )
    for name in ("writer", "neighbour"):
        room.presence_arrive(actor=users["worker"], meeting=meeting, person=users[name])
    ids["room_meeting_id"] = meeting.pk
    ids["room_item_id"] = item.pk
    ids["room_person_id"] = users["handler"].pk


def _agenda(world: World, community: Any) -> None:
    """A public meeting of the council three weeks ahead with one item, and a proposal on the
    council's agenda waiting for a meeting (meetings: the agenda part)."""
    from gongzhi.bodies.models import Body
    from gongzhi.deliberation.models import Proposal, Status
    from gongzhi.meetings import agenda
    from gongzhi.meetings.models import Meeting

    users, ids = world.users, world.ids
    body = Body.objects.in_community(community).get(pk=ids["body_id"])
    starts = timezone.now().replace(microsecond=0) + timedelta(days=21)
    meeting = Meeting.objects.in_community(community).create(
        body=body,
        kind="ordinary",
        title="议事会例会（议程）",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        created_by=users["worker"],
    )
    ids["agenda_meeting_id"] = meeting.pk
    item = agenda.item_add(actor=users["worker"], meeting=meeting, title="年度预算")
    ids["agenda_item_id"] = item.pk
    ids["agenda_proposal_id"] = (
        Proposal.objects.in_community(community)
        .create(
            author=users["resident"],
            title="楼下装快递柜（议程）",
            body="方便取件。",
            status=Status.UNDER_REVIEW,
        )
        .pk
    )


def _hearings(world: World, community: Any) -> None:
    """A hearing taking speakers and submissions, one whose speakers closed oversubscribed (two
    for one slot: the supervisor enters the seed), and a round table (meetings: hearings)."""
    from gongzhi.bodies.models import Body
    from gongzhi.meetings import hearings
    from gongzhi.meetings.models import Hearing, Meeting

    users, ids = world.users, world.ids
    body = Body.objects.in_community(community).get(pk=ids["body_id"])
    now = timezone.now().replace(microsecond=0)

    def meeting(kind: str, title: str, days: int) -> Meeting:
        starts = now + timedelta(days=days)
        return Meeting.objects.in_community(community).create(
            body=body,
            kind=kind,
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            created_by=users["worker"],
        )

    def hearing(title: str, days: int, slots: int) -> Hearing:
        made = meeting("hearing", title, days)
        return hearings.hearing_setup(
            actor=users["worker"],
            meeting=made,
            subject=title,
            speaker_slots=slots,
            slot_minutes=5,
            speakers_close_at=made.starts_at - timedelta(days=1),
            submissions_open_at=now - timedelta(days=1),
            submissions_close_at=made.ends_at + timedelta(days=1),
        )

    ids["hearing_meeting_id"] = hearing("加装电梯听证会", 40, 3).meeting_id
    drawn = hearing("停车收费听证会", 45, 1)
    for name in ("writer", "neighbour"):
        hearings.speaker_register(actor=users[name], hearing=drawn, position_summary="我有意见")
    Hearing.objects.in_community(community).filter(pk=drawn.pk).update(
        speakers_close_at=now - timedelta(minutes=1)
    )
    ids["draw_hearing_meeting_id"] = drawn.meeting_id
    ids["round_table_meeting_id"] = meeting("round_table", "停车圆桌会", 30).pk


def _panels(world: World, community: Any) -> None:
    """Review panels at each stage: one taking volunteers, one whose pool's time is up, one
    published and awaiting its seed, one drawn (its two volunteers are its members)."""
    from gongzhi.bodies import panels
    from gongzhi.bodies.models import Body, Panel

    users, ids = world.users, world.ids
    body = Body.objects.in_community(community).get(pk=ids["body_id"])

    def panel(title: str, *volunteers: str) -> Any:
        made = panels.panel_create(
            actor=users["worker"],
            community=community,
            title=title,
            reviewed_body=body,
            seats=2,
            features=["gender"],
            quotas=[],
            pool_closes_at=timezone.now() + timedelta(days=7),
            ends_on=timezone.localdate() + timedelta(days=90),
        )
        for name in volunteers:
            panels.pool_join(
                actor=users[name], panel=made, features={"gender": "female"}, consent=True
            )
        if volunteers:  # as if the pool's closing time had passed
            Panel.objects.in_community(community).filter(pk=made.pk).update(
                pool_closes_at=timezone.now() - timedelta(minutes=1)
            )
            made.refresh_from_db()
        return made

    ids["panel_id"] = panel("加装电梯方案").pk
    ids["close_panel_id"] = panel("垃圾分类点位", "writer", "neighbour").pk
    seeding = panels.pool_close(
        actor=users["worker"], panel=panel("停车收费标准", "writer", "neighbour")
    )
    ids["seed_panel_id"] = seeding.pk
    drawn = panels.pool_close(actor=users["worker"], panel=panel("绿化改造", "writer", "neighbour"))
    panels.seed_enter(actor=users["supervisor"], panel=drawn, seed="api world")
    ids["drawn_panel_id"] = drawn.pk


def _minutes(world: World, community: Any) -> None:
    """A closed public meeting of the council with the writer and the neighbour present, its
    minutes sent to them, and a follow-up of its decision (meetings: minutes)."""
    from gongzhi.bodies.models import Body
    from gongzhi.meetings import minutes
    from gongzhi.meetings.models import (
        AgendaItem,
        ItemDecision,
        Meeting,
        MeetingStatus,
        Presence,
    )

    users, ids = world.users, world.ids
    body = Body.objects.in_community(community).get(pk=ids["body_id"])
    starts = timezone.now().replace(microsecond=0) - timedelta(days=2)
    meeting = Meeting.objects.in_community(community).create(
        body=body,
        kind="ordinary",
        title="议事会例会（纪要）",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        status=MeetingStatus.CLOSED,
        opened_at=starts,
        closed_at=starts + timedelta(hours=2),
        created_by=users["worker"],
    )
    for name in ("writer", "neighbour"):
        Presence.objects.in_community(community).create(
            meeting=meeting,
            person=users[name],
            role="member",
            via="secretary",
            arrived_at=starts,
            left_at=starts + timedelta(hours=2),
            recorded_by=users["worker"],
        )
    item = AgendaItem.objects.in_community(community).create(
        meeting=meeting, position=1, title="修补3号楼路面", source="staff"
    )
    decision = ItemDecision.objects.in_community(community).create(
        item=item,
        method="hands",
        seated=3,
        present=2,
        votes_for=2,
        votes_against=0,
        abstentions=0,
        adopted=True,
        outcome="同意修补。",
        recorded_by=users["worker"],
    )
    draft = minutes.minutes_draft(actor=users["worker"], meeting=meeting)
    minutes.minutes_circulate(actor=users["worker"], minutes=draft)
    ids["minutes_meeting_id"] = meeting.pk
    ids["action_id"] = minutes.action_create(
        actor=users["worker"],
        decision=decision,
        title="联系施工队",
        owner=users["neighbour"],
        due_on=timezone.localdate() + timedelta(days=14),
    ).pk
