"""Paper ballots by double entry: a resident marked at the polling table cannot also vote
online (the database's one participation per voter), each paper ballot is typed twice by two
different people and counts when both agree, it is checked like an online ballot, and the
count says how many ballots were on paper."""

from __future__ import annotations

import pytest
import rules
from allauth.mfa.totp.internal.auth import TOTP
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.test import TestCase
from django.urls import reverse
from django.utils.translation import gettext

from gongzhi.budgeting import services
from gongzhi.budgeting.models import Ballot, PaperEntry, Participation, Tally
from gongzhi.core.models import Activity, Role
from tests.budgeting.helpers import make_process, project, set_phase
from tests.conftest import TOTP_SECRET
from tests.factories import member

PHASES = ["announced", "ideas", "review", "voting", "results", "implementation", "evaluation"]


@pytest.fixture(autouse=True)
def _in_english(client):
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def clerk(community):
    """A second community worker, for the second reading."""
    user = member(community, Role.COMMUNITY_WORKER)
    TOTP.activate(user, TOTP_SECRET)
    return user


@pytest.fixture
def knapsack(community, worker):
    process = make_process(community, worker, "voting", budget=100, rule="greedy")
    return process, project(process, 60, "a"), project(process, 50, "b")


@pytest.mark.django_db
@pytest.mark.parametrize("phase", PHASES)
def test_the_permission_matrix(community, worker, resident, phase):
    process = make_process(community, worker, phase)
    assert rules.has_perm("budgeting.paper_issue", worker, process) is (phase == "voting")
    assert rules.has_perm("budgeting.paper_enter", worker, process) is (
        phase in ("voting", "results")
    )
    assert not rules.has_perm("budgeting.paper_issue", resident, process)
    assert not rules.has_perm("budgeting.paper_enter", resident, process)


@pytest.mark.django_db
def test_a_resident_with_a_paper_ballot_cannot_vote_online(community, worker, resident, knapsack):
    process, a, _b = knapsack
    services.paper_voter_mark(actor=worker, process=process, voter=resident)
    with pytest.raises(ValidationError, match="paper ballot, so you cannot also vote online"):
        services.ballot_cast(actor=resident, process=process, projects=[a.pk])
    assert not Ballot.objects.in_community(community).exists()
    with pytest.raises(ValidationError, match="already voted or taken a paper ballot"):
        services.paper_voter_mark(actor=worker, process=process, voter=resident)
    issued = Activity.objects.filter(community=community, verb="budget.paper_issued").get()
    assert issued.on_behalf_of_id == resident.pk


@pytest.mark.django_db
def test_a_resident_who_voted_online_gets_no_paper_ballot(community, worker, resident, knapsack):
    process, a, _b = knapsack
    services.ballot_cast(actor=resident, process=process, projects=[a.pk])
    with pytest.raises(ValidationError, match="already voted"):
        services.paper_voter_mark(actor=worker, process=process, voter=resident)
    assert Participation.objects.in_community(community).get().channel == "online"


@pytest.mark.django_db
def test_the_database_refuses_two_channels_for_one_voter(community, worker, resident, knapsack):
    process, _a, _b = knapsack
    rows = Participation.objects.in_community(community)
    rows.create(process=process, voter=resident, channel="paper")
    with pytest.raises(IntegrityError):
        rows.create(process=process, voter=resident, channel="online")


@pytest.mark.django_db
def test_outsiders_of_the_area_get_no_paper_ballot(community, worker, knapsack):
    process, _a, _b = knapsack
    with pytest.raises(ValidationError, match="not a verified resident"):
        services.paper_voter_mark(
            actor=worker, process=process, voter=member(community, verified=False)
        )
    assert not Participation.objects.in_community(community).exists()


