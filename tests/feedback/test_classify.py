"""The ticket router (gongzhi.feedback.classify): predictions, triage, corrections, storage, cold
start and held-out accuracy on the shared written tickets, and the command line."""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.feedback import classify
from gongzhi.feedback.classify import Category, DataError, Params, Router, train
from gongzhi.feedback.lexicon import DEFAULT_LEXICON, lookup

ROOT = Path(__file__).resolve().parents[2]
TICKETS = ROOT.parent / "shared" / "data" / "tickets-zh" / "tickets.csv"

CATEGORIES = [Category(code=code, name=words.name) for code, words in DEFAULT_LEXICON.items()]

needs_tickets = pytest.mark.skipif(
    not TICKETS.exists(), reason=f"the shared written tickets are not at {TICKETS}"
)


@pytest.fixture(scope="module")
def cold() -> Router:
    """A new community's router: the default vocabulary, no history."""
    return train([], CATEGORIES)


@pytest.fixture(scope="module")
def tickets() -> list[tuple[str, str]]:
    if not TICKETS.exists():
        pytest.skip(f"the shared written tickets are not at {TICKETS}")
    return classify.read_examples(TICKETS)


@pytest.fixture(scope="module")
def trained(tickets: list[tuple[str, str]]) -> Router:
    return train(tickets, CATEGORIES)


def test_prediction_carries_confidence_and_full_ranking(cold: Router) -> None:
    prediction = cold.predict("电梯坏了，把我们家老人困在里面半个小时")
    assert prediction.category == "elevator"
    assert [code for code, _ in prediction.ranking][0] == "elevator"
    assert sorted(code for code, _ in prediction.ranking) == sorted(DEFAULT_LEXICON)
    probabilities = [p for _, p in prediction.ranking]
    assert probabilities == sorted(probabilities, reverse=True)
    assert sum(probabilities) == pytest.approx(1.0)
    assert prediction.confidence == probabilities[0] > probabilities[1]
    assert not prediction.needs_triage


def test_low_confidence_goes_to_triage(cold: Router) -> None:
    vague = cold.predict("你好，有个事情想反映一下")
    assert vague.needs_triage
    assert vague.confidence < cold.params.threshold
    strict = train([], CATEGORIES, params=Params(threshold=0.99))
    clear = strict.predict("楼下广场舞音响太吵，晚上十点还不停")
    assert clear.category == "noise"
    assert clear.needs_triage


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("3号楼的电体又坏了，天天爬楼", "elevator"),
        ("家里暖器一点都不热，屋里才十几度", "utilities"),
        ("楼上装修燥音太大，中午都没法睡", "noise"),
        ("有人天天在小区里溜狗不拴绳", "dogs"),
    ],
)
def test_homophone_typos_route_like_the_right_word(cold: Router, text: str, code: str) -> None:
    assert cold.predict(text).category == code


def test_homophone_correction_reads_the_typo_as_the_term() -> None:
    terms = classify._Terms.build([("电梯", 0, 1.0), ("暖气", 1, 1.0)])
    corrected, found = terms.scan("电体和暖器都坏了")
    assert corrected == "电梯和暖气都坏了"
    assert sorted(found) == ["暖气", "电梯"]
    # Same pinyin but no character in common is not a typo of the term.
    assert terms.scan("店提")[1] == []


def test_a_correction_changes_the_next_prediction(cold: Router) -> None:
    text = "小区东门的铁门晚上不关，外人随便进出"
    before = cold.predict(text)
    assert before.category != "safety_hazard"
    after = cold.learn(text, "safety_hazard")
    assert after.predict(text).category == "safety_hazard"
    assert after.examples == ((text, "safety_hazard"),)
    # A later correction of the same text replaces the earlier label.
    again = after.learn(text, "property_repair")
    assert again.examples == ((text, "property_repair"),)
    assert again.predict(text).category == "property_repair"


def test_a_category_without_vocabulary_is_learned_from_examples() -> None:
    own = Category(code="parcel_lockers", name="智能柜管理")
    assert lookup(own.code, own.name) is None
    examples = [
        ("快递柜满了，包裹放不进去", "parcel_lockers"),
        ("丰巢柜超时就收费，太坑了", "parcel_lockers"),
        ("快递柜的门打不开，取不了件", "parcel_lockers"),
        ("能不能多装几组快递柜", "parcel_lockers"),
        ("快递员不放柜子，直接扔在门口", "parcel_lockers"),
        ("电梯又停了", "elevator"),
        ("楼道里堆满垃圾没人清理", "sanitation"),
    ]
    router = train(examples, [*CATEGORIES, own])
    assert router.predict("快递柜总是满的，取件码也收不到").category == "parcel_lockers"
    without = train(examples[5:], [*CATEGORIES, own])
    assert without.predict("快递柜总是满的，取件码也收不到").category != "parcel_lockers"


def test_seed_words_stand_in_for_history() -> None:
    own = Category(code="parcel_lockers", name="智能柜管理", seeds=("快递柜", "取件", "丰巢"))
    router = train([], [*CATEGORIES, own])
    assert router.predict("快递柜总是满的，取件码也收不到").category == "parcel_lockers"


def test_stored_router_gives_identical_predictions(trained: Router) -> None:
    data = trained.to_bytes()
    assert data[:2] == b"PK"  # an .npz archive, loaded without pickle
    loaded = Router.from_bytes(data)
    assert loaded.codes == trained.codes
    assert loaded.params == trained.params
    assert loaded.examples == trained.examples
    for text in ("电体又坏了", "狗叫了一夜", "希望多组织一些活动", "", "？？？"):
        assert np.array_equal(loaded.scores(text), trained.scores(text))
        assert loaded.predict(text) == trained.predict(text)


