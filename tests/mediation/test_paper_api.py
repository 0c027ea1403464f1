"""The paper signatures in the API (as the pages' forms): a mediator records a party's signature
of a session's notes or of the agreement with its scan, kept encrypted; a party of another case
is the missing party's 404, a party cannot record one, a second one for the same party is
refused and nothing is saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.mediation import proceedings
from gongzhi.mediation.models import Confirmation, Side
from tests.mediation.world import case_of, committee_of, party

pytestmark = pytest.mark.django_db


def _pdf() -> SimpleUploadedFile:
    from tests.disclosure.helpers import pdf

    return pdf("签名.pdf")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_mediator_records_paper_signatures_through_the_api(client, community, worker, media):
    committee_of(community, worker)
    case = case_of(community)
    other = case_of(community)
    mediator = case.assignments.get().mediator
    sitting = proceedings.sitting_record(
        actor=mediator,
        case=case,
        held_at=timezone.now() - timedelta(hours=1),
        place="",
        notes="笔录",
    )
    api = f"/api/v1/communities/{community.slug}/mediation"
    notes = f"{api}/sittings/{sitting.pk}/parties/{{}}/paper"
    respondent = party(case, Side.RESPONDENT)

    client.force_login(party(case).person)  # a party records no paper signature
    assert client.post(notes.format(respondent.pk), {"scan": _pdf()}).status_code == 403
    client.force_login(mediator)
    assert client.post(notes.format(party(other).pk), {"scan": _pdf()}).status_code == 404
    answer = client.post(notes.format(respondent.pk), {"scan": _pdf()})
    assert answer.status_code == 201, answer.content
    assert answer.json()["party"] == respondent.pk and answer.json()["via"] == "paper"
    again = client.post(notes.format(respondent.pk), {"scan": _pdf()})
    assert again.status_code == 400 and again.json()["code"] == "already_confirmed"
    row = Confirmation.objects.in_community(community).get(sitting=sitting)
    with row.scan.open("rb") as handle:
        assert handle.read().startswith(b"%PDF")

    agreement = proceedings.agreement_draft(
        actor=mediator,
        case=case,
        facts="事实",
        terms="条款",
        performance="履行",
        perform_by=timezone.localdate() + timedelta(days=5),
    )
    url = f"{api}/agreements/{agreement.pk}/parties/{respondent.pk}/paper"
    answer = client.post(url, {"scan": _pdf()})
    assert answer.status_code == 201, answer.content
    assert Confirmation.objects.in_community(community).filter(agreement=agreement).count() == 1
