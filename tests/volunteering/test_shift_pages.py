"""The shift pages: the activities list, an activity with its shifts, a shift where a volunteer
signs up and gives up their place (without JavaScript: forms and redirects), the organisers'
forms, 代办, the calendar download, the community home's tile and the parts' partials."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from gongzhi.core.home import home_tiles
from gongzhi.volunteering import shift_selectors
from gongzhi.volunteering.models import ActivityStatus, Shift, SignUp, VolunteerActivity
from tests.factories import member
from tests.volunteering.world import activity_of, shift_of, signup_of, volunteer_of

pytestmark = pytest.mark.django_db


def url(name: str, community, *args) -> str:
    return reverse(name, args=[community.slug, *args])


def test_the_list_and_an_activity_for_a_visitor(client, community, worker):
    activity = activity_of(community, worker, title="周末花园除草")
    shift = shift_of(activity, capacity=3)
    draft = activity_of(community, worker, title="还没发布", status=ActivityStatus.DRAFT)
    shift_of(draft)
    page = client.get(url("volunteering_activity_list", community)).content.decode()
    assert "周末花园除草" in page and "还没发布" not in page
    detail = client.get(url("volunteering_activity_detail", community, activity.pk))
    assert detail.status_code == 200
    assert gettext("%(n)s of %(c)s places taken") % {"n": 0, "c": 3} in detail.content.decode()
    shift_page = client.get(url("volunteering_shift_detail", community, shift.pk)).content.decode()
    assert gettext("Log in to sign up") in shift_page
    # A draft is as missing as a missing one, except to those who run it.
    assert client.get(url("volunteering_activity_detail", community, draft.pk)).status_code == 404
    client.force_login(worker)
    assert client.get(url("volunteering_activity_detail", community, draft.pk)).status_code == 200


def test_a_volunteer_signs_up_and_gives_up_their_place(client, community, worker):
    shift = shift_of(activity_of(community, worker), capacity=1)
    volunteer = volunteer_of(community)
    client.force_login(volunteer.person)
    page = client.get(url("volunteering_shift_detail", community, shift.pk)).content.decode()
    assert pgettext("for a shift", "Sign up") in page
    response = client.post(url("volunteering_shift_signup", community, shift.pk), follow=True)
    assert gettext("You are signed up.") in response.content.decode()
    signup = SignUp.objects.in_community(community).get(shift=shift)
    assert signup.status == "registered"

    # Someone else finds it full and joins the waiting list, told their place in it.
    other = volunteer_of(community)
    client.force_login(other.person)
    page = client.get(url("volunteering_shift_detail", community, shift.pk)).content.decode()
    assert gettext("Join the waiting list") in page
    response = client.post(url("volunteering_shift_signup", community, shift.pk), follow=True)
    number = gettext("You are number %(n)s on the waiting list.") % {"n": 1}
    assert number in response.content.decode()

    client.force_login(volunteer.person)
    response = client.post(
        url("volunteering_signup_cancel", community, shift.pk, signup.pk), follow=True
    )
    assert response.status_code == 200
    statuses = dict(SignUp.objects.in_community(community).values_list("volunteer_id", "status"))
    assert statuses == {volunteer.pk: "cancelled", other.pk: "registered"}


def test_a_refusal_is_shown_and_a_stranger_cannot_cancel(client, community, worker, resident):
    shift = shift_of(activity_of(community, worker))
    client.force_login(resident)  # not a volunteer
    page = client.get(url("volunteering_shift_detail", community, shift.pk)).content.decode()
    assert gettext("Only registered volunteers can sign up.") in page
    response = client.post(url("volunteering_shift_signup", community, shift.pk), follow=True)
    refusal = gettext("Only registered volunteers can sign up: join as a volunteer first.")
    assert refusal in response.content.decode()
    assert not SignUp.objects.in_community(community).exists()
    signup = signup_of(shift, volunteer_of(community))
    response = client.post(url("volunteering_signup_cancel", community, shift.pk, signup.pk))
    assert response.status_code == 404
    signup.refresh_from_db()
    assert signup.status == "registered"


def test_an_organiser_creates_an_activity_with_a_shift_and_publishes(client, community, worker):
    client.force_login(worker)
    response = client.post(
        url("volunteering_activity_create", community),
        {"title": "旧衣回收", "description": "整理捐赠衣物", "place": "社区服务站"},
    )
    activity = VolunteerActivity.objects.in_community(community).get()
    assert response.url == url("volunteering_shift_create", community, activity.pk)
    starts = timezone.localtime() + timedelta(days=5)
    form = {
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "6",
    }
    client.post(url("volunteering_shift_create", community, activity.pk), form)
    assert Shift.objects.in_community(community).get().capacity == 6
    client.post(url("volunteering_activity_publish", community, activity.pk))
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PUBLISHED
    bad = client.post(
        url("volunteering_shift_create", community, activity.pk), {**form, "capacity": "0"}
    )
    assert bad.status_code == 400


def test_forms_are_for_those_who_run_it(client, community, worker, resident):
    activity = activity_of(community, worker)
    shift = shift_of(activity)
    client.force_login(resident)
    for name, arg in (
        ("volunteering_activity_edit", activity.pk),
        ("volunteering_activity_cancel", activity.pk),
        ("volunteering_shift_create", activity.pk),
        ("volunteering_shift_edit", shift.pk),
        ("volunteering_shift_cancel", shift.pk),
        ("volunteering_shift_signup_other", shift.pk),
    ):
        assert client.get(url(name, community, arg)).status_code == 403, name
    assert client.get(url("volunteering_activity_create", community)).status_code == 403


def test_a_worker_signs_up_a_resident_by_phone(client, community, worker):
    shift = shift_of(activity_of(community, worker))
    volunteer = volunteer_of(community)
    client.force_login(worker)
    response = client.post(
        url("volunteering_shift_signup_other", community, shift.pk),
        {"phone": volunteer.person.phone},
    )
    assert response.status_code == 302
    signup = SignUp.objects.in_community(community).get()
    assert signup.volunteer == volunteer and signup.signed_up_by == worker
    page = client.get(url("volunteering_shift_detail", community, shift.pk)).content.decode()
    assert str(volunteer.person) in page  # the list of those signed up


def test_the_calendar_download(client, community, worker):
    shift = shift_of(activity_of(community, worker, title="敬老院探访"))
    response = client.get(url("volunteering_shift_ics", community, shift.pk))
    assert response["Content-Type"].startswith("text/calendar")
    assert f"volunteer-shift-{shift.pk}@gongzhi" in response.content.decode()
    volunteer = volunteer_of(community)
    signup_of(shift, volunteer)
    client.force_login(volunteer.person)
    mine = client.get(url("volunteering_my_shifts_ics", community)).content.decode()
    assert "SUMMARY:敬老院探访" in mine


def test_the_home_tile_shows_shifts_with_free_places_in_one_query(
    community, worker, django_assert_num_queries
):
    activity = activity_of(community, worker, title="垃圾分类指导")
    full = shift_of(activity, capacity=1, starts_in=timedelta(days=1))
    signup_of(full, volunteer_of(community))
    free = shift_of(activity, capacity=2, starts_in=timedelta(days=2))
    with django_assert_num_queries(1):
        tile = shift_selectors.home_open_shifts(community, AnonymousUser())
    assert tile is not None
    assert [item.url for item in tile.items] == [
        url("volunteering_shift_detail", community, free.pk)
    ]
    assert "volunteering.shifts" in {t.key for t in home_tiles(community=community, user=worker)}
    activity.status = ActivityStatus.CANCELLED
    activity.save()
    # No shift needs anyone: the tile still leads to volunteering (mutual aid, teams, honours).
    empty = shift_selectors.home_open_shifts(community, AnonymousUser())
    assert empty is not None and list(empty.items) == []
    assert empty.more_url == f"/c/{community.slug}/volunteering/"


def test_the_hub_and_mine_partials(community, worker):
    shift = shift_of(activity_of(community, worker, title="社区图书角"), capacity=1)
    volunteer = volunteer_of(community)
    waiting = volunteer_of(community)
    signup_of(shift, volunteer)
    signup_of(shift, waiting, status="waitlisted")
    request = RequestFactory().get("/")
    request.user = waiting.person
    mine = render_to_string(
        "volunteering/_mine_shift.html",
        {
            "community": community,
            "mine_shift": shift_selectors.mine(community, waiting.person, waiting),
            "request": request,
        },
    )
    assert "社区图书角" in mine
    assert gettext("Number %(n)s on the waiting list") % {"n": 1} in mine
    hub = render_to_string(
        "volunteering/_hub_shift.html",
        {"community": community, "hub_shift": shift_selectors.hub(community, member(community))},
    )
    assert "社区图书角" not in hub  # full: not offered
    assert gettext("No shift with free places is coming up.") in hub


def test_a_shift_line_is_one_piece_inside_its_link(community, worker):
    # A link alone in a heading is a flex box (its tap size): the line's times and place must be
    # one child of it, or they split into narrow columns on a phone.
    shift = shift_of(activity_of(community, worker))
    line = render_to_string("volunteering/_shift_line.html", {"shift": shift}).strip()
    assert line.startswith("<span>") and line.endswith("</span>")
    assert line.count("<span>") == 1
