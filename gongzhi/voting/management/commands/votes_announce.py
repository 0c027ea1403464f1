"""Periodic job (e.g. every 5 minutes from cron or a systemd timer): tell each electorate once
that its vote has opened."""

from django.core.management.base import BaseCommand

from gongzhi.voting.services import votes_announce


class Command(BaseCommand):
    help = "Notify the electorate of every vote that has opened and was not yet announced."

    def handle(self, *args, **options):
        self.stdout.write(f"announced={votes_announce()}")
