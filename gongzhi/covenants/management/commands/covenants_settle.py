"""Settle what the covenants' votes decided once they closed: the article-by-article votes on
contested amendments (accepted or rejected, revision_services.votes_settle) and, where the
adoption part provides it, the ratification votes (adoption_services.ratification_settle_all).
The pages settle lazily too; this catches rounds nobody opens. Run it daily (cron or a systemd
timer); running it again settles nothing twice. Prints ``settled=N accepted=A rejected=R``
(then ``ratified=K not_adopted=L`` from the adoption part)."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from gongzhi.covenants.revision_services import votes_settle_all


def _ratifications(now: Any) -> Any:
    try:
        module = importlib.import_module("gongzhi.covenants.adoption_services")
    except ModuleNotFoundError:
        return None
    settle = getattr(module, "ratification_settle_all", None)
    return settle(now=now) if settle is not None else None


class Command(BaseCommand):
    help = "Settle the covenants' article-by-article and ratification votes that have closed."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        total = votes_settle_all(now=now)
        line = f"settled={total.settled} accepted={total.accepted} rejected={total.rejected}"
        ratified = _ratifications(now)
        if ratified is not None:
            line += f" ratified={ratified.ratified} not_adopted={ratified.not_adopted}"
        self.stdout.write(line)
