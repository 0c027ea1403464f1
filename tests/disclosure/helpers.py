"""Shared set-up of the disclosure tests: vouchers, a second worker, entries in a past month."""

from __future__ import annotations

import io
from datetime import date, timedelta

from allauth.mfa.totp.internal.auth import TOTP
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.core.models import Role
from gongzhi.disclosure import services
from gongzhi.disclosure.services import LineIn
from tests.conftest import TOTP_SECRET
from tests.factories import member

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "发票.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name: str = "收据.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 200, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def second_worker(community):
    user = member(community, Role.COMMUNITY_WORKER)
    TOTP.activate(user, TOTP_SECRET)
    return user


def last_month() -> date:
    """The first day of the month before this one: a period that has ended."""
    first = timezone.localdate().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def record(community, actor, *, kind="expenditure", total="100.00", lines=None, on=None, **kw):
    if lines is None:
        lines = [LineIn("maintenance" if kind == "expenditure" else "subsidy", total)]
    return services.ledger_entry_record(
        actor=actor,
        community=community,
        kind=kind,
        occurred_on=on or last_month() + timedelta(days=3),
        counterparty=kw.pop("counterparty", "物业公司"),
        description=kw.pop("description", "更换路灯"),
        total=total,
        lines=lines,
        voucher=kw.pop("voucher", pdf()),
        **kw,
    )


def approved(community, worker, approver, **kw):
    entry = record(community, worker, **kw)
    return services.ledger_entry_approve(actor=approver, entry=entry)


def purge_ledger() -> None:
    """Empty the ledger tables past their no-delete triggers, so that a transactional test's
    flush can run: Django flushes SQLite with DELETE, which the triggers refuse (PostgreSQL
    flushes with TRUNCATE, which row triggers do not see)."""
    import importlib
    from types import SimpleNamespace

    from django.db import connection, transaction

    if connection.vendor != "sqlite":
        return
    triggers = importlib.import_module(
        "gongzhi.disclosure.migrations.0004_ledger_append_only_complete"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        editor = SimpleNamespace(connection=connection, execute=cursor.execute)
        triggers.drop(None, editor)
        for table in ("disclosure_voucher", "disclosure_ledgerline", "disclosure_ledgerentry"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        triggers.create(None, editor)
