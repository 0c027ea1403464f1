"""Mediation's statistics for the community and the street: counts only, never a case.

Read from the clear columns alone (kind, channel, status, dates, the follow-ups' performance),
so they need no key, and they stay after a case's contents are purged. Over every case so far:

- cases by kind and by channel;
- the agreement rate: of the cases mediated to an end (agreed, not agreed, withdrawn; not the
  ones not taken up), the share agreed;
- the median days to agreement, from acceptance (or opening, if never accepted) to conclusion;
- the share concluded within a month (30 days) of acceptance, of the cases mediated to an end;
- performance at follow-up: each agreed case with a visit, by its latest visit's finding.

Small cells are suppressed with ``gongzhi.evaluation.suppress`` at ``EVALUATION_MIN_CELL``: a
count of fewer cases than that is hidden, and enough of the others in its table that it cannot
be recovered by subtraction from the total; a rate or median over fewer cases is not shown.
A hidden figure is ``None``. The street's figures add its communities together, with the cases
per community as one more suppressed table.

The figures stand as at the start of the current month (``as_of``): the cases opened before
it, their state then, the follow-up visits made before it. Suppression alone does not stop a
reader who watches the figures day by day: a worker who registered a walk-in would see the
agreement count move on the day that case was sealed, and learn its outcome by difference.
Figures that change once a month, over all of a month's cases, give that away no more than the
evaluation's monthly indicators do.
"""

from __future__ import annotations

import statistics as pystats
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.utils import timezone

from gongzhi.evaluation.suppress import suppress
from gongzhi.mediation.models import Case, CaseStatus, Channel, DisputeKind, FollowUp, Performance

#: Mediated to an end: the denominator of the agreement rate and of "within a month".
MEDIATED = (CaseStatus.AGREED, CaseStatus.NOT_AGREED, CaseStatus.WITHDRAWN)
MONTH_DAYS = 30


@dataclass(frozen=True)
class CaseFacts:
    """What the statistics read of one case: nothing that names anyone or says what about."""

    kind: str
    channel: str
    status: str
    started: datetime | None
    concluded_at: datetime | None
    #: the latest follow-up visit's finding, if any
    performance: str | None = None
    community: Any = None


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    #: None: hidden (too few cases)
    count: int | None


@dataclass(frozen=True)
class Rate:
    numerator: int | None
    denominator: int | None
    #: 0..1, or None when hidden or there is nothing to divide
    value: float | None


@dataclass
class Statistics:
    threshold: int
    cases: int
    #: the figures stand as at the start of this day (the first of the current month)
    as_of: date | None = None
    by_kind: list[Line] = field(default_factory=list)
    by_channel: list[Line] = field(default_factory=list)
    agreement: Rate = Rate(None, None, None)
    median_days_to_agreement: float | None = None
    within_month: Rate = Rate(None, None, None)
    performance: list[Line] = field(default_factory=list)
    performed_in_full: Rate = Rate(None, None, None)
    #: the street's figures only: cases per community
    by_community: list[Line] = field(default_factory=list)


def threshold() -> int:
    return int(getattr(settings, "EVALUATION_MIN_CELL", 5))


def _days(fact: CaseFacts) -> int | None:
    if fact.started is None or fact.concluded_at is None:
        return None
    return (fact.concluded_at - fact.started).days


def _lines(counts: Counter[str], choices: Sequence[tuple[str, Any]], limit: int) -> list[Line]:
    """One line per choice, suppressed as one partition whose total is shown."""
    cells = {key: (counts.get(key, 0), counts.get(key, 0)) for key, _label in choices}
    hidden = suppress(cells, threshold=limit)
    return [
        Line(key, str(label), None if hidden[key] else counts.get(key, 0)) for key, label in choices
    ]


def _rate(numerator: int, denominator: int, limit: int) -> Rate:
    if 0 < denominator < limit:
        return Rate(None, None, None)
    return Rate(numerator, denominator, numerator / denominator if denominator else None)


