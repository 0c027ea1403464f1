"""Volunteering for evaluation, from the journal alone (issue 17, "Evaluation").

Read from what the volunteering services journal:

- ``volunteer.registered`` / ``volunteer.withdrawn``: ``data["volunteer"]`` (the registration's
  id); whose registration it is is the entry's person (the resident a worker registered on
  their behalf, else the actor). A registration's person is how a ledger entry, which names
  only the volunteer, is turned into a person (a pseudonym in an export).
- ``hours.confirmed``: one confirmed service: ``data["volunteer"]``, the minutes credited by
  the community's rule (``credited_minutes``; ``credited`` or ``minutes`` are read too), the
  day served (``served_on``, else the day it was confirmed) and the ledger entry (``entry``,
  else the entry's target). ``data["person"]`` (a user id, a pseudonym in an export) is used
  when present. A corrected amount (``corrects``: the entry it replaces, reversed just before)
  counts in the month of the service it corrects.
- ``hours.reversed``: a reversal of one (``reverses``/``entry``/the target names the reversed
  entry): its minutes come off the month the service was in, and a service reversed in full
  no longer makes its volunteer active.
- ``exchange.confirmed``: a side confirms a mutual-aid exchange took place; it is done when an
  entry says so (``done: true`` or ``status: "done"``) or both sides (two different people)
  have confirmed it. Each exchange counts once, in the month it was done.

Months are calendar months in the community's time zone. "Served in a month" means: at least
one confirmed service with credited time on a day of that month, not reversed in full. No
Django here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from gongzhi.evaluation.engine import (
    AnyCell,
    Entry,
    EvalInput,
    PeopleCell,
    count,
    entry_months,
    shift_month,
    verified_at_month_end,
)

REGISTERED, WITHDRAWN = "volunteer.registered", "volunteer.withdrawn"
CONFIRMED, REVERSED = "hours.confirmed", "hours.reversed"
EXCHANGE_CONFIRMED = "exchange.confirmed"
#: Retention looks this many months ahead of the month a volunteer served.
RETENTION_MONTHS = 3


def _key(entry: Entry, name: str) -> str | None:
    value = entry.data.get(name)
    if value is None or isinstance(value, bool | dict | list):
        return None
    return str(value)


def _minutes(entry: Entry) -> int:
    for name in ("credited_minutes", "credited", "minutes"):
        value = entry.data.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return abs(int(value))
    return 0


def _target_id(entry: Entry) -> str | None:
    _model, sep, pk = entry.target.rpartition(":")
    return pk if sep and pk else None


def _of(inp: EvalInput, *verbs: str) -> Iterator[tuple[Entry, str]]:
    wanted = frozenset(verbs)
    for entry, month in zip(inp.entries, entry_months(inp), strict=True):
        if entry.verb in wanted:
            yield entry, month


# --- registrations ------------------------------------------------------------------------------


def _people(inp: EvalInput) -> dict[str, str]:
    """Each registration (volunteer id) → its person's pid (shared: cached on ``inp``)."""
    cached = inp.cache.get("volunteering:people")
    if cached is None:
        cached = {}
        for entry, _month in _of(inp, REGISTERED):
            volunteer = _key(entry, "volunteer")
            person = _key(entry, "person") or entry.person
            if volunteer is not None and person is not None:
                cached.setdefault(volunteer, person)
        inp.cache["volunteering:people"] = cached
    result: dict[str, str] = cached
    return result


def volunteers(inp: EvalInput) -> dict[str, AnyCell]:
    """Registrations in force at the end of the month: registered (again) and not withdrawn
    since."""
    changes: list[tuple[str, str, bool]] = []  # (month, volunteer, registered?)
    for entry, month in _of(inp, REGISTERED, WITHDRAWN):
        volunteer = _key(entry, "volunteer")
        if volunteer is not None:
            changes.append((month, volunteer, entry.verb == REGISTERED))
    cells: dict[str, AnyCell] = {}
    state: dict[str, bool] = {}
    position = 0
    for m in sorted(inp.months):
        while position < len(changes) and changes[position][0] <= m:
            _when, volunteer, registered = changes[position]
            state[volunteer] = registered
            position += 1
        cells[m] = count(sum(state.values()))
    return cells


# --- service ------------------------------------------------------------------------------------


@dataclass
class _Service:
    volunteer: str | None
    person: str | None
    month: str
    minutes: int
    reversed_minutes: int = 0

    @property
    def counts(self) -> bool:
        return self.minutes - self.reversed_minutes > 0


def _served_month(entry: Entry, fallback: str) -> str:
    value = entry.data.get("served_on")
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return fallback
        return f"{day.year:04d}-{day.month:02d}"
    return fallback


