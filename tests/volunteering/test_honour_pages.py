"""Honours pages: the public honours page (approved lists, names alphabetical, no hours;
thanks to volunteers who allow it), a worker proposes from a form without JavaScript, a council
member records the approval, a bad step shows a translated error and saves nothing, a resident
thanks a volunteer, a volunteer reads and hides their notes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.volunteering import honours
from gongzhi.volunteering.models import RecognitionList, RecognitionStatus, ThankYouNote
from tests.factories import member
from tests.meetings.world import seated_council
from tests.volunteering.world import activity_of, entry_of, shift_of, signup_of, volunteer_of

pytestmark = pytest.mark.django_db
POWER = {"kind": honours.RECOGNITION_KIND, "max_amount_fen": None, "topics": []}


def client_for(user=None, language="zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


def url(name, community, *args):
    return reverse(name, args=[community.slug, *args])


@pytest.fixture
def council(community, worker):
    return seated_council(community, worker, powers=[POWER])


def served(community, worker, name, **fields):
    volunteer = volunteer_of(community, member(community, display_name=name), **fields)
    shift = shift_of(activity_of(community, worker), starts_in=timedelta(days=-2))
    entry_of(signup_of(shift, volunteer), worker, minutes=90)
    return volunteer


def test_a_list_goes_from_the_proposal_form_to_the_public_page(community, worker, council):
    body, people = council
    wang = served(community, worker, "王芳", on_public_lists=True)
    li = served(community, worker, "李明", on_public_lists=True)
    hidden = served(community, worker, "赵雷")  # not on public lists: not offered

    page = client_for(worker).get(url("volunteering_recognition_propose", community))
    assert page.status_code == 200
    assert "王芳" in page.text and "李明" in page.text and "赵雷" not in page.text

    posted = client_for(worker).post(
        url("volunteering_recognition_propose", community),
        {
            "body": body.pk,
            "year": timezone.localdate().year,
            "title": "年度优秀志愿者",
            "citation": "感谢一年的坚持",
            f"cite_{wang.pk}": "坚持花园养护",
            f"cite_{li.pk}": "组织楼道清洁",
        },
    )
    recognition = RecognitionList.objects.in_community(community).get()
    assert posted.status_code == 302
    assert posted["Location"] == url("volunteering_recognition_detail", community, recognition.pk)
    assert recognition.entries.count() == 2

    # not public while proposed
    visitor = client_for()
    detail = url("volunteering_recognition_detail", community, recognition.pk)
    assert visitor.get(detail).status_code == 404
    assert "年度优秀志愿者" not in visitor.get(url("volunteering_honours", community)).text

    # the proposer is offered no decision, and cannot take one
    step = url("volunteering_recognition_step", community, recognition.pk, "approve")
    assert step not in client_for(worker).get(detail).text
    vote = {"decided_on": timezone.localdate().isoformat(), "present": 5, "votes_for": 5}
    refused = client_for(worker).post(step, {**vote, "votes_against": 0, "abstentions": 0})
    assert refused.status_code == 400
    recognition.refresh_from_db()
    assert recognition.status == RecognitionStatus.PROPOSED

    # a council member records it
    member_page = client_for(people[0]).get(detail)
    assert step in member_page.text
    done = client_for(people[0]).post(step, {**vote, "votes_against": 0, "abstentions": 0})
    assert done.status_code == 302
    recognition.refresh_from_db()
    assert recognition.status == RecognitionStatus.APPROVED

    public = visitor.get(url("volunteering_honours", community)).text
    assert "年度优秀志愿者" in public
    assert public.index("李明") < public.index("王芳")  # li before wang
    assert "坚持花园养护" in public
    assert "赵雷" not in public and hidden.person.display_name not in public
    assert "1.5" not in public  # no hours on public pages


def test_a_bad_decision_shows_a_translated_error_and_saves_nothing(community, worker, council):
    body, people = council
    wang = served(community, worker, "王芳", on_public_lists=True)
    recognition = honours.recognition_propose(
        actor=worker,
        community=community,
        body=body,
        year=timezone.localdate().year,
        title="年度表彰",
        entries=[(wang, "热心")],
    )
    step = url("volunteering_recognition_step", community, recognition.pk, "reject")
    answer = client_for(people[0], "en").post(step, {"reason": ""})
    assert answer.status_code == 400
    assert "This field is required." in answer.text
    answer = client_for(people[0], "zh-hans").post(step, {"reason": ""})
    assert "这个字段是必填项。" in answer.text
    recognition.refresh_from_db()
    assert recognition.status == RecognitionStatus.PROPOSED
    # a resident may not even see the step
    assert client_for(member(community)).get(step).status_code == 404


def test_a_resident_thanks_a_volunteer_and_the_volunteer_hides_it(community, worker, resident):
    wang = served(community, worker, "王芳", on_public_lists=True)
    thank = url("volunteering_thank", community, wang.pk)
    form = client_for(resident).get(thank)
    assert form.status_code == 200 and "王芳" in form.text
    sent = client_for(resident).post(thank, {"text": "谢谢你帮我们修花坛", "activity": ""})
    assert sent.status_code == 302
    note = ThankYouNote.objects.in_community(community).get()
    assert "谢谢你帮我们修花坛" in client_for().get(url("volunteering_honours", community)).text

    again = client_for(resident, "en").post(thank, {"text": "再谢一次"})
    assert again.status_code == 400
    assert "already thanked this volunteer today" in again.text

    mine = client_for(wang.person).get(url("volunteering_my_honours", community))
    assert mine.status_code == 200 and "谢谢你帮我们修花坛" in mine.text
    hide = url("volunteering_thanks_hide", community, note.pk)
    assert client_for(resident).post(hide).status_code == 404
    assert client_for(wang.person).post(hide).status_code == 302
    note.refresh_from_db()
    assert note.hidden_at is not None
    assert "谢谢你帮我们修花坛" not in client_for().get(url("volunteering_honours", community)).text


def test_an_unverified_member_cannot_thank(community, worker, unverified):
    wang = served(community, worker, "王芳")
    assert (
        client_for(unverified).get(url("volunteering_thank", community, wang.pk)).status_code == 403
    )


def test_my_honours_shows_my_star_without_ranking(community, worker):
    wang = served(community, worker, "王芳")
    page = client_for(wang.person, "en").get(url("volunteering_my_honours", community))
    assert page.status_code == 200
    assert "98.5 more hours to the next star" in page.text
    stranger = client_for(member(community), "en").get(url("volunteering_my_honours", community))
    assert "not registered as a volunteer" in stranger.text


def test_residents_cannot_propose(community, resident):
    assert (
        client_for(resident).get(url("volunteering_recognition_propose", community)).status_code
        == 403
    )


def test_the_hub_and_mine_partials_render(community, worker, council):
    from django.template.loader import render_to_string

    from gongzhi.volunteering import honour_selectors

    body, people = council
    wang = served(community, worker, "王芳", on_public_lists=True)
    recognition = honours.recognition_propose(
        actor=worker,
        community=community,
        body=body,
        year=timezone.localdate().year,
        title="年度表彰",
        entries=[(wang, "热心")],
    )
    hub = render_to_string(
        "volunteering/_hub_honour.html",
        {"community": community, "hub_honour": honour_selectors.hub(community, people[0])},
    )
    assert url("volunteering_honours", community) in hub
    honours.recognition_decide(
        actor=people[0], recognition=recognition, approve=True, present=5, votes_for=5
    )
    hub = render_to_string(
        "volunteering/_hub_honour.html",
        {"community": community, "hub_honour": honour_selectors.hub(community, None)},
    )
    assert "年度表彰" in hub
    mine = render_to_string(
        "volunteering/_mine_honour.html",
        {
            "community": community,
            "mine_honour": honour_selectors.mine(community, wang.person, wang),
        },
    )
    assert url("volunteering_my_honours", community) in mine
    # a signed-in resident is offered to thank a named volunteer
    page = client_for(member(community)).get(url("volunteering_honours", community)).text
    assert url("volunteering_thank", community, wang.pk) in page
