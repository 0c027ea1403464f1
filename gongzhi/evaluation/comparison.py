"""Reads for the comparisons between communities (issue 14, R10.3): the panel that
difference-in-differences and the event study run on, and the table of community attributes
that the "what explains differences" regression runs on.

A panel row is one community in one month: an indicator's figure for everyone (the rollups'
``IndicatorValue`` with ``group=""``; a rate in percent) or a survey scale's mean (an
``OUTCOMES`` provider, ``gongzhi.core.outcomes``). Never a group split: a community worker
compares their community with the street's others without seeing anyone's groups.

Who is treated: the communities of the street that had the chosen intervention (one record: its
community; a kind: every community with an intervention of that kind starting inside the
window). Controls: the street's communities with no intervention of that kind at any time in
the window. Others (one already under way when the window opens, or a second community with
the same kind as the chosen record) are left out and listed with the reason. One date splits
before from after for all (staggered starts are not modelled). Each community-month counts
once, whatever the number of people behind it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.manifests import outcome_registry
from gongzhi.core.models import Community, Household, Membership
from gongzhi.core.outcomes import OutcomePoint
from gongzhi.evaluation import did, factors, selectors
from gongzhi.evaluation.models import IndicatorValue, Intervention, InterventionKind

#: Fewer communities than this and no estimate is given (cluster-robust errors use t with
#: G − 1 degrees of freedom: two communities leave one).
MIN_COMMUNITIES = 3
#: Months with data needed on each side of the split, in the treated and in the controls.
MIN_MONTHS_EACH_SIDE = 1
#: The event study's leads and lags (relative months shown either side of the reference −1).
EVENT_LEADS = 6
EVENT_LAGS = 6
#: Window lengths (months) the page offers before and after the split.
WINDOW_CHOICES = (3, 6, 9, 12, 18, 24)
DEFAULT_WINDOW = 12
#: Wild cluster bootstrap replications and seed (fixed: the page gives the same p each time).
WILD_REPS = 999
WILD_SEED = 20260101


# --- outcomes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the comparison measures: ``indicator:<key>`` or ``<source>:<provider's key>``."""

    key: str
    label: str
    #: "%" for a rate (percent), a count's unit, or the scale's range
    unit: str
    #: where it comes from, as a person reads it ("Indicator", "Survey scale scores")
    source: str


INDICATOR = "indicator"


def indicator_outcomes() -> list[Outcome]:
    return [
        Outcome(
            key=f"{INDICATOR}:{key}",
            label=str(spec.name),
            unit="%" if spec.kind == "rate" else str(spec.unit),
            source=_("Indicator"),
        )
        for key, spec in selectors.registry().items()
    ]


def _indicator_points(
    *, communities: Sequence[Community], key: str, start: date, end: date
) -> list[OutcomePoint]:
    """Everyone's figure of indicator ``key`` in each community and month (a rate in percent);
    months with no figure are left out, never read as zero. One query."""
    spec = selectors.indicator_spec(key)
    scale = 100.0 if spec.kind == "rate" else 1.0
    rows = (
        IndicatorValue.objects.in_communities(communities)
        .filter(key=key, group="", month__gte=start, month__lte=end, suppressed=False)
        .values_list("community_id", "month", "value", "denominator", "people")
    )
    return [
        OutcomePoint(
            community_id=community_id,
            month=month,
            mean=value * scale,
            n=int(denominator if denominator is not None else (people or 0)),
        )
        for community_id, month, value, denominator, people in rows
        if value is not None
    ]


@dataclass
class OutcomeData:
    """The outcomes on offer for a street and window, and the chosen one's points."""

    choices: list[Outcome]
    chosen: Outcome | None
    points: list[OutcomePoint]


