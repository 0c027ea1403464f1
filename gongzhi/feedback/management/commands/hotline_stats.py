"""Bring the hotline statistics' rollups of closed months up to date (``feedback/stats.py``).

Pages ask for this in the background when the rollups are older than a few minutes; run it from
cron as well (every ten minutes, say) so that the first page of the day is already fresh.
``--full`` recomputes every month, e.g. after a bulk import of tickets."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.core.models import Community
from gongzhi.feedback.stats import stats_refresh


class Command(BaseCommand):
    help = "Refresh the hotline statistics' monthly rollups (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--community", help="only this community (its slug)")
        parser.add_argument("--full", action="store_true", help="recompute every month")

    def handle(self, *args: Any, **options: Any) -> None:
        communities = Community.objects.order_by("pk")
        if options["community"]:
            communities = communities.filter(slug=options["community"])
        for community in communities:
            months = stats_refresh(community_id=community.pk, full=options["full"])
            self.stdout.write(f"{community.slug} months={months}")
