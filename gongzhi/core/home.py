"""The community home's tiles and the street officials' overview figures: what each app
registers in its ``manifest.py`` and how core collects them, without knowing any app.

An app declares ``HOME_TILES = {"voting.closing": HomeTile(order=10,
provider="gongzhi.voting.home.closing_soon")}``: the provider takes ``(community, user)`` and
returns a :class:`Tile` (or ``None`` when it has nothing to say to this person, e.g. "my
tickets" to someone logged out). It runs a bounded number of queries (a handful of rows, no
query per row), since the home page calls every provider.

Likewise ``OVERVIEW_FIGURES = {"hotline.open": OverviewFigure(order=10, label=_("Open
tickets"), provider="gongzhi.feedback.overview.open_tickets")}``: the provider takes the list of
communities an official oversees and returns ``{community id: Cell}`` in a fixed number of
queries (one GROUP BY, not one query per community).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import rules
from django.urls import reverse
from django.utils.module_loading import import_string

from gongzhi.core.manifests import (
    console_link_registry,
    home_tile_registry,
    overview_figure_registry,
)
from gongzhi.core.models import Community


@dataclass(frozen=True)
class HomeTile:
    """A tile an app registers for the community home: where it stands and who makes it."""

    order: int
    provider: str


@dataclass(frozen=True)
class TileItem:
    label: str
    url: str
    #: A short line under the label: "closes in 2 days", "18 of 20 signatures".
    note: str = ""
    #: Draw attention (a deadline passed, a confirmation asked for).
    warn: bool = False


@dataclass(frozen=True)
class Tile:
    """What a provider returns: a title, a few items with links, and what to say when empty."""

    key: str
    title: str
    items: Sequence[TileItem]
    empty: str
    more_url: str = ""
    more_label: str = ""


TileProvider = Callable[[Community, Any], Tile | None]


def home_tiles(*, community: Community, user: Any) -> list[Tile]:
    """Every registered tile that has something for ``user`` in ``community``, in order."""
    tiles: list[Tile] = []
    registry = home_tile_registry()
    for _key, tile in sorted(registry.items(), key=lambda kv: (kv[1].order, kv[0])):
        provider = cast(TileProvider, import_string(tile.provider))
        made = provider(community, user)
        if made is not None:
            tiles.append(made)
    return tiles


@dataclass(frozen=True)
class OverviewFigure:
    """A column of the street officials' overview, registered by an app."""

    order: int
    label: Any  # a lazy translation
    provider: str
    #: Explains the figure (the column header's title).
    help: Any = ""


@dataclass(frozen=True)
class Cell:
    """One community's figure: the text shown, the number it sorts by, and a link down."""

    text: str
    value: float | None = None
    url: str = ""
    warn: bool = False


EMPTY_CELL = Cell(text="—")

FigureProvider = Callable[[list[Community]], dict[int, Cell]]


@dataclass
class OverviewColumn:
    key: str
    label: Any
    help: Any
    cells: dict[int, Cell] = field(default_factory=dict)

    def cell(self, community: Community) -> Cell:
        return self.cells.get(community.pk, EMPTY_CELL)


def overview_columns(communities: list[Community]) -> list[OverviewColumn]:
    """Every registered figure over ``communities``: one column each, in order."""
    columns = []
    registry = overview_figure_registry()
    for key, figure in sorted(registry.items(), key=lambda kv: (kv[1].order, kv[0])):
        provider = cast(FigureProvider, import_string(figure.provider))
        cells = provider(communities) if communities else {}
        columns.append(OverviewColumn(key=key, label=figure.label, help=figure.help, cells=cells))
    return columns


def share_text(part: int, whole: int) -> Cell:
    """A percentage cell, "—" when there is nothing to divide by."""
    if not whole:
        return EMPTY_CELL
    share = 100 * part / whole
    return Cell(text=f"{share:.0f}%", value=share)


@dataclass(frozen=True)
class ConsoleLink:
    """A link an app adds to the community's staff console, shown to those with ``perm`` on
    the community (``CONSOLE_LINKS`` in its manifest)."""

    order: int
    label: Any  # a lazy translation
    url_name: str
    perm: str


@dataclass(frozen=True)
class ConsoleEntry:
    label: str
    url: str


def console_links(*, community: Community, user: Any) -> list[ConsoleEntry]:
    """The apps' staff pages this person may open in ``community``, in order."""
    registry = console_link_registry()
    return [
        ConsoleEntry(label=str(link.label), url=reverse(link.url_name, args=[community.slug]))
        for _key, link in sorted(registry.items(), key=lambda kv: (kv[1].order, kv[0]))
        if rules.has_perm(link.perm, user, community)
    ]
