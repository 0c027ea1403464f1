"""Export a community's journal, pseudonymised, for anyone to recompute its indicators:
journal.jsonl (each entry as chained), persons.jsonl and meta.json (see
gongzhi/evaluation/services.py). An operator's command: the web export checks who may."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongzhi.evaluation.management.commands._community import community_by_slug
from gongzhi.evaluation.services import journal_export


class Command(BaseCommand):
    help = (
        "Write a community's pseudonymous journal export (journal.jsonl, persons.jsonl, meta.json)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slug", help="slug of the community")
        parser.add_argument("--out", required=True, metavar="DIR", help="directory to write into")

    def handle(self, *args: Any, **options: Any) -> None:
        community = community_by_slug(options["slug"])
        try:
            counts = journal_export(community, options["out"])
        except OSError as exc:
            raise CommandError(f"cannot write the export into {options['out']!r}: {exc}") from exc
        self.stdout.write(
            f"exported community={community.slug} entries={counts['entries']} "
            f"persons={counts['persons']} out={options['out']}"
        )
