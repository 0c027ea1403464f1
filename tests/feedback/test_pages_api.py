"""The hotline's pages and API end to end: filing with photos and the "same problem?" step,
the lists (with query counts), the staff actions, the API's steps, paging and errors."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from gongzhi.accounts.services import api_token_create
from gongzhi.feedback import services
from gongzhi.feedback.models import Follower, Rating, Status, Ticket, TicketPhoto
from tests.factories import member
from tests.feedback.conftest import png

ELEVATOR = "3号楼电梯坏了，卡在五楼不动，老人下不了楼"


def _api(client, method, path, token, body=None):
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(path, **kwargs)


@pytest.mark.django_db
def test_filing_on_the_page_with_a_photo(client, community, resident, categories, building):
    client.force_login(resident)
    url = reverse("hotline_file", args=[community.slug])
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="photos"' in page
    response = client.post(
        url,
        {
            "text": ELEVATOR,
            "building": building.pk,
            "unit": "2单元",
            "contact": "phone",
            "is_public": "on",
            "photos": [png()],
        },
    )
    ticket = Ticket.objects.in_community(community).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hotline_ticket", args=[community.slug, ticket.number])
    assert ticket.building == building and ticket.unit == "2单元" and ticket.is_public
    assert ticket.contact == "phone"
    photo = TicketPhoto.objects.in_community(community).get()
    image = client.get(reverse("hotline_photo", args=[community.slug, ticket.number, photo.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    client.logout()
    # Others never get the photo, even of a public ticket.
    hidden = client.get(reverse("hotline_photo", args=[community.slug, ticket.number, photo.pk]))
    assert hidden.status_code == 404


@pytest.mark.django_db
def test_bad_input_on_the_page_shows_the_error_and_saves_nothing(
    client, community, resident, categories
):
    client.force_login(resident)
    url = reverse("hotline_file", args=[community.slug])
    for data in (
        {"text": "", "contact": "in_app"},
        {"text": "漏" * 2001, "contact": "in_app"},
        {"text": ELEVATOR, "contact": "in_app", "category": "weather"},
        {"text": ELEVATOR, "contact": "in_app", "photos": [png("x.gif")], "category": "nope"},
    ):
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        url,
        {
            "text": ELEVATOR,
            "contact": "in_app",
            "photos": [SimpleUploadedFile("a.pdf", b"%PDF-1.4")],
        },
    )
    assert "a.pdf" in response.content.decode()
    assert Ticket.objects.in_community(community).count() == 0


@pytest.mark.django_db
def test_the_same_problem_is_offered_and_followed_instead_of_filed(
    client, community, resident, categories, building
):
    first = services.ticket_file(
        actor=resident, community=community, text=ELEVATOR, building=building, is_public=True
    )
    neighbour = member(community)
    client.force_login(neighbour)
    url = reverse("hotline_file", args=[community.slug])
    data = {"text": "3号楼的电梯又坏了，卡在五楼", "building": building.pk, "contact": "in_app"}
    offer = client.post(url, data)
    page = offer.content.decode()
    assert offer.status_code == 200 and 'id="similar"' in page and first.reference in page
    assert 'name="file_anyway" value="True"' in page or 'name="file_anyway"' in page
    assert Ticket.objects.in_community(community).count() == 1
    follow = client.post(reverse("hotline_follow", args=[community.slug, first.number]))
    assert follow.status_code == 302
    assert Follower.objects.in_community(community).filter(ticket=first, user=neighbour).exists()
    # Or, not the same: the second submission files it.
    filed = client.post(url, {**data, "file_anyway": "on"})
    assert filed.status_code == 302 and Ticket.objects.in_community(community).count() == 2


@pytest.mark.django_db
def test_a_private_ticket_is_not_offered_to_another_resident_but_to_staff(
    community, resident, worker, categories, building
):
    from gongzhi.feedback import selectors

    services.ticket_file(actor=resident, community=community, text=ELEVATOR, building=building)
    text = "3号楼的电梯又坏了，卡在五楼"
    offered = selectors.similar_tickets(
        community=community, text=text, building=building, public_only=True
    )
    assert offered == []
    staff = selectors.similar_tickets(community=community, text=text, building=building)
    assert [s.ticket.text for s in staff] == [ELEVATOR]


@pytest.mark.django_db
def test_staff_pages_triage_override_assign_and_the_handler_resolves(
    client, community, resident, worker, handler, department, categories
):
    ticket = services.ticket_file(actor=resident, community=community, text="您好，想问一下")
    client.force_login(worker)
    triage = client.get(reverse("hotline_queue", args=[community.slug]) + "?q=triage")
    assert ticket.reference in triage.content.decode()
    one = [community.slug, ticket.number]
    response = client.post(
        reverse("hotline_recategorise", args=one), {"category": categories["elevator"].pk}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("hotline_assign", args=one), {"department": department.pk, "assignee": handler.pk}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.category.code == "elevator" and ticket.assignee == handler
    triage = client.get(reverse("hotline_queue", args=[community.slug]) + "?q=triage")
    assert ticket.reference not in triage.content.decode()
    client.force_login(handler)
    mine = client.get(reverse("hotline_queue", args=[community.slug]) + "?q=mine")
    assert ticket.reference in mine.content.decode()
    client.post(reverse("hotline_accept", args=one))
    client.post(reverse("hotline_start", args=one), {"note": ""})
    client.post(reverse("hotline_resolve", args=one), {"note": "已修好"})
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.resolution == "已修好"
    client.force_login(resident)
    page = client.get(reverse("hotline_ticket", args=one)).content.decode()
    assert 'id="rate-submit"' in page
    client.post(reverse("hotline_rate", args=one), {"solved": "yes", "satisfaction": "4"})
    rating = Rating.objects.in_community(community).get()
    assert rating.solved and rating.satisfaction == 4
    # A bad rating shows an error and changes nothing.
    again = client.post(reverse("hotline_rate", args=one), {"solved": "yes", "satisfaction": "9"})
    assert again.status_code in (302, 403)
    assert Rating.objects.in_community(community).count() == 1


@pytest.mark.django_db
def test_lists_have_a_bounded_number_of_queries(
    client, community, resident, worker, categories, building, django_assert_max_num_queries
):
    for i in range(25):
        services.ticket_file(
            actor=member(community),
            community=community,
            text=f"{i}号路灯不亮了",
            building=building,
            is_public=True,
        )
    client.force_login(worker)
    for name, query in (("hotline_public", ""), ("hotline_queue", "?q=open")):
        with django_assert_max_num_queries(14):
            response = client.get(reverse(name, args=[community.slug]) + query)
        assert response.content.decode().count('class="card-title"') == 20
    with django_assert_max_num_queries(12):
        response = client.get(f"/api/v1/communities/{community.slug}/hotline/tickets?limit=20")
    assert len(response.json()["items"]) == 20 and response.json()["count"] == 25


@pytest.mark.django_db
def test_the_api_files_moves_and_rates_a_ticket(
    client, community, resident, handler, worker, categories
):
    base = f"/api/v1/communities/{community.slug}/hotline"
    _t, resident_token = api_token_create(user=resident, name="t")
    _t, handler_token = api_token_create(user=handler, name="t")
    categories_out = client.get(base + "/categories").json()
    assert {c["code"] for c in categories_out} == set(services.DEFAULT_CATEGORIES)
    filed = _api(client, "post", base + "/tickets", resident_token, {"text": ELEVATOR})
    assert filed.status_code == 201
    body = filed.json()
    number = body["number"]
    assert body["category"] == "elevator" and body["details"]["confidence"] > 0.3
    one = f"{base}/tickets/{number}"
    assert _api(client, "post", one + "/accept", resident_token, {}).status_code == 403
    assert _api(client, "post", one + "/accept", handler_token, {}).json()["status"] == "accepted"
    assert _api(client, "post", one + "/start", handler_token, {}).json()["status"] == "in_progress"
    resolved = _api(client, "post", one + "/resolve", handler_token, {"note": "已修好"})
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolution"] == "已修好"
    bad = _api(client, "post", one + "/rating", resident_token, {"solved": True, "satisfaction": 7})
    assert bad.status_code == 400 and bad.json()["code"] == "satisfaction"
    rated = _api(
        client, "post", one + "/rating", resident_token, {"solved": True, "satisfaction": 5}
    )
    assert rated.status_code == 201
    detail = _api(client, "get", one, resident_token).json()
    assert detail["status"] == "closed" and detail["rating"] == {"solved": True, "satisfaction": 5}
    assert [e["kind"] for e in detail["timeline"]][-1] == "rated"
    again = _api(
        client, "post", one + "/rating", resident_token, {"solved": True, "satisfaction": 5}
    )
    assert again.status_code in (400, 403)


@pytest.mark.django_db
def test_api_bad_input_is_a_clear_error_and_saves_nothing(client, community, resident, categories):
    base = f"/api/v1/communities/{community.slug}/hotline/tickets"
    _t, token = api_token_create(user=resident, name="t")
    cases = [
        ({"text": ""}, "empty"),
        ({"text": "漏" * 2001}, "too_long"),
        ({"text": ELEVATOR, "category": "weather"}, "unknown_category"),
        ({"text": ELEVATOR, "building": "99号楼"}, "unknown_building"),
        ({"text": ELEVATOR, "latitude": 200, "longitude": 10}, "point"),
    ]
    for body, code in cases:
        response = _api(client, "post", base, token, body)
        assert response.status_code == 400, body
        assert response.json()["code"] == code and response.json()["message"]
    assert _api(client, "post", base, None, {"text": ELEVATOR}).status_code == 401
    assert Ticket.objects.in_community(community).count() == 0


@pytest.mark.django_db
def test_api_similar_and_merge(client, community, resident, worker, categories, building):
    first = services.ticket_file(
        actor=resident, community=community, text=ELEVATOR, building=building, is_public=True
    )
    second = services.ticket_file(
        actor=member(community),
        community=community,
        text="3号楼电梯坏了卡在五楼",
        building=building,
    )
    _t, token = api_token_create(user=worker, name="t")
    base = f"/api/v1/communities/{community.slug}/hotline/tickets"
    found = _api(
        client, "get", f"{base}/similar?text=3号楼的电梯坏了&building={building.name}", token
    )
    assert {s["number"] for s in found.json()} == {first.number, second.number}
    merged = _api(client, "post", f"{base}/{second.number}/merge", token, {"into": first.number})
    assert merged.json()["duplicate_of"] == first.number and merged.json()["status"] == "closed"
    missing = _api(client, "post", f"{base}/{second.number}/merge", token, {"into": 999})
    assert missing.status_code == 400 and missing.json()["code"] == "merge_target"


@pytest.mark.django_db
def test_a_worker_files_for_a_resident_on_the_page(client, community, resident, worker, categories):
    client.force_login(worker)
    response = client.post(
        reverse("hotline_file", args=[community.slug]),
        {"text": ELEVATOR, "contact": "phone", "for-phone": resident.phone},
    )
    assert response.status_code == 302
    ticket = Ticket.objects.in_community(community).get()
    assert ticket.reporter == resident and ticket.filed_by == worker


@pytest.mark.django_db
def test_the_community_home_links_the_hotline(client, community, resident):
    client.force_login(resident)
    page = client.get(reverse("community_home", args=[community.slug])).content.decode()
    assert reverse("hotline_home", args=[community.slug]) in page


@pytest.mark.django_db
def test_the_triage_queue_sets_a_category_in_one_step(
    client, community, resident, worker, categories
):
    ticket = services.ticket_file(actor=resident, community=community, text="您好，想问一下")
    client.force_login(worker)
    page = client.get(
        reverse("hotline_queue", args=[community.slug]) + "?q=triage"
    ).content.decode()
    assert f'id="cat-{ticket.number}"' in page
    client.post(
        reverse("hotline_recategorise", args=[community.slug, ticket.number]),
        {"category": categories["suggestion"].pk},
    )
    ticket.refresh_from_db()
    assert ticket.category.code == "suggestion" and ticket.routing == "overridden"


@pytest.mark.django_db
def test_hotline_setup_command_installs_defaults(community):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("hotline_setup", community.slug, stdout=out)
    call_command("hotline_setup", community.slug, stdout=out)
    assert (
        out.getvalue().count(f"{community.slug}: {len(services.DEFAULT_CATEGORIES)} categories")
        == 2
    )


@pytest.mark.django_db
def test_staff_set_up_categories_departments_and_handlers(
    client, community, resident, worker, categories
):
    url = reverse("hotline_settings", args=[community.slug])
    client.force_login(resident)
    assert client.get(url).status_code == 404
    client.force_login(worker)
    assert "elevator" in client.get(url).content.decode()
    client.post(url, {"what": "department", "name": "绿化队"})
    client.post(
        url,
        {
            "what": "handler",
            "department": _department(community, "绿化队").pk,
            "phone": resident.phone,
        },
    )
    from gongzhi.feedback.models import Category, Handler

    assert Handler.objects.in_community(community).get().user == resident
    client.post(
        url,
        {
            "what": "category",
            "code": "street_vendors",
            "name": "占道经营",
            "keywords": "摆摊 小贩",
            "respond_within_hours": "12",
            "resolve_within_days": "3",
            "department": _department(community, "绿化队").pk,
            "active": "on",
        },
    )
    made = Category.objects.in_community(community).get(code="street_vendors")
    assert made.respond_within_hours == 12 and made.department.name == "绿化队"
    # The same code again is refused with a message, nothing added.
    response = client.post(
        url,
        {
            "what": "category",
            "code": "street_vendors",
            "name": "x",
            "respond_within_hours": "1",
            "resolve_within_days": "1",
        },
        follow=True,
    )
    assert "street_vendors" in response.content.decode()
    assert Category.objects.in_community(community).filter(code="street_vendors").count() == 1
    edit = reverse("hotline_category_edit", args=[community.slug, "elevator"])
    client.post(
        edit,
        {
            "code": "hacked",
            "name": "电梯故障",
            "respond_within_hours": "2",
            "resolve_within_days": "1",
            "active": "on",
        },
    )
    elevator = Category.objects.in_community(community).get(pk=categories["elevator"].pk)
    assert elevator.code == "elevator" and elevator.respond_within_hours == 2
    bad = client.post(
        edit, {"name": "电梯", "respond_within_hours": "0", "resolve_within_days": "1"}
    )
    assert bad.status_code == 200
    elevator.refresh_from_db()
    assert elevator.respond_within_hours == 2
    client.post(
        url,
        {
            "what": "remove_handler",
            "department": _department(community, "绿化队").pk,
            "phone": resident.phone,
        },
    )
    assert not Handler.objects.in_community(community).exists()


def _department(community, name):
    from gongzhi.feedback.models import Department

    return Department.objects.in_community(community).get(name=name)


@pytest.mark.django_db
def test_the_api_adds_photos_to_an_open_ticket(client, community, resident, categories):
    _t, token = api_token_create(user=resident, name="t")
    _t, other_token = api_token_create(user=member(community), name="t")
    ticket = services.ticket_file(
        actor=resident, community=community, text=ELEVATOR, is_public=True
    )
    url = f"/api/v1/communities/{community.slug}/hotline/tickets/{ticket.number}/photos"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = client.post(url, {"files": [png("a.png"), png("b.png")]}, **auth)
    assert response.status_code == 201 and len(response.json()) == 2
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(url, {"files": [png("c.png"), SimpleUploadedFile("x.txt", b"hi")]}, **auth)
    assert bad.status_code == 400 and bad.json()["code"] == "upload_type"
    too_many = client.post(url, {"files": [png(f"{i}.png") for i in range(4)]}, **auth)
    assert too_many.status_code == 400 and too_many.json()["code"] == "too_many_files"
    other = client.post(url, {"files": [png()]}, HTTP_AUTHORIZATION=f"Bearer {other_token}")
    assert other.status_code == 403
    assert TicketPhoto.objects.in_community(community).count() == 2


@pytest.mark.django_db
def test_ticket_page_query_count(
    client, community, resident, worker, categories, building, django_assert_max_num_queries
):
    ticket = services.ticket_file(
        actor=resident, community=community, text=ELEVATOR, building=building, is_public=True
    )
    for i in range(5):
        services.ticket_file(
            actor=member(community),
            community=community,
            text=f"3号楼电梯坏了{i}",
            building=building,
        )
    client.force_login(worker)
    url = reverse("hotline_ticket", args=[community.slug, ticket.number])
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    # Staff see the look-alike open tickets in the same building as merge suggestions.
    assert page.count('<input type="hidden" name="into" value="') == 5
