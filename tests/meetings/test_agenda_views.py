"""Agenda pages and buttons: a worker prepares the agenda on a phone, residents read the
published version, bad input is a translated message and nothing is saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from gongzhi.meetings import agenda
from gongzhi.meetings.models import AgendaItem, AgendaVersion
from tests.factories import member
from tests.meetings.test_agenda import PDF, answering, under_review
from tests.meetings.world import meeting_of, seated_council

pytestmark = pytest.mark.django_db
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def as_user(user=None) -> Client:
    client = Client(HTTP_USER_AGENT=PHONE, HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.force_login(user)
    return client


def said(response) -> list[str]:
    """The messages this request added (earlier ones wait in the session, unread)."""
    return [str(m) for m in get_messages(response.wsgi_request)._queued_messages]


def url(name: str, meeting, *args) -> str:
    return reverse(name, args=[meeting.community.slug, meeting.pk, *args])


@pytest.fixture
def council(community, worker):
    body, people = seated_council(community, worker, powers=answering())
    return body, people


def test_a_worker_builds_and_publishes_the_agenda_from_two_proposals(
    community, worker, resident, council
):
    body, _people = council
    meeting = meeting_of(body, worker, public=True)
    first = under_review(community, resident, title="装电梯")
    second = under_review(community, resident, category="绿化", title="补种树")
    client = as_user(worker)
    page = client.get(url("agenda_detail", meeting))
    assert page.status_code == 200
    assert "装电梯" in page.content.decode() and "补种树" in page.content.decode()  # waiting
    waiting = reverse("agenda_waiting", args=[community.slug])
    assert waiting in page.content.decode()
    for proposal in (first, second):
        response = client.post(
            url("agenda_proposal", meeting), {"proposal": proposal.pk, "minutes_allotted": 15}
        )
        assert response.status_code == 302
        assert response["Location"].endswith(f"/meetings/{meeting.pk}/#agenda")
        assert said(response) == [gettext("The proposal is on the agenda.")]
    response = client.post(
        url("agenda_add", meeting),
        {"title": "物业费收支", "minutes_allotted": 20, "decision_kind": ""},
    )
    assert said(response) == [gettext("The item is on the agenda.")]
    last = AgendaItem.objects.in_community(community).get(title="物业费收支")
    client.post(url("agenda_item_move", meeting, last.pk), {"position": 1})
    response = client.post(url("agenda_publish", meeting), {"note": ""})
    assert said(response) == [gettext("The agenda is published.")]
    version = AgendaVersion.objects.in_community(community).get(meeting=meeting)
    assert [e["title"] for e in version.items] == ["物业费收支", "装电梯", "补种树"]
    # everyone reads the published version of a public meeting, even logged out
    public = as_user().get(url("agenda_detail", meeting)).content.decode()
    assert "物业费收支" in public and "补种树" in public
    assert "agenda-waiting" not in public


def test_another_communitys_proposal_is_a_message_and_nothing_saved(
    community, other_community, worker, council
):
    body, _people = council
    meeting = meeting_of(body, worker)
    elsewhere = under_review(other_community, member(other_community))
    response = as_user(worker).post(
        url("agenda_proposal", meeting), {"proposal": elsewhere.pk, "minutes_allotted": 10}
    )
    assert said(response) == [
        gettext("This community has no proposal number %(number)d.") % {"number": elsewhere.pk}
    ]
    assert not AgendaItem.objects.in_community(community).exists()


def test_publishing_too_late_is_a_message_and_nothing_saved(community, worker, council):
    body, _people = council
    meeting = meeting_of(body, worker, starts_in=timedelta(days=3))
    agenda.item_add(actor=worker, meeting=meeting, title="预算")
    client = as_user(worker)
    page = client.get(url("agenda_detail", meeting)).content.decode()
    assert gettext("That moment has passed: move the meeting to a later date.") in page
    response = client.post(url("agenda_publish", meeting), {})
    message = ngettext(
        "Too late: the charter asks for the agenda to be published at least %(days)d day "
        "before the meeting. Move the meeting to a later date.",
        "Too late: the charter asks for the agenda to be published at least %(days)d days "
        "before the meeting. Move the meeting to a later date.",
        7,
    ) % {"days": 7}
    assert said(response) == [message]
    assert not AgendaVersion.objects.in_community(community).exists()


def test_residents_cannot_touch_the_agenda(community, worker, resident, council):
    body, _people = council
    meeting = meeting_of(body, worker)
    item = agenda.item_add(actor=worker, meeting=meeting, title="预算")
    client = as_user(resident)
    assert (
        client.post(url("agenda_add", meeting), {"title": "x", "minutes_allotted": 5}).status_code
        == 403
    )
    assert client.post(url("agenda_publish", meeting), {}).status_code == 403
    assert client.post(url("agenda_item_withdraw", meeting, item.pk), {}).status_code == 403
    assert client.get(url("agenda_item_edit", meeting, item.pk)).status_code == 403
    assert client.get(reverse("agenda_waiting", args=[community.slug])).status_code == 403
    assert AgendaItem.objects.in_community(community).count() == 1


def test_a_member_adds_an_item_and_edits_it(community, worker, council):
    body, people = council
    meeting = meeting_of(body, worker, secretary=people[1])
    secretary_page = as_user(people[1]).get(url("agenda_detail", meeting)).content.decode()
    assert reverse("agenda_waiting", args=[community.slug]) not in secretary_page
    assert url("agenda_publish", meeting) in secretary_page
    client = as_user(people[0])
    client.post(url("agenda_add", meeting), {"title": "楼道堆物", "minutes_allotted": 5})
    item = AgendaItem.objects.in_community(community).get()
    assert item.source == "member"
    edit = url("agenda_item_edit", meeting, item.pk)
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"title": "楼道堆物清理", "minutes_allotted": 8})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.minutes_allotted) == ("楼道堆物清理", 8)


def test_documents_are_public_once_the_item_is_published(community, worker, council):
    body, _people = council
    meeting = meeting_of(body, worker, public=True)
    item = agenda.item_add(actor=worker, meeting=meeting, title="预算")
    response = as_user(worker).post(
        url("agenda_item_upload", meeting, item.pk),
        {"title": "预算表", "file": SimpleUploadedFile("budget.pdf", PDF)},
    )
    assert said(response) == [gettext("The document is added.")]
    document = item.documents.get()
    link = url("agenda_document", meeting, item.pk, document.pk)
    assert as_user().get(link).status_code == 404
    assert as_user(worker).get(link).status_code == 200
    agenda.agenda_publish(actor=worker, meeting=meeting)
    response = as_user().get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_the_waiting_list_offers_a_proposal_to_the_next_meeting(
    community, worker, resident, council
):
    body, _people = council
    meeting = meeting_of(body, worker)
    proposal = under_review(community, resident, title="装电梯")
    client = as_user(worker)
    page = client.get(reverse("agenda_waiting", args=[community.slug]))
    assert "装电梯" in page.content.decode()
    response = client.post(reverse("agenda_offer", args=[community.slug, proposal.pk]))
    assert said(response) == [
        gettext("The proposal is on the agenda of “%(meeting)s”.") % {"meeting": meeting.title}
    ]
    assert AgendaItem.objects.in_community(community).get().proposal == proposal


def test_the_meeting_page_shows_the_agenda_section(community, worker, council):
    body, _people = council
    meeting = meeting_of(body, worker, public=True)
    agenda.item_add(actor=worker, meeting=meeting, title="预算")
    agenda.agenda_publish(actor=worker, meeting=meeting)
    page = as_user().get(url("meeting_detail", meeting))
    assert page.status_code == 200
    assert 'id="agenda"' in page.content.decode() and "预算" in page.content.decode()
