"""Remind the responsible bodies of supervision opinions due in three days or overdue since
today. Run it once a day (cron or a systemd timer): the day picks the opinions, so each
reminder goes out once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.bodies.supervision import opinion_deadlines


class Command(BaseCommand):
    help = "Remind bodies of supervision opinions due soon or overdue (run once a day)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"reminded={opinion_deadlines()}")
