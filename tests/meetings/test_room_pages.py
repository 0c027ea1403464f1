"""The room's pages on a phone: the secretary taps names to sign members in and out and sees
the live quorum, records a vote per item, and a member declares their own conflict of interest
from the meeting page. Refusals are messages in the reader's language, nothing saved."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from gongzhi.meetings.models import ItemDecision, MeetingStatus, Presence, Recusal
from tests.meetings.test_room import arrive, in_session
from tests.meetings.world import item_of

pytestmark = pytest.mark.django_db
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def as_user(user=None) -> Client:
    client = Client(HTTP_USER_AGENT=PHONE, HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.force_login(user)
    return client


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)._queued_messages]


def url(name: str, meeting, *args) -> str:
    return reverse(name, args=[meeting.community.slug, meeting.pk, *args])


def live(present: int, seated: int, needed: int) -> str:
    return gettext("Present %(present)s of %(seated)s, %(needed)s needed.") % {
        "present": present,
        "seated": seated,
        "needed": needed,
    }


def test_the_secretary_taps_names_and_sees_the_live_quorum(community, worker):
    _body, people, meeting = in_session(community, worker)
    secretary = as_user(people[0])
    page = secretary.get(url("room_roll", meeting))
    assert page.status_code == 200
    assert str(people[3]) in page.content.decode()
    assert live(0, 5, 3) in page.content.decode()
    for person in people[:3]:
        secretary.post(url("room_arrive", meeting), {"person": person.pk})
    page = secretary.get(url("room_roll", meeting))
    assert live(3, 5, 3) in page.content.decode()
    response = secretary.post(url("room_leave", meeting), {"person": people[2].pk})
    assert response.status_code == 302
    assert Presence.objects.in_community(community).filter(left_at__isnull=True).count() == 2
    assert live(2, 5, 3) in secretary.get(url("meeting_detail", meeting)).content.decode()


def test_a_resident_cannot_open_the_roll_call(community, worker, resident):
    _body, _people, meeting = in_session(community, worker)
    assert as_user(resident).get(url("room_roll", meeting)).status_code == 403


def test_the_vote_form_records_hands_and_refuses_without_quorum(community, worker):
    _body, people, meeting = in_session(community, worker)
    item = item_of(meeting)
    client = as_user(worker)
    arrive(meeting, worker, *people[:2])
    page = client.post(url("item_vote", meeting, item.pk), {"method": "hands", "votes_for": 2})
    assert page.status_code == 200
    message = gettext(
        "No quorum: %(present)d of %(seated)d members are present for this item, "
        "%(needed)d are needed. Nothing was recorded."
    ) % {"present": 2, "seated": 5, "needed": 3}
    assert message in page.content.decode()
    assert not ItemDecision.objects.in_community(community).exists()
    arrive(meeting, worker, people[2])
    done = client.post(
        url("item_vote", meeting, item.pk), {"method": "hands", "votes_for": 3, "outcome": "同意"}
    )
    assert done.status_code == 302
    assert ItemDecision.objects.in_community(community).get().adopted
    detail = client.get(url("meeting_detail", meeting))
    assert "同意" in detail.content.decode()


def test_a_roll_call_vote_from_the_form(community, worker):
    _body, people, meeting = in_session(community, worker)
    item = item_of(meeting)
    arrive(meeting, worker, *people[:3])
    data = {"method": "roll", **{f"ballot_{p.pk}": "yes" for p in people[:2]}}
    data[f"ballot_{people[2].pk}"] = "no"
    response = as_user(worker).post(url("item_vote", meeting, item.pk), data)
    assert response.status_code == 302
    decision = ItemDecision.objects.in_community(community).get()
    assert (decision.votes_for, decision.votes_against, decision.method) == (2, 1, "roll")


def test_a_member_declares_a_conflict_from_the_meeting_page(community, worker):
    _body, people, meeting = in_session(community, worker)
    item = item_of(meeting)
    member = as_user(people[1])
    page = member.get(url("meeting_detail", meeting))
    assert url("item_recuse", meeting, item.pk) in page.content.decode()
    response = member.post(url("item_recuse", meeting, item.pk), {"reason": "是我家的事"})
    assert response.status_code == 302
    assert Recusal.objects.in_community(community).get().person == people[1]
    page = member.get(url("meeting_detail", meeting))
    assert gettext("You declared a conflict of interest on this item.") in page.content.decode()


def test_a_vote_after_the_close_is_a_message_and_nothing_saved(community, worker):
    _body, people, meeting = in_session(community, worker)
    item = item_of(meeting)
    arrive(meeting, worker, *people)
    meeting.status = MeetingStatus.CLOSED
    meeting.save()
    page = as_user(worker).post(
        url("item_vote", meeting, item.pk), {"method": "hands", "votes_for": 5}
    )
    assert gettext("This meeting is closed: nothing can be added to it.") in page.content.decode()
    assert not ItemDecision.objects.in_community(community).exists()
