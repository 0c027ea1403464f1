"""The cases part's pages work without JavaScript: a resident applies on a phone-first form, the
respondent agrees with one button, the head accepts and assigns, a party refuses a mediator, a
worker registers a walk-in and lands on a page that shows nothing of it, the hotline offers
mediation and the reporter refers their ticket."""

from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.feedback import services as hotline
from gongzhi.feedback.models import Status
from gongzhi.mediation.models import Assignment, Case, CaseStatus, Channel, Party, Side
from tests.factories import member
from tests.mediation.world import case_of, committee_of, mediator_of, party

pytestmark = pytest.mark.django_db

SUMMARY = "楼上邻居的狗每天夜里叫。"


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.GONGZHI_STAFF_MFA_REQUIRED = False


@pytest.fixture
def committee(community, worker):
    return committee_of(community, worker)


def client_of(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def url(community, rest=""):
    return f"/c/{community.slug}/mediation/{rest}"


def test_a_resident_applies_and_the_respondent_agrees(community, committee, resident):
    neighbour = member(community)
    page = client_of(resident).get(url(community, "apply/"))
    assert page.status_code == 200 and 'inputmode="tel"' in page.content.decode()
    response = client_of(resident).post(
        url(community, "apply/"),
        {"kind": "pets", "summary": SUMMARY, "respondent_phone": neighbour.phone},
    )
    case = Case.objects.in_community(community).get()
    assert response.status_code == 302 and response["Location"].endswith(f"/cases/{case.pk}/")
    detail = client_of(neighbour).get(url(community, f"cases/{case.pk}/")).content.decode()
    assert SUMMARY in detail and 'id="consent"' in detail
    client_of(neighbour).post(url(community, f"cases/{case.pk}/consent/"))
    assert party(case, Side.RESPONDENT).consented_at is not None
    home = client_of(neighbour).get(url(community)).content.decode()
    assert case.number in home


def test_a_bad_application_shows_the_error_and_saves_nothing(community, committee, resident):
    response = client_of(resident).post(url(community, "apply/"), {"kind": "pets", "summary": ""})
    assert response.status_code == 400
    assert "other side" in response.content.decode()
    assert not Case.objects.in_community(community).exists()


def test_the_unverified_cannot_apply(community, committee, unverified):
    assert client_of(unverified).get(url(community, "apply/")).status_code == 403


def test_a_walk_in_lands_on_a_page_without_its_content(community, committee, worker):
    response = client_of(worker).post(
        url(community, "register/"),
        {
            "kind": "noise",
            "summary": SUMMARY,
            "applicant_phone": "13900005555",
            "applicant_name": "赵大妈",
            "respondent_name": "楼上",
        },
        follow=True,
    )
    text = response.content.decode()
    case = Case.objects.in_community(community).get()
    assert case.channel == Channel.WALK_IN
    assert 'id="registered"' in text
    for secret in (SUMMARY, "赵大妈", case.number, "楼上"):
        assert secret not in text
    assert client_of(worker).get(url(community, f"cases/{case.pk}/")).status_code == 404


def test_the_head_accepts_and_a_party_refuses_a_mediator(community, committee):
    case = case_of(community, status=CaseStatus.APPLIED, mediator=False)
    mediator = mediator_of(community)
    head = client_of(committee.head)
    form = head.get(url(community, f"cases/{case.pk}/accept/"))
    assert form.status_code == 200 and mediator.display_name in form.content.decode()
    head.post(url(community, f"cases/{case.pk}/accept/"), {"mediators": [mediator.pk]})
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assignment = Assignment.objects.in_community(community).get(case=case)
    applicant = party(case).person
    page = client_of(applicant).get(url(community, f"cases/{case.pk}/")).content.decode()
    assert f"assignments/{assignment.pk}/refuse/" in page
    client_of(applicant).post(url(community, f"assignments/{assignment.pk}/refuse/"))
    assignment.refresh_from_db()
    assert assignment.end_reason == "refused"
    assert client_of(mediator).get(url(community, f"cases/{case.pk}/")).status_code == 404
    again = head.post(url(community, f"cases/{case.pk}/mediators/"), {"mediator": mediator.pk})
    assert again.status_code == 400 and "refused" in again.content.decode()


def test_only_the_head_reaches_the_accept_form(community, committee, worker):
    case = case_of(community, status=CaseStatus.APPLIED, mediator=False)
    assert (
        client_of(party(case).person).get(url(community, f"cases/{case.pk}/accept/")).status_code
        == 403
    )
    assert client_of(worker).get(url(community, f"cases/{case.pk}/accept/")).status_code == 404


def test_a_mediator_declines_and_goes_home(community, committee):
    mediator = mediator_of(community)
    case = case_of(community, mediator=mediator)
    assignment = Assignment.objects.in_community(community).get(case=case)
    response = client_of(mediator).post(url(community, f"assignments/{assignment.pk}/decline/"))
    assert response.status_code == 302 and response["Location"] == url(community)


def test_the_head_records_a_company_s_answer(community, committee, resident):
    case = case_of(community, status=CaseStatus.APPLIED, mediator=False)
    company = Party.objects.in_community(community).get(case=case, side=Side.RESPONDENT)
    company.person, company.consented_at, company.name = None, None, "幸福物业"
    company.save()
    page = client_of(committee.head).get(url(community, f"cases/{case.pk}/")).content.decode()
    assert "幸福物业" in page and f'value="{company.pk}"' in page
    client_of(committee.head).post(
        url(community, f"cases/{case.pk}/consent/"), {"party": company.pk}
    )
    company.refresh_from_db()
    assert company.consented_at is not None


def test_the_committee_page(community, committee, worker, resident):
    page = client_of(worker).get(url(community, "committee/"))
    assert page.status_code == 200 and 'id="committee-submit"' in page.content.decode()
    seen = client_of(resident).get(url(community, "committee/")).content.decode()
    assert committee.body.name in seen and "committee-submit" not in seen
    assert client_of(resident).post(url(community, "committee/"), {}).status_code == 403
    new_head = mediator_of(community)
    client_of(worker).post(
        url(community, "committee/"),
        {"body": committee.body_id, "head_phone": new_head.phone, "retention_days": 800},
    )
    committee.refresh_from_db()
    assert committee.head == new_head and committee.retention_days == 800


def test_the_hotline_offers_and_the_reporter_refers(community, committee, worker, resident):
    hotline.categories_install_defaults(community=community)
    ticket = hotline.ticket_file(
        actor=resident, community=community, text=SUMMARY, category="neighbour_dispute"
    )
    ticket_page = f"/c/{community.slug}/hotline/{ticket.number}/"
    staff_view = client_of(worker).get(ticket_page).content.decode()
    assert 'id="mediation-offer"' in staff_view
    client_of(worker).post(url(community, f"tickets/{ticket.number}/offer/"))
    reporter_view = client_of(resident).get(ticket_page).content.decode()
    assert 'id="mediation-refer"' in reporter_view
    refer = url(community, f"tickets/{ticket.number}/refer/")
    assert client_of(worker).get(refer).status_code == 404
    assert client_of(resident).get(refer).status_code == 200
    response = client_of(resident).post(refer, {"kind": "pets", "respondent_name": "楼上"})
    case = Case.objects.in_community(community).get()
    assert response.status_code == 302 and case.channel == Channel.HOTLINE
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    closed_view = client_of(resident).get(ticket_page).content.decode()
    assert "mediation-refer" not in closed_view


def test_the_case_list_filters(community, committee):
    case = case_of(community, mediator=False)
    head = client_of(committee.head)
    assert case.number in head.get(url(community, "cases/")).content.decode()
    assert case.number not in head.get(url(community, "cases/?status=concluded")).content.decode()
