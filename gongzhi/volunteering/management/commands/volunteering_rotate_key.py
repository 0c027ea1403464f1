"""Rotate a community's certificate signing key from the command line (docs/operations.md,
"Certificate signing keys"): ``manage.py volunteering_rotate_key <slug> --by <phone>``.

The act is a community worker's, as on the signing-keys page: ``--by`` names them by phone and
their permission is checked; the journal records them. The retired key stays published."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.accounts.models import User
from gongzhi.core.models import Community
from gongzhi.core.phones import normalize_phone
from gongzhi.volunteering.certificates import signing_key_rotate


class Command(BaseCommand):
    help = "Retire a community's certificate signing key and make a new one (old stays published)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the community's address name")
        parser.add_argument("--by", required=True, help="the phone of the community worker")

    def handle(self, *args: Any, **options: Any) -> None:
        community = Community.objects.filter(slug=options["slug"]).first()
        if community is None:
            raise CommandError(f"no community {options['slug']!r}")
        try:
            phone = normalize_phone(options["by"])
        except ValidationError as error:
            raise CommandError(f"not a phone number: {options['by']!r}") from error
        actor = User.objects.filter(phone=phone).first()
        if actor is None:
            raise CommandError(f"nobody with phone {phone}")
        try:
            key = signing_key_rotate(actor=actor, community=community)
        except PermissionDenied as error:
            raise CommandError(f"{phone} may not rotate {community.slug}'s signing key") from error
        self.stdout.write(f"rotated community={community.slug} kid={key.kid}")
