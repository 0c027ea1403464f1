"""Evaluation's writes: rebuilding a community's indicator rollups from its journal, exporting the
journal for anyone to recompute them, and recording the interventions a community started.

The rollups and the export read the journal through the same two functions, ``entries`` and
``persons``, with the same pseudonyms, so ``manage.py indicators SLUG``, ``manage.py indicators
--from-export DIR`` and the dashboard's rows agree (tests/evaluation/test_export.py).

A person is named by a pseudonym (``pid``): the first 16 hex digits of HMAC-SHA256, under the
journal key, of ``"<community id>:<user id>"``. It is stable within a community, and the same
person has unrelated pids in two communities, so two exports cannot be joined on them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.manifests import indicator_registry
from gongzhi.core.models import GENESIS_KEY_ID, Activity, Community, Membership
from gongzhi.core.soon import run_soon
from gongzhi.evaluation import engine
from gongzhi.evaluation.engine import AGE_BANDS, AnyCell, Entry, EvalInput, PeopleCell, Person
from gongzhi.evaluation.models import (
    IndicatorValue,
    Intervention,
    InterventionKind,
    Refresh,
)
from gongzhi.evaluation.policies import can_record_intervention
from gongzhi.evaluation.suppress import DEFAULT_THRESHOLD, suppress

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

#: How many months before the current one the rollups cover (the current month is added).
MONTHS_BACK = 24
#: A refresh requested from a page waits this long, so a burst of views refreshes once.
REFRESH_DELAY = 30.0
PSEUDONYMS = "HMAC-SHA256 of community id and user id under the journal key, 16 hex"
#: Keys of an entry's data that name a person (by user id, or a list of them): exported as
#: pseudonyms too, with the targets that are accounts, so no global user id leaves in an export.
#: Learning names trainers, recruiters, inviters and the holders a requirement kept; covenants
#: name the author of an amendment the drafting body or a vote decided.
PERSON_DATA_KEYS = frozenset(
    {
        "user",
        "handler",
        "reviewer",
        "person",
        "trainers",
        "recruited_by",
        "recruiter",
        "invited_by",
        "kept",
        "author",
    }
)
PERSON_TARGET = "accounts.user"
EXPORT_FORMAT = 1


# --- Pseudonyms, persons, entries --------------------------------------------------------------


def pseudonym(community_id: int, user_id: int) -> str:
    """A person's pid in one community (see the module's docstring)."""
    message = f"{community_id}:{user_id}".encode()
    return hmac.new(settings.JOURNAL_KEY.encode(), message, hashlib.sha256).hexdigest()[:16]


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def age_band(birth_year: int | None, today: date) -> str | None:
    """The age band of a declared year of birth, as of ``today``'s year."""
    if birth_year is None:
        return None
    age = today.year - birth_year
    if age < 30:
        return AGE_BANDS[0]
    if age < 45:
        return AGE_BANDS[1]
    if age < 60:
        return AGE_BANDS[2]
    if age < 75:
        return AGE_BANDS[3]
    return AGE_BANDS[4]


def persons(community: Community, *, today: date | None = None) -> dict[str, Person]:
    """The community's members as pseudonymous persons: when verified (a date in the community's
    time zone), grid and building of their household, and, only with their consent, their
    groups and age band.

    People whose membership was deleted (they left, or their account was erased) are no longer
    here: their past acts stay in the journal, but they no longer count in any month's
    denominator or numerator. ``left_on`` is therefore None for everyone today."""
    zone = tz()
    today = today or timezone.localdate()
    rows = (
        Membership.objects.in_community(community)
        .order_by("pk")
        .values_list(
            "user_id",
            "verified_at",
            "household__building__name",
            "household__building__grid__name",
            "groups_consented_at",
            "is_elderly",
            "has_disability",
            "is_low_income",
            "birth_year",
        )
    )
    found: dict[str, Person] = {}
    for (
        user_id,
        verified_at,
        building,
        grid,
        consented_at,
        elderly,
        disabled,
        low_income,
        birth_year,
    ) in rows.iterator(chunk_size=2000):
        consented = consented_at is not None
        groups = frozenset(
            name
            for name, flag in (
                ("elderly", elderly),
                ("disabled", disabled),
                ("low_income", low_income),
            )
            if consented and flag
        )
        pid = pseudonym(community.pk, user_id)
        found[pid] = Person(
            pid=pid,
            verified_on=verified_at.astimezone(zone).date() if verified_at else None,
            left_on=None,
            grid=grid,
            building=building,
            consented=consented,
            groups=groups,
            age_band=age_band(birth_year, today) if consented else None,
        )
    return found


