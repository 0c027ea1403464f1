"""Photos and PDFs on proposals: checked by content, stripped of EXIF, stored only with the
proposal, and served only to those who may see it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gongzhi.deliberation import services
from gongzhi.deliberation.models import Attachment, Proposal
from tests.factories import member
from tests.test_uploads import has_gps, pdf_bytes, photo_bytes

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def photo(name="IMG_2024.jpg", fmt="JPEG") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, photo_bytes(fmt), content_type="image/jpeg")


def pdf(name="方案.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def create(client, community, files):
    return client.post(
        reverse("proposal_create", args=[community.slug]),
        {
            "title": "修好路灯",
            "body": "5号楼前的路灯坏了",
            "scope": "community",
            "publish": "on",
            "attachments": files,
        },
    )


@pytest.mark.django_db
def test_a_photo_and_a_pdf_through_the_form(client, community, resident, small_threshold, media):
    client.force_login(resident)
    response = create(client, community, [photo(), pdf()])
    assert response.status_code == 302
    proposal = Proposal.objects.in_community(community).get()
    image, document = Attachment.objects.in_community(community).filter(proposal=proposal)
    assert (image.name, image.content_type, image.width, image.height) == (
        "IMG_2024.jpg",
        "image/jpeg",
        64,
        48,
    )
    assert (document.name, document.content_type) == ("方案.pdf", "application/pdf")
    on_disk = media / image.file.name
    assert on_disk.exists() and not has_gps(on_disk.read_bytes())
    with Image.open(on_disk) as stored:
        assert dict(stored.getexif()) == {}
    assert (media / document.file.name).read_bytes() == pdf_bytes()
    assert "IMG_2024" not in image.file.name  # stored under a random name
    page = client.get(response.url).content.decode()
    image_url = reverse("attachment_file", args=[community.slug, proposal.pk, image.pk])
    pdf_url = reverse("attachment_file", args=[community.slug, proposal.pk, document.pk])
    assert f'<img src="{image_url}"' in page
    assert f'<a href="{pdf_url}" download>方案.pdf</a>' in page


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (lambda: SimpleUploadedFile("收据.jpg", b"this is text, not a photo"), "收据.jpg"),
        (lambda: SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (5 * MB)), "at most 5 MB"),
        (lambda: SimpleUploadedFile("page.html", b"<html><script>1</script>"), "page.html"),
    ],
)
@pytest.mark.django_db
def test_one_bad_file_refuses_the_whole_submission(
    client, community, resident, small_threshold, media, bad, message
):
    client.force_login(resident)
    response = create(client, community, [photo(), bad()])
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Proposal.objects.in_community(community).exists()
    assert not Attachment.objects.in_community(community).exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_at_most_five_files(client, community, resident, small_threshold, media):
    client.force_login(resident)
    response = create(client, community, [photo(f"{i}.jpg") for i in range(6)])
    assert response.status_code == 200 and "At most 5 files" in response.content.decode()
    with pytest.raises(ValidationError) as caught:
        services.proposal_create(
            actor=resident,
            community=community,
            title="t",
            body="b",
            attachments=[photo(f"{i}.jpg") for i in range(6)],
        )
    assert caught.value.code == "too_many_files"
    assert not Proposal.objects.in_community(community).exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_files_written_before_a_failure_are_removed(
    monkeypatch, community, resident, small_threshold, media
):
    def broken(**kwargs):
        raise RuntimeError("the journal is unavailable")

    monkeypatch.setattr(services.journal, "record", broken)
    with pytest.raises(RuntimeError):
        services.proposal_create(
            actor=resident, community=community, title="t", body="b", attachments=[photo(), pdf()]
        )
    assert not Proposal.objects.in_community(community).exists()
    assert stored_files(media) == []


@pytest.fixture
def with_files(community, resident, small_threshold):
    proposal = services.proposal_create(
        actor=resident, community=community, title="t", body="b", attachments=[photo(), pdf()]
    )
    image, document = Attachment.objects.in_community(community).filter(proposal=proposal)
    return proposal, image, document


@pytest.mark.django_db
def test_files_are_served_with_safe_headers(client, community, with_files):
    proposal, image, document = with_files
    client.force_login(member(community))
    shown = client.get(reverse("attachment_file", args=[community.slug, proposal.pk, image.pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert shown["Content-Disposition"] == 'inline; filename="IMG_2024.jpg"'
    assert "sandbox" in shown["Content-Security-Policy"]
    assert not has_gps(b"".join(shown.streaming_content))
    download = client.get(
        reverse("attachment_file", args=[community.slug, proposal.pk, document.pk])
    )
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E6%96%B9%E6%A1%88.pdf" in download["Content-Disposition"]


@pytest.mark.django_db
def test_files_follow_the_proposals_visibility(
    client, community, resident, worker, small_threshold, with_files
):
    proposal, image, _document = with_files
    draft = services.proposal_create(
        actor=resident,
        community=community,
        title="草稿",
        body="b",
        publish=False,
        attachments=[photo()],
    )
    draft_file = Attachment.objects.in_community(community).get(proposal=draft)
    neighbour = member(community)
    client.force_login(neighbour)
    draft_url = reverse("attachment_file", args=[community.slug, draft.pk, draft_file.pk])
    assert client.get(draft_url).status_code == 404
    mismatched = reverse("attachment_file", args=[community.slug, proposal.pk, draft_file.pk])
    assert client.get(mismatched).status_code == 404
    image_url = reverse("attachment_file", args=[community.slug, proposal.pk, image.pk])
    services.item_hide(actor=worker, item=proposal, reason="照片里有别人的车牌号")
    assert client.get(image_url).status_code == 404
    detail = client.get(reverse("proposal_detail", args=[community.slug, proposal.pk]))
    assert image_url not in detail.content.decode()
    client.force_login(resident)
    assert client.get(draft_url).status_code == 200
    assert client.get(image_url).status_code == 200  # the author still sees their own file
