"""`make bench-analysis`: does the difference-in-differences interval cover what it claims?
(issue 14: the default cluster method's 95 % interval covers the effect 93-97 % of the time, and
with no effect it rejects at 5 % no more than 7 % of the time.)

Simulated streets: 20 communities, 8 periods (4 before, 4 after), one row per community and
period, ``y = community effect + period effect + effect * treated * post + error`` with a
community effect ~ N(0, 1) and AR(1) errors within a community (``--rho``, default 0.5,
stationary, innovations N(0, 1)); the period effects ~ N(0, 0.5^2) are common to all
communities, so they cancel out of the estimate and of every method's standard error. Per seed, ``--panels`` streets with the effect (half of
them with 5 treated communities, half with 10; which communities are treated is drawn anew
each time) give the coverage, and as many streets drawn independently with no effect give the
false-positive rate (a 5 % test of "no effect"). Every street is analysed by the shipped code:
``did(..., cluster=community)`` (the default, CR3 with t(G-1)), ``se="cr1"`` (plain
cluster-robust, t(G-1)), ``se="cr2"`` (CR2 with Bell-McCaffrey degrees of freedom) and
``wild_cluster_bootstrap`` (WCR, Webb weights, ``--reps`` draws), all on the same streets;
``cr2_g1`` (CR2 with t(G-1)) and ``cv3`` (the jackknife scaled by (G-1)/G, t(G-1)) are derived
from those fits, to show what the default was chosen over.

Prints a table per seed and design, then ``key=value`` lines (also written to
bench/results/analysis-<time>.txt): ``did_coverage=`` and ``did_false_positive=`` pooled over
the seeds, their ``_min``/``_max`` over the seeds, the same with ``_cr1``, ``_cr2``, ``_wild``,
``_cr2_g1``, ``_cv3``,
per design (``_t5``, ``_t10``), and the time per street of each method with its ratio to a
plain OLS fit timed in the same run.

    make bench-analysis                                    # 3 seeds x (1,000 + 1,000) streets
    .venv/bin/python bench/analysis.py --panels 200 --seeds 1   # quick
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gongzhi.evaluation.cli import setup_translation  # noqa: E402
from gongzhi.evaluation.did import did, wild_cluster_bootstrap  # noqa: E402

COMMUNITIES = 20
PERIODS = 8
DESIGNS = (5, 10)
METHODS = ("cluster", "cr1", "cr2", "wild")
# Intervals derived from the methods above, no extra fit: CR2's standard error with t(G-1)
# instead of its Satterthwaite df, and the cluster jackknife scaled by (G-1)/G (MacKinnon,
# Nielsen & Webb's CV3) with t(G-1) -- the alternatives the default was chosen over.
DERIVED = ("cr2_g1", "cv3")
COLUMNS = METHODS + DERIVED
T_G1 = float(stats.t.ppf(0.975, COMMUNITIES - 1))


@dataclass(frozen=True)
class Street:
    y: np.ndarray
    treated: np.ndarray
    post: np.ndarray
    community: np.ndarray


def simulate(rng: np.random.Generator, *, treated: int, effect: float, rho: float) -> Street:
    """One street: community effects, period effects, stationary AR(1) errors per community."""
    chosen = np.zeros(COMMUNITIES)
    chosen[rng.permutation(COMMUNITIES)[:treated]] = 1.0
    errors = np.empty((COMMUNITIES, PERIODS))
    errors[:, 0] = rng.normal(size=COMMUNITIES) / np.sqrt(1 - rho**2)
    for t in range(1, PERIODS):
        errors[:, t] = rho * errors[:, t - 1] + rng.normal(size=COMMUNITIES)
    community_effect = rng.normal(size=COMMUNITIES)
    period_effect = rng.normal(scale=0.5, size=PERIODS)
    after = (np.arange(PERIODS) >= PERIODS // 2).astype(float)
    tr = np.repeat(chosen, PERIODS)
    po = np.tile(after, COMMUNITIES)
    y = (
        np.repeat(community_effect, PERIODS)
        + np.tile(period_effect, COMMUNITIES)
        + effect * tr * po
        + errors.ravel()
    )
    return Street(y=y, treated=tr, post=po, community=np.repeat(np.arange(COMMUNITIES), PERIODS))


def intervals(
    street: Street, reps: int, seed: int, clock: dict[str, float]
) -> dict[str, tuple[float, float]]:
    """Each method's 95 % interval for the effect, timing each method."""
    out: dict[str, tuple[float, float]] = {}
    for method in METHODS:
        start = time.perf_counter()
        if method == "wild":
            wild = wild_cluster_bootstrap(
                street.y,
                street.treated,
                street.post,
                cluster=street.community,
                reps=reps,
                seed=seed,
            )
            out[method] = (wild.ci_low, wild.ci_high)
        else:
            result = did(
                street.y,
                street.treated,
                street.post,
                cluster=street.community,
                se=None if method == "cluster" else method,
            )
            out[method] = (result.ci_low, result.ci_high)
            if method in ("cluster", "cr2"):
                se = result.se * (
                    np.sqrt((COMMUNITIES - 1) / COMMUNITIES) if method == "cluster" else 1
                )
                name = "cv3" if method == "cluster" else "cr2_g1"
                out[name] = (result.estimate - T_G1 * se, result.estimate + T_G1 * se)
        clock[method] += time.perf_counter() - start
    start = time.perf_counter()
    did(street.y, street.treated, street.post, se="classical")
    clock["ols"] += time.perf_counter() - start
    return out


