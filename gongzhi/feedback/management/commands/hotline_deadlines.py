"""Remind before hotline deadlines, escalate after them, close resolved tickets left unrated.

Run it every few minutes (cron or a systemd timer); each reminder and escalation is sent once
per ticket and deadline however often it runs, and two runs at once do not send twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.feedback.services import deadlines_sweep


class Command(BaseCommand):
    help = "Send the hotline's deadline reminders and escalations (idempotent; run it often)."

    def handle(self, *args: Any, **options: Any) -> None:
        sweep = deadlines_sweep()
        self.stdout.write(
            f"reminded={sweep.reminded} escalated={sweep.escalated} closed={sweep.closed}"
        )
