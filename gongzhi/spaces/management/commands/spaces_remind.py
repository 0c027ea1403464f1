"""Remind the borrowers of overdue loans, at most once a day per loan (``Loan.reminded_on``).
Run it daily (cron or a systemd timer); running it again the same day sends nothing twice.
Prints ``reminded=N``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.spaces.lending import remind_overdue


class Command(BaseCommand):
    help = "Remind borrowers of overdue loans of the community's things."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"reminded={remind_overdue()}")
