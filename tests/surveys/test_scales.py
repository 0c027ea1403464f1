"""The scale library: every shipped file loads and validates, the instruments have the shape their
sources give them, a broken file is refused with a reason, and a scale becomes the rating grids
the survey builder inserts."""

from __future__ import annotations

import copy
import fnmatch
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from gongzhi.surveys import definition, scales

SHIPPED = sorted(scales.DIRECTORY.glob("*.json"))


def _valid() -> dict[str, Any]:
    """A small valid file: two subscales of three items, one reverse-keyed."""
    both = {"zh-hans": "文字", "en": "text"}
    return {
        "slug": "example",
        "version": "1",
        "names": both,
        "citation": "Ours.",
        "licence": "own",
        "licence_note": both,
        "translation_note": both,
        "instructions": both,
        "options": [
            {"name": str(n), "score": n, "labels": {"zh-hans": f"{n}", "en": f"{n}"}}
            for n in range(1, 6)
        ],
        "subscales": [{"key": "a", "names": both}, {"key": "b", "names": both}],
        "items": [
            {"key": f"x{n}", "labels": both, "reverse": n == 2, "subscale": "a" if n < 4 else "b"}
            for n in range(1, 7)
        ],
        "scoring": {"method": "mean", "min_items": {"total": 4, "a": 2, "b": 2}},
    }


def test_every_shipped_file_loads_and_is_in_the_library() -> None:
    library = scales.library()
    assert len(SHIPPED) == len(library) == 6
    for path in SHIPPED:
        scale = scales.load_file(path)
        assert path.name == f"{scale.ref}.json"
        assert library[scale.ref] == scale
        for item in scale.items:
            assert isinstance(item.reverse, bool)
            assert set(item.labels) == {"zh-hans", "en"}
        for key, minimum in scale.min_items.items():
            assert minimum >= 1, key


def test_the_files_ship_in_the_package() -> None:
    """pyproject's package data must cover the JSON files, or an installed platform has no
    scales (tested by building a wheel once; this keeps the pattern from going missing)."""
    pyproject = Path(scales.__file__).parents[2] / "pyproject.toml"
    patterns = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["*"]
    for path in SHIPPED:
        relative = path.relative_to(scales.DIRECTORY.parent).as_posix()
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), relative


def test_the_library_holds_the_instruments_of_the_issue() -> None:
    assert set(scales.library()) == {
        "collective_efficacy@1",
        "spcs_r@1",
        "sci2@1",
        "bscs@1",
        "neighbourhood_trust@1",
        "living_environment_satisfaction@1",
    }


def test_collective_efficacy_has_cohesion_and_control_of_five_items_each() -> None:
    scale = scales.get("collective_efficacy@1")
    cohesion, control = scale.items_of("cohesion"), scale.items_of("control")
    assert len(cohesion) == len(control) == 5
    assert [i.key for i in cohesion if i.reverse] == ["ce_get_along", "ce_values"]
    assert not any(i.reverse for i in control)
    # Control is answered "how likely", cohesion "how much do you agree": two grids.
    assert scale.options_for(control[0])[-1].labels["en"] == "Very likely"
    assert scale.options_for(cohesion[0])[-1].labels["en"] == "Strongly agree"
    assert [b.name for b in scale.blocks()] == [
        "collective_efficacy_cohesion",
        "collective_efficacy_control",
    ]
    assert scale.licence == "free"


def test_spcs_r_has_eight_leadership_and_nine_policy_items_all_positively_worded() -> None:
    scale = scales.get("spcs_r@1")
    assert len(scale.items_of("leadership")) == 8
    assert len(scale.items_of("policy")) == 9
    assert not any(item.reverse for item in scale.items)
    # The items we reworded positively keep the published negative wording beside them.
    reworded = [item for item in scale.items if item.source_wording]
    assert len(reworded) == 9
    assert "could not read the published SPCS-R wording" in scale.notes["en"]


def test_sci2_carries_metadata_only_and_the_brief_scale_is_free() -> None:
    sci2 = scales.get("sci2@1")
    assert sci2.licence == "permission_required"
    assert sci2.items == ()
    assert [s.key for s in sci2.subscales] == ["needs", "membership", "influence", "connection"]
    assert [o.score for o in sci2.options] == [0, 1, 2, 3]
    bscs = scales.get("bscs@1")
    assert bscs.licence == "free"
    assert len(bscs.items) == 8
    assert all(len(bscs.items_of(s.key)) == 2 for s in bscs.subscales)


def test_translation_notes_say_whose_chinese_it_is() -> None:
    for scale in scales.library().values():
        note = scale.translation_note["en"]
        if scale.licence == "own":
            assert "ours" in note or "our translation" in note, scale.ref
        elif scale.items:
            assert "our own translation, not validated" in note, scale.ref


def test_an_unknown_scale_is_a_translated_validation_error_and_a_lookup_error() -> None:
    with pytest.raises(scales.UnknownScale) as caught:
        scales.get("nosuch@1")
    assert isinstance(caught.value, ValidationError)
    assert isinstance(caught.value, LookupError)
    assert caught.value.messages == [
        gettext("There is no scale %(scale)s in the library.") % {"scale": "nosuch@1"}
    ]


def test_the_valid_example_parses() -> None:
    scale = scales.parse(_valid(), source="example@1.json")
    assert scale.ref == "example@1"
    assert [i.key for i in scale.items if i.reverse] == ["x2"]
    assert scale.min_items == {"total": 4, "a": 2, "b": 2}


