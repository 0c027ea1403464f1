"""The event study's chart (事件研究图): an estimate with its confidence interval for each month
relative to the start, drawn as server-rendered SVG in the style of ``charts.py`` (no script,
no style attributes: the classes site.css defines for ``.chart``).

The reference month (−1) is drawn at zero in the second series' colour, since every other
month is measured against it; a dashed line marks where "after" begins; a solid line marks zero. The
numbers are in the table the template puts behind the chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from gongzhi.evaluation.charts import FONT, PAD, _f, _fit, _nice_max, _placed, _text_width

WIDTH, HEIGHT = 480, 270
RIGHT, TOP, BOTTOM = 20, 34, 50
LEFT = 60


def _ticks(low: float, high: float) -> list[float]:
    """Round ticks covering low..high, zero among them."""
    span = max(abs(low), abs(high), 1e-9)
    top = _nice_max(span)
    step = top / 2
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    count = round((last - first) / step)
    return [first + step * i for i in range(count + 1)]


def _tick_label(value: float, unit: str) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return f"{text}{unit}"


def estimate_chart(
    *,
    periods: Sequence[int],
    estimates: Sequence[float],
    ci_low: Sequence[float],
    ci_high: Sequence[float],
    reference: int = -1,
    unit: str = "",
    title: str,
    start_label: str,
    axis_label: str,
) -> str:
    """An SVG of ``estimates`` with their intervals by relative period, ``reference`` drawn at
    zero. Periods need not be contiguous; the x axis runs from the smallest to the largest."""
    if not (len(periods) == len(estimates) == len(ci_low) == len(ci_high)):
        raise ValueError("periods, estimates and intervals differ in length")
    points = [
        (p, e, lo, hi)
        for p, e, lo, hi in zip(periods, estimates, ci_low, ci_high, strict=True)
        if p != reference
    ]
    every = sorted({*periods, reference})
    values = [v for _p, e, lo, hi in points for v in (e, lo, hi) if math.isfinite(v)] + [0.0]
    ticks = _ticks(min(values), max(values))
    labels = [_tick_label(t, unit) for t in ticks]
    left = max(LEFT, math.ceil(PAD + max(_text_width(t) for t in labels) + 6))
    plot_w, plot_h = WIDTH - left - RIGHT, HEIGHT - TOP - BOTTOM
    low, high = ticks[0], ticks[-1]
    first, last = every[0], every[-1]

    def x(p: float) -> float:
        # Half a period of room at either end, so the end points' whiskers are not clipped.
        return left + plot_w * (p - first + 0.5) / (last - first + 1)

    def y(v: float) -> float:
        return TOP + plot_h * (high - v) / (high - low)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
        '<g class="chart-grid">',
    ]
    for value, label in zip(ticks, labels, strict=True):
        out.append(
            f'<line x1="{left}" x2="{WIDTH - RIGHT}" y1="{_f(y(value))}" y2="{_f(y(value))}"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{_f(y(value) + 5)}" text-anchor="end">{escape(label)}</text>'
        )
    out.append("</g>")
    out.append(
        f'<g class="chart-axis"><line x1="{left}" x2="{WIDTH - RIGHT}" '
        f'y1="{_f(y(0))}" y2="{_f(y(0))}"/>'
    )
    # Label every period if they fit, else every second or third (always 0 and the ends).
    room = plot_w / (last - first + 1)
    step = max(1, math.ceil((_text_width("-12") + 6) / max(room, 1)))
    for p in every:
        if p % step and p not in (first, last, 0):
            continue
        tx, anchor = _placed(x(p), str(p))
        out.append(f'<text x="{_f(tx)}" y="{TOP + plot_h + 22}" text-anchor="{anchor}">{p}</text>')
    axis_text = _fit(axis_label, WIDTH - 2 * PAD)
    out.append(
        f'<text x="{_f(left + plot_w / 2)}" y="{HEIGHT - 6}" text-anchor="middle">'
        f"{escape(axis_text)}</text>"
    )
    out.append("</g>")
    # Where "after" begins: between the reference month and month 0.
    mx = _f(x(reference + 0.5) if first <= reference < last else x(0))
    marker = _fit(start_label, WIDTH - 2 * PAD)
    tx, anchor = _placed(float(mx), marker)
    out.append(
        f'<g class="chart-marker"><line x1="{mx}" x2="{mx}" y1="{TOP - 6}" '
        f'y2="{TOP + plot_h}"/><text x="{_f(tx)}" y="{TOP - 12}" text-anchor="{anchor}">'
        f"{escape(marker)}</text></g>"
    )
    out.append('<g class="chart-series chart-series-0">')
    for p, _e, lo, hi in points:
        if not (math.isfinite(lo) and math.isfinite(hi)):
            continue
        px = _f(x(p))
        out.append(f'<line x1="{px}" x2="{px}" y1="{_f(y(hi))}" y2="{_f(y(lo))}"/>')
    for p, e, _lo, _hi in points:
        if math.isfinite(e):
            out.append(f'<circle cx="{_f(x(p))}" cy="{_f(y(e))}" r="{FONT // 5}"/>')
    out.append("</g>")
    out.append(
        f'<g class="chart-series chart-series-1"><circle cx="{_f(x(reference))}" '
        f'cy="{_f(y(0))}" r="{FONT // 5}"/></g>'
    )
    out.append("</svg>")
    return "".join(out)
