"""Recording who invited, recruited or trained whom (how leadership spreads, R8.2). Every part
that learns of such a tie calls ``record`` inside its own transaction; the tie is kept once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from gongzhi.learning.models import Connection


def record(
    *, community: Any, source: Any, target: Any, kind: str, at: datetime | None = None
) -> bool:
    """Keep that ``source`` ``kind`` (invited, recruited, trained) ``target``; False when it was
    known already, or when someone would be tied to themself or to nobody."""
    if source is None or target is None or source.pk == target.pk:
        return False
    _row, created = Connection.objects.in_community(community).get_or_create(
        source=source, target=target, kind=kind, defaults={"at": at or timezone.now()}
    )
    return created
