"""What the demo community has been doing, so a new visitor sees a living hall and not empty
pages: proposals with support, comments and an answer; an open poll and a closed secret vote
with results; a conversation whose opinion map has groups; a participatory budget in its voting
phase, its ideas reviewed by the residents' panel. Everything goes through the services,
so permissions, the journal and the counts are exactly as if residents had done it.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.budgeting import services as budgeting
from gongzhi.core.models import Community
from gongzhi.deliberation import services as hall
from gongzhi.deliberation.models import Status
from gongzhi.opinions import services as opinions
from gongzhi.voting import services as voting
from gongzhi.voting.models import Method, Vote

PROPOSALS = [
    ("在3号楼加装电梯", "3号楼住着很多老人，上下楼太难。建议申请加装电梯，费用按楼层分摊。"),
    ("小区东门晚上加装路灯", "东门到菜市场那段路晚上很黑，老人和孩子走路不安全。"),
    ("把闲置的自行车棚改成儿童游乐区", "车棚多年没人用，堆满杂物，可以清理出来给孩子们玩。"),
    ("设立电动车集中充电点", "很多人把电动车推进楼道充电，有火灾隐患。建议在空地设集中充电桩。"),
]
COMMENTS = [
    "支持！我家老人每天爬六楼。",
    "费用怎么分摊要先说清楚。",
    "一楼住户的意见也要听一听。",
    "这个早就该做了。",
    "可以先做个调查看看大家的意见。",
]
CONVERSATION = "小区的公共空间应该怎么用？"
# Two camps and some common ground: the map shows groups and what everyone agrees on.
STATEMENTS = [
    ("空地应该多建停车位", 1),
    ("停车位够用了，不该再占绿地", -1),
    ("应该给老人多设几处休息座椅", 0),
    ("广场舞的时间应该限制在晚上八点前", 1),
    ("广场舞是老人的健身方式，不该限制", -1),
    ("公共区域要保持干净整洁", 0),
    ("儿童游乐设施需要更新", -1),
    ("小区里应该禁止电动车进楼道", 0),
]


def seed_hall(
    community: Community, worker: User, residents: list[User], rng: random.Random
) -> None:
    now = timezone.now()
    people = residents[:]
    rng.shuffle(people)

    proposals = []
    for index, (title, body) in enumerate(PROPOSALS):
        author = people[index]
        proposal = hall.proposal_create(actor=author, community=community, title=title, body=body)
        backers = people[10 : 10 + [40, 12, 6, 3][index]]
        for person in backers:
            proposal = hall.proposal_support(actor=person, proposal=proposal)
        for position, text in enumerate(COMMENTS[: 5 - index]):
            hall.comment_add(actor=people[20 + position], subject=proposal, body=text)
        proposals.append(proposal)
    first = proposals[0]
    first.refresh_from_db()
    if first.status == Status.THRESHOLD_REACHED:
        hall.proposal_transition(
            actor=worker,
            proposal=first,
            to=Status.UNDER_REVIEW,
            reason="下周四居民议事会讨论，欢迎3号楼居民列席。",
        )

    poll = voting.vote_create(
        actor=worker,
        community=community,
        title="社区活动中心周末开放时间，你更希望哪一种？",
        options=["上午9点到12点", "下午2点到6点", "全天开放"],
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=5),
        results_shown="after_voting",
    )
    _cast_some(poll, people[:45], rng)

    vote = voting.vote_create(
        actor=worker,
        community=community,
        title="是否同意将东侧空地改建为口袋公园？",
        options=[],
        method=Method.YES_NO,
        kind="binding",
        secret=True,
        quorum="0.1",
        opens_at=now - timedelta(days=10),
        closes_at=now + timedelta(days=1),
    )
    _cast_some(vote, people[:70], rng)
    # The demo's past: this vote has closed (closing is a date; the demo moves it back).
    Vote.objects.in_community(community).filter(pk=vote.pk).update(
        closes_at=now - timedelta(days=1)
    )
    voting.votes_announce(now=now)

    conversation = opinions.conversation_open(
        actor=worker,
        community=community,
        question=CONVERSATION,
        description="议事会讨论公共空间改造之前，先看看大家的想法在哪里一致、在哪里不同。",
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=11),
        moderation="after",
        seed_statements=[text for text, _camp in STATEMENTS],
    )
    seed_budget(community, worker, people, rng)

    statements = list(conversation.statements.order_by("number"))
    for person in people[:60]:
        camp = 1 if rng.random() < 0.55 else -1
        for statement, (_text, side) in zip(statements, STATEMENTS, strict=True):
            if rng.random() < 0.2:
                continue  # not everyone sees every statement
            if side == 0:
                value = 1 if rng.random() < 0.85 else 0
            else:
                value = 1 if side == camp else -1
                if rng.random() < 0.12:
                    value = rng.choice([0, -value])
            opinions.vote_cast(actor=person, statement=statement, value=value)


IDEAS = [
    ("东门到菜市场安装路灯", "晚上那段路太黑，老人孩子走路不安全。", 30_000),
    ("儿童游乐区更新", "滑梯生锈，地面没有防护垫。", 45_000),
    ("电动车集中充电棚", "避免电动车进楼道充电，减少火灾隐患。", 20_000),
    ("3号楼外墙修缮", "外墙瓷砖有脱落，掉下来会伤人。", 60_000),
    ("楼下休息座椅", "给老人散步途中歇脚。", 15_000),
]


def seed_budget(community: Community, worker: User, residents: list[User], rng: random.Random):
    """A budget walked through its phases as a real one would be: ideas, the panel's review,
    then voting. The phase follows from the dates, so the demo moves the dates on."""
    now = timezone.now()

    def dates(start: timedelta) -> dict:
        base = now + start
        return {
            "ideas_from": base,
            "review_from": base + timedelta(days=10),
            "voting_from": base + timedelta(days=20),
            "voting_until": base + timedelta(days=30),
            "implementation_from": base + timedelta(days=40),
            "evaluation_from": base + timedelta(days=200),
        }

    process = budgeting.process_create(
        actor=worker,
        community=community,
        title="2026年幸福社区微更新",
        description="今年社区有10万元，由居民提议、评议、投票决定怎么花。",
        budget=100_000,
        **dates(-timedelta(days=1)),
    )
    ideas = [
        budgeting.idea_submit(
            actor=residents[i], process=process, title=title, description=text, estimated_cost=cost
        )
        for i, (title, text, cost) in enumerate(IDEAS)
    ]
    process = budgeting.process_update(actor=worker, process=process, **dates(-timedelta(days=11)))
    for idea in ideas:
        idea.process = process  # now in its review phase
    panel = residents[30:33]
    for person in panel:
        budgeting.reviewer_assign(actor=worker, process=process, user=person)
    for idea in ideas:
        for person in panel:
            budgeting.review_submit(
                actor=person,
                idea=idea,
                feasibility=rng.randint(3, 5),
                legality=5,
                cost=idea.estimated_cost,
                assessment="实地看过，可以做。",
            )
        budgeting.idea_decide(
            actor=worker,
            idea=idea,
            accept=True,
            cost=idea.estimated_cost,
            reason="评议小组认为可行。",
        )
    process = budgeting.process_update(actor=worker, process=process, **dates(-timedelta(days=21)))
    projects = [idea.pk for idea in ideas]
    costs = dict(zip(projects, [cost for _t, _d, cost in IDEAS], strict=True))
    for person in residents[:50]:
        chosen, total = [], 0
        for pk in rng.sample(projects, len(projects)):
            if total + costs[pk] <= 100_000 and rng.random() < 0.7:
                chosen.append(pk)
                total += costs[pk]
        if chosen:
            budgeting.ballot_cast(actor=person, process=process, projects=chosen)


def _cast_some(vote: Vote, voters: list[User], rng: random.Random) -> None:
    options = list(vote.options.order_by("position").values_list("pk", flat=True))
    for person in voters:
        content: str | list[int]
        if vote.method == Method.YES_NO:
            content = rng.choices(["yes", "no", "abstain"], weights=[6, 3, 1])[0]
        else:
            content = [rng.choices(options, weights=[2, 3, 5][: len(options)])[0]]
        voting.ballot_cast(actor=person, vote=vote, content=content)
