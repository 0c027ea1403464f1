"""The opinion map against Polis's own groups and against red-dwarf 0.4.0, in one run.

For each shared Polis conversation (../shared/data/polis/): the adjusted Rand index (ARI) of our
groups and of red-dwarf's against Polis's ``group-id`` (over the participants Polis grouped; one
a method left out counts as a group of its own), and both run times (best of ``--repeat``; the
math only, the CSV already read). Then a synthetic conversation of 100,000 participants × 1,000
statements, each voting on 20-60 of them, in three opinion camps: ours, and red-dwarf in a
child process given ``--reddwarf-timeout`` seconds (it builds a dense matrix and a silhouette
over every participant, so it may not finish). Finally ``median_ari`` (ours, over the four) and
``speedup_vs_reddwarf`` (red-dwarf's total time over ours, on what both finished).

red-dwarf (MPL-2.0) is a benchmark dependency only: ``pip install red-dwarf==0.4.0``.

    .venv/bin/python bench/opinions.py        # or --repeat 5 --seed 0 --reddwarf-timeout 300
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gongzhi.opinions import polis, polisdata  # noqa: E402

POLIS_DATA = ROOT.parent / "shared" / "data" / "polis"
CONVERSATIONS = (
    "vtaiwan.uberx",
    "canadian-electoral-reform",
    "brexit-consensus",
    "15-per-hour-seattle",
)


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def ari(truth: dict[int, int], labels: dict[int, int]) -> float:
    from sklearn.metrics import adjusted_rand_score

    participants = sorted(truth)
    return float(
        adjusted_rand_score(
            [truth[p] for p in participants], [labels.get(p, -1) for p in participants]
        )
    )


def reddwarf_groups(
    votes: list[dict[str, int]], moderated_out: list[int], seed: int
) -> dict[int, int]:
    from reddwarf.implementations.polis import run_pipeline

    result = run_pipeline(votes=votes, mod_out_statement_ids=moderated_out, random_state=seed)
    labels = result.participants_df["cluster_id"].dropna()
    return {int(p): int(g) for p, g in labels.items()}


def synthetic(
    n: int = 100_000, d: int = 1_000, camps: int = 3, seed: int = 1
) -> tuple[polis.Votes, np.ndarray]:
    """Camps with a stance per statement; 70 % vote their camp's stance, 15 % the opposite,
    15 % pass; neutral statements get random votes."""
    rng = np.random.default_rng(seed)
    stance = rng.choice([-1, 0, 1], size=(camps, d), p=[0.35, 0.3, 0.35])
    camp = rng.integers(0, camps, n)
    per_participant = rng.integers(20, 61, n)
    p = np.repeat(np.arange(n), per_participant)
    s = rng.integers(0, d, p.size)
    st = stance[camp[p], s]
    u = rng.random(p.size)
    v = np.where(u < 0.15, 0, np.where(u < 0.85, st, -st))
    v = np.where(st == 0, rng.choice([-1, 0, 1], size=p.size), v)
    return polis.Votes.from_arrays(p, s, v), camp


def _reddwarf_synthetic_child(seed: int) -> None:
    """Runs in a child process: red-dwarf on the synthetic conversation; prints time and ARI."""
    votes, camp = synthetic()
    rows = [
        {"participant_id": int(p), "statement_id": int(s), "vote": int(v), "modified": 0}
        for p, s, v in zip(votes.participant, votes.statement, votes.vote, strict=True)
    ]
    started = time.perf_counter()
    groups = reddwarf_groups(rows, [], seed)
    elapsed = time.perf_counter() - started
    truth = {i: int(c) for i, c in enumerate(camp)}
    print(f"{elapsed} {ari(truth, groups)}")


def spread_over_seeds(inputs: list[tuple[str, Any, Any, Any]], seeds: int) -> None:
    """The ARI at seeds 0..seeds-1: per conversation its median and range, then the median over
    the four at each seed, summarised by its median and range (the figure not to quote from one
    seed)."""
    per_seed: list[list[float]] = [[] for _ in range(seeds)]
    for name, conv, votes, in_conv in inputs:
        truth = conv.polis_groups()
        scores, ks = [], []
        for seed in range(seeds):
            result = polis.opinion_map(
                votes, moderated_out=conv.moderated_out, in_conv=in_conv, seed=seed
            )
            scores.append(ari(truth, result.assignments()))
            ks.append(result.n_groups)
            per_seed[seed].append(scores[-1])
        right_k = sum(k == len(set(truth.values())) for k in ks)
        print(
            f"{name}: seeds={seeds} ari_median={statistics.median(scores):.3f} "
            f"ari_min={min(scores):.3f} ari_max={max(scores):.3f} polis_k_seeds={right_k}",
            flush=True,
        )
    medians = [statistics.median(row) for row in per_seed if row]
    if medians:
        print(
            f"median_ari_seeds={seeds} median_ari_over_seeds={statistics.median(medians):.3f} "
            f"median_ari_min={min(medians):.3f} median_ari_max={max(medians):.3f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--seeds", type=int, default=10, help="seeds 0..N-1 for the spread of the ARI (default 10)"
    )
    parser.add_argument("--reddwarf-timeout", type=float, default=300.0)
    parser.add_argument("--reddwarf-synthetic-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reddwarf_synthetic_child:
        _reddwarf_synthetic_child(args.seed)
        return 0
    try:
        import reddwarf  # noqa: F401
    except ImportError:
        print("red-dwarf is not installed: pip install red-dwarf==0.4.0", file=sys.stderr)
        return 2

    ours_aris: list[float] = []
    ours_total = reddwarf_total = 0.0
    inputs: list[tuple[str, Any, Any, Any]] = []
    for name in CONVERSATIONS:
        folder = POLIS_DATA / name
        if not folder.is_dir():
            print(f"{name}: skipped, {folder} is absent")
            continue
        conv = polisdata.read_conversation(folder)
        truth = conv.polis_groups()
        votes = conv.latest_votes()
        in_conv = polis.in_conv_over_time(
            [v.participant for v in conv.votes], [v.comment_id for v in conv.votes]
        )
        inputs.append((name, conv, votes, in_conv))
        t_ours, result = best_of(
            args.repeat,
            lambda votes=votes, conv=conv, in_conv=in_conv: polis.opinion_map(
                votes, moderated_out=conv.moderated_out, in_conv=in_conv, seed=args.seed
            ),
        )
        # red-dwarf wants one vote per participant and statement: the latest.
        rows = [
            {"participant_id": int(p), "statement_id": int(c), "vote": int(v), "modified": 0}
            for p, c, v in zip(votes.participant, votes.statement, votes.vote, strict=True)
        ]
        t_rd, rd = best_of(
            args.repeat,
            lambda rows=rows, conv=conv: reddwarf_groups(
                rows, sorted(conv.moderated_out), args.seed
            ),
        )
        a_ours, a_rd = ari(truth, result.assignments()), ari(truth, rd)
        ours_aris.append(a_ours)
        ours_total += t_ours
        reddwarf_total += t_rd
        print(
            f"{name}: participants={result.participants.size} statements={result.statements.size} "
            f"ari={a_ours:.3f} reddwarf_ari={a_rd:.3f} "
            f"time={t_ours:.3f}s reddwarf_time={t_rd:.3f}s",
            flush=True,
        )

    votes, camp = synthetic()
    t_ours, result = best_of(1, lambda: polis.opinion_map(votes, seed=args.seed))
    truth = {i: int(c) for i, c in enumerate(camp)}
    line = (
        f"synthetic-100000x1000: votes={len(votes)} groups={result.n_groups} "
        f"camp_ari={ari(truth, result.assignments()):.3f} time={t_ours:.3f}s"
    )
    try:
        child = subprocess.run(
            [sys.executable, __file__, "--reddwarf-synthetic-child", "--seed", str(args.seed)],
            capture_output=True,
            text=True,
            timeout=args.reddwarf_timeout,
            check=False,
        )
        if child.returncode == 0:
            rd_time, rd_ari = (float(x) for x in child.stdout.split())
            line += f" reddwarf_camp_ari={rd_ari:.3f} reddwarf_time={rd_time:.3f}s"
            ours_total += t_ours
            reddwarf_total += rd_time
        else:
            tail = (child.stderr.strip().splitlines() or ["?"])[-1]
            line += f" reddwarf=skipped (failed: {tail})"
    except subprocess.TimeoutExpired:
        line += f" reddwarf=skipped (not done in {args.reddwarf_timeout:.0f} s)"
    print(line, flush=True)

    median = statistics.median(ours_aris) if ours_aris else float("nan")
    print(f"median_ari={median:.3f}")
    spread_over_seeds(inputs, args.seeds)
    print(
        f"speedup_vs_reddwarf={reddwarf_total / ours_total:.1f}"
        if ours_total
        else "speedup_vs_reddwarf=nan"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
