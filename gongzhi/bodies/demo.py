"""The demo's self-governing bodies (registered in ``manifest.DEMO``; ``manage.py seed_demo``
calls ``seed`` after every other app, so the closed vote and the crowd are there).

In the first community: the residents' committee (居委会) appointed by the street, with its
previous term ended and one member who resigned; the residents' council (议事会) elected in an
open approval vote of the residents' representatives (a closed vote of the voting app); the
supervision committee (监督委员会) set up from above, the demo's supervisor on it and no
community worker; their charters with powers from the decision-kind registry and a few
decisions; two incubated organisations at different stages; a review panel whose pool is open
and one finished (drawn, assessed, answered); a supervision opinion answered and one open; two
street partners with agreements, services, ratings and a contribution.

Everything goes through the services, so permissions, the journal and the integrity checks are
as in real use. Only dates are moved back where the demo needs a past (a body set up years ago,
a pool that closed last month), as the voting and surveys demos do: dates are data.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.bodies import incubation as incubation_services
from gongzhi.bodies import panels as panel_services
from gongzhi.bodies import partners as partner_services
from gongzhi.bodies import services, supervision
from gongzhi.bodies.models import (
    Body,
    BodyKind,
    Charter,
    ChosenBy,
    Incubation,
    Panel,
    PanelMember,
    PoolEntry,
    Stage,
    SupportKind,
    ThresholdBase,
    VacancyRule,
)
from gongzhi.core.demo import DemoContext
from gongzhi.core.models import Community, Membership, Oversight, Role
from gongzhi.voting import services as voting_services
from gongzhi.voting.models import Method, Vote

#: The committee's current term began this many days ago; the one before ran five years.
TERM_STARTED_DAYS_AGO = 420
#: The bodies were set up (and their first charters adopted) before their first terms.
SET_UP_DAYS_AGO = 6 * 365
#: The council's seats: a chair and four members, elected together.
SEATS_ELECTED = 5


def _membership(community: Community, user: User) -> Membership:
    return Membership.objects.in_community(community).get(user=user)


def _move_back(body: Body, days: int) -> None:
    """The demo's past: the body and its first charter date from years ago."""
    then = timezone.now() - timedelta(days=days)
    Body.objects.in_community(body.community_id).filter(pk=body.pk).update(created_at=then)
    Charter.objects.in_community(body.community_id).filter(body=body, version=1).update(
        adopted_at=then
    )


def _charter(
    powers: list[dict[str, object]], *, term_months: int, vacancy: str, text: str
) -> services.CharterIn:
    return services.CharterIn(
        powers=powers,
        quorum_percent=50,
        threshold_percent=50,
        threshold_base=ThresholdBase.PRESENT,
        amendment_percent=67,
        meeting_every_days=30,
        term_months=term_months,
        vacancy_rule=vacancy,
        text=text,
    )


def _power(kind: str, topics: tuple[str, ...] = ()) -> dict[str, object]:
    return {"kind": kind, "max_amount_fen": None, "topics": list(topics)}


def _official_of(community: Community) -> User:
    oversight = Oversight.objects.filter(street_id=community.street_id).order_by("pk").first()
    assert oversight is not None, "the demo street has an official overseeing it"  # noqa: S101
    return oversight.user


# --- The residents' committee -------------------------------------------------------------