def outcome_data(
    *, communities: Sequence[Community], key: str, start: date, end: date
) -> OutcomeData:
    """Every outcome the page can offer (the indicators, then what each registered source
    holds for these communities in the window) and the points of ``key`` (None if unknown)."""
    choices = indicator_outcomes()
    points: list[OutcomePoint] = []
    for source_key, source in outcome_registry().items():
        for outcome_key, series in source.series(
            communities=communities, start=start, end=end
        ).items():
            outcome = Outcome(
                key=f"{source_key}:{outcome_key}",
                label=series.label,
                unit=series.unit,
                source=str(source.label),
            )
            choices.append(outcome)
            if outcome.key == key:
                points = list(series.points)
    chosen = next((c for c in choices if c.key == key), None)
    if chosen is not None and key.startswith(f"{INDICATOR}:"):
        points = _indicator_points(
            communities=communities, key=key.split(":", 1)[1], start=start, end=end
        )
    return OutcomeData(choices=choices, chosen=chosen, points=points)


# --- the street and its interventions ---------------------------------------------------


def street_communities(community: Community) -> list[Community]:
    """The communities of ``community``'s street, by name."""
    return list(Community.objects.filter(street_id=community.street_id).order_by("name", "pk"))


def street_interventions(communities: Sequence[Community]) -> list[Intervention]:
    return list(
        Intervention.objects.in_communities(communities)
        .select_related("community")
        .order_by("started_on", "pk")
    )


KIND_PREFIX = "kind:"
RECORD_PREFIX = "record:"


def treatment_choices(interventions: Sequence[Intervention]) -> list[tuple[str, str]]:
    """(value, label): each kind of intervention, then each recorded intervention."""
    kinds = [
        (f"{KIND_PREFIX}{value}", _("Every community with a %(kind)s") % {"kind": label})
        for value, label in InterventionKind.choices
    ]
    records = [
        (
            f"{RECORD_PREFIX}{i.pk}",
            _("%(name)s (%(community)s, from %(date)s)")
            % {"name": i.name, "community": i.community.name, "date": i.started_on.isoformat()},
        )
        for i in interventions
    ]
    return kinds + records


# --- the design -------------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    outcome: str
    #: "kind:<kind>" or "record:<id>"
    treatment: str
    #: the first month counted as "after" (first day of the month)
    split: date
    before: int = DEFAULT_WINDOW
    after: int = DEFAULT_WINDOW

    @property
    def start(self) -> date:
        return selectors.add_months(self.split, -self.before)

    @property
    def end(self) -> date:
        """The window's last month, never past the last complete one."""
        return min(
            selectors.add_months(self.split, self.after - 1), selectors.last_complete_month()
        )


def _month(d: date) -> date:
    return d.replace(day=1)


def default_split(treatment: str, interventions: Sequence[Intervention]) -> date | None:
    """The chosen intervention's start (a kind: the earliest start of that kind)."""
    starts = [i.started_on for i in chosen_interventions(treatment, interventions)]
    return _month(min(starts)) if starts else None


def chosen_interventions(
    treatment: str, interventions: Sequence[Intervention]
) -> list[Intervention]:
    if treatment.startswith(RECORD_PREFIX):
        pk = treatment.removeprefix(RECORD_PREFIX)
        return [i for i in interventions if str(i.pk) == pk]
    kind = treatment.removeprefix(KIND_PREFIX)
    return [i for i in interventions if i.kind == kind]


def _kind_of(treatment: str, interventions: Sequence[Intervention]) -> str | None:
    if treatment.startswith(KIND_PREFIX):
        kind = treatment.removeprefix(KIND_PREFIX)
        return kind if kind in InterventionKind.values else None
    chosen = chosen_interventions(treatment, interventions)
    return chosen[0].kind if chosen else None


def _in_window(i: Intervention, start: date, end: date) -> bool:
    """Running at any time in the months ``start``..``end``."""
    return _month(i.started_on) <= end and (i.ended_on is None or _month(i.ended_on) >= start)


# --- the panel --------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelRow:
    community_id: int
    month: date
    y: float
    n: int
    treated: bool
    post: bool


