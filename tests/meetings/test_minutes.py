"""Minutes: drafted from the agenda and the roll call, circulated to the members present,
approved by a majority of them (never the drafter alone) or by silence after the charter's
period, published as a versioned document on the meetings notice board; bad input refused with
a translated message and nothing saved. The clock is frozen where a deadline matters."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import gettext

from gongzhi.core.models import Activity
from gongzhi.disclosure.models import BoardItem, Document, DocumentVersion, NoticeBoard
from gongzhi.meetings import minutes as services
from gongzhi.meetings.models import (
    ItemDecision,
    MeetingStatus,
    Minutes,
    MinutesResponse,
    MinutesStatus,
    Presence,
    Proxy,
    Recusal,
)
from gongzhi.notifications.models import Notification
from tests.factories import member
from tests.meetings.world import item_of, meeting_of, seated_council

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def closed_meeting(community, worker, *, present=3, members=5, public=True, name="议事会"):
    """A council's meeting that took place yesterday: ``present`` members signed in by the
    secretary (the first of them), an observer, a proxy, two items (one decided)."""
    body, people = seated_council(community, worker, members=members, name=name)
    secretary = people[0]
    meeting = meeting_of(
        body,
        worker,
        starts_in=timedelta(days=-1),
        secretary=secretary,
        public=public,
        status=MeetingStatus.CLOSED,
    )
    meeting.opened_at = meeting.starts_at
    meeting.closed_at = meeting.ends_at
    meeting.save()
    for person in people[:present]:
        Presence.objects.create(
            community=community,
            meeting=meeting,
            person=person,
            role="member",
            via="secretary",
            arrived_at=meeting.starts_at,
            left_at=meeting.ends_at,
            recorded_by=secretary,
        )
    observer = member(community, display_name="旁听的王阿姨")
    Presence.objects.create(
        community=community,
        meeting=meeting,
        person=observer,
        role="observer",
        via="secretary",
        arrived_at=meeting.starts_at,
        recorded_by=secretary,
    )
    # A scan the secretary never confirmed does not make its person present.
    if members > present:
        Presence.objects.create(
            community=community,
            meeting=meeting,
            person=people[-1],
            role="member",
            via="qr",
            arrived_at=meeting.starts_at,
            recorded_by=people[-1],
        )
    if present >= 2 and members > present + 1:
        Proxy.objects.create(
            community=community,
            meeting=meeting,
            giver=people[present],
            holder=people[1],
            recorded_by=secretary,
        )
    lamps = item_of(meeting, "更换路灯", speakers="张三：路灯坏了三盏。")
    Recusal.objects.create(community=community, item=lamps, person=people[1], reason="亲属承包")
    decision = ItemDecision.objects.create(
        community=community,
        item=lamps,
        method="hands",
        seated=members,
        present=present,
        votes_for=present,
        votes_against=0,
        abstentions=0,
        adopted=True,
        outcome="同意更换三盏路灯。",
        recorded_by=secretary,
    )
    item_of(meeting, "通报绿化进度")
    return meeting, people, decision


def codes(exc: ValidationError) -> set[str]:
    return {e.code for e in exc.error_list}


def circulated(meeting, secretary, django_capture_on_commit_callbacks) -> Minutes:
    minutes = services.minutes_draft(actor=secretary, meeting=meeting)
    with django_capture_on_commit_callbacks(execute=True):
        return services.minutes_circulate(actor=secretary, minutes=minutes)


def test_the_draft_tells_the_agenda_and_the_roll_call(clock, community, worker):
    meeting, people, _decision = closed_meeting(community, worker)
    minutes = services.minutes_draft(actor=people[0], meeting=meeting)
    text = minutes.text
    assert meeting.title in text and meeting.body.name in text
    present_line = gettext("Members present (%(count)d of %(seated)d): %(names)s") % {
        "count": 3,
        "seated": 5,
        "names": "、".join(str(p) for p in people[:3]),
    }
    assert present_line in text
    # The unconfirmed scan and the proxy giver are absent.
    assert (
        gettext("Members absent: %(names)s") % {"names": "、".join(str(p) for p in people[3:])}
        in text
    )
    assert "旁听的王阿姨" in text
    assert (
        str(people[3]) in text
        and gettext("Proxy: %(giver)s's vote carried by %(holder)s")
        % {
            "giver": str(people[3]),
            "holder": str(people[1]),
        }
        in text
    )
    assert "1. 更换路灯" in text and "张三：路灯坏了三盏。" in text and "同意更换三盏路灯。" in text
    assert "2. 通报绿化进度" in text and gettext("No vote was taken on this item.") in text
    assert gettext("Declared a conflict of interest: %(names)s") % {"names": str(people[1])} in text
    assert Activity.objects.filter(verb="minutes.drafted", target_id=str(minutes.pk)).exists()


def test_drafting_is_refused_before_the_close_twice_and_to_others(clock, community, worker):
    meeting, people, _decision = closed_meeting(community, worker)
    with pytest.raises(PermissionDenied):
        services.minutes_draft(actor=people[2], meeting=meeting)
    meeting.status = MeetingStatus.IN_SESSION
    meeting.save()
    with pytest.raises(ValidationError) as refused:
        services.minutes_draft(actor=people[0], meeting=meeting)
    assert codes(refused.value) == {"meeting_not_closed"}
    assert refused.value.messages == [gettext("Minutes are drafted once the meeting is closed.")]
    meeting.status = MeetingStatus.CLOSED
    meeting.save()
    services.minutes_draft(actor=worker, meeting=meeting)
    with pytest.raises(ValidationError) as twice:
        services.minutes_draft(actor=people[0], meeting=meeting)
    assert codes(twice.value) == {"minutes_exist"}
    assert Minutes.objects.count() == 1


def test_circulating_sets_the_charters_period_and_tells_the_members_present(
    clock, community, worker, django_capture_on_commit_callbacks
):
    meeting, people, _decision = closed_meeting(community, worker)
    minutes = services.minutes_draft(actor=people[0], meeting=meeting)
    services.minutes_edit(actor=people[0], minutes=minutes, text="纪要正文（已修改）")
    with django_capture_on_commit_callbacks(execute=True):
        minutes = services.minutes_circulate(actor=people[0], minutes=minutes)
    assert minutes.status == MinutesStatus.CIRCULATED
    assert minutes.objections_until == T0 + timedelta(days=7)
    told = set(
        Notification.objects.filter(kind="minutes_circulated").values_list("user_id", flat=True)
    )
    assert told == {p.pk for p in people[:3]}
    # Once sent, the text changes only by resolving a correction.
    with pytest.raises(ValidationError) as refused:
        services.minutes_edit(actor=people[0], minutes=minutes, text="偷偷改")
    assert codes(refused.value) == {"minutes_circulated"}
    minutes.refresh_from_db()
    assert minutes.text == "纪要正文（已修改）"


def test_a_majority_of_the_members_present_approves_and_publishes(
    clock, community, worker, django_capture_on_commit_callbacks
):
    meeting, people, _decision = closed_meeting(community, worker)
    minutes = circulated(meeting, people[0], django_capture_on_commit_callbacks)
    services.minutes_respond(actor=people[0], minutes=minutes, kind="confirm")
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.CIRCULATED  # 1 of 3 is no majority
    services.minutes_respond(actor=people[1], minutes=minutes, kind="confirm")
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED and minutes.approved_how == "majority"
    document = Document.objects.get(pk=minutes.document_id)
    assert document.kind == "minutes" and document.published_at is not None
    assert DocumentVersion.objects.get(document=document).body == minutes.text
    board = NoticeBoard.objects.in_community(community).get(title=gettext("Meeting minutes"))
    assert list(BoardItem.objects.filter(board=board).values_list("document_id", flat=True)) == [
        document.pk
    ]
    approved = Activity.objects.get(verb="minutes.approved")
    assert approved.data["how"] == "majority" and approved.data["meeting"] == meeting.pk


def test_the_drafters_confirmation_never_approves_alone(
    clock, community, worker, django_capture_on_commit_callbacks
):
    meeting, people, _decision = closed_meeting(community, worker, present=1, members=3)
    minutes = circulated(meeting, people[0], django_capture_on_commit_callbacks)
    services.minutes_respond(actor=people[0], minutes=minutes, kind="confirm")
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.CIRCULATED
    with pytest.raises(ValidationError) as twice:
        services.minutes_respond(actor=people[0], minutes=minutes, kind="confirm")
    assert codes(twice.value) == {"already_confirmed"}


def test_someone_absent_cannot_approve_and_nothing_is_saved(
    clock, community, worker, django_capture_on_commit_callbacks
):
    meeting, people, _decision = closed_meeting(community, worker)
    minutes = circulated(meeting, people[0], django_capture_on_commit_callbacks)
    for outsider in (people[3], people[4], worker):  # a proxy giver, an unconfirmed scan, staff
        with pytest.raises(ValidationError) as refused:
            services.minutes_respond(actor=outsider, minutes=minutes, kind="confirm")
        assert codes(refused.value) == {"not_present"}
        assert refused.value.messages == [
            gettext("Only the members present at the meeting confirm or correct its minutes.")
        ]
    assert not MinutesResponse.objects.exists()
    assert not Activity.objects.filter(verb="minutes.confirmed").exists()


def test_a_response_after_approval_is_refused(
    clock, community, worker, django_capture_on_commit_callbacks
):
    meeting, people, _decision = closed_meeting(community, worker)
    minutes = circulated(meeting, people[0], django_capture_on_commit_callbacks)
    for person in people[:2]:
        services.minutes_respond(actor=person, minutes=minutes, kind="confirm")
    with pytest.raises(ValidationError) as refused:
        services.minutes_respond(actor=people[2], minutes=minutes, kind="correction", text="错字")
    assert codes(refused.value) == {"minutes_approved"}
    assert refused.value.messages == [
        gettext("These minutes are already approved: responses are closed.")
    ]
    assert MinutesResponse.objects.count() == 2


def test_silence_approves_after_the_period_once_corrections_are_dealt_with(
    clock, community, worker, django_capture_on_commit_callbacks
):
    meeting, people, _decision = closed_meeting(community, worker)
    minutes = circulated(meeting, people[0], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        correction = services.minutes_respond(
            actor=people[2], minutes=minutes, kind="correction", text="第1项应为四盏路灯"
        )
    assert Notification.objects.filter(kind="minutes_correction", user=people[0]).exists()
    with pytest.raises(ValidationError) as empty:
        services.minutes_respond(actor=people[1], minutes=minutes, kind="correction", text=" ")
    assert codes(empty.value) == {"correction_empty"}

    clock.shift(timedelta(days=7, minutes=1))
    with pytest.raises(ValidationError) as late:
        services.minutes_respond(actor=people[1], minutes=minutes, kind="confirm")
    assert codes(late.value) == {"minutes_period_over"}
    call_command("minutes_deadlines", stdout=open("/dev/null", "w"))
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.CIRCULATED  # a correction is still open

    services.minutes_resolve(
        actor=people[0],
        response=correction,
        resolution="已改为四盏",
        text=minutes.text.replace("三盏", "四盏"),
    )
    with pytest.raises(ValidationError) as again:
        services.minutes_resolve(actor=people[0], response=correction, resolution="再次")
    assert codes(again.value) == {"already_resolved"}
    assert services.minutes_deadlines().approved == 1
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED and minutes.approved_how == "silence"
    assert "四盏" in DocumentVersion.objects.get(document_id=minutes.document_id).body
    assert Activity.objects.get(verb="minutes.approved").data["how"] == "silence"
    assert services.minutes_deadlines().approved == 0


def test_a_correction_resolved_after_publication_is_a_new_version(
    clock, community, worker, django_capture_on_commit_callbacks
):
    meeting, people, _decision = closed_meeting(community, worker)
    minutes = circulated(meeting, people[0], django_capture_on_commit_callbacks)
    correction = services.minutes_respond(
        actor=people[2], minutes=minutes, kind="correction", text="漏记了李四的发言"
    )
    for person in people[:2]:
        services.minutes_respond(actor=person, minutes=minutes, kind="confirm")
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED
    with pytest.raises(PermissionDenied):
        services.minutes_resolve(actor=people[2], response=correction, resolution="我自己改")
    services.minutes_resolve(
        actor=people[0],
        response=correction,
        resolution="补记李四发言",
        text=minutes.text + "\n李四：建议加装护栏。",
    )
    document = Document.objects.get(pk=minutes.document_id)
    assert document.version_count == 2
    latest = DocumentVersion.objects.get(document=document, number=2)
    assert latest.body.endswith("李四：建议加装护栏。") and latest.change_note == "补记李四发言"
    # Still one item on the board: a new version is not a new notice.
    assert BoardItem.objects.filter(document=document).count() == 1


def test_a_closed_meetings_minutes_are_approved_but_not_published(
    clock, community, worker, django_capture_on_commit_callbacks
):
    meeting, people, _decision = closed_meeting(community, worker, public=False)
    minutes = circulated(meeting, people[0], django_capture_on_commit_callbacks)
    for person in people[:2]:
        services.minutes_respond(actor=person, minutes=minutes, kind="confirm")
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED and minutes.document_id is None
    assert not Document.objects.exists()


def test_the_minutes_page_and_pdf(
    clock, client, community, worker, django_capture_on_commit_callbacks
):
    meeting, people, _decision = closed_meeting(community, worker)
    page = reverse("minutes_detail", args=[community.slug, meeting.pk])
    client.force_login(people[0])
    response = client.post(reverse("minutes_step", args=[community.slug, meeting.pk, "draft"]))
    assert response.status_code == 302 and Minutes.objects.filter(meeting=meeting).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("minutes_step", args=[community.slug, meeting.pk, "circulate"]))
    # A draft is not for the public.
    client.logout()
    assert "更换路灯" not in client.get(page).content.decode()
    assert client.get(reverse("minutes_pdf", args=[community.slug, meeting.pk])).status_code == 404
    # An absent member's confirmation is refused with the translated message.
    client.force_login(people[4])
    response = client.post(
        reverse("minutes_step", args=[community.slug, meeting.pk, "confirm"]), follow=True
    )
    assert gettext("Only the members present at the meeting confirm or correct its minutes.") in (
        response.content.decode()
    )
    for person in people[1:3]:
        client.force_login(person)
        client.post(reverse("minutes_step", args=[community.slug, meeting.pk, "confirm"]))
    assert Minutes.objects.get(meeting=meeting).status == MinutesStatus.APPROVED
    client.logout()
    body = client.get(page).content.decode()
    assert "同意更换三盏路灯。" in body
    pdf = client.get(reverse("minutes_pdf", args=[community.slug, meeting.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_api_reads_and_refuses(
    clock, client, community, worker, django_capture_on_commit_callbacks
):
    meeting, people, _decision = closed_meeting(community, worker)
    minutes = circulated(meeting, people[0], django_capture_on_commit_callbacks)
    url = f"/api/v1/communities/{community.slug}/meetings/{meeting.pk}/minutes"
    anonymous = client.get(url).json()
    assert anonymous["status"] == "circulated" and anonymous["text"] == ""
    assert anonymous["members_present"] == 3 and anonymous["needed"] == 2
    client.force_login(people[4])
    refused = client.post(url + "/responses", {"kind": "confirm"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "not_present"
    client.force_login(people[1])
    answer = client.post(url + "/responses", {"kind": "confirm"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["confirmations"] == 1
    assert answer.json()["text"] == minutes.text
