"""The demo's covenants: the residents' covenant in public consultation with comments (one
written down by the worker), amendments and supports, and a building covenant in force that
about half of its building's households acknowledged — through the parts' services, with their
journal. The whole demo street (``seed_demo``) is tests/test_seed_demo.py's."""

from __future__ import annotations

import random

import pytest
from django.db.models import F

from gongzhi.core.demo import DemoContext
from gongzhi.core.models import Activity, Membership
from gongzhi.covenants import demo
from gongzhi.covenants.models import (
    Acknowledgement,
    Amendment,
    Comment,
    Covenant,
    RoundStatus,
    Scope,
    Support,
    VersionKind,
)
from gongzhi.covenants.selectors import current_phase
from tests.covenants.world import drafting_body
from tests.factories import BuildingFactory, HouseholdFactory, member


@pytest.fixture
def context(community, worker, supervisor):
    drafting_body(community, worker, name="幸福社区居民议事会")
    main, other = (BuildingFactory(community=community) for _ in range(2))
    crowd = []
    for n in range(18):
        person = member(community)
        household = HouseholdFactory(building=main if n < 12 else other, community=community)
        Membership.objects.in_community(community).filter(user=person).update(household=household)
        crowd.append(person)
    rng = random.Random(5)
    shuffled = crowd[:]
    rng.shuffle(shuffled)
    return DemoContext(
        communities=[community],
        worker=worker,
        supervisor=supervisor,
        residents=crowd,
        crowd=shuffled,
        rng=rng,
    )


@pytest.mark.django_db
def test_the_demo_has_a_covenant_in_consultation_and_one_in_force(context, community, worker):
    demo.seed(context)

    consulted = Covenant.objects.in_community(community).get(title="幸福社区居民公约")
    round_ = consulted.rounds.get()
    assert current_phase(round_) == "consultation"
    assert [a.heading for a in round_.draft.articles.order_by("position")] == [
        "宠物",
        "噪音",
        "停车",
        "公共空间",
        "垃圾分类",
    ]
    comments = Comment.objects.in_community(community).filter(round=round_)
    assert comments.count() == len(demo.COMMENTS)
    assert comments.filter(paragraph_key__isnull=False).count() == 6
    assert comments.filter(written_by=worker).count() == 1  # 代办
    amendments = Amendment.objects.in_community(community).filter(round=round_)
    assert sorted(amendments.values_list("kind", flat=True)) == sorted(
        kind for kind, *_rest in demo.AMENDMENTS
    )
    supports = Support.objects.in_community(community).filter(amendment__round=round_)
    assert supports.count() == sum(a.supporters_count for a in amendments) == 9
    assert not supports.filter(person=F("amendment__author")).exists()  # nobody backs their own

    in_force = Covenant.objects.in_community(community).get(scope=Scope.BUILDING)
    assert in_force.in_force is not None and in_force.in_force.kind == VersionKind.ADOPTED
    assert in_force.rounds.get().status == RoundStatus.IN_FORCE
    acknowledged = Acknowledgement.objects.in_community(community).filter(version=in_force.in_force)
    households = {h.household_id for h in acknowledged}
    assert len(households) == acknowledged.count() == 6  # half of the building's 12 households
    assert all(a.household.building_id == in_force.building_id for a in acknowledged)
    assert acknowledged.filter(recorded_by=worker).count() == 1  # on paper

    # Everything went through the services: the journal holds the residents' acts.
    verbs = list(Activity.objects.in_community(community).values_list("verb", flat=True))
    assert verbs.count("covenant.commented") == len(demo.COMMENTS)
    assert verbs.count("covenant.amendment_proposed") == len(demo.AMENDMENTS)
    assert verbs.count("covenant.amendment_supported") == 9
    assert verbs.count("covenant.acknowledged") == 6
    assert verbs.count("covenant.consolidated") == 1


@pytest.mark.django_db
def test_without_a_body_the_demo_drafts_no_covenant(community, worker, supervisor):
    context = DemoContext(
        communities=[community],
        worker=worker,
        supervisor=supervisor,
        residents=[],
        crowd=[],
        rng=random.Random(1),
    )
    demo.seed(context)
    assert not Covenant.objects.in_community(community).exists()
