"""Counting: the background task runs the configured rule on the stored ballots, stores the
parameters that reproduce it, explains each project, and for MES how supporters shared the cost;
the Pabulib export reads back with the same outcome."""

from __future__ import annotations

from fractions import Fraction

import pytest

from gongzhi.budgeting import explain, pabulib, rules, services
from gongzhi.budgeting.models import Tally, TallyStatus
from gongzhi.core.models import Activity
from tests.budgeting.helpers import make_process, project, set_phase
from tests.factories import member


def _vote(process, community, ballots):
    for picks in ballots:
        services.ballot_cast(actor=member(community), process=process, projects=picks)


def _count(process, worker):
    from django.test import TestCase

    set_phase(process, "results")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the immediate backend runs the task
        services.tally_request(actor=worker, process=process)
    return Tally.objects.in_community(process.community_id).get()


@pytest.mark.django_db
def test_greedy_funds_by_votes_and_says_why_not(community, worker):
    process = make_process(
        community, worker, "voting", rule="greedy", budget=100, ballot_type="approval"
    )
    a, b, c = project(process, 60, "a"), project(process, 50, "b"), project(process, 30, "c")
    _vote(process, community, [[a.pk, c.pk], [a.pk, b.pk], [a.pk], [b.pk]])
    tally = _count(process, worker)
    assert tally.status == TallyStatus.DONE and tally.voters == 4
    rows = tally.outcome["projects"]
    assert tally.outcome["selected"] == [str(a.pk), str(c.pk)]
    assert rows[str(b.pk)]["reason"] == "not_enough_left"
    assert rows[str(b.pk)]["params"] == {"left": "40.00"}
    assert tally.parameters["costs"] == {str(a.pk): 60, str(b.pk): 50, str(c.pk): 30}
    assert len(tally.parameters["ballots_sha256"]) == 64
    counted = Activity.objects.in_community(community).get(verb="budget.counted")
    assert counted.data["funded_fen"] == (60 + 30) * 100  # the money residents decided


@pytest.mark.django_db
def test_mes_shares_the_cost_among_supporters(community, worker):
    process = make_process(
        community, worker, "voting", rule="mes", budget=90, ballot_type="approval"
    )
    a, b = project(process, 60, "a"), project(process, 60, "b")
    _vote(process, community, [[a.pk], [a.pk], [b.pk]])
    tally = _count(process, worker)
    rows = tally.outcome["projects"]
    assert rows[str(a.pk)]["funded"] and rows[str(a.pk)]["shares"] == [["30.00", 2]]
    assert rows[str(b.pk)]["reason"] == "mes_supporters_short"
    assert rows[str(b.pk)]["params"]["pool"] == "30.00"


def test_mes_payments_add_up_to_each_cost():
    election = rules.Election.approval(
        1000,
        {"a": 300, "b": 500, "c": 250, "d": 90},
        [["a", "b"], ["a"], ["b", "c"], ["d", "a"], ["c"]],
    )
    outcome = rules.equal_shares(election)
    payments, _left = explain.mes_payments(election, outcome)
    assert payments and all(sum(paid) == election.costs[p] for p, paid in payments.items())


@pytest.mark.django_db
def test_the_export_reads_back_and_reproduces_the_outcome(community, worker):
    process = make_process(community, worker, "voting", budget=100, ballot_type="approval")
    a, b, c = project(process, 60, "a"), project(process, 50, "b"), project(process, 30, "c")
    _vote(process, community, [[a.pk, c.pk], [b.pk], [a.pk], [b.pk, c.pk]])
    tally = _count(process, worker)
    instance = pabulib.loads(services.pabulib_export(process=process, tally=tally))
    assert instance.budget == Fraction(100) and len(instance.ballots) == 4
    election = rules.Election.approval(
        instance.budget,
        {p: x.cost for p, x in instance.projects.items()},
        (b.vote for b in instance.ballots),
    )
    again = rules.run_rule("mes-add1", election, tie_breaking=["votes", "min-cost"])
    assert (
        sorted(again.selected)
        == sorted(tally.outcome["selected"])
        == sorted(instance.selected_ids())
    )


@pytest.mark.django_db
def test_a_count_is_refused_while_voting_is_open(community, worker):
    from django.core.exceptions import PermissionDenied

    process = make_process(community, worker, "voting")
    with pytest.raises(PermissionDenied):
        services.tally_request(actor=worker, process=process)
