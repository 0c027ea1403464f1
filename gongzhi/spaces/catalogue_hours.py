"""Opening hours as the catalogue shows and edits them: read from the text or JSON a worker
types, and told in words (the week, today's hours, the next public holiday and what it does to
the space, the closures ahead).

The rules themselves (weekly ranges, closures, the holiday policy, whether a time is open) are
``hours.py``'s; this module only reads and words them, so that a page never disagrees with the
booking engine, which asks ``hours.is_open_for``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any


def _hours() -> Any:
    try:
        from gongzhi.spaces import hours
    except ImportError:  # the hours module has not landed: nothing to check against
        return None
    return hours


def normalise(value: Any) -> dict:
    """The stored form of ``value`` (JSON text, hours' own text form, or a dict); raises
    ``ValueError`` or ``ValidationError`` when it cannot be read."""
    hours = _hours()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return {}
        if text.startswith("{"):
            value = json.loads(text)
        elif hours is not None and hasattr(hours, "parse"):
            value = hours.parse(text)
        else:
            raise ValueError("write the hours as JSON")
    if not isinstance(value, dict):
        dump = getattr(hours, "dump", None)
        if dump is None:
            raise ValueError("the hours must be a JSON object")
        value = dump(value)
    if hours is not None and value:
        loaded = hours.load(value)
        dump = getattr(hours, "dump", None)
        if dump is not None:
            return dict(dump(loaded))
    return dict(value)


def as_text(value: dict) -> str:
    """What the form's hours box shows: hours' text form when it has one, else JSON."""
    if not value:
        return ""
    hours = _hours()
    if hours is not None and hasattr(hours, "to_text"):
        try:
            return str(hours.to_text(hours.load(value)))
        except (ValueError, TypeError, KeyError):
            pass
    return json.dumps(value, ensure_ascii=False, indent=1)


def in_words(value: dict, today: date) -> dict[str, Any]:
    """``{"set": bool, "week": [lines], "today": str, "holiday": str, "closures": [lines]}``:
    what the space page says about when it is open."""
    words: dict[str, Any] = {
        "set": bool(value),
        "week": [],
        "today": "",
        "holiday": "",
        "closures": [],
    }
    hours = _hours()
    if not value or hours is None or not hasattr(hours, "describe"):
        return words
    described = hours.describe(hours.load(value), today)
    if isinstance(described, dict):
        words.update({key: described[key] for key in words if key in described})
    return words
