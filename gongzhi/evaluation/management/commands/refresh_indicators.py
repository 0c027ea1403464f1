"""Rebuild the indicator rollups the evaluation dashboard reads, for one community or all."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.core.models import Community
from gongzhi.evaluation.management.commands._community import community_by_slug
from gongzhi.evaluation.services import refresh


class Command(BaseCommand):
    help = "Rebuild the evaluation indicators' monthly rollups (one community, or every one)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slug", nargs="?", help="slug of one community (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["slug"]:
            communities = [community_by_slug(options["slug"])]
        else:
            communities = list(Community.objects.order_by("pk"))
        for community in communities:
            started = time.perf_counter()
            rows = refresh(community=community)
            self.stdout.write(
                f"refreshed community={community.slug} rows={rows} "
                f"seconds={time.perf_counter() - started:.2f}"
            )
