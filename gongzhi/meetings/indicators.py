"""Meetings of the community's bodies, from the journal alone (issue 16, "Evaluation").

Read from the ``data`` the meetings' services journal (docs/architecture.md, "Meetings and the
decision register"): a meeting is ``data["meeting"]``, its body ``data["body"]``; a closed
meeting says whether it reached quorum, how many were seated and how many distinct members came
(``meeting.closed``); an arrival names the person (``roll.arrived``, a pseudonym in an export);
an agenda item says where it came from (``agenda.item_added``); a follow-up its due date
(``action.created``) and whether it was done by then (``action.updated``). Who sat in a body on
a day comes from the bodies' terms of office (``body.mandate_started``/``body.mandate_ended``).

Each meeting, item and follow-up counts once, by its first entry. The follow-ups' rate follows
a cohort by due date: of the follow-ups due in the month, the share done by their due date
(one still open is not on time yet). No Django here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from gongzhi.evaluation.engine import (
    AnyCell,
    Entry,
    EvalInput,
    PeopleCell,
    count,
    entry_months,
    local_date,
    rate,
    verified_at_month_end,
)

CLOSED, ARRIVED = "meeting.closed", "roll.arrived"
ITEM_ADDED = "agenda.item_added"
ACTION_CREATED, ACTION_UPDATED = "action.created", "action.updated"
TERM_STARTED, TERM_ENDED = "body.mandate_started", "body.mandate_ended"
#: ``meetings.models.ItemSource.PROPOSAL``: an item a residents' proposal brought
FROM_PROPOSAL = "proposal"
DONE = "done"
#: ``meetings.models.MeetingKind`` values of the meetings where a body decides: quorum and
#: attendance are theirs (a hearing or a round table has no quorum). An entry that does not
#: say its kind is counted.
DECIDING = frozenset({"ordinary", "extraordinary"})


def _key(entry: Entry, name: str) -> str | None:
    """``data[name]`` as text (an id or a pseudonym), or None if absent."""
    value = entry.data.get(name)
    if value is None or isinstance(value, bool | dict | list):
        return None
    return str(value)


def _number(entry: Entry, name: str) -> int | None:
    value = entry.data.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _of(inp: EvalInput, verbs: Iterable[str]) -> Iterator[tuple[Entry, str]]:
    wanted = frozenset(verbs)
    for entry, month in zip(inp.entries, entry_months(inp), strict=True):
        if entry.verb in wanted:
            yield entry, month


def _firsts(inp: EvalInput, verb: str, name: str) -> dict[str, tuple[Entry, str]]:
    """Each thing's (``data[name]``) first ``verb`` entry, with its month."""
    first: dict[str, tuple[Entry, str]] = {}
    for entry, month in _of(inp, [verb]):
        key = _key(entry, name)
        if key is not None and key not in first:
            first[key] = (entry, month)
    return first


def _closed(inp: EvalInput) -> dict[str, tuple[Entry, str]]:
    """Every closed meeting, by its first ``meeting.closed`` (shared: cached on ``inp``)."""
    cached = inp.cache.get("meetings:closed")
    if cached is None:
        cached = _firsts(inp, CLOSED, "meeting")
        inp.cache["meetings:closed"] = cached
    result: dict[str, tuple[Entry, str]] = cached
    return result


def _deciding(inp: EvalInput) -> dict[str, tuple[Entry, str]]:
    """The closed meetings where the body could decide (ordinary and extraordinary ones)."""
    return {
        meeting: (entry, month)
        for meeting, (entry, month) in _closed(inp).items()
        if entry.data.get("kind", "ordinary") in DECIDING
    }


# --- meetings held, with quorum, attended ----------------------------------------------------


def meetings_held(inp: EvalInput) -> dict[str, AnyCell]:
    """Meetings of the community's bodies closed in the month (each meeting once)."""
    per_month: dict[str, int] = {}
    for _entry, month in _closed(inp).values():
        per_month[month] = per_month.get(month, 0) + 1
    return {m: count(per_month.get(m, 0)) for m in inp.months}


def quorum_share(inp: EvalInput) -> dict[str, AnyCell]:
    """Of the ordinary and extraordinary meetings closed in the month, the share that reached
    quorum during the meeting (a meeting that does not say is counted without quorum)."""
    held: dict[str, int] = {}
    quorate: dict[str, int] = {}
    for entry, month in _deciding(inp).values():
        held[month] = held.get(month, 0) + 1
        if entry.data.get("quorum") is True:
            quorate[month] = quorate.get(month, 0) + 1
    return {m: rate(quorate.get(m, 0), held.get(m, 0)) for m in inp.months}


def attendance(inp: EvalInput) -> dict[str, AnyCell]:
    """Seats filled at the ordinary and extraordinary meetings closed in the month: Σ members
    present ÷ Σ members seated (a meeting without both numbers is left out)."""
    present: dict[str, int] = {}
    seated: dict[str, int] = {}
    for entry, month in _deciding(inp).values():
        came, sat = _number(entry, "members_present"), _number(entry, "seated")
        if came is None or sat is None or sat <= 0:
            continue
        present[month] = present.get(month, 0) + min(came, sat)
        seated[month] = seated.get(month, 0) + sat
    return {m: rate(present.get(m, 0), seated.get(m, 0)) for m in inp.months}


