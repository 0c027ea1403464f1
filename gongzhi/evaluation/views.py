"""Evaluation's pages (/c/<slug>/evaluation/): the dashboard of every indicator with its trend,
the table behind each chart and the gaps between groups; the printable report and its PDF; the
CSV, XLSX and JSON exports; and the interventions a community records.

For community workers, the supervision committee and the officials overseeing the community
(``evaluation.view``), not residents: the splits by group are sensitive even with small cells
hidden. The figures are the rollups a task rebuilds from the journal (``selectors``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.actions import Action, perform
from gongzhi.core.exports import Sheet, spreadsheet_safe, table_export
from gongzhi.core.http import request_user
from gongzhi.core.manifests import verb_labels
from gongzhi.core.models import Community
from gongzhi.core.pdf import Heading, Paragraph, Table, pdf_response, render_pdf
from gongzhi.core.selectors import community_get
from gongzhi.evaluation import charts, ladder, selectors, services
from gongzhi.evaluation.forms import InterventionEndForm, InterventionForm
from gongzhi.evaluation.models import Intervention
from gongzhi.evaluation.selectors import Figure, Series, Split

VIEW = "evaluation.view"
RECORD = "evaluation.record_intervention"
#: Months in the printed report's tables (the chart above each still shows two years).
REPORT_MONTHS = 12


# --- how figures read ---------------------------------------------------------------------


def number(x: float | None, places: int = 1) -> str:
    """42.0 → "42", 3.25 → "3.3"; None → "—"."""
    if x is None:
        return "—"
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.{places}f}"


def figure_text(series: Series, figure: Figure | None, unit: str | None = None) -> str:
    """The figure as a person reads it: "42%" for a rate, "12 people" for a count, "3.5 days"
    for a median; "—" for a hidden cell or a month without a figure. ``unit``: the series'
    unit already translated (a page of 24 months asks once)."""
    if figure is None or figure.suppressed or figure.value is None:
        return "—"
    if series.spec.kind == "rate":
        return f"{figure.value * 100:.1f}%"
    if unit is None:
        unit = str(series.spec.unit)
    return f"{number(figure.value)} {unit}".strip()


def of_text(series: Series, figure: Figure | None) -> str:
    """A rate's numerator and denominator: "42 of 99 verified residents"."""
    if figure is None or figure.suppressed or series.spec.kind != "rate":
        return ""
    if figure.denominator is None:
        return ""
    return _("%(numerator)s of %(denominator)s %(denominator_label)s") % {
        "numerator": number(figure.numerator),
        "denominator": number(figure.denominator),
        "denominator_label": series.spec.denominator,
    }


def chart_value(series: Series, figure: Figure | None) -> float | None:
    if figure is None or figure.suppressed or figure.value is None:
        return None
    return figure.value * 100 if series.spec.kind == "rate" else figure.value


def month_label(month: date) -> str:
    return month.strftime("%Y-%m")


GROUP_TITLES = {
    "elderly": gettext_lazy("Older residents against everyone else"),
    "disabled": gettext_lazy("Residents with a disability against everyone else"),
    "low_income": gettext_lazy("Low-income residents against everyone else"),
    "grid": gettext_lazy("By grid"),
    "building": gettext_lazy("By building"),
    "age": gettext_lazy("By age band (declared birth year)"),
}
GROUP_NAMES = {
    "elderly": gettext_lazy("Older residents"),
    "disabled": gettext_lazy("Residents with a disability"),
    "low_income": gettext_lazy("Low-income residents"),
}
AGE_NAMES = {
    "under 30": gettext_lazy("under 30"),
    "30-44": "30–44",
    "45-59": "45–59",
    "60-74": "60–74",
    "75+": "75+",
}
RUNG_NAMES = {
    "informed": gettext_lazy("Informed"),
    "consulted": gettext_lazy("Consulted"),
    "deciding": gettext_lazy("Deciding"),
}
RUNG_HELP = {
    "informed": gettext_lazy("Residents learn what is decided: they confirmed reading a notice."),
    "consulted": gettext_lazy(
        "Residents are asked and answer: comments, proposals, reports, ratings, polls."
    ),
    "deciding": gettext_lazy(
        "Residents decide themselves: a binding vote or a ballot in the participatory budget."
    ),
}


