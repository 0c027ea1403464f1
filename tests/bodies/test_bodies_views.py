"""The bodies pages: the list and a body's page for members (not outsiders), with members
today and past, the charter in force and its versions; the staff forms, whose bad input shows
a translated error and saves nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.bodies import services
from gongzhi.bodies.models import Body, Charter, Decision, Mandate, Position
from gongzhi.core.models import Membership
from tests.bodies.bodies_world import charter_in, council, seat, term
from tests.factories import member

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


@pytest.fixture
def body(community, worker):
    made = council(community, worker)
    position = seat(made)
    today = timezone.localdate()
    term(
        made,
        position,
        member(community, display_name="李主任"),
        starts=today - timedelta(days=30),
        ends=today + timedelta(days=300),
    )
    term(
        made,
        position,
        member(community, display_name="王前任"),
        seat=2,
        starts=today - timedelta(days=400),
        ends=today - timedelta(days=31),
    )
    return made


def test_members_see_the_list_and_a_body_outsiders_do_not(
    community, body, resident, outsider, django_assert_max_num_queries
):
    client = client_for(resident)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("body_list", args=[community.slug]))
    assert page.status_code == 200 and "议事会" in page.content.decode()
    detail = client.get(reverse("body_detail", args=[community.slug, body.pk])).content.decode()
    assert "李主任" in detail and "王前任" in detail
    assert gettext("Past members") in detail and str(gettext("appointed")) in detail
    assert reverse("body_position_add", args=[community.slug, body.pk]) not in detail
    stranger = client_for(outsider)
    assert stranger.get(reverse("body_list", args=[community.slug])).status_code == 404
    assert stranger.get(reverse("body_detail", args=[community.slug, body.pk])).status_code == 404


def test_a_worker_sets_up_a_body_with_its_charter(community, worker):
    url = reverse("body_create", args=[community.slug])
    form = {
        "kind": "council",
        "name": "楼道议事会",
        "purpose": "楼道公共事务",
        "quorum_percent": "60",
        "threshold_percent": "50",
        "threshold_base": "present",
        "amendment_percent": "67",
        "meeting_every_days": "30",
        "term_months": "36",
        "vacancy_rule": "by_election",
        "text": "第一条",
        "power_appoint_member": "on",
        "power_answer_proposals": "on",
        "topics_answer_proposals": "停车、绿化",
    }
    response = client_for(worker).post(url, form)
    created = Body.objects.in_community(community).get(name="楼道议事会")
    assert response.status_code == 302
    charter = Charter.objects.in_community(community).get(body=created)
    assert charter.quorum_percent == 60
    assert {p["kind"]: p["topics"] for p in charter.powers} == {
        "appoint_member": [],
        "answer_proposals": ["停车", "绿化"],
    }


def test_a_charter_without_a_quorum_shows_the_error_and_saves_nothing(community, worker):
    url = reverse("body_create", args=[community.slug])
    form = {
        "kind": "council",
        "name": "楼道议事会",
        "purpose": "x",
        "quorum_percent": "",
        "threshold_percent": "50",
        "threshold_base": "present",
        "amendment_percent": "67",
        "meeting_every_days": "30",
        "term_months": "36",
        "vacancy_rule": "by_election",
    }
    response = client_for(worker).post(url, form)
    assert response.status_code == 400
    assert gettext("A charter must say how many of the seated members make a quorum.") in (
        response.content.decode()
    )
    assert not Body.objects.in_community(community).exists()


def test_a_resident_reaches_no_staff_form(community, body, resident):
    client = client_for(resident)
    assert client.get(reverse("body_create", args=[community.slug])).status_code == 403
    assert (
        client.get(reverse("body_position_add", args=[community.slug, body.pk])).status_code == 403
    )
    assert (
        client.get(reverse("body_decision_record", args=[community.slug, body.pk])).status_code
        == 403
    )


def test_positions_and_terms_through_the_forms(community, worker, body):
    client = client_for(worker)
    added = client.post(
        reverse("body_position_add", args=[community.slug, body.pk]),
        {"title": "秘书", "seats": "1", "role": ""},
    )
    assert added.status_code == 302
    secretary = Position.objects.in_community(community).get(body=body, title="秘书")
    person = member(community, display_name="赵秘书")
    membership = Membership.objects.in_community(community).get(user=person)
    url = reverse("body_mandate_start", args=[community.slug, body.pk])
    form = {
        "position": secretary.pk,
        "membership": membership.pk,
        "seat": "1",
        "chosen_by": "appointment",
        "starts_on": timezone.localdate().isoformat(),
    }
    assert client.get(url).status_code == 200
    assert client.post(url, form).status_code == 302
    again = client.post(
        url, {**form, "membership": Membership.objects.in_community(community).get(user=worker).pk}
    )
    assert again.status_code == 400
    assert Mandate.objects.in_community(community).filter(position=secretary).count() == 1
    mandate = Mandate.objects.in_community(community).get(position=secretary)
    ended = client.post(
        reverse("body_mandate_end", args=[community.slug, body.pk, mandate.pk]), {"reason": "辞职"}
    )
    assert ended.status_code == 302
    mandate.refresh_from_db()
    assert mandate.ended_at is not None and mandate.end_reason == "辞职"


def test_a_decision_outside_powers_is_refused_on_the_page(community, worker, body):
    url = reverse("body_decision_record", args=[community.slug, body.pk])
    form = {
        "kind": "answer_proposals",
        "title": "答复停车提议",
        "decided_on": timezone.localdate().isoformat(),
        "present": "1",
        "votes_for": "1",
        "votes_against": "0",
        "abstentions": "0",
        "topic": "停车",
    }
    response = client_for(worker).post(url, form)
    assert response.status_code == 400
    assert gettext("The charter gives this body no power to take this kind of decision.") in (
        response.content.decode()
    )
    assert not Decision.objects.in_community(community).exists()
    ok = client_for(worker).post(url, {**form, "kind": "appoint_member", "topic": ""})
    assert ok.status_code == 302, re.findall(r'role="alert">(.*?)</div>', ok.content.decode(), re.S)
    assert Decision.objects.in_community(community).count() == 1


def test_an_amendment_shows_the_versions_and_what_changed(community, worker, body):
    sitting = Mandate.objects.in_community(community).filter(ended_at__isnull=True).first()
    services.charter_amend(
        actor=worker,
        body=body,
        charter=charter_in(quorum_percent=80, text="第一条\n第二条"),
        decided_on=timezone.localdate(),
        present=1,
        votes_for=1,
        votes_against=0,
        abstentions=0,
    )
    assert sitting is not None
    page = client_for(member(community)).get(reverse("body_detail", args=[community.slug, body.pk]))
    html = page.content.decode()
    assert "+第二条" in html and "<del>50</del>" in html and "<ins>80</ins>" in html
