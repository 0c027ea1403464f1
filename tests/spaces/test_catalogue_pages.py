"""The catalogue's pages and API: the catalogue, a space's page (accessibility in words, the rules,
the hours, the link to the week), a worker's form, opening and closing, "my bookings", and the
calendar feeds (a space's busy blocks with no names; mine at a secret address)."""

from __future__ import annotations

import html
import json
from datetime import timedelta
from decimal import Decimal

import icalendar
import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from gongzhi.accounts.services import api_token_create
from gongzhi.core import ical
from gongzhi.core.models import Activity
from gongzhi.spaces.models import Space, SpaceStatus
from tests.api_world import png
from tests.factories import member
from tests.spaces.world import at, booking_of, space_of

pytestmark = pytest.mark.django_db


def _url(name, community, **kwargs):
    return reverse(name, kwargs={"slug": community.slug, **kwargs})


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    return response, response.content.decode()


def api(user, method, path, body=None):
    extra = {}
    if user is not None:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {api_token_create(user=user, name='t')[1]}"
    return Client().generic(
        method,
        f"/api/v1/communities/{path}",
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        **extra,
    )


# --- pages -------------------------------------------------------------------------------------


def test_the_catalogue_shows_open_spaces_with_access_and_hides_drafts(client, community, resident):
    space_of(community, name="阳光活动室", step_free=True)
    space_of(community, name="筹备中的房间", status=SpaceStatus.DRAFT)
    response, text = _page(client, resident, _url("spaces_home", community))
    assert response.status_code == 200
    assert "阳光活动室" in text and "筹备中的房间" not in text
    assert 'data-access="step_free"' in text
    assert gettext("New space") not in text


def test_the_catalogue_is_for_members(client, community, outsider):
    space_of(community)
    response, _text = _page(client, outsider, _url("spaces_home", community))
    assert response.status_code == 404


def test_a_space_page_says_access_rules_and_manager_in_words(client, community, resident):
    space = space_of(
        community, lift=True, fee=Decimal("15.00"), needs_approval=True, equipment="投影仪"
    )
    response, text = _page(client, resident, _url("spaces_space", community, space_id=space.pk))
    assert response.status_code == 200
    access = {item["key"]: item["has"] for item in response.context["access"]}
    assert access == {"lift": True, "step_free": False, "accessible_toilet": False}
    assert gettext("lift") in text and gettext("steps at the entrance") in text
    assert gettext("no accessible toilet") in text
    assert "15.00" in text and "投影仪" in text
    assert gettext("the community's workers") in html.unescape(text)
    assert gettext("Change the space and its rules") not in text
    try:
        week = _url("spaces_week", community, space_id=space.pk)
    except NoReverseMatch:  # the booking part has not landed
        return
    assert week in text


def test_a_draft_space_is_404_for_residents_and_shown_to_workers(
    client, community, resident, worker
):
    space = space_of(community, status=SpaceStatus.DRAFT)
    url = _url("spaces_space", community, space_id=space.pk)
    assert _page(client, resident, url)[0].status_code == 404
    response, text = _page(client, worker, url)
    assert response.status_code == 200
    assert gettext("Open it for booking") in text


