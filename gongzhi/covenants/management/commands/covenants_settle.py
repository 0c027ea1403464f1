"""Settle what the covenants' votes decided once they closed: the article-by-article votes on
contested amendments (accepted or rejected, revision_services.votes_settle) and the ratification
votes (adoption_services.ratification_settle_all). The pages settle lazily too; this catches
rounds nobody opens. Run it daily (cron or a systemd timer); running it again settles nothing
twice. Prints ``settled=N accepted=A rejected=R ratified=K not_adopted=L``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from gongzhi.covenants.adoption_services import ratification_settle_all
from gongzhi.covenants.revision_services import votes_settle_all


class Command(BaseCommand):
    help = "Settle the covenants' article-by-article and ratification votes that have closed."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        total = votes_settle_all(now=now)
        ratified = ratification_settle_all(now=now)
        self.stdout.write(
            f"settled={total.settled} accepted={total.accepted} rejected={total.rejected}"
            f" ratified={ratified.ratified} not_adopted={ratified.not_adopted}"
        )
