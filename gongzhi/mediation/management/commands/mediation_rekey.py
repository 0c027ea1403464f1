"""Re-encrypt every sealed mediation text and file under the current ``MEDIATION_KEY``, after a
rotation (docs/operations.md, "Rotating the keys"): set the new passphrase as ``MEDIATION_KEY``,
the former one in ``MEDIATION_RETIRED_KEYS``, run this, and once it reports ``unreadable=0`` the
retired passphrase can go. Values already under the current key are left alone, so running it
again (or after an interruption) only finishes the work.

Prints ``key=value`` lines: ``texts=`` and ``files=`` re-encrypted now, ``current=`` values that
already were, ``unreadable=`` values no configured key opens (then it fails, so that the retired
key is not dropped while something still needs it).
"""

from __future__ import annotations

import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from gongzhi.mediation import fields


def _current() -> Fernet:
    return Fernet(fields._fernet_key(settings.MEDIATION_KEY))


def _is_current(token: bytes, current: Fernet) -> bool:
    try:
        current.decrypt(token)
    except InvalidToken:
        return False
    return True


def sealed_fields() -> list[tuple[Any, Any]]:
    """Every (model, field) of the mediation app that is sealed."""
    return [
        (model, field)
        for model in apps.get_app_config("mediation").get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, fields.SealedTextField | fields.SealedFileField)
    ]


def rekey() -> dict[str, int]:
    fields.cipher()  # refuses to run without a key
    current = _current()
    counts = {"texts": 0, "files": 0, "current": 0, "unreadable": 0}
    quote = connection.ops.quote_name
    for model, field in sealed_fields():
        table, column = quote(model._meta.db_table), quote(field.column)
        with transaction.atomic():
            # The stored token, not the decrypted text: read and written in SQL.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, {column} FROM {table} WHERE {column} <> ''"  # noqa: S608
                )
                stored = cursor.fetchall()
            for pk, value in stored:
                if isinstance(field, fields.SealedFileField):
                    counts[_rekey_file(field.storage, value, current)] += 1
                    continue
                token = value[len(fields.PREFIX) :].encode("ascii")
                if _is_current(token, current):
                    counts["current"] += 1
                    continue
                try:
                    rotated = fields.rotate(value)
                except InvalidToken:
                    counts["unreadable"] += 1
                    continue
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608
                        [rotated, pk],
                    )
                counts["texts"] += 1
    return counts


def _rekey_file(storage: Any, name: str, current: Fernet) -> str:
    path = storage.path(name)
    try:
        with open(path, "rb") as handle:
            token = handle.read()
    except FileNotFoundError:
        return "unreadable"
    if _is_current(token, current):
        return "current"
    try:
        rotated = fields.cipher().rotate(token)
    except InvalidToken:
        return "unreadable"
    temporary = f"{path}.rekey"
    with open(temporary, "wb") as handle:
        handle.write(rotated)
    # Replaced in one step: a crash leaves the old token or the new one, never half a file.
    os.replace(temporary, path)
    return "files"


class Command(BaseCommand):
    help = "Re-encrypt sealed mediation texts and files under the current MEDIATION_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = rekey()
        for key, value in counts.items():
            self.stdout.write(f"{key}={value}")
        if counts["unreadable"]:
            raise CommandError(
                "some mediation values are sealed under a key that is not configured: "
                "keep the retired key in MEDIATION_RETIRED_KEYS"
            )
