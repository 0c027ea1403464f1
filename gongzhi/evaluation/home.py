"""Evaluation's column on the street officials' overview (``OVERVIEW_FIGURES``): each
community's participation rate in the last complete month, from the rollups, in one query."""

from __future__ import annotations

from django.urls import reverse

from gongzhi.core.home import EMPTY_CELL, Cell
from gongzhi.core.models import Community
from gongzhi.evaluation import selectors


def participation_rate(communities: list[Community]) -> dict[int, Cell]:
    """参与率: verified residents who took part in the last complete month ÷ verified residents
    (a hidden figure, or none computed yet: "—")."""
    rows = selectors.overview_participation(communities)
    cells = {}
    for community in communities:
        row = rows.get(community.pk)
        if row is None or row["suppressed"] or row["value"] is None:
            cells[community.pk] = EMPTY_CELL
            continue
        share = 100 * row["value"]
        cells[community.pk] = Cell(
            text=f"{share:.0f}%",
            value=share,
            url=reverse("evaluation_dashboard", kwargs={"slug": community.slug}),
        )
    return cells
