"""Certificates (志愿服务证明): filled in by the certificates part."""

from __future__ import annotations

from typing import Any


def on_entry_reversed(*, entry: Any, reversal: Any) -> None:
    """Called by ``ledger.hours_reverse`` inside its transaction: a certificate that counted
    ``entry`` is revoked (its verification page says so)."""
