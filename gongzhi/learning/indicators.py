"""Learning and leadership for evaluation, from the journal alone (issue 18, "Evaluation").

Read from what the learning services journal (the data conventions of the learning spec):

- ``course.enrolled``: a place on a course or on its waiting list, ``data["course"]``,
  ``data["person"]`` (else the entry's person).
- ``course.completed`` / ``course.not_completed``: a learner's completion decided, once per
  enrolment (the target), with ``data["trainers"]``: the people who trained the course.
- ``qualification.granted`` / ``qualification.recorded``: an award (the target) of
  ``data["qualification"]`` to ``data["person"]``, valid from ``valid_from`` until
  ``valid_until`` (inclusive; none: no expiry); ``qualification.revoked`` ends one (its target).
- ``invite_link.joined`` and ``leadership.invitation_accepted``: a person the spread network
  reached (``data["person"]``, else the entry's person).

A leader, here, is someone the journal shows taking the lead (rungs 5 and 6 of the leadership
ladder, ``core/leadership.py``): appointed leader of a volunteer team (``team.leader_appointed``,
whose registration names the person), starting a term of office in a body
(``body.mandate_started``, ``data["user"]``), granted the role of a resident organisation's
leader or a council member (``role.granted``), or named as a trainer of a course whose learners'
completion was decided (``course.completed``/``course.not_completed``, ``data["trainers"]``).
Leadership before the journal began, and chairing a meeting (rung 4), are not in it; so the first
months of a community's journal count its sitting leaders as new ones.

Months are calendar months in the community's time zone. No Django here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from gongzhi.evaluation.engine import (
    AnyCell,
    Entry,
    EvalInput,
    PeopleCell,
    count,
    entry_months,
    month_last_day,
    rate,
    verified_at_month_end,
)

ENROLLED = "course.enrolled"
COMPLETED, NOT_COMPLETED = "course.completed", "course.not_completed"
GRANTED, RECORDED, REVOKED = (
    "qualification.granted",
    "qualification.recorded",
    "qualification.revoked",
)
JOINED, ACCEPTED = "invite_link.joined", "leadership.invitation_accepted"
TEAM_LEADER, TERM_STARTED, ROLE_GRANTED = (
    "team.leader_appointed",
    "body.mandate_started",
    "role.granted",
)
VOLUNTEER_REGISTERED = "volunteer.registered"
#: Core roles that lead: a resident organisation's leader, a council member.
LEADING_ROLES = frozenset({"org_leader", "council_member"})


def _key(entry: Entry, name: str) -> str | None:
    value = entry.data.get(name)
    if value is None or isinstance(value, bool | dict | list):
        return None
    return str(value)


def _people_in(entry: Entry, name: str) -> list[str]:
    """``data[name]`` as a list of people (a list of ids, or one id)."""
    value = entry.data.get(name)
    if isinstance(value, list):
        return [str(v) for v in value if v is not None and not isinstance(v, bool | dict | list)]
    one = _key(entry, name)
    return [one] if one is not None else []


def _person(entry: Entry) -> str | None:
    return _key(entry, "person") or entry.person


def _target(entry: Entry) -> str:
    return entry.target or f"seq:{entry.seq}"


def _of(inp: EvalInput, *verbs: str) -> Iterator[tuple[Entry, str]]:
    wanted = frozenset(verbs)
    for entry, month in zip(inp.entries, entry_months(inp), strict=True):
        if entry.verb in wanted:
            yield entry, month


def _day(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _tally(months: Iterable[str]) -> dict[str, int]:
    per_month: dict[str, int] = {}
    for month in months:
        per_month[month] = per_month.get(month, 0) + 1
    return per_month


# --- courses ------------------------------------------------------------------------------------


def enrolments(inp: EvalInput) -> dict[str, AnyCell]:
    """Enrolments made in the month: a place on a course or on its waiting list (one person's
    enrolments in one course count once a month; a later cancellation does not take it back)."""
    seen: set[tuple[str, str | None, str | None]] = set()
    for entry, month in _of(inp, ENROLLED):
        seen.add((month, _key(entry, "course"), _person(entry) or _target(entry)))
    per_month = _tally(month for month, _course, _who in seen)
    return {m: count(per_month.get(m, 0)) for m in inp.months}


def _decisions(inp: EvalInput) -> dict[str, tuple[str, bool, Entry]]:
    """Each enrolment's completion decision (the first): (month, completed?, entry)."""
    cached = inp.cache.get("learning:decisions")
    if cached is None:
        cached = {}
        for entry, month in _of(inp, COMPLETED, NOT_COMPLETED):
            cached.setdefault(_target(entry), (month, entry.verb == COMPLETED, entry))
        inp.cache["learning:decisions"] = cached
    result: dict[str, tuple[str, bool, Entry]] = cached
    return result


def completions(inp: EvalInput) -> dict[str, AnyCell]:
    """Learners whose completion of a course was decided as completed in the month."""
    per_month = _tally(month for month, done, _e in _decisions(inp).values() if done)
    return {m: count(per_month.get(m, 0)) for m in inp.months}


def completion_rate(inp: EvalInput) -> dict[str, AnyCell]:
    """Of the completions decided in the month, the share decided as completed."""
    decided = _tally(month for month, _done, _e in _decisions(inp).values())
    done = _tally(month for month, completed, _e in _decisions(inp).values() if completed)
    return {m: rate(done.get(m, 0), decided.get(m, 0)) for m in inp.months}


