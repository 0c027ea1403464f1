"""Places with a waiting list (a public meeting's seats, a shift's places, a course, a room):
the shared step of moving the first waiting into places that freed up.

The caller holds the lock on the row that owns the places (the meeting, the shift) and counts
what is taken under it, so two cancellations at once never hand one place to two people; the
waiting rows carry ``status``, ``created_at`` and ``updated_at``, first come first served."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

Row = TypeVar("Row", bound=models.Model)


def promote_waiting(
    waiting: models.QuerySet[Row], *, free: int | None, status: str, related: tuple[str, ...] = ()
) -> list[Row]:
    """Give ``free`` places (None: as many as wait) to the oldest rows of ``waiting``, whose
    ``status`` becomes ``status``; the promoted rows, in order."""
    if free is not None and free <= 0:
        return []
    queue = waiting.order_by("created_at", "pk").select_related(*related)
    promoted: list[Any] = list(queue if free is None else queue[:free])
    now = timezone.now()
    for row in promoted:
        row.status = status
        row.updated_at = now
        row.save(update_fields=["status", "updated_at"])
    return promoted