def _committee(
    community: Community, worker: User, official: User, people: list[User]
) -> tuple[Body, list[User]]:
    """居委会: appointed by the street; the previous term ended; one member resigned."""
    today = timezone.localdate()
    body = services.body_create(
        actor=worker,
        community=community,
        kind=BodyKind.RESIDENTS_COMMITTEE,
        name="幸福社区居民委员会",
        purpose="办理本居住地区居民的公共事务和公益事业，调解民间纠纷，协助维护社会治安。",
        charter=_charter(
            [_power("appoint_member"), _power("answer_review"), _power("answer_proposals")],
            term_months=60,
            vacancy=VacancyRule.APPOINTMENT,
            text="居民委员会每五年改选一次；会议由主任召集，过半数委员出席方可举行。",
        ),
    )
    _move_back(body, SET_UP_DAYS_AGO)
    head = services.position_add(actor=worker, body=body, title="主任", seats=1)
    members = services.position_add(actor=worker, body=body, title="委员", seats=4)
    current_start = today - timedelta(days=TERM_STARTED_DAYS_AGO)
    previous_start = current_start - timedelta(days=5 * 365)
    previous_end = current_start - timedelta(days=1)
    # The previous term: five people, all of whose terms have ended.
    for seat, person in enumerate(people[7:12], start=0):
        services.mandate_start(
            actor=official,
            position=head if seat == 0 else members,
            membership=_membership(community, person),
            seat=1 if seat == 0 else seat,
            chosen_by=ChosenBy.APPOINTMENT,
            starts_on=previous_start,
            ends_on=previous_end,
        )
    # The current term: the former deputy became director; one member resigned and a resident
    # appointed by the committee's own decision took the seat for the rest of the term.
    current = [people[8], *people[0:4]]
    mandates = []
    for seat, person in enumerate(current, start=0):
        mandates.append(
            services.mandate_start(
                actor=official,
                position=head if seat == 0 else members,
                membership=_membership(community, person),
                seat=1 if seat == 0 else seat,
                chosen_by=ChosenBy.APPOINTMENT,
                starts_on=current_start,
            )
        )
    resigned = mandates[-1]
    services.mandate_end(
        actor=official, mandate=resigned, reason="因工作调动搬离本社区，本人申请辞去委员职务。"
    )
    services.decision_record(
        actor=worker,
        body=body,
        kind="appoint_member",
        title="补选委员一名，任期至本届届满",
        text="经委员会讨论，同意由居民代表推荐的人选补任委员，任期至本届届满。",
        decided_on=today,
        present=4,
        votes_for=4,
        votes_against=0,
        abstentions=0,
    )
    services.mandate_start(
        actor=official,
        position=members,
        membership=_membership(community, people[4]),
        seat=resigned.seat,
        chosen_by=ChosenBy.APPOINTMENT,
        starts_on=today + timedelta(days=1),
        ends_on=resigned.ends_on,
    )
    return body, current[:4]


# --- The residents' council, elected --------------------------------------------------------


def _election(
    community: Community,
    worker: User,
    candidates: list[User],
    voters: list[User],
    rng: random.Random,
) -> tuple[Vote, list[User]]:
    """The council's election: an open approval vote of the residents, now closed. The
    candidates are ranked by the approvals cast here."""
    now = timezone.now()
    vote = voting_services.vote_create(
        actor=worker,
        community=community,
        title="第三届居民议事会成员选举（可选多人）",
        options=[person.display_name for person in candidates],
        method=Method.APPROVAL,
        max_choices=SEATS_ELECTED,
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=1),
        results_shown="after_close",
    )
    options = list(vote.options.order_by("position").values_list("pk", flat=True))
    approvals = [0] * len(options)
    weights = [0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.3, 0.25]
    for voter in voters:
        chosen = [i for i in range(len(options)) if rng.random() < weights[i % len(weights)]]
        chosen = chosen[:SEATS_ELECTED] or [0]
        for i in chosen:
            approvals[i] += 1
        voting_services.ballot_cast(actor=voter, vote=vote, content=[options[i] for i in chosen])
    # The demo's past: the election closed three weeks ago.
    Vote.objects.in_community(community).filter(pk=vote.pk).update(
        closes_at=now - timedelta(days=21)
    )
    vote.refresh_from_db()
    voting_services.votes_announce(now=now)
    ranked = sorted(range(len(candidates)), key=lambda i: (-approvals[i], i))
    return vote, [candidates[i] for i in ranked]


def _council(
    community: Community,
    worker: User,
    candidates: list[User],
    voters: list[User],
    rng: random.Random,
) -> Body:
    """议事会: five members elected for three years; it answers proposals on the hall."""
    today = timezone.localdate()
    body = services.body_create(
        actor=worker,
        community=community,
        kind=BodyKind.COUNCIL,
        name="幸福社区居民议事会",
        purpose="居民议事、协商社区公共事务，回应居民提出的议题。",
        charter=_charter(
            [_power("answer_proposals"), _power("answer_review"), _power("appoint_member")],
            term_months=36,
            vacancy=VacancyRule.NEXT_IN_LINE,
            text="议事会成员由居民选举产生，每届三年；出缺时由上次选举得票次多者递补。",
        ),
    )
    _move_back(body, 3 * 365)
    vote, ranked = _election(community, worker, candidates, voters, rng)
    chair = services.position_add(
        actor=worker, body=body, title="议事长", seats=1, role=Role.COUNCIL_MEMBER
    )
    members = services.position_add(
        actor=worker, body=body, title="议事员", seats=4, role=Role.COUNCIL_MEMBER
    )
    starts = today - timedelta(days=20)
    for seat, person in enumerate(ranked[:SEATS_ELECTED]):
        services.mandate_start(
            actor=worker,
            position=chair if seat == 0 else members,
            membership=_membership(community, person),
            seat=1 if seat == 0 else seat,
            chosen_by=ChosenBy.ELECTION,
            starts_on=starts,
            vote=vote,
        )
    services.decision_record(
        actor=worker,
        body=body,
        kind="answer_proposals",
        title="关于东侧空地改建口袋公园的议题答复",
        text="议事会同意推进口袋公园改建，请居委会会同物业制定方案并公示。",
        decided_on=today,
        present=5,
        votes_for=4,
        votes_against=1,
        abstentions=0,
    )
    return body


