"""Scale scoring: hand-worked examples (reverse keying, subscales, the minimum number of answered
items, the SCI-2's 0..3 options), the two shapes of answers, and hypothesis properties: reverse
keying twice is the identity, and a respondent who answers every item scores the mean of their
item scores."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.surveys import scales, scoring
from gongzhi.surveys.models import LicensedScale
from tests.factories import CommunityFactory, UserFactory

CE = "collective_efficacy@1"


def _ce(cohesion: list[str | None], control: list[str | None]) -> dict[str, Any]:
    """One whole submission to the two collective-efficacy grids."""
    scale = scales.get(CE)
    keys_a = [i.key for i in scale.items_of("cohesion")]
    keys_b = [i.key for i in scale.items_of("control")]
    return {
        "collective_efficacy_cohesion": {k: v for k, v in zip(keys_a, cohesion, strict=True) if v},
        "collective_efficacy_control": {k: v for k, v in zip(keys_b, control, strict=True) if v},
        "age": 67,
    }


def test_collective_efficacy_worked_by_hand() -> None:
    # Cohesion answers 5,4,4,2,1; items 4 and 5 are reverse-keyed: 2 -> 4 and 1 -> 5.
    # Cohesion = (5+4+4+4+5)/5 = 4.4; control = (3+3+4+5+5)/5 = 4.0; total = 42/10 = 4.2.
    answers = [_ce(["5", "4", "4", "2", "1"], ["3", "3", "4", "5", "5"])]
    matrix = scoring.item_matrix(CE, answers)
    assert matrix.tolist() == [[5, 4, 4, 4, 5, 3, 3, 4, 5, 5]]
    raw = scoring.item_matrix(CE, answers, reverse=False)
    assert raw.tolist() == [[5, 4, 4, 2, 1, 3, 3, 4, 5, 5]]
    result = scoring.scores(CE, answers)
    assert result.scale == CE
    assert result.total.tolist() == pytest.approx([4.2])
    assert result.subscales["cohesion"].tolist() == pytest.approx([4.4])
    assert result.subscales["control"].tolist() == pytest.approx([4.0])
    assert result.answered.tolist() == [10]
    assert result.n == 1


def test_too_few_answered_items_give_no_score() -> None:
    # Respondent 1: two cohesion items (the minimum is 3) and all five control items: no
    # cohesion score, control 5.0, and a total over the 7 answered items (minimum 6): cohesion
    # 4 and reverse-keyed 2 -> 4, so (4 + 4 + 5 * 5) / 7 = 33/7.
    # Respondent 2: five answers in all, below the total's minimum of 6.
    answers = [
        _ce(["4", None, None, "2", None], ["5", "5", "5", "5", "5"]),
        _ce(["3", "3", "3", None, None], ["2", "2", None, None, None]),
    ]
    result = scoring.scores(CE, answers)
    assert math.isnan(result.subscales["cohesion"][0])
    assert result.subscales["control"][0] == 5.0
    assert result.total[0] == pytest.approx(33 / 7)
    assert result.subscales["cohesion"][1] == 3.0
    assert math.isnan(result.subscales["control"][1])
    assert math.isnan(result.total[1])
    assert result.answered.tolist() == [7, 5]
    assert result.n == 1


def test_item_answers_may_come_already_gathered() -> None:
    """Results pages pass each respondent's {item key: choice} gathered from the grids."""
    gathered = [{"nt_trusted": "4", "nt_help": "4", "nt_advantage": "1", "nt_keys": "3"}]
    result = scoring.scores("neighbourhood_trust@1", gathered)
    # nt_advantage is reverse-keyed: 1 -> 5. (4 + 4 + 3 + 5) / 4 = 4.0.
    assert result.total.tolist() == [4.0]
    assert result.subscales == {}


def test_questions_limit_which_grids_are_read() -> None:
    answers = [
        {
            "ours": {"nt_trusted": "5", "nt_help": "5", "nt_keys": "5"},
            "theirs": {"nt_returned": "1"},
        }
    ]
    assert scoring.scores("neighbourhood_trust@1", answers, questions=["ours"]).total[0] == 5.0
    assert scoring.scores("neighbourhood_trust@1", answers).total[0] == 4.0


