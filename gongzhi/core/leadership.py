"""The leadership ladder's shapes (R8.2), so that any app can say what in its records shows a
person leading, without core or the learning app knowing the app.

The rungs, lowest first: took part → volunteered → organised an activity → facilitated or
chaired → leads a team or body → trains others. An app declares in its manifest:

- ``LEADERSHIP_EVIDENCE = {code: Evidence(rung, label, source)}``: ``source`` is the dotted path
  of ``source(community_id, user_ids) -> Iterable[Fact]`` — for each person of ``user_ids`` (or
  of the whole community when None) who has this evidence, one ``Fact`` with the first and last
  time and how many times. A source reads the app's own tables through their indexes.
  ``Evidence.rows`` (optional) is the dotted path of ``rows(community_id) -> list[QuerySet]``:
  the same facts for the whole community as unevaluated QuerySets of values named ``uid``,
  ``first_at``, ``last_at`` (moments: a day through ``DayStart``) and ``times`` (a person may
  have several rows), so that the pipeline can rank a whole community in one SQL statement.
- ``LEADERSHIP_STEPS = {code: Step(rung, label, url_name)}``: something a person can try to
  reach ``rung`` (sign up for a shift, chair a meeting), linked by a URL name that takes the
  community's ``slug``; ``role`` names the requirable role it leads to, if any
  (``core/requirements.py``), so the pathway can suggest the course its qualification needs.

The learning app reads them (``gongzhi/learning/ladder.py`` computes a person's rung as the
highest rung their facts support).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, NamedTuple, cast

from django.core.exceptions import ImproperlyConfigured
from django.db import NotSupportedError
from django.db.models import DateTimeField, Func
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.manifests import collect

TOOK_PART, VOLUNTEERED, ORGANISED, CHAIRED, LEADS, TRAINS = 1, 2, 3, 4, 5, 6

#: rung → what a person reads (0: nothing recorded yet)
RUNG_LABELS = {
    0: _("not yet on the ladder"),
    TOOK_PART: _("took part"),
    VOLUNTEERED: _("volunteered"),
    ORGANISED: _("organised an activity"),
    CHAIRED: _("facilitated or chaired"),
    LEADS: _("leads a team or body"),
    TRAINS: _("trains others"),
}
RUNGS = tuple(range(TOOK_PART, TRAINS + 1))


class Fact(NamedTuple):
    """What one source found for one person."""

    user_id: int
    first_at: datetime
    last_at: datetime
    times: int


@dataclass(frozen=True)
class Evidence:
    rung: int
    #: gettext_lazy: "chaired a meeting"
    label: Any
    #: dotted path of ``source(community_id, user_ids | None) -> Iterable[Fact]``
    source: str
    order: int = 100
    #: dotted path of ``rows(community_id) -> list[QuerySet]`` (the whole community's facts as
    #: SQL, see above), or "" when the source has none (the pipeline then reads it in Python)
    rows: str = ""

    def __post_init__(self) -> None:
        if self.rung not in RUNGS:
            raise ImproperlyConfigured(f"evidence {self.source!r}: rung {self.rung} is not 1–6")


@dataclass(frozen=True)
class Step:
    rung: int
    #: gettext_lazy: "Chair a meeting of a body"
    label: Any
    #: a URL name taking ``slug`` (the community's)
    url_name: str
    #: the requirable role this step leads to ("meetings.chair"), or ""
    role: str = ""
    order: int = 100

    def __post_init__(self) -> None:
        if self.rung not in RUNGS:
            raise ImproperlyConfigured(f"step {self.url_name!r}: rung {self.rung} is not 1–6")


def evidence_registry() -> dict[str, Evidence]:
    """``{code: Evidence}`` from every app's manifest."""
    return cast("dict[str, Evidence]", collect("LEADERSHIP_EVIDENCE"))


def step_registry() -> dict[str, Step]:
    """``{code: Step}`` from every app's manifest."""
    return cast("dict[str, Step]", collect("LEADERSHIP_STEPS"))


def merge_facts(rows: Iterable[tuple[int, datetime | date, datetime | date, int]]) -> list[Fact]:
    """One ``Fact`` per person from a source's ``(user_id, first, last, times)`` rows (several
    rows of one person, from two tables or two readings, are added up); a day is read as its
    start in the current time zone."""
    merged: dict[int, Fact] = {}
    for user_id, first, last, times in rows:
        if user_id is None:
            continue
        first_at, last_at = _moment(first), _moment(last)
        known = merged.get(user_id)
        if known is not None:
            first_at = min(known.first_at, first_at)
            last_at = max(known.last_at, last_at)
            times += known.times
        merged[user_id] = Fact(user_id, first_at, last_at, times)
    return list(merged.values())


def _moment(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time.min))


class DayStart(Func):
    """A day (a ``DateField``) as the moment it starts in the current time zone, in SQL — what
    ``merge_facts`` makes of a day in Python. PostgreSQL converts with its zone database; SQLite
    adds the zone's offset of today (exact for a zone whose offset has not changed, like
    Asia/Shanghai since 1991)."""

    output_field = DateTimeField()
    arity = 1

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        sql, params = compiler.compile(self.source_expressions[0])
        zone = timezone.get_current_timezone_name()
        return f"(({sql})::timestamp AT TIME ZONE %s)", (*params, zone)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        sql, params = compiler.compile(self.source_expressions[0])
        offset = timezone.localtime().utcoffset()
        seconds = -int(offset.total_seconds()) if offset is not None else 0
        return f"datetime({sql}, %s)", (*params, f"{seconds:+d} seconds")

    def as_sql(self, *args: Any, **kwargs: Any) -> Any:
        raise NotSupportedError("DayStart: PostgreSQL or SQLite only")
