"""Dated process phases (阶段): the calendar of a participatory process, without the ORM.

A process — a budget, a consultation, a course, a volunteer drive — runs through ordered phases,
each with a timezone-aware start and an end (the last may stay open). Which phase is active is
computed from the clock, never stored, so nothing has to "switch" a process at midnight; features
(submitting ideas, voting, signing up) ask the schedule whether they are open now. This is the
phase model of adhocracy4 (``modules/phases``) reduced to plain values: an app keeps its dates
however it likes (columns on its own model, or rows of a phase table) and builds a ``Schedule``
from them (``Schedule.contiguous`` for start columns, ``from_rows`` for a phase table).

Rules, checked by ``Schedule`` itself so that no invalid calendar can exist in memory:

- every date is timezone-aware (a naive date would be read in the server's zone, not Beijing's);
- a phase ends when or after it starts (a zero-length phase is allowed: it is simply never
  current, which lets a process skip a step such as a review);
- phases are in order and do not overlap: each begins when or after the one before ends.

Half-open intervals ``[start, end)``: at the very instant a phase ends the next one is current.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

#: One message for every out-of-order calendar, so that forms and services of every app say the
#: same thing (the budgeting form has shown it since issue 5).
ORDER_MESSAGE = gettext_noop(
    "The phases must follow each other: each one begins when or after the one before."
)


@dataclass(frozen=True)
class Phase:
    """One dated phase: ``key`` names it for code, ``features`` are what it opens."""

    key: str
    start: datetime
    end: datetime | None = None
    features: frozenset[str] = field(default_factory=frozenset)

    def contains(self, now: datetime) -> bool:
        return self.start <= now and (self.end is None or now < self.end)


@dataclass(frozen=True)
class Schedule:
    """Ordered, non-overlapping phases; built once, asked many times."""

    phases: tuple[Phase, ...]

    def __post_init__(self) -> None:
        validate(self.phases)

    @classmethod
    def contiguous(
        cls,
        starts: Sequence[tuple[str, datetime]],
        *,
        end: datetime | None = None,
        features: Mapping[str, Iterable[str]] | None = None,
    ) -> Schedule:
        """Phases that follow each other without a gap: each ends when the next starts.

        ``starts`` is ``[(key, start), …]`` in order; the last phase ends at ``end`` (or never).
        This is the shape of a budgeting process, whose columns say only when each phase begins.
        """
        features = features or {}
        ends: list[datetime | None] = [start for _key, start in starts[1:]]
        ends.append(end)
        return cls(
            tuple(
                Phase(key, start, phase_end, frozenset(features.get(key, ())))
                for (key, start), phase_end in zip(starts, ends, strict=True)
            )
        )

    def current(self, now: datetime | None = None) -> Phase | None:
        """The phase active at ``now`` (default: the clock), or None before, between or after."""
        now = now or timezone.now()
        for phase in self.phases:
            if phase.contains(now):
                return phase
        return None

    def current_key(self, now: datetime | None = None, *, default: str = "") -> str:
        phase = self.current(now)
        return phase.key if phase is not None else default

    def is_open(self, feature: str, now: datetime | None = None) -> bool:
        """Whether the phase active now opens ``feature`` (e.g. ``"vote"``)."""
        phase = self.current(now)
        return phase is not None and feature in phase.features

    def get(self, key: str) -> Phase:
        for phase in self.phases:
            if phase.key == key:
                return phase
        raise KeyError(key)

    def has_started(self, key: str, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.get(key).start

    def is_over(self, now: datetime | None = None) -> bool:
        """After the last phase has ended (never, if it is open-ended or there is none)."""
        if not self.phases or self.phases[-1].end is None:
            return False
        return (now or timezone.now()) >= self.phases[-1].end


class PhaseRow(Protocol):
    """A stored phase (a row of an app's phase table): what ``from_rows`` reads."""

    key: str
    starts_at: datetime
    ends_at: datetime | None


def from_rows(
    rows: Iterable[PhaseRow], *, features: Mapping[str, Iterable[str]] | None = None
) -> Schedule:
    """A schedule from stored rows, in start order (an app whose processes have a varying
    number of phases keeps them as rows with ``key``, ``starts_at``, ``ends_at``)."""
    features = features or {}
    ordered = sorted(rows, key=lambda row: row.starts_at)
    return Schedule(
        tuple(
            Phase(row.key, row.starts_at, row.ends_at, frozenset(features.get(row.key, ())))
            for row in ordered
        )
    )


def validate(phases: Sequence[Phase]) -> None:
    """Raise ``ValidationError`` unless the phases are a calendar.

    The message is translated when raised (as a service's own messages are), with a ``code``.
    """
    keys = [phase.key for phase in phases]
    if len(set(keys)) != len(keys):
        raise ValueError(f"phase keys must be distinct: {keys}")
    for phase in phases:
        for moment in (phase.start, phase.end):
            if moment is not None and timezone.is_naive(moment):
                raise ValidationError(
                    _("Each date of a phase needs its time zone."), code="phases_naive"
                )
    # Starts out of order first: in a contiguous schedule they show up as a phase ending early.
    if any(later.start < earlier.start for earlier, later in zip(phases, phases[1:], strict=False)):
        raise ValidationError(_(ORDER_MESSAGE), code="phases_order")
    for phase in phases:
        if phase.end is not None and phase.end < phase.start:
            raise ValidationError(_("A phase cannot end before it begins."), code="phase_dates")
    for earlier, later in zip(phases, phases[1:], strict=False):
        if earlier.end is None or later.start < earlier.end:
            raise ValidationError(_(ORDER_MESSAGE), code="phases_order")
