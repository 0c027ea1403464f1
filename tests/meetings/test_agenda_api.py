"""The agenda through the API: bad input answers 400 with its code and a translated message,
and nothing is saved; a visitor reads the published version only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils.translation import gettext

from gongzhi.accounts.services import api_token_create
from gongzhi.meetings import agenda
from gongzhi.meetings.models import AgendaItem, AgendaVersion
from tests.factories import member
from tests.meetings.test_agenda import answering, under_review
from tests.meetings.world import meeting_of, seated_council

pytestmark = pytest.mark.django_db


def api(user, method, path, body=None):
    client = Client()
    extra = {}
    if user is not None:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {api_token_create(user=user, name='t')[1]}"
    return client.generic(
        method,
        path,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        **extra,
    )


def agenda_path(meeting, tail: str = "") -> str:
    return f"/api/v1/communities/{meeting.community.slug}/meetings/{meeting.pk}/agenda{tail}"


def test_another_communitys_proposal_is_refused_with_its_code(community, other_community, worker):
    body, _people = seated_council(community, worker, powers=answering())
    meeting = meeting_of(body, worker)
    elsewhere = under_review(other_community, member(other_community))
    response = api(worker, "POST", agenda_path(meeting, "/proposals"), {"proposal": elsewhere.pk})
    assert response.status_code == 400
    assert response.json()["code"] == "other_community"
    assert response.json()["message"] == gettext(
        "This proposal belongs to another community: it cannot be on this agenda."
    )
    assert not AgendaItem.objects.in_community(community).exists()


def test_publishing_too_late_is_refused_with_its_code(community, worker):
    body, _people = seated_council(community, worker)
    meeting = meeting_of(body, worker, starts_in=timedelta(days=2))
    agenda.item_add(actor=worker, meeting=meeting, title="预算")
    response = api(worker, "POST", agenda_path(meeting, "/publish"), {"note": ""})
    assert response.status_code == 400 and response.json()["code"] == "notice_too_short"
    assert not AgendaVersion.objects.in_community(community).exists()


def test_a_visitor_reads_the_published_version_not_the_working_list(community, worker):
    body, people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    agenda.item_add(actor=worker, meeting=meeting, title="预算")
    assert api(None, "GET", agenda_path(meeting)).json()["published"] is None
    agenda.agenda_publish(actor=worker, meeting=meeting)
    agenda.item_add(actor=worker, meeting=meeting, title="还没公布")
    seen = api(None, "GET", agenda_path(meeting)).json()
    assert [e["title"] for e in seen["published"]["items"]] == ["预算"]
    assert seen["working"] is None
    member_view = api(people[0], "GET", agenda_path(meeting)).json()
    assert [i["title"] for i in member_view["working"]] == ["预算", "还没公布"]
    assert api(people[0], "POST", agenda_path(meeting, "/publish"), {}).status_code == 403
    assert AgendaVersion.objects.in_community(community).count() == 1


def test_a_closed_meetings_agenda_is_hidden_from_visitors(community, worker):
    body, _people = seated_council(community, worker)
    meeting = meeting_of(body, worker, public=False)
    assert api(None, "GET", agenda_path(meeting)).status_code == 404
    assert api(worker, "GET", agenda_path(meeting)).status_code == 200
