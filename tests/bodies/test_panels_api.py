"""Review panels through the API: the whole flow, and the issue's bad inputs answered with a
stable code and a translated message, nothing saved."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.accounts.services import api_token_create
from gongzhi.bodies.models import Mandate, Panel, PanelMember, PoolEntry
from gongzhi.core.models import Activity, Role
from tests.bodies.panel_helpers import grids, pool_closes_now, resident_in, reviewed_body
from tests.disclosure.helpers import pdf
from tests.factories import member


def api(user, method, path, body=None, **extra):
    token = api_token_create(user=user, name="t")[1]
    client = Client()
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}", **extra}
    if method == "post_files":
        return client.post(path, body, **kwargs)
    return client.generic(
        method,
        path,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        **kwargs,
    )


def new_panel(community, worker, **overrides):
    grids(community)
    body = reviewed_body(community, worker)
    payload = {
        "title": "小区停车改造方案",
        "reviewed_body_id": body.pk,
        "seats": 3,
        "features": ["grid", "gender"],
        "quotas": [
            {"feature": "gender", "value": "female", "min": 1, "max": 2},
            {"feature": "gender", "value": "male", "min": 1, "max": 2},
        ],
        "pool_closes_at": (timezone.now() + timedelta(days=7)).isoformat(),
        "ends_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
        "answer_days": 14,
        **overrides,
    }
    return api(worker, "POST", f"/api/v1/communities/{community.slug}/panels", payload)


def test_the_whole_flow_through_the_api(community, worker, supervisor, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    slug = community.slug
    response = new_panel(community, worker)
    assert response.status_code == 201, response.content
    panel_id = response.json()["id"]
    base = f"/api/v1/communities/{slug}/panels/{panel_id}"
    people = []
    for number, gender in enumerate(["female", "male", "female", "male", "female"]):
        grid = ("一网格", "二网格")[number % 2]
        person = resident_in(community, grid)
        joined = api(
            person,
            "POST",
            f"{base}/pool",
            {"features": {"grid": grid, "gender": gender}, "consent": True},
        )
        assert joined.status_code == 201, joined.content
        people.append((person, joined.json()["pseudonym"]))
    too_early = api(supervisor, "POST", f"{base}/seed", {"seed": "1 2 3"})
    assert too_early.status_code == 400 and too_early.json()["code"] == "seed_too_early"

    pool_closes_now(Panel.objects.in_community(community).get(pk=panel_id))
    closed = api(worker, "POST", f"{base}/close")
    assert closed.status_code == 200, closed.content
    record = closed.json()
    assert record["status"] == "published" and len(record["probabilities"]) == 5
    published = Client().get(f"{base}/portfolio.json")
    assert hashlib.sha256(published.content).hexdigest() == record["portfolio_sha256"]
    person, pseudonym = people[0]
    assert api(person, "GET", base).json()["my_pseudonym"] == pseudonym

    drawn = api(supervisor, "POST", f"{base}/seed", {"seed": "2026-12-04 开奖 07 19 23"})
    assert drawn.status_code == 200, drawn.content
    record = drawn.json()
    assert record["status"] == "drawn" and len(record["members"]) == 3
    assert "--seed '2026-12-04 开奖 07 19 23'" in record["repeat_command"]
    again = api(member(community, Role.SUPERVISOR), "POST", f"{base}/seed", {"seed": "x"})
    assert again.status_code == 400 and again.json()["code"] == "seed_entered"

    seated = PanelMember.objects.in_community(community).filter(panel_id=panel_id).first().user
    invited = api(worker, "POST", f"{base}/members", {"kind": "stakeholder", "name": "商户代表"})
    assert invited.status_code == 201 and invited.json()["kind"] == "stakeholder"
    added = api(seated, "post_files", f"{base}/documents", {"title": "图纸", "file": pdf()})
    assert added.status_code == 201, added.content
    assert api(seated, "GET", f"{base}/documents").json()[0]["title"] == "图纸"
    assert api(member(community), "GET", f"{base}/documents").status_code == 404

    assessed = api(seated, "POST", f"{base}/assessment", {"text": "可行，需加无障碍车位。"})
    assert assessed.status_code == 200 and assessed.json()["status"] == "assessed"
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    assert assessed.json()["answer_due_on"] == due
    answered = api(worker, "POST", f"{base}/answer", {"text": "采纳。"})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    public = Client().get(base).json()
    assert public["assessment"] and public["answer"] == "采纳。"
    on_time = Activity.objects.in_community(community).get(verb="panel.answered").data["on_time"]
    assert on_time is True


def test_a_pool_entry_from_another_community_is_refused(community, other_community, worker):
    panel_id = new_panel(community, worker).json()["id"]
    outsider = member(other_community)
    response = api(
        outsider,
        "POST",
        f"/api/v1/communities/{community.slug}/panels/{panel_id}/pool",
        {"features": {"grid": "一网格", "gender": "male"}, "consent": True},
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "other_community",
        "message": gettext("Only residents of this community can volunteer for its review panels."),
    }
    assert not PoolEntry.objects.all_communities().exists()


def test_quotas_with_min_over_max_are_refused_and_nothing_is_saved(community, worker):
    quotas = [{"feature": "gender", "value": "female", "min": 3, "max": 1}]
    response = new_panel(community, worker, quotas=quotas)
    assert response.status_code == 400 and response.json()["code"] == "quota_min_max"
    assert not Panel.objects.in_community(community).exists()


def test_quotas_that_cannot_be_met_are_refused_at_closing(community, worker):
    quotas = [{"feature": "gender", "value": "female", "min": 3, "max": 3}]
    panel_id = new_panel(community, worker, quotas=quotas).json()["id"]
    base = f"/api/v1/communities/{community.slug}/panels/{panel_id}"
    for gender in ("female", "male", "male"):
        person = resident_in(community, "一网格")
        api(
            person,
            "POST",
            f"{base}/pool",
            {"features": {"grid": "一网格", "gender": gender}, "consent": True},
        )
    pool_closes_now(Panel.objects.in_community(community).get(pk=panel_id))
    response = api(worker, "POST", f"{base}/close")
    assert response.status_code == 400 and response.json()["code"] == "quotas_infeasible"
    assert "gender=female" in response.json()["message"]
    assert Panel.objects.in_community(community).get(pk=panel_id).portfolio_sha256 == ""
    assert not Mandate.objects.in_community(community).exists()


@pytest.mark.parametrize("who", ["resident", "worker"])
def test_only_supervisors_enter_the_seed(community, worker, who):
    panel_id = new_panel(community, worker).json()["id"]
    user = worker if who == "worker" else member(community)
    response = api(
        user,
        "POST",
        f"/api/v1/communities/{community.slug}/panels/{panel_id}/seed",
        {"seed": "1"},
    )
    assert response.status_code == 403
