"""The demo's surveys: two rounds in the first community and one in a second, answers whose
reliability is what a real collective-efficacy survey shows."""

from __future__ import annotations

import random

import numpy as np
import pytest

from gongzhi.core.demo import DemoContext
from gongzhi.evaluation.alpha import cronbach_alpha
from gongzhi.surveys import demo, results, scales, scoring, selectors
from gongzhi.surveys.models import Survey, Wave
from tests.factories import CommunityFactory, member


@pytest.mark.django_db
def test_the_demo_survey_has_realistic_reliability_and_a_rise(community):
    other_community = CommunityFactory(street=community.street)
    third = CommunityFactory(street=community.street)
    worker = member(community, "community_worker")
    residents = [member(community) for _ in range(50)]
    for place in (other_community, third):
        member(place, "community_worker")
        for _ in range(32):
            member(place)
    context = DemoContext(
        communities=[community, other_community, third],
        worker=worker,
        supervisor=member(community, "supervisor"),
        residents=residents,
        crowd=list(residents),
        rng=random.Random(7),
    )
    demo.seed(context)

    survey = Survey.objects.in_community(community).get()
    baseline, follow_up, current = Wave.objects.in_community(community).filter(survey=survey)
    # The two rounds with answers have closed (only then are they read); the third is open.
    assert baseline.closed and follow_up.closed and not current.closed
    assert not selectors.wave_answers(current)
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
    # Three communities answered the same form's first round: community-level reliability.
    street = results.wave_result(baseline).scales[0]
    assert street.group is not None, street.group_note
    for place in (other_community, third):
        other = Survey.objects.in_community(place).get()
        assert other.form_id == survey.form_id
        waves = list(Wave.objects.in_community(place).order_by("position"))
        assert [len(selectors.wave_answers(wave)) for wave in waves] == [30, 30]
        # Their baseline ran a year ago, before the first community's programme began, as its
        # own did (evaluation's demo starts it twelve months back).
        assert abs((waves[0].opens_at - baseline.opens_at).days) < 31
        assert (follow_up.opens_at - waves[0].opens_at).days > 365