@pytest.mark.django_db
def test_double_entry_counts_only_when_two_people_agree(
    community, worker, clerk, resident, knapsack
):
    process, a, b = knapsack
    services.paper_voter_mark(actor=worker, process=process, voter=resident)
    first = services.paper_ballot_enter(actor=worker, process=process, serial="P1", projects=[a.pk])
    assert (first.confirmed, first.conflict) == (False, False)
    assert not Ballot.objects.in_community(community).exists()
    with pytest.raises(ValidationError, match="a second person must confirm"):
        services.paper_ballot_enter(actor=worker, process=process, serial="P1", projects=[a.pk])
    differs = services.paper_ballot_enter(
        actor=clerk, process=process, serial="P1", projects=[b.pk]
    )
    assert differs.conflict and not Ballot.objects.in_community(community).exists()
    third = member(community, Role.COMMUNITY_WORKER)
    agrees = services.paper_ballot_enter(actor=third, process=process, serial="P1", projects=[a.pk])
    assert agrees.confirmed
    ballot = Ballot.objects.in_community(community).get()
    assert (ballot.channel, ballot.choice, ballot.slot) == ("paper", [[a.pk, 1]], "paper:P1")
    with pytest.raises(ValidationError, match="already counted"):
        services.paper_ballot_enter(
            actor=member(community, Role.COMMUNITY_WORKER),
            process=process,
            serial="P1",
            projects=[a.pk],
        )
    verbs = list(
        Activity.objects.filter(community=community, verb__startswith="budget.paper_")
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == [
        "budget.paper_issued",
        "budget.paper_entered",
        "budget.paper_conflict",
        "budget.paper_confirmed",
    ]


@pytest.mark.django_db
def test_a_paper_ballot_is_checked_like_an_online_one(community, worker, knapsack):
    process, a, b = knapsack
    with pytest.raises(ValidationError, match="more than the budget of 100 yuan"):
        services.paper_ballot_enter(
            actor=worker, process=process, serial="P1", projects=[a.pk, b.pk]
        )
    with pytest.raises(ValidationError, match="serial number"):
        services.paper_ballot_enter(actor=worker, process=process, serial=" ", projects=[a.pk])
    with pytest.raises(ValidationError, match="not on this ballot"):
        services.paper_ballot_enter(actor=worker, process=process, serial="P2", projects=[999])
    assert not PaperEntry.objects.in_community(community).exists()


@pytest.mark.django_db
def test_no_more_paper_ballots_count_than_were_handed_out(community, worker, clerk, knapsack):
    process, a, _b = knapsack
    services.paper_ballot_enter(actor=worker, process=process, serial="P1", projects=[a.pk])
    with pytest.raises(ValidationError, match="than were handed out"):
        services.paper_ballot_enter(actor=clerk, process=process, serial="P1", projects=[a.pk])
    assert not Ballot.objects.in_community(community).exists()


@pytest.mark.django_db
def test_residents_cannot_enter_paper_ballots(community, resident, knapsack):
    process, a, _b = knapsack
    with pytest.raises(PermissionDenied):
        services.paper_ballot_enter(actor=resident, process=process, serial="P1", projects=[a.pk])
    with pytest.raises(PermissionDenied):
        services.paper_voter_mark(actor=resident, process=process, voter=resident)


@pytest.mark.django_db
def test_paper_ballots_count_and_are_marked_in_the_results(
    client, community, worker, clerk, resident, knapsack
):
    process, a, b = knapsack
    services.ballot_cast(actor=member(community), process=process, projects=[b.pk])
    services.paper_voter_mark(actor=worker, process=process, voter=resident)
    set_phase(process, "results")  # typing in goes on after voting closes
    for person in (worker, clerk):
        services.paper_ballot_enter(actor=person, process=process, serial="P1", projects=[a.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.tally_request(actor=worker, process=process)
    tally = Tally.objects.in_community(community).get()
    assert tally.voters == 2 and tally.outcome["paper_ballots"] == 1
    assert tally.parameters["paper_ballots"] == 1
    assert tally.outcome["projects"][str(a.pk)]["votes"] == 1
    page = client.get(reverse("budget_results", args=[community.slug, process.pk]))
    assert "1 of the ballots was on paper" in page.content.decode()
    api = client.get(f"/api/v1/communities/{community.slug}/budgets/{process.pk}/results")
    assert api.json()["paper_ballots"] == 1


@pytest.mark.django_db
def test_the_paper_page_for_staff_only(client, community, worker, clerk, resident, knapsack):
    process, a, _b = knapsack
    slug = community.slug
    client.force_login(resident)
    assert client.get(reverse("budget_paper", args=[slug, process.pk])).status_code in (403, 404)
    client.force_login(worker)
    page = client.get(reverse("budget_paper", args=[slug, process.pk])).content.decode()
    assert "Hand out a paper ballot" in page and "Type in a paper ballot" in page
    unknown = client.post(
        reverse("budget_paper_issue", args=[slug, process.pk]),
        {"phone": "13900000000"},
        follow=True,
    )
    assert gettext("No member of this community has this phone number.") in unknown.content.decode()
    client.post(reverse("budget_paper_issue", args=[slug, process.pk]), {"phone": resident.phone})
    assert Participation.objects.in_community(community).get().channel == "paper"
    enter = reverse("budget_paper_enter", args=[slug, process.pk])
    client.post(enter, {"serial": "P9", "project": [str(a.pk)]})
    client.force_login(clerk)
    done = client.post(enter, {"serial": "P9", "project": [str(a.pk)]}, follow=True)
    assert "Both readings agree" in done.content.decode()
    assert Ballot.objects.in_community(community).get().channel == "paper"
