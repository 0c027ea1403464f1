"""Checking the files residents upload: photos and PDFs, judged by their content, never by name.

``check_upload`` reads one uploaded file (up to ``max_bytes``), finds its real type from the
first bytes ("magic numbers": JPEG ``FF D8 FF``, PNG's 8-byte signature, ``RIFF….WEBP``,
``%PDF-``), and refuses anything that is not one of the ``kinds`` asked for. A photo is then
opened and verified with Pillow and *re-encoded from its pixels*: what is stored carries no EXIF,
XMP or text chunks — a phone photo's GPS position would otherwise tell every reader where a
resident lives. The orientation EXIF held is applied to the pixels first, so nothing turns
sideways. Nothing here touches storage or the database: the caller writes the checked bytes
once every file of a submission has passed.

Used by the deliberation hall (attachments to proposals) and meant for the hotline's photos.
"""

from __future__ import annotations

import io
import os
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps


@dataclass(frozen=True)
class Kind:
    name: str
    content_type: str
    extension: str
    label: str
    pillow_format: str | None = None

    @property
    def is_image(self) -> bool:
        return self.pillow_format is not None


KINDS: dict[str, Kind] = {
    "jpeg": Kind("jpeg", "image/jpeg", ".jpg", "JPEG", "JPEG"),
    "png": Kind("png", "image/png", ".png", "PNG", "PNG"),
    "webp": Kind("webp", "image/webp", ".webp", "WebP", "WEBP"),
    "pdf": Kind("pdf", "application/pdf", ".pdf", "PDF"),
}
PHOTOS = frozenset({"jpeg", "png", "webp"})
DOCUMENTS = frozenset({"pdf"})

