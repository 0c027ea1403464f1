"""core/lottery.py: a public-seed draw that anyone can repeat, and its command line."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core import lottery

NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇"]


def test_the_key_is_sha256_of_seed_zero_byte_and_position_as_documented():
    assert lottery.position_key("abc", 12) == hashlib.sha256(b"abc\x0012").hexdigest()
    # The separator keeps ("a1", 1) apart from ("a", 11).
    assert lottery.position_key("a1", 1) != lottery.position_key("a", 11)


def test_a_known_draw_stays_the_same():
    # Computed once by hand from the documented rule; a change of algorithm breaks this.
    keys = sorted(
        (hashlib.sha256(f"社区议事会2026\x00{i}".encode()).hexdigest(), i) for i in range(1, 9)
    )
    expected = [i for _key, i in keys[:3]]
    result = lottery.draw("社区议事会2026", NAMES, 3)
    assert list(result.positions) == expected
    assert result.drawn == [NAMES[i - 1] for i in expected]
    assert result.summary()["drawn"] == ",".join(map(str, expected))


def test_same_inputs_same_draw_and_another_seed_another_draw():
    assert lottery.draw("seed", NAMES, 4) == lottery.draw("seed", NAMES, 4)
    draws = {tuple(lottery.draw(f"seed-{n}", NAMES, 4).positions) for n in range(20)}
    assert len(draws) > 10


seeds = st.text(max_size=40)
lists = st.lists(st.text(min_size=1, max_size=8), max_size=30)


@given(seed=seeds, candidates=lists, data=st.data())
def test_k_distinct_candidates_are_drawn_from_the_list(seed, candidates, data):
    k = data.draw(st.integers(min_value=0, max_value=len(candidates)))
    result = lottery.draw(seed, candidates, k)
    assert len(result.positions) == k == len(set(result.positions))
    assert set(result.positions) <= set(range(1, len(candidates) + 1))
    # Drawing more extends the draw: the first k stay the first k.
    assert lottery.draw(seed, candidates, len(candidates)).positions[:k] == result.positions


@given(seed=seeds, candidates=lists)
def test_the_draw_depends_on_positions_not_on_names(seed, candidates):
    renamed = [f"候选人{i}" for i in range(len(candidates))]
    full = len(candidates)
    assert lottery.draw(seed, candidates, full).positions == (
        lottery.draw(seed, renamed, full).positions
    )


def test_drawing_more_than_the_list_is_refused():
    try:
        lottery.draw("s", NAMES, 9)
    except ValueError as error:
        assert "9 of 8" in str(error)
    else:
        raise AssertionError("a draw of 9 from 8 was accepted")


def test_the_command_line_prints_the_draw_and_key_value_lines(tmp_path):
    listing = tmp_path / "names.txt"
    listing.write_text("\n".join(NAMES) + "\n\n", encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "gongzhi.core.lottery",
            "--seed",
            "公开种子",
            "--draw",
            "3",
            listing,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    result = lottery.draw("公开种子", NAMES, 3)
    lines = run.stdout.splitlines()
    assert lines[:3] == [f"{p}\t{NAMES[p - 1]}" for p in result.positions]
    values = dict(line.split("=", 1) for line in lines[3:])
    assert values["seed_sha256"] == hashlib.sha256("公开种子".encode()).hexdigest()
    assert values["list_sha256"] == hashlib.sha256("\n".join(NAMES).encode()).hexdigest()
    assert values["drawn"] == ",".join(map(str, result.positions))
    assert values["candidates"] == "8" and values["draw"] == "3"
    refused = subprocess.run(
        [sys.executable, "-m", "gongzhi.core.lottery", "--seed", "s", "--draw", "9", listing],
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2 and "9 of 8" in refused.stderr