def counts_text(figure: Figure | None) -> str:
    """ "9 / 12"; "—" for a hidden cell or a missing figure."""
    if figure is None or figure.suppressed or figure.denominator is None:
        return "—"
    return f"{number(figure.numerator)} / {number(figure.denominator)}"


def group_label(dimension: str, name: str) -> str:
    if not name:  # the people whose grid, building or birth year nobody recorded
        return _("Not recorded")
    if dimension in GROUP_NAMES:
        return str(GROUP_NAMES[dimension]) if name == "yes" else _("Everyone else")
    if dimension == "age":
        return str(AGE_NAMES.get(name, name))
    return name


def points_text(gap: float | None) -> str:
    """A gap between two rates in percentage points, signed: "+3.2 percentage points"."""
    if gap is None:
        return ""
    return _("%(points)s percentage points") % {"points": f"{gap * 100:+.1f}"}


@dataclass(frozen=True)
class SplitRow:
    label: str
    figure: str
    #: "6 / 10": the numerator over the people in the group (a rate over people's denominator)
    counts: str
    suppressed: bool


@dataclass(frozen=True)
class SplitView:
    key: str
    title: str
    rows: list[SplitRow]
    gap: str
    any_suppressed: bool


@dataclass(frozen=True)
class TableRow:
    month: str
    figure: str
    numerator: str
    denominator: str
    suppressed: bool


@dataclass(frozen=True)
class Card:
    """One indicator as the page shows it."""

    series: Series
    anchor: str
    latest: str
    latest_of: str
    this_month: str
    chart: SafeString
    rows: list[TableRow]
    #: The rows as HTML, built here: 24 rows of every indicator through the template engine
    #: cost more than the page's queries (as the hotline statistics found).
    rows_html: SafeString
    columns: list[str]
    splits: list[SplitView]
    complete_note: str


def _split_views(series: Series) -> list[SplitView]:
    views = []
    for split in series.splits:
        views.append(_split_view(series, split))
    return views


def _split_view(series: Series, split: Split) -> SplitView:
    rows = [
        SplitRow(
            label=group_label(row.dimension, row.name),
            figure=figure_text(series, row.figure),
            counts=counts_text(row.figure),
            suppressed=row.figure.suppressed,
        )
        for row in split.rows
    ]
    return SplitView(
        key=split.dimension,
        title=str(GROUP_TITLES.get(split.dimension, split.dimension)),
        rows=rows,
        gap=points_text(split.gap),
        any_suppressed=split.any_suppressed,
    )


def _markers(interventions: list[Intervention], months: list[date]) -> list[tuple[str, str]]:
    """Each intervention that started inside the chart's months, marked at its month."""
    if not months:
        return []
    first, last = months[0], months[-1]
    return [
        (month_label(i.started_on.replace(day=1)), i.name)
        for i in interventions
        if first <= i.started_on.replace(day=1) <= last
    ]


def _chart(series: Series, markers: list[tuple[str, str]]) -> SafeString:
    unit = "%" if series.spec.kind == "rate" else str(series.spec.unit)
    svg = charts.line_chart(
        months=[month_label(m) for m in series.months],
        series=[(str(series.spec.name), [chart_value(series, f) for f in series.figures])],
        markers=markers,
        unit=unit,
        title=_("%(indicator)s, month by month") % {"indicator": series.spec.name},
    )
    # line_chart escapes every text it draws (charts.py), so its SVG can be placed as is.
    return mark_safe(svg)  # noqa: S308


def _complete_note(series: Series) -> str:
    since = series.incomplete_before
    if since is None:
        return ""
    return _(
        "Complete from %(date)s: earlier journal entries lack what this figure needs, so "
        "earlier months count less than happened."
    ) % {"date": date_format(since, "Y-m-d")}


def column_labels(series: Series) -> list[str]:
    """A rate's numerator and denominator columns, as the indicator names them (a count or a
    median has none: its figure is the number)."""
    if series.spec.kind != "rate":
        return []
    return [capfirst(str(series.spec.numerator)), capfirst(str(series.spec.denominator))]


def _rows_html(series: Series, rows: list[TableRow]) -> SafeString:
    """Three narrow columns (month, figure, numerator / denominator), which fit a phone in
    the age-friendly mode without stacking each month into a card of its own."""
    if series.spec.kind == "rate":
        return format_html_join(
            "\n",
            '<tr><th scope="row">{}</th><td>{}</td><td>{} / {}</td></tr>',
            ((r.month, r.figure, r.numerator, r.denominator) for r in rows),
        )
    return format_html_join(
        "\n",
        '<tr><th scope="row">{}</th><td>{}</td></tr>',
        ((r.month, r.figure) for r in rows),
    )


