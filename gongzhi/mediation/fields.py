"""Encryption at rest for mediation cases: a text field and a file field whose contents are kept
only encrypted, under ``settings.MEDIATION_KEY``.

The key is a passphrase set in the environment, never stored in the database or its backups, so
a copy of the database (or of the media folder) reads as noise without it. Fernet (AES-128-CBC
with HMAC-SHA256, from ``cryptography``) does the work; its key is derived from the passphrase
with HKDF-SHA256. ``MEDIATION_RETIRED_KEYS`` (the environment, comma-separated) keeps older
passphrases readable after a rotation: new writes always use the current one
(``manage.py mediation_rekey`` re-encrypts what an older one wrote).

- ``SealedTextField`` stores ``gz1:`` and a Fernet token; reading decrypts. Such a column cannot
  be searched, filtered or ordered by its text: nothing in the code does.
- ``SealedFileField`` stores files through ``SealedStorage``: the bytes on disk are a Fernet
  token, the file name a random one (the name a person gave lives in a sealed text column).
"""

from __future__ import annotations

import base64
import secrets
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import models

PREFIX = "gz1:"
#: HKDF's info: a key derived for this use only, whatever else the passphrase is used for
INFO = b"gongzhi mediation v1"


class SealError(Exception):
    """A sealed value could not be read: the key that wrote it is not configured."""


def _fernet_key(passphrase: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(
        passphrase.encode()
    )
    return base64.urlsafe_b64encode(derived)


@lru_cache(maxsize=8)
def _cipher(current: str, retired: tuple[str, ...]) -> MultiFernet:
    if not current:
        raise ImproperlyConfigured("MEDIATION_KEY is not set: mediation cases cannot be read")
    return MultiFernet([Fernet(_fernet_key(key)) for key in (current, *retired) if key])


def cipher() -> MultiFernet:
    """The current key first (it encrypts), then the retired ones (they only decrypt)."""
    retired = tuple(getattr(settings, "MEDIATION_RETIRED_KEYS", ()) or ())
    return _cipher(settings.MEDIATION_KEY, retired)


def seal_bytes(data: bytes) -> bytes:
    return cipher().encrypt(data)


def open_bytes(token: bytes) -> bytes:
    try:
        return cipher().decrypt(token)
    except InvalidToken as error:
        raise SealError("sealed under a key that is not configured") from error


def seal(text: str) -> str:
    return PREFIX + seal_bytes(text.encode()).decode("ascii")


def unseal(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise SealError("not a sealed value")
    return open_bytes(stored[len(PREFIX) :].encode("ascii")).decode()


def rotate(stored: str) -> str:
    """``stored`` re-encrypted under the current key (what ``mediation_rekey`` writes)."""
    if not stored:
        return stored
    return PREFIX + cipher().rotate(stored[len(PREFIX) :].encode("ascii")).decode("ascii")


class SealedTextField(models.TextField):
    """Text kept encrypted in the database; "" stays "" (an empty field reveals nothing)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        if not value:
            return ""
        return unseal(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(PREFIX):
            return unseal(value)
        return super().to_python(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return seal(str(value))

    def value_to_string(self, obj: Any) -> str:
        """What a serialiser writes (``dumpdata``, fixtures): the token, never the text;
        ``to_python`` reads it back, so ``loaddata`` restores it under the same key."""
        value = self.value_from_object(obj)
        return seal(str(value)) if value else ""


class SealedStorage(FileSystemStorage):
    """Media storage whose files hold Fernet tokens: encrypted on save, decrypted on open."""

    def _save(self, name: str, content: Any) -> str:
        content.seek(0) if hasattr(content, "seek") else None
        return super()._save(name, ContentFile(seal_bytes(content.read())))  # type: ignore[misc]

    def _open(self, name: str, mode: str = "rb") -> Any:
        with super()._open(name, "rb") as handle:  # type: ignore[misc]
            return ContentFile(open_bytes(handle.read()), name=name)

    def size(self, name: str) -> int:
        with self._open(name) as handle:
            return handle.size


def sealed_storage() -> SealedStorage:
    return SealedStorage()


def random_name(instance: Any, filename: str) -> str:
    """A name that says nothing: the person's file name is kept sealed elsewhere."""
    return f"mediation/sealed/{secrets.token_hex(16)}.bin"


class SealedFileField(models.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("storage", sealed_storage)
        kwargs.setdefault("upload_to", random_name)
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)
