"""Meetings pages and API: the list shows public meetings to everyone and closed ones only to
the body's members and staff; the meeting page carries registration and each part's section;
the staff forms schedule (a series too), refuse an overlap with a translated error and save
nothing; residents register from the page; the home tile, the console link, the body page's
link; the API lists, shows, schedules and registers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.accounts.services import api_token_create
from gongzhi.meetings import services
from gongzhi.meetings.models import Meeting, Registration
from tests.factories import member
from tests.meetings.world import meeting_of, seated_council

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.force_login(user)
    return client


def api(user, method, path, body=None):
    token = api_token_create(user=user, name="t")[1]
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "POST":
        return client.post(path, body or {}, content_type="application/json", **headers)
    return client.get(path, **headers)


@pytest.fixture
def council(community, worker):
    return seated_council(community, worker)


@pytest.fixture
def meetings(council, worker):
    body, _people = council
    public = meeting_of(body, worker, title="公开议事会", capacity=2)
    closed = meeting_of(
        body, worker, title="闭门预备会", public=False, starts_in=timedelta(days=20)
    )
    past = meeting_of(body, worker, title="上月例会", starts_in=timedelta(days=-30))
    return public, closed, past


def test_everyone_sees_public_meetings_members_of_the_body_the_closed_ones_too(
    community, council, meetings, resident
):
    body, people = council
    public, closed, past = meetings
    url = reverse("meeting_list", args=[community.slug])
    for viewer in (None, resident):
        page = client_for(viewer).get(url).content.decode()
        assert "公开议事会" in page and "上月例会" in page and "闭门预备会" not in page
        closed_url = reverse("meeting_detail", args=[community.slug, closed.pk])
        assert client_for(viewer).get(closed_url).status_code == 404
    page = client_for(people[0]).get(url).content.decode()
    assert "闭门预备会" in page
    assert page.index("公开议事会") < page.index("闭门预备会") < page.index("上月例会")
    filtered = client_for(None).get(url, {"kind": "hearing"}).content.decode()
    assert "公开议事会" not in filtered


def test_the_meeting_page_has_its_facts_and_a_resident_registers_then_waits(
    community, council, meetings
):
    public, _closed, _past = meetings
    url = reverse("meeting_detail", args=[community.slug, public.pk])
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 200
    text = anonymous.content.decode()
    assert "社区活动室" in text and "议事会" in text
    residents = [member(community) for _ in range(3)]
    register = reverse("meeting_register", args=[community.slug, public.pk])
    for resident in residents:
        assert client_for(resident).post(register).status_code == 302
    statuses = list(
        Registration.objects.in_community(community)
        .order_by("created_at", "pk")
        .values_list("status", flat=True)
    )
    assert statuses == ["registered", "registered", "waitlisted"]
    page = client_for(residents[2]).get(url).content.decode()
    assert gettext("You are on the waiting list.") in page
    assert gettext("Give up my place") in page


def test_a_worker_schedules_a_series_through_the_form(community, council, worker):
    body, _people = council
    client = client_for(worker)
    url = reverse("meeting_create", args=[community.slug])
    assert client.get(url).status_code == 200
    day = timezone.localdate() + timedelta(days=5)
    form = {
        "body": body.pk,
        "kind": "ordinary",
        "title": "月度议事会",
        "starts_at": f"{day:%Y-%m-%d}T19:00",
        "ends_at": f"{day:%Y-%m-%d}T21:00",
        "rrule": "FREQ=MONTHLY;COUNT=3",
        "place": "党群服务中心",
        "public": "on",
        "capacity": "20",
    }
    done = client.post(url, form)
    assert done.status_code == 302
    made = Meeting.objects.in_community(community).order_by("starts_at")
    assert made.count() == 3 and made[0].series_id is not None and made[0].capacity == 20
    again = client.post(url, {**form, "rrule": ""})
    assert again.status_code == 400
    message = gettext("%(body)s already meets then: “%(title)s” on %(when)s.") % {
        "body": body.name,
        "title": "月度议事会",
        "when": f"{day:%Y-%m-%d} 19:00",
    }
    assert message in again.content.decode()
    assert made.count() == 3


def test_staff_open_close_and_cancel_from_the_page_residents_reach_no_form(
    community, council, worker, resident
):
    body, _people = council
    meeting = meeting_of(body, worker, starts_in=timedelta(minutes=-10))
    for name in ("meeting_edit", "meeting_cancel", "meeting_invite", "meeting_second_sitting"):
        url = reverse(name, args=[community.slug, meeting.pk])
        assert client_for(resident).get(url).status_code == 403
    staff = client_for(worker)
    assert staff.post(reverse("meeting_open", args=[community.slug, meeting.pk])).status_code == 302
    page = staff.get(reverse("meeting_detail", args=[community.slug, meeting.pk])).content.decode()
    assert gettext("Close the meeting") in page
    staff.post(reverse("meeting_close", args=[community.slug, meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == "closed"
    later = meeting_of(body, worker, starts_in=timedelta(days=3))
    cancel = reverse("meeting_cancel", args=[community.slug, later.pk])
    assert staff.post(cancel, {"reason": "台风预警"}).status_code == 302
    later.refresh_from_db()
    assert later.status == "cancelled"
    page = client_for(None).get(reverse("meeting_detail", args=[community.slug, later.pk]))
    assert "台风预警" in page.content.decode()


def test_home_tile_console_link_and_the_body_page_link(community, council, meetings, worker):
    body, _people = council
    home = client_for(worker).get(reverse("community_home", args=[community.slug]))
    text = home.content.decode()
    assert gettext("Next public meetings") in text and "公开议事会" in text
    assert "闭门预备会" not in text
    assert reverse("meeting_list", args=[community.slug]) in text
    body_page = client_for(worker).get(reverse("body_detail", args=[community.slug, body.pk]))
    assert f"{reverse('meeting_list', args=[community.slug])}?body={body.pk}" in (
        body_page.content.decode()
    )


def test_the_api_lists_shows_schedules_and_registers(community, council, meetings, worker):
    body, people = council
    public, closed, _past = meetings
    base = f"/api/v1/communities/{community.slug}/meetings"
    listed = Client().get(base).json()
    assert [m["title"] for m in listed] == ["公开议事会"]
    assert [m["title"] for m in Client().get(base + "?when=past").json()] == ["上月例会"]
    assert Client().get(f"{base}/{closed.pk}").status_code == 404
    assert api(people[0], "GET", f"{base}/{closed.pk}").json()["public"] is False
    start = timezone.now().replace(microsecond=0) + timedelta(days=40)
    body_json = {
        "body": body.pk,
        "title": "听证会",
        "kind": "hearing",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
    }
    made = api(worker, "POST", base, body_json)
    assert made.status_code == 201 and made.json()["kind"] == "hearing"
    clash = api(worker, "POST", base, body_json)
    assert clash.status_code == 400 and clash.json()["code"] == "meeting_overlaps"
    resident = member(community)
    registered = api(resident, "POST", f"{base}/{public.pk}/registrations", {})
    assert registered.status_code == 201 and registered.json()["status"] == "registered"
    detail = api(resident, "GET", f"{base}/{public.pk}").json()
    assert detail["seats"] == {"capacity": 2, "registered": 1, "waiting": 0, "mine": "registered"}
    someone = member(community)
    refused = api(resident, "POST", f"{base}/{public.pk}/registrations", {"phone": someone.phone})
    assert refused.status_code == 403


def test_the_list_and_the_api_list_take_a_fixed_number_of_queries(
    community, council, worker, django_assert_max_num_queries
):
    """As many queries for 3 meetings as for 15 (none per meeting), for a visitor and a member."""
    body, people = council
    url = reverse("meeting_list", args=[community.slug])

    def queries(viewer) -> int:
        client = client_for(viewer)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for number in range(3):
        meeting_of(body, worker, starts_in=timedelta(days=number + 1), title=f"会议{number}")
    few = [queries(None), queries(people[0])]
    for number in range(3, 15):
        meeting_of(body, worker, starts_in=timedelta(days=number + 1), title=f"会议{number}")
    assert [queries(None), queries(people[0])] == few
    with django_assert_max_num_queries(4):
        listed = Client().get(f"/api/v1/communities/{community.slug}/meetings")
    assert len(listed.json()) == 15


def test_staff_move_a_meeting_and_cancel_a_series_through_the_forms(community, council, worker):
    body, _people = council
    client = client_for(worker)
    first = services.meeting_create(
        actor=worker,
        body=body,
        kind="ordinary",
        title="双周议事会",
        starts_at=timezone.now().replace(microsecond=0) + timedelta(days=3),
        ends_at=timezone.now().replace(microsecond=0) + timedelta(days=3, hours=2),
        rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=3",
    )
    edit = reverse("meeting_edit", args=[community.slug, first.pk])
    assert client.get(edit).status_code == 200
    day = timezone.localdate() + timedelta(days=4)
    moved = client.post(
        edit,
        {
            "title": "双周议事会",
            "starts_at": f"{day:%Y-%m-%d}T09:00",
            "ends_at": f"{day:%Y-%m-%d}T10:30",
            "place": "二楼会议室",
        },
    )
    assert moved.status_code == 302
    first.refresh_from_db()
    assert timezone.localtime(first.starts_at).hour == 9 and first.place == "二楼会议室"
    assert first.sequence == 1 and first.recurrence_id != first.starts_at
    page = client.get(reverse("meeting_detail", args=[community.slug, first.pk])).content.decode()
    assert gettext("Cancel the whole series") in page
    cancel = reverse("meeting_series_cancel", args=[community.slug, first.pk])
    assert client.post(cancel, {"reason": "换届选举"}).status_code == 302
    statuses = set(Meeting.objects.in_community(community).values_list("status", flat=True))
    assert statuses == {"cancelled"}


def test_the_console_links_the_meetings_for_staff_only(community, worker, resident):
    from gongzhi.core.home import console_links

    url = reverse("meeting_list", args=[community.slug])
    assert url in [entry.url for entry in console_links(community=community, user=worker)]
    assert url not in [entry.url for entry in console_links(community=community, user=resident)]