def card(series: Series, interventions: list[Intervention], *, months: int | None = None) -> Card:
    shown = list(zip(series.months, series.figures, strict=True))
    unit = str(series.spec.unit)
    if months is not None:
        shown = shown[-months:]
    rows = [
        TableRow(
            month=month_label(m),
            figure=figure_text(series, f, unit),
            numerator="—" if f is None or f.numerator is None else number(f.numerator),
            denominator="—" if f is None or f.denominator is None else number(f.denominator),
            suppressed=f is not None and f.suppressed,
        )
        for m, f in reversed(shown)
    ]
    return Card(
        series=series,
        rows_html=_rows_html(series, rows),
        columns=column_labels(series),
        anchor="ind-" + series.key.replace(".", "-").replace("_", "-"),
        latest=figure_text(series, series.latest),
        latest_of=of_text(series, series.latest),
        this_month=figure_text(series, series.this_month) if series.this_month else "",
        chart=_chart(series, _markers(interventions, series.months)),
        rows=rows,
        splits=_split_views(series),
        complete_note=_complete_note(series),
    )


def ladder_rows() -> list[tuple[str, str, str, list[str]]]:
    """The ladder as the page shows it: each rung, what it means, and the acts that count
    for it (journal verbs, by their labels); a vote counts as deciding only when it binds."""
    labels = verb_labels()
    by_rung: dict[str, list[str]] = {rung: [] for rung in ladder.RUNGS}
    for verb, rung, binding in ladder.rows():
        label = str(labels.get(verb, verb))
        by_rung[rung].append(label)
        if binding:
            by_rung[ladder.DECIDING].append(_("%(act)s, when the vote binds") % {"act": label})
    return [
        (rung, str(RUNG_NAMES.get(rung, rung)), str(RUNG_HELP.get(rung, "")), by_rung[rung])
        for rung in ladder.RUNGS
    ]


# --- pages --------------------------------------------------------------------------------


def _context(
    request: HttpRequest, community: Community, *, months: int | None = None
) -> dict[str, Any]:
    board = selectors.dashboard(community=community)
    return {
        "community": community,
        "board": board,
        "headline": [card(s, board.interventions, months=months) for s in board.headline],
        "others": [card(s, board.interventions, months=months) for s in board.others],
        "split_month": month_label(board.months[-1]),
        "first_month": month_label(board.months[0]),
        "min_cell": selectors.min_cell(),
        "ladder": ladder_rows(),
        "can_record": rules.has_perm(RECORD, request.user, community),
    }


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=VIEW)
    # Rollups older than EVALUATION_REFRESH_SECONDS are rebuilt by a task (at once with the
    # immediate backend of development and tests); this view shows what is stored now.
    services.request_refresh_if_stale(community)
    context = _context(request, community)
    if context["can_record"]:
        context["form"] = InterventionForm()
    return render(request, "evaluation/dashboard.html", context)


