"""The demo's surveys (registered in ``manifest.DEMO``; ``manage.py seed_demo`` calls ``seed``).

A collective-efficacy survey (Sampson, Raudenbush & Earls 1997, from the scale library) asked in
the first community in two rounds, a baseline three months ago and a follow-up running now, and
in the street's other communities (same form ID) once, so that the results page has α with its
confidence interval, a before/after, and community-level reliability to show.

The answers come from a simple latent-trait model with a fixed seed: each resident has a level
of collective efficacy θ ~ N(0, 1) (the follow-up's a little higher), and rates each item
``3 + 0.9·θ + e`` with ``e ~ N(0, 1)``, rounded and kept within 1–5, reversed for reverse-keyed
items. Five such items correlate about 0.45 with each other, so each subscale's α comes out near
0.8, as published collective-efficacy surveys report. Answers go through ``response_submit``, so
receipts, the journal and the checks are as in real use.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.demo import DemoContext
from gongzhi.core.models import Community, Membership, Role, RoleGrant
from gongzhi.surveys import scales, services
from gongzhi.surveys.definition import Choice, Definition, Question, Section
from gongzhi.surveys.models import Survey, Wave

SCALE = "collective_efficacy@1"
FORM_ID = "collective_efficacy_survey"
LOADING = 0.9
FOLLOW_UP_SHIFT = 0.3


def _definition() -> Definition:
    years = Question(
        name="years_here",
        kind="integer",
        labels={"zh-hans": "您在本社区住了几年？", "en": "How many years have you lived here?"},
        minimum=0,
        maximum=100,
    )
    talk = Question(
        name="talks_neighbours",
        kind="select_one",
        labels={
            "zh-hans": "您平时和邻居聊天吗？",
            "en": "Do you talk with your neighbours?",
        },
        choices=[
            Choice("often", {"zh-hans": "经常", "en": "Often"}),
            Choice("sometimes", {"zh-hans": "有时", "en": "Sometimes"}),
            Choice("never", {"zh-hans": "几乎不", "en": "Hardly ever"}),
        ],
    )
    grids = scales.matrix_questions(SCALE)
    for grid in grids:
        grid.required = True
    return Definition(
        form_id=FORM_ID,
        version="1",
        title={"zh-hans": "社区集体效能调查", "en": "Collective efficacy survey"},
        sections=[
            Section("about", {"zh-hans": "关于您", "en": "About you"}, [years, talk]),
            Section("neighbourhood", {"zh-hans": "您的社区", "en": "Your neighbourhood"}, grids),
        ],
    )


def _answers(definition: Definition, rng: random.Random, shift: float) -> dict[str, Any]:
    scale = scales.get(SCALE)
    reverse = {item.key for item in scale.items if item.reverse}
    theta = rng.gauss(shift, 1.0)
    answers: dict[str, Any] = {
        "years_here": max(0, int(rng.expovariate(1 / 9))),
        "talks_neighbours": rng.choices(["often", "sometimes", "never"], weights=[3, 5, 2])[0],
    }
    for question in definition.questions():
        if question.kind != "matrix":
            continue
        ratings = {}
        for row in question.rows:
            value = min(5, max(1, round(3 + LOADING * theta + rng.gauss(0, 1))))
            ratings[row.name] = str(6 - value if row.name in reverse else value)
        answers[question.name] = ratings
    return answers


def _answer_all(wave: Wave, people: list[User], rng: random.Random, shift: float) -> None:
    definition = services.definition_of(wave.survey)
    for person in people:
        services.response_submit(actor=person, wave=wave, answers=_answers(definition, rng, shift))


#: The baseline ran before the first community's programme (evaluation's demo starts it twelve
#: months ago), so that both the before/after and the comparison between communities have one
#: round on each side of it.
BASELINE_DAYS_AGO = 400
#: The follow-up closed a few days ago: a round's answers are read only once it has closed.
FOLLOW_UP_DAYS_AGO = 30


def _move_back(wave: Wave, days: int) -> None:
    """The demo's past: the baseline ran months ago (a round's dates are data; it moves back)."""
    Wave.objects.in_community(wave.community_id).filter(pk=wave.pk).update(
        opens_at=wave.opens_at - timedelta(days=days),
        closes_at=wave.closes_at - timedelta(days=days),
    )


def _survey(worker: User, community: Community) -> Survey:
    survey = services.survey_create(
        actor=worker,
        community=community,
        title="社区集体效能调查",
        description="了解邻里之间的信任与互助，以及大家是否愿意为社区出面做事。匿名作答，约5分钟。",
        definition=_definition(),
    )
    services.survey_open(actor=worker, survey=survey)
    return survey


def _verified_residents(community: Community) -> list[User]:
    ids = (
        Membership.objects.in_community(community)
        .filter(verified_at__isnull=False, role_grants__isnull=True)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=list(ids), is_active=True).order_by("pk"))


def _worker_of(community: Community) -> User | None:
    user_id = (
        RoleGrant.objects.in_community(community)
        .filter(role=Role.COMMUNITY_WORKER)
        .order_by("pk")
        .values_list("membership__user_id", flat=True)
        .first()
    )
    return User.objects.filter(pk=user_id).first() if user_id else None


def seed(context: DemoContext) -> None:
    rng = random.Random(f"surveys/{context.rng.random()}")  # noqa: S311 - demo data
    now = timezone.now()
    community, worker, crowd = context.community, context.worker, context.crowd
    survey = _survey(worker, community)

    baseline = services.wave_create(
        actor=worker,
        survey=survey,
        label="基线",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=13),
    )
    _answer_all(baseline, crowd[:40], rng, 0.0)
    _move_back(baseline, BASELINE_DAYS_AGO)

    follow_up = services.wave_create(
        actor=worker,
        survey=survey,
        label="回访",
        opens_at=now - timedelta(days=7),
        closes_at=now + timedelta(days=21),
    )
    _answer_all(follow_up, crowd[10:46], rng, FOLLOW_UP_SHIFT)
    _move_back(follow_up, FOLLOW_UP_DAYS_AGO)  # closed, so that its answers can be read
    # And a round open now, which the demo's resident can answer.
    services.wave_create(
        actor=worker,
        survey=survey,
        label="第二次回访",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=20),
    )

    # The same form in the street's other communities, in the same two rounds: community-level
    # reliability needs three communities answering a round, and the evaluation's
    # difference-in-differences page compares the first community (its programme started
    # between the rounds) with these, which had none.
    for other in context.communities[1:]:
        other_worker = _worker_of(other)
        people = _verified_residents(other)
        if other_worker is None or len(people) < 10:
            continue
        other_survey = _survey(other_worker, other)
        for label, shift, days_ago in (
            ("基线", -0.2, BASELINE_DAYS_AGO),
            ("回访", -0.1, FOLLOW_UP_DAYS_AGO),
        ):
            wave = services.wave_create(
                actor=other_worker,
                survey=other_survey,
                label=label,
                opens_at=now - timedelta(days=7),
                closes_at=now + timedelta(days=21),
            )
            rng.shuffle(people)
            _answer_all(wave, people[:30], rng, shift)
            _move_back(wave, days_ago)
