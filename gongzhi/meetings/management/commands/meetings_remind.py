"""Remind those invited to and registered for each meeting that starts within a day. Run it
every hour or so (cron or a systemd timer): each invitation and registration is reminded once
(``reminded_at``), so running it again sends nothing twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.meetings.services import reminders_send


class Command(BaseCommand):
    help = "Remind the invited and registered of meetings starting within a day (once each)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"reminded={reminders_send()}")