#: Larger pictures are refused from their header, before a pixel is decoded (decompression
#: bombs): a 140 KB PNG can declare 7000×7000 pixels and cost hundreds of MB to decode. A 48 MP
#: phone photo (8000×6000) still passes.
MAX_PIXELS = 50_000_000
#: At most this many pixels are ever decoded. A larger JPEG is decoded at 1/2, 1/4 or 1/8 of its
#: size in Pillow's draft mode (the DCT scaling costs nothing extra) and stored at that size; PNG
#: and WebP have no such mode, so for them this is also the limit of what they may declare.
MAX_DECODED_PIXELS = 25_000_000
MB = 1024 * 1024
#: A photo's bytes: a 48 MP phone photo is 10–20 MB as it leaves the phone; it is stored
#: re-encoded, and much smaller.
MAX_PHOTO_BYTES = 25 * MB
#: The photo fields' help, from the limits above (the forms said 5 MB after the limit was 25).
PHOTOS_HELP = format_lazy(
    gettext_lazy("Up to 5 photos (JPEG, PNG, WebP), at most {mb} MB each."),
    mb=MAX_PHOTO_BYTES // MB,
)


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed: its real kind, a safe name with the right extension, and the bytes
    to store (for a photo, the re-encoded picture without metadata)."""

    kind: Kind
    name: str
    content: bytes
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def content_type(self) -> str:
        return self.kind.content_type

    @property
    def is_image(self) -> bool:
        return self.kind.is_image

    def as_file(self) -> ContentFile:
        return ContentFile(self.content, name=self.name)


def sniff(head: bytes) -> Kind | None:
    """The kind the first bytes announce, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return KINDS["jpeg"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return KINDS["png"]
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return KINDS["webp"]
    if head.startswith(b"%PDF-"):
        return KINDS["pdf"]
    return None


def safe_name(original: str, extension: str) -> str:
    """The file's own name without folders or control characters, cut to a readable length,
    with the extension of its real type."""
    base = (original or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = os.path.splitext(base)[0]
    stem = "".join(
        ch
        for ch in unicodedata.normalize("NFC", stem)
        if unicodedata.category(ch)[0] != "C" and ch not in '<>:"/\\|?*'
    )
    stem = stem.strip(" .")[:80] or "file"
    return f"{stem}{extension}"


def _labels(kinds: frozenset[str] | set[str]) -> str:
    return ", ".join(KINDS[k].label for k in KINDS if k in kinds)


def _read(file: Any, max_bytes: int, shown: str) -> bytes:
    too_large = ValidationError(
        _("“%(name)s” is too large: at most %(max)s MB per file.")
        % {"name": shown, "max": f"{max_bytes / MB:g}"},
        code="upload_too_large",
    )
    declared = getattr(file, "size", None)
    if declared is not None and declared > max_bytes:
        raise too_large
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large
    if not data:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": shown}, code="upload_empty")
    return data


def _too_many_pixels(shown: str, limit: int) -> ValidationError:
    return ValidationError(
        _("“%(name)s” has too many pixels: at most %(max)d megapixels.")
        % {"name": shown, "max": limit // 1_000_000},
        code="upload_too_many_pixels",
    )


def _draft_size(width: int, height: int, budget: int) -> tuple[int, int] | None:
    """The size to ask a JPEG decoder for so that at most ``budget`` pixels are decoded, or None
    when the whole picture fits. The decoder scales by 1/2, 1/4 or 1/8."""
    if width * height <= budget:
        return None
    for scale in (2, 4, 8):
        if -(-width // scale) * -(-height // scale) <= budget:
            return -(-width // scale), -(-height // scale)
    return -(-width // 8), -(-height // 8)


def _reencode(data: bytes, kind: Kind, shown: str, max_pixels: int) -> tuple[bytes, int, int]:
    damaged = ValidationError(
        _("“%(name)s” could not be read as a %(kind)s picture: it may be damaged.")
        % {"name": shown, "kind": kind.label},
        code="upload_damaged",
    )
    formats = [kind.pillow_format] if kind.pillow_format else None
    # What a picture may declare: JPEGs are decoded scaled down, the others whole.
    limit = max_pixels if kind.name == "jpeg" else min(max_pixels, MAX_DECODED_PIXELS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Opening reads the header only: the size is known before any pixel is decoded.
            with Image.open(io.BytesIO(data), formats=formats) as probe:
                width, height = probe.size
                if width * height > limit:
                    raise _too_many_pixels(shown, limit)
                probe.verify()
            # verify() leaves the image unusable; decode it afresh to re-encode its pixels.
            # Not closed on leaving: a closed image cannot be saved, and it reads from memory.
            upright: Image.Image = Image.open(io.BytesIO(data), formats=formats)
            draft = _draft_size(width, height, MAX_DECODED_PIXELS)
            if draft is not None and kind.name == "jpeg":
                upright.draft(upright.mode, draft)
            upright.load()
            icc_profile = upright.info.get("icc_profile")
            # In place: a copy of a large picture would double what it costs.
            ImageOps.exif_transpose(upright, in_place=True)
    except ValidationError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        # Pillow's own alarm (about 89 MP) sounds while opening, before our size check.
        raise _too_many_pixels(shown, limit) from exc
    except Exception as exc:  # Pillow raises many kinds of error on hostile input
        raise damaged from exc
    upright.info = {}  # no EXIF, XMP, comments or text chunks can ride along
    options: dict[str, Any] = {}
    if icc_profile:
        options["icc_profile"] = icc_profile  # colours, not personal data
    if kind.name == "jpeg":
        if upright.mode not in {"RGB", "L", "CMYK"}:
            upright = upright.convert("RGB")
        options.update(quality=90)
    elif kind.name == "webp":
        options.update(quality=90)
    out = io.BytesIO()
    upright.save(out, kind.pillow_format, **options)
    return out.getvalue(), upright.width, upright.height


def check_upload(
    file: Any,
    *,
    kinds: frozenset[str] | set[str],
    max_bytes: int,
    max_pixels: int = MAX_PIXELS,
) -> CheckedUpload:
    """Check one uploaded file; raise ``ValidationError`` (codes ``upload_too_large``,
    ``upload_empty``, ``upload_type``, ``upload_damaged``, ``upload_too_many_pixels``) with a
    message that names the file, or return what may be stored."""
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown upload kinds: {sorted(unknown)}")
    original = getattr(file, "name", "") or ""
    shown = safe_name(original, os.path.splitext(original)[1][:10])
    data = _read(file, max_bytes, shown)
    kind = sniff(data[:16])
    if kind is None or kind.name not in kinds:
        raise ValidationError(
            _("“%(name)s” is not a kind of file accepted here. Accepted: %(kinds)s.")
            % {"name": shown, "kinds": _labels(kinds)},
            code="upload_type",
        )
    name = safe_name(original, kind.extension)
    if not kind.is_image:
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(
                _("“%(name)s” is not a complete PDF file: it may be damaged.") % {"name": shown},
                code="upload_damaged",
            )
        return CheckedUpload(kind=kind, name=name, content=data)
    content, width, height = _reencode(data, kind, shown, max_pixels)
    return CheckedUpload(kind=kind, name=name, content=content, width=width, height=height)


def store_upload(record: Any, upload: CheckedUpload, written: list[Any]) -> None:
    """Save a checked upload into ``record`` (a model with ``file``, ``name``, ``content_type``,
    ``size``, ``width`` and ``height``) and the record itself. ``written`` collects the stored
    files, so the caller can delete them if its transaction rolls back."""
    record.name = upload.name
    record.content_type = upload.content_type
    record.size = upload.size
    record.width = upload.width
    record.height = upload.height
    record.file.save(upload.name, upload.as_file(), save=False)
    written.append(record.file)
    record.save()
