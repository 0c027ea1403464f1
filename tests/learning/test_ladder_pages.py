"""The ladder's pages: my pathway (six steps, where I am, my evidence, next steps, the switch),
the workers' pipeline (filter, pages, never anyone who opted out), inviting from it, and an
invitation's page (accept, decline, withdraw) — without JavaScript, in plain forms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from gongzhi.core.leadership import step_registry
from gongzhi.learning.models import Invitation, InvitationStatus, PipelineOptOut
from tests.factories import member
from tests.learning.world import course_of
from tests.volunteering.world import activity_of

pytestmark = pytest.mark.django_db


def _url(name, community, **kwargs):
    return reverse(name, kwargs={"slug": community.slug, **kwargs})


def organiser(community, **fields):
    person = member(community, **fields)
    activity_of(community, person, created_at=timezone.now() - timedelta(days=1))
    return person


def test_my_pathway_draws_six_steps_marks_mine_and_suggests_a_course(client, community, worker):
    person = organiser(community)
    course_of(community, worker, title="会议主持与协商议事", qualification="chairing")
    client.force_login(person)
    response = client.get(_url("learning_pathway", community))
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count('class="ladder-step') == 6
    assert 'data-rung="3"' in text and "current" in text
    assert "会议主持与协商议事" in text  # the open course for chairing, the next step's role
    assert _url("learning_pipeline_choice", community) in text


def test_the_pathway_needs_a_login_and_membership(client, community, other_community):
    assert client.get(_url("learning_pathway", community)).status_code == 302
    client.force_login(member(other_community))
    assert client.get(_url("learning_pathway", community)).status_code == 404


def test_the_switch_takes_me_off_the_pipeline_and_back(client, community, worker):
    person = organiser(community)
    client.force_login(person)
    response = client.post(_url("learning_pipeline_choice", community), {"listed": "0"})
    assert response.status_code == 302
    assert PipelineOptOut.objects.in_community(community).filter(person=person).exists()
    client.force_login(worker)
    text = client.get(_url("learning_pipeline", community)).content.decode()
    assert f'data-person="{person.pk}"' not in text
    client.force_login(person)
    client.post(_url("learning_pipeline_choice", community), {"listed": "1"})
    client.force_login(worker)
    text = client.get(_url("learning_pipeline", community)).content.decode()
    assert f'data-person="{person.pk}"' in text


def test_the_pipeline_is_for_staff_only(client, community, resident, worker):
    client.force_login(resident)
    assert client.get(_url("learning_pipeline", community)).status_code == 404
    client.force_login(worker)
    assert client.get(_url("learning_pipeline", community)).status_code == 200


def test_the_pipeline_filters_and_pages(client, community, worker, django_assert_max_num_queries):
    people = [organiser(community) for _ in range(27)]
    client.force_login(worker)
    with django_assert_max_num_queries(40):
        first = client.get(_url("learning_pipeline", community)).content.decode()
    assert first.count("data-person=") == 25
    assert 'rel="next"' in first
    second = client.get(_url("learning_pipeline", community) + "?page=2").content.decode()
    assert second.count("data-person=") == 2
    chairs = client.get(_url("learning_pipeline", community) + "?rung=4").content.decode()
    assert "data-person=" not in chairs
    assert people


def test_a_worker_invites_from_the_pipeline_and_the_person_accepts(client, community, worker):
    person = organiser(community)
    client.force_login(worker)
    form = _url("learning_invitation_new", community, user_id=person.pk)
    assert client.get(form).status_code == 200
    response = client.post(form, {"step": "meetings.chair", "message": "欢迎试试"})
    invitation = Invitation.objects.in_community(community).get(person=person)
    assert response.status_code == 302
    assert response["Location"] == _url(
        "learning_invitation", community, invitation_id=invitation.pk
    )
    again = client.post(form, {"step": "meetings.chair"})
    assert again.status_code == 200 and "errors" in again.content.decode()
    assert Invitation.objects.in_community(community).count() == 1
    client.force_login(person)
    page = client.get(_url("learning_invitation", community, invitation_id=invitation.pk))
    text = page.content.decode()
    assert "欢迎试试" in text and reverse("meeting_list", args=[community.slug]) in text
    client.post(
        _url("learning_invitation_act", community, invitation_id=invitation.pk, action="accept")
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED


def test_an_invitation_is_hidden_from_others_and_only_staff_withdraw(client, community, worker):
    person, neighbour = member(community), member(community)
    invitation = Invitation.objects.in_community(community).create(
        person=person, step="meetings.chair", invited_by=worker
    )
    page = _url("learning_invitation", community, invitation_id=invitation.pk)
    client.force_login(neighbour)
    assert client.get(page).status_code == 404
    withdraw = _url(
        "learning_invitation_act", community, invitation_id=invitation.pk, action="withdraw"
    )
    assert client.post(withdraw).status_code == 404
    client.force_login(person)
    assert client.post(withdraw).status_code == 403
    client.force_login(worker)
    assert client.post(withdraw).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.WITHDRAWN


def test_the_learning_pages_show_the_ladder_cards(client, community, worker):
    person = organiser(community)
    Invitation.objects.in_community(community).create(
        person=person, step="meetings.chair", invited_by=worker
    )
    client.force_login(person)
    mine = client.get(_url("learning_me", community)).content.decode()
    assert 'id="mine-ladder"' in mine and _url("learning_pathway", community) in mine
    home = client.get(_url("learning_home", community)).content.decode()
    assert 'id="hub-ladder"' in home
    client.force_login(worker)
    home = client.get(_url("learning_home", community)).content.decode()
    assert _url("learning_pipeline", community) in home


def test_the_invite_form_groups_steps_by_rung_and_preselects_the_next_rung(
    client, community, worker
):
    person = organiser(community)  # on rung 3
    client.force_login(worker)
    response = client.get(_url("learning_invitation_new", community, user_id=person.pk))
    text = response.content.decode()
    assert text.count("<optgroup") == 6
    # an option is the step's own label only (the rung is its group's heading): short on a phone
    with translation.override(response.headers["Content-Language"]):  # the page's language
        label = escape(str(step_registry()["meetings.chair"].label))
    assert f'<option value="meetings.chair" selected>{label}</option>' in text
    assert text.count(" selected") == 1


@pytest.mark.parametrize("page", ["99999999999999999999999", "100001", "0", "x"])
def test_a_page_number_out_of_range_is_the_first_or_last_page_not_an_error(
    client, community, worker, page
):
    person = organiser(community)
    client.force_login(worker)
    response = client.get(_url("learning_pipeline", community), {"page": page})
    assert response.status_code == 200
    assert str(person.pk) in response.content.decode()
    api = f"/api/v1/communities/{community.slug}/learning/pipeline"
    answer = client.get(api, {"page": page})
    assert answer.status_code == 422  # the API says which field is wrong, never a 500
    assert answer.json()["code"] == "invalid_request"


def test_the_pipeline_reads_a_page_past_the_end_as_the_last(community, worker):
    from gongzhi.learning import pathway

    person = organiser(community)
    page = pathway.pipeline(community, page=10**30)
    assert page.number == 1
    assert [c.user.pk for c in page.candidates] == [person.pk]
