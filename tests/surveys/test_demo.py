"""The demo's surveys: two rounds in the first community and one in a second, answers whose
reliability is what a real collective-efficacy survey shows."""

from __future__ import annotations

import random

import numpy as np
import pytest

from gongzhi.core.demo import DemoContext
from gongzhi.evaluation.alpha import cronbach_alpha
from gongzhi.surveys import demo, scales, scoring, selectors
from gongzhi.surveys.models import Survey, Wave
from tests.factories import member


@pytest.mark.django_db
def test_the_demo_survey_has_realistic_reliability_and_a_rise(community, other_community):
    worker = member(community, "community_worker")
    member(other_community, "community_worker")
    residents = [member(community) for _ in range(50)]
    for _ in range(32):
        member(other_community)
    context = DemoContext(
        communities=[community, other_community],
        worker=worker,
        supervisor=member(community, "supervisor"),
        residents=residents,
        crowd=list(residents),
        rng=random.Random(7),
    )
    demo.seed(context)

    survey = Survey.objects.in_community(community).get()
    baseline, follow_up = Wave.objects.in_community(community).filter(survey=survey)
    scale = scales.get(demo.SCALE)
    means = []
    for wave, count in ((baseline, 40), (follow_up, 36)):
        answers = selectors.wave_answers(wave)
        assert len(answers) == count
        items = scoring.item_matrix(scale, answers)
        cohesion = [i for i, item in enumerate(scale.items) if item.subscale == "cohesion"]
        alpha, low, high, n = cronbach_alpha(items[:, cohesion])
        assert 0.65 <= alpha <= 0.9 and low < alpha < high and n == count
        means.append(float(np.nanmean(items)))
    assert means[1] > means[0]
    assert baseline.closes_at < follow_up.opens_at
    other = Survey.objects.in_community(other_community).get()
    assert other.form_id == survey.form_id
    assert len(selectors.wave_answers(Wave.objects.in_community(other_community).get())) == 30
