"""Hearing and round-table pages and API: who sees and does what, forms that refuse bad input
with the service's translated message and save nothing, pseudonyms on the public page."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.accounts.services import api_token_create
from gongzhi.meetings import hearings
from gongzhi.meetings.models import (
    AgreedPoint,
    Hearing,
    MeetingKind,
    ResponseGroup,
    RoundTableParticipant,
    Speaker,
    Submission,
)
from tests.factories import member
from tests.meetings.test_hearings import close_speakers, close_submissions, setup_args
from tests.meetings.world import meeting_of, seated_council


@pytest.fixture
def body(community, worker):
    return seated_council(community, worker)[0]


@pytest.fixture
def meeting(body, worker):
    return meeting_of(body, worker, kind=MeetingKind.HEARING, title="加装电梯听证会")


@pytest.fixture
def hearing(meeting, worker):
    return hearings.hearing_setup(actor=worker, **setup_args(meeting))


def page(meeting):
    return reverse("hearing_detail", args=[meeting.community.slug, meeting.pk])


def step(meeting, name):
    return reverse("hearing_step", args=[meeting.community.slug, meeting.pk, name])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_organiser_sets_the_hearing_up_on_its_page(client, meeting, worker, resident):
    client.force_login(resident)
    assert (
        client.get(reverse("hearing_setup", args=[meeting.community.slug, meeting.pk])).status_code
        == 403
    )
    client.force_login(worker)
    url = reverse("hearing_setup", args=[meeting.community.slug, meeting.pk])
    assert client.get(url).status_code == 200
    now = timezone.now()
    form = {
        "subject": "3号楼加装电梯",
        "speaker_slots": "3",
        "slot_minutes": "5",
        "speakers_close_at": _local(meeting.starts_at - timedelta(days=1)),
        "submissions_open_at": _local(now),
        "submissions_close_at": _local(now - timedelta(days=1)),  # closes before it opens
    }

    refused = client.post(url, form)

    assert refused.status_code == 400
    assert gettext("Written submissions must close after they open.") in refused.content.decode()
    assert not Hearing.objects.in_community(meeting.community).exists()

    form["submissions_close_at"] = _local(meeting.ends_at + timedelta(days=3))
    done = client.post(url, form, follow=True)

    assert done.redirect_chain[-1][0] == page(meeting)
    hearing = Hearing.objects.in_community(meeting.community).get()
    assert hearing.created_by == worker
    assert "3号楼加装电梯" in done.content.decode()


def test_the_meeting_page_carries_the_hearing_section(client, hearing, community, worker):
    url = reverse("meeting_detail", args=[community.slug, hearing.meeting_id])
    client.force_login(member(community))
    shown = client.get(url).content.decode()
    assert 'id="hearing"' in shown and 'id="speak-form"' in shown
    assert 'id="response-work"' not in shown
    client.force_login(worker)
    assert 'id="response-work"' in client.get(url).content.decode()


def test_anyone_reads_a_public_hearing_and_a_closed_one_is_not_found(client, body, worker, hearing):
    response = client.get(page(hearing.meeting))
    assert response.status_code == 200
    assert "3号楼加装电梯方案" in response.content.decode()
    assert 'id="speak-form"' not in response.content.decode()  # visitors do not register

    closed = meeting_of(
        body, worker, kind=MeetingKind.HEARING, public=False, starts_in=timedelta(30)
    )
    assert client.get(page(closed)).status_code == 404
    ordinary = meeting_of(body, worker, starts_in=timedelta(40))
    assert client.get(page(ordinary)).status_code == 404


def test_a_resident_registers_to_speak_and_submits_on_a_phone(client, hearing, community):
    alice = member(community)
    client.force_login(alice)
    before = client.get(page(hearing.meeting)).content.decode()
    assert 'id="speak-form"' in before and 'id="submission-form"' in before

    empty = client.post(step(hearing.meeting, "speak"), {"position_summary": ""}, follow=True)
    assert not Speaker.objects.in_community(community).exists()
    assert messages_of(empty)

    spoke = client.post(
        step(hearing.meeting, "speak"), {"position_summary": "支持，但要保证采光"}, follow=True
    )
    assert messages_of(spoke) == [
        gettext("You are registered to speak. You will see your slot here.")
    ]
    again = client.post(step(hearing.meeting, "speak"), {"position_summary": "再来"}, follow=True)
    assert messages_of(again) == [gettext("You are already registered to speak.")]
    assert Speaker.objects.in_community(community).count() == 1

    client.post(step(hearing.meeting, "submit"), {"text": "建议分摊费用按楼层"})
    shown = client.get(page(hearing.meeting)).content.decode()
    assert gettext("Resident #%(n)d") % {"n": 1} in shown
    assert "建议分摊费用按楼层" in shown
    assert str(alice) not in shown.split('id="submissions"')[1]


def test_a_closed_window_is_said_in_the_residents_language_and_saves_nothing(
    client, hearing, resident
):
    close_submissions(hearing)
    client.force_login(resident)
    response = client.post(step(hearing.meeting, "submit"), {"text": "晚了"}, follow=True)
    assert messages_of(response) == [gettext("Written submissions have closed.")]
    assert not Submission.objects.in_community(hearing.community_id).exists()


def test_the_organiser_cannot_enter_the_seed_but_a_supervisor_can(
    client, hearing, worker, supervisor, community
):
    for i in range(3):
        hearings.speaker_register(actor=member(community), hearing=hearing, position_summary=f"{i}")
    close_speakers(hearing)
    client.force_login(worker)
    body = client.get(page(hearing.meeting)).content.decode()
    assert 'id="draw-form"' not in body
    own = client.post(step(hearing.meeting, "draw"), {"seed": "我定的"}, follow=True)
    assert messages_of(own) == [
        gettext(
            "The organiser of the hearing cannot enter the seed of its draw: "
            "ask a supervisor or another member of staff."
        )
    ]
    hearing.refresh_from_db()
    assert hearing.drawn_at is None

    client.force_login(supervisor)
    assert 'id="draw-form"' in client.get(page(hearing.meeting)).content.decode()
    client.post(step(hearing.meeting, "draw"), {"seed": "12月1日 福彩 3D 123"})
    hearing.refresh_from_db()
    assert hearing.seed == "12月1日 福彩 3D 123"
    shown = client.get(page(hearing.meeting)).content.decode()
    assert "python -m gongzhi.core.lottery" in shown
    assert '<code id="hearing-seed">12月1日 福彩 3D 123</code>' in shown


def test_the_organiser_groups_answers_and_publishes_the_response(
    client, hearing, worker, community
):
    hearings.submission_make(actor=member(community), hearing=hearing, text="支持")
    close_submissions(hearing)
    client.force_login(worker)
    meeting = hearing.meeting
    client.post(step(meeting, "group-new"), {"title": "支持加装"}, follow=True)
    group = ResponseGroup.objects.in_community(community).get()
    submission = Submission.objects.in_community(community).get()

    early = client.post(step(meeting, "publish"), follow=True)
    assert messages_of(early) == [
        gettext(
            "The response is not complete. Submissions in no group: %(ungrouped)d; "
            "groups without an answer: %(unanswered)d."
        )
        % {"ungrouped": 1, "unanswered": 1}
    ]

    client.post(step(meeting, "group"), {"submission": submission.pk, "group": group.pk})
    client.post(step(meeting, "answer"), {"group": group.pk, "answer": "已列入计划"})
    done = client.post(step(meeting, "publish"), follow=True)

    assert messages_of(done)[-1] == gettext("The response is published.")
    hearing.refresh_from_db()
    assert hearing.response_published_at is not None
    assert 'id="response"' in done.content.decode()
    assert "已列入计划" in client.get(page(meeting)).content.decode()


def test_residents_may_not_take_the_organisers_steps(client, hearing, resident):
    client.force_login(resident)
    assert client.post(step(hearing.meeting, "group-new"), {"title": "x"}).status_code == 403
    assert client.post(step(hearing.meeting, "publish")).status_code == 403
    assert client.post(step(hearing.meeting, "nonsense")).status_code == 404
    assert not ResponseGroup.objects.in_community(hearing.community_id).exists()


def test_a_round_table_page_records_participants_and_points(client, body, worker, resident):
    table = meeting_of(body, worker, kind=MeetingKind.ROUND_TABLE, starts_in=timedelta(hours=-1))
    client.force_login(worker)
    client.post(
        step(table, "participant"), {"name": "王经理", "sector": "property", "affiliation": "物业"}
    )
    bad = client.post(step(table, "participant"), {"name": "张三", "sector": "aliens"}, follow=True)
    assert messages_of(bad)
    client.post(step(table, "point"), {"text": "夜间限停", "responsible": "物业"})

    assert RoundTableParticipant.objects.in_community(table.community).count() == 1
    assert AgreedPoint.objects.in_community(table.community).get().position == 1
    client.force_login(resident)
    shown = client.get(page(table)).content.decode()
    assert "王经理" in shown and "夜间限停" in shown
    assert client.post(step(table, "point"), {"text": "我说了算"}).status_code == 403


# --- The API --------------------------------------------------------------------------------------


def _api(client, user, method, url, body=None):
    headers = {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = "Bearer " + api_token_create(user=user, name="t")[1]
    return client.generic(
        method,
        "/api/v1" + url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        **headers,
    )


def test_the_api_reads_a_hearing_and_takes_speakers_and_submissions(
    client, hearing, community, worker, supervisor
):
    base = f"/communities/{community.slug}/meetings/{hearing.meeting_id}"
    alice = member(community)

    spoke = _api(client, alice, "POST", base + "/hearing/speakers", {"position_summary": "支持"})
    assert spoke.status_code == 201
    twice = _api(client, alice, "POST", base + "/hearing/speakers", {"position_summary": "支持"})
    assert twice.status_code == 400
    assert twice.json()["code"] == "speaker_already"
    assert twice.json()["message"] == gettext("You are already registered to speak.")
    sent = _api(client, alice, "POST", base + "/hearing/submissions", {"text": "意见"})
    assert sent.status_code == 201
    assert sent.json()["author"] == gettext("Resident #%(n)d") % {"n": 1}

    read = _api(client, None, "GET", base + "/hearing")
    assert read.status_code == 200
    assert [s["position_summary"] for s in read.json()["speakers"]] == ["支持"]
    assert read.json()["response"] == []

    close_speakers(hearing)
    own = _api(client, worker, "POST", base + "/hearing/draw", {"seed": ""})
    assert own.status_code == 200  # one speaker, one of two slots: no lot, the organiser may
    assert [s["slot"] for s in own.json()] == [1]
    again = _api(client, supervisor, "POST", base + "/hearing/draw", {"seed": "x"})
    assert again.json()["code"] == "already_drawn"
    table = _api(
        client,
        None,
        "GET",
        f"/communities/{community.slug}/meetings/{hearing.meeting_id}/round-table",
    )
    assert table.status_code == 404
