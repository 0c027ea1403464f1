"""What the browser walk of the meetings pages found, kept fixed: a vote's count said once, a
follow-up offered only for an adopted item, the check-in page linking back to its meeting."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from gongzhi.core import checkin
from gongzhi.meetings.models import ItemDecision
from tests.meetings.test_minutes import clock, closed_meeting  # noqa: F401 - a fixture
from tests.meetings.test_room import arrive, in_session
from tests.meetings.world import item_of

pytestmark = pytest.mark.django_db


def zh(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def url(name: str, meeting, *args) -> str:
    return reverse(name, args=[meeting.community.slug, meeting.pk, *args])


def test_the_room_says_a_vote_count_once_and_a_written_outcome_beside_it(community, worker):
    _body, people, meeting = in_session(community, worker)
    first, second = item_of(meeting, "更换路灯"), item_of(meeting, "加装充电桩")
    arrive(meeting, worker, *people[:3])
    client = zh(worker)
    client.post(url("item_vote", meeting, first.pk), {"method": "hands", "votes_for": 3})
    client.post(
        url("item_vote", meeting, second.pk),
        {"method": "hands", "votes_for": 1, "votes_against": 2, "outcome": "下次会议再议。"},
    )
    plain, written = ItemDecision.objects.in_community(community).order_by("item__position")
    assert plain.outcome_restates_count and not written.outcome_restates_count
    page = client.get(url("meeting_detail", meeting)).content.decode()
    count = gettext(
        "%(f)s for, %(a)s against, %(s)s abstentions; %(p)s of %(n)s members counted."
    ) % {"f": 3, "a": 0, "s": 0, "p": 3, "n": 5}
    assert page.count(count) == 1
    assert plain.outcome not in page  # "Adopted: 3 for, 0 against…" said again
    assert "下次会议再议。" in page


def test_a_follow_up_is_offered_for_an_adopted_item_only(clock, community, worker):  # noqa: F811
    meeting, people, adopted = closed_meeting(community, worker)
    rejected = ItemDecision.objects.create(
        community=community,
        item=item_of(meeting, "拆除花坛"),
        method="hands",
        seated=5,
        present=3,
        votes_for=1,
        votes_against=2,
        abstentions=0,
        adopted=False,
        outcome="不拆。",
        recorded_by=people[0],
    )
    page = zh(people[0]).get(url("meeting_detail", meeting)).content.decode()
    assert url("action_create", meeting, adopted.pk) in page
    assert url("action_create", meeting, rejected.pk) not in page


def test_the_check_in_page_links_back_to_the_meeting(community, worker):
    _body, people, meeting = in_session(community, worker)
    scan = checkin.scan_url(meeting, checkin.current_code(meeting))
    done = zh(people[1]).post(scan)
    assert done.status_code == 200
    page = done.content.decode()
    assert gettext("You are checked in.") in page
    assert f'href="{url("meeting_detail", meeting)}"' in page
    assert meeting.get_absolute_url() == url("meeting_detail", meeting)
