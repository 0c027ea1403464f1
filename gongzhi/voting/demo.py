"""The demo's votes (registered in ``manifest.DEMO``; ``manage.py seed_demo`` calls ``seed``):
an open poll, and a secret yes/no vote that has closed and announced its result. Ballots are
cast through the services, so receipts, the journal and the tally are as in real use."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.demo import DemoContext
from gongzhi.voting import services
from gongzhi.voting.models import Method, Vote


def seed(context: DemoContext) -> None:
    community, worker, people = context.community, context.worker, context.crowd
    now = timezone.now()
    poll = services.vote_create(
        actor=worker,
        community=community,
        title="社区活动中心周末开放时间，您更希望哪一种？",
        options=["上午9点到12点", "下午2点到6点", "全天开放"],
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=5),
        results_shown="after_voting",
    )
    _cast_some(poll, people[:45], context.rng)

    vote = services.vote_create(
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
    _cast_some(vote, people[:70], context.rng)
    # The demo's past: this vote has closed (closing is a date; the demo moves it back).
    Vote.objects.in_community(community).filter(pk=vote.pk).update(
        closes_at=now - timedelta(days=1)
    )
    services.votes_announce(now=now)


def _cast_some(vote: Vote, voters: list[User], rng: random.Random) -> None:
    options = list(vote.options.order_by("position").values_list("pk", flat=True))
    for person in voters:
        content: str | list[int]
        if vote.method == Method.YES_NO:
            content = rng.choices(["yes", "no", "abstain"], weights=[6, 3, 1])[0]
        else:
            content = [rng.choices(options, weights=[2, 3, 5][: len(options)])[0]]
        services.ballot_cast(actor=person, vote=vote, content=content)