# --- The supervision committee --------------------------------------------------------------


def _supervision(
    community: Community, official: User, supervisor: User, people: list[User]
) -> Body:
    """监督委员会: set up from above; the demo's supervisor sits on it, no community worker."""
    body = services.body_create(
        actor=official,
        community=community,
        kind=BodyKind.SUPERVISION,
        name="幸福社区居务监督委员会",
        purpose="监督居务公开、财务收支和各组织决定的执行，提出监督意见。",
        charter=_charter(
            [_power("answer_review")],
            term_months=60,
            vacancy=VacancyRule.BY_ELECTION,
            text="监督委员会成员不得兼任居民委员会、议事会成员和社区工作者。",
        ),
    )
    _move_back(body, 2 * 365)
    head = services.position_add(
        actor=official, body=body, title="主任", seats=1, role=Role.SUPERVISOR
    )
    members = services.position_add(
        actor=official, body=body, title="委员", seats=2, role=Role.SUPERVISOR
    )
    starts = timezone.localdate() - timedelta(days=TERM_STARTED_DAYS_AGO)
    for position, seat, person in (
        (head, 1, people[0]),
        (members, 1, supervisor),
        (members, 2, people[1]),
    ):
        services.mandate_start(
            actor=official,
            position=position,
            membership=_membership(community, person),
            seat=seat,
            chosen_by=ChosenBy.APPOINTMENT,
            starts_on=starts,
        )
    return body


# --- Incubated organisations ----------------------------------------------------------------


def _organisations(
    community: Community, worker: User, mentor: User, people: list[User]
) -> list[Incubation]:
    """A choir grown to active, with support, a grant and its annual report; a garden group
    still incubating."""
    today = timezone.localdate()
    choir = incubation_services.organisation_propose(
        actor=people[0],
        community=community,
        kind=BodyKind.INTEREST_GROUP,
        name="幸福夕阳红合唱团",
        purpose="每周两次在活动中心排练，逢节日为社区演出，欢迎喜欢唱歌的邻居加入。",
    )
    for founder in people[1:4]:
        incubation_services.founder_join(actor=founder, incubation=choir)
    incubation_services.mentor_assign(actor=worker, incubation=choir, mentor=mentor)
    for to, note, number in (
        (Stage.INCUBATING, "已有四名发起人和一名导师，进入孵化。", ""),
        (Stage.FILED, "已在街道备案。", "和平街道社备字2025第12号"),
        (Stage.ACTIVE, "半年来每周排练，已为重阳节演出，转为正式活动。", ""),
    ):
        incubation_services.stage_move(
            actor=worker, incubation=choir, to=to, note=note, filing_number=number
        )
    incubation_services.support_give(
        actor=worker,
        incubation=choir,
        kind=SupportKind.SPACE,
        description="每周二、周五上午使用社区活动中心多功能厅。",
        given_on=today - timedelta(days=60),
    )
    incubation_services.support_give(
        actor=worker,
        incubation=choir,
        kind=SupportKind.GRANT,
        description="购买乐谱和一台电子琴的小额资助。",
        # today: the books of past periods are closed (the disclosure demo published them)
        given_on=today,
        amount="1200.00",
    )
    incubation_services.report_submit(
        actor=people[0],
        incubation=choir,
        year=today.year,
        members=28,
        activities=86,
        participants=1450,
        text="全年排练八十余次，参加街道合唱比赛获二等奖，重阳节和春节为社区演出两场。",
    )

    garden = incubation_services.organisation_propose(
        actor=people[4],
        community=community,
        kind=BodyKind.ORGANISATION,
        name="楼道花园互助小组",
        purpose="把楼道和楼前空地变成大家一起照料的小花园，交换花苗和种植经验。",
    )
    for founder in people[5:7]:
        incubation_services.founder_join(actor=founder, incubation=garden)
    incubation_services.mentor_assign(actor=worker, incubation=garden, mentor=mentor)
    incubation_services.stage_move(
        actor=worker, incubation=garden, to=Stage.INCUBATING, note="发起人已满三名，导师已到位。"
    )
    incubation_services.support_give(
        actor=worker,
        incubation=garden,
        kind=SupportKind.TRAINING,
        description="邀请园艺志愿者讲授阳台和楼道种植的入门课。",
        given_on=today - timedelta(days=10),
    )
    return [choir, garden]


