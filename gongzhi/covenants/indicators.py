"""Covenants for evaluation, from the journal alone (issue 19, "Evaluation").

Read from what the covenant services journal (the data conventions of the covenants spec):

- ``covenant.commented``: a comment (the target) on an article, ``data["round"]`` and
  ``data["article"]``; the commenter is the entry's person (the resident a worker wrote it
  down for, else the actor).
- ``covenant.amendment_proposed``: an amendment (the target), ``data["round"]`` and
  ``data["kind"]``; its author is the entry's person.
- ``covenant.amendment_supported``: a support for an amendment (the target), by the actor.
- ``covenant.amendment_accepted`` / ``covenant.amendment_rejected``: the drafting body's (or an
  article-by-article vote's) decision on an amendment (the target), ``data["round"]``,
  ``data["author"]`` and ``data["by"]`` ("body" or "vote"); decided once.
- ``covenant.acknowledged``: a household's confirmation (the target) that it read a covenant
  version, ``data["version"]`` and ``data["household"]``; once per household and version.

Taking part in a covenant is commenting, proposing or supporting an amendment, or acknowledging
it for one's household. Months are calendar months in the community's time zone. No Django here.
"""

from __future__ import annotations

from collections.abc import Iterator

from gongzhi.evaluation.engine import (
    AnyCell,
    Entry,
    EvalInput,
    PeopleCell,
    count,
    entry_months,
    verified_at_month_end,
)

COMMENTED = "covenant.commented"
PROPOSED = "covenant.amendment_proposed"
SUPPORTED = "covenant.amendment_supported"
ACCEPTED, REJECTED = "covenant.amendment_accepted", "covenant.amendment_rejected"
ACKNOWLEDGED = "covenant.acknowledged"
#: A resident's own acts of taking part in a covenant.
TAKING_PART = (COMMENTED, PROPOSED, SUPPORTED, ACKNOWLEDGED)


def _of(inp: EvalInput, *verbs: str) -> Iterator[tuple[Entry, str]]:
    wanted = frozenset(verbs)
    for entry, month in zip(inp.entries, entry_months(inp), strict=True):
        if entry.verb in wanted:
            yield entry, month


def _key(entry: Entry, name: str) -> str | None:
    value = entry.data.get(name)
    if value is None or isinstance(value, bool | dict | list):
        return None
    return str(value)


def _people_by_month(inp: EvalInput, *verbs: str) -> dict[str, frozenset[str]]:
    """Per month, the people whose own act (one of ``verbs``) the journal shows."""
    found: dict[str, set[str]] = {}
    for entry, month in _of(inp, *verbs):
        if entry.person is not None:
            found.setdefault(month, set()).add(entry.person)
    return {month: frozenset(people) for month, people in found.items()}


def commenters(inp: EvalInput) -> dict[str, AnyCell]:
    """People who commented on a covenant's article or paragraph in the month (each once)."""
    people = _people_by_month(inp, COMMENTED)
    return {m: count(len(people.get(m, ()))) for m in inp.months}


def amendment_authors(inp: EvalInput) -> dict[str, AnyCell]:
    """People who proposed an amendment to a covenant in the month (each once)."""
    people = _people_by_month(inp, PROPOSED)
    return {m: count(len(people.get(m, ()))) for m in inp.months}


def amendments_accepted(inp: EvalInput) -> dict[str, AnyCell]:
    """Amendments accepted in the month, by the drafting body or by an article-by-article vote;
    an amendment counts once, in the month of its decision."""
    decided: dict[str, tuple[str, bool]] = {}
    for entry, month in _of(inp, ACCEPTED, REJECTED):
        decided.setdefault(entry.target or f"seq:{entry.seq}", (month, entry.verb == ACCEPTED))
    per_month: dict[str, int] = {}
    for month, accepted in decided.values():
        if accepted:
            per_month[month] = per_month.get(month, 0) + 1
    return {m: count(per_month.get(m, 0)) for m in inp.months}


def acknowledging_households(inp: EvalInput) -> dict[str, AnyCell]:
    """Households that acknowledged a covenant in the month (a household acknowledging two
    covenants in one month counts once)."""
    households: dict[str, set[str]] = {}
    for entry, month in _of(inp, ACKNOWLEDGED):
        household = _key(entry, "household") or entry.target or f"seq:{entry.seq}"
        households.setdefault(month, set()).add(household)
    return {m: count(len(households.get(m, ()))) for m in inp.months}


def participation(inp: EvalInput) -> dict[str, AnyCell]:
    """Of the verified residents at the end of the month, the share who took part in a covenant
    in the month (commented, proposed or supported an amendment, acknowledged it for their
    household); split by grid, building and group, it shows who writes the community's rules."""
    people = _people_by_month(inp, *TAKING_PART)
    cells: dict[str, AnyCell] = {}
    for m in inp.months:
        verified = verified_at_month_end(inp, m)
        cells[m] = PeopleCell(people.get(m, frozenset()) & verified, verified)
    return cells
