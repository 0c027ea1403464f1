"""Serving an uploaded file (a ticket's photo, a budget idea's photo, a proposal's attachment,
a ledger voucher): one way, after the view has fetched the row and checked who may see it.

The file is opened from storage (a file gone from storage is a 404, like a missing row) and sent
with the content type recorded at upload — checked then by ``core.uploads``, never guessed from
the bytes now: ``nosniff`` keeps a browser from guessing, and a sandboxing
Content-Security-Policy keeps it from running anything it might find inside an image or a PDF.
Photos show inline, other files download under the name they were uploaded with.

Caching: a download, and any answer to a logged-in person, is made ``no-store`` by
``core.cachecontrol.NoStoreMiddleware``, whatever ``cache`` says here; ``cache`` only lets a
visitor's browser keep a public file it may see anyway.
"""

from __future__ import annotations

from typing import Protocol

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

#: What an uploaded file may do once in a browser: nothing.
SANDBOX = "default-src 'none'; sandbox"


class StoredUpload(Protocol):
    """A row holding an uploaded file: the file, its checked content type, its original name."""

    @property
    def file(self) -> FieldFile: ...

    @property
    def content_type(self) -> str: ...

    @property
    def name(self) -> str: ...


def serve_upload(upload: StoredUpload, *, download: bool = False, cache: str = "") -> FileResponse:
    """The response carrying ``upload``: inline, or as an attachment when ``download``.
    ``cache`` is a Cache-Control value for visitors (e.g. ``"private, max-age=3600"``)."""
    try:
        handle = upload.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, content_type=upload.content_type, as_attachment=download, filename=upload.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    if cache:
        response["Cache-Control"] = cache
    return response
