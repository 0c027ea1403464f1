"""Review panels by lot: our maximin against sortition-algorithms' maximin, same inputs, same run.

Generated pools only (no real volunteer data exists): ``size`` volunteers with 4 or 5 features
(grid, age band, gender, tenure, and for some seeds a vulnerable-group flag), each value drawn
with skewed shares, as volunteers self-select (older residents and owners more often); the
quotas ask for the *population's* shares (about equal per value) ±10 %, so some groups are
over-represented in the pool and the maximin is below seats / size. For each case: our time and
minimum probability (``gongzhi.bodies.sortition.maximin``, the published 9-decimal numbers), and
sortition-algorithms 0.12.15's ``find_distribution_maximin`` (HiGHS through highspy, its default)
in a child process given ``--reference-timeout`` seconds. The library draws its starting panels
at random; it is seeded per case.

One line per case, then ``min_probability_ratio=`` (ours / the reference's, the smallest over the
cases the reference finished; goal ≥ 0.99) and ``speedup_vs_reference=`` (the reference's total
time / ours, over the same finished cases), with the spread across cases.

    .venv/bin/python bench/bodies.py                     # make bench-bodies
    .venv/bin/python bench/bodies.py --cases 200x15:1,200x15:2 --reference-timeout 300
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import django  # noqa: E402
from django.conf import settings  # noqa: E402

if not settings.configured:
    settings.configure(USE_I18N=False)
    django.setup()

from gongzhi.bodies.sortition import Person, QuotaRule, maximin  # noqa: E402

DEFAULT_CASES = "200x15:1,200x15:2,200x15:3,200x25:4,200x25:5,1000x30:6"
FEATURES: dict[str, tuple[list[str], list[float]]] = {
    "grid": (["一网格", "二网格", "三网格", "四网格"], [4, 3, 2, 1]),
    "age_band": (["18-39", "40-64", "65+"], [1, 2, 3]),
    "gender": (["女", "男"], [3, 2]),
    "tenure": (["owner", "tenant"], [3, 1]),
    "vulnerable": (["yes", "no"], [1, 4]),
}


TARGET_VULNERABLE = {"yes": 0.2, "no": 0.8}


def generated(size: int, seats: int, seed: int) -> tuple[list[Person], list[QuotaRule]]:
    rng = random.Random(seed)
    names = list(FEATURES)[: 4 + seed % 2]
    people = [
        Person(
            f"v{index:04d}",
            {name: rng.choices(FEATURES[name][0], FEATURES[name][1])[0] for name in names},
        )
        for index in range(size)
    ]
    quotas = []
    for name in names:
        values = FEATURES[name][0]
        for value in values:
            # the population's shares: equal, but a fifth of the seats for the vulnerable group
            share = (
                seats / len(values) if name != "vulnerable" else seats * TARGET_VULNERABLE[value]
            )
            quotas.append(QuotaRule(name, value, math.floor(share * 0.9), math.ceil(share * 1.1)))
    return people, quotas


def _reference_job(size: int, seats: int, seed: int, conn: Any) -> None:
    from sortition_algorithms.committee_generation.maximin import find_distribution_maximin
    from sortition_algorithms.features import FeatureCollection, FeatureValueMinMax
    from sortition_algorithms.people import People
    from sortition_algorithms.utils import set_random_provider

    silent = os.open(os.devnull, os.O_WRONLY)
    os.dup2(silent, 1)  # HiGHS and the library's log print to standard output
    people, quotas = generated(size, seats, seed)
    set_random_provider(seed)
    features: FeatureCollection = {}
    for quota in quotas:
        features.setdefault(quota.feature, {})[quota.value] = FeatureValueMinMax(
            min=quota.minimum, max=quota.maximum
        )
    pool = People(list(features))
    for row, person in enumerate(people, start=2):
        pool.add(person.id, dict(person.features), features, row)
    started = time.perf_counter()
    committees, probabilities, _report = find_distribution_maximin(features, pool, seats, [])
    seconds = time.perf_counter() - started
    totals: Counter[str] = Counter()
    for committee, probability in zip(committees, probabilities, strict=True):
        totals.update(dict.fromkeys(committee, probability))
    conn.send((seconds, min(totals[person.id] for person in people), len(committees)))
    conn.close()


def reference(size: int, seats: int, seed: int, timeout: float) -> tuple[float, float, int] | None:
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_reference_job, args=(size, seats, seed, send))
    child.start()
    send.close()
    result = receive.recv() if receive.poll(timeout) else None
    child.kill()
    child.join()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default=DEFAULT_CASES, help="SIZExSEATS:SEED,...")
    parser.add_argument("--reference-timeout", type=float, default=900.0)
    args = parser.parse_args()
    ratios, ours_total, theirs_total, speedups = [], 0.0, 0.0, []
    for case in args.cases.split(","):
        shape, seed_text = case.split(":")
        size, seats = (int(part) for part in shape.split("x"))
        seed = int(seed_text)
        people, quotas = generated(size, seats, seed)
        started = time.perf_counter()
        portfolio = maximin(people, quotas, seats)
        ours = time.perf_counter() - started
        line = (
            f"case={case} people={size} seats={seats} features={len(people[0].features)} "
            f"ours_seconds={ours:.2f} ours_min_probability={portfolio.min_probability:.6f} "
            f"ours_panels={len(portfolio.panels)} uniform={seats / size:.6f}"
        )
        result = reference(size, seats, seed, args.reference_timeout)
        if result is None:
            print(f"{line} reference=timeout>{args.reference_timeout:.0f}s", flush=True)
            continue
        seconds, minimum, committees = result
        ratios.append(portfolio.min_probability / minimum)
        speedups.append(seconds / ours)
        ours_total += ours
        theirs_total += seconds
        print(
            f"{line} reference_seconds={seconds:.2f} reference_min_probability={minimum:.6f} "
            f"reference_panels={committees} ratio={ratios[-1]:.4f} speedup={speedups[-1]:.2f}",
            flush=True,
        )
    if ratios:
        print(f"min_probability_ratio={min(ratios):.4f}")
        print(f"min_probability_ratio_median={statistics.median(ratios):.4f}")
        print(f"speedup_vs_reference={theirs_total / ours_total:.2f}")
        print(f"speedup_spread={min(speedups):.2f}..{max(speedups):.2f}")
    else:
        print("min_probability_ratio=nan")
        print("speedup_vs_reference=nan")
    return 0


if __name__ == "__main__":
    sys.exit(main())
