"""Opinion groups of a Polis export folder, from the command line (意见分组命令行工具).

    python -m gongzhi.opinions.cluster DIR [--seed N] [--no-history]

Reads ``votes.csv`` (or, without it, the vote matrix of ``participants-votes.csv``) and
``comments.csv`` if present (for the statements moderated out), runs :mod:`gongzhi.opinions.polis`
and prints ``participant,group`` for every participant it clusters, group ids from 0 like Polis's
``group-id``; a summary goes to standard error. So anyone can compare our groups with the
``group-id`` column of the same export. Exit status 2 on unreadable input.

Polis takes a participant into the clustering once they have voted enough *at some point*, and
keeps them; an export holds no such state, so unless ``--no-history`` is given the votes are
replayed in the order cast to recover it (see :func:`~gongzhi.opinions.polis.in_conv_over_time`).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from typing import TextIO

from gongzhi.opinions import polis, polisdata


def cluster_folder(
    folder: str, *, seed: int = 0, history: bool = True
) -> tuple[polisdata.Conversation, polis.OpinionMap]:
    """Read an export folder and compute its opinion map."""
    conv = polisdata.read_conversation(folder)
    votes = conv.latest_votes()
    if not len(votes):
        raise polisdata.PolisDataError(f"{folder}: no votes")
    in_conv: set[int] = set()
    if history and conv.votes:
        in_conv = polis.in_conv_over_time(
            [v.participant for v in conv.votes], [v.comment_id for v in conv.votes]
        )
    result = polis.opinion_map(votes, moderated_out=conv.moderated_out, in_conv=in_conv, seed=seed)
    return conv, result


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr
    parser = argparse.ArgumentParser(
        prog="python -m gongzhi.opinions.cluster",
        description="Print participant,group for a Polis export folder.",
    )
    parser.add_argument(
        "folder", metavar="DIR", help="folder with votes.csv / participants-votes.csv"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the k-means starts (default 0)"
    )
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="cluster only who has enough votes now, without replaying the votes",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        conv, result = cluster_folder(args.folder, seed=args.seed, history=not args.no_history)
    except (polisdata.PolisDataError, ValueError) as e:
        print(f"error: {e}", file=err)
        return 2
    elapsed = time.perf_counter() - started
    for participant, group in sorted(result.assignments().items()):
        out.write(f"{participant},{group}\n")
    sizes = Counter(result.assignments().values())
    print(
        f"{result.participants.size} participants, {result.statements.size} statements "
        f"({int(result.moderated_out.sum())} moderated out), "
        f"{int(result.n_votes.sum())} votes; {int(result.in_conv.sum())} clustered into "
        f"{result.n_groups} groups ("
        + ", ".join(f"{g}: {sizes[g]}" for g in sorted(sizes))
        + f"); {elapsed:.2f} s",
        file=err,
    )
    polis_groups = conv.polis_groups()
    if polis_groups:
        print(
            f"the export's own group-id clusters {len(polis_groups)} participants into "
            f"{len(set(polis_groups.values()))} groups",
            file=err,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
