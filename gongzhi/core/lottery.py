"""Public-seed lottery (公开抽签): a draw anyone can repeat from what was published.

Used where places are fewer than the people who asked (a course, a volunteer shift, a citizens'
panel by sortition). Fairness rests on two things published *before* the seed is known: the
ordered list of candidates, and the rule for the seed (a phrase announced in advance, or a
future public value such as a lottery's winning numbers, typed in as it was announced).

The algorithm, reproducible in any language with SHA-256:

1. ``seed_bytes`` = the seed encoded as UTF-8, exactly as published (no trimming, no case
   change).
2. For each candidate, at its 1-based position ``i`` in the published list,
   ``key_i = SHA-256(seed_bytes || 0x00 || ASCII decimal digits of i)``.
3. Sort the positions by ``key_i`` as unsigned big-endian 256-bit numbers (that is, by the hex
   digest as a string); the first ``k`` positions, in that order, are drawn.

The key depends on the seed and the position only, not on the names, so the outcome is fixed
by the seed and the list as published; the 0x00 byte keeps ``seed="a1", i=1`` apart from
``seed="a", i=11``. Two keys collide with probability 2^-256, so the order is total in practice;
ties (never seen) fall back to the position.

Command line, so that a resident can check a published draw without the platform::

    python -m gongzhi.core.lottery --seed "2026-03-01 福利彩票 123456" --draw 5 names.txt

``names.txt`` holds one candidate per line, in the published order (empty lines are skipped).
It prints the drawn candidates, one a line with their position, then ``key=value`` lines:
``seed_sha256``, ``list_sha256`` (of the candidate lines joined by ``\\n``, UTF-8),
``candidates``, ``draw`` and ``drawn`` (the drawn positions, comma-separated).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


def position_key(seed: str, position: int) -> str:
    """The hex SHA-256 that orders the candidate at 1-based ``position``."""
    return hashlib.sha256(seed.encode() + b"\x00" + str(position).encode("ascii")).hexdigest()


def draw_positions(seed: str, count: int, k: int) -> list[int]:
    """The 1-based positions of ``k`` candidates drawn from ``count``, in drawing order."""
    if not 0 <= k <= count:
        raise ValueError(f"cannot draw {k} of {count} candidates")
    order = sorted(
        range(1, count + 1), key=lambda position: (position_key(seed, position), position)
    )
    return order[:k]


@dataclass(frozen=True)
class Draw:
    seed: str
    candidates: tuple[str, ...]
    positions: tuple[int, ...]

    @property
    def drawn(self) -> list[str]:
        return [self.candidates[position - 1] for position in self.positions]

    @property
    def seed_sha256(self) -> str:
        return hashlib.sha256(self.seed.encode()).hexdigest()

    @property
    def list_sha256(self) -> str:
        return hashlib.sha256("\n".join(self.candidates).encode()).hexdigest()

    def summary(self) -> dict[str, str]:
        """What to publish beside the result, as ``key=value`` lines."""
        return {
            "seed_sha256": self.seed_sha256,
            "list_sha256": self.list_sha256,
            "candidates": str(len(self.candidates)),
            "draw": str(len(self.positions)),
            "drawn": ",".join(str(position) for position in self.positions),
        }


def draw(seed: str, candidates: Sequence[str], k: int) -> Draw:
    """Draw ``k`` of ``candidates`` (in their published order) with the public ``seed``."""
    return Draw(seed, tuple(candidates), tuple(draw_positions(seed, len(candidates), k)))


def read_candidates(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gongzhi.core.lottery", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--seed", required=True, help="the published seed, exactly as announced")
    parser.add_argument("--draw", type=int, required=True, metavar="K", help="how many to draw")
    parser.add_argument("file", type=Path, help="candidates, one a line, in the published order")
    args = parser.parse_args(argv)
    candidates = read_candidates(args.file.read_text(encoding="utf-8"))
    try:
        result = draw(args.seed, candidates, args.draw)
    except ValueError as error:
        parser.error(str(error))
    for position, name in zip(result.positions, result.drawn, strict=True):
        print(f"{position}\t{name}")
    for key, value in result.summary().items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