@dataclass(frozen=True)
class Panel:
    months: list[date]
    rows: list[PanelRow]
    treated: list[Community]
    controls: list[Community]
    #: (community, why it is left out)
    excluded: list[tuple[Community, str]] = field(default_factory=list)

    def column(self, name: str) -> np.ndarray:
        return np.array([float(getattr(r, name)) for r in self.rows], dtype=float)

    @property
    def cluster(self) -> np.ndarray:
        return np.array([r.community_id for r in self.rows])

    def months_with_data(self, *, treated: bool, post: bool) -> int:
        return len({r.month for r in self.rows if r.treated is treated and r.post is post})


def build_panel(
    *,
    communities: Sequence[Community],
    interventions: Sequence[Intervention],
    points: Sequence[OutcomePoint],
    design: Design,
) -> Panel:
    """The community-month rows of the comparison, from the outcome's points and the street's
    interventions (no queries: the caller has read both)."""
    start, end = design.start, design.end
    months = [start]
    while months[-1] < end:
        months.append(selectors.add_months(months[-1], 1))
    kind = _kind_of(design.treatment, interventions)
    chosen = chosen_interventions(design.treatment, interventions)
    by_community: dict[int, list[Intervention]] = defaultdict(list)
    for i in interventions:
        if i.kind == kind and _in_window(i, start, end):
            by_community[i.community_id].append(i)
    treated_ids: set[int] = set()
    treated: list[Community] = []
    controls: list[Community] = []
    excluded: list[tuple[Community, str]] = []
    record = design.treatment.startswith(RECORD_PREFIX)
    for community in communities:
        own = by_community.get(community.pk, [])
        if record and any(i in chosen for i in own):
            treated.append(community)
        elif not own:
            controls.append(community)
        elif record:
            excluded.append((community, _("had an intervention of the same kind in the window")))
        elif all(_month(i.started_on) < start for i in own):
            excluded.append((community, _("its intervention was under way before the window")))
        else:
            treated.append(community)
    treated_ids = {c.pk for c in treated}
    kept = treated_ids | {c.pk for c in controls}
    rows = [
        PanelRow(
            community_id=p.community_id,
            month=p.month,
            y=p.mean,
            n=p.n,
            treated=p.community_id in treated_ids,
            post=p.month >= design.split,
        )
        for p in sorted(points, key=lambda p: (p.community_id, p.month))
        if p.community_id in kept and start <= p.month <= end and math.isfinite(p.mean)
    ]
    return Panel(months=months, rows=rows, treated=treated, controls=controls, excluded=excluded)


# --- the comparison ---------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One of the 2×2 means: the mean over community-months, and how many there are."""

    mean: float | None
    months: int
    communities: int


@dataclass(frozen=True)
class Comparison:
    design: Design
    outcome: Outcome
    panel: Panel
    #: {(treated, post): Cell}
    means: dict[tuple[bool, bool], Cell]
    #: None when refused (``refusal`` says why)
    result: did.DidResult | None = None
    classical: did.DidResult | None = None
    hc1: did.DidResult | None = None
    wild: did.WildResult | None = None
    event: did.EventStudy | None = None
    refusal: str = ""
    cautions: list[str] = field(default_factory=list)

    @property
    def communities(self) -> int:
        return len({r.community_id for r in self.panel.rows})

    @property
    def periods(self) -> int:
        return len({r.month for r in self.panel.rows})

    @property
    def naive(self) -> float | None:
        """The 2×2 difference of differences of the means (equal to the estimate on a
        balanced panel)."""
        m = self.means
        parts = [m[(True, True)].mean, m[(True, False)].mean]
        parts += [m[(False, True)].mean, m[(False, False)].mean]
        if any(p is None for p in parts):
            return None
        a, b, c, d = (float(p) for p in parts if p is not None)
        return (a - b) - (c - d)


def _means(panel: Panel) -> dict[tuple[bool, bool], Cell]:
    cells: dict[tuple[bool, bool], Cell] = {}
    for treated in (True, False):
        for post in (False, True):
            rows = [r for r in panel.rows if r.treated is treated and r.post is post]
            cells[(treated, post)] = Cell(
                mean=float(np.mean([r.y for r in rows])) if rows else None,
                months=len({r.month for r in rows}),
                communities=len({r.community_id for r in rows}),
            )
    return cells


