"""The agreement's PDF (人民调解协议书): its statutory content, the signatures, the seal or its
line, the art. 33 notice; served to the case's viewers only, never cached."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from gongzhi.mediation import proceeding_selectors, proceedings
from gongzhi.mediation.models import Side
from tests.mediation.world import case_of, committee_of, party

pytestmark = pytest.mark.django_db

TERMS = "乙方晚十点后不再施工"


def text_of(content: bytes) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages)), reader


def sealed_agreement(community, worker, *, seal: bool):
    committee = committee_of(community, worker)
    if seal:
        buffer = io.BytesIO()
        Image.new("RGB", (80, 80), (200, 0, 0)).save(buffer, format="PNG")
        committee.seal.save("seal.png", ContentFile(buffer.getvalue()))
    case = case_of(community)
    mediator = case.assignments.get().mediator
    agreement = proceedings.agreement_draft(
        actor=mediator,
        case=case,
        facts="夜间装修噪音",
        terms=TERMS,
        performance="即日起履行",
        perform_by=timezone.localdate() + timedelta(days=7),
    )
    for side in (Side.APPLICANT, Side.RESPONDENT):
        proceedings.agreement_sign(actor=party(case, side).person, agreement=agreement)
    proceedings.agreement_mediator_sign(actor=mediator, agreement=agreement)
    proceedings.agreement_seal(actor=committee.head, agreement=agreement)
    agreement.refresh_from_db()
    return agreement


def test_the_pdf_holds_the_statutory_content_and_the_notice(community, worker):
    agreement = sealed_agreement(community, worker, seal=False)
    with translation.override("en"):
        text, reader = text_of(proceeding_selectors.agreement_pdf_bytes(agreement))
    case = agreement.case
    assert case.number in text
    assert TERMS in text and "夜间装修噪音" in text and "即日起履行" in text
    assert agreement.perform_by.isoformat() in text
    assert re.sub(r"\s+", "", party(case).name) in text
    assert "33" in text and "30" in text  # the art. 33 notice: judicial confirmation, 30 days
    assert "(seal)" in text or "（印章）" in text or "印" in text


def test_the_committee_seal_image_is_printed(community, worker):
    agreement = sealed_agreement(community, worker, seal=True)
    _text, reader = text_of(proceeding_selectors.agreement_pdf_bytes(agreement))
    assert any(page.images for page in reader.pages)


def test_served_only_to_viewers_and_not_cached(client, community, worker):
    agreement = sealed_agreement(community, worker, seal=False)
    url = reverse(
        "mediation_agreement_pdf", kwargs={"slug": community.slug, "agreement_id": agreement.pk}
    )
    client.force_login(party(agreement.case).person)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    client.force_login(worker)
    assert client.get(url).status_code == 404


def test_an_unsealed_agreement_prints_as_a_draft(community):
    case = case_of(community)
    agreement = proceedings.agreement_draft(
        actor=case.assignments.get().mediator,
        case=case,
        facts="事实",
        terms=TERMS,
        performance="履行",
        perform_by=timezone.localdate(),
    )
    with translation.override("en"):
        text, _reader = text_of(proceeding_selectors.agreement_pdf_bytes(agreement))
    assert "Draft" in text and TERMS in text
