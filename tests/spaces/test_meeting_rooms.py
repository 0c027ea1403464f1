"""Meetings book their rooms here: a body's member books a space for one of the body's coming
meetings (``Booking.meeting``), in the page and the API; the booking is the body's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gongzhi.spaces import booking as engine
from gongzhi.spaces.models import Booking
from tests.meetings.world import meeting_of, seated_council
from tests.spaces.world import space_of

pytestmark = pytest.mark.django_db


def _whole_hour(moment):
    return timezone.localtime(moment).replace(minute=0, second=0, microsecond=0)


def test_a_member_books_the_room_of_the_bodys_meeting_in_the_page(client, community, worker):
    body, people = seated_council(community, worker)
    meeting = meeting_of(body, worker, starts_in=timedelta(days=3))
    space = space_of(community, worker, max_minutes=240)
    client.force_login(people[0])
    url = reverse("spaces_book", args=[community.slug, space.pk])
    page = client.get(url)
    assert meeting.title in page.content.decode()
    start = _whole_hour(meeting.starts_at)
    answer = client.post(
        url,
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "minutes": 180,
            "purpose": "三季度议事会",
            "attendees": 8,
            "meeting": meeting.pk,
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    booking = Booking.objects.get()
    assert booking.meeting == meeting and booking.body == body
    space_page = client.get(reverse("spaces_space", args=[community.slug, space.pk]))
    assert space_page.status_code == 200


def test_a_booking_that_misses_the_meetings_start_is_refused(community, worker):
    body, people = seated_council(community, worker)
    meeting = meeting_of(body, worker, starts_in=timedelta(days=3))
    space = space_of(community, worker)
    start = _whole_hour(meeting.starts_at) + timedelta(hours=2)
    with pytest.raises(ValidationError) as caught:
        engine.book(
            actor=people[0],
            space=space,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            purpose="议事会",
            meeting=meeting,
        )
    assert caught.value.code == "booking_meeting_time"
    assert not Booking.objects.exists()


def test_the_api_books_a_meetings_room_and_refuses_someone_elses_meeting(
    client, community, worker, resident
):
    body, people = seated_council(community, worker)
    meeting = meeting_of(body, worker, starts_in=timedelta(days=3))
    space = space_of(community, worker)
    url = f"/api/v1/communities/{community.slug}/spaces/{space.pk}/bookings"
    start = _whole_hour(meeting.starts_at)
    payload = {
        "starts_at": start.isoformat(),
        "minutes": 120,
        "purpose": "议事会",
        "meeting": meeting.pk,
    }
    client.force_login(resident)
    assert client.post(url, payload, content_type="application/json").status_code == 404
    assert not Booking.objects.exists()
    client.force_login(people[1])
    answer = client.post(url, payload, content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["meeting"] == meeting.pk and answer.json()["body"] == body.pk
