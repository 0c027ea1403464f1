"""The kinds of notification, so that a person can choose channels for each. Apps declare
theirs in their ``manifest.py`` (``NOTIFICATION_KINDS = {code: Kind(...)}``), and the app that
declares a kind is its area on the settings page."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from django.apps import apps

from gongzhi.core.notify import Kind

DEFAULT_CHANNELS = {"email": True, "sms": False}


@dataclass(frozen=True)
class Area:
    """The kinds one app declares, under the app's (translated) name."""

    label: Any
    kinds: dict[str, Kind]


def areas() -> list[Area]:
    """Every app's kinds, in the order the apps are installed."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("gongzhi."):
            continue
        try:
            manifest = importlib.import_module(f"{config.name}.manifest")
        except ModuleNotFoundError as error:
            if error.name == f"{config.name}.manifest":
                continue
            raise
        declared = getattr(manifest, "NOTIFICATION_KINDS", {})
        if declared:
            found.append(Area(config.verbose_name, dict(declared)))
    return found


def areas_for(user: Any) -> list[Area]:
    """The areas and kinds ``user`` can receive at all (a moderators' kind only for people who
    hold a moderator's role, and so on)."""
    result = []
    for area in areas():
        receivable = {code: kind for code, kind in area.kinds.items() if kind.receivable_by(user)}
        if receivable:
            result.append(Area(area.label, receivable))
    return result