# --- Review panels --------------------------------------------------------------------------


def _features(
    person: User, community: Community, rng: random.Random, grids: list[str]
) -> dict[str, str]:
    membership = _membership(community, person)
    grid = panel_services.household_grid(membership) or grids[0]
    return {
        "grid": grid,
        "gender": rng.choice(["female", "male"]),
        "age_band": rng.choice(["30-44", "45-59", "60-74", "75+", "18-29"]),
    }


def _panels(
    community: Community,
    worker: User,
    supervisor: User,
    committee: Body,
    council: Body,
    volunteers: list[User],
    rng: random.Random,
) -> Panel:
    """A finished panel on the council's park decision (pool closed last month, drawn with the
    public seed the supervisor entered, assessed, answered) and one whose pool is open."""
    today = timezone.localdate()
    grids = [value for value, _label in panel_services.feature_values(community.pk, "grid")]
    quotas = [
        panel_services.QuotaIn("gender", "female", 2, 3),
        panel_services.QuotaIn("gender", "male", 2, 3),
    ]
    finished = panel_services.panel_create(
        actor=worker,
        community=community,
        title="口袋公园改建方案居民评议",
        reviewed_body=council,
        seats=5,
        features=["grid", "gender", "age_band"],
        quotas=quotas,
        pool_closes_at=timezone.now() + timedelta(minutes=5),
        ends_on=today + timedelta(days=30),
        answer_days=14,
        description="评议议事会关于东侧空地改建口袋公园的决定：选址、费用和对周边居民的影响。",
    )
    for person in volunteers[:14]:
        panel_services.pool_join(
            actor=person,
            panel=finished,
            features=_features(person, community, rng, grids),
            consent=True,
        )
    # Pseudonyms are drawn with ``secrets`` (nobody can guess one); the demo's come from its
    # own generator instead, so that the same --seed publishes the same portfolio and draws the
    # same panel.
    for entry in PoolEntry.objects.in_community(community).filter(panel=finished).order_by("pk"):
        entry.pseudonym = "".join(rng.choice(panel_services.PSEUDONYM_ALPHABET) for _i in range(8))
        entry.save(update_fields=["pseudonym"])
    # The demo's past: the pool closed yesterday.
    Panel.objects.in_community(community).filter(pk=finished.pk).update(
        pool_closes_at=timezone.now() - timedelta(days=1)
    )
    finished.refresh_from_db()
    finished = panel_services.pool_close(actor=worker, panel=finished)
    finished = panel_services.seed_enter(actor=supervisor, panel=finished, seed="07 15 23 31 42 08")
    drawn = (
        PanelMember.objects.in_community(community)
        .filter(panel=finished, user__isnull=False)
        .order_by("pk")
        .select_related("user")
        .first()
    )
    assert drawn is not None and drawn.user is not None  # noqa: S101 - the draw seats members
    finished = panel_services.assessment_publish(
        actor=drawn.user,
        panel=finished,
        text=(
            "评议小组实地查看了东侧空地，并听取了周边三栋楼居民的意见。我们认为选址合理，"
            "但建议：一、保留现有两棵大树；二、夜间照明避免直射住户窗户；三、公示施工期和费用明细。"
        ),
    )
    panel_services.panel_answer(
        actor=worker,
        panel=finished,
        text="感谢评议小组。三条建议全部采纳：方案已修改保留大树、调整灯具朝向，施工期和费用将在公示栏公布。",
    )

    panel_services.panel_create(
        actor=worker,
        community=community,
        title="老旧小区加装电梯方案居民评议",
        reviewed_body=committee,
        seats=7,
        features=["grid", "gender", "age_band"],
        quotas=[
            panel_services.QuotaIn("gender", "female", 3, 4),
            panel_services.QuotaIn("gender", "male", 3, 4),
        ],
        pool_closes_at=timezone.now() + timedelta(days=10),
        ends_on=today + timedelta(days=60),
        answer_days=30,
        description="居委会提出的加装电梯方案（费用分摊、施工顺序）请居民评议。欢迎报名，最后抽签产生评议员。",
    )
    return finished


# --- Supervision opinions -------------------------------------------------------------------


