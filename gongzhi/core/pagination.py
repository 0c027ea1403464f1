"""Pages over large lists: find the page's ids first, then load only those rows.

A plain ``Paginator(queryset)`` asks the database for ``… OFFSET n`` with every join attached,
so page 800 of 40,000 members builds 40,000 joined rows to throw away. The ids alone come from
an index; measured on 100,000 residents this takes a deep page from ~114 ms to ~1 ms
(docs/performance.md).

A page past the middle is read from the other end, in reverse order with the smaller offset,
so the last page costs what the first does: the deepest page is the middle one
(docs/performance.md, "Proposals").
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


def ids_between(ids: QuerySet[Any], bottom: int, top: int, count: int) -> list[Any]:
    """``ids[bottom:top]`` of an ordered ids queryset holding ``count`` rows; from the end
    (reversed) when that is nearer."""
    if bottom > count - top and ids.ordered:
        tail = count - top
        return list(ids.reverse()[tail : tail + (top - bottom)])[::-1]
    return list(ids[bottom:top])


class IdsPaginator(Paginator):
    """A Paginator over an ordered ids queryset that reads deep pages from the end."""

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        ids: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        return Page(ids_between(ids, bottom, top, self.count), number, self)


def rows_in_order(queryset: QuerySet[Any], ids: list[Any]) -> list[Any]:
    rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


def paginate_by_ids(queryset: QuerySet[Any], number: Any, per_page: int) -> Page:
    paginator = IdsPaginator(queryset.values_list("pk", flat=True), per_page)
    page = paginator.get_page(number)
    page.object_list = rows_in_order(queryset, list(page.object_list))
    return page


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """django-ninja's limit/offset paging, with bounds: an absurd ``offset`` (one the database
    cannot even hold) or ``limit`` is a 422 with the field named, never a 500."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200, description="How many items (1–200).")
        offset: int = Field(0, ge=0, le=10_000_000, description="How many items to skip.")

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: Any, **params: Any
    ) -> Any:
        """Ids first and from the nearer end, as ``paginate_by_ids`` does for pages."""
        if not isinstance(queryset, QuerySet):
            return super().paginate_queryset(queryset, pagination, request, **params)
        ids = queryset.values_list("pk", flat=True)
        count = ids.count()
        bottom = min(pagination.offset, count)
        top = min(bottom + min(pagination.limit, self.max_limit), count)
        page_ids = ids_between(ids, bottom, top, count) if top > bottom else []
        return {self.items_attribute: rows_in_order(queryset, page_ids), "count": count}
