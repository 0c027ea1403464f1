"""Evaluation's comparisons between communities (issue 14, R10.3), under
/c/<slug>/evaluation/: difference-in-differences with its event study (``did/``), and what
explains differences between the street's communities (``factors/``).

Who sees them: as the dashboard (``evaluation.view``): the street's officials, and a community
worker or the supervision committee, who compare their community with the street's others.
Only everyone's figures are read (never a group split), and the other communities appear only
by name and inside the groups' means."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get
from gongzhi.evaluation import comparison, selectors
from gongzhi.evaluation.comparison import Comparison, Design, Outcome
from gongzhi.evaluation.estimate_chart import estimate_chart
from gongzhi.evaluation.models import Intervention

VIEW = "evaluation.view"
DEFAULT_OUTCOME = "indicator:participation.rate"


def _window_choices() -> list[tuple[int, str]]:
    return [(n, _("%(n)s months") % {"n": n}) for n in comparison.WINDOW_CHOICES]


class MonthField(forms.CharField):
    """A month as YYYY-MM (the browser's month picker), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"})

    def clean(self, value: Any) -> date:  # type: ignore[override]
        text = super().clean(value)
        try:
            return selectors.parse_month(text)
        except ValueError:
            raise forms.ValidationError(
                _("Give the month as YYYY-MM, for example 2026-03."), code="invalid_month"
            ) from None


class DidForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"))
    treatment = forms.ChoiceField(label=gettext_lazy("Intervention"))
    split = MonthField(
        label=gettext_lazy("First month counted as after"),
        help_text=gettext_lazy("Default: the month the intervention started."),
    )
    before = forms.TypedChoiceField(
        label=gettext_lazy("Months before"), coerce=int, choices=_window_choices
    )
    after = forms.TypedChoiceField(
        label=gettext_lazy("Months after"), coerce=int, choices=_window_choices
    )

    def __init__(
        self,
        *args: Any,
        outcomes: list[Outcome],
        treatments: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        grouped: dict[str, list[tuple[str, str]]] = {}
        for o in outcomes:
            grouped.setdefault(o.source, []).append((o.key, o.label))
        outcome_field = self.fields["outcome"]
        assert isinstance(outcome_field, forms.ChoiceField)
        outcome_field.choices = list(grouped.items())
        treatment_field = self.fields["treatment"]
        assert isinstance(treatment_field, forms.ChoiceField)
        treatment_field.choices = treatments


def _default_treatment(community: Community, interventions: list[Intervention]) -> str:
    """The viewer's community's latest intervention, else the street's latest, else a kind."""
    own = [i for i in interventions if i.community_id == community.pk]
    chosen = (own or interventions)[-1:] if interventions else []
    if chosen:
        return f"{comparison.RECORD_PREFIX}{chosen[0].pk}"
    return f"{comparison.KIND_PREFIX}programme"


def _initial(community: Community, interventions: list[Intervention]) -> dict[str, Any]:
    treatment = _default_treatment(community, interventions)
    split = comparison.default_split(treatment, interventions) or selectors.add_months(
        selectors.last_complete_month(), -comparison.DEFAULT_WINDOW + 1
    )
    return {
        "outcome": DEFAULT_OUTCOME,
        "treatment": treatment,
        "split": split.strftime("%Y-%m"),
        "before": comparison.DEFAULT_WINDOW,
        "after": comparison.DEFAULT_WINDOW,
    }


# --- how the result reads ----------------------------------------------------------------


def amount(value: float | None, unit: str, *, signed: bool = False) -> str:
    """2.345 with "%" → "2.3 percentage points" (a difference of rates), else "2.3 <unit>"."""
    if value is None or not math.isfinite(value):
        return "—"
    text = f"{value:+.2f}" if signed else f"{value:.2f}"
    if unit == "%":
        if signed:
            return _("%(points)s percentage points") % {"points": text}
        return f"{text}%"
    return f"{text} {unit}".strip()


def interval(low: float, high: float, unit: str) -> str:
    """ "+7.73 to +12.83 percentage points" (a rate's difference), "+0.10 to +0.52 (1–5)"."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "—"
    high_text = amount(high, unit, signed=True)
    return _("%(low)s to %(high)s") % {"low": f"{low:+.2f}", "high": high_text}


def p_text(p: float | None) -> str:
    if p is None or not math.isfinite(p):
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


@dataclass(frozen=True)
class MethodRow:
    name: str
    note: str
    se: str
    ci: str
    p: str
    default: bool


def method_rows(c: Comparison) -> list[MethodRow]:
    unit = c.outcome.unit
    rows = []
    for result, name, note, default in (
        (
            c.result,
            _("Cluster-robust, by community (the default)"),
            _("t with one fewer degrees of freedom than there are communities"),
            True,
        ),
        (
            c.hc1,
            _("HC1 (heteroskedasticity-robust)"),
            _("ignores that months of one community are alike"),
            False,
        ),
        (c.classical, _("Classical"), _("assumes every community-month is independent"), False),
    ):
        if result is None:
            continue
        rows.append(
            MethodRow(
                name=name,
                note=result.method_note if default and result.method_note else note,
                se=f"{result.se:.3f}",
                ci=interval(result.ci_low, result.ci_high, unit),
                p=p_text(result.p_value),
                default=default,
            )
        )
    wild = c.wild
    if wild is not None:
        rows.append(
            MethodRow(
                name=_("Wild cluster bootstrap (Webb weights)"),
                note=_("%(reps)s resamplings of whole communities; fixed seed")
                % {"reps": wild.reps},
                se="—",
                ci=interval(wild.ci_low, wild.ci_high, unit),
                p=p_text(wild.p_value),
                default=False,
            )
        )
    return rows


@dataclass(frozen=True)
class EventRow:
    period: int
    estimate: str
    ci: str
    reference: bool


def event_rows(c: Comparison) -> list[EventRow]:
    if c.event is None:
        return []
    unit = c.outcome.unit
    rows = [
        EventRow(p, amount(e, unit, signed=True), interval(lo, hi, unit), False)
        for p, e, lo, hi in zip(
            c.event.periods, c.event.estimates, c.event.ci_low, c.event.ci_high, strict=True
        )
    ]
    rows.append(EventRow(-1, _("0 (the reference month)"), "—", True))
    return sorted(rows, key=lambda r: r.period)


def event_svg(c: Comparison) -> SafeString | None:
    if c.event is None or not c.event.periods:
        return None
    svg = estimate_chart(
        periods=list(c.event.periods),
        estimates=list(c.event.estimates),
        ci_low=list(c.event.ci_low),
        ci_high=list(c.event.ci_high),
        unit="" if c.outcome.unit != "%" else "",
        title=_("%(outcome)s: the gap in each month against the month before the start")
        % {"outcome": c.outcome.label},
        start_label=_("start"),
        axis_label=_("months from the start"),
    )
    # estimate_chart escapes every text it draws, so its SVG can be placed as is.
    return mark_safe(svg)  # noqa: S308


def _design(data: dict[str, Any]) -> Design:
    return Design(
        outcome=data["outcome"],
        treatment=data["treatment"],
        split=data["split"],
        before=data["before"],
        after=data["after"],
    )


def _window(params: dict[str, Any]) -> tuple[date, date]:
    """The months the query's window covers, to read the outcomes on offer; when the query
    does not give one that parses, the last four years (the form then says what is wrong)."""
    try:
        design = Design(
            outcome="",
            treatment="",
            split=selectors.parse_month(str(params.get("split", ""))),
            before=int(params.get("before", "")),
            after=int(params.get("after", "")),
        )
        if {design.before, design.after} <= set(comparison.WINDOW_CHOICES):
            return design.start, design.end
    except (TypeError, ValueError, OverflowError):
        pass
    last = selectors.last_complete_month()
    return selectors.add_months(last, -47), last


def run_did(community: Community, query: Any) -> tuple[DidForm, Comparison | None, int]:
    """The form bound to the query (a GET's parameters; empty: the defaults), the comparison
    when the form is valid, and how many communities the street has."""
    communities = comparison.street_communities(community)
    interventions = comparison.street_interventions(communities)
    treatments = comparison.treatment_choices(interventions)
    initial = _initial(community, interventions)
    params = {**initial, **{k: v for k, v in query.items() if v}} if query else initial
    # A treatment chosen without a split month: its own start.
    if query and query.get("treatment") and not query.get("split"):
        split = comparison.default_split(str(query["treatment"]), interventions)
        if split is not None:
            params["split"] = split.strftime("%Y-%m")
    start, end = _window(params)
    data = comparison.outcome_data(
        communities=communities, key=str(params.get("outcome", "")), start=start, end=end
    )
    form = DidForm(params, outcomes=data.choices, treatments=treatments)
    result: Comparison | None = None
    if form.is_valid() and data.chosen is not None:
        design = _design(form.cleaned_data)
        panel = comparison.build_panel(
            communities=communities, interventions=interventions, points=data.points, design=design
        )
        result = comparison.estimate(panel, design=design, outcome=data.chosen)
    return form, result, len(communities)


def did_context(community: Community, query: Any) -> dict[str, Any]:
    """Everything the DiD page shows for the query."""
    form, result, street_size = run_did(community, query)
    return {
        "community": community,
        "form": form,
        "result": result,
        "methods": method_rows(result) if result and result.result else [],
        "events": event_rows(result) if result else [],
        "event_chart": event_svg(result) if result else None,
        "means": _means_rows(result) if result else [],
        "estimate_text": amount(result.result.estimate, result.outcome.unit, signed=True)
        if result and result.result
        else "",
        "ci_text": interval(result.result.ci_low, result.result.ci_high, result.outcome.unit)
        if result and result.result
        else "",
        "window": (
            f"{result.design.start:%Y-%m}",
            f"{result.design.end:%Y-%m}",
        )
        if result
        else None,
        "street_size": street_size,
    }


@dataclass(frozen=True)
class MeansRow:
    label: str
    communities: int
    before: str
    after: str
    change: str


def _means_rows(c: Comparison) -> list[MeansRow]:
    unit = c.outcome.unit
    rows = []
    changes: list[float | None] = []
    for treated in (True, False):
        before, after = c.means[(treated, False)], c.means[(treated, True)]
        n = max(before.communities, after.communities)
        if treated:
            label = ngettext(
                "With the intervention (%(n)s community)",
                "With the intervention (%(n)s communities)",
                n,
            ) % {"n": n}
        else:
            label = ngettext(
                "Without it: controls (%(n)s community)",
                "Without it: controls (%(n)s communities)",
                n,
            ) % {"n": n}
        change = (
            after.mean - before.mean if after.mean is not None and before.mean is not None else None
        )
        changes.append(change)
        rows.append(
            MeansRow(
                label=label,
                communities=n,
                before=amount(before.mean, unit),
                after=amount(after.mean, unit),
                change=amount(change, unit, signed=True),
            )
        )
    diff = changes[0] - changes[1] if changes[0] is not None and changes[1] is not None else None
    rows.append(
        MeansRow(
            label=_("Difference of the changes"),
            communities=0,
            before="",
            after="",
            change=amount(diff, unit, signed=True),
        )
    )
    return rows


@login_required
@require_GET
def did_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=VIEW)
    context = did_context(community, request.GET)
    return render(request, "evaluation/did.html", context)


# --- what explains differences -----------------------------------------------------------


class FactorsForm(forms.Form):
    indicator = forms.ChoiceField(label=gettext_lazy("Indicator"))
    start = MonthField(label=gettext_lazy("From month"))
    end = MonthField(label=gettext_lazy("To month (included)"))
    factors = forms.MultipleChoiceField(
        label=gettext_lazy("Community attributes"),
        widget=forms.CheckboxSelectMultiple,
        choices=[(k, v) for k, v in comparison.FACTORS.items()],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["indicator"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(k, str(s.name)) for k, s in selectors.registry().items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The last month comes before the first."))
        return data


@dataclass(frozen=True)
class CoefficientRow:
    name: str
    estimate: str
    ci: str
    p: str


def factors_context(community: Community, query: Any) -> dict[str, Any]:
    last = selectors.last_complete_month()
    initial = {
        "indicator": "participation.rate",
        "start": selectors.add_months(last, -11).strftime("%Y-%m"),
        "end": last.strftime("%Y-%m"),
        "factors": ["verified", "elderly_share"],
    }
    if query:
        params = query.copy()
        for key, value in initial.items():
            if not params.get(key):
                if isinstance(value, list):
                    params.setlist(key, value)
                else:
                    params[key] = value
    else:
        params = initial
    form = FactorsForm(params)
    context: dict[str, Any] = {"community": community, "form": form}
    if not form.is_valid():
        return context
    key = form.cleaned_data["indicator"]
    spec = selectors.indicator_spec(key)
    unit = "%" if spec.kind == "rate" else str(spec.unit)
    table = comparison.factors_table(
        community=community, key=key, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
    )
    chosen = list(form.cleaned_data["factors"])
    result, refusal = comparison.explain(table, chosen)
    names = {k: str(v) for k, v in comparison.FACTORS.items()}
    rows = [
        CoefficientRow(
            name=c.name,
            estimate=f"{c.estimate:+.3f}",
            ci=_("%(low)s to %(high)s") % {"low": f"{c.ci_low:+.3f}", "high": f"{c.ci_high:+.3f}"},
            p=p_text(c.p_value),
        )
        for c in (result.coefficients[1:] if result is not None else ())
    ]
    context.update(
        {
            "spec": spec,
            "unit": unit,
            "table": table,
            "chosen": [names[k] for k in chosen],
            "result": result,
            "refusal": refusal,
            "coefficients": rows,
            "data_rows": [
                (
                    c.name,
                    amount(row[comparison.OUTCOME], unit),
                    [
                        "—" if not math.isfinite(row[k]) else f"{row[k]:.1f}".removesuffix(".0")
                        for k in chosen
                    ],
                )
                for c, row in zip(table.communities, table.rows, strict=True)
            ],
        }
    )
    return context


@login_required
@require_GET
def factors_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=VIEW)
    return render(request, "evaluation/factors.html", factors_context(community, request.GET))
