"""Check every community's activity journal: report the first broken link, exit 1 if any."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import journal
from gongzhi.core.models import Community


class Command(BaseCommand):
    help = "Verify the hash chain of the activity journal, per community."

    def add_arguments(self, parser):
        parser.add_argument("--community", help="slug of one community (default: all)")
        parser.add_argument(
            "--chain", action="store_true", help="chain pending entries first (no task worker)"
        )

    def handle(self, *args, **options):
        communities = Community.objects.order_by("pk")
        if options["community"]:
            communities = communities.filter(slug=options["community"])
            if not communities.exists():
                raise CommandError(f"no community with slug {options['community']!r}")
        broken = 0
        for community in communities:
            if options["chain"]:
                journal.chain(community)
            link = journal.verify(community)
            if link is None:
                seq, head = journal.head_of(community)
                pending = journal.pending_count(community)
                self.stdout.write(
                    f"ok community={community.slug} entries={seq} head={head} pending={pending}"
                )
            else:
                broken += 1
                self.stdout.write(
                    f"BROKEN community={community.slug} seq={link.seq}: {link.reason}"
                )
        if broken:
            raise CommandError(f"{broken} journal(s) broken")