def test_an_answer_that_is_not_an_option_is_refused() -> None:
    with pytest.raises(ValidationError):
        scoring.item_matrix("neighbourhood_trust@1", [{"nt_trusted": "6"}])


def test_no_answers_give_empty_scores() -> None:
    result = scoring.scores("bscs@1", [])
    assert result.total.shape == (0,)
    assert result.n == 0
    assert scoring.item_matrix("bscs@1", []).shape == (0, 8)


def _sci2() -> scales.Scale:
    items = [
        {"key": f"sci_{sub}{n}", "labels": {"en": f"{sub} {n}"}, "reverse": n == 1, "subscale": sub}
        for sub in ("needs", "membership", "influence", "connection")
        for n in range(1, 7)
    ]
    return scales.get("sci2@1").with_items(items)


def test_sci2_scores_zero_to_three_and_reverses_within_them() -> None:
    scale = _sci2()
    # Every item answered "4" (Completely, score 3); the four reverse-keyed items become 0.
    answers = [{item.key: "4" for item in scale.items}]
    matrix = scoring.item_matrix(scale, answers)
    assert sorted(set(matrix[0].tolist())) == [0.0, 3.0]
    result = scoring.scores(scale, answers)
    assert result.total[0] == pytest.approx((20 * 3 + 4 * 0) / 24)
    assert result.subscales["needs"][0] == pytest.approx(15 / 6)


def test_a_scale_without_its_items_cannot_be_scored() -> None:
    with pytest.raises(ValidationError):
        scoring.scores("sci2@1", [{}])


@pytest.mark.django_db
def test_get_with_a_community_brings_its_confirmed_licensed_items() -> None:
    community, other = CommunityFactory(), CommunityFactory()
    added, confirmed = UserFactory(), UserFactory()
    items = [
        {
            "key": f"sci_{sub}{n}",
            "labels": {"zh-hans": f"{sub}{n}"},
            "reverse": False,
            "subscale": sub,
        }
        for sub in ("needs", "membership", "influence", "connection")
        for n in range(1, 7)
    ]
    row = LicensedScale.objects.in_community(community).create(
        scale="sci2@1", items=items, licence_note="letter", added_by=added
    )
    assert scales.get("sci2@1", community=community).items == ()  # not confirmed yet
    row.confirmed_by = confirmed
    row.save()
    assert len(scales.get("sci2@1", community=community).items) == 24
    assert scales.get("sci2@1", community=other).items == ()
    assert scales.get("sci2@1").items == ()


@given(
    st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=30),
    st.integers(min_value=-3, max_value=3),
    st.integers(min_value=1, max_value=9),
)
def test_reverse_keying_twice_is_the_identity(values: list[int], low: int, span: int) -> None:
    high = low + span
    scores = np.clip(np.asarray(values, dtype=float) + low, low, high)
    once = scoring.reverse_key(scores, low, high)
    assert ((once >= low) & (once <= high)).all()
    assert np.array_equal(scoring.reverse_key(once, low, high), scores)


SCORED = sorted(ref for ref, scale in scales.library().items() if scale.items)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(SCORED), st.data())
def test_a_respondent_answering_every_item_scores_the_mean(ref: str, data: Any) -> None:
    scale = scales.get(ref)
    choices = {
        item.key: data.draw(st.sampled_from([o.name for o in scale.options_for(item)]))
        for item in scale.items
    }
    result = scoring.scores(scale, [choices])
    row = scoring.item_matrix(scale, [choices])[0]
    assert not np.isnan(row).any()
    assert result.total[0] == pytest.approx(row.mean())
    for item, value in zip(scale.items, row, strict=True):
        options = scale.options_for(item)
        score = next(o.score for o in options if o.name == choices[item.key])
        expected = options[0].score + options[-1].score - score if item.reverse else score
        assert value == expected
    for subscale in scale.subscales:
        columns = [i for i, item in enumerate(scale.items) if item.subscale == subscale.key]
        assert result.subscales[subscale.key][0] == pytest.approx(row[columns].mean())
