"""Periodic job (e.g. every hour from cron or a systemd timer): tell those a survey round asks,
once, that it is open, and remind those drawn for a sample who have not answered, at most once
a day."""

from django.core.management.base import BaseCommand

from gongzhi.surveys.services import invitations_remind, waves_announce


class Command(BaseCommand):
    help = "Announce open survey rounds and remind sampled residents who have not answered."

    def handle(self, *args, **options):
        self.stdout.write(f"announced={waves_announce()}")
        self.stdout.write(f"reminded={invitations_remind()}")