@dataclass(frozen=True)
class ExportedEntry:
    """One journal entry as exported: the engine's ``Entry`` plus what proves the chain."""

    entry: Entry
    prev_hash: str
    hash: str
    key_id: str


def _pseudonymous(value: Any, pid: Callable[[int | None], str | None]) -> Any:
    """A person's user id (or a list of them) in an entry's data, as pseudonyms."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return pid(value)
    if isinstance(value, list):
        return [_pseudonymous(v, pid) for v in value]
    return value


def _targets() -> dict[int, str]:
    return {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}


def exported_entries(community: Community) -> Iterator[ExportedEntry]:
    """The community's chained journal in seq order, streamed, persons as pseudonyms."""
    targets = _targets()
    cid = community.pk
    pids: dict[int, str] = {}

    def pid(user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in pids:
            pids[user_id] = pseudonym(cid, user_id)
        return pids[user_id]

    rows = (
        Activity.objects.in_community(community)
        .filter(seq__isnull=False)
        .order_by("seq")
        .values_list(
            "seq",
            "at",
            "verb",
            "actor_id",
            "on_behalf_of_id",
            "target_type_id",
            "target_id",
            "data",
            "prev_hash",
            "hash",
        )
    )
    key_id = GENESIS_KEY_ID
    for seq, at, verb, actor, behalf, ttype, tid, data, prev_hash, entry_hash in rows.iterator(
        chunk_size=5000
    ):
        rotation = verb == journal.ROTATION_VERB
        if rotation and seq == 1 and data.get("from") is None:
            key_id = str(data.get("to"))
        target = targets.get(ttype, "?") if ttype is not None else ""
        if target == PERSON_TARGET and tid.isdigit():
            tid = pid(int(tid)) or ""
        if data and PERSON_DATA_KEYS.intersection(data):
            data = {
                k: _pseudonymous(v, pid) if k in PERSON_DATA_KEYS else v for k, v in data.items()
            }
        entry = Entry(
            seq=seq or 0,  # chained entries only (filtered above)
            at=at.astimezone(UTC),
            verb=verb,
            actor=pid(actor),
            target=f"{target}:{tid}" if target else "",
            data=data or {},
            on_behalf_of=pid(behalf),
        )
        yield ExportedEntry(entry, prev_hash, entry_hash, key_id)
        if rotation and not (seq == 1 and data.get("from") is None):
            # A rotation entry is signed under the old key; the entries after it, the new one.
            key_id = str(data.get("to"))


def entries(community: Community) -> Iterator[Entry]:
    """The community's chained journal in seq order as the engine reads it (streamed)."""
    for exported in exported_entries(community):
        yield exported.entry


def months_until(today: date, back: int = MONTHS_BACK) -> list[str]:
    """The ``back`` months before ``today``'s month and that month, "YYYY-MM", ascending."""
    last = f"{today:%Y-%m}"
    return engine.months_between(engine.shift_month(last, -back), last)


def eval_input(community: Community, months: Sequence[str] | None = None) -> EvalInput:
    """Everything the indicators read for ``community``, from the database. The indicators
    that are not journal-only (they read an app's rows) find the community's id in
    ``inp.cache["community_id"]``."""
    today = timezone.localdate()
    inp = EvalInput(
        entries=list(entries(community)),
        persons=persons(community, today=today),
        months=list(months) if months is not None else months_until(today),
        tz=tz(),
    )
    inp.cache["community_id"] = community.pk
    return inp


def journal_specs() -> dict[str, str]:
    """``{key: compute path}`` of every registered indicator computable from the journal alone."""
    return {key: i.compute for key, i in sorted(indicator_registry().items()) if i.journal_only}


def compute(inp: EvalInput, *, journal_only: bool = False) -> dict[str, dict[str, AnyCell]]:
    """Every registered indicator (or only the journal-only ones) for every month of ``inp``."""
    specs = (
        journal_specs() if journal_only else {k: i.compute for k, i in indicator_registry().items()}
    )
    return engine.evaluate(inp, specs)


# --- The rollups -------------------------------------------------------------------------------


def _split(inp: EvalInput) -> dict[str, list[tuple[str, frozenset[str]]]]:
    """The partitions of the people a PeopleCell can be split into: ``{dimension: [(group,
    pids)]}``, each partition covering everyone. Persons with no grid, building or declared age
    band form the cell "grid:", "building:", "age:" (nobody is left out of a partition, or
    they could be subtracted out of the total)."""
    people = inp.persons.values()

    def by(label: str, value: Any) -> list[tuple[str, frozenset[str]]]:
        cells: dict[str, set[str]] = {}
        for person in people:
            cells.setdefault(f"{label}:{value(person) or ''}", set()).add(person.pid)
        return [(group, frozenset(pids)) for group, pids in sorted(cells.items())]

    partitions = {
        "grid": by("grid", lambda p: p.grid),
        "building": by("building", lambda p: p.building),
        "age": by("age", lambda p: p.age_band),
    }
    for group in engine.GROUPS:
        members = frozenset(p.pid for p in people if group in p.groups)
        everyone_else = frozenset(p.pid for p in people) - members
        partitions[group] = [(f"{group}:yes", members), (f"{group}:no", everyone_else)]
    return partitions


def rollup_rows(
    community: Community,
    inp: EvalInput,
    results: Mapping[str, Mapping[str, AnyCell]],
    *,
    threshold: int,
) -> list[IndicatorValue]:
    """The IndicatorValue rows of ``results``: everyone's figure per indicator and month, and,
    for rates over people, one row per group of each split, small cells suppressed."""
    registry = indicator_registry()
    partitions = _split(inp)
    building_grid = {
        f"building:{p.building}": f"grid:{p.grid}"
        for p in inp.persons.values()
        if p.building and p.grid
    }
    rows: list[IndicatorValue] = []

    def row(key: str, month: str, group: str, cell: AnyCell, hidden: bool) -> IndicatorValue:
        numerator, denominator, value = engine.cell_parts(cell)
        people = len(cell.denominator) if isinstance(cell, PeopleCell) else None
        if hidden:
            numerator, denominator, value, people = 0.0, None, None, None
        return IndicatorValue(
            community=community,
            key=key,
            month=engine.month_first_day(month),
            group=group,
            numerator=numerator,
            denominator=denominator,
            value=value,
            people=people,
            suppressed=hidden,
        )

    for key, by_month in results.items():
        indicator = registry.get(key)
        for month, cell in by_month.items():
            if not isinstance(cell, PeopleCell):
                rows.append(row(key, month, "", cell, False))
                continue
            # Everyone's figure is shown, however few people: it splits nobody out, and the
            # export that anyone may recompute shows it too. Only the group splits are hidden.
            rows.append(row(key, month, "", cell, False))
            if indicator is not None and not indicator.people:
                continue
            hidden_grids: set[str] = set()
            for dimension in ("grid", "building", "age", *engine.GROUPS):
                cells = {group: cell.restricted(pids) for group, pids in partitions[dimension]}
                counts = {g: (len(c.numerator), len(c.denominator)) for g, c in cells.items()}
                hidden = suppress(
                    counts,
                    threshold=threshold,
                    nested=building_grid if dimension == "building" else None,
                )
                if dimension == "grid":
                    hidden_grids = {g for g, h in hidden.items() if h}
                if dimension == "building":
                    # A hidden grid would be the sum of its shown buildings: hide them too.
                    hidden = {
                        g: h or building_grid.get(g) in hidden_grids for g, h in hidden.items()
                    }
                rows.extend(row(key, month, g, c, hidden[g]) for g, c in cells.items())
    return rows


_COLUMNS = (
    "community",
    "key",
    "month",
    "group",
    "numerator",
    "denominator",
    "value",
    "people",
    "suppressed",
)


def _insert(rows: Sequence[IndicatorValue]) -> None:
    """The INSERT that ``bulk_create`` would send, without its per-value ORM work (which took
    half of a refresh): the values are plain numbers, text and one date per month."""
    meta = IndicatorValue._meta
    quote = connection.ops.quote_name
    fields = {f.name: f for f in meta.concrete_fields}
    columns = ", ".join(quote(fields[name].column) for name in _COLUMNS)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 (the model's own names)
        f"VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
    )
    dates: dict[date, Any] = {}
    values = []
    for r in rows:
        if r.month not in dates:
            dates[r.month] = connection.ops.adapt_datefield_value(r.month)
        values.append(
            (
                r.community_id,
                r.key,
                dates[r.month],
                r.group,
                r.numerator,
                r.denominator,
                r.value,
                r.people,
                r.suppressed,
            )
        )
    with connection.cursor() as cursor:
        for start in range(0, len(values), 5000):
            cursor.executemany(sql, values[start : start + 5000])


def refresh(*, community: Community) -> int:
    """Rebuild ``community``'s rollups: every registered indicator over the last 24 months and
    the current one, split and suppressed; the rows are replaced in one transaction. Returns
    how many rows were written."""
    started = time.perf_counter()
    inp = eval_input(community)
    results = compute(inp)
    threshold = int(getattr(settings, "EVALUATION_MIN_CELL", DEFAULT_THRESHOLD))
    rows = rollup_rows(community, inp, results, threshold=threshold)
    with transaction.atomic():
        IndicatorValue.objects.in_community(community).delete()
        _insert(rows)
        Refresh.objects.in_community(community).update_or_create(
            community=community,
            defaults={
                "refreshed_at": timezone.now(),
                "entries": len(inp.entries),
                "seconds": time.perf_counter() - started,
            },
        )
    return len(rows)


def request_refresh_if_stale(community: Community) -> bool:
    """From a page: ask for a refresh when the rollups are older than
    ``EVALUATION_REFRESH_SECONDS`` (or were never built); True if one was asked for. The
    nightly ``manage.py refresh_indicators`` keeps them fresh without anyone looking."""
    max_age = float(getattr(settings, "EVALUATION_REFRESH_SECONDS", 6 * 3600))
    last = Refresh.objects.in_community(community).values_list("refreshed_at", flat=True).first()
    if last is not None and (timezone.now() - last).total_seconds() < max_age:
        return False
    request_refresh(community.pk)
    return True


def request_refresh(community_id: int) -> None:
    """Refresh soon (after the commit; with the database task backend, as a task at most once
    per ``REFRESH_DELAY`` seconds per community)."""
    from gongzhi.evaluation.tasks import refresh_indicators

    run_soon(
        refresh_indicators,
        community_id,
        key=community_id,
        delay=REFRESH_DELAY,
        now=lambda: refresh(community=Community.objects.get(pk=community_id)),
    )


# --- The export --------------------------------------------------------------------------------


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def journal_export(community: Community, out: Path | str) -> dict[str, int]:
    """Write ``community``'s journal (journal.jsonl), its pseudonymous persons (persons.jsonl)
    and meta.json into the directory ``out``; returns how many entries and persons. An operator's
    command: who may export is checked by the caller (the web export checks the policy)."""
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    today = timezone.localdate()
    count = 0
    with (directory / "journal.jsonl").open("w", encoding="utf-8") as lines:
        for exported in exported_entries(community):
            entry = exported.entry
            row = {
                "seq": entry.seq,
                "at": entry.at.isoformat().replace("+00:00", "Z"),
                "verb": entry.verb,
                "actor": entry.actor,
                "on_behalf_of": entry.on_behalf_of,
                "target": entry.target,
                "data": entry.data,
                "prev_hash": exported.prev_hash,
                "hash": exported.hash,
                "key_id": exported.key_id,
            }
            lines.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
            count += 1
    people = persons(community, today=today)
    with (directory / "persons.jsonl").open("w", encoding="utf-8") as lines:
        for person in people.values():
            row = {
                "pid": person.pid,
                "verified_on": _iso(person.verified_on),
                "left_on": _iso(person.left_on),
                "grid": person.grid,
                "building": person.building,
                "consented": person.consented,
                "groups": sorted(person.groups),
                "age_band": person.age_band,
            }
            lines.write(json.dumps(row, ensure_ascii=False) + "\n")
    meta = {
        "format": EXPORT_FORMAT,
        "community": community.slug,
        "exported_at": timezone.now().astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "timezone": settings.TIME_ZONE,
        "months": months_until(today),
        "pseudonyms": PSEUDONYMS,
        # What the pseudonyms replace: the chain's hashes are of the entries as stored, so they
        # prove order and completeness against the community's published head, not content.
        "pseudonymised": [
            "actor",
            "on_behalf_of",
            "target accounts.user",
            "data user/handler/reviewer",
        ],
    }
    (directory / "meta.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return {"entries": count, "persons": len(people)}


# --- Interventions -----------------------------------------------------------------------------


def _require_recorder(actor: User, community: Community) -> None:
    if not can_record_intervention(actor, community):
        raise PermissionDenied(
            _(
                "Only community workers, the officials overseeing the community and platform administrators record interventions."
            )
        )


def _check_dates(started_on: date, ended_on: date | None) -> None:
    if ended_on is not None and ended_on < started_on:
        raise ValidationError(
            {"ended_on": _("An intervention cannot end before it starts.")},
            code="ends_before_start",
        )


def intervention_record(
    *,
    actor: User,
    community: Community,
    name: str,
    kind: str,
    started_on: date,
    ended_on: date | None = None,
    description: str = "",
) -> Intervention:
    """Record that ``community`` started something (a programme, a training, a new body) on
    ``started_on``: the treatment the before/after comparisons read."""
    _require_recorder(actor, community)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Please give the intervention a name.")
    elif len(name) > 120:
        errors["name"] = _("A name has at most 120 characters.")
    if kind not in InterventionKind.values:
        errors["kind"] = _("Please choose what kind of intervention this is.")
    if errors:
        raise ValidationError(errors)
    _check_dates(started_on, ended_on)
    with transaction.atomic():
        intervention = Intervention.objects.create(
            community=community,
            name=name,
            kind=kind,
            started_on=started_on,
            ended_on=ended_on,
            description=(description or "").strip(),
            recorded_by=actor,
        )
        journal.record(
            community=community,
            actor=actor,
            verb="evaluation.intervention_recorded",
            target=intervention,
            data={
                "name": name,
                "kind": kind,
                "started_on": started_on.isoformat(),
                "ended_on": _iso(ended_on),
            },
        )
    return intervention


def intervention_end(*, actor: User, intervention: Intervention, ended_on: date) -> Intervention:
    """Record the day an intervention ended (once)."""
    community = intervention.community
    _require_recorder(actor, community)
    with transaction.atomic():
        locked = (
            Intervention.objects.in_community(community).select_for_update().get(pk=intervention.pk)
        )
        if locked.ended_on is not None:
            raise ValidationError(
                {"ended_on": _("This intervention's end is already recorded.")},
                code="already_ended",
            )
        _check_dates(locked.started_on, ended_on)
        locked.ended_on = ended_on
        locked.save(update_fields=["ended_on"])
        journal.record(
            community=community,
            actor=actor,
            verb="evaluation.intervention_ended",
            target=locked,
            data={"ended_on": ended_on.isoformat()},
        )
    intervention.ended_on = ended_on
    return locked
