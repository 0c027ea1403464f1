"""Budgeting pages and API: the home link, the staff form, an idea through the page, the
knapsack page's running total without JavaScript, the results page, the API, query counts."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import reverse

from gongzhi.budgeting import services
from gongzhi.budgeting.models import Ballot, Idea, Process
from tests.budgeting.helpers import dates_for, make_process, project, set_phase
from tests.factories import member


@pytest.fixture(autouse=True)
def _in_english(client):
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.mark.django_db
def test_the_community_home_links_to_budgets(client, community):
    page = client.get(reverse("community_home", args=[community.slug])).content.decode()
    assert reverse("budget_list", args=[community.slug]) in page


@pytest.mark.django_db
def test_a_worker_opens_a_process_through_the_form(client, community, worker):
    client.force_login(worker)
    data = {k: v.strftime("%Y-%m-%dT%H:%M") for k, v in dates_for("ideas").items()}
    data |= {"title": "微更新", "budget": "50000", "ballot_type": "knapsack", "min_projects": "1"}
    data |= {"points": "10", "rule": "mes-add1", "tie_breaking": "votes,min-cost"}
    response = client.post(reverse("budget_create", args=[community.slug]), data)
    process = Process.objects.in_community(community).get()
    assert response.status_code == 302 and process.budget == 50000


@pytest.mark.django_db
def test_a_resident_submits_an_idea_through_the_page(client, community, worker, resident):
    process = make_process(community, worker, "ideas")
    client.force_login(resident)
    url = reverse("budget_idea_submit", args=[community.slug, process.pk])
    bad = client.post(url, {"title": "t", "description": "d", "estimated_cost": "999999"})
    assert "more than the whole budget" in bad.content.decode()
    client.post(url, {"title": "装长椅", "description": "广场", "estimated_cost": "3000"})
    assert Idea.objects.in_community(community).get().title == "装长椅"


@pytest.mark.django_db
def test_the_knapsack_page_shows_the_total_after_update(client, community, worker, resident):
    process = make_process(community, worker, "voting")
    a, b = project(process, 60_000, "a"), project(process, 50_000, "b")
    client.force_login(resident)
    url = reverse("budget_ballot", args=[community.slug, process.pk])
    page = client.post(url, {"project": [a.pk, b.pk], "action": "update"}).content.decode()
    assert 'id="total">110000<' in page and "more than the budget" in page
    assert not Ballot.objects.in_community(community).exists()
    refused = client.post(url, {"project": [a.pk, b.pk], "action": "cast"})
    assert refused.status_code == 400 and not Ballot.objects.in_community(community).exists()
    client.post(url, {"project": [a.pk], "action": "cast"})
    assert services.my_ballot(process=process, voter=resident) == [[a.pk, 1]]


@pytest.mark.django_db
def test_the_results_page_explains_each_project(
    client, community, worker, django_assert_max_num_queries
):
    process = make_process(
        community, worker, "voting", rule="greedy", budget=100, ballot_type="approval"
    )
    projects = [project(process, 60, f"p{i}") for i in range(6)]
    for p in projects[:3]:
        services.ballot_cast(actor=member(community), process=process, projects=[p.pk])
    set_phase(process, "results")
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.tally_request(actor=worker, process=process)
    url = reverse("budget_results", args=[community.slug, process.pk])
    with django_assert_max_num_queries(8):
        page = client.get(url).content.decode()
    assert "not enough budget left" in page and "nobody voted for it" in page
    api = client.get(f"/api/v1/communities/{community.slug}/budgets/{process.pk}/results").json()
    assert api["ready"] and sum(r["funded"] for r in api["projects"]) == 1


@pytest.mark.django_db
def test_list_and_detail_pages_keep_their_query_counts(
    client, community, worker, django_assert_max_num_queries
):
    for _ in range(5):
        process = make_process(community, worker, "ideas")
        for i in range(5):
            project(process, 100, f"p{i}")
    with django_assert_max_num_queries(6):
        assert client.get(reverse("budget_list", args=[community.slug])).status_code == 200
    with django_assert_max_num_queries(8):
        client.get(reverse("budget_detail", args=[community.slug, process.pk]))


@pytest.mark.django_db
def test_the_api_casts_a_ballot_and_refuses_a_bad_one(client, community, worker, resident):
    process = make_process(community, worker, "voting")
    a, b = project(process, 60_000, "a"), project(process, 50_000, "b")
    client.force_login(resident)
    url = f"/api/v1/communities/{community.slug}/budgets/{process.pk}/ballot"
    bad = client.put(url, {"projects": [a.pk, b.pk]}, content_type="application/json")
    assert bad.status_code == 400 and "more than the budget" in bad.json()["message"]
    ok = client.put(url, {"projects": [b.pk]}, content_type="application/json")
    assert ok.json() == {"saved": True, "replaced": False}
    listing = client.get(f"/api/v1/communities/{community.slug}/budgets").json()
    assert listing["items"][0]["phase"] == "voting"


@pytest.mark.django_db
def test_staff_export_a_pabulib_file_and_residents_cannot(client, community, worker, resident):
    process = make_process(community, worker, "results")
    url = reverse("budget_export", args=[community.slug, process.pk])
    client.force_login(resident)
    assert client.get(url).status_code == 404
    client.force_login(worker)
    assert client.get(url).content.decode().startswith("META")
