"""The proceedings' pages: the case page's section, the forms (mediator only), the one-tap posts
(confirm, sign, seal, withdraw) and the sealed files, served decrypted to viewers only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.mediation import proceedings
from gongzhi.mediation.models import (
    Agreement,
    CaseStatus,
    Confirmation,
    FollowUp,
    Side,
    Sitting,
)
from gongzhi.mediation.proceeding_views import page_context
from tests.disclosure.helpers import png
from tests.factories import member
from tests.mediation.world import case_of, committee_of, party

pytestmark = pytest.mark.django_db


def url(name, community, **kwargs):
    return reverse(name, kwargs={"slug": community.slug, **kwargs})


def mediator(case):
    return case.assignments.get().mediator


def test_a_mediator_records_a_session_through_the_form(client, community):
    case = case_of(community)
    client.force_login(mediator(case))
    page = url("mediation_sitting_new", community, case_id=case.pk)
    assert client.get(page).status_code == 200
    held = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(page, {"held_at": held, "place": "调解室", "notes": "双方陈述"})
    assert response.status_code == 302
    assert Sitting.objects.in_community(community).get().notes == "双方陈述"


def test_forms_are_404_for_a_party_and_for_strangers(client, community, worker):
    case = case_of(community)
    for who in (party(case).person, worker, member(community)):
        client.force_login(who)
        for name in ("mediation_sitting_new", "mediation_agreement_edit", "mediation_conclude"):
            assert client.get(url(name, community, case_id=case.pk)).status_code == 404


def test_a_party_confirms_and_signs_from_the_pages(client, community):
    case = case_of(community)
    sitting = proceedings.sitting_record(
        actor=mediator(case), case=case, held_at=timezone.now(), place="", notes="笔录"
    )
    agreement = proceedings.agreement_draft(
        actor=mediator(case),
        case=case,
        facts="事实",
        terms="条款",
        performance="履行",
        perform_by=timezone.localdate(),
    )
    applicant = party(case).person
    client.force_login(applicant)
    context = page_context(case, applicant)["proc"]
    assert context.sittings[0].mine_pending
    client.post(url("mediation_notes_confirm", community, sitting_id=sitting.pk))
    assert Confirmation.objects.in_community(community).filter(sitting=sitting).count() == 1
    page = client.get(url("mediation_agreement", community, case_id=case.pk))
    assert page.status_code == 200 and "条款" in page.content.decode()
    client.post(url("mediation_agreement_sign", community, agreement_id=agreement.pk))
    assert Confirmation.objects.in_community(community).filter(agreement=agreement).count() == 1


def test_signing_someone_elses_agreement_is_a_404_and_saves_nothing(client, community):
    case = case_of(community)
    agreement = proceedings.agreement_draft(
        actor=mediator(case),
        case=case,
        facts="事实",
        terms="条款",
        performance="履行",
        perform_by=timezone.localdate(),
    )
    outsider = party(case_of(community)).person
    client.force_login(outsider)
    response = client.post(url("mediation_agreement_sign", community, agreement_id=agreement.pk))
    assert response.status_code == 404
    assert client.get(url("mediation_agreement", community, case_id=case.pk)).status_code == 404
    assert not Confirmation.objects.in_community(community).exists()


def test_the_head_seals_from_the_page_and_the_mediator_concludes_another(client, community, worker):
    committee = committee_of(community, worker)
    case = case_of(community)
    agreement = proceedings.agreement_draft(
        actor=mediator(case),
        case=case,
        facts="事实",
        terms="条款",
        performance="履行",
        perform_by=timezone.localdate(),
    )
    for side in (Side.APPLICANT, Side.RESPONDENT):
        proceedings.agreement_sign(actor=party(case, side).person, agreement=agreement)
    client.force_login(mediator(case))
    client.post(url("mediation_agreement_sign", community, agreement_id=agreement.pk))
    client.force_login(committee.head)
    client.post(url("mediation_agreement_seal", community, agreement_id=agreement.pk))
    assert Agreement.objects.in_community(community).get().sealed_at is not None
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED
    client.force_login(mediator(case))
    response = client.post(
        url("mediation_follow_up_new", community, case_id=case.pk),
        {"visited_on": timezone.localdate().isoformat(), "performance": "full"},
    )
    assert response.status_code == 302
    assert FollowUp.objects.in_community(community).count() == 1
    other = case_of(community)
    client.force_login(mediator(other))
    response = client.post(
        url("mediation_conclude", community, case_id=other.pk),
        {"outcome": "not_agreed", "referral_advice": ""},
    )
    assert response.status_code == 400
    other.refresh_from_db()
    assert other.status == CaseStatus.ACCEPTED


def test_an_attachment_is_served_decrypted_to_viewers_only(client, community, worker):
    case = case_of(community)
    attachment = proceedings.attachment_add(actor=party(case).person, case=case, file=png())
    link = url("mediation_attachment_file", community, attachment_id=attachment.pk)
    client.force_login(party(case, Side.RESPONDENT).person)
    response = client.get(link)
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Type"] == "image/png"
    for who in (worker, member(community), mediator(case_of(community))):
        client.force_login(who)
        assert client.get(link).status_code == 404


def test_the_applicant_withdraws_from_the_page(client, community):
    case = case_of(community)
    client.force_login(party(case).person)
    client.post(url("mediation_withdraw", community, case_id=case.pk))
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN


def test_the_case_page_shows_the_proceedings_to_a_party(client, community):
    case = case_of(community)
    proceedings.sitting_record(
        actor=mediator(case), case=case, held_at=timezone.now(), place="", notes="第一次笔录"
    )
    client.force_login(party(case).person)
    response = client.get(url("mediation_case", community, case_id=case.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="proceedings"' in body and "第一次笔录" in body