def refusal_of(panel: Panel) -> str:
    """Why no estimate can be given on this panel; "" when one can."""
    with_data = {r.community_id for r in panel.rows}
    treated = sum(1 for c in panel.treated if c.pk in with_data)
    controls = sum(1 for c in panel.controls if c.pk in with_data)
    if treated == 0:
        return _("No community with this intervention has figures in the window.")
    if controls == 0:
        return _(
            "Every community of the street had an intervention of this kind in the window: "
            "there is nothing to compare with."
        )
    if treated + controls < MIN_COMMUNITIES:
        return _(
            "Only %(n)s communities have figures in the window; at least %(min)s are needed "
            "for an estimate with an honest interval."
        ) % {"n": treated + controls, "min": MIN_COMMUNITIES}
    for is_treated in (True, False):
        for post in (False, True):
            if panel.months_with_data(treated=is_treated, post=post) < MIN_MONTHS_EACH_SIDE:
                return _(
                    "Fewer than %(min)s months with figures before or after the split date in "
                    "one of the two groups: choose another date or a longer window."
                ) % {"min": MIN_MONTHS_EACH_SIDE}
    return ""


def cautions_of(panel: Panel) -> list[str]:
    with_data = {r.community_id for r in panel.rows}
    treated = sum(1 for c in panel.treated if c.pk in with_data)
    controls = sum(1 for c in panel.controls if c.pk in with_data)
    out = []
    if min(treated, controls) == 1:
        out.append(
            _(
                "Only one community is on one side of the comparison. Its own ups and downs "
                "cannot be told apart from the intervention's effect, and intervals that count "
                "on many communities come out too narrow: read the estimate as a description "
                "of what happened, not as proof."
            )
        )
    return out


def estimate(panel: Panel, *, design: Design, outcome: Outcome) -> Comparison:
    """The 2×2 means, and (unless refused) the DiD estimate with its default cluster-corrected
    interval, the classical and HC1 ones for comparison, the wild cluster bootstrap, and the
    event study. No queries."""
    means = _means(panel)
    refusal = refusal_of(panel)
    if refusal:
        return Comparison(design=design, outcome=outcome, panel=panel, means=means, refusal=refusal)
    y, treated, post = panel.column("y"), panel.column("treated"), panel.column("post")
    cluster = panel.cluster
    try:
        result = did.did(y, treated, post, cluster=cluster)
        classical = did.did(y, treated, post, se="classical")
        hc1 = did.did(y, treated, post, se="hc1")
    except ValueError as error:  # did.DidInputError: a design it cannot fit, said in words
        return Comparison(
            design=design, outcome=outcome, panel=panel, means=means, refusal=str(error)
        )
    wild: did.WildResult | None
    try:
        wild = did.wild_cluster_bootstrap(
            y, treated, post, cluster=cluster, reps=WILD_REPS, seed=WILD_SEED
        )
    except ValueError:
        wild = None
    index = {m: i for i, m in enumerate(panel.months)}
    split_index = index.get(design.split, len(panel.months))
    first = np.array([split_index if r.treated else np.nan for r in panel.rows], dtype=float)
    period = np.array([index[r.month] for r in panel.rows], dtype=float)
    try:
        event = did.event_study(
            y,
            cluster,
            period,
            first,
            cluster=cluster,
            leads=min(EVENT_LEADS, design.before - 1),
            lags=min(EVENT_LAGS, design.after - 1),
        )
    except ValueError:
        event = None
    return Comparison(
        design=design,
        outcome=outcome,
        panel=panel,
        means=means,
        result=result,
        classical=classical,
        hc1=hc1,
        wild=wild,
        event=event,
        cautions=cautions_of(panel),
    )


