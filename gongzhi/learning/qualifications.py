"""Qualifications held (the qualifications part fills this module)."""

from __future__ import annotations

from datetime import date
from typing import Any


def holds(person: Any, code: str, on: date) -> bool:
    """Whether ``person`` holds qualification ``code`` on the day ``on`` (core's checker)."""
    from gongzhi.learning.models import Award

    return (
        Award.objects.all_communities()
        .filter(person=person, qualification=code, valid_from__lte=on, revoked_at__isnull=True)
        .exclude(valid_until__lt=on)
        .exists()
    )
