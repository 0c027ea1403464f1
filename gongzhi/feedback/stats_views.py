"""The hotline's statistics pages for staff (/c/<slug>/hotline/stats/): the figures per
category, handler and month, the heat view by building, and their CSV/XLSX exports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.exports import Sheet, spreadsheet_safe, table_export
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get
from gongzhi.feedback import stats

PERM = "feedback.view_stats"
TABLES = ("category", "handler", "month", "building")


def _report(request: HttpRequest, community: Community, *, quiet: bool = False) -> stats.Report:
    try:
        first, last = stats.parse_period(request.GET.get("from"), request.GET.get("to"))
    except ValidationError as exc:
        if quiet:
            raise
        messages.error(request, " ".join(exc.messages))
        first, last = stats.default_period()
    return stats.report(community=community, first=first, last=last)


def _heat_rows(report: stats.Report) -> list[tuple[stats.Line, SafeString]]:
    """Each building with its cells, shaded relative to the busiest cell (built here, not in
    the template: a thousand cells through the template engine cost more than the queries).

    The shade is a class in steps of 5 % (``heat-0`` … ``heat-100`` in site.css), not a style
    attribute: the Content-Security-Policy allows no inline style."""
    largest = report.heat.largest or 1
    rows = []
    for building in report.heat.buildings:
        cells = []
        for n in report.heat.row(building):
            shade = 5 * round(20 * n / largest)
            ink = " heat-ink" if shade > 55 else ""
            cells.append((shade, ink, n or ""))
        rows.append((building, format_html_join("", '<td class="heat-{}{}">{}</td>', cells)))
    return rows


def _dash(value: Any) -> Any:
    return "—" if value is None else value


def _table_cells(lines: list[stats.Line]) -> list[tuple[stats.Line, SafeString]]:
    """Each line with its cells, each labelled for the one-column layout on a phone."""
    labels = [
        _("Tickets"),
        _("Response (h)"),
        _("Resolution (h)"),
        _("On time (%)"),
        _("Open past deadline"),
        _("Rated"),
        _("Resolution rate (%)"),
        _("Satisfaction rate (%)"),
        _("Mean satisfaction"),
    ]
    rows = []
    for line in lines:
        f = line.figures
        values = [
            f.tickets,
            f.response_hours,
            f.resolution_hours,
            f.on_time_rate,
            f.open_overdue,
            f.rated,
            f.resolution_rate,
            f.satisfaction_rate,
            f.satisfaction_mean,
        ]
        cells = format_html_join(
            "",
            '<td data-label="{}">{}</td>',
            zip(labels, map(_dash, values), strict=True),
        )
        rows.append((line, cells))
    return rows


@login_required
@require_GET
def stats_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=PERM)
    report = _report(request, community)
    return render(
        request,
        "feedback/stats/report.html",
        {
            "community": community,
            "report": report,
            "tables": [
                ("category", _("By category"), _("Category"), _table_cells(report.by_category)),
                ("handler", _("By handler"), _("Handler"), _table_cells(report.by_handler)),
                ("month", _("By month"), _("Month"), _table_cells(report.by_month)),
            ],
            "heat_rows": _heat_rows(report),
            "first": report.first.strftime("%Y-%m"),
            "last": report.last.strftime("%Y-%m"),
        },
    )


def headings() -> list[str]:
    return [
        _("Tickets"),
        _("Accepted"),
        _("Mean response time (hours)"),
        _("Resolved"),
        _("Mean resolution time (hours)"),
        _("Resolved with a deadline"),
        _("Resolved on time"),
        _("Resolved on time (%)"),
        _("Open past deadline"),
        _("Rated"),
        _("Rated solved"),
        _("Resolution rate (%)"),
        _("Rated 4 or 5"),
        _("Satisfaction rate (%)"),
        _("Mean satisfaction (1–5)"),
    ]


def _numbers(f: stats.Figures) -> list[Any]:
    return [
        f.tickets,
        f.responded,
        f.response_hours,
        f.resolved,
        f.resolution_hours,
        f.resolved_with_deadline,
        f.resolved_on_time,
        f.on_time_rate,
        f.open_overdue,
        f.rated,
        f.solved,
        f.resolution_rate,
        f.satisfied,
        f.satisfaction_rate,
        f.satisfaction_mean,
    ]


def table_rows(report: stats.Report, table: str) -> list[list[Any]]:
    """One table as spreadsheet rows: a heading row, then labels (made safe: a category or a
    person may be named ``=…``) with their numbers (kept as numbers)."""
    if table == "building":
        columns = report.heat.categories
        rows: list[list[Any]] = [
            spreadsheet_safe([_("Building"), _("Tickets"), *[c.label for c in columns]])
        ]
        for building in report.heat.buildings:
            rows.append(
                [
                    *spreadsheet_safe([building.label]),
                    building.figures.tickets,
                    *report.heat.row(building),
                ]
            )
        return rows
    lines, first = {
        "category": (report.by_category, _("Category")),
        "handler": (report.by_handler, _("Handler")),
        "month": (report.by_month, _("Month")),
    }[table]
    rows = [spreadsheet_safe([first, *headings()])]
    rows += [[*spreadsheet_safe([line.label]), *_numbers(line.figures)] for line in lines]
    rows.append([*spreadsheet_safe([_("All")]), *_numbers(report.total)])
    return rows


@login_required
@require_GET
def stats_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=PERM)
    try:
        report = _report(request, community, quiet=True)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    name = f"hotline-{community.slug}-{report.first:%Y-%m}-{report.last:%Y-%m}"
    titles = {
        "category": _("By category"),
        "handler": _("By handler"),
        "month": _("By month"),
        "building": _("By building"),
    }
    if fmt == "csv":
        table = request.GET.get("table", "category")
        if table not in TABLES:
            return HttpResponse(
                _("Choose the table: category, handler, month or building."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return table_export(
            fmt=fmt,
            name=f"{name}-{table}",
            sheets=[Sheet(titles[table], table_rows(report, table))],
        )
    return table_export(
        fmt=fmt,
        name=name,
        sheets=[Sheet(titles[table], table_rows(report, table)) for table in TABLES],
    )
