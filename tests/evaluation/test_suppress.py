"""Small-cell suppression: nothing under the threshold shows, directly or by subtraction."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.evaluation.suppress import suppress

THRESHOLD = 5


@st.composite
def partitions(draw: st.DrawFn, max_cells: int = 8) -> dict[str, tuple[int, int]]:
    size = draw(st.integers(min_value=1, max_value=max_cells))
    cells = {}
    for i in range(size):
        people = draw(st.integers(min_value=0, max_value=30))
        cells[f"c{i}"] = (draw(st.integers(min_value=0, max_value=people)), people)
    return cells


def _alternative(
    cells: dict[str, tuple[int, int]], hidden: list[str], target: str
) -> dict[str, tuple[int, int]] | None:
    """Another table with the same total and the same shown cells where ``target`` differs (a
    witness that subtraction cannot recover it); None when the search finds none."""
    for other in hidden:
        if other == target:
            continue
        for source, sink in ((target, other), (other, target)):
            num_s, people_s = cells[source]
            num_k, people_k = cells[sink]
            moves = []
            if people_s > num_s:  # move one person outside the numerator
                moves.append(((num_s, people_s - 1), (num_k, people_k + 1)))
            if num_s > 0:  # move one person inside it
                moves.append(((num_s - 1, people_s - 1), (num_k + 1, people_k + 1)))
            for new_source, new_sink in moves:
                table = dict(cells)
                table[source], table[sink] = new_source, new_sink
                return table
    return None


def _check(cells: dict[str, tuple[int, int]], hidden_map: dict[str, bool]) -> None:
    assert set(hidden_map) == set(cells)
    hidden = [k for k, h in hidden_map.items() if h]
    shown = [k for k, h in hidden_map.items() if not h]
    # Primary: no shown cell is small.
    for k in shown:
        assert not 0 < cells[k][1] < THRESHOLD, (k, cells)
    total_people = sum(p for _n, p in cells.values())
    if not hidden:
        return
    hidden_people = sum(cells[k][1] for k in hidden)
    if hidden_people < THRESHOLD:
        # Only when the whole partition is small: then all of it is hidden (and its total is a
        # small cell the caller hides in turn).
        assert total_people < THRESHOLD and not shown, cells
        return
    # Secondary: never a lone hidden cell, and for every hidden cell another table agrees with
    # the total and every shown cell but not with it.
    assert len(hidden) >= 2
    total = (sum(n for n, _p in cells.values()), total_people)
    for k in hidden:
        other = _alternative(cells, hidden, k)
        assert other is not None, (k, cells, hidden)
        assert other[k] != cells[k]
        assert (sum(n for n, _p in other.values()), sum(p for _n, p in other.values())) == total
        assert all(other[s] == cells[s] for s in shown)
        assert all(0 <= n <= p for n, p in other.values())


@settings(max_examples=400, deadline=None)
@given(partitions())
def test_nothing_small_shows_nor_subtracts_out(cells: dict[str, tuple[int, int]]) -> None:
    _check(cells, suppress(cells, threshold=THRESHOLD))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 30), st.integers(0, 200), st.data())
def test_a_group_against_everyone_else(group: int, others: int, data: st.DataObject) -> None:
    """The 2-cell partition the group gaps use: if either side is hidden, both are."""
    cells = {
        "group": (data.draw(st.integers(0, group)), group),
        "everyone else": (data.draw(st.integers(0, others)), others),
    }
    hidden = suppress(cells, threshold=THRESHOLD)
    _check(cells, hidden)
    if 0 < group < THRESHOLD or 0 < others < THRESHOLD:
        assert hidden == {"group": True, "everyone else": True}
    else:
        assert hidden == {"group": False, "everyone else": False}


@st.composite
def nested_partitions(draw: st.DrawFn) -> tuple[dict[str, tuple[int, int]], dict[str, str]]:
    """Buildings within grids: every grid of two or more buildings (a grid of one building is
    that building, and its own small-cell rule is the grid partition's)."""
    cells: dict[str, tuple[int, int]] = {}
    grids: dict[str, str] = {}
    for g in range(draw(st.integers(1, 4))):
        inside = draw(partitions(max_cells=4).filter(lambda p: len(p) >= 2))
        for key, cell in inside.items():
            cells[f"G{g}-{key}"] = cell
            grids[f"G{g}-{key}"] = f"G{g}"
    return cells, grids


@settings(max_examples=300, deadline=None)
@given(nested_partitions())
def test_nested_subtotals_are_protected_too(
    nested: tuple[dict[str, tuple[int, int]], dict[str, str]],
) -> None:
    """Each grid's buildings are a partition of the grid's shown total, and all buildings one of
    the community's."""
    cells, grids = nested
    hidden = suppress(cells, threshold=THRESHOLD, nested=grids)
    _check(cells, hidden)
    for grid in set(grids.values()):
        inside = {k: v for k, v in cells.items() if grids[k] == grid}
        _check(inside, {k: hidden[k] for k in inside})


def test_examples() -> None:
    # One small cell: the next smallest is hidden with it.
    assert suppress({"a": (1, 3), "b": (4, 8), "c": (10, 20)}) == {"a": True, "b": True, "c": False}
    # Two small cells that together reach the threshold: nothing more.
    assert suppress({"a": (1, 3), "b": (0, 2), "c": (10, 20)}) == {"a": True, "b": True, "c": False}
    # Two small cells still under it: the next smallest joins them.
    assert suppress({"a": (1, 1), "b": (0, 2), "c": (3, 6), "d": (9, 9)}) == {
        "a": True,
        "b": True,
        "c": True,
        "d": False,
    }
    # Empty cells show (0 of 0 reveals nobody) and are no cover for a small one.
    assert suppress({"a": (1, 3), "z": (0, 0), "c": (10, 20)}) == {"a": True, "z": False, "c": True}
    # A whole partition under the threshold: everything hidden.
    assert suppress({"a": (1, 2), "b": (0, 1)}) == {"a": True, "b": True}
    # No total shown: primary suppression only.
    assert suppress({"a": (1, 3), "c": (10, 20)}, total_shown=False) == {"a": True, "c": False}
    assert suppress({}) == {}


def test_a_building_alone_in_its_grid_is_the_last_cover() -> None:
    """B1 is all of grid G1, whose figure shows: hiding B1 would hide nothing, so B3 covers B2."""
    cells = {"B1": (2, 6), "B2": (1, 3), "B3": (5, 9)}
    grids = {"B1": "G1", "B2": "G2", "B3": "G2"}
    assert suppress(cells) == {"B1": True, "B2": True, "B3": False}
    assert suppress(cells, nested=grids) == {"B1": False, "B2": True, "B3": True}


def test_bad_cells_are_refused() -> None:
    import pytest

    with pytest.raises(ValueError):
        suppress({"a": (4, 3)})
    with pytest.raises(ValueError):
        suppress({"a": (0, 3)}, threshold=0)
