"""Evaluation in the API: the indicators with their definitions and last month, one indicator's
series and group splits (hidden cells as nulls), the interventions; and the bad input the
issue names: an unknown indicator, another community, an end before the start."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils.translation import gettext

from gongzhi.accounts.services import api_token_create
from gongzhi.evaluation import selectors
from gongzhi.evaluation.models import Intervention
from tests.api_world import staff
from tests.evaluation.pages_world import World, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(community) -> World:
    return build(community)


def api(user) -> Client:
    token = api_token_create(user=user, name="test")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def base(world: World) -> str:
    return f"/api/v1/communities/{world.community.slug}"


def test_the_list_has_every_indicator_with_its_definition_and_last_month(world, worker):
    response = api(worker).get(f"{base(world)}/indicators")
    assert response.status_code == 200
    body = response.json()
    assert [i["key"] for i in body] == list(selectors.registry())
    rate = next(i for i in body if i["key"] == "participation.rate")
    spec = selectors.indicator_spec("participation.rate")
    assert rate["definition"] == str(spec.definition)
    assert rate["denominator"] == str(spec.denominator)
    assert rate["latest"]["month"] == world.last.strftime("%Y-%m")
    assert (rate["latest"]["numerator"], rate["latest"]["denominator"]) == (9, 12)
    assert rate["latest"]["value"] == pytest.approx(0.75)


def test_one_indicator_has_its_series_and_groups(world, worker):
    response = api(worker).get(f"{base(world)}/indicators/participation.rate")
    assert response.status_code == 200
    body = response.json()
    assert len(body["series"]) == selectors.MONTHS
    assert body["series"][-1]["month"] == body["groups_month"] == world.last.strftime("%Y-%m")
    groups = {g["group"]: g for g in body["groups"]}
    assert groups["elderly:yes"]["value"] == pytest.approx(1.0)
    assert groups["elderly:no"]["value"] == pytest.approx(0.5)
    hidden = groups["low_income:yes"]
    assert hidden["suppressed"] is True
    assert hidden["numerator"] is hidden["value"] is hidden["people"] is None
    assert body["min_cell"] == 5


def test_a_shorter_window_ending_earlier(world, worker):
    earlier = selectors.add_months(world.last, -1).strftime("%Y-%m")
    response = api(worker).get(
        f"{base(world)}/indicators/participation.rate", {"to": earlier, "months": 3}
    )
    assert response.status_code == 200
    series = response.json()["series"]
    assert [s["month"] for s in series][-1] == earlier and len(series) == 3
    assert series[-1]["numerator"] == 0, "nobody took part the month before"


def test_an_unknown_indicator_is_not_found(world, worker):
    response = api(worker).get(f"{base(world)}/indicators/participation.nonsense")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": gettext("Not found.")}


def test_a_malformed_month_is_refused_in_the_callers_language(world, worker):
    response = api(worker).get(f"{base(world)}/indicators/participation.rate", {"to": "March"})
    assert response.status_code == 400
    assert response.json()["message"] == gettext("Give the month as YYYY-MM, for example 2026-03.")


@pytest.mark.parametrize("who", ["resident", "stranger"])
def test_a_community_one_may_not_see_is_not_found(world, resident, other_community, who):
    user = resident if who == "resident" else staff(other_community, "community_worker")
    client = api(user)
    for path in ("/indicators", "/indicators/participation.rate", "/interventions"):
        assert client.get(base(world) + path).status_code == 404, path
    response = client.post(
        f"{base(world)}/interventions",
        json.dumps({"name": "培训", "kind": "training", "started_on": "2026-01-01"}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not Intervention.objects.in_community(world.community).exists()


def test_a_worker_records_and_lists_an_intervention(world, worker):
    client = api(worker)
    response = client.post(
        f"{base(world)}/interventions",
        json.dumps(
            {
                "name": "楼长培训",
                "kind": "training",
                "started_on": "2026-01-10",
                "ended_on": "2026-02-10",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["name"] == "楼长培训" and made["ended_on"] == "2026-02-10"
    listed = client.get(f"{base(world)}/interventions").json()
    assert [i["id"] for i in listed] == [made["id"]]


def test_an_end_before_the_start_is_refused_and_nothing_saved(world, worker):
    response = api(worker).post(
        f"{base(world)}/interventions",
        json.dumps(
            {
                "name": "楼长培训",
                "kind": "training",
                "started_on": "2026-03-01",
                "ended_on": "2026-02-01",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == gettext("An intervention cannot end before it starts.")
    assert not Intervention.objects.in_community(world.community).exists()


def test_an_unknown_kind_does_not_fit_the_schema(world, worker):
    response = api(worker).post(
        f"{base(world)}/interventions",
        json.dumps({"name": "x", "kind": "party", "started_on": "2026-03-01"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not Intervention.objects.in_community(world.community).exists()
