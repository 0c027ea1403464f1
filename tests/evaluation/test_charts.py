"""The SVG trend chart: valid XML, escaped text, gaps, markers, and nothing the CSP refuses."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from gongzhi.evaluation.charts import line_chart

NS = "{http://www.w3.org/2000/svg}"
MONTHS = ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04"]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it


def _series(root: ET.Element) -> list[ET.Element]:
    return [
        g
        for g in root.iter(f"{NS}g")
        if "chart-series" in (g.get("class") or "").split() and g.find(f"{NS}circle") is not None
    ]


def test_valid_svg_image_with_title() -> None:
    svg = line_chart(
        months=MONTHS, series=[("参与率", [0.1, 0.2, 0.3, 0.2, 0.4, 0.5])], title="参与率"
    )
    root = _parse(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img" and root.get("aria-label") == "参与率"
    assert root.find(f"{NS}title").text == "参与率"
    [series] = _series(root)
    [line] = series.findall(f"{NS}polyline")
    assert len(line.get("points").split()) == 6
    assert len(series.findall(f"{NS}circle")) == 6


def test_text_is_escaped() -> None:
    evil = '<script>alert("x")</script> & "quotes"'
    svg = line_chart(
        months=MONTHS[:2],
        series=[(evil, [1, 2]), ("b", [2, 1])],
        markers=[("2025-12", evil)],
        unit="<%>",
        title=evil,
    )
    assert "<script>" not in svg
    root = _parse(svg)
    assert root.get("aria-label") == evil
    assert root.find(f"{NS}title").text == evil
    texts = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    assert evil in texts
    assert any(t.endswith("<%>") for t in texts)


def test_no_style_attributes_nor_scripts() -> None:
    svg = line_chart(
        months=MONTHS,
        series=[("a", [1, None, 3, 4, None, 6]), ("b", [2, 2, 2, 2, 2, 2])],
        markers=[("2026-01", "议事会成立")],
        title="t",
    )
    root = _parse(svg)
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
        assert not any(name.lower().startswith("on") for name in element.attrib), element.attrib
        assert element.tag not in (f"{NS}script", f"{NS}style", f"{NS}foreignObject")
    assert not re.search(r"\bstyle=", svg)


def test_none_is_a_gap_not_a_zero() -> None:
    svg = line_chart(months=MONTHS, series=[("a", [1, 2, None, 4, 5, None])], title="t")
    [series] = _series(_parse(svg))
    lines = series.findall(f"{NS}polyline")
    assert [len(p.get("points").split()) for p in lines] == [2, 2]
    assert len(series.findall(f"{NS}circle")) == 4
    # A point alone between gaps is still drawn, as a dot.
    svg = line_chart(months=MONTHS[:3], series=[("a", [None, 7, None])], title="t")
    [series] = _series(_parse(svg))
    assert series.findall(f"{NS}polyline") == [] and len(series.findall(f"{NS}circle")) == 1


def test_higher_values_are_higher_up() -> None:
    svg = line_chart(months=MONTHS[:2], series=[("a", [10, 40])], title="t")
    [series] = _series(_parse(svg))
    first, second = (float(c.get("cy")) for c in series.findall(f"{NS}circle"))
    assert second < first  # SVG's y grows downwards


def test_markers_are_dashed_lines_at_their_month() -> None:
    svg = line_chart(
        months=MONTHS,
        series=[("a", [1, 2, 3, 4, 5, 6])],
        markers=[("2026-01", "培训开始"), ("2030-01", "outside the axis")],
        title="t",
    )
    root = _parse(svg)
    markers = [g for g in root.iter(f"{NS}g") if g.get("class") == "chart-marker"]
    assert len(markers) == 1
    assert "".join(markers[0].find(f"{NS}text").itertext()) == "培训开始"
    x = float(markers[0].find(f"{NS}line").get("x1"))
    [series] = _series(root)
    assert x == pytest.approx(float(series.findall(f"{NS}circle")[2].get("cx")))


def test_axis_labels_carry_the_unit_and_a_round_top() -> None:
    svg = line_chart(months=MONTHS[:2], series=[("a", [0.0, 37.0])], unit="%", title="t")
    texts = ["".join(t.itertext()) for t in _parse(svg).iter(f"{NS}text")]
    assert "50%" in texts and "0%" in texts


def test_empty_and_single_month_charts_render() -> None:
    _parse(line_chart(months=["2026-01"], series=[("a", [None])], title="t"))
    _parse(line_chart(months=["2026-01"], series=[("a", [3])], title="t"))
    _parse(line_chart(months=[], series=[], title="t"))


def test_series_must_match_the_months() -> None:
    with pytest.raises(ValueError):
        line_chart(months=MONTHS, series=[("a", [1, 2])], title="t")


def test_the_classes_are_in_site_css() -> None:
    from pathlib import Path

    import gongzhi

    css = (Path(gongzhi.__file__).parent / "static/gongzhi/site.css").read_text(encoding="utf-8")
    svg = line_chart(
        months=MONTHS[:2],
        series=[(str(i), [1, 2]) for i in range(4)],
        markers=[("2025-11", "m")],
        title="t",
    )
    classes = {c for element in _parse(svg).iter() for c in (element.get("class") or "").split()}
    for name in classes:
        assert f".{name}" in css, name


def _texts(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{NS}text"))


def test_every_text_stays_inside_the_viewbox() -> None:
    from gongzhi.evaluation.charts import PAD, _text_width

    months = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)]
    svg = line_chart(
        months=months,
        series=[("参与率", [float(i) for i in range(24)]), ("知情的居民很多很多很多", [1000] * 24)],
        markers=[("2026-12", "议事会成立，居民开始参与"), ("2025-01", "培训开始")],
        unit="人",
        title="t",
    )
    root = _parse(svg)
    width = float(root.get("viewBox").split()[2])
    for text in _texts(root):
        x, w = float(text.get("x")), _text_width("".join(text.itertext()))
        anchor = text.get("text-anchor", "start")
        start = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
        assert start >= PAD - 0.01 and start + w <= width - PAD + 0.01, (text.text, start, w)
    labels = ["".join(t.itertext()) for t in _texts(root)]
    # The last month is labelled.
    assert "2026-12" in labels


def test_counts_have_whole_ticks() -> None:
    svg = line_chart(months=MONTHS[:2], series=[("a", [3, 50])], unit="人", title="t")
    ticks = ["".join(t.itertext()) for t in _parse(svg).iter(f"{NS}text") if "人" in (t.text or "")]
    assert ticks and all(re.fullmatch(r"\d+人", t) for t in ticks), ticks
    svg = line_chart(months=MONTHS[:2], series=[("a", [1, 3])], unit="人", title="t")
    ticks = ["".join(t.itertext()) for t in _parse(svg).iter(f"{NS}text") if "人" in (t.text or "")]
    assert all(re.fullmatch(r"\d+人", t) for t in ticks), ticks
    # Fractions keep their fractional ticks.
    svg = line_chart(months=MONTHS[:2], series=[("a", [0.5, 2.4])], title="t")
    assert "2.5" in ["".join(t.itertext()) for t in _parse(svg).iter(f"{NS}text")]
