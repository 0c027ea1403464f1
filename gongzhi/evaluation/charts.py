"""Trend charts as server-rendered SVG (趋势图): no JavaScript, no inline styles.

The Content-Security-Policy forbids ``style`` attributes and scripts, so every colour and line
comes from classes that ``static/gongzhi/site.css`` defines (``.chart …``). The chart is an image
(``role="img"``, a ``<title>``) for a screen reader; the numbers themselves are in the table the
template puts behind each chart. A month without a value (None) is a gap in the line, never a
zero; an intervention is a dashed vertical line with its label.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

# The SVG scales to the width it is given (a phone's 360 px): a narrow viewBox with large text
# keeps the axis readable there (16 units ≈ 12 px on a phone; site.css sets the sizes).
WIDTH, HEIGHT = 480, 250
LEFT, RIGHT, TOP, BOTTOM = 60, 28, 34, 44
PAD = 4  # no text comes closer than this to the viewBox's edge
FONT = 20  # the widest font size site.css gives chart text (the age-friendly mode), for fitting
LEGEND_ROW = 26
SERIES_CLASSES = 4  # .chart-series-0 … -3 in site.css


def _text_width(text: str) -> float:
    """A generous estimate of the text's width at ``FONT``: a CJK character is one em, others
    about 0.62 em."""
    return sum(FONT if ord(ch) > 0x2E7F else FONT * 0.62 for ch in text)


def _fit(text: str, room: float) -> str:
    """The text, cut with an ellipsis when wider than ``room``."""
    if _text_width(text) <= room:
        return text
    while text and _text_width(text + "…") > room:
        text = text[:-1]
    return text + "…"


def _placed(x: float, text: str) -> tuple[float, str]:
    """Where to anchor a label centred on ``x`` so that it stays inside the viewBox: its start
    near the left edge, its end near the right edge, its middle elsewhere."""
    half = _text_width(text) / 2
    if x + half > WIDTH - PAD:
        return WIDTH - PAD, "end"
    if x - half < PAD:
        return PAD, "start"
    return x, "middle"


def _nice_max(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ value (an axis that ends on a round number)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _integer_axis(value: float) -> tuple[float, int]:
    """The top of an axis for whole numbers and how many intervals it has, each a whole number
    (counts of people or problems never show a tick like 12.5)."""
    top = _nice_max(value)
    if top < 1:
        top = 1.0
    for steps in (4, 5, 2, 1):
        if top % steps == 0:
            return top, steps
    return top, 1  # pragma: no cover - top is 1, 2 or 5 × 10^k


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
    legend = _legend(series) if len(series) > 1 else []
    height = HEIGHT + (legend[-1][2] + 1) * LEGEND_ROW if legend else HEIGHT
    shown = [v for _label, values in series for v in values if v is not None]
    if all(float(v).is_integer() for v in shown):
        top, steps = _integer_axis(max(shown, default=0.0))
    else:
        top, steps = _nice_max(max(shown, default=0.0)), 4
    ticks = [
        (top * step / steps, _tick_label(top * step / steps, unit)) for step in range(steps + 1)
    ]
    # The plot starts right of the widest tick label, so no label runs past the left edge.
    left = max(LEFT, math.ceil(PAD + max(_text_width(t) for _v, t in ticks) + 6))
    plot_w, plot_h = WIDTH - left - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return left + (plot_w * i / (len(months) - 1) if len(months) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
        '<g class="chart-grid">',
    ]
    for value, tick in ticks:
        out.append(
            f'<line x1="{left}" x2="{WIDTH - RIGHT}" y1="{_f(y(value))}" y2="{_f(y(value))}"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{_f(y(value) + 5)}" text-anchor="end">{escape(tick)}</text>'
        )
    out.append("</g>")
    out.append(
        f'<g class="chart-axis"><line x1="{left}" x2="{WIDTH - RIGHT}" '
        f'y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>'
    )
    for i in _labelled_months(months, x):
        tx, anchor = _placed(x(i), months[i])
        out.append(
            f'<text x="{_f(tx)}" y="{TOP + plot_h + 24}" '
            f'text-anchor="{anchor}">{escape(months[i])}</text>'
        )
    out.append("</g>")
    index = {month: i for i, month in enumerate(months)}
    for month, label in markers:
        if month not in index:
            continue
        mx = _f(x(index[month]))
        text = _fit(label, WIDTH - 2 * PAD)
        tx, anchor = _placed(x(index[month]), text)
        out.append(
            f'<g class="chart-marker"><line x1="{mx}" x2="{mx}" y1="{TOP - 6}" '
            f'y2="{TOP + plot_h}"/><text x="{_f(tx)}" y="{TOP - 12}" text-anchor="{anchor}">'
            f"{escape(text)}</text></g>"
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
    if legend:
        out.append("<g>")
        for n, (text, lx, row) in enumerate(legend):
            ly = HEIGHT + 14 + row * LEGEND_ROW
            out.append(
                f'<g class="chart-series chart-series-{n % SERIES_CLASSES}">'
                f'<line x1="{_f(lx)}" x2="{_f(lx + 18)}" y1="{ly - 6}" y2="{ly - 6}"/>'
                f'<text x="{_f(lx + 24)}" y="{ly}">{escape(text)}</text></g>'
            )
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def _span(x: float, text: str) -> tuple[float, float]:
    at, anchor = _placed(x, text)
    width = _text_width(text)
    if anchor == "end":
        return at - width, at
    if anchor == "start":
        return at, at + width
    return at - width / 2, at + width / 2


def _labelled_months(months: Sequence[str], x: Callable[[int], float]) -> list[int]:
    """The months whose label the axis shows: evenly spaced, the last month always, and none
    overlapping another (the one before the last gives way)."""
    shown: list[int] = []
    for i in range(len(months)):
        start, end = _span(x(i), months[i])
        if i == len(months) - 1:
            while shown and _span(x(shown[-1]), months[shown[-1]])[1] + 8 > start:
                shown.pop()
            shown.append(i)
        elif not shown or _span(x(shown[-1]), months[shown[-1]])[1] + 8 <= start:
            shown.append(i)
    return shown


def _legend(series: Sequence[tuple[str, Sequence[float | None]]]) -> list[tuple[str, float, int]]:
    """Each series' legend entry (its label, cut to fit, its x and its row): entries fill a row
    from the left and wrap to the next one rather than run past the right edge."""
    placed: list[tuple[str, float, int]] = []
    lx, row = float(PAD), 0
    for label, _values in series:
        text = _fit(label, WIDTH - 2 * PAD - 24)
        width = 24 + _text_width(text) + 16
        if lx > PAD and lx + width - 16 > WIDTH - PAD:
            lx, row = float(PAD), row + 1
        placed.append((text, lx, row))
        lx += width
    return placed
