"""Review panels by lot: maximin under quotas, the conflict named, the published portfolio, the
draw repeatable from the seed, the command line, and agreement with sortition-algorithms."""

from __future__ import annotations

import hashlib
import itertools
import math
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from django.utils.translation import gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from gongzhi.bodies.sortition import (
    UNIT,
    Person,
    Portfolio,
    QuotaConflict,
    QuotaRule,
    maximin,
    pick,
    portfolio_from_json,
    portfolio_json,
    portfolio_sha256,
    read_pool,
    read_quotas,
)

ROOT = Path(__file__).resolve().parents[2]


def _meets(panel: tuple[str, ...], people: dict[str, Person], quotas: list[QuotaRule]) -> bool:
    for quota in quotas:
        count = sum(people[pid].features.get(quota.feature) == quota.value for pid in panel)
        if not quota.minimum <= count <= quota.maximum:
            return False
    return True


def _feasible_panels(
    people: list[Person], quotas: list[QuotaRule], seats: int
) -> list[tuple[str, ...]]:
    by_id = {person.id: person for person in people}
    return [
        panel
        for panel in itertools.combinations([person.id for person in people], seats)
        if _meets(panel, by_id, quotas)
    ]


def _exhaustive_maximin(people: list[Person], panels: list[tuple[str, ...]]) -> float:
    """The maximin value by one LP over every feasible panel, over people in some panel."""
    covered = sorted({pid for panel in panels for pid in panel})
    rows = {pid: index for index, pid in enumerate(covered)}
    membership = np.zeros((len(covered), len(panels)))
    for column, panel in enumerate(panels):
        for pid in panel:
            membership[rows[pid], column] = 1
    count = len(panels)
    result = linprog(
        np.r_[np.zeros(count), -1.0],
        A_ub=np.c_[-membership, np.ones(len(covered))],
        b_ub=np.zeros(len(covered)),
        A_eq=np.r_[np.ones(count), 0.0].reshape(1, -1),
        b_eq=[1.0],
        bounds=[(0, None)] * count + [(0, 1)],
        method="highs",
    )
    assert result.status == 0
    return float(-result.fun) if len(covered) == len(people) else 0.0


@st.composite
def pools(draw: st.DrawFn) -> tuple[list[Person], list[QuotaRule], int]:
    size = draw(st.integers(5, 11))
    features = {
        f"f{index}": [f"v{value}" for value in range(draw(st.integers(2, 3)))]
        for index in range(draw(st.integers(1, 3)))
    }
    people = [
        Person(
            f"p{index}",
            {name: draw(st.sampled_from(values)) for name, values in features.items()},
        )
        for index in range(size)
    ]
    seats = draw(st.integers(1, min(5, size)))
    quotas = []
    for name, values in features.items():
        for value in values:
            if draw(st.booleans()):
                low = draw(st.integers(0, seats))
                quotas.append(QuotaRule(name, value, low, draw(st.integers(low, seats))))
    return people, quotas, seats


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools())
def test_quotas_always_met_and_maximin_is_optimal(
    case: tuple[list[Person], list[QuotaRule], int],
) -> None:
    people, quotas, seats = case
    feasible = _feasible_panels(people, quotas, seats)
    if not feasible:
        with pytest.raises(QuotaConflict) as caught:
            maximin(people, quotas, seats)
        # the quotas it names conflict on their own
        assert not _feasible_panels(people, list(caught.value.quotas), seats)
        return
    portfolio = maximin(people, quotas, seats)
    by_id = {person.id: person for person in people}
    assert sum(portfolio.units()) == UNIT
    for panel in portfolio.panels:
        assert len(panel) == seats == len(set(panel))
        assert _meets(panel, by_id, quotas)
    assert set(portfolio.person_probabilities()) == set(by_id)
    best = _exhaustive_maximin(people, feasible)
    # published decimals (9 places) over at most C(11, 5) panels
    assert portfolio.min_probability == pytest.approx(best, abs=1e-6)


def _generated(size: int, seats: int, seed: int) -> tuple[list[Person], list[QuotaRule]]:
    rng = random.Random(seed)
    features = {"grid": ["一网格", "二网格", "三网格"], "age": ["18-39", "40-64", "65+"]}
    features["gender"] = ["女", "男"]
    features["tenure"] = ["owner", "tenant"]
    people = [
        Person(
            f"v{index:03d}",
            {name: rng.choice(values[:1] * 2 + values) for name, values in features.items()},
        )
        for index in range(size)
    ]
    quotas = []
    for name, values in features.items():
        for value in values:
            share = sum(person.features[name] == value for person in people) / size
            quotas.append(
                QuotaRule(name, value, int(share * seats * 0.7), math.ceil(share * seats * 1.3))
            )
    return people, quotas


