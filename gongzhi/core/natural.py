"""Natural order for names people number: 1号楼, 2号楼 … 10号楼 (not 1, 10, 2), 3单元 before
12单元. Used wherever buildings are listed or chosen."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db.models import Case, IntegerField, Model, QuerySet, Value, When

T = TypeVar("T")
M = TypeVar("M", bound=Model)

_RUNS = re.compile(r"(\d+)")

#: A part of a key: numbers sort before words, numbers by value, words case-blind.
Part = tuple[int, int, str]


def natural_key(text: str) -> tuple[Part, ...]:
    """``"10号楼"`` → ``((0, 10, ""), (1, 0, "号楼"))``: digit runs (full-width ones too, as
    ``str.isdigit`` and ``int`` read them) compare as numbers, the rest as case-folded text."""
    return tuple(
        (0, int(run), "") if run.isdigit() else (1, 0, run.casefold())
        for run in _RUNS.split(text.strip())
        if run
    )


def naturally_sorted(items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    return sorted(items, key=lambda item: natural_key(key(item)))


def natural_order(queryset: QuerySet[M], field: str = "name") -> QuerySet[M]:
    """``queryset`` ordered naturally by ``field``, for a form's choices that must stay a
    queryset (``ModelChoiceField``). Meant for short lists (a community's buildings): it reads
    the names once and orders by their positions."""
    rows = list(queryset.order_by().values_list("pk", field))
    if not rows:
        return queryset
    order = naturally_sorted(rows, key=lambda row: str(row[1]))
    position: Any = Case(
        *[When(pk=pk, then=Value(i)) for i, (pk, _name) in enumerate(order)],
        output_field=IntegerField(),
    )
    return queryset.order_by(position, "pk")
