"""Compile the .po catalogues to .mo with Babel, so no system gettext is needed to run.

(Django's own compilemessages needs GNU gettext's msgfmt, which a bare machine lacks.)
``--check`` fails if any message of any catalogue is untranslated or fuzzy.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalogue_paths() -> list[Path]:
    paths: list[Path] = []
    for base in settings.LOCALE_PATHS:
        paths.extend(sorted(Path(base).glob("*/LC_MESSAGES/*.po")))
    return paths


def incomplete_messages(po_path: Path) -> list[str]:
    with open(po_path, "rb") as handle:
        catalog = read_po(handle)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            msgid = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
            problems.append(str(msgid))
    return problems


def fill_english() -> None:
    from babel.messages.pofile import write_po

    for po_path in catalogue_paths():
        if po_path.parent.parent.name != "en":
            continue
        with open(po_path, "rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id:
                continue
            message.string = message.id  # (singular, plural) for plurals, as gettext wants
            message.flags.discard("fuzzy")
        with open(po_path, "wb") as handle:
            write_po(handle, catalog, width=0, omit_header=False, include_previous=False)


class Command(BaseCommand):
    help = "Compile translation catalogues (and check that they are complete)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="fail on untranslated or fuzzy messages"
        )
        parser.add_argument(
            "--fill-english",
            action="store_true",
            help="the msgids are English: make the en catalogue say them as they are",
        )

    def handle(self, *args, **options):
        if options["fill_english"]:
            fill_english()
        failures = []
        for po_path in catalogue_paths():
            if options["check"]:
                missing = incomplete_messages(po_path)
                if missing:
                    failures.append(f"{po_path}: {len(missing)} incomplete, e.g. {missing[:3]}")
                continue
            with open(po_path, "rb") as handle:
                catalog = read_po(handle)
            with open(po_path.with_suffix(".mo"), "wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)
            if options["verbosity"] > 1:
                self.stdout.write(f"compiled {po_path}")
        if failures:
            raise CommandError("catalogues incomplete:\n" + "\n".join(failures))
