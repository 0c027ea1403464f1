"""Outcomes other than the indicators that the evaluation's comparisons can read (issue 14).

An app declares in its manifest ``OUTCOMES = {key: OutcomeSource(label, provider)}``; core
knows none of them, and ``gongzhi.core.manifests.outcome_registry()`` collects them. The
provider is the dotted path of a function

    provider(*, communities: Sequence[Community], start: date, end: date)
        -> dict[str, OutcomeSeries]

returning every outcome it holds for those communities between the months ``start`` and
``end`` (first days of months, both included): one ``OutcomeSeries`` per outcome (a survey
scale, say), each a list of ``OutcomePoint`` (community, month, mean, n). The keys are the
provider's own; the page names an outcome ``"<source key>:<outcome key>"``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from gongzhi.core.models import Community


@dataclass(frozen=True)
class OutcomePoint:
    """One community's mean of an outcome in one month, over ``n`` answers."""

    community_id: int
    month: date  # the first day of the month
    mean: float
    n: int


@dataclass(frozen=True)
class OutcomeSeries:
    #: what a person reads (a scale's name in the reader's language)
    label: str
    points: list[OutcomePoint] = field(default_factory=list)
    #: e.g. "1–5"; "" when there is none
    unit: str = ""


Provider = Callable[..., dict[str, OutcomeSeries]]


@dataclass(frozen=True)
class OutcomeSource:
    #: gettext_lazy: what kind of outcome this source gives ("Survey scale scores")
    label: Any
    #: dotted path to ``provider(*, communities, start, end) -> {key: OutcomeSeries}``
    provider: str

    def __post_init__(self) -> None:
        if not self.provider or "." not in self.provider:
            raise ImproperlyConfigured(
                f"outcome source {self.label!r}: provider must be a dotted path to a function"
            )

    def series(
        self, *, communities: Sequence[Community], start: date, end: date
    ) -> dict[str, OutcomeSeries]:
        provider = cast("Provider", import_string(self.provider))
        return provider(communities=communities, start=start, end=end)
