"""Print every journal-only indicator, month by month, one line each (``key= month=
numerator= denominator= value=``): from the database (``indicators SLUG``, the same code path
as the dashboard's rollups) or from an export alone (``indicators --from-export DIR``). The two
print the same lines for the same journal."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongzhi.evaluation import engine
from gongzhi.evaluation.management.commands._community import community_by_slug
from gongzhi.evaluation.services import eval_input, journal_specs


class Command(BaseCommand):
    help = "Print the journal-only indicators of a community, or recompute them from an export."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slug", nargs="?", help="slug of the community")
        parser.add_argument("--from-export", metavar="DIR", help="an export's directory")

    def handle(self, *args: Any, **options: Any) -> None:
        slug, directory = options["slug"], options["from_export"]
        if bool(slug) == bool(directory):
            raise CommandError("give either a community's slug or --from-export DIR, not both")
        if directory:
            try:
                inp = engine.load_export(directory)
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(f"cannot read the export in {directory!r}: {exc}") from exc
        else:
            inp = eval_input(community_by_slug(slug))
        results = engine.evaluate(inp, journal_specs())
        for line in engine.format_lines(results):
            self.stdout.write(line)
