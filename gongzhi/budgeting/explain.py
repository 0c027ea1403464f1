"""Why each project was or was not funded, and (MES) how its cost was shared: what a results
page shows a resident. Plain Python over ``rules.Election`` and ``rules.Outcome``, no Django.

For the Method of Equal Shares the payments are replayed from the outcome: every voter starts
with ``outcome.budget_per_voter``; for each project MES bought, in order, a supporter with
utility u pays min(her remaining money, ρ·u), ρ being ``outcome.prices[p]`` (the definition in
``rules.equal_shares``; with cost utilities u is the project's cost). The payments of a project
add up to its cost, which the tests check.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import Any

from gongzhi.budgeting.rules import Election, Outcome

FEN = Fraction(1, 100)


def yuan(value: Fraction) -> str:
    """An amount rounded to the fen, as text (exact values stay in the stored parameters)."""
    fen = round(value / FEN)
    return f"{fen // 100}.{fen % 100:02d}"


def _utilities(election: Election) -> list[dict[str, Fraction]]:
    if election.scores is None:
        return [{p: election.costs[p] for p in ballot} for ballot in election.ballots]
    return [
        dict(zip(ballot, scores, strict=True))
        for ballot, scores in zip(election.ballots, election.scores, strict=True)
    ]


def mes_payments(
    election: Election, outcome: Outcome
) -> tuple[dict[str, list[Fraction]], list[Fraction]]:
    """Each MES-bought project's payments (one per paying supporter) and each voter's money left."""
    per_voter = outcome.budget_per_voter or Fraction(0)
    money = [per_voter] * election.voters
    utilities = _utilities(election)
    bought = [p for p in outcome.selected if p not in set(outcome.completed)]
    payments: dict[str, list[Fraction]] = {}
    for p in bought:
        rho = outcome.prices.get(p)
        if rho is None:
            continue
        paid: list[Fraction] = []
        for i, u in enumerate(utilities):
            if p in u:
                amount = min(money[i], rho * u[p])
                if amount > 0:
                    money[i] -= amount
                    paid.append(amount)
        payments[p] = paid
    return payments, money


def explain(election: Election, outcome: Outcome, rule: str) -> dict[str, dict[str, Any]]:
    """Per project: votes, points, cost, funded, the order, a reason code with its numbers, and
    for MES the distribution of the supporters' shares ``[[amount, how many], …]``."""
    selected = list(outcome.selected)
    chosen = set(selected)
    completed = set(outcome.completed)
    votes = election.votes
    totals = election.utility_totals
    is_mes = rule.startswith("mes")
    payments, money = mes_payments(election, outcome) if is_mes else ({}, [])
    left_at_end = election.budget - election.cost_of(selected)
    supporters: dict[str, list[int]] = {p: [] for p in election.costs}
    for i, ballot in enumerate(election.ballots):
        for p in ballot:
            supporters[p].append(i)

    def density(p: str) -> Fraction:
        if rule == "greedy-points":  # most points first, whatever the cost
            return totals[p]
        cost = election.costs[p]
        return totals[p] / cost if cost else Fraction(10**18)

    out: dict[str, dict[str, Any]] = {}
    for p, cost in election.costs.items():
        row: dict[str, Any] = {
            "votes": votes[p],
            "points": str(totals[p]),
            "cost": yuan(cost),
            "funded": p in chosen,
            "order": selected.index(p) + 1 if p in chosen else None,
        }
        params: dict[str, str] = {}
        if p in chosen:
            if p in completed:
                code = "funded_completion"
            elif is_mes:
                code = "funded_mes"
                paid = payments.get(p, [])
                row["shares"] = [
                    [yuan(a), n] for a, n in sorted(Counter(paid).items(), reverse=True)
                ]
                row["payers"] = len(paid)
                params = {"payers": str(len(paid)), "most": yuan(max(paid)) if paid else "0.00"}
            elif rule == "phragmen":
                code = "funded_phragmen"
            elif rule == "greedy-points":
                code = "funded_points"
            else:
                code = "funded_greedy"
        elif votes[p] == 0:
            code = "no_votes"
        elif cost > election.budget:
            code = "over_budget"
            params = {"budget": yuan(election.budget)}
        elif rule == "phragmen":
            code = "phragmen_stopped"
        elif is_mes:
            pool = sum((money[i] for i in supporters[p]), Fraction(0))
            if cost > pool:
                code = "mes_supporters_short"
                params = {"pool": yuan(pool), "supporters": str(len(supporters[p]))}
            else:
                code = "not_enough_left"
                params = {"left": yuan(left_at_end)}
        else:
            before = [q for q in selected if density(q) >= density(p)]
            code = "not_enough_left"
            params = {"left": yuan(election.budget - election.cost_of(before))}
        row["reason"] = code
        row["params"] = params
        out[p] = row
    return out
