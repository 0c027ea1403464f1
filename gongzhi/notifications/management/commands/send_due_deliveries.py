"""Send the e-mails and texts whose time has come: retries after a passing failure, and first
tries that a task queue lost. Then forget log rows older than ``DELIVERY_LOG_DAYS``.

Run it every minute (cron or a systemd timer, docs/operations.md "Text messages (SMS)"). Two runs
at once do not send a message twice: each delivery is claimed by one conditional UPDATE."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongzhi.notifications.services import deliveries_prune, deliveries_send_due


class Command(BaseCommand):
    help = "Send the e-mails and text messages that are due (retries); prune the delivery log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="at most this many (500)")

    def handle(self, *args: Any, **options: Any) -> None:
        tried = deliveries_send_due(limit=options["limit"])
        pruned = deliveries_prune()
        self.stdout.write(f"tried={tried} pruned={pruned}")
