"""Approve circulated minutes by silence once their objection period passed with no correction
left open, report overdue follow-ups once to the supervision committee and carry each onto its
body's next scheduled meeting, once. Run it every hour or once a day (cron or a systemd timer):
the marks on the rows (approved, flagged_at, the carried agenda item) keep each act single."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.meetings.minutes import minutes_deadlines


class Command(BaseCommand):
    help = "Approve minutes by silence; flag and carry over overdue follow-ups."

    def handle(self, *args: Any, **options: Any) -> None:
        run = minutes_deadlines()
        self.stdout.write(f"approved={run.approved} flagged={run.flagged} carried={run.carried}")
