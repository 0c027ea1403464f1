"""Move every journal to the current key (JOURNAL_KEY, JOURNAL_KEY_ID): docs/operations.md,
"Rotating the journal key". Each chain gets a ``journal.key_rotated`` entry signed under its
old key (which must stay in JOURNAL_RETIRED_KEYS); entries after it are signed under the new
one. Running it again changes nothing."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import journal, services


class Command(BaseCommand):
    help = "Rotate the journals' HMAC key to JOURNAL_KEY_ID (keep the old key retired)."

    def handle(self, *args, **options):
        try:
            rotated = services.journal_rotate_keys(actor=None)
        except journal.JournalError as exc:
            raise CommandError(str(exc)) from exc
        key_id = settings.JOURNAL_KEY_ID
        for slug in rotated:
            self.stdout.write(f"rotated community={slug} key={key_id}")
        self.stdout.write(f"done: {len(rotated)} community journal(s) now on key {key_id}")
