"""The demo's conversation (registered in ``manifest.DEMO``; ``manage.py seed_demo`` calls
``seed``): two camps and some common ground, so the opinion map shows groups and what everyone
agrees on. Opinions are cast through the services; the map is computed when the seed commits."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gongzhi.core.demo import DemoContext
from gongzhi.opinions import services

CONVERSATION = "小区的公共空间应该怎么用？"
#: (statement, camp): 1 and -1 are the two camps, 0 what nearly everyone agrees with.
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


def seed(context: DemoContext) -> None:
    now, rng = timezone.now(), context.rng
    conversation = services.conversation_open(
        actor=context.worker,
        community=context.community,
        question=CONVERSATION,
        description="议事会讨论公共空间改造之前，先看看大家的想法在哪里一致、在哪里不同。",
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=11),
        moderation="after",
        seed_statements=[text for text, _camp in STATEMENTS],
    )
    statements = list(conversation.statements.order_by("number"))
    for person in context.crowd[:60]:
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
            services.vote_cast(actor=person, statement=statement, value=value)
