"""Compute today's demand forecasts of every community with spaces or hotline tickets ahead of
the first worker who opens the page (``forecast_selectors.page_for`` fits a model per space and
per hotline category: seconds per community). Run it nightly, after midnight (cron or a
systemd timer); the page then reads the cache. Prints ``communities=N seconds=S``."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from gongzhi.core.models import Community
from gongzhi.spaces import forecast_selectors


class Command(BaseCommand):
    help = "Compute today's demand forecasts of every community, so their page opens at once."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        today = timezone.localdate()
        count = 0
        for community in Community.objects.order_by("pk"):
            forecast_selectors.page_for(community, today=today, fresh=True)
            count += 1
        self.stdout.write(f"communities={count} seconds={time.monotonic() - started:.1f}")
