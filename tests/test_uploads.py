"""core.uploads: files are judged by their content, and photos lose their metadata."""

from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.core.uploads import (
    DOCUMENTS,
    MAX_DECODED_PIXELS,
    PHOTOS,
    check_upload,
    safe_name,
    sniff,
)

MB = 1024 * 1024
ANY = PHOTOS | DOCUMENTS
GPS_IFD = 0x8825
ORIENTATION = 0x0112
#: Tiananmen Square, 39°54'27"N 116°23'17"E: what must never reach another resident.
GPS = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}


def photo_bytes(fmt: str = "JPEG", size=(64, 48), orientation: int | None = None) -> bytes:
    """A real picture, as a phone would write it: EXIF with a camera, a GPS position and a
    comment-like XMP packet."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.putpixel((0, 0), (0, 0, 255))  # a marker to follow through rotation
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    exif[GPS_IFD] = GPS
    if orientation:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    options = {"exif": exif.tobytes()}
    if fmt in {"JPEG", "WEBP"}:
        options["xmp"] = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">where: home</x:xmpmeta>'
    image.save(out, fmt, **options)
    return out.getvalue()


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif().get_ifd(GPS_IFD))


@pytest.mark.parametrize(
    ("fmt", "kind", "extension"),
    [
        ("JPEG", "jpeg", ".jpg"),
        ("PNG", "png", ".png"),
        ("WEBP", "webp", ".webp"),
    ],
)
def test_photos_are_reencoded_without_exif(fmt, kind, extension):
    original = photo_bytes(fmt)
    assert has_gps(original)  # the test's photo really carries a position
    checked = check_upload(upload(original, f"IMG_0001.{fmt.lower()}"), kinds=ANY, max_bytes=MB)
    assert (checked.kind.name, checked.content_type) == (kind, f"image/{kind}")
    assert checked.name == f"IMG_0001{extension}"
    with Image.open(io.BytesIO(checked.content)) as stored:
        assert stored.format == fmt
        assert stored.size == (64, 48)
        assert dict(stored.getexif()) == {}
        assert "exif" not in stored.info and "xmp" not in stored.info
    assert b"Phone maker" not in checked.content and b"where: home" not in checked.content


def test_orientation_is_applied_before_the_exif_goes():
    # Orientation 6: the camera was turned; the pixels must be turned instead.
    checked = check_upload(
        upload(photo_bytes("PNG", orientation=6), "sideways.png"), kinds=PHOTOS, max_bytes=MB
    )
    assert (checked.width, checked.height) == (48, 64)
    with Image.open(io.BytesIO(checked.content)) as stored:
        assert stored.size == (48, 64)
        assert stored.getpixel((47, 0))[:3] == (0, 0, 255)


def test_the_name_does_not_decide_the_type():
    png_named_jpg = check_upload(upload(photo_bytes("PNG"), "photo.jpg"), kinds=ANY, max_bytes=MB)
    assert png_named_jpg.kind.name == "png" and png_named_jpg.name == "photo.png"
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(b"just some text, not a photo", "photo.jpg"), kinds=ANY, max_bytes=MB)
    assert caught.value.code == "upload_type"
    assert "photo.jpg" in caught.value.messages[0] and "JPEG" in caught.value.messages[0]


def test_a_pdf_passes_unchanged_and_only_where_documents_are_wanted():
    checked = check_upload(upload(pdf_bytes(), "会议纪要.PDF"), kinds=ANY, max_bytes=MB)
    assert (checked.kind.name, checked.content, checked.name) == (
        "pdf",
        pdf_bytes(),
        "会议纪要.pdf",
    )
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(pdf_bytes(), "a.pdf"), kinds=PHOTOS, max_bytes=MB)
    assert caught.value.code == "upload_type"


def test_a_truncated_pdf_is_refused():
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(pdf_bytes()[:30], "cut.pdf"), kinds=ANY, max_bytes=MB)
    assert caught.value.code == "upload_damaged"


def test_too_large_empty_and_damaged_files_are_refused():
    big = upload(b"\xff\xd8\xff" + b"\0" * (2 * MB), "big.jpg")
    with pytest.raises(ValidationError) as caught:
        check_upload(big, kinds=ANY, max_bytes=MB)
    assert caught.value.code == "upload_too_large" and "1 MB" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(b"", "empty.png"), kinds=ANY, max_bytes=MB)
    assert caught.value.code == "upload_empty"
    with pytest.raises(ValidationError) as caught:  # a JPEG's start, then nothing usable
        check_upload(upload(photo_bytes("JPEG")[:200], "broken.jpg"), kinds=ANY, max_bytes=MB)
    assert caught.value.code == "upload_damaged"


def test_a_size_that_lies_is_caught_while_reading():
    lying = io.BytesIO(b"%PDF-" + b"x" * 2000 + b"%%EOF")
    lying.name, lying.size = "small.pdf", 10
    with pytest.raises(ValidationError) as caught:
        check_upload(lying, kinds=ANY, max_bytes=1000)
    assert caught.value.code == "upload_too_large"


def test_pictures_with_too_many_pixels_are_refused_before_decoding():
    with pytest.raises(ValidationError) as caught:
        check_upload(
            upload(photo_bytes("PNG", size=(200, 100)), "huge.png"),
            kinds=PHOTOS,
            max_bytes=MB,
            max_pixels=10_000,
        )
    assert caught.value.code == "upload_too_many_pixels"


def test_sniff_and_safe_names():
    assert sniff(b"RIFF\0\0\0\0WEBPVP8 ").name == "webp"
    assert sniff(b"RIFF\0\0\0\0AVI LIST") is None
    assert safe_name("C:\\Users\\me\\..\\报告.final.docx", ".pdf") == "报告.final.pdf"
    assert safe_name("../../etc/passwd", ".png") == "passwd.png"
    assert safe_name('a<b>\x00c\n"d', ".jpg") == "abcd.jpg"
    assert safe_name("...", ".jpg") == "file.jpg"
    assert len(safe_name("长" * 300, ".jpg")) == 84


def test_unknown_kinds_are_a_programming_error():
    with pytest.raises(ValueError, match="gif"):
        check_upload(upload(pdf_bytes(), "a.pdf"), kinds={"gif"}, max_bytes=MB)


def png_bomb(width: int, height: int, channels: int = 3) -> bytes:
    """A real PNG of one colour, written row by row: small on disk, huge once decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    color_type = {1: 0, 3: 2, 4: 6}[channels]
    compressor = zlib.compressobj(9)
    row = bytes(1 + width * channels)  # filter byte, then black pixels
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def fastest(check, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        check()
        times.append(time.perf_counter() - start)
    return min(times)


def test_a_picture_bomb_is_refused_from_its_header_with_its_own_message():
    # The issue's file: 7000×7000 in about 140 KB; it cost ~380 MB to decode.
    bomb = png_bomb(7000, 7000)
    assert len(bomb) < 200_000
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(bomb, "bomb.png"), kinds=PHOTOS, max_bytes=MB)
    assert caught.value.code == "upload_too_many_pixels"
    assert "bomb.png" in caught.value.messages[0] and "25" in caught.value.messages[0]
    # Beyond Pillow's own alarm (89 MP) it was "damaged"; it is a bomb like the other.
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(png_bomb(10000, 10000, 1), "b.png"), kinds=PHOTOS, max_bytes=MB)
    assert caught.value.code == "upload_too_many_pixels"

    # Refusing it costs no more than checking a small real photo: nothing was decoded.
    def refuse():
        with pytest.raises(ValidationError):
            check_upload(upload(bomb, "bomb.png"), kinds=PHOTOS, max_bytes=MB)

    small = photo_bytes("PNG", size=(640, 480))
    assert fastest(refuse) < 3 * fastest(
        lambda: check_upload(upload(small, "s.png"), kinds=PHOTOS, max_bytes=MB)
    )


