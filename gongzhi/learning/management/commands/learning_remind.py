"""Remind holders whose qualification ends within 30 days and who hold no later award of it
(once each: ``Award.reminded_at``), and the holders of a role kept without the qualification a
requirement asks for (core's ``requirements.remind_kept``, once per 90 days). Run it daily (cron
or a systemd timer); running it again sends nothing twice. Prints ``reminded=N kept_reminded=M``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from gongzhi.core import requirements
from gongzhi.learning.qualifications import expiring_remind


class Command(BaseCommand):
    help = "Remind holders of expiring qualifications and kept holders of required roles."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        reminded = expiring_remind(now)
        # The requirements part adds remind_kept to core; until it lands, nobody is kept.
        remind_kept = getattr(requirements, "remind_kept", None)
        kept = int(remind_kept(now)) if remind_kept is not None else 0
        self.stdout.write(f"reminded={reminded} kept_reminded={kept}")
