"""The shape of an indicator that an app declares in its manifest's ``INDICATORS`` (issue 13).

Core knows no indicator: each app declares its own, with the name and definition a person
reads, its kind, and the dotted path of the plain function that computes it from the journal
(``compute(inp: EvalInput) -> {month: Cell | PeopleCell}``, gongzhi/evaluation/engine.py).
``gongzhi.core.manifests.indicator_registry()`` collects them. A rate is only declared with
what it counts and what it divides by: a figure without its denominator is refused at start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ImproperlyConfigured

KINDS = ("count", "rate", "median")
DIRECTIONS = ("up", "down")


@dataclass(frozen=True)
class Indicator:
    #: gettext_lazy, both languages through the catalogue
    name: Any
    #: one or two sentences in plain words: what is counted, and over whom
    definition: Any
    #: "count" | "rate" | "median"
    kind: str
    #: dotted path to a plain function ``compute(inp) -> {month: Cell | PeopleCell}``
    compute: str
    #: e.g. _("people"), _("yuan"), _("days"); "" for rates (shown as %)
    unit: Any = ""
    #: a rate: what is counted on top (required for a rate)
    numerator: Any = ""
    #: a rate: what it is divided by (required for a rate)
    denominator: Any = ""
    #: which way is better: "up" | "down"
    better: str = "up"
    #: computable from the journal export alone
    journal_only: bool = True
    #: a rate over people (PeopleCell): split by grid, building, group and age band
    people: bool = False
    #: entries before this date lack what the figure needs
    complete_from: date | None = None
    order: int = 100
    #: one of the seed's headline case figures (shown first)
    headline: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ImproperlyConfigured(
                f"indicator {self.compute!r}: kind {self.kind!r} is not one of {KINDS}"
            )
        if self.better not in DIRECTIONS:
            raise ImproperlyConfigured(
                f"indicator {self.compute!r}: better {self.better!r} is not one of {DIRECTIONS}"
            )
        if self.kind == "rate" and not (str(self.numerator) and str(self.denominator)):
            raise ImproperlyConfigured(
                f"indicator {self.compute!r} is a rate: declare its numerator and its denominator"
            )
        if self.people and self.kind != "rate":
            raise ImproperlyConfigured(
                f"indicator {self.compute!r}: only a rate over people can be split by group"
            )
        if not self.compute or "." not in self.compute:
            raise ImproperlyConfigured(
                f"indicator {self.name!r}: compute must be a dotted path to a function"
            )