def test_a_48_megapixel_phone_photo_passes_decoded_in_draft_mode():
    image = Image.new("RGB", (8000, 6000), (90, 140, 200))
    image.paste((200, 30, 30), (0, 0, 4000, 3000))  # a red quarter, top left
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=Image.Exif().tobytes())
    del image
    checked = check_upload(upload(out.getvalue(), "IMG_48MP.jpg"), kinds=PHOTOS, max_bytes=20 * MB)
    assert checked.kind.name == "jpeg"
    # Stored at half size: decoded at 1/2 scale, never all 48 million pixels.
    assert (checked.width, checked.height) == (4000, 3000)
    assert checked.width * checked.height <= MAX_DECODED_PIXELS
    with Image.open(io.BytesIO(checked.content)) as stored:
        assert stored.size == (4000, 3000)
        red, green, _blue = stored.getpixel((100, 100))
        assert red > 150 and green < 80  # the same picture, scaled


def test_a_jpeg_over_the_cap_is_refused_before_decoding():
    # A JPEG's header declares its size: 10000×6000 is 60 MP, over the 50 MP cap.
    image = Image.new("L", (10000, 6000))
    out = io.BytesIO()
    image.save(out, "JPEG")
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(out.getvalue(), "big.jpg"), kinds=PHOTOS, max_bytes=20 * MB)
    assert caught.value.code == "upload_too_many_pixels" and "50" in caught.value.messages[0]


def test_the_apps_take_a_phone_photo_of_15_mb():
    """A 48 MP photo leaves the phone at 10–20 MB: the hotline and budgeting must take it."""
    from gongzhi.budgeting import services as budgeting_services
    from gongzhi.core.uploads import MAX_PHOTO_BYTES
    from gongzhi.feedback import services as feedback_services

    assert feedback_services.MAX_PHOTO_BYTES is budgeting_services.MAX_PHOTO_BYTES
    # A real JPEG followed by 15 MB the decoder never reads (as a camera's maker data would be).
    content = photo_bytes("JPEG", size=(640, 480)) + b"\0" * (15 * MB)
    checked = check_upload(upload(content, "IMG_0001.jpg"), kinds=PHOTOS, max_bytes=MAX_PHOTO_BYTES)
    assert checked.kind.name == "jpeg"
    assert len(checked.content) < MB
