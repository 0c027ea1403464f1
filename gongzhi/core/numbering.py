"""Numbers that run per community and year (a certificate's 幸福-2026-000042): the next one
after the highest taken with the same prefix. The caller holds the lock that serialises the
numbering (a row of the community or of the issuer), so two at once never take one number; a
unique constraint on the number backs it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet


def numbered_prefix(slug: str, year: int, mark: str = "") -> str:
    """``<SLUG>-<mark><year>-``: the community's slug in capitals (24 characters at most)."""
    return f"{slug.upper()[:24]}-{mark}{year}-"


def next_number(numbered: QuerySet[Any], prefix: str, *, field: str = "number") -> str:
    """The next ``<prefix><000001>`` among the rows of ``numbered``."""
    last = (
        numbered.filter(**{f"{field}__startswith": prefix})
        .order_by(f"-{field}")
        .values_list(field, flat=True)
        .first()
    )
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:06d}"