def test_a_worker_sets_up_a_space_with_a_photo_and_opens_it(
    client, community, worker, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(worker)
    response = client.post(
        _url("spaces_create", community),
        {
            "name": "屋顶花园",
            "kind": "garden",
            "capacity": 25,
            "seats": 1,
            "residents": "all",
            "organisations": "on",
            "slot_minutes": 30,
            "max_minutes": 120,
            "advance_days": 14,
            "buffer_minutes": 0,
            "quota": 0,
            "quota_period": "week",
            "hold_hours": 48,
            "fee": "0",
            "no_show_minutes": 15,
            "no_show_limit": 3,
            "step_free": "on",
            "new_photo": png(),
        },
    )
    space = Space.objects.in_community(community).get(name="屋顶花园")
    assert response.status_code == 302
    assert response["Location"] == _url("spaces_space", community, space_id=space.pk)
    assert space.status == SpaceStatus.DRAFT and space.step_free and space.photo
    photo = client.get(_url("spaces_photo", community, space_id=space.pk))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    client.post(_url("spaces_open", community, space_id=space.pk))
    space.refresh_from_db()
    assert space.status == SpaceStatus.OPEN
    client.post(_url("spaces_close", community, space_id=space.pk), {"reason": "维修"})
    space.refresh_from_db()
    assert space.status == SpaceStatus.CLOSED
    verbs = set(Activity.objects.in_community(community).values_list("verb", flat=True))
    assert {"space.created", "space.opened", "space.closed"} <= verbs


def test_the_form_shows_the_services_error_and_saves_nothing(client, community, worker):
    space_of(community, name="活动室")
    client.force_login(worker)
    response = client.post(
        _url("spaces_create", community),
        {
            "name": "活动室",
            "kind": "room",
            "capacity": 10,
            "seats": 1,
            "residents": "verified",
            "slot_minutes": 30,
            "max_minutes": 120,
            "advance_days": 14,
            "buffer_minutes": 0,
            "quota": 0,
            "quota_period": "week",
            "hold_hours": 48,
            "fee": "0",
            "no_show_minutes": 15,
            "no_show_limit": 3,
        },
    )
    assert response.status_code == 200
    assert gettext("Another space of this community has this name.") in response.content.decode()
    assert Space.objects.in_community(community).count() == 1


def test_residents_cannot_reach_the_workers_pages(client, community, resident):
    space = space_of(community)
    client.force_login(resident)
    assert client.get(_url("spaces_create", community)).status_code == 404
    assert client.get(_url("spaces_edit", community, space_id=space.pk)).status_code == 404
    assert client.post(_url("spaces_close", community, space_id=space.pk)).status_code == 404
    space.refresh_from_db()
    assert space.status == SpaceStatus.OPEN


def test_the_edit_form_changes_the_rules(client, community, worker):
    space = space_of(community)
    response, text = _page(client, worker, _url("spaces_edit", community, space_id=space.pk))
    assert response.status_code == 200 and space.name in text
    form = response.context["form"]
    data = {
        name: value for name, value in form.initial.items() if value is not None and value != ""
    }
    data.update({"max_minutes": 60, "needs_approval": "on", "hours_text": ""})
    for flag in ("step_free", "lift", "accessible_toilet", "organisations", "partners"):
        if data.get(flag) is False:
            data.pop(flag)
        elif data.get(flag) is True:
            data[flag] = "on"
    for flag in ("series_allowed",):
        data[flag] = "on" if data.get(flag) else ""
    response = client.post(_url("spaces_edit", community, space_id=space.pk), data)
    assert response.status_code == 302, response.context["form"].errors
    space.refresh_from_db()
    assert space.max_minutes == 60 and space.needs_approval


def test_my_bookings_upcoming_and_past_with_status(client, community, resident):
    space = space_of(community, name="棋牌室")
    booking_of(space, resident, at(days=2), purpose="下象棋")
    booking_of(space, resident, at(days=-3), purpose="打桥牌")
    booking_of(space, member(community), at(days=2, hour=15), purpose="别人的")
    response, text = _page(client, resident, _url("spaces_mine", community))
    assert response.status_code == 200
    assert [row["booking"].purpose for row in response.context["upcoming"]] == ["下象棋"]
    assert [row["booking"].purpose for row in response.context["past"]] == ["打桥牌"]
    assert "别人的" not in text
    assert 'data-status="confirmed"' in text
    try:
        cancel = _url(
            "spaces_cancel", community, booking_id=response.context["upcoming"][0]["booking"].pk
        )
    except NoReverseMatch:  # the booking part has not landed
        return
    assert cancel in text
    assert response.context["past"][0]["cancel_url"] == ""


def test_the_catalogue_page_queries_do_not_grow(
    client, community, resident, django_assert_max_num_queries
):
    for n in range(3):
        space_of(community, name=f"房间{n}", step_free=True)
    client.force_login(resident)
    client.get(_url("spaces_home", community))
    with django_assert_max_num_queries(20) as few:
        client.get(_url("spaces_home", community))
    for n in range(3, 15):
        space_of(community, name=f"房间{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(_url("spaces_home", community))


# --- feeds -------------------------------------------------------------------------------------


def _events(response) -> list:
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_a_space_feed_has_busy_blocks_with_no_names(client, community, resident, outsider):
    space = space_of(community)
    booking_of(space, resident, at(days=1), purpose="张阿姨的生日会")
    booking_of(space, resident, at(days=2), status="cancelled")
    url = _url("spaces_space_feed", community, space_id=space.pk)
    response, text = _page(client, resident, url)
    assert response.status_code == 200
    events = _events(response)
    assert len(events) == 1
    assert "张阿姨" not in text and resident.display_name not in text
    assert str(events[0]["summary"]) == gettext("Booked")
    assert _page(client, outsider, url)[0].status_code == 404
    anonymous = Client()
    assert anonymous.get(url).status_code == 404
    feed = ical.calendar_feed_issue(person=resident)
    assert anonymous.get(url, {"token": feed.token}).status_code == 404  # the personal token
    assert anonymous.get(url, {"token": "nope"}).status_code == 404


def test_my_feed_is_read_at_a_secret_address(client, community, resident):
    space = space_of(community, name="舞蹈室")
    booking_of(space, resident, at(days=1), purpose="广场舞排练")
    booking_of(space, member(community), at(days=1, hour=15), purpose="别人的")
    feed = ical.calendar_feed_issue(person=resident)
    url = _url("spaces_my_feed", community, token=feed.token)
    response = Client().get(url)
    assert response.status_code == 200
    summaries = [str(e["summary"]) for e in _events(response)]
    assert summaries == ["舞蹈室 · 广场舞排练"]
    page, text = _page(client, resident, _url("spaces_mine", community))
    assert feed.token in text
    ical.calendar_feed_revoke(person=resident)
    assert Client().get(url).status_code == 404


# --- API ---------------------------------------------------------------------------------------


def test_api_lists_and_shows_a_space_with_rules_and_hours(community, resident):
    space = space_of(community, step_free=True, quota=2)
    space_of(community, name="草稿", status=SpaceStatus.DRAFT)
    listed = api(resident, "GET", f"{community.slug}/spaces")
    assert listed.status_code == 200
    assert [s["name"] for s in listed.json()] == [space.name]
    detail = api(resident, "GET", f"{community.slug}/spaces/{space.pk}").json()
    assert detail["step_free"] is True
    assert detail["rules"]["quota"] == 2
    assert detail["rules_in_words"]
    assert detail["opening"]["set"] is False
    assert detail["feed_url"].endswith(f"/spaces/{space.pk}/calendar.ics")


def test_api_a_worker_creates_changes_opens_and_closes(community, worker):
    made = api(
        worker,
        "POST",
        f"{community.slug}/spaces",
        {"name": "阅览室", "kind": "reading_room", "capacity": 20, "seats": 20},
    )
    assert made.status_code == 201, made.json()
    space_id = made.json()["id"]
    assert made.json()["status"] == "draft"
    changed = api(worker, "PATCH", f"{community.slug}/spaces/{space_id}", {"fee": "5.00"})
    assert changed.status_code == 200 and changed.json()["rules"]["fee"] == "5.00"
    opened = api(worker, "POST", f"{community.slug}/spaces/{space_id}/open")
    assert opened.json()["status"] == "open"
    again = api(worker, "POST", f"{community.slug}/spaces/{space_id}/open")
    assert again.status_code == 400 and again.json()["code"] == "space_status_unchanged"
    closed = api(worker, "POST", f"{community.slug}/spaces/{space_id}/close", {"reason": "x"})
    assert closed.json()["status"] == "closed"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "甲", "kind": "room", "capacity": 5, "seats": 9}, "space_seats"),
        ({"name": "乙", "kind": "castle", "capacity": 5}, "space_choice"),
        ({"name": "丙", "kind": "room", "hours": "{oops"}, "space_hours"),
        ({"name": "丁", "kind": "room", "managed_by_body": 999999}, "space_manager_unknown"),
    ],
)
def test_api_bad_input_is_400_with_its_code_and_nothing_saved(community, worker, body, code):
    response = api(worker, "POST", f"{community.slug}/spaces", body)
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["message"]
    assert not Space.objects.in_community(community).exists()


