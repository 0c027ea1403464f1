"""The kinds of notification, so that a person can choose channels for each. Apps declare
theirs in their ``manifest.py`` (NOTIFICATION_KINDS)."""

from __future__ import annotations

from gongzhi.core.manifests import notification_kinds

DEFAULT_CHANNELS = {"email": True, "sms": False}


def kinds() -> dict[str, object]:
    return notification_kinds()
