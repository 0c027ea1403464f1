"""The demo's participatory budget (registered in ``manifest.DEMO``; ``manage.py seed_demo``
calls ``seed``): walked through its phases as a real one would be — residents' ideas, the
panel's review, then voting, where it stays. The phase follows from the dates, so the demo moves
the dates on. Everything goes through the services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.budgeting import services
from gongzhi.core.demo import DemoContext

IDEAS = [
    ("东门到菜市场安装路灯", "晚上那段路太黑，老人孩子走路不安全。", 30_000),
    ("儿童游乐区更新", "滑梯生锈，地面没有防护垫。", 45_000),
    ("电动车集中充电棚", "避免电动车进楼道充电，减少火灾隐患。", 20_000),
    ("3号楼外墙修缮", "外墙瓷砖有脱落，掉下来会伤人。", 60_000),
    ("楼下休息座椅", "给老人散步途中歇脚。", 15_000),
]


def seed(context: DemoContext) -> None:
    community, worker, rng = context.community, context.worker, context.rng
    residents = context.crowd
    now = timezone.now()

    def dates(start: timedelta) -> dict[str, Any]:
        base = now + start
        return {
            "ideas_from": base,
            "review_from": base + timedelta(days=10),
            "voting_from": base + timedelta(days=20),
            "voting_until": base + timedelta(days=30),
            "implementation_from": base + timedelta(days=40),
            "evaluation_from": base + timedelta(days=200),
        }

    process = services.process_create(
        actor=worker,
        community=community,
        title="2026年幸福社区微更新",
        description="今年社区有10万元，由居民提议、评议、投票决定怎么花。",
        budget=100_000,
        **dates(-timedelta(days=1)),
    )
    ideas = [
        services.idea_submit(
            actor=residents[i % len(residents)],
            process=process,
            title=title,
            description=text,
            estimated_cost=cost,
        )
        for i, (title, text, cost) in enumerate(IDEAS)
    ]
    process = services.process_update(actor=worker, process=process, **dates(-timedelta(days=11)))
    for idea in ideas:
        idea.process = process  # now in its review phase
    # A small demo (``--residents 60``) has a crowd of a dozen or so: its panel are the first
    # after the ideas' authors, so nobody reviews their own idea.
    panel = residents[30:33] if len(residents) >= 33 else residents[len(IDEAS) : len(IDEAS) + 3]
    for person in panel:
        services.reviewer_assign(actor=worker, process=process, user=person)
    for idea in ideas:
        for person in panel:
            services.review_submit(
                actor=person,
                idea=idea,
                feasibility=rng.randint(3, 5),
                legality=5,
                cost=idea.estimated_cost,
                assessment="实地看过，可以做。",
            )
        services.idea_decide(
            actor=worker,
            idea=idea,
            accept=True,
            cost=idea.estimated_cost,
            reason="评议小组认为可行。",
        )
    process = services.process_update(actor=worker, process=process, **dates(-timedelta(days=21)))
    projects = [idea.pk for idea in ideas]
    costs = dict(zip(projects, [cost for _t, _d, cost in IDEAS], strict=True))
    for person in residents[:50]:
        chosen, total = [], 0
        for pk in rng.sample(projects, len(projects)):
            if total + costs[pk] <= 100_000 and rng.random() < 0.7:
                chosen.append(pk)
                total += costs[pk]
        if chosen:
            services.ballot_cast(actor=person, process=process, projects=chosen)