def test_api_a_resident_cannot_create_and_another_community_sees_nothing(
    community, other_community, resident
):
    refused = api(resident, "POST", f"{community.slug}/spaces", {"name": "我的", "kind": "room"})
    assert refused.status_code == 403
    theirs = space_of(other_community)
    assert api(resident, "GET", f"{other_community.slug}/spaces/{theirs.pk}").status_code == 404
    assert api(resident, "GET", f"{community.slug}/spaces/{theirs.pk}").status_code == 404
    assert not Space.objects.in_community(community).exists()


def test_api_my_bookings_and_feeds(community, resident):
    space = space_of(community)
    booking_of(space, resident, at(days=1))
    booking_of(space, resident, at(days=-1))
    mine = api(resident, "GET", f"{community.slug}/spaces/my-bookings").json()
    assert len(mine["upcoming"]) == 1 and len(mine["past"]) == 1
    assert mine["upcoming"][0]["can_cancel"] is True
    assert mine["past"][0]["can_cancel"] is False
    feeds = api(resident, "GET", f"{community.slug}/spaces/feeds").json()
    assert feeds["mine"] == ""
    assert feeds["spaces"][0]["space"] == space.pk
    token = ical.calendar_feed_issue(person=resident).token
    feeds = api(resident, "GET", f"{community.slug}/spaces/feeds").json()
    assert feeds["mine"].endswith(f"/spaces/mine/{token}.ics")


