"""Remind the volunteers with a place on each shift that starts within a day. Run it every hour
or so (cron or a systemd timer): each sign-up is reminded once (``reminded_at``), so running it
again sends nothing twice. Prints ``reminded=N``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.volunteering.shifts import reminders_send


class Command(BaseCommand):
    help = "Remind the volunteers signed up for shifts starting within a day (once each)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"reminded={reminders_send()}")