def run_seed(
    seed: int, *, panels: int, effect: float, rho: float, reps: int, clock: dict[str, float]
) -> dict[tuple[str, str, int], tuple[int, int]]:
    """(measure, method, design) -> (hits, streets): "coverage" counts intervals holding the
    effect, "false_positive" intervals excluding zero when there is no effect."""
    rng = np.random.default_rng(seed)
    counts: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0])
    for measure, true_effect in (("coverage", effect), ("false_positive", 0.0)):
        for i in range(panels):
            design = DESIGNS[i % len(DESIGNS)]
            street = simulate(rng, treated=design, effect=true_effect, rho=rho)
            for method, (low, high) in intervals(street, reps, seed * 100_003 + i, clock).items():
                inside = low <= true_effect <= high
                hit = inside if measure == "coverage" else not inside
                cell = counts[(measure, method, design)]
                cell[0] += int(hit)
                cell[1] += 1
    return {key: (value[0], value[1]) for key, value in counts.items()}


def rate(cells: list[tuple[int, int]]) -> float:
    hits = sum(h for h, _ in cells)
    total = sum(n for _, n in cells)
    return hits / total if total else float("nan")


def suffix(method: str) -> str:
    return "" if method == "cluster" else f"_{method}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--panels", type=int, default=1000, help="streets per seed and measure")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--effect", type=float, default=1.0)
    parser.add_argument("--rho", type=float, default=0.5)
    parser.add_argument("--reps", type=int, default=999, help="wild bootstrap draws")
    args = parser.parse_args(argv)
    setup_translation()  # did() writes its method note through gettext

    lines: list[str] = []

    def say(message: str) -> None:
        print(message, flush=True)
        lines.append(message)

    say(
        f"# {COMMUNITIES} communities x {PERIODS} periods, AR(1) rho={args.rho}, effect="
        f"{args.effect}; per seed {args.panels} streets with the effect and {args.panels} "
        f"without, half with 5 and half with 10 treated; wild bootstrap {args.reps} draws"
    )
    say(f"# python {platform.python_version()} numpy {np.__version__} on {platform.machine()}")
    clock: dict[str, float] = defaultdict(float)
    started = time.perf_counter()
    per_seed: list[dict[tuple[str, str, int], tuple[int, int]]] = []
    seeds = list(range(1, args.seeds + 1))
    say("# seed design measure " + " ".join(f"{m:>7}" for m in COLUMNS))
    for seed in seeds:
        counts = run_seed(
            seed, panels=args.panels, effect=args.effect, rho=args.rho, reps=args.reps, clock=clock
        )
        per_seed.append(counts)
        for design in DESIGNS:
            for measure in ("coverage", "false_positive"):
                cells = " ".join(f"{rate([counts[(measure, m, design)]]):7.3f}" for m in COLUMNS)
                say(f"# {seed:4d} {design:6d} {measure:14s} {cells}")
    streets = len(seeds) * 2 * args.panels

    def cells_of(
        measure: str, method: str, designs: tuple[int, ...], which: list[int]
    ) -> list[tuple[int, int]]:
        return [per_seed[s][(measure, method, d)] for s in which for d in designs]

    everyone = list(range(len(seeds)))
    for method in COLUMNS:
        for measure in ("coverage", "false_positive"):
            key = f"did_{measure}{suffix(method)}"
            for label, designs in (("", DESIGNS), *((f"_t{d}", (d,)) for d in DESIGNS)):
                by_seed = [rate(cells_of(measure, method, designs, [s])) for s in everyone]
                pooled = rate(cells_of(measure, method, designs, everyone))
                say(f"{key}{label}={pooled:.4f}")
                say(f"{key}{label}_min={min(by_seed):.4f}")
                say(f"{key}{label}_max={max(by_seed):.4f}")
    say(f"streets={streets}")
    say(f"seeds={','.join(map(str, seeds))}")
    baseline = clock["ols"] / streets
    say(f"ols_ms_per_street={1000 * baseline:.3f}")
    for method in METHODS:
        per_street = clock[method] / streets
        say(f"{method}_ms_per_street={1000 * per_street:.3f}")
        say(f"{method}_ratio_to_ols={per_street / baseline:.1f}")
    say(f"total_s={time.perf_counter() - started:.1f}")

    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (results / f"analysis-{stamp}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