def compare(
    *,
    communities: Sequence[Community],
    interventions: Sequence[Intervention],
    design: Design,
) -> tuple[OutcomeData, Comparison | None]:
    """The outcomes on offer and the comparison of ``design`` across ``communities`` (the
    street's); no comparison when the outcome is not one on offer."""
    data = outcome_data(
        communities=communities, key=design.outcome, start=design.start, end=design.end
    )
    if data.chosen is None:
        return data, None
    panel = build_panel(
        communities=communities, interventions=interventions, points=data.points, design=design
    )
    return data, estimate(panel, design=design, outcome=data.chosen)


# --- what explains differences between communities --------------------------------------

FACTORS: dict[str, Any] = {
    "verified": gettext_lazy("Verified residents"),
    "elderly_share": gettext_lazy("Share aged 60 or over (of those who answered)"),
    "low_income_share": gettext_lazy("Share on a low income (of those who answered)"),
    "households": gettext_lazy("Households"),
    "interventions": gettext_lazy("Interventions recorded"),
    "months_on_platform": gettext_lazy("Months on the platform"),
}
OUTCOME = "outcome"


@dataclass(frozen=True)
class FactorsTable:
    communities: list[Community]
    #: one mapping per community with a figure: the outcome's mean and every factor
    rows: list[dict[str, float]]
    names: list[str]


def _months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def factors_table(*, community: Community, key: str, start: date, end: date) -> FactorsTable:
    """Per community of the street: the mean of indicator ``key`` over the months
    ``start``..``end`` (a rate in percent), and the community's attributes at ``end``, computed
    from the data. Communities without a figure in the window are left out. Five queries."""
    communities = street_communities(community)
    points = _indicator_points(communities=communities, key=key, start=start, end=end)
    by_community: dict[int, list[float]] = defaultdict(list)
    for p in points:
        by_community[p.community_id].append(p.mean)
    people = {
        row["community_id"]: row
        for row in Membership.objects.in_communities(communities)
        .values("community_id")
        .annotate(
            verified=Count("pk", filter=Q(verified_at__isnull=False)),
            consented=Count("pk", filter=Q(groups_consented_at__isnull=False)),
            elderly=Count("pk", filter=Q(is_elderly=True)),
            low_income=Count("pk", filter=Q(is_low_income=True)),
        )
    }
    households = dict(
        Household.objects.in_communities(communities)
        .values("community_id")
        .annotate(n=Count("pk"))
        .values_list("community_id", "n")
    )
    interventions = dict(
        Intervention.objects.in_communities(communities)
        .filter(started_on__lte=selectors.add_months(end, 1))
        .values("community_id")
        .annotate(n=Count("pk"))
        .values_list("community_id", "n")
    )
    kept, rows = [], []
    for c in communities:
        if not by_community.get(c.pk):
            continue
        counts = people.get(c.pk, {})
        consented = counts.get("consented", 0)
        created = timezone.localtime(c.created_at).date().replace(day=1)
        rows.append(
            {
                OUTCOME: float(np.mean(by_community[c.pk])),
                "verified": float(counts.get("verified", 0)),
                "elderly_share": counts.get("elderly", 0) / consented * 100
                if consented
                else math.nan,
                "low_income_share": counts.get("low_income", 0) / consented * 100
                if consented
                else math.nan,
                "households": float(households.get(c.pk, 0)),
                "interventions": float(interventions.get(c.pk, 0)),
                "months_on_platform": float(max(0, _months_between(created, end) + 1)),
            }
        )
        kept.append(c)
    return FactorsTable(communities=kept, rows=rows, names=list(FACTORS))


def explain(table: FactorsTable, chosen: Sequence[str]) -> tuple[factors.FactorsResult | None, str]:
    """factors.explain on the communities' rows, the factors named as a person reads them (its
    caveats name them): (result, "") or (None, why it cannot be estimated)."""
    if not chosen:
        return None, _("Choose at least one attribute.")
    names = [str(FACTORS[key]) for key in chosen]
    rows = [
        {OUTCOME: row[OUTCOME], **{name: row[key] for key, name in zip(chosen, names, strict=True)}}
        for row in table.rows
    ]
    try:
        return factors.explain(rows, outcome=OUTCOME, factors=names), ""
    except ValueError as error:
        return None, str(error)