def test_a_councils_meeting_booked_here_shows_on_the_space_page(
    client, community, worker, resident
):
    from gongzhi.spaces import selectors
    from tests.meetings.world import meeting_of, seated_council

    body, people = seated_council(community, worker)
    meeting = meeting_of(body, worker, title="四季度议事会", public=True)
    closed = meeting_of(body, worker, title="闭门会议", public=False)
    assert {m.pk for m in selectors.meetings_to_book_for(community, people[0])} == {
        meeting.pk,
        closed.pk,
    }
    assert selectors.meetings_to_book_for(community, resident) == []
    space = space_of(community, name="议事厅")
    booking_of(space, people[0], meeting.starts_at, hours=2, body=body, meeting=meeting)
    booking_of(space, people[0], closed.starts_at + timedelta(hours=3), body=body, meeting=closed)
    response, text = _page(client, resident, _url("spaces_space", community, space_id=space.pk))
    assert "四季度议事会" in text and body.name in text
    assert "闭门会议" not in text


def test_hours_are_edited_as_text_and_told_in_words_on_the_page(client, community, worker):
    hours = {
        "weekly": {day: [["08:30", "21:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        "closures": [{"from": "2099-07-20", "to": "2099-07-31", "reason": "地面维修"}],
        "holidays": "closed",
    }
    space = space_of(community, hours=hours)
    response, text = _page(client, worker, _url("spaces_edit", community, space_id=space.pk))
    assert "mon-fri 08:30-21:00" in text
    assert "closed 2099-07-20..2099-07-31 地面维修" in text
    response, text = _page(client, worker, _url("spaces_space", community, space_id=space.pk))
    opening = response.context["opening"]
    assert opening["set"] and opening["today"] and len(opening["week"]) == 2
    assert "地面维修" in text and opening["today"] in text
    assert opening["holiday"] == "" or opening["holiday"] in html.unescape(text)


def test_the_space_page_queries_do_not_grow_with_bookings(
    client, community, resident, django_assert_max_num_queries
):
    space = space_of(community)
    url = _url("spaces_space", community, space_id=space.pk)
    client.force_login(resident)
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for day in range(1, 8):
        booking_of(space, member(community), at(days=day))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_a_released_no_show_in_my_bookings_links_to_its_appeal(client, community, resident):
    space = space_of(community)
    missed = booking_of(space, resident, at(days=-1), status="released", no_show=True)
    response, text = _page(client, resident, _url("spaces_mine", community))
    row = response.context["past"][0]
    assert row["booking"] == missed and row["cancel_url"] == ""
    try:
        appeal = _url("spaces_appeal", community, booking_id=missed.pk)
    except NoReverseMatch:  # the attendance part has not landed
        return
    assert row["appeal_url"] == appeal and appeal in text


def test_the_space_page_gives_a_feed_address_a_calendar_app_can_read(client, community, resident):
    space = space_of(community)
    url = _url("spaces_space", community, space_id=space.pk)
    response, _text = _page(client, resident, url)
    assert "token=" not in response.context["feed_url"]
    feed = ical.calendar_feed_issue(person=resident)
    response, text = _page(client, resident, url)
    address = response.context["feed_url"]
    assert "?token=" in address and feed.token not in address and feed.token not in text
    assert Client().get(address.removeprefix("http://testserver")).status_code == 200


def test_a_closed_space_stays_readable_but_leaves_the_catalogue(client, community, resident):
    space = space_of(community, name="会议室", status=SpaceStatus.CLOSED)
    response, text = _page(client, resident, _url("spaces_home", community))
    assert "会议室" not in text
    response, text = _page(client, resident, _url("spaces_space", community, space_id=space.pk))
    assert response.status_code == 200
    assert 'data-status="closed"' in text
    assert response.context["week_url"] == "" or response.context["week_url"] not in text


def test_the_catalogue_tells_todays_hours(client, community, resident):
    every_day = {
        day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    }
    space_of(community, name="全天开放", hours={"weekly": every_day, "holidays": "usual"})
    space_of(community, name="没设时间")
    response, text = _page(client, resident, _url("spaces_home", community))
    today = {card["space"].name: card["today"] for card in response.context["cards"]}
    assert today["没设时间"] == ""
    assert today["全天开放"] and today["全天开放"] in text


def test_api_list_queries_do_not_grow(community, resident, django_assert_max_num_queries):
    token = api_token_create(user=resident, name="t")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    path = f"/api/v1/communities/{community.slug}/spaces"
    for n in range(2):
        space_of(community, name=f"房间{n}")
    client.get(path)
    with django_assert_max_num_queries(20) as few:
        assert len(client.get(path).json()) == 2
    for n in range(2, 12):
        space_of(community, name=f"房间{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(path).json()) == 12


# --- a space feed's own token (review 1.2) -----------------------------------------------------


def _feed_address(client, user, space) -> str:
    response, _text = _page(client, user, _url("spaces_space", space.community, space_id=space.pk))
    return response.context["feed_url"].removeprefix("http://testserver")


def _token_of(address: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(address).query)["token"][0]


def test_a_space_feed_link_opens_that_space_only(client, community, resident):
    space = space_of(community, name="舞蹈室")
    other = space_of(community, name="书画室")
    booking_of(space, resident, at(days=1), purpose="排练")
    ical.calendar_feed_issue(person=resident)
    address = _feed_address(client, resident, space)
    token = _token_of(address)
    anonymous = Client()
    response = anonymous.get(address)
    assert response.status_code == 200 and len(_events(response)) == 1
    elsewhere = _url("spaces_space_feed", community, space_id=other.pk)
    assert anonymous.get(elsewhere, {"token": token}).status_code == 404
    # it is no personal calendar token: "my bookings" and the meetings' feed refuse it
    assert anonymous.get(_url("spaces_my_feed", community, token=token)).status_code == 404
    assert ical.person_for_calendar_feed(token) is None
    # a token signed for something else, or changed, is refused
    from django.core import signing

    forged = signing.Signer(salt="other").sign_object({"p": resident.pk, "s": space.pk})
    assert anonymous.get(address.split("?")[0], {"token": forged}).status_code == 404
    assert anonymous.get(address.split("?")[0], {"token": token + "x"}).status_code == 404


def test_a_new_or_revoked_calendar_address_cuts_the_space_link_off(client, community, resident):
    space = space_of(community)
    ical.calendar_feed_issue(person=resident)
    first = _feed_address(client, resident, space)
    assert Client().get(first).status_code == 200
    ical.calendar_feed_issue(person=resident)  # a new address revokes the old one
    assert Client().get(first).status_code == 404
    second = _feed_address(client, resident, space)
    assert second != first and Client().get(second).status_code == 200
    ical.calendar_feed_revoke(person=resident)
    assert Client().get(second).status_code == 404
    assert "?token=" not in _feed_address(client, resident, space)


def test_a_space_link_stops_when_its_member_leaves_the_community(client, community, resident):
    from gongzhi.core.models import Membership

    space = space_of(community)
    ical.calendar_feed_issue(person=resident)
    address = _feed_address(client, resident, space)
    Membership.objects.in_community(community).filter(user=resident).delete()
    assert Client().get(address).status_code == 404


def test_the_api_gives_the_space_link_the_page_gives(client, community, resident):
    space = space_of(community)
    ical.calendar_feed_issue(person=resident)
    page = _feed_address(client, resident, space)
    detail = api(resident, "GET", f"{community.slug}/spaces/{space.pk}").json()
    feeds = api(resident, "GET", f"{community.slug}/spaces/feeds").json()
    listed = {row["space"]: row["url"] for row in feeds["spaces"]}
    assert detail["feed_url"].removeprefix("http://testserver") == page
    assert listed[space.pk].removeprefix("http://testserver") == page
    assert Client().get(page).status_code == 200


def test_the_space_page_says_what_its_feed_link_shows(client, community, resident):
    from django.utils import translation

    space = space_of(community)
    ical.calendar_feed_issue(person=resident)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the request's language, not the test's
    with translation.override("en"):
        _response, text = _page(
            client, resident, _url("spaces_space", community, space_id=space.pk)
        )
    text = html.unescape(text)
    assert 'lang="en"' in text and "secret calendar code" not in text
    assert "“Booked”, with no names" in text and "Anyone who has the address" in text
    assert "see your name and purpose" in text
