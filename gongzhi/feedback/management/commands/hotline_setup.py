"""Give a community the hotline's default categories (the ones the router's vocabulary knows).
Idempotent: categories the community already has are left as they are."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.core.models import Community
from gongzhi.feedback.services import categories_install_defaults


class Command(BaseCommand):
    help = "Install the hotline's default categories in a community (or in every community)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="community slugs (default: every community)")

    def handle(self, *args: Any, **options: Any) -> None:
        communities = Community.objects.all()
        if options["slugs"]:
            communities = communities.filter(slug__in=options["slugs"])
            missing = set(options["slugs"]) - set(communities.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"no community {', '.join(sorted(missing))}")
        for community in communities.order_by("pk"):
            categories = categories_install_defaults(community=community)
            self.stdout.write(f"{community.slug}: {len(categories)} categories")
