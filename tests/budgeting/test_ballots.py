"""Ballots: each type's validation with its message, nothing saved when refused, one ballot per
voter (the last counts), and the journal that records the act, never the choice."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from gongzhi.budgeting import services
from gongzhi.budgeting.models import Ballot, Participation
from gongzhi.core.models import Activity
from tests.budgeting.helpers import make_process, project


@pytest.fixture(autouse=True)
def _in_english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _setup(community, worker, **settings):
    process = make_process(community, worker, "voting", **settings)
    a, b, c = (
        project(process, cost, t) for cost, t in ((60_000, "a"), (30_000, "b"), (20_000, "c"))
    )
    return process, a.pk, b.pk, c.pk


CASES = [
    ({"ballot_type": "knapsack"}, "abc", None, "over_budget", "more than the budget"),
    ({"ballot_type": "approval", "max_projects": 1}, "ab", None, "too_many", "at most 1"),
    ({"ballot_type": "approval", "min_projects": 2}, "a", None, "too_few", "at least 2"),
    ({"ballot_type": "approval", "max_total_cost": 50_000}, "ab", None, "over_max_cost", "50000"),
    ({"ballot_type": "cumulative", "points": 5}, "ab", [3, 3], "over_points", "more than the 5"),
    ({"ballot_type": "ranked"}, "aa", None, "repeated_rank", "ranked twice"),
    ({"ballot_type": "approval"}, "aa", None, "repeated_project", "chosen twice"),
    ({"ballot_type": "approval"}, "x", None, "unknown_project", "not on this ballot"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("options", "picks", "points", "code", "message"), CASES)
def test_bad_ballots_are_refused_with_a_clear_message(
    community, worker, resident, options, picks, points, code, message
):
    process, a, b, c = _setup(community, worker, **options)
    ids = {"a": a, "b": b, "c": c, "x": 999_999}
    with pytest.raises(ValidationError, match=message) as info:
        services.ballot_cast(
            actor=resident, process=process, projects=[ids[k] for k in picks], points=points
        )
    assert info.value.code == code
    assert not Ballot.objects.in_community(community).exists()
    assert not Participation.objects.in_community(community).exists()


@pytest.mark.django_db
def test_a_knapsack_ballot_within_the_budget_counts(community, worker, resident):
    process, a, b, c = _setup(community, worker)
    assert services.ballot_cast(actor=resident, process=process, projects=[a, b]) is False
    assert services.my_ballot(process=process, voter=resident) == [[a, 1], [b, 1]]


@pytest.mark.django_db
def test_the_last_ballot_counts_and_the_journal_keeps_no_choice(community, worker, resident):
    process, a, b, c = _setup(community, worker)
    services.ballot_cast(actor=resident, process=process, projects=[a])
    assert services.ballot_cast(actor=resident, process=process, projects=[b, c]) is True
    assert Ballot.objects.in_community(community).count() == 1
    assert Participation.objects.in_community(community).count() == 1
    assert services.my_ballot(process=process, voter=resident) == [[b, 1], [c, 1]]
    entries = Activity.objects.in_community(community).filter(verb__startswith="budget.vote")
    assert sorted(e.verb for e in entries) == ["budget.vote_changed", "budget.voted"]
    assert all(e.data == {} for e in entries)


@pytest.mark.django_db
def test_cumulative_points_within_the_allowance(community, worker, resident):
    process, a, b, c = _setup(community, worker, ballot_type="cumulative", points=5)
    services.ballot_cast(actor=resident, process=process, projects=[a, b, c], points=[3, 2, 0])
    assert services.my_ballot(process=process, voter=resident) == [[a, 3], [b, 2]]


@pytest.mark.django_db
def test_the_database_allows_one_ballot_per_slot(community, worker):
    process, *_ = _setup(community, worker)
    Ballot.objects.in_community(community).create(process=process, slot="s", choice=[])
    with pytest.raises(IntegrityError):
        Ballot.objects.in_community(community).create(process=process, slot="s", choice=[])


@pytest.mark.django_db
def test_no_ballots_before_or_after_voting_or_from_unverified(
    community, worker, unverified, resident
):
    process, a, *_ = _setup(community, worker)
    with pytest.raises(PermissionDenied):
        services.ballot_cast(actor=unverified, process=process, projects=[a])
    process2 = make_process(community, worker, "results")
    with pytest.raises(PermissionDenied):
        services.ballot_cast(actor=resident, process=process2, projects=[])
