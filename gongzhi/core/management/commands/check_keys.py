"""``manage.py check_keys``: run before starting the servers after changing keys.

Runs the system checks tagged ``keys`` that the apps register (open secret votes and budgets
whose ``VOTE_KEY`` this server lacks: ``voting.W001``, ``budgeting.W001``), prints what they
find and exits with status 1 if anything is wrong, so a deploy script or a systemd
``ExecStartPre=`` stops there. docs/operations.md, "Rotating keys".
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Check that every open secret ballot's key is configured (exit 1 if not)."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        found = checks.run_checks(tags=["keys"], include_deployment_checks=True)
        for message in found:
            self.stdout.write(f"{message.id}: {message.msg}")
            if message.hint:
                self.stdout.write(f"  {message.hint}")
        if found:
            raise CommandError(f"{len(found)} open ballot(s) cannot take ballots with these keys")
        self.stdout.write("keys: every open secret ballot has its key")
