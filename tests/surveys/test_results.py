"""Results: scores with reliability beside them, small-n suppression, community-level
reliability across the street, and the before/after (paired by person when identified)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.evaluation import alpha
from gongzhi.surveys import editing, results, scales, scoring
from gongzhi.surveys.definition import Definition, Section
from gongzhi.surveys.models import Response, Status, Survey, Wave
from tests.factories import CommunityFactory, member

REF = "collective_efficacy@1"


def definition(anonymous: bool = True) -> Definition:
    scale = scales.get(REF)
    empty = Definition(
        form_id="ce_form",
        version="1",
        title={"zh-hans": "集体效能"},
        sections=[Section(name="s1", labels={}, questions=[])],
        anonymous=anonymous,
    )
    return editing.add_scale(
        empty, ref=REF, names_=scale.names, questions=scales.matrix_questions(scale)
    )


def simulated(n: int, *, shift: float = 0.0, seed: int = 0, traits=None) -> list[dict]:
    """Whole answer sets: one latent trait per person, every item near it (reverse-keyed
    items answered the other way round), so that α is high."""
    rng = np.random.default_rng(seed)
    scale = scales.get(REF)
    grids = [q for q in definition().questions() if q.scale == REF]
    traits = rng.normal(0, 1, n) if traits is None else traits
    out = []
    for person in range(n):
        answers: dict = {}
        for grid in grids:
            row_answers = {}
            for row in grid.rows:
                item = next(i for i in scale.items if i.key == row.name)
                value = 3 + traits[person] + shift + rng.normal(0, 0.6)
                if item.reverse:
                    value = 6 - value
                row_answers[row.name] = str(int(np.clip(round(value), 1, 5)))
            answers[grid.name] = row_answers
        out.append(answers)
    return out


def test_score_rows_put_alpha_with_its_interval_beside_the_score():
    d = definition()
    answers = simulated(60)
    rows = results.score_rows(scales.get(REF), results.item_answers(d, REF, answers), min_n=5)
    total, *subscales = rows
    assert total.key == "" and {r.key for r in subscales} == {"cohesion", "control"}
    matrix = scoring.item_matrix(scales.get(REF), results.item_answers(d, REF, answers))
    expected = alpha.cronbach_alpha(matrix)
    assert total.reliability is not None
    assert total.reliability.alpha == pytest.approx(expected[0])
    assert total.reliability.ci_low < total.reliability.alpha < total.reliability.ci_high
    assert total.reliability.alpha > 0.8
    assert len(total.items) == 10 and all(i.item_total is not None for i in total.items)
    assert total.n == 60 and total.mean == pytest.approx(
        np.nanmean(scoring.scores(scales.get(REF), results.item_answers(d, REF, answers)).total)
    )


def test_small_n_hides_the_score_and_reliability_needs_more():
    d = definition()
    scale = scales.get(REF)
    hidden = results.score_rows(scale, results.item_answers(d, REF, simulated(4)), min_n=5)
    assert all(row.mean is None and row.reliability is None for row in hidden)
    assert hidden[0].note == _(
        "Fewer than %(n)s answers: the score is not shown, so that nobody's "
        "answers can be worked out and no one reads much into a handful."
    ) % {"n": 5}
    few = results.score_rows(scale, results.item_answers(d, REF, simulated(7)), min_n=5)
    assert few[0].mean is not None and few[0].reliability is None
    assert str(results.MIN_RELIABILITY_N) in few[0].note


def test_change_rows_paired_and_independent():
    d = definition()
    scale = scales.get(REF)
    traits = np.random.default_rng(3).normal(0, 1, 40)
    before = results.item_answers(d, REF, simulated(40, traits=traits, seed=1))
    after = results.item_answers(d, REF, simulated(40, traits=traits, shift=0.8, seed=2))
    paired = results.change_rows(scale, REF, before, after, paired=True, min_n=5)
    total = paired[0].change
    assert total is not None and total.paired and total.n_pairs == 40
    assert total.difference > 0.4 and total.ci_low > 0
    assert total.effect_size_name == "d_z"
    independent = results.change_rows(scale, REF, before, after, paired=False, min_n=5)
    assert (
        independent[0].change is not None and independent[0].change.effect_size_name == "hedges_g"
    )
    # Paired differences cancel each person's own level: a narrower interval.
    width = lambda c: c.ci_high - c.ci_low  # noqa: E731
    assert width(total) < width(independent[0].change)
    small = results.change_rows(scale, REF, before[:3], after[:3], paired=True, min_n=5)
    assert small[0].change is None and small[0].note


@pytest.fixture
def street_world(community, worker):
    """The same survey asked in four communities of one street, one wave each."""
    now = timezone.now()
    communities = [community] + [CommunityFactory(street=community.street) for _i in range(3)]
    waves = []
    for number, place in enumerate(communities):
        survey = Survey.objects.in_community(place).create(
            title="集体效能",
            form_id="ce_form",
            definition=definition().to_dict(),
            status=Status.OPEN,
            created_by=worker,
        )
        wave = Wave.objects.in_community(place).create(
            survey=survey,
            position=1,
            label="基线",
            opens_at=now - timedelta(days=4),
            closes_at=now - timedelta(days=1),  # only closed rounds are read
            created_by=worker,
        )
        for answers in simulated(12, shift=0.5 * number, seed=number):
            Response.objects.in_community(place).create(wave=wave, answers=answers)
        waves.append(wave)
    return waves


def test_wave_result_has_community_reliability_across_the_street(street_world):
    wave = street_world[0]
    result = results.wave_result(wave, min_n=5)
    assert result.responses == 12
    (scale_result,) = result.scales
    assert scale_result.group is not None
    assert scale_result.group.communities == 4 and scale_result.group.n == 48
    # Another street asking the same form is not mixed in.
    other = CommunityFactory()
    survey = Survey.objects.in_community(other).create(
        title="x", form_id="ce_form", definition=definition().to_dict(), created_by=wave.created_by
    )
    far = Wave.objects.in_community(other).create(
        survey=survey,
        position=1,
        label="基线",
        opens_at=wave.opens_at,
        closes_at=wave.closes_at,
        created_by=wave.created_by,
    )
    for answers in simulated(12, seed=9):
        Response.objects.in_community(other).create(wave=far, answers=answers)
    again = results.wave_result(wave, min_n=5).scales[0].group
    assert again is not None and again.communities == 4


def test_compare_pairs_by_person_only_when_identified_and_consented(community, worker):
    now = timezone.now()
    survey = Survey.objects.in_community(community).create(
        title="回访",
        form_id="ce_form",
        anonymous=False,
        definition=definition(anonymous=False).to_dict(),
        status=Status.OPEN,
        created_by=worker,
    )
    first, second = (
        Wave.objects.in_community(community).create(
            survey=survey,
            position=position,
            label=label,
            opens_at=now - timedelta(days=30 - 10 * position),
            closes_at=now - timedelta(days=25 - 10 * position),
            created_by=worker,
        )
        for position, label in ((1, "基线"), (2, "回访"))
    )
    people = [member(community) for _i in range(8)]
    traits = np.random.default_rng(5).normal(0, 1, 8)
    for wave, shift, seed in ((first, 0.0, 1), (second, 1.0, 2)):
        for person, answers in zip(
            people, simulated(8, traits=traits, shift=shift, seed=seed), strict=True
        ):
            Response.objects.in_community(community).create(
                wave=wave, answers=answers, person=person, consented=True
            )
    comparison = results.compare(first, second, min_n=5)
    assert comparison.paired and comparison.pairs == 8
    assert comparison.rows[0].change is not None and comparison.rows[0].change.n_pairs == 8
    # Anonymous: the same answers are compared as two samples, never paired.
    Survey.objects.in_community(community).filter(pk=survey.pk).update(anonymous=True)
    first.survey.refresh_from_db()
    unpaired = results.compare(first, second, min_n=5)
    assert not unpaired.paired and unpaired.rows[0].change is not None
    assert unpaired.rows[0].change.n_before == 8 and unpaired.rows[0].change.n_pairs == 0


def test_items_that_do_not_hang_together_are_flagged_beside_the_score():
    d = definition()
    grids = [q for q in d.questions() if q.scale == REF]
    rng = np.random.default_rng(11)
    noise = [
        {g.name: {r.name: str(rng.integers(1, 6)) for r in g.rows} for g in grids}
        for _i in range(40)
    ]
    total = results.score_rows(scales.get(REF), results.item_answers(d, REF, noise), min_n=5)[0]
    assert total.mean is not None and total.reliability is not None
    assert total.reliability.alpha < results.ALPHA_LOW
    assert total.note  # the warning sits beside the score
