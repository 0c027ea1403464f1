"""Print the current two-factor code of the demo staff accounts (their secret is public)."""

from __future__ import annotations

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand

from gongzhi.core.management.commands.seed_demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current TOTP code for the demo staff accounts."

    def handle(self, *args, **options):
        counter = int(time.time()) // 30
        self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter)))