@pytest.mark.parametrize("data", [b"", b"not a router", b"PK\x03\x04garbage"])
def test_anything_else_is_refused_on_loading(data: bytes) -> None:
    with pytest.raises(ValueError, match="not a stored router"):
        Router.from_bytes(data)


def test_training_is_deterministic(tickets: list[tuple[str, str]], trained: Router) -> None:
    again = train(tickets, CATEGORIES)
    assert np.array_equal(again._coef, trained._coef)
    assert np.array_equal(again._intercept, trained._intercept)
    assert again._vocabulary == trained._vocabulary


def test_bad_training_input_is_refused() -> None:
    with pytest.raises(DataError, match="unknown category"):
        train([("电梯坏了", "lifts")], CATEGORIES)
    with pytest.raises(DataError, match="two categories"):
        train([], CATEGORIES[:1])
    with pytest.raises(DataError, match="unique"):
        train([], [CATEGORIES[0], CATEGORIES[0]])


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=300))
def test_any_text_gets_a_proper_distribution(text: str) -> None:
    router = _property_router()
    prediction = router.predict(text)
    probabilities = [p for _, p in prediction.ranking]
    assert len(probabilities) == len(CATEGORIES)
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    assert sum(probabilities) == pytest.approx(1.0)
    assert prediction.needs_triage == (prediction.confidence < router.params.threshold)


_ROUTER: list[Router] = []


def _property_router() -> Router:
    # Hypothesis does not mix with function-scoped fixtures; train once per session here.
    if not _ROUTER:
        _ROUTER.append(train([], CATEGORIES))
    return _ROUTER[0]


@needs_tickets
def test_macro_f1_on_tickets_never_seen(tickets: list[tuple[str, str]]) -> None:
    """Stratified 5-fold (seed 0): trained on 8 tickets a category, scored on the other 2.
    The bench measures 0.86 for this seed; 0.80 leaves room for the noise of 28-ticket folds."""
    from sklearn.model_selection import StratifiedKFold

    labels = [code for _, code in tickets]
    scores = []
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    for train_idx, test_idx in folds.split(tickets, labels):
        router = train([tickets[i] for i in train_idx], CATEGORIES)
        held_out = [tickets[i] for i in test_idx]
        assert not {t for t, _ in held_out} & {t for t, _ in router.examples}
        scores.append(classify.evaluate(router, held_out).macro_f1)
    assert statistics.mean(scores) >= 0.80


@needs_tickets
def test_cold_start_routes_most_tickets(cold: Router, tickets: list[tuple[str, str]]) -> None:
    """No history at all: the vocabulary alone (0.82 measured)."""
    assert classify.evaluate(cold, tickets).macro_f1 >= 0.75


@needs_tickets
def test_the_vocabulary_is_what_lifts_cold_start(tickets: list[tuple[str, str]]) -> None:
    bare = train([], CATEGORIES, params=Params(use_lexicon=False))
    assert classify.evaluate(bare, tickets).macro_f1 < 0.5


def test_evaluation_counts_per_category(cold: Router) -> None:
    result = classify.evaluate(cold, [("电梯坏了", "elevator"), ("狗乱叫", "elevator")])
    by_code = {s.code: s for s in result.per_category}
    assert by_code["elevator"].support == 2
    assert by_code["elevator"].recall == 0.5
    assert by_code["elevator"].precision == 1.0
    assert by_code["dogs"].precision == 0.0
    assert result.macro_f1 == pytest.approx((2 / 3 + 0.0) / 2)


def _write(path: Path, rows: list[tuple[str, str]], encoding: str = "utf-8") -> Path:
    lines = ["text,category", *(f'"{t}",{c}' for t, c in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@needs_tickets
def test_command_line_reports_macro_f1_and_categories(
    tickets: list[tuple[str, str]], tmp_path: Path
) -> None:
    train_csv = _write(tmp_path / "train.csv", tickets[:100])
    eval_csv = _write(tmp_path / "eval.csv", tickets[100:], encoding="gb18030")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "gongzhi.feedback.classify",
            "--train",
            train_csv,
            "--eval",
            eval_csv,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("macro_f1=")
    assert 0.5 <= float(lines[0].split("=")[1]) <= 1.0
    reported = {line.split()[0] for line in lines[5:]}
    assert reported == {code for _, code in tickets[100:]}


def test_command_line_refuses_bad_input(tmp_path: Path) -> None:
    headerless = tmp_path / "bad.csv"
    headerless.write_text("电梯坏了,elevator\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "gongzhi.feedback.classify", "--eval", headerless],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2
    assert "header text,category" in run.stderr
    assert run.stdout == ""


@pytest.mark.parametrize(
    ("train_rows", "eval_rows", "message"),
    [
        (None, None, "cannot read"),
        ([("电梯坏了", "elevator"), ("狗叫", "dogs")], [("停水了", "utilities")], "not in"),
        ([("电梯坏了", "elevator")], [("", "elevator")], "empty text"),
    ],
)
def test_bad_files_exit_with_status_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    train_rows: list[tuple[str, str]] | None,
    eval_rows: list[tuple[str, str]] | None,
    message: str,
) -> None:
    train_csv = _write(tmp_path / "t.csv", train_rows) if train_rows else tmp_path / "missing.csv"
    eval_csv = _write(tmp_path / "e.csv", eval_rows) if eval_rows else tmp_path / "missing.csv"
    assert classify.main(["--train", str(train_csv), "--eval", str(eval_csv)]) == 2
    assert message in capsys.readouterr().err


def test_latin_1_bytes_are_not_mistaken_for_tickets(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"text,category\n\xff\xfe\x00\x81,elevator\n")
    with pytest.raises(DataError, match="neither UTF-8 nor GB18030"):
        classify.read_examples(path)
