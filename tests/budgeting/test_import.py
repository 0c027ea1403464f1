"""Importing a past election from a Pabulib file: stored like any budget, counted by the same task."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from gongzhi.budgeting import pabulib, services
from gongzhi.budgeting.models import Ballot, Idea, Process, Tally
from gongzhi.core.models import Activity
from tests.budgeting.data import PABULIB, needs_data
from tests.factories import member

WIELICZKA = PABULIB / "poland_wieliczka_2023.pb"


@needs_data
@pytest.mark.django_db
def test_wieliczka_imported_and_counted_gives_the_citys_official_result(community, worker):
    """The city used MES with Add1 completion; its `selected` column is the official result."""
    with TestCase.captureOnCommitCallbacks(execute=True):  # the immediate backend counts
        process = services.pabulib_import(
            actor=worker, community=community, content=WIELICZKA.read_bytes()
        )
    instance = pabulib.read(WIELICZKA)
    assert process.phase() == "results" and process.budget == int(instance.budget)
    ideas = Idea.objects.in_community(community).filter(process=process)
    assert ideas.count() == len(instance.projects)
    assert Ballot.objects.in_community(community).filter(process=process).count() == len(
        instance.ballots
    )
    tally = Tally.objects.in_community(community).get(process=process)
    assert tally.status == "done" and tally.progress == 100, tally.outcome
    project_of = {str(idea.pk): idea for idea in ideas}
    funded = {project_of[pk].title for pk in tally.outcome["selected"]}
    official = {
        (instance.projects[pid].fields.get("name") or pid)[:120]  # a title holds 120 characters
        for pid in instance.selected_ids()
    }
    assert funded == official and len(funded) == 30
    assert Activity.objects.in_community(community).filter(verb="budget.imported").exists()


@pytest.mark.django_db
def test_a_broken_file_is_refused_with_its_line_and_nothing_is_saved(community, worker):
    broken = "META\nkey;value\nvote_type;approval\nbudget;100\nPROJECTS\nproject_id;cost\n1;abc\n"
    with pytest.raises(ValidationError) as refused:
        services.pabulib_import(actor=worker, community=community, content=broken.encode())
    assert "7" in refused.value.messages[0]  # the line of the bad cost
    assert not Process.objects.in_community(community).exists()


@pytest.mark.django_db
def test_a_fractional_budget_or_cost_is_refused(community, worker):
    text = (
        "META\nkey;value\nvote_type;approval\nbudget;100.5\nnum_projects;1\nnum_votes;1\n"
        "PROJECTS\nproject_id;cost\n1;10\nVOTES\nvoter_id;vote\n1;1\n"
    )
    with pytest.raises(ValidationError) as refused:
        services.pabulib_import(actor=worker, community=community, content=text.encode())
    assert refused.value.code == "not_whole"
    assert not Process.objects.in_community(community).exists()


@pytest.mark.django_db
def test_only_staff_import_and_the_page_goes_to_the_results(client, community, worker):
    text = (
        "META\nkey;value\ndescription;小测试\nvote_type;approval\nbudget;100\nnum_projects;2\n"
        "num_votes;2\nPROJECTS\nproject_id;cost;name\n1;60;路灯\n2;50;座椅\n"
        "VOTES\nvoter_id;vote\n1;1\n2;1,2\n"
    )
    url = reverse("budget_import", args=[community.slug])
    client.force_login(member(community))
    assert client.get(url).status_code == 404
    client.force_login(worker)
    response = client.post(url, {"file": SimpleUploadedFile("old.pb", text.encode())})
    process = Process.objects.in_community(community).get()
    assert response.status_code == 302 and response.url.endswith(f"/{process.pk}/results/")
    assert process.title == "小测试"
    assert sorted(process.ideas.values_list("title", flat=True)) == ["座椅", "路灯"]


@pytest.mark.django_db
def test_while_a_count_runs_the_results_page_shows_how_far_and_reloads(client, community, worker):
    text = (
        "META\nkey;value\nvote_type;approval\nbudget;100\nnum_projects;1\nnum_votes;1\n"
        "PROJECTS\nproject_id;cost\n1;60\nVOTES\nvoter_id;vote\n1;1\n"
    )
    process = services.pabulib_import(actor=worker, community=community, content=text.encode())
    tally = Tally.objects.in_community(community).get(process=process)  # not run: no commit
    Tally.objects.in_community(community).filter(pk=tally.pk).update(progress=40)
    page = client.get(reverse("budget_results", args=[community.slug, process.pk]))
    body = page.content.decode()
    assert 'http-equiv="refresh"' in body and 'value="40"' in body
