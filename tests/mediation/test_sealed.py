"""Case texts and attachments are encrypted at rest: the database and the media folder hold
tokens, reading through the model gives the text back, and a different key reads nothing."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import override_settings

from gongzhi.mediation import fields
from gongzhi.mediation.models import Attachment, Case
from tests.mediation.world import case_of

pytestmark = pytest.mark.django_db

SECRET = "楼上深夜装修噪音，张先生家"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_a_case_summary_is_a_token_in_the_database_and_text_in_the_model(community):
    case = case_of(community, summary=SECRET)
    stored = raw("mediation_case", "summary", case.pk)
    assert stored.startswith(fields.PREFIX)
    assert SECRET not in stored and "噪音" not in stored
    assert Case.objects.get(pk=case.pk).summary == SECRET


def test_an_empty_text_stays_empty(community):
    case = case_of(community, summary="")
    assert raw("mediation_case", "summary", case.pk) == ""
    assert Case.objects.get(pk=case.pk).summary == ""


def test_another_key_cannot_read_a_case(community):
    case = case_of(community, summary=SECRET)
    with override_settings(MEDIATION_KEY="another passphrase"), pytest.raises(fields.SealError):
        Case.objects.get(pk=case.pk)


def test_a_retired_key_still_reads_and_rotate_rewrites_under_the_current_one(community):
    with override_settings(MEDIATION_KEY="old passphrase"):
        case = case_of(community, summary=SECRET)
    stored = raw("mediation_case", "summary", case.pk)
    with override_settings(
        MEDIATION_KEY="new passphrase", MEDIATION_RETIRED_KEYS=["old passphrase"]
    ):
        assert Case.objects.get(pk=case.pk).summary == SECRET
        rotated = fields.rotate(stored)
    with override_settings(MEDIATION_KEY="new passphrase"):
        assert fields.unseal(rotated) == SECRET


def test_an_attachment_is_noise_on_disk_and_its_bytes_through_the_model(
    community, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    case = case_of(community)
    body = "协议草稿：张先生同意晚十点后停止施工。".encode()
    attachment = Attachment(
        case=case,
        community=case.community,
        name="协议.txt",
        uploaded_by=case.parties.first().person,
    )
    attachment.file.save("协议.txt", ContentFile(body), save=False)
    attachment.save()
    on_disk = (tmp_path / attachment.file.name).read_bytes()
    assert body not in on_disk and "协议" not in attachment.file.name
    with Attachment.objects.get(pk=attachment.pk).file.open() as handle:
        assert handle.read() == body
    assert Attachment.objects.get(pk=attachment.pk).name == "协议.txt"