@login_required
@require_POST
def intervention_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Record an intervention; an invalid one (an end before its start) shows the form again
    with what was typed and why, nothing saved."""
    community = community_get(slug=slug, user=request.user, perm=VIEW)
    if not rules.has_perm(RECORD, request.user, community):
        raise PermissionDenied(_("Only community workers and officials may record this."))
    form = InterventionForm(request.POST)
    if form.is_valid():
        try:
            services.intervention_record(
                actor=request_user(request), community=community, **form.cleaned_data
            )
        except ValidationError as exc:
            # The service names the field it refuses (an end before the start: ended_on).
            form.add_error(None, exc)
        else:
            messages.success(request, _("The intervention is recorded and marked on the charts."))
            return redirect(reverse("evaluation_dashboard", args=[slug]) + "#interventions")
    context = _context(request, community)
    context["form"] = form
    return render(request, "evaluation/dashboard.html", context, status=400)


END = Action[Intervention](
    act=lambda user, intervention, data: services.intervention_end(
        actor=user, intervention=intervention, ended_on=data["ended_on"]
    ),
    form=InterventionEndForm,
    invalid=gettext_lazy("Give the day it ended."),
    done=gettext_lazy("The intervention is marked as ended."),
    refused=(ValidationError, PermissionDenied),
)


@login_required
@require_POST
def intervention_end(request: HttpRequest, slug: str, intervention_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=VIEW)
    if not rules.has_perm(RECORD, request.user, community):
        raise PermissionDenied(_("Only community workers and officials may record this."))
    intervention = selectors.intervention_get(community=community, intervention_id=intervention_id)
    back = reverse("evaluation_dashboard", args=[slug]) + "#interventions"
    return perform(request, END, intervention, back=back)


@login_required
@require_GET
def report(request: HttpRequest, slug: str) -> HttpResponse:
    """The printable A4 report: every figure, its chart and the last 12 months, the gaps, the
    interventions and how it is all counted."""
    community = community_get(slug=slug, user=request.user, perm=VIEW)
    context = _context(request, community, months=REPORT_MONTHS)
    context["printed_on"] = timezone.localdate()
    return render(request, "evaluation/report.html", context)


def _pdf_blocks(context: dict[str, Any]) -> list[Any]:
    board = context["board"]
    blocks: list[Any] = [
        Paragraph(
            _("%(community)s · printed on %(date)s")
            % {
                "community": board.community.name,
                "date": date_format(timezone.localdate(), "Y-m-d"),
            }
        ),
        Paragraph(_refresh_text(board.refresh)),
    ]
    month_h, figure_h = _("Month"), _("Figure")
    for item in [*context["headline"], *context["others"]]:
        spec = item.series.spec
        blocks.append(Heading(str(spec.name)))
        blocks.append(Paragraph(str(spec.definition)))
        latest = item.latest + (f"（{item.latest_of}）" if item.latest_of else "")
        blocks.append(
            Paragraph(
                _("%(month)s: %(figure)s") % {"month": context["split_month"], "figure": latest}
            )
        )
        if item.complete_note:
            blocks.append(Paragraph(item.complete_note))
        blocks.append(
            Table(
                header=[month_h, figure_h, *item.columns],
                rows=[
                    [r.month, r.figure, r.numerator, r.denominator][: 2 + len(item.columns)]
                    for r in item.rows
                ],
            )
        )
        for split in item.splits:
            title = split.title + (f"（{split.gap}）" if split.gap else "")
            blocks.append(Paragraph(title))
            blocks.append(
                Table(
                    header=[_("Group"), figure_h, " / ".join(item.columns)],
                    rows=[[r.label, r.figure, r.counts] for r in split.rows],
                    widths=[5, 3, 2],
                )
            )
    blocks.append(Heading(_("Interventions")))
    if board.interventions:
        blocks.append(
            Table(
                header=[_("What was started"), _("Started on"), _("Ended on")],
                rows=[
                    [
                        i.name,
                        date_format(i.started_on, "Y-m-d"),
                        date_format(i.ended_on, "Y-m-d") if i.ended_on else "—",
                    ]
                    for i in board.interventions
                ],
                widths=[6, 3, 3],
            )
        )
    else:
        blocks.append(Paragraph(_("No interventions recorded.")))
    blocks.append(Heading(_("How these figures are made")))
    blocks.append(Paragraph(_suppression_text(context["min_cell"])))
    return blocks


#: Dashes the PDF's GB2312 font has no glyph for, and what stands in for them.
PDF_STAND_INS = str.maketrans({"—": "-", "–": "-"})


def _pdf_safe(block: Any) -> Any:
    if isinstance(block, Table):
        return Table(
            header=[str(h).translate(PDF_STAND_INS) for h in block.header],
            rows=[[str(c).translate(PDF_STAND_INS) for c in row] for row in block.rows],
            widths=block.widths,
        )
    if isinstance(block, Heading):
        return Heading(block.text.translate(PDF_STAND_INS))
    if isinstance(block, Paragraph):
        return Paragraph(block.text.translate(PDF_STAND_INS))
    return block


def _refresh_text(refresh: Any) -> str:
    if refresh is None:
        return _("The figures have not been computed yet.")
    return _("Figures computed from the journal on %(at)s.") % {
        "at": date_format(timezone.localtime(refresh.refreshed_at), "Y-m-d H:i")
    }


def _suppression_text(threshold: int) -> str:
    return _(
        "“—” in a group's row: fewer than %(n)s people, or hidden so that a small group cannot "
        "be worked out from the totals."
    ) % {"n": threshold}


@login_required
@require_GET
def report_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=VIEW)
    context = _context(request, community, months=REPORT_MONTHS)
    title = _("Empowerment evaluation: %(community)s") % {"community": community.name}
    blocks = [_pdf_safe(block) for block in _pdf_blocks(context)]
    content = render_pdf(title, blocks, author=community.name)
    name = f"{community.slug}-evaluation-{timezone.localdate():%Y-%m-%d}.pdf"
    return pdf_response(content, filename=name, inline=False)


# --- exports ------------------------------------------------------------------------------


def export_heading() -> list[str]:
    return [
        _("Indicator key"),
        _("Indicator"),
        _("Definition"),
        _("Kind"),
        _("Unit"),
        _("Numerator"),
        _("Denominator"),
        _("Complete from"),
        _("Month"),
        _("Group"),
        _("Numerator value"),
        _("Denominator value"),
        _("Value"),
        _("People in the cell"),
        _("Hidden (small cell)"),
    ]


def export_rows(community: Community) -> list[list[Any]]:
    """Every stored figure with its indicator's definition, one row each (long format: a
    researcher's pivot table, or R's and pandas' read_csv, takes it as it is)."""
    specs = selectors.registry()
    rows: list[list[Any]] = [spreadsheet_safe(export_heading())]
    for row in selectors.export_values(community=community):
        spec = specs[row.key]
        figure = Figure.of(row)
        rows.append(
            [
                *spreadsheet_safe(
                    [
                        row.key,
                        spec.name,
                        spec.definition,
                        spec.kind,
                        spec.unit,
                        spec.numerator,
                        spec.denominator,
                        spec.complete_from.isoformat() if spec.complete_from else "",
                        month_label(row.month),
                        row.group,
                    ]
                ),
                figure.numerator,
                figure.denominator,
                figure.value,
                figure.people,
                1 if figure.suppressed else 0,
            ]
        )
    return rows


