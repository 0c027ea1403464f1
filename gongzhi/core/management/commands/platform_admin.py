"""Appoint or remove a platform administrator from the server's console, journalled (the
platform journal records the act with no person: the operator at the console). Use it for the
first administrator; after that administrators appoint each other in the admin site, never
themselves."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import services
from gongzhi.core.phones import normalize_phone


class Command(BaseCommand):
    help = "Make (or unmake, --revoke) the account with this phone number a platform admin."

    def add_arguments(self, parser):
        parser.add_argument("phone")
        parser.add_argument("--revoke", action="store_true")

    def handle(self, *args, **options):
        user_model = get_user_model()
        try:
            user = user_model.objects.get(phone=normalize_phone(options["phone"]))
        except (ValidationError, user_model.DoesNotExist) as exc:
            raise CommandError(f"no account with phone number {options['phone']!r}") from exc
        act = services.platform_admin_revoke if options["revoke"] else services.platform_admin_grant
        changed = act(actor=None, user=user)
        state = "is no longer" if options["revoke"] else "is now"
        self.stdout.write(f"{user.phone} {state} a platform admin" + ("" if changed else " (was)"))
