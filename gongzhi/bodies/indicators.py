"""Self-governing bodies, review panels, supervision and partners, from the journal alone.

Read from the ``data`` the services journal (docs/architecture.md, "Self-governing bodies"):
a body is ``data["body"]``, a term of office its journal target ("bodies.mandate:<pk>"), a panel
``data["panel"]``, an opinion ``data["opinion"]``. The "on time" rates follow a cohort, like the
hotline's resolution rate: of what was published or raised in the month, the share answered on
time since (an answer still awaited is not on time yet). No Django here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from gongzhi.evaluation.engine import (
    AnyCell,
    Entry,
    EvalInput,
    count,
    entry_months,
    rate,
)

CREATED, DISSOLVED, DECIDED = "body.created", "body.dissolved", "body.decision_recorded"
TERM_STARTED, TERM_ENDED = "body.mandate_started", "body.mandate_ended"
STAGE_CHANGED = "incubation.stage_changed"
DRAWN, ASSESSED, ANSWERED = "panel.drawn", "panel.assessment_published", "panel.answered"
RAISED, OPINION_ANSWERED = "opinion.raised", "opinion.answered"
CONTRIBUTION = "partner.contribution_recorded"
#: How a term is chosen (``bodies.models.ChosenBy``); founding members of a new organisation
#: were chosen by nobody, so they are not in the elected share.
CHOSEN = frozenset({"election", "appointment", "lot"})


def _key(entry: Entry, name: str) -> str | None:
    """``data[name]`` as text (a body's, a panel's or an opinion's id), or None if absent."""
    value = entry.data.get(name)
    if value is None or isinstance(value, bool | dict | list):
        return None
    return str(value)


def _of(inp: EvalInput, verbs: Iterable[str]) -> Iterator[tuple[Entry, str]]:
    """The entries with one of ``verbs``, each with its month."""
    wanted = frozenset(verbs)
    for entry, month in zip(inp.entries, entry_months(inp), strict=True):
        if entry.verb in wanted:
            yield entry, month


def _tally(found: Iterable[str]) -> dict[str, int]:
    per_month: dict[str, int] = {}
    for month in found:
        per_month[month] = per_month.get(month, 0) + 1
    return per_month


def _counts(inp: EvalInput, per_month: Mapping[str, float]) -> dict[str, AnyCell]:
    return {m: count(per_month.get(m, 0)) for m in inp.months}


def _first_month(inp: EvalInput, verb: str, name: str) -> dict[str, str]:
    """Each thing's (``data[name]``) month of its first ``verb``."""
    first: dict[str, str] = {}
    for entry, month in _of(inp, [verb]):
        key = _key(entry, name)
        if key is not None and key not in first:
            first[key] = month
    return first


# --- bodies -----------------------------------------------------------------------------------


def _lifetimes(inp: EvalInput) -> dict[str, tuple[str, str | None]]:
    """Each body's month of creation and of dissolution (None: not dissolved)."""
    created = _first_month(inp, CREATED, "body")
    dissolved = _first_month(inp, DISSOLVED, "body")
    return {body: (month, dissolved.get(body)) for body, month in created.items()}


def bodies_existing(inp: EvalInput) -> dict[str, AnyCell]:
    """Bodies set up by the month's end and not dissolved by then."""
    lives = _lifetimes(inp).values()
    return {
        m: count(sum(1 for born, gone in lives if born <= m and (gone is None or gone > m)))
        for m in inp.months
    }


def bodies_deciding(inp: EvalInput) -> dict[str, AnyCell]:
    """Of the bodies that existed at some time in the month, the share that recorded a decision
    in it."""
    decided: dict[str, set[str]] = {}
    for entry, month in _of(inp, [DECIDED]):
        body = _key(entry, "body")
        if body is not None:
            decided.setdefault(month, set()).add(body)
    lives = _lifetimes(inp)
    cells: dict[str, AnyCell] = {}
    for m in inp.months:
        alive = {
            b for b, (born, gone) in lives.items() if born <= m and (gone is None or gone >= m)
        }
        cells[m] = rate(len(alive & decided.get(m, set())), len(alive))
    return cells


def elected_share(inp: EvalInput) -> dict[str, AnyCell]:
    """Terms started in the month by election ÷ terms started in the month by election,
    appointment or lot (founding members of a new organisation left out)."""
    elected: dict[str, int] = {}
    chosen: dict[str, int] = {}
    for entry, month in _of(inp, [TERM_STARTED]):
        how = entry.data.get("chosen_by")
        if how in CHOSEN:
            chosen[month] = chosen.get(month, 0) + 1
            if how == "election":
                elected[month] = elected.get(month, 0) + 1
    return {m: rate(elected.get(m, 0), chosen.get(m, 0)) for m in inp.months}


def turnover(inp: EvalInput) -> dict[str, AnyCell]:
    """Of the terms started in the month, the share ended early since (a term is its journal
    target; a term that ran its course is never journalled as ended)."""
    started: dict[str, str] = {}
    for entry, month in _of(inp, [TERM_STARTED]):
        if entry.target and entry.target not in started:
            started[entry.target] = month
    ended = {entry.target for entry, _month in _of(inp, [TERM_ENDED]) if entry.target}
    return _cohort(inp, started, ended)


def _cohort(inp: EvalInput, began: Mapping[str, str], done: set[str]) -> dict[str, AnyCell]:
    """Of the things that began in each month (``began``: thing → month), the share in
    ``done``."""
    total = _tally(began.values())
    hits = _tally(month for thing, month in began.items() if thing in done)
    return {m: rate(hits.get(m, 0), total.get(m, 0)) for m in inp.months}


def organisations_active(inp: EvalInput) -> dict[str, AnyCell]:
    """Incubated organisations that became active for the first time in the month."""
    first: dict[str, str] = {}
    for entry, month in _of(inp, [STAGE_CHANGED]):
        body = _key(entry, "body")
        if body is not None and entry.data.get("to") == "active" and body not in first:
            first[body] = month
    return _counts(inp, _tally(first.values()))


# --- review panels and supervision ------------------------------------------------------------


def panels_drawn(inp: EvalInput) -> dict[str, AnyCell]:
    """Review panels drawn by lot in the month (each panel once)."""
    return _counts(inp, _tally(_first_month(inp, DRAWN, "panel").values()))


def _on_time(inp: EvalInput, verb: str, name: str) -> set[str]:
    """The things (``data[name]``) whose first ``verb`` (an answer) says it came on time."""
    seen: set[str] = set()
    on_time: set[str] = set()
    for entry, _month in _of(inp, [verb]):
        key = _key(entry, name)
        if key is None or key in seen:
            continue
        seen.add(key)
        if entry.data.get("on_time") is True:
            on_time.add(key)
    return on_time


def _answered_on_time(inp: EvalInput, began: str, answered: str, name: str) -> dict[str, AnyCell]:
    return _cohort(inp, _first_month(inp, began, name), _on_time(inp, answered, name))


def panels_answered_on_time(inp: EvalInput) -> dict[str, AnyCell]:
    """Of the panels' assessments published in the month, the share the reviewed body answered
    within the panel's deadline."""
    return _answered_on_time(inp, ASSESSED, ANSWERED, "panel")


def opinions_answered_on_time(inp: EvalInput) -> dict[str, AnyCell]:
    """Of the supervision opinions raised in the month, the share the responsible body
    answered by the due date."""
    return _answered_on_time(inp, RAISED, OPINION_ANSWERED, "opinion")


# --- partners ---------------------------------------------------------------------------------


def _fen(entry: Entry) -> int | None:
    value: Any = entry.data.get("value_fen")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def partner_contributions(inp: EvalInput) -> dict[str, AnyCell]:
    """Partners' contributions (money or in kind) recorded in the month."""
    return _counts(inp, _tally(month for _entry, month in _of(inp, [CONTRIBUTION])))


def partner_money(inp: EvalInput) -> dict[str, AnyCell]:
    """Yuan of the partners' contributions recorded in the month (in kind at the value
    recorded; a contribution without a value adds nothing)."""
    fen: dict[str, int] = {}
    for entry, month in _of(inp, [CONTRIBUTION]):
        value = _fen(entry)
        if value is not None:
            fen[month] = fen.get(month, 0) + value
    return _counts(inp, {m: v / 100 for m, v in fen.items()})
