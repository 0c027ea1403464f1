"""Tally a Pabulib file from the command line, for researchers and auditors.

    python -m gongzhi.budgeting.tally FILE.pb --rule RULE [--tie-breaking votes,min-cost]

prints the funded project ids, one per line, on standard output, in the order the rule chose
them, and a short summary on standard error. RULE is one of ``greedy``, ``greedy-points``, ``mes``,
``mes-utilitarian``, ``mes-add1``, ``mes-add1e``, ``mes-add1u``, ``mes-add1eu``, ``phragmen``
(see :mod:`gongzhi.budgeting.rules`). A file that cannot be read, or a rule that does not apply
to its ballots, ends with a message on standard error and exit status 2. No Django here.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from gongzhi.budgeting import pabulib, rules

__all__ = ["election_of", "main"]


def election_of(instance: pabulib.Instance, rule: str = "") -> rules.Election:
    """The election a rule needs, from a parsed file: approval (and choose-1) ballots as
    approvals, cumulative and scoring ballots by their points, ordinal ballots by Borda —
    except for ``greedy-points``, where an ordinal ballot gives its ``points`` column if it has
    one, else k − i to its i-th project (0-based), k being META ``max_length`` or, without it,
    the longest ballot: a first choice is worth the same on every ballot, as on the cities'
    (Kraków's 3/2/1; the files' ``score`` column is this sum)."""
    costs = {pid: project.cost for pid, project in instance.projects.items()}
    vote_type = instance.vote_type
    if vote_type in ("approval", "choose-1"):
        return rules.Election.approval(instance.budget, costs, (b.vote for b in instance.ballots))
    if vote_type == "ordinal" and rule == "greedy-points":
        max_length = instance.constraint("max_length")
        k = (
            int(max_length)
            if max_length
            else max((len(b.vote) for b in instance.ballots), default=0)
        )
        return rules.Election.cardinal(
            instance.budget,
            costs,
            (
                dict(zip(b.vote, b.points or range(k, 0, -1), strict=False))
                for b in instance.ballots
            ),
        )
    if vote_type == "ordinal":
        return rules.Election.ordinal(instance.budget, costs, (b.vote for b in instance.ballots))
    return rules.Election.cardinal(
        instance.budget,
        costs,
        (dict(zip(b.vote, b.points or (), strict=True)) for b in instance.ballots),
    )


def _tie_breaking(text: str) -> list[str | list[str]]:
    criteria: list[str | list[str]] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        if part.startswith("order:"):
            criteria.append([p for p in part[len("order:") :].split("/") if p])
        elif part in ("votes", "min-cost", "max-cost"):
            criteria.append(part)
        else:
            raise argparse.ArgumentTypeError(
                f"unknown tie-breaking {part!r} (votes, min-cost, max-cost, order:ID/ID/...)"
            )
    return criteria


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gongzhi.budgeting.tally",
        description="Print the projects a participatory budgeting rule funds, one per line.",
    )
    parser.add_argument("file", help="a Pabulib .pb file")
    parser.add_argument("--rule", required=True, choices=list(rules.RULES), help="the rule")
    parser.add_argument(
        "--tie-breaking",
        type=_tie_breaking,
        default=[],
        help="comma-separated: votes, min-cost, max-cost, order:ID/ID/... "
        "(the project id in string order decides last)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    try:
        instance = pabulib.read(args.file)
        election = election_of(instance, args.rule)
    except OSError as error:
        print(f"error: cannot read {args.file}: {error.strerror or error}", file=sys.stderr)
        return 2
    except pabulib.PabulibError as error:
        print(f"error: {args.file}: {error}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"error: {args.file}: {error}", file=sys.stderr)
        return 2
    read_seconds = time.perf_counter() - started
    try:
        outcome = rules.run_rule(args.rule, election, tie_breaking=args.tie_breaking)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    rule_seconds = time.perf_counter() - started - read_seconds
    sys.stdout.write("".join(f"{pid}\n" for pid in outcome.selected))
    spent = outcome.cost(election)
    summary = [
        f"{args.file}: {instance.meta.get('description', '')}".rstrip(": "),
        f"rule {args.rule}: {len(outcome.selected)} of {len(election.costs)} projects funded, "
        f"cost {float(spent):,.2f} of budget {float(election.budget):,.2f} "
        f"({election.voters} voters, {instance.vote_type} ballots)",
    ]
    if outcome.budget_per_voter is not None:
        summary.append(f"budget per voter {float(outcome.budget_per_voter):,.4f}")
    if outcome.completed:
        summary.append(f"added by greedy completion: {', '.join(outcome.completed)}")
    summary.append(f"read in {read_seconds:.2f} s, tallied in {rule_seconds:.2f} s")
    print("\n".join(summary), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
