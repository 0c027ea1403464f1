"""The demo's proposals (registered in ``manifest.DEMO``; ``manage.py seed_demo`` calls
``seed``): four proposals with support and comments, the best-supported one on the council's
agenda. Made through the services, so permissions, the journal and the counts are exactly as
if residents had done it."""

from __future__ import annotations

from gongzhi.core.demo import DemoContext
from gongzhi.deliberation import services
from gongzhi.deliberation.models import Status

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


#: How many back each proposal in a full demo (the first reaches the threshold).
SUPPORT = [40, 12, 6, 3]


def seed(context: DemoContext) -> None:
    """The proposals, made by the crowd whatever its size: ``--residents`` may leave the first
    community a crowd of a dozen, and the numbers of supporters shrink with it (their order
    kept), while from 50 people on the demo is the same as ever."""
    community, people = context.community, context.crowd
    if not people:
        return
    start = min(10, len(people) // 4)  # the first few write; supporters come after them
    scale = min(1.0, (len(people) - start) / SUPPORT[0])
    proposals = []
    for index, (title, body) in enumerate(PROPOSALS):
        author = people[index % len(people)]
        proposal = services.proposal_create(
            actor=author, community=community, title=title, body=body
        )
        backers = people[start : start + max(1, round(SUPPORT[index] * scale))]
        for person in backers:
            if person != author:
                proposal = services.proposal_support(actor=person, proposal=proposal)
        for position, text in enumerate(COMMENTS[: 5 - index]):
            commenter = people[(20 + position) % len(people)]
            services.comment_add(actor=commenter, subject=proposal, body=text)
        proposals.append(proposal)
    first = proposals[0]
    first.refresh_from_db()
    if first.status == Status.THRESHOLD_REACHED:
        services.proposal_transition(
            actor=context.worker,
            proposal=first,
            to=Status.UNDER_REVIEW,
            reason="下周四居民议事会讨论，欢迎3号楼居民列席。",
        )