def _opinions(
    community: Community, worker: User, supervisor: User, committee: Body, council: Body
) -> None:
    today = timezone.localdate()
    answered = supervision.opinion_raise(
        actor=supervisor,
        community=community,
        body=committee,
        subject="补选委员的程序应当公示",
        text="补选委员的决定已作出，但推荐人选的过程未在公示栏公示，请补充公示推荐过程和表决结果。",
        due_on=today + timedelta(days=14),
        decision=committee.decisions.order_by("pk").first(),
    )
    supervision.opinion_answer(
        actor=worker,
        opinion=answered,
        answer="已在公示栏和本平台公示推荐过程和表决结果，今后补选一律先公示候选人。",
    )
    supervision.opinion_raise(
        actor=supervisor,
        community=community,
        body=council,
        subject="口袋公园改建费用请分项公开",
        text="议事会同意改建口袋公园，请公开预算的分项明细和资金来源。",
        due_on=today + timedelta(days=20),
    )


# --- Partners -------------------------------------------------------------------------------


def _partners(
    community: Community, worker: User, official: User, raters: list[User], rng: random.Random
) -> None:
    today = timezone.localdate()
    social = partner_services.partner_create(
        actor=official,
        street=community.street,
        kind="social_organisation",
        name="阳光社会工作服务中心",
        description="专业社工机构，为老年人和困难家庭提供上门探访和个案服务。",
        contact="服务热线 0571-8888 1234",
    )
    shop = partner_services.partner_create(
        actor=official,
        street=community.street,
        kind="business",
        name="惠民便利超市",
        description="社区门口的连锁便利店，为老人提供送货上门。",
        contact="店长 王先生",
    )
    for partner, scope, services_offered, contribution in (
        (
            social,
            "为社区独居老人提供每月一次上门探访，每季度一次健康讲座。",
            [("独居老人上门探访", "每月一次上门，聊天、测血压、检查家中用电用气安全。")],
            ("in_kind", "捐赠老年人防滑垫和应急呼叫器各50套。", "3500.00"),
        ),
        (
            shop,
            "为行动不便的老人免费送货上门，节日向困难家庭捐赠物资。",
            [("老人送货上门", "电话下单，两小时内免费送到家。")],
            None,
        ),
    ):
        agreement = partner_services.agreement_sign(
            actor=worker,
            community=community,
            partner=partner,
            scope=scope,
            starts_on=today - timedelta(days=200),
            ends_on=today + timedelta(days=165),
        )
        for title, description in services_offered:
            service = partner_services.service_add(
                actor=worker, agreement=agreement, title=title, description=description
            )
            for person in raters:
                partner_services.service_rate(
                    actor=person,
                    service=service,
                    stars=rng.choices([5, 4, 3, 2], weights=[5, 4, 1, 0.5])[0],
                    comment="",
                )
        if contribution is not None:
            kind, description, value = contribution
            partner_services.contribution_record(
                actor=worker,
                community=community,
                agreement=agreement,
                kind=kind,
                description=description,
                given_on=today - timedelta(days=15),
                value=value,
            )


# --- All of it ------------------------------------------------------------------------------


#: The people the bodies' demo needs, each in one role only (committee, council, supervision,
#: founders, panel volunteers) and the voters of the council's election.
SMALLEST_CROWD = 40


def seed(context: DemoContext) -> None:
    # Seeded from the crowd's order (drawn from the demo's seed before any seeder runs), not
    # from the shared stream, which earlier seeders may draw from a varying number of times
    # (on PostgreSQL a repeated seed's ids differ, and with them some of their draws).
    order = ",".join(person.phone for person in context.crowd[:20])
    rng = random.Random(f"bodies/{order}")  # noqa: S311 - demo data
    community, worker, supervisor = context.community, context.worker, context.supervisor
    official = _official_of(community)
    # People from the crowd, each in one role only: the committee, the council, the
    # supervision committee, the organisations and the panels' volunteers are different people,
    # so nobody supervises a body they sit in.
    crowd = context.crowd
    committee_people = crowd[100:112]
    council_candidates = crowd[112:120]
    supervisors = crowd[120:122]
    founders = crowd[122:129]
    volunteers = crowd[129:150]
    if len(crowd) < SMALLEST_CROWD:
        # A small demo street (``--residents`` under about 250): too few people to fill the
        # bodies with different people each, so nobody supervises a body they sit in. No bodies.
        return
    if len(crowd) < 150:
        committee_people = crowd[0:12]
        council_candidates = crowd[12:20]
        supervisors = crowd[20:22]
        founders = crowd[22:29]
        volunteers = crowd[29:50]
    committee, committee_members = _committee(community, worker, official, committee_people)
    council = _council(community, worker, council_candidates, crowd[:80], rng)
    _supervision(community, official, supervisor, supervisors)
    _organisations(community, worker, committee_members[0], founders)
    _panels(community, worker, supervisor, committee, council, volunteers, rng)
    _opinions(community, worker, supervisor, committee, council)
    _partners(community, worker, official, crowd[:12], rng)
