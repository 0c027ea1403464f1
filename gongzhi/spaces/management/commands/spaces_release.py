"""Release the bookings nobody checked in to within their space's grace time (status released,
counted as a no-show; the rest of the time goes to those waiting), and expire the requests whose
hold ran out undecided (their person is told; the time goes to those waiting). Run it every few
minutes (cron or a systemd timer); running it again releases nothing twice. Prints
``released=N expired=M``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.spaces.attendance import release_no_shows
from gongzhi.spaces.booking import expire_all_holds


class Command(BaseCommand):
    help = "Release booked spaces nobody checked in to (no-shows)."

    def handle(self, *args: Any, **options: Any) -> None:
        released = release_no_shows()
        expired = expire_all_holds()
        self.stdout.write(f"released={len(released)} expired={expired}")