# --- qualifications -----------------------------------------------------------------------------


@dataclass
class _Award:
    person: str
    qualification: str
    month: str  # when it was journalled
    valid_from: date | None
    valid_until: date | None
    revoked_month: str | None = None

    def held_at_end_of(self, month: str) -> bool:
        day = month_last_day(month)
        return (
            self.month <= month
            and (self.revoked_month is None or self.revoked_month > month)
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_until is None or self.valid_until >= day)
        )


def _awards(inp: EvalInput) -> list[_Award]:
    cached = inp.cache.get("learning:awards")
    if cached is None:
        by_target: dict[str, _Award] = {}
        for entry, month in _of(inp, GRANTED, RECORDED, REVOKED):
            target = _target(entry)
            if entry.verb == REVOKED:
                award = by_target.get(target)
                if award is not None and award.revoked_month is None:
                    award.revoked_month = month
                continue
            person, code = _key(entry, "person"), _key(entry, "qualification")
            if person is None or code is None or target in by_target:
                continue
            by_target[target] = _Award(
                person,
                code,
                month,
                _day(entry.data.get("valid_from")),
                _day(entry.data.get("valid_until")),
            )
        cached = list(by_target.values())
        inp.cache["learning:awards"] = cached
    result: list[_Award] = cached
    return result


def qualified(inp: EvalInput, code: str) -> dict[str, AnyCell]:
    """Verified residents at the end of the month who hold ``code`` on its last day: an award
    journalled by then, valid that day, not revoked by then (a renewal is one more award: the
    person counts once)."""
    awards = [a for a in _awards(inp) if a.qualification == code]
    cells: dict[str, AnyCell] = {}
    for m in inp.months:
        verified = verified_at_month_end(inp, m)
        holders = {a.person for a in awards if a.held_at_end_of(m)}
        cells[m] = count(len(holders & verified))
    return cells


def qualified_leadership(inp: EvalInput) -> dict[str, AnyCell]:
    return qualified(inp, "leadership")


def qualified_mediation(inp: EvalInput) -> dict[str, AnyCell]:
    return qualified(inp, "mediation")


def qualified_chairing(inp: EvalInput) -> dict[str, AnyCell]:
    return qualified(inp, "chairing")


def qualified_first_aid(inp: EvalInput) -> dict[str, AnyCell]:
    return qualified(inp, "first_aid")


def qualified_digital_helper(inp: EvalInput) -> dict[str, AnyCell]:
    return qualified(inp, "digital_helper")


# --- leaders ------------------------------------------------------------------------------------


def _first_led(inp: EvalInput) -> dict[str, str]:
    """Each person's month of their first act as a leader in the journal (see the docstring)."""
    cached = inp.cache.get("learning:first_led")
    if cached is None:
        registrations: dict[str, str] = {}
        first: dict[str, str] = {}
        verbs = (VOLUNTEER_REGISTERED, TEAM_LEADER, TERM_STARTED, ROLE_GRANTED)
        for entry, month in _of(inp, *verbs, COMPLETED, NOT_COMPLETED):
            leaders: list[str] = []
            if entry.verb == VOLUNTEER_REGISTERED:
                volunteer, person = _key(entry, "volunteer"), _person(entry)
                if volunteer is not None and person is not None:
                    registrations.setdefault(volunteer, person)
            elif entry.verb == TEAM_LEADER:
                person = _key(entry, "person") or registrations.get(_key(entry, "volunteer") or "")
                leaders = [person] if person else []
            elif entry.verb == TERM_STARTED:
                leaders = _people_in(entry, "user")
            elif entry.verb == ROLE_GRANTED:
                if entry.data.get("role") in LEADING_ROLES:
                    leaders = _people_in(entry, "user")
            else:
                leaders = _people_in(entry, "trainers")
            for person in leaders:
                first.setdefault(person, month)
        cached = first
        inp.cache["learning:first_led"] = cached
    result: dict[str, str] = cached
    return result


def new_leaders(inp: EvalInput) -> dict[str, AnyCell]:
    """People whose first act as a leader the journal shows falls in the month."""
    per_month = _tally(_first_led(inp).values())
    return {m: count(per_month.get(m, 0)) for m in inp.months}


def leadership_share(inp: EvalInput) -> dict[str, AnyCell]:
    """Of the verified residents at the end of the month, the share who have led (a first act
    as a leader on or before it): split by grid and group, it shows who leads."""
    first = _first_led(inp)
    cells: dict[str, AnyCell] = {}
    for m in inp.months:
        verified = verified_at_month_end(inp, m)
        led = frozenset(p for p, month in first.items() if month <= m)
        cells[m] = PeopleCell(led & verified, verified)
    return cells


# --- how leadership spreads ---------------------------------------------------------------------


def network_reach(inp: EvalInput) -> dict[str, AnyCell]:
    """People the spread network reached by the end of the month, since the journal began:
    those who joined through a neighbour's invitation link or accepted an invitation to lead
    (each person once)."""
    first: dict[str, str] = {}
    for entry, month in _of(inp, JOINED, ACCEPTED):
        person = _person(entry)
        if person is not None:
            first.setdefault(person, month)
    cells: dict[str, AnyCell] = {}
    for m in inp.months:
        cells[m] = count(sum(1 for month in first.values() if month <= m))
    return cells
