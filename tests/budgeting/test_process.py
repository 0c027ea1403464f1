"""Budgeting processes, ideas and the review panel: phases from dates, validation that saves
nothing, the permission matrix (role × phase), the rejection that keeps its reason."""

from __future__ import annotations

import pytest
import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from gongzhi.budgeting import services
from gongzhi.budgeting.models import Idea, IdeaStatus, Process, Review
from gongzhi.core.models import Activity, Role
from tests.budgeting.helpers import dates_for, make_process
from tests.factories import member

PHASES = ["announced", "ideas", "review", "voting", "results", "implementation", "evaluation"]


@pytest.fixture(autouse=True)
def _in_english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.mark.django_db
@pytest.mark.parametrize("phase", PHASES)
def test_the_phase_follows_from_the_dates(community, worker, phase):
    assert make_process(community, worker, phase).phase() == phase


@pytest.mark.django_db
def test_phases_out_of_order_are_refused_and_nothing_is_saved(community, worker):
    dates = dates_for("ideas")
    dates["voting_from"], dates["review_from"] = dates["review_from"], dates["voting_from"]
    with pytest.raises(ValidationError, match="phases must follow"):
        services.process_create(actor=worker, community=community, title="x", budget=1000, **dates)
    assert not Process.objects.in_community(community).exists()


@pytest.mark.django_db
def test_the_database_refuses_phases_out_of_order(community):
    dates = dates_for("ideas")
    dates["evaluation_from"] = dates["ideas_from"]
    with pytest.raises(IntegrityError):
        Process.objects.in_community(community).create(title="x", budget=1, **dates)


@pytest.mark.django_db
def test_the_default_rule_is_mes_with_add1(community, worker):
    process = make_process(community, worker)
    assert (process.rule, process.ballot_type) == ("mes-add1", "knapsack")


@pytest.mark.django_db
def test_residents_cannot_open_a_process(community, resident):
    with pytest.raises(PermissionDenied):
        make_process(community, resident)


@pytest.mark.django_db
def test_ballot_settings_are_fixed_once_voting_opens(community, worker):
    process = make_process(community, worker, "voting")
    with pytest.raises(ValidationError, match="cannot change"):
        services.process_update(actor=worker, process=process, budget=5)
    process.refresh_from_db()
    assert process.budget == 100_000


def _roles(community):
    worker = member(community, Role.COMMUNITY_WORKER)
    return {
        "anonymous": None,
        "outsider": member(_other(community)),
        "unverified": member(community, verified=False),
        "resident": member(community),
        "reviewer": member(community),
        "worker": worker,
    }


def _other(community):
    from tests.factories import CommunityFactory

    return CommunityFactory()


EXPECTED = {
    # perm: {role: phases allowed}
    "budgeting.submit_idea": {"resident": {"ideas"}, "reviewer": {"ideas"}, "worker": {"ideas"}},
    "budgeting.review": {"reviewer": {"review"}},
    "budgeting.decide": {"worker": {"review"}},
    "budgeting.vote": {"resident": {"voting"}, "reviewer": {"voting"}, "worker": {"voting"}},
    "budgeting.count": {"worker": {"results", "implementation", "evaluation"}},
    "budgeting.comment": {
        r: {"ideas", "review", "voting"} for r in ("resident", "reviewer", "worker")
    },
}


@pytest.mark.django_db
def test_permission_matrix_role_by_phase(community):
    from django.contrib.auth.models import AnonymousUser

    roles = _roles(community)
    worker = roles["worker"]
    process = make_process(community, worker, "ideas")
    services.reviewer_assign(actor=worker, process=process, user=roles["reviewer"])
    for phase in PHASES:
        process.__dict__.update(dates_for(phase))
        for perm, allowed in EXPECTED.items():
            for role, user in roles.items():
                who = user or AnonymousUser()
                expected = phase in allowed.get(role, set())
                assert rules.has_perm(perm, who, process) is expected, (perm, role, phase)


@pytest.mark.django_db
def test_a_grid_budget_takes_ideas_and_votes_from_its_grid_only(community, worker):
    from gongzhi.core.models import Grid, Membership
    from tests.factories import BuildingFactory, HouseholdFactory

    grid = Grid.objects.in_community(community).create(name="一网格")
    inside = member(community)
    outside = member(community)
    household = HouseholdFactory(building=BuildingFactory(community=community, grid=grid))
    Membership.objects.in_community(community).filter(user=inside).update(household=household)
    process = make_process(community, worker, "voting", grid=grid)
    assert rules.has_perm("budgeting.vote", inside, process)
    assert not rules.has_perm("budgeting.vote", outside, process)


@pytest.mark.django_db
def test_an_idea_is_reviewed_and_rejected_with_its_public_reason(community, worker, resident):
    process = make_process(community, worker, "ideas")
    idea = services.idea_submit(
        actor=resident, process=process, title="装长椅", description="广场上", estimated_cost=3000
    )
    reviewer = member(community)
    services.reviewer_assign(actor=worker, process=process, user=reviewer)
    process.__dict__.update(dates_for("review"))
    process.save()
    idea.process = process
    services.review_submit(
        actor=reviewer, idea=idea, feasibility=4, legality=5, cost=3500, assessment="可行"
    )
    services.review_submit(
        actor=reviewer, idea=idea, feasibility=2, legality=5, cost=3600, assessment="改了"
    )
    assert Review.objects.in_community(community).get().assessment == "改了"
    with pytest.raises(ValidationError, match="reasons"):
        services.idea_decide(actor=worker, idea=idea, accept=False, cost=None, reason=" ")
    services.idea_decide(actor=worker, idea=idea, accept=False, cost=None, reason="消防通道")
    idea.refresh_from_db()
    assert (idea.status, idea.decision_reason) == (IdeaStatus.REJECTED, "消防通道")
    with pytest.raises(ValidationError, match="already published"):
        services.idea_decide(actor=worker, idea=idea, accept=True, cost=10, reason="x")
    verbs = set(Activity.objects.in_community(community).values_list("verb", flat=True))
    assert {"budget.idea_submitted", "budget.reviewed", "budget.idea_rejected"} <= verbs


@pytest.mark.django_db
def test_the_database_keeps_a_rejection_s_reason(community, worker):
    process = make_process(community, worker)
    with pytest.raises(IntegrityError):
        Idea.objects.in_community(community).create(
            process=process, title="x", description="y", estimated_cost=1, status="rejected"
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cost", "message"), [(0, "more than 0"), (200_000, "more than the whole budget")]
)
def test_bad_idea_costs_are_refused(community, worker, resident, cost, message):
    process = make_process(community, worker, "ideas")
    with pytest.raises(ValidationError, match=message):
        services.idea_submit(
            actor=resident, process=process, title="t", description="d", estimated_cost=cost
        )
    assert not Idea.objects.in_community(community).exists()


@pytest.mark.django_db
def test_only_verified_residents_join_the_panel(community, worker, unverified):
    process = make_process(community, worker)
    with pytest.raises(ValidationError, match="verified resident"):
        services.reviewer_assign(actor=worker, process=process, user=unverified)
