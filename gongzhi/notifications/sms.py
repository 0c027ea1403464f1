"""Sending text messages through a pluggable backend (settings.SMS_BACKEND).

A city plugs in its gateway (Aliyun, Tencent Cloud, its own) by writing a class with ``send``.
The console backend prints; the file backend writes one JSON line per message, which is how the
tests and a community worker without a gateway read the codes that were "sent".
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSmsBackend:
    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"[SMS to {phone}] {text}\n")
        sys.stdout.flush()


_file_lock = threading.Lock()


class FileSmsBackend:
    def __init__(self, path: Path | None = None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, phone: str, text: str) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "phone": phone, "text": text}, ensure_ascii=False
        )
        with _file_lock, open(self.path / "outbox.jsonl", "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


class LocmemSmsBackend:
    """Keeps messages in ``outbox`` (a list shared by the process), like Django's locmem mail."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        LocmemSmsBackend.outbox.append((phone, text))


def get_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(phone: str, text: str) -> None:
    get_backend().send(phone, text)
