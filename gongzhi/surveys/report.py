"""How a survey's results read (结果报告): the figures of ``results`` as text, shared by the
results page, its printable page and the PDF, so the three say the same thing in the same words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gongzhi.core.pdf import Heading, Paragraph, Table
from gongzhi.surveys.definition import label
from gongzhi.surveys.results import ChangeRow, Comparison, ScoreRow, WaveResult

#: Dashes the PDF's GB2312 font has no glyph for, and what stands in for them.
#: A range's en dash becomes "～", as Chinese print writes ranges (and "-" would read as a minus).
PDF_STAND_INS = str.maketrans({"—": "-", "–": "～", "α": "alpha", "ω": "omega", "≥": ">="})


def num(x: float | None, places: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:.{places}f}"


def signed(x: float, places: int = 2) -> str:
    return f"{x:+.{places}f}"


@dataclass
class ItemLine:
    text: str
    reverse: bool
    item_total: str
    alpha_if_deleted: str


@dataclass
class ScoreLine:
    name: str
    subscale: bool
    n: int
    mean: str
    sd: str
    alpha: str
    alpha_ci: str
    omega: str
    note: str
    items: list[ItemLine] = field(default_factory=list)


@dataclass
class ScaleBlock:
    ref: str
    name: str
    citation: str
    translation_note: str
    lines: list[ScoreLine]
    group: str


@dataclass
class ChangeLine:
    name: str
    subscale: bool
    before: str
    after: str
    difference: str
    ci: str
    effect: str
    n: str
    note: str


@dataclass
class View:
    wave_label: str
    responses: int
    scales: list[ScaleBlock]
    changes: list[ChangeLine]
    change_title: str
    change_sentence: str
    change_notes: list[str]
    min_n: int


def _score_line(row: ScoreRow, language: str) -> ScoreLine:
    r = row.reliability
    items = [
        ItemLine(
            text=label(item.labels, language),
            reverse=item.reverse,
            item_total=num(item.item_total),
            alpha_if_deleted=num(item.alpha_if_deleted),
        )
        for item in row.items
    ]
    return ScoreLine(
        name=label(row.names, language),
        subscale=bool(row.key),
        n=row.n,
        mean=num(row.mean),
        sd=num(row.sd),
        alpha=num(r.alpha) if r else "—",
        alpha_ci=f"{num(r.ci_low)}–{num(r.ci_high)}" if r else "—",
        omega=num(r.omega) if r else "—",
        note=row.note,
        items=items if r else [],
    )


def _group_text(result: Any) -> str:
    group = result.group
    if group is None:
        return str(result.group_note)
    return _(
        "Across %(k)s communities of the street (%(n)s answers, about %(size)s each): "
        "ICC(1) = %(icc1)s (the share of the differences that lies between communities), "
        "ICC(2) = %(icc2)s (how reliably a community's mean tells it apart from the others)."
    ) % {
        "k": group.communities,
        "n": group.n,
        "size": f"{group.mean_size:.0f}",
        "icc1": num(group.icc1),
        "icc2": num(group.icc2),
    }


def _change_line(row: ChangeRow, language: str) -> ChangeLine:
    c = row.change
    if c is None:
        return ChangeLine(
            name=label(row.names, language),
            subscale=bool(row.key),
            before="—",
            after="—",
            difference="—",
            ci="—",
            effect="—",
            n="—",
            note=row.note,
        )
    effect_name = "d_z" if c.effect_size_name == "d_z" else "Hedges g"
    return ChangeLine(
        name=label(row.names, language),
        subscale=bool(row.key),
        before=num(c.before_mean),
        after=num(c.after_mean),
        difference=signed(c.difference),
        ci=f"{signed(c.ci_low)} … {signed(c.ci_high)}",
        effect=f"{effect_name} = {num(c.effect_size)}",
        n=(
            _("%(n)s people in both waves") % {"n": c.n_pairs}
            if c.paired
            else _("%(a)s before, %(b)s after") % {"a": c.n_before, "b": c.n_after}
        ),
        note="",
    )


def change_sentence(comparison: Comparison) -> str:
    """What the before/after shows and what it does not, in plain words."""
    if comparison.paired:
        how = _(
            "The same people's answers are compared (they agreed to link them), so the change "
            "is each person's own change, averaged."
        )
    else:
        how = _(
            "The two waves are compared as two groups of residents: some may have answered only "
            "once, so part of a difference can come from who answered rather than from a change."
        )
    return " ".join(
        [
            _(
                "The change is the mean score after minus the mean before; the range is a "
                "%(level)s bootstrap interval: a range that does not include zero is unlikely "
                "to come from chance alone."
            )
            % {"level": "95%"},
            how,
            _(
                "It does not show that the community's work caused the change: other things "
                "changed between the waves too. To speak of a cause, compare with communities "
                "that did not take part (difference-in-differences, on the evaluation pages)."
            ),
        ]
    )


def view(result: WaveResult, comparison: Comparison | None, language: str) -> View:
    scales = []
    for scale_result in result.scales:
        scale = scale_result.scale
        scales.append(
            ScaleBlock(
                ref=scale_result.ref,
                name=label(scale.names, language),
                citation=str(scale.citation),
                translation_note=label(scale.translation_note, language),
                lines=[_score_line(row, language) for row in scale_result.rows],
                group=_group_text(scale_result),
            )
        )
    changes: list[ChangeLine] = []
    title = sentence = ""
    notes: list[str] = []
    if comparison is not None:
        changes = [_change_line(row, language) for row in comparison.rows]
        title = _("From “%(first)s” to “%(second)s”") % {
            "first": comparison.first.label,
            "second": comparison.second.label,
        }
        sentence = change_sentence(comparison)
        notes = list(comparison.notes)
    return View(
        wave_label=result.wave.label,
        responses=result.responses,
        scales=scales,
        changes=changes,
        change_title=title,
        change_sentence=sentence,
        change_notes=notes,
        min_n=result.min_n,
    )


def _safe(text: str) -> str:
    return str(text).translate(PDF_STAND_INS)


def pdf_blocks(context: dict[str, Any]) -> list[Any]:
    """The printed report as ``core.pdf`` blocks."""
    community = context["community"]
    blocks: list[Any] = [
        Paragraph(
            _safe(
                _("%(community)s · printed on %(date)s")
                % {"community": community.name, "date": date_format(context["printed_on"], "Y-m-d")}
            )
        )
    ]
    v: View | None = context.get("view")
    if v is None:
        blocks.append(Paragraph(_("No round of this survey has been held yet.")))
        return blocks
    blocks.append(
        Paragraph(
            _safe(_("Round “%(wave)s”: %(n)s answers.") % {"wave": v.wave_label, "n": v.responses})
        )
    )
    header = [_("Score"), "n", _("Mean"), _("SD"), "alpha", _("95% CI"), "omega"]
    for block in v.scales:
        blocks.append(Heading(_safe(block.name)))
        blocks.append(
            Table(
                header=header,
                rows=[
                    [
                        _safe(line.name),
                        str(line.n),
                        line.mean,
                        line.sd,
                        line.alpha,
                        _safe(line.alpha_ci),
                        line.omega,
                    ]
                    for line in block.lines
                ],
                widths=[5, 1, 2, 2, 2, 3, 2],
            )
        )
        for line in block.lines:
            if line.note:
                blocks.append(Paragraph(_safe(f"{line.name}: {line.note}")))
            if line.items:
                blocks.append(
                    Table(
                        header=[_safe(line.name), _("Item-total r"), _("alpha if deleted")],
                        rows=[
                            [
                                _safe(i.text + (" (R)" if i.reverse else "")),
                                i.item_total,
                                i.alpha_if_deleted,
                            ]
                            for i in line.items
                        ],
                        widths=[8, 2, 2],
                    )
                )
        blocks.append(Paragraph(_safe(block.group)))
        blocks.append(Paragraph(_safe(block.citation)))
        if block.translation_note:
            blocks.append(Paragraph(_safe(block.translation_note)))
    if v.changes:
        blocks.append(Heading(_safe(_("Before and after") + ": " + v.change_title)))
        blocks.append(
            Table(
                header=[
                    _("Score"),
                    _("Before"),
                    _("After"),
                    _("Mean change"),
                    _("95% CI"),
                    _("Effect size"),
                    _("Answers compared"),
                ],
                rows=[
                    [
                        _safe(c.name),
                        c.before,
                        c.after,
                        c.difference,
                        _safe(c.ci),
                        c.effect,
                        _safe(c.n),
                    ]
                    for c in v.changes
                ],
                widths=[4, 2, 2, 2, 3, 3, 3],
            )
        )
        for c in v.changes:
            if c.note:
                blocks.append(Paragraph(_safe(f"{c.name}: {c.note}")))
        for note in v.change_notes:
            blocks.append(Paragraph(_safe(note)))
        blocks.append(Paragraph(_safe(v.change_sentence)))
    blocks.append(Heading(_("How these figures are made")))
    blocks.append(Paragraph(_safe(method_text(v.min_n))))
    return blocks


def method_text(min_n: int) -> str:
    return _(
        "Scores are the mean of a person's answers to the scale's items, reverse-keyed items "
        "turned round. Cronbach's alpha says how consistently the items measure one thing "
        "(0.7 or more is usual), with its %(level)s interval (Feldt); omega is McDonald's omega from "
        "a one-factor model. An item whose item-total r is low, or whose deletion raises alpha, "
        "fits the others poorly. Scores over fewer than %(n)s people are not shown."
    ) % {"n": min_n, "level": "95%"}
