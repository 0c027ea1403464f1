"""Attachments: photos or PDFs, kept encrypted, added by the case's viewers only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.core.journal import Activity
from gongzhi.mediation import proceedings
from gongzhi.mediation.models import Attachment
from tests.disclosure.helpers import pdf, png
from tests.mediation.world import case_of, party

pytestmark = pytest.mark.django_db


def test_a_party_attaches_a_photo_kept_encrypted(community, settings):
    case = case_of(community)
    attachment = proceedings.attachment_add(
        actor=party(case).person, case=case, file=png("漏水.png")
    )
    stored = Attachment.objects.in_community(community).get()
    assert stored.name == "漏水.png"
    on_disk = (
        (settings.MEDIA_ROOT / stored.file.name)
        if hasattr(settings.MEDIA_ROOT, "__truediv__")
        else None
    )
    if on_disk is not None:
        assert not on_disk.read_bytes().startswith(b"\x89PNG")
    with attachment.file.open("rb") as handle:
        assert handle.read().startswith(b"\x89PNG")
    assert proceedings.content_type(stored.name) == "image/png"
    assert Activity.objects.get(verb="mediation.attachment_added").data == {}


def test_a_pdf_and_a_refused_kind(community):
    case = case_of(community)
    mediator = case.assignments.get().mediator
    proceedings.attachment_add(actor=mediator, case=case, file=pdf("协议.pdf"))
    bad = SimpleUploadedFile("a.html", b"<script>alert(1)</script>", content_type="text/html")
    with pytest.raises(ValidationError) as error:
        proceedings.attachment_add(actor=mediator, case=case, file=bad)
    assert error.value.code == "upload_type"
    assert Attachment.objects.in_community(community).count() == 1


def test_only_viewers_attach(community, worker):
    case = case_of(community)
    with pytest.raises(PermissionDenied):
        proceedings.attachment_add(actor=worker, case=case, file=png())
    assert not Attachment.objects.in_community(community).exists()