def _services(inp: EvalInput) -> tuple[dict[str, _Service], dict[str, int]]:
    """Every confirmed service (by ledger entry) with what was reversed of it, and the minutes
    of reversals whose service the journal does not name (by the reversal's month)."""
    cached = inp.cache.get("volunteering:services")
    if cached is None:
        people = _people(inp)
        services: dict[str, _Service] = {}
        unmatched: dict[str, int] = {}
        for entry, month in _of(inp, CONFIRMED, REVERSED):
            if entry.verb == CONFIRMED:
                key = _key(entry, "entry") or _target_id(entry) or f"seq:{entry.seq}"
                if key in services:
                    continue
                volunteer = _key(entry, "volunteer")
                person = _key(entry, "person") or (people.get(volunteer) if volunteer else None)
                # A corrected amount is a new service in the corrected one's month.
                corrected = services.get(_key(entry, "corrects") or "")
                served = corrected.month if corrected else _served_month(entry, month)
                services[key] = _Service(volunteer, person, served, _minutes(entry))
                continue
            reversed_key = next(
                (
                    k
                    for k in (_key(entry, "reverses"), _key(entry, "entry"), _target_id(entry))
                    if k is not None and k in services
                ),
                None,
            )
            if reversed_key is None:
                unmatched[month] = unmatched.get(month, 0) + _minutes(entry)
                continue
            service = services[reversed_key]
            service.reversed_minutes = min(
                service.minutes, service.reversed_minutes + _minutes(entry)
            )
        cached = (services, unmatched)
        inp.cache["volunteering:services"] = cached
    result: tuple[dict[str, _Service], dict[str, int]] = cached
    return result


def _served(inp: EvalInput) -> dict[str, frozenset[str]]:
    """month → the people (pids) who served in it."""
    cached = inp.cache.get("volunteering:served")
    if cached is None:
        served: dict[str, set[str]] = {}
        for service in _services(inp)[0].values():
            if service.counts and service.person is not None:
                served.setdefault(service.month, set()).add(service.person)
        cached = {month: frozenset(people) for month, people in served.items()}
        inp.cache["volunteering:served"] = cached
    result: dict[str, frozenset[str]] = cached
    return result


def active_volunteers(inp: EvalInput) -> dict[str, AnyCell]:
    """Volunteers with at least one confirmed service in the month (not reversed in full)."""
    active: dict[str, set[str]] = {}
    for key, service in _services(inp)[0].items():
        if service.counts:
            active.setdefault(service.month, set()).add(service.volunteer or f"entry:{key}")
    return {m: count(len(active.get(m, ()))) for m in inp.months}


def confirmed_hours(inp: EvalInput) -> dict[str, AnyCell]:
    """Hours credited for services in the month, less what was reversed of them."""
    services, unmatched = _services(inp)
    minutes: dict[str, int] = {}
    for service in services.values():
        minutes[service.month] = (
            minutes.get(service.month, 0) + service.minutes - service.reversed_minutes
        )
    for month, taken in unmatched.items():
        minutes[month] = minutes.get(month, 0) - taken
    return {m: count(round(minutes.get(m, 0) / 60, 2)) for m in inp.months}


def residents_serving(inp: EvalInput) -> dict[str, AnyCell]:
    """Of the verified residents at the end of the month, those who served in it (a person
    rate: it splits by grid, building, group and age band)."""
    served = _served(inp)
    cells: dict[str, AnyCell] = {}
    for m in inp.months:
        verified = verified_at_month_end(inp, m)
        cells[m] = PeopleCell(served.get(m, frozenset()) & verified, verified)
    return cells


def retention(inp: EvalInput) -> dict[str, AnyCell]:
    """The month's cell follows the volunteers who served three months before (still verified
    residents at the end of this month): the share of them who served again in one of the
    three months after it, this month included. So every cell is complete at its month's end."""
    served = _served(inp)
    cells: dict[str, AnyCell] = {}
    for m in inp.months:
        verified = verified_at_month_end(inp, m)
        cohort = served.get(shift_month(m, -RETENTION_MONTHS), frozenset()) & verified
        again: set[str] = set()
        for back in range(RETENTION_MONTHS):
            again |= served.get(shift_month(m, -back), frozenset())
        cells[m] = PeopleCell(frozenset(again) & cohort, cohort)
    return cells


# --- mutual aid ---------------------------------------------------------------------------------


def exchanges_done(inp: EvalInput) -> dict[str, AnyCell]:
    """Mutual-aid exchanges done in the month (both sides confirmed), each once."""
    confirmed_by: dict[str, set[str]] = {}
    done_in: dict[str, str] = {}
    for entry, month in _of(inp, EXCHANGE_CONFIRMED):
        exchange = _key(entry, "exchange") or _target_id(entry)
        if exchange is None or exchange in done_in:
            continue
        people = confirmed_by.setdefault(exchange, set())
        if entry.person is not None:
            people.add(entry.person)
        if entry.data.get("done") is True or entry.data.get("status") == "done" or len(people) > 1:
            done_in[exchange] = month
    per_month: dict[str, int] = {}
    for month in done_in.values():
        per_month[month] = per_month.get(month, 0) + 1
    return {m: count(per_month.get(m, 0)) for m in inp.months}