def _broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(_valid())
    change(data)
    return data


BROKEN = {
    "duplicate item key": lambda d: d["items"][1].update(key="x1"),
    "reverse as text": lambda d: d["items"][0].update(reverse="yes"),
    "reverse as number": lambda d: d["items"][0].update(reverse=1),
    "unknown subscale": lambda d: d["items"][0].update(subscale="c"),
    "item without subscale": lambda d: d["items"][0].update(subscale=""),
    "subscale without items": lambda d: d["subscales"].append({"key": "c", "names": d["names"]}),
    "min_items below half": lambda d: d["scoring"]["min_items"].update(total=2),
    "min_items above the items": lambda d: d["scoring"]["min_items"].update(a=4),
    "min_items missing a subscale": lambda d: d["scoring"]["min_items"].pop("b"),
    "missing field": lambda d: d.pop("citation"),
    "unknown field": lambda d: d.update(colour="red"),
    "unknown licence": lambda d: d.update(licence="gpl"),
    "options misnumbered": lambda d: d["options"][0].update(name="0"),
    "scores not increasing": lambda d: d["options"][1].update(score=1),
    "one language only": lambda d: d["items"][0].update(labels={"en": "text"}),
    "bad item key": lambda d: d["items"][0].update(key="1x"),
    "method": lambda d: d["scoring"].update(method="sum"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_file_is_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        scales.parse(_broken(BROKEN[name]), source="example@1.json")


def test_a_scale_with_one_item_is_refused_with_the_shared_message() -> None:
    def one_item(data: dict[str, Any]) -> None:
        data["subscales"] = []
        data["items"] = [dict(data["items"][0], subscale="")]
        data["scoring"]["min_items"] = {"total": 1}

    with pytest.raises(ValidationError) as caught:
        scales.parse(_broken(one_item), source="example@1.json")
    assert caught.value.messages == [gettext("A scale needs at least two items.")]


def test_only_a_permission_required_scale_may_come_without_items() -> None:
    def no_items(data: dict[str, Any]) -> None:
        data["items"] = []

    with pytest.raises(ValidationError):
        scales.parse(_broken(no_items), source="example@1.json")


def test_a_file_must_be_named_after_its_scale(tmp_path: Path) -> None:
    path = tmp_path / "other@1.json"
    path.write_text(json.dumps(_valid()), encoding="utf-8")
    with pytest.raises(ValidationError):
        scales.load_file(path)
    good = tmp_path / "example@1.json"
    good.write_text(json.dumps(_valid()), encoding="utf-8")
    assert scales.load_file(good).ref == "example@1"


def _sci2_items(per_subscale: int = 6) -> list[dict[str, Any]]:
    return [
        {"key": f"sci_{sub}{n}", "labels": {"en": f"{sub} {n}"}, "reverse": False, "subscale": sub}
        for sub in ("needs", "membership", "influence", "connection")
        for n in range(1, per_subscale + 1)
    ]


def test_a_licensed_community_adds_the_sci2_items() -> None:
    sci2 = scales.get("sci2@1")
    licensed = sci2.with_items(_sci2_items())
    assert len(licensed.items) == 24
    assert licensed.ref == "sci2@1"
    question = scales.matrix_question(licensed, "en")
    assert len(question.rows) == 24
    assert [c.name for c in question.choices] == ["1", "2", "3", "4"]
    with pytest.raises(ValidationError):
        sci2.with_items(_sci2_items(per_subscale=5))  # 20 items, not the SCI-2's 24
    with pytest.raises(ValidationError):
        scales.get("bscs@1").with_items(_sci2_items())


def test_a_scale_without_its_items_cannot_be_asked() -> None:
    with pytest.raises(ValidationError):
        scales.matrix_questions("sci2@1")


def test_the_brief_scale_is_one_matrix_question_named_by_slug() -> None:
    question = scales.matrix_question("bscs@1", "zh-hans")
    assert question.kind == "matrix"
    assert question.name == "bscs"
    assert question.scale == "bscs@1"
    assert [c.name for c in question.choices] == ["1", "2", "3", "4", "5"]
    assert [r.name for r in question.rows] == [i.key for i in scales.get("bscs@1").items]
    assert question.rows[0].labels == {"zh-hans": "在这个社区里，我能得到我需要的东西。"}
    both = scales.matrix_question("bscs@1")
    assert set(both.rows[0].labels) == {"zh-hans", "en"}


def test_collective_efficacy_is_two_grids_and_not_one() -> None:
    questions = scales.matrix_questions("collective_efficacy@1", "en")
    assert [len(q.rows) for q in questions] == [5, 5]
    assert {q.scale for q in questions} == {"collective_efficacy@1"}
    assert questions[1].choices[0].labels == {"en": "Very unlikely"}
    with pytest.raises(ValidationError):
        scales.matrix_question("collective_efficacy@1", "en")


def test_every_scale_makes_questions_that_a_survey_definition_accepts() -> None:
    questions = [
        question
        for scale in scales.library().values()
        if scale.items
        for question in scales.matrix_questions(scale)
    ]
    survey = definition.Definition(
        form_id="scales",
        version="1",
        title={"zh-hans": "量表", "en": "Scales"},
        sections=[definition.Section(name="all", labels={"en": "All"}, questions=questions)],
    )
    survey.validate()
