"""Check every journal, each community's and the platform's: report the first broken link (or
a key this server does not have), exit 1 if any."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import journal
from gongzhi.core.models import Community


class Command(BaseCommand):
    help = "Verify the hash chains of the activity journals: per community, and the platform's."

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
        current = str(settings.JOURNAL_KEY_ID)
        failed = 0
        for community in communities:
            if options["chain"]:
                journal.chain(community)
            link = journal.verify(community)
            if link is None:
                seq, head = journal.head_of(community)
                pending = journal.pending_count(community)
                key_id = journal.key_id_of(community)
                self.stdout.write(
                    f"ok community={community.slug} entries={seq} head={head} pending={pending} "
                    f"key={key_id}" + self._stale(key_id, current)
                )
            else:
                failed += 1
                self._report(f"community={community.slug}", link)
        if not options["community"]:
            link = journal.verify_platform()
            if link is None:
                seq, head, key_id = journal.platform_head()
                self.stdout.write(
                    f"ok platform entries={seq} head={head} key={key_id}"
                    + self._stale(key_id, current)
                )
            else:
                failed += 1
                self._report("platform", link)
        if failed:
            raise CommandError(f"{failed} journal(s) broken or unverifiable")

    def _report(self, which: str, link: journal.BrokenLink) -> None:
        status = "UNKNOWN KEY" if link.unknown_key is not None else "BROKEN"
        self.stdout.write(f"{status} {which} seq={link.seq}: {link.reason}")

    @staticmethod
    def _stale(key_id: str, current: str) -> str:
        if key_id == current:
            return ""
        return f" (not yet on the current key {current}: run manage.py journal_rotate_key)"
