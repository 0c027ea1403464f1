"""Periodic job (e.g. every 5 minutes from cron or a systemd timer): tell each electorate once
that its vote has opened, and fix the electorate of every vote that has closed."""

from django.core.management.base import BaseCommand

from gongzhi.voting.services import electorates_freeze, votes_announce


class Command(BaseCommand):
    help = "Notify the electorate of every vote that has opened and was not yet announced."

    def handle(self, *args, **options):
        self.stdout.write(f"announced={votes_announce()}")
        self.stdout.write(f"electorates_frozen={electorates_freeze()}")