def aggregate(facts: Iterable[CaseFacts], *, limit: int | None = None) -> Statistics:
    """The statistics of these cases (plain: no database)."""
    limit = threshold() if limit is None else limit
    facts = list(facts)
    mediated = [f for f in facts if f.status in MEDIATED]
    agreed = [f for f in mediated if f.status == CaseStatus.AGREED]
    days = [d for d in map(_days, agreed) if d is not None]
    timed = [d for d in map(_days, mediated) if d is not None]
    visited = Counter(f.performance for f in agreed if f.performance)
    result = Statistics(
        threshold=limit,
        cases=len(facts),
        by_kind=_lines(Counter(f.kind for f in facts), DisputeKind.choices, limit),
        by_channel=_lines(Counter(f.channel for f in facts), Channel.choices, limit),
        agreement=_rate(len(agreed), len(mediated), limit),
        median_days_to_agreement=(
            float(pystats.median(days)) if days and len(days) >= limit else None
        ),
        within_month=_rate(sum(1 for d in timed if d <= MONTH_DAYS), len(timed), limit),
        performance=_lines(visited, Performance.choices, limit),
        performed_in_full=_rate(visited.get(Performance.FULL, 0), sum(visited.values()), limit),
    )
    return result


def month_start(today: date | None = None) -> datetime:
    """The start of the current month, local time: where the figures stand."""
    day = (today or timezone.localdate()).replace(day=1)
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def _as_then(
    until: datetime, status: str, accepted_at: Any, concluded_at: Any
) -> tuple[str, Any, Any]:
    """``(status, accepted_at, concluded_at)`` as they were at ``until``."""
    if accepted_at is not None and accepted_at >= until:
        accepted_at = None
    if concluded_at is not None and concluded_at >= until:
        concluded_at = None
        status = CaseStatus.ACCEPTED if accepted_at is not None else CaseStatus.APPLIED
    return status, accepted_at, concluded_at


def _facts(cases: Any, until: datetime) -> list[CaseFacts]:
    cases = cases.filter(opened_at__lt=until)
    latest: dict[int, str] = {}
    follow_ups = (
        FollowUp.objects.all_communities()
        .filter(case__in=cases.values("pk"), visited_on__lt=timezone.localtime(until).date())
        .order_by("visited_on", "pk")
        .values_list("case_id", "performance")
    )
    for case_id, performance in follow_ups:
        latest[case_id] = performance
    rows = cases.values_list(
        "pk",
        "community_id",
        "kind",
        "channel",
        "status",
        "opened_at",
        "accepted_at",
        "concluded_at",
    )
    facts = []
    for pk, community_id, kind, channel, status, opened_at, accepted_at, concluded_at in rows:
        status, accepted_at, concluded_at = _as_then(until, status, accepted_at, concluded_at)
        facts.append(
            CaseFacts(
                kind=kind,
                channel=channel,
                status=status,
                started=accepted_at or opened_at,
                concluded_at=concluded_at,
                performance=latest.get(pk) if status == CaseStatus.AGREED else None,
                community=community_id,
            )
        )
    return facts


def community_statistics(community: Any, *, until: datetime | None = None) -> Statistics:
    """``community``'s figures as at ``until`` (default: the start of the current month)."""
    until = until or month_start()
    result = aggregate(_facts(Case.objects.in_community(community), until))
    result.as_of = timezone.localtime(until).date()
    return result


def street_statistics(street: Any, *, until: datetime | None = None) -> Statistics:
    """Every community of ``street`` together, and the cases per community (suppressed), as at
    ``until`` (default: the start of the current month)."""
    until = until or month_start()
    communities = list(street.communities.order_by("name").values_list("pk", "name"))
    facts = _facts(
        Case.objects.all_communities().filter(community__in=[c for c, _n in communities]), until
    )
    result = aggregate(facts)
    result.as_of = timezone.localtime(until).date()
    per = Counter(str(f.community) for f in facts)
    result.by_community = _lines(
        per, [(str(pk), name) for pk, name in communities], result.threshold
    )
    return result


def as_dict(result: Statistics) -> dict[str, Any]:
    def lines(items: list[Line]) -> list[dict[str, Any]]:
        return [{"key": i.key, "label": i.label, "count": i.count} for i in items]

    def rate(r: Rate) -> dict[str, Any]:
        return {"numerator": r.numerator, "denominator": r.denominator, "value": r.value}

    return {
        "threshold": result.threshold,
        "as_of": result.as_of,
        "cases": result.cases,
        "by_kind": lines(result.by_kind),
        "by_channel": lines(result.by_channel),
        "agreement": rate(result.agreement),
        "median_days_to_agreement": result.median_days_to_agreement,
        "within_month": rate(result.within_month),
        "performance": lines(result.performance),
        "performed_in_full": rate(result.performed_in_full),
        "by_community": lines(result.by_community),
    }
