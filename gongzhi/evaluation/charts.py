"""Trend charts as server-rendered SVG (趋势图): no JavaScript, no inline styles.

The Content-Security-Policy forbids ``style`` attributes and scripts, so every colour and line
comes from classes that ``static/gongzhi/site.css`` defines (``.chart …``). The chart is an image
(``role="img"``, a ``<title>``) for a screen reader; the numbers themselves are in the table the
template puts behind each chart. A month without a value (None) is a gap in the line, never a
zero; an intervention is a dashed vertical line with its label.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 28, 40
SERIES_CLASSES = 4  # .chart-series-0 … -3 in site.css


def _nice_max(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ value (an axis that ends on a round number)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _tick_label(value: float, unit: str) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text}{unit}"


def _f(x: float) -> str:
    return f"{x:.1f}"


def line_chart(
    *,
    months: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    markers: Sequence[tuple[str, str]] = (),
    unit: str = "",
    title: str,
) -> str:
    """An SVG line chart of ``series`` (label, one value or None per month) over ``months``
    ("YYYY-MM"), with ``markers`` (month, label) drawn as dashed vertical lines."""
    for label, values in series:
        if len(values) != len(months):
            raise ValueError(f"series {label!r}: {len(values)} values for {len(months)} months")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    shown = [v for _label, values in series for v in values if v is not None]
    top = _nice_max(max(shown, default=0.0))

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (len(months) - 1) if len(months) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
        '<g class="chart-grid">',
    ]
    for step in range(5):
        value = top * step / 4
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_f(y(value))}" y2="{_f(y(value))}"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{_f(y(value) + 4)}" text-anchor="end">'
            f"{escape(_tick_label(value, unit))}</text>"
        )
    out.append("</g>")
    out.append(
        f'<g class="chart-axis"><line x1="{LEFT}" x2="{WIDTH - RIGHT}" '
        f'y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>'
    )
    every = max(1, math.ceil(len(months) / 6))
    for i, month in enumerate(months):
        if i % every == 0 or i == len(months) - 1:
            out.append(
                f'<text x="{_f(x(i))}" y="{TOP + plot_h + 18}" '
                f'text-anchor="middle">{escape(month)}</text>'
            )
    out.append("</g>")
    index = {month: i for i, month in enumerate(months)}
    for month, label in markers:
        if month not in index:
            continue
        mx = _f(x(index[month]))
        out.append(
            f'<g class="chart-marker"><line x1="{mx}" x2="{mx}" y1="{TOP - 6}" '
            f'y2="{TOP + plot_h}"/><text x="{mx}" y="{TOP - 10}" text-anchor="middle">'
            f"{escape(label)}</text></g>"
        )
    for n, (label, values) in enumerate(series):
        out.append(f'<g class="chart-series chart-series-{n % SERIES_CLASSES}">')
        out.append(f"<title>{escape(label)}</title>")
        segments: list[list[str]] = []
        previous: float | None = None
        for i, v in enumerate(values):
            if v is None:
                previous = None
                continue
            point = f"{_f(x(i))},{_f(y(v))}"
            if previous is None:
                segments.append([point])
            else:
                segments[-1].append(point)
            previous = v
        for points in segments:
            if len(points) > 1:
                out.append(f'<polyline points="{" ".join(points)}"/>')
        for i, v in enumerate(values):
            if v is not None:
                out.append(f'<circle cx="{_f(x(i))}" cy="{_f(y(v))}" r="3"/>')
        out.append("</g>")
    if len(series) > 1:
        out.append("<g>")
        for n, (label, _values) in enumerate(series):
            lx = LEFT + n * 150
            out.append(
                f'<g class="chart-series chart-series-{n % SERIES_CLASSES}">'
                f'<line x1="{lx}" x2="{lx + 18}" y1="{HEIGHT - 8}" y2="{HEIGHT - 8}"/>'
                f'<text x="{lx + 24}" y="{HEIGHT - 4}">{escape(label)}</text></g>'
            )
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