@dataclass(frozen=True)
class _Term:
    body: str
    person: str
    starts_on: date | None
    ends_on: date | None
    started_at: datetime
    ended_at: datetime | None  # ended early, when


def _day(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _terms(inp: EvalInput) -> list[_Term]:
    """Every term of office the journal recorded, with when it was ended early."""
    ended: dict[str, datetime] = {}
    for entry, _month in _of(inp, [TERM_ENDED]):
        if entry.target and entry.target not in ended:
            ended[entry.target] = entry.at
    terms: list[_Term] = []
    seen: set[str] = set()
    for entry, _month in _of(inp, [TERM_STARTED]):
        body, person = _key(entry, "body"), _key(entry, "user")
        if body is None or person is None or (entry.target and entry.target in seen):
            continue
        seen.add(entry.target)
        terms.append(
            _Term(
                body=body,
                person=person,
                starts_on=_day(entry.data.get("starts_on")),
                ends_on=_day(entry.data.get("ends_on")),
                started_at=entry.at,
                ended_at=ended.get(entry.target) if entry.target else None,
            )
        )
    return terms


def _seated(terms: Iterable[_Term], body: str, at: datetime, day: date) -> set[str]:
    """Who held a seat in ``body`` at ``at`` (local day ``day``)."""
    return {
        t.person
        for t in terms
        if t.body == body
        and t.started_at <= at
        and (t.starts_on is None or t.starts_on <= day)
        and (t.ends_on is None or day <= t.ends_on)
        and (t.ended_at is None or t.ended_at > at)
    }


def members_attending(inp: EvalInput) -> dict[str, AnyCell]:
    """Of the verified residents seated in a body that closed an ordinary or extraordinary
    meeting in the month, those who came to at least one of those meetings of their body (a
    person rate: it splits by grid, building, group and age band)."""
    arrived: dict[str, set[str]] = {}
    for entry, _month in _of(inp, [ARRIVED]):
        meeting, person = _key(entry, "meeting"), _key(entry, "person")
        if meeting is not None and person is not None and entry.data.get("role") == "member":
            arrived.setdefault(meeting, set()).add(person)
    terms = _terms(inp)
    seated: dict[str, set[str]] = {}
    came: dict[str, set[str]] = {}
    for meeting, (entry, month) in _deciding(inp).items():
        body = _key(entry, "body")
        if body is None:
            continue
        sitting = _seated(terms, body, entry.at, local_date(entry.at, inp.tz))
        seated.setdefault(month, set()).update(sitting)
        came.setdefault(month, set()).update(sitting & arrived.get(meeting, set()))
    cells: dict[str, AnyCell] = {}
    for m in inp.months:
        verified = verified_at_month_end(inp, m)
        denominator = frozenset(seated.get(m, set())) & verified
        cells[m] = PeopleCell(frozenset(came.get(m, set())) & denominator, denominator)
    return cells


# --- the agenda and the follow-ups -----------------------------------------------------------


def items_from_proposals(inp: EvalInput) -> dict[str, AnyCell]:
    """Of the agenda items added in the month, the share a residents' proposal brought."""
    added: dict[str, int] = {}
    proposed: dict[str, int] = {}
    for entry, month in _firsts(inp, ITEM_ADDED, "item").values():
        added[month] = added.get(month, 0) + 1
        if entry.data.get("source") == FROM_PROPOSAL:
            proposed[month] = proposed.get(month, 0) + 1
    return {m: rate(proposed.get(m, 0), added.get(m, 0)) for m in inp.months}


def actions_on_time(inp: EvalInput) -> dict[str, AnyCell]:
    """Of the decisions' follow-ups due in the month, the share done by their due date: one
    update said it was done on time, and it is still done at its last update (one reopened or
    dropped since is not)."""
    due: dict[str, str] = {}
    for action, (entry, _month) in _firsts(inp, ACTION_CREATED, "action").items():
        day = _day(entry.data.get("due_on"))
        if day is not None:
            due[action] = f"{day.year:04d}-{day.month:02d}"
    done_on_time: set[str] = set()
    last_status: dict[str, object] = {}
    for entry, _month in _of(inp, [ACTION_UPDATED]):
        updated = _key(entry, "action")
        if updated is None:
            continue
        last_status[updated] = entry.data.get("status")
        if entry.data.get("status") == DONE and entry.data.get("on_time") is True:
            done_on_time.add(updated)
    total: dict[str, int] = {}
    hits: dict[str, int] = {}
    for action, month in due.items():
        total[month] = total.get(month, 0) + 1
        if action in done_on_time and last_status.get(action) == DONE:
            hits[month] = hits.get(month, 0) + 1
    return {m: rate(hits.get(m, 0), total.get(m, 0)) for m in inp.months}