def definition_rows() -> list[list[Any]]:
    rows: list[list[Any]] = [
        spreadsheet_safe(
            [
                _("Indicator key"),
                _("Indicator"),
                _("Definition"),
                _("Kind"),
                _("Unit"),
                _("Numerator"),
                _("Denominator"),
                _("Better when"),
                _("From the journal alone"),
                _("Complete from"),
            ]
        )
    ]
    for key, spec in selectors.registry().items():
        rows.append(
            spreadsheet_safe(
                [
                    key,
                    spec.name,
                    spec.definition,
                    spec.kind,
                    spec.unit,
                    spec.numerator,
                    spec.denominator,
                    _("higher") if spec.better == "up" else _("lower"),
                    _("yes") if spec.journal_only else _("no"),
                    spec.complete_from.isoformat() if spec.complete_from else "",
                ]
            )
        )
    return rows


def export_json(community: Community) -> dict[str, Any]:
    """Every indicator with its definition and every stored figure (hidden cells as nulls)."""
    refresh = selectors.refresh_of(community=community)
    values: dict[str, list[dict[str, Any]]] = {}
    for row in selectors.export_values(community=community):
        figure = Figure.of(row)
        values.setdefault(row.key, []).append(
            {
                "month": month_label(row.month),
                "group": row.group,
                "numerator": figure.numerator,
                "denominator": figure.denominator,
                "value": figure.value,
                "people": figure.people,
                "suppressed": figure.suppressed,
            }
        )
    return {
        "community": community.slug,
        "community_name": community.name,
        "exported_at": timezone.now().isoformat(),
        "refreshed_at": refresh.refreshed_at.isoformat() if refresh else None,
        "timezone": str(timezone.get_current_timezone()),
        "min_cell": selectors.min_cell(),
        "indicators": [
            {
                "key": key,
                "name": str(spec.name),
                "definition": str(spec.definition),
                "kind": spec.kind,
                "unit": str(spec.unit),
                "numerator": str(spec.numerator),
                "denominator": str(spec.denominator),
                "better": spec.better,
                "journal_only": spec.journal_only,
                "people": spec.people,
                "complete_from": spec.complete_from.isoformat() if spec.complete_from else None,
                "values": values.get(key, []),
            }
            for key, spec in selectors.registry().items()
        ],
    }


@login_required
@require_GET
def export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=VIEW)
    name = f"evaluation-{community.slug}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "json":
        response = HttpResponse(
            json.dumps(export_json(community), ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    return table_export(
        fmt=fmt,
        name=name,
        sheets=[
            Sheet(_("Figures"), export_rows(community)),
            Sheet(_("Definitions"), definition_rows()),
        ],
    )