def test_reported_probabilities_match_10000_draws() -> None:
    people, quotas = _generated(24, 6, seed=3)
    # a tighter quota makes the probabilities unequal
    quotas = [*quotas, QuotaRule("gender", "男", 3, 3)]
    portfolio = maximin(people, quotas, 6)
    draws = 10_000
    counts: Counter[str] = Counter()
    for index in range(draws):
        counts.update(portfolio.panels[pick(portfolio, f"seed {index}")])
    probabilities = portfolio.person_probabilities()
    assert len(set(round(p, 3) for p in probabilities.values())) > 1
    for person, probability in probabilities.items():
        spread = 4.5 * math.sqrt(draws * probability * (1 - probability)) + 1
        assert abs(counts[person] - draws * probability) <= spread, person


def test_pick_is_the_published_rule() -> None:
    portfolio = Portfolio(
        panels=(("a", "b"), ("a", "c"), ("b", "c")),
        probabilities=(0.5, 0.25, 0.25),
        people=("a", "b", "c"),
    )
    for seed in ["2026-03-01 福利彩票 123456", "x", ""]:
        number = int(hashlib.sha256(seed.encode() + b"\x00" + b"0").hexdigest(), 16)
        fraction = number / 2**256
        expected = 0 if fraction < 0.5 else 1 if fraction < 0.75 else 2
        assert pick(portfolio, seed) == expected


def test_portfolio_published_as_canonical_json() -> None:
    people, quotas = _generated(20, 5, seed=1)
    portfolio = maximin(people, quotas, 5)
    data = portfolio_json(portfolio)
    assert portfolio_from_json(data) == portfolio
    assert portfolio_json(portfolio_from_json(data)) == data
    assert portfolio_sha256(portfolio) == hashlib.sha256(data).hexdigest()
    # the same inputs give the same portfolio
    assert portfolio_json(maximin(people, quotas, 5)) == data
    # a person in no panel still shows, with probability 0
    excluded = [*people, Person("nobody", {**people[0].features, "tenure": "lodger"})]
    quotas_all = [*quotas, QuotaRule("tenure", "lodger", 0, 0)]
    assert maximin(excluded, quotas_all, 5).person_probabilities()["nobody"] == 0


def test_quota_conflict_names_the_conflicting_quotas() -> None:
    people = [
        Person(f"p{index}", {"age": "65+" if index < 4 else "18-64", "gender": gender})
        for index, gender in enumerate("女女女女男男男男")
    ]
    old = QuotaRule("age", "65+", 3, 4)
    men = QuotaRule("gender", "男", 2, 4)
    harmless = QuotaRule("age", "18-64", 0, 4)
    with pytest.raises(QuotaConflict) as caught:
        maximin(people, [harmless, old, men], 4)
    # every 65+ is a woman: 3 of them and 2 men do not fit into 4 seats
    assert caught.value.quotas == (old, men)
    assert str(caught.value) == gettext(
        "These quotas cannot all be met when %(seats)d seats are drawn from "
        "%(people)d people: %(quotas)s"
    ) % {"seats": 4, "people": 8, "quotas": f"{old}; {men}"}
    too_many = QuotaRule("age", "65+", 5, 6)
    with pytest.raises(QuotaConflict) as caught:
        maximin(people, [harmless, too_many], 6)
    assert caught.value.quotas == (too_many,)
    with pytest.raises(QuotaConflict) as caught:
        maximin(people, [QuotaRule("gender", "女", 3, 4), QuotaRule("gender", "男", 3, 4)], 5)
    assert len(caught.value.quotas) == 2


POOL = "id,性别,年龄段\n张三,女,65+\n李四,男,18-39\n王五,女,40-64\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_pool_and_quotas_read_in_every_encoding(encoding: str) -> None:
    people = read_pool(POOL.encode(encoding))
    assert people[0] == Person("张三", {"性别": "女", "年龄段": "65+"})
    assert [person.id for person in people] == ["张三", "李四", "王五"]
    quotas = read_quotas("feature,value,min,max\n性别,女,1,2\n".encode(encoding))
    assert quotas == [QuotaRule("性别", "女", 1, 2)]


