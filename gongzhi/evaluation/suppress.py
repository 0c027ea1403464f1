"""Small-cell suppression (小单元格抑制) of the group splits, primary and secondary.

A cell is ``(numerator, people)``: e.g. 3 of the 4 elderly residents of a building took part.
Primary suppression hides every cell with 0 < people < threshold. Secondary suppression stops a
hidden cell being recovered by subtraction: within a partition whose total is shown (the
buildings of a community, a group against everyone else), the hidden cells are never exactly one
and their people add up to at least the threshold — the next smallest cells are hidden until both
hold, and when they cannot (the whole partition has fewer people than the threshold) every cell
is hidden. Numerators are hidden with their cells.

Why this is enough: with two or more hidden cells and total and shown cells known, moving one
person between two hidden cells gives another table with the same totals, so no hidden cell's
(numerator, people) is determined; and the hidden cells together are at least as large as a cell
that may be shown. This is the threshold rule with complementary suppression of official
statistics (e.g. Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, ch. 5; UK ONS,
*Disclosure control guidance for tables produced from surveys*), done greedily on one-dimensional
partitions. Cells nested in a shown subtotal (buildings within grids) are protected within each
subtotal too, by ``nested``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

DEFAULT_THRESHOLD = 5


def _protect(
    cells: Mapping[K, tuple[int, int]],
    keys: list[K],
    hidden: set[K],
    threshold: int,
    lonely: frozenset[K] = frozenset(),
) -> bool:
    """Secondary suppression within one partition (``keys``, whose total is shown); True when it
    hid something more."""
    hidden_here = [k for k in keys if k in hidden]
    if not hidden_here:
        return False
    people = sum(cells[k][1] for k in hidden_here)
    if len(hidden_here) >= 2 and people >= threshold:
        return False
    # The smallest shown cells that hold people: a cell of nobody adds nothing to hide behind,
    # and a cell alone in its nested subtotal is known from that subtotal, so it comes last.
    candidates = sorted(
        (k for k in keys if k not in hidden and cells[k][1] > 0),
        key=lambda k: (k in lonely, cells[k][1]),
    )
    changed = False
    for k in candidates:
        hidden.add(k)
        changed = True
        hidden_here.append(k)
        people += cells[k][1]
        if len(hidden_here) >= 2 and people >= threshold:
            return changed
    # Impossible: fewer people in the whole partition than the threshold. Hide it all.
    for k in keys:
        if k not in hidden:
            hidden.add(k)
            changed = True
    return changed


def suppress(
    cells: Mapping[K, tuple[int, int]],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    total_shown: bool = True,
    nested: Mapping[K, Hashable] | None = None,
) -> dict[K, bool]:
    """Which cells to hide: ``{cell: hidden?}``.

    ``cells`` is one partition: its cells add up to a total (shown unless ``total_shown`` is
    False). ``nested`` maps cells to a shown subtotal they belong to (a building to its grid):
    each subtotal's cells are protected as a partition too. A subtotal of a single cell is that
    cell: split it no further (its own partition, the grids, protects it)."""
    if threshold < 1:
        raise ValueError("the threshold is at least 1")
    for key, (numerator, people) in cells.items():
        if people < 0 or not 0 <= numerator <= people:
            raise ValueError(f"cell {key!r}: numerator {numerator} of {people} people")
    hidden = {k for k, (_n, people) in cells.items() if 0 < people < threshold}
    partitions: list[list[K]] = []
    if total_shown:
        partitions.append(list(cells))
    lonely: frozenset[K] = frozenset()
    if nested:
        groups: dict[Hashable, list[K]] = {}
        for key in cells:
            if key in nested:
                groups.setdefault(nested[key], []).append(key)
        partitions.extend(groups.values())
        lonely = frozenset(keys[0] for keys in groups.values() if len(keys) == 1)
    # Hiding a cell for one partition can leave another with a single hidden cell: repeat until
    # no partition needs more (each round hides at least one more cell, so this ends).
    changed = True
    while changed:
        changed = False
        for keys in partitions:
            changed = _protect(cells, keys, hidden, threshold, lonely) or changed
    return {k: k in hidden for k in cells}
