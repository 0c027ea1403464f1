"""代办 lookups by phone number answer alike for a number no one registered and a number of
someone who is not a member of the community: a community worker cannot use them to learn
whether a phone is registered. On the page, in the API and in Open311."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.accounts.services import api_token_create
from gongzhi.feedback import services as hotline
from gongzhi.feedback.models import Ticket
from tests.factories import CommunityFactory, UserFactory, member

TEXT = "3号楼电梯坏了，卡在五楼不动，老人下不了楼"
UNREGISTERED = "13000000999"


@pytest.fixture
def phones(db):
    """A registered number of someone who lives elsewhere, and a number no one has."""
    elsewhere = member(CommunityFactory())
    UserFactory()  # someone with no community at all
    return {"not_member": elsewhere.phone.removeprefix("+86"), "unknown": UNREGISTERED}


@pytest.fixture
def categories(community):
    return hotline.categories_install_defaults(community=community)


def _errors(page: str) -> list[str]:
    return re.findall(r'<div class="errors" role="alert">(.*?)</div>', page, re.S)


@pytest.mark.django_db
def test_the_filing_page_answers_alike(client, community, worker, phones, categories):
    client.force_login(worker)
    answers = []
    for phone in phones.values():
        response = client.post(
            reverse("hotline_file", args=[community.slug]),
            {"text": TEXT, "contact": "phone", "for-phone": phone},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        answers.append((response.status_code, _errors(response.content.decode())))
    assert answers[0] == answers[1]
    assert "No member of this community has this phone number." in answers[0][1][0]
    assert Ticket.objects.all_communities().count() == 0


@pytest.mark.django_db
def test_the_api_answers_alike(client, community, worker, phones, categories):
    token = api_token_create(user=worker, name="office")[1]
    answers = []
    for phone in phones.values():
        response = client.post(
            f"/api/v1/communities/{community.slug}/hotline/tickets",
            data=json.dumps({"text": TEXT, "on_behalf_of": phone}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1]
    assert answers[0] == (
        400,
        {"code": "not_member", "message": "No member of this community has this phone number."},
    )
    assert Ticket.objects.all_communities().count() == 0


@pytest.mark.django_db
def test_open311_answers_alike(community, worker, phones, categories):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    key = api_token_create(user=worker, name="call centre")[1]
    answers = []
    for phone in phones.values():
        response = client.post(
            "/open311/v2/requests.json",
            {
                "api_key": key,
                "jurisdiction_id": community.slug,
                "service_code": "noise",
                "lat": "31",
                "long": "121",
                "phone": phone,
            },
        )
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 400
    assert answers[0][1][0]["description"] == "No member of this community has this phone number."
    assert Ticket.objects.all_communities().count() == 0


@pytest.mark.django_db
def test_a_member_is_still_found(client, community, worker, resident, categories):
    token = api_token_create(user=worker, name="office")[1]
    response = client.post(
        f"/api/v1/communities/{community.slug}/hotline/tickets",
        data=json.dumps({"text": TEXT, "on_behalf_of": resident.phone}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201
    assert Ticket.objects.in_community(community).get().reporter == resident


@pytest.mark.django_db
def test_adding_a_handler_answers_alike(client, community, worker, phones, categories):
    department = hotline.department_create(actor=worker, community=community, name="物业")
    client.force_login(worker)
    answers = []
    for phone in phones.values():
        response = client.post(
            reverse("hotline_settings", args=[community.slug]),
            {"what": "handler", "department": department.pk, "phone": phone},
            HTTP_ACCEPT_LANGUAGE="en",
            follow=True,
        )
        answers.append([str(m) for m in response.context["messages"]])
    assert answers[0] == answers[1] == ["No member of this community has this phone number."]


@pytest.mark.django_db
def test_assigning_by_phone_answers_alike(client, community, worker, resident, phones, categories):
    ticket = hotline.ticket_file(actor=resident, community=community, text=TEXT)
    token = api_token_create(user=worker, name="office")[1]
    answers = []
    for phone in phones.values():
        response = client.post(
            f"/api/v1/communities/{community.slug}/hotline/tickets/{ticket.number}/assign",
            data=json.dumps({"assignee": phone}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1]
    assert answers[0][1]["code"] == "not_member"
