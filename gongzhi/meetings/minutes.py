"""Services of this part (keyword-only, atomic, journalled)."""

from __future__ import annotations

from typing import Any


def page_context(meeting: Any, user: Any) -> dict[str, Any]:
    """What this part adds to the meeting page (its partial reads only these keys)."""
    return {}
