"""core.files.serve_upload: the one way an uploaded file goes back to a browser — opened from
storage, with the content type checked at upload, never sniffed, never run."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.http import Http404

from gongzhi.core.files import SANDBOX, serve_upload
from gongzhi.feedback.models import TicketPhoto

BODY = b"%PDF-1.4\n% a receipt\n"


@dataclass
class Stored:
    file: FieldFile
    content_type: str
    name: str


@pytest.fixture
def upload(tmp_path, settings) -> Stored:
    settings.MEDIA_ROOT = tmp_path
    saved = default_storage.save("uploads/receipt.pdf", ContentFile(BODY))
    return Stored(
        FieldFile(None, TicketPhoto._meta.get_field("file"), saved), "application/pdf", "收据.pdf"
    )


def body(response) -> bytes:
    content = b"".join(response.streaming_content)
    response.file_to_stream.close()
    return content


def test_inline_with_its_type_and_name_never_sniffed_nor_run(upload):
    response = serve_upload(upload)
    assert body(response) == BODY
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert "filename*=utf-8''%E6%94%B6%E6%8D%AE.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX == "default-src 'none'; sandbox"
    assert "Cache-Control" not in response


def test_download_and_a_visitors_cache(upload):
    response = serve_upload(upload, download=True, cache="private, max-age=3600")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, max-age=3600"
    assert body(response) == BODY


def test_a_file_gone_from_storage_is_as_missing_as_a_missing_row(upload):
    default_storage.delete(upload.file.name)
    with pytest.raises(Http404):
        serve_upload(upload)