@pytest.mark.parametrize(
    ("pool", "quotas", "message"),
    [
        (
            "name,f\na,x\n",
            None,
            gettext("The header lacks the column(s): %(columns)s") % {"columns": "id"},
        ),
        (
            "id,f\na,x\na,y\n",
            None,
            gettext("The id %(id)s appears twice (again on line %(line)d).")
            % {"id": "a", "line": 3},
        ),
        (
            None,
            "feature,value,min,max\nf,x,one,2\n",
            gettext("Line %(line)d: %(column)s must be a whole number of seats, not %(text)r.")
            % {"line": 2, "column": "min", "text": "one"},
        ),
        (
            None,
            "feature,value,min,max\nf,x,3,2\n",
            gettext("Line %(line)d: the minimum %(min)d is above the maximum %(max)d.")
            % {"line": 2, "min": 3, "max": 2},
        ),
        (
            None,
            "feature,value\nf,x\n",
            gettext("The header lacks the column(s): %(columns)s") % {"columns": "min, max"},
        ),
    ],
)
def test_bad_files_are_refused_clearly(pool: str | None, quotas: str | None, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        if pool is not None:
            read_pool(pool.encode())
        else:
            read_quotas((quotas or "").encode())
    assert str(caught.value) == message


def test_unknown_feature_is_refused() -> None:
    quota = QuotaRule("楼栋", "1", 0, 1)
    with pytest.raises(ValueError) as caught:
        maximin([Person("a", {"f": "x"}), Person("b", {"f": "y"})], [quota], 1)
    assert str(caught.value) == gettext(
        "The quota %(quota)s names a feature that is not a column of the pool."
    ) % {"quota": quota}


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "gongzhi.bodies.sortition", *args],
        cwd=ROOT,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "LANG": "en_US.UTF-8"},
        check=False,
        timeout=120,
    )


def _write(tmp_path: Path, people: list[Person], quotas: list[QuotaRule]) -> tuple[str, str]:
    names = list(people[0].features)
    pool = tmp_path / "pool.csv"
    pool.write_bytes(
        "\n".join(
            [",".join(["id", *names])]
            + [",".join([p.id, *(p.features[name] for name in names)]) for p in people]
        ).encode("gb18030")
    )
    table = tmp_path / "quotas.csv"
    table.write_bytes(
        "\n".join(
            ["feature,value,min,max"]
            + [f"{q.feature},{q.value},{q.minimum},{q.maximum}" for q in quotas]
        ).encode("utf-8-sig")
    )
    return str(pool), str(table)


def test_cli_prints_the_same_bytes_for_the_same_seed(tmp_path: Path) -> None:
    people, quotas = _generated(30, 6, seed=5)
    pool, table = _write(tmp_path, people, quotas)
    args = [pool, "--quotas", table, "--seats", "6", "--seed", "2026-03-01 123456"]
    first, second = _cli(tmp_path, *args), _cli(tmp_path, *args)
    assert first.returncode == 0, first.stderr.decode()
    assert first.stdout == second.stdout
    lines = first.stdout.decode().splitlines()
    ids = [person.id for person in people]
    assert len(lines) == 7 and lines[6].startswith("min_probability=")
    # in pool order, and the panel the library's pick gives
    portfolio = maximin(people, quotas, 6)
    assert lines[:6] == [i for i in ids if i in portfolio.panels[pick(portfolio, args[-1])]]
    assert lines[6] == f"min_probability={portfolio.min_probability:.9f}"


def test_cli_infeasible_quotas_exit_2_naming_them(tmp_path: Path) -> None:
    people, quotas = _generated(30, 6, seed=5)
    conflict = [QuotaRule("gender", "女", 5, 6), QuotaRule("gender", "男", 2, 6)]
    pool, table = _write(tmp_path, people, conflict)
    result = _cli(tmp_path, pool, "--quotas", table, "--seats", "6", "--seed", "1")
    assert result.returncode == 2
    assert result.stdout == b""
    assert "gender=女 [5, 6]" in result.stderr.decode()
    assert "gender=男 [2, 6]" in result.stderr.decode()


def _reference_maximin(people: list[Person], quotas: list[QuotaRule], seats: int) -> float:
    """sortition-algorithms' maximin (GPL-3, test dependency only), its minimum probability."""
    from sortition_algorithms.committee_generation.maximin import find_distribution_maximin
    from sortition_algorithms.features import FeatureCollection, FeatureValueMinMax
    from sortition_algorithms.people import People
    from sortition_algorithms.utils import set_random_provider

    set_random_provider(7)
    features: FeatureCollection = {}
    for quota in quotas:
        features.setdefault(quota.feature, {})[quota.value] = FeatureValueMinMax(
            min=quota.minimum, max=quota.maximum
        )
    pool = People(list(features))
    for row, person in enumerate(people, start=2):
        pool.add(person.id, dict(person.features), features, row)
    committees, probabilities, _report = find_distribution_maximin(features, pool, seats, [])
    totals: Counter[str] = Counter()
    for committee, probability in zip(committees, probabilities, strict=True):
        totals.update(dict.fromkeys(committee, probability))
    return min(totals[person.id] for person in people)


@pytest.mark.parametrize(("size", "seats", "seed"), [(30, 6, 11), (40, 8, 12)])
def test_min_probability_matches_sortition_algorithms(size: int, seats: int, seed: int) -> None:
    people, quotas = _generated(size, seats, seed)
    # one binding quota so that the maximin is below seats / size
    quotas = [*quotas, QuotaRule("age", "65+", 0, 1)]
    ours = maximin(people, quotas, seats).min_probability
    theirs = _reference_maximin(people, quotas, seats)
    assert ours >= 0.99 * theirs
    assert ours <= theirs + 1e-3  # the reference stops within 0.0005 of the optimum
