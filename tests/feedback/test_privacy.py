"""What a hotline ticket gives away, and to whom, beyond the permission matrix: the reporters of
merged tickets, notes on a public ticket, exact distances, phone numbers, Open311 on someone's
behalf; and inputs at the edges of the calendar or of XML that must be refused, not crash."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own answers

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.accounts.services import api_token_create
from gongzhi.feedback import services
from gongzhi.feedback.models import Ticket
from gongzhi.notifications.models import Notification
from tests.factories import member

PRIVATE = "我家楼上3单元201每天半夜打狗，狗叫得很惨"


@pytest.fixture
def merged(community, resident, worker, file_ticket, department):
    """A's private report, and B's report of the same dog merged into it."""
    theirs = file_ticket(resident, text=PRIVATE)
    b = member(community)
    mine = file_ticket(b, text="楼上狗半夜一直叫，吵得睡不着")
    services.ticket_merge(actor=worker, ticket=mine, into=theirs)
    return theirs, mine, b


@pytest.mark.django_db
def test_a_merged_reporter_follows_progress_without_reading_the_other_report(
    client, community, worker, merged
):
    theirs, mine, b = merged
    client.force_login(b)
    target = reverse("hotline_ticket", args=[community.slug, theirs.number])
    assert client.get(target).status_code == 404
    api = f"/api/v1/communities/{community.slug}/hotline/tickets"
    assert client.get(f"{api}/{theirs.number}").status_code == 404
    assert theirs.number not in [t["number"] for t in client.get(api).json()["items"]]
    mine_page = client.get(reverse("hotline_mine", args=[community.slug])).content.decode()
    assert PRIVATE[:8] not in mine_page
    # Their own ticket shows the other's progress and, once resolved, the answer.
    services.ticket_accept(actor=worker, ticket=theirs)
    services.ticket_resolve(actor=worker, ticket=theirs, note="已上门劝导，养狗户已道歉")
    own = client.get(reverse("hotline_ticket", args=[community.slug, mine.number]))
    page = own.content.decode()
    assert PRIVATE[:8] not in page and "已上门劝导" in page
    # Their notifications lead to their own ticket, which they can open.
    urls = set(Notification.objects.filter(user=b).values_list("url", flat=True))
    assert urls and all(url.endswith(f"/hotline/{mine.number}/") for url in urls)


@pytest.mark.django_db
def test_visitors_of_a_public_ticket_read_its_steps_and_answer_not_its_notes(
    community, resident, worker, file_ticket
):
    ticket = file_ticket(resident, is_public=True)
    services.ticket_accept(actor=worker, ticket=ticket, note="已电话联系李阿姨13812345678")
    services.ticket_note(actor=worker, ticket=ticket, note="明天上午到3-201查看", public=True)
    services.ticket_resolve(actor=worker, ticket=ticket, note="电梯已修好")
    visitor = Client()
    url = reverse("hotline_ticket", args=[community.slug, ticket.number])
    page = visitor.get(url).content.decode()
    assert "电梯已修好" in page
    assert "13812345678" not in page and "3-201" not in page
    api = visitor.get(f"/api/v1/communities/{community.slug}/hotline/tickets/{ticket.number}")
    notes = [e["note"] for e in api.json()["timeline"]]
    assert "电梯已修好" in notes and not any("1381234" in n or "3-201" in n for n in notes)
    visitor.force_login(resident)  # the reporter reads what was written to them
    page = visitor.get(url).content.decode()
    assert "13812345678" in page and "3-201" in page


@pytest.mark.django_db
def test_the_api_does_not_tell_a_resident_which_phones_are_registered(community, resident):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(resident)
    url = f"/api/v1/communities/{community.slug}/hotline/tickets"
    answers = set()
    for phone in (member(community).phone, "+8613700000000"):
        response = client.post(
            url, {"text": "路灯坏了", "on_behalf_of": phone}, content_type="application/json"
        )
        answers.add((response.status_code, response.json()["code"]))
    assert len(answers) == 1 and answers.pop()[0] == 403
    assert not Ticket.objects.in_community(community).exists()


@pytest.mark.django_db
def test_similar_tickets_give_distances_to_the_hundred_metres(community, resident, file_ticket):
    file_ticket(resident, is_public=True, latitude="39.908700", longitude="116.397500")
    client = Client()
    client.force_login(member(community))
    url = f"/api/v1/communities/{community.slug}/hotline/tickets/similar"
    query = {"text": "3号楼电梯坏了，卡在五楼", "latitude": "39.908800", "longitude": "116.397600"}
    [found] = client.get(url, query).json()
    assert found["distance_m"] % 100 == 0
    bad = client.get(url, {**query, "latitude": "1e400"})
    assert bad.status_code == 422


@pytest.mark.django_db
def test_open311_on_behalf_is_private_unless_asked_and_xml_survives_control_characters(
    community, worker, resident, categories, file_ticket
):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    key = api_token_create(user=worker, name="call centre")[1]
    base = "/open311/v2/"
    created = client.post(
        base + "requests.json",
        {
            "api_key": key,
            "jurisdiction_id": community.slug,
            "service_code": "elderly_services",
            "address_string": "社区服务站",
            "phone": resident.phone,
            "description": "独居老人需要送餐",
        },
    )
    number = json.loads(created.content)[0]["service_request_id"]
    assert not Ticket.objects.in_community(community).get(number=number).is_public
    file_ticket(resident, text="路灯\x1b坏了\x0b很久", is_public=True)
    answer = client.get(base + "requests.xml", {"jurisdiction_id": community.slug})
    assert answer.status_code == 200
    ET.fromstring(answer.content)  # noqa: S314 - our own answer; ill-formed XML raises here
    for name, value in (
        ("end_date", "0001-01-01T00:00:00+00:00"),
        ("start_date", "9999-12-31T00:00:00+00:00"),
    ):
        response = client.get(
            base + "requests.json", {"jurisdiction_id": community.slug, name: value}
        )
        assert response.status_code == 400
        assert json.loads(response.content)[0]["code"] == 400


@pytest.mark.django_db
def test_statistics_refuse_months_outside_the_calendar(community, worker, categories):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(worker)
    url = reverse("hotline_stats", args=[community.slug])
    for first, last in (("0001-01", "0001-12"), ("9999-01", "9999-12")):
        response = client.get(url, {"from": first, "to": last})
        assert response.status_code in (200, 400)
        assert "year-month" in response.content.decode()
        api = client.get(
            f"/api/v1/communities/{community.slug}/hotline/stats", {"from": first, "to": last}
        )
        assert api.status_code in (400, 422)
