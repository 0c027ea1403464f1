"""Ratification: the consolidated text goes to a binding yes/no vote of the right electorate;
the closed vote's result settles the round once (adopted text, decision register) or leaves it
not adopted with the tally."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.models import Activity, RegisterEntry, Role
from gongzhi.covenants import adoption_services as adoption
from gongzhi.covenants.models import Round, RoundStatus, Scope, VersionKind
from gongzhi.voting.models import Electorate, Kind, Method
from tests.covenants.adoption_world import (
    close_vote,
    consolidated_covenant,
    open_ratification,
    ratified_round,
    resident_of,
    vote_all,
)
from tests.covenants.world import covenant_of, current_round
from tests.factories import BuildingFactory, member


@pytest.mark.django_db
def test_a_consolidated_text_goes_to_a_binding_vote_of_the_residents(community, worker):
    round_ = current_round(consolidated_covenant(community, worker))
    round_ = open_ratification(round_, worker)
    vote = round_.ratification_vote
    assert round_.status == RoundStatus.RATIFYING
    assert (vote.kind, vote.method, vote.electorate) == (Kind.BINDING, Method.YES_NO, "verified")
    assert vote.quorum == pytest.approx(0.5) and vote.threshold == pytest.approx(0.5)
    assert not vote.threshold_at_least
    assert (
        Activity.objects.in_community(community)
        .filter(verb="covenant.ratification_opened")
        .exists()
    )


@pytest.mark.django_db
def test_the_electorate_follows_the_covenant(community, worker):
    households = open_ratification(
        current_round(consolidated_covenant(community, worker)), worker, electorate="household"
    )
    assert households.ratification_vote.electorate == Electorate.HOUSEHOLD

    building = BuildingFactory(community=community)
    covenant = consolidated_covenant(
        community, worker, title="3号楼楼栋公约", scope=Scope.BUILDING, building=building
    )
    vote = open_ratification(current_round(covenant), worker).ratification_vote
    assert vote.electorate == Electorate.BUILDING and vote.building_id == building.pk

    owners = consolidated_covenant(community, worker, title="管理规约", owners_matter=True)
    vote = open_ratification(current_round(owners), worker).ratification_vote
    assert vote.electorate == Electorate.OWNERS and not vote.weighty and not vote.secret


@pytest.mark.django_db
def test_no_vote_before_consolidation_nor_twice(community, worker):
    bare = covenant_of(community, worker, phase="ratification")
    round_ = current_round(bare)
    with pytest.raises(ValidationError) as caught:
        open_ratification(round_, worker)
    assert caught.value.code == "not_consolidated"

    covenant = consolidated_covenant(community, worker, body=bare.drafting_body, title="另一份")
    round_ = open_ratification(current_round(covenant), worker)
    with pytest.raises(ValidationError) as caught:
        open_ratification(round_, worker)
    assert caught.value.code == "ratification_opened"


@pytest.mark.django_db
def test_bad_input_saves_nothing(community, worker):
    round_ = current_round(consolidated_covenant(community, worker))
    now = timezone.now()
    for kw, code in (
        ({"electorate": "owners"}, "electorate_invalid"),
        ({"closes_at": now - timedelta(days=1)}, "window_invalid"),
    ):
        with pytest.raises(ValidationError) as caught:
            adoption.ratification_open(
                actor=worker,
                round=round_,
                opens_at=now,
                closes_at=kw.pop("closes_at", now + timedelta(days=3)),
                **kw,
            )
        assert caught.value.code == code
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN and round_.ratification_vote_id is None


@pytest.mark.django_db
def test_only_workers_open_the_vote(community, worker):
    round_ = current_round(consolidated_covenant(community, worker))
    council_member = member(community, Role.COUNCIL_MEMBER)
    for who in (member(community), council_member):
        with pytest.raises(PermissionDenied):
            open_ratification(round_, who)
    assert Round.objects.in_community(community).get(pk=round_.pk).status == RoundStatus.OPEN


@pytest.mark.django_db
def test_a_passed_vote_adopts_the_text_once_and_registers_it(community, worker):
    round_ = ratified_round(community, worker)
    assert round_.status == RoundStatus.RATIFIED and round_.ratified_at is not None
    assert round_.consolidated.kind == VersionKind.ADOPTED
    assert round_.consolidated.adopted_at is not None
    entry = RegisterEntry.objects.in_community(community).get(kind="adopt_covenant")
    assert round_.covenant.title in entry.title
    assert adoption.ratification_settle(round_) == ""  # settled once
    assert RegisterEntry.objects.in_community(community).filter(kind="adopt_covenant").count() == 1
    assert Activity.objects.in_community(community).filter(verb="covenant.ratified").count() == 1


@pytest.mark.django_db
def test_a_failed_vote_leaves_the_covenant_not_adopted_with_the_tally(community, worker):
    covenant = consolidated_covenant(community, worker)
    round_ = open_ratification(current_round(covenant), worker)
    voters = vote_all(round_.ratification_vote, "no")
    assert adoption.ratification_settle(round_) == ""  # still open: nothing to settle
    close_vote(round_.ratification_vote)
    assert adoption.ratification_settle(round_) == "not_adopted"
    round_.refresh_from_db()
    assert round_.status == RoundStatus.NOT_ADOPTED
    assert f"{voters}" in round_.closing_note
    assert round_.consolidated.kind == VersionKind.CONSOLIDATED
    assert not RegisterEntry.objects.in_community(community).filter(kind="adopt_covenant").exists()


@pytest.mark.django_db
def test_a_building_covenant_is_ratified_by_its_building_alone(community, worker):
    here, there = BuildingFactory(community=community), BuildingFactory(community=community)
    inside = [resident_of(community, here) for _ in range(2)]
    outside = [resident_of(community, there) for _ in range(5)]
    covenant = consolidated_covenant(
        community, worker, title="3号楼楼栋公约", scope=Scope.BUILDING, building=here
    )
    round_ = open_ratification(current_round(covenant), worker)
    from gongzhi.voting import services as voting

    vote = round_.ratification_vote
    assert voting.electorate_size(vote) == 2
    assert not any(voting.eligible(vote, u) for u in outside)
    for user in inside:
        voting.ballot_cast(actor=user, vote=vote, content="yes")
    close_vote(vote)
    assert adoption.ratification_settle(round_) == "ratified"


@pytest.mark.django_db
def test_settle_all_settles_closed_votes(community, worker):
    passed = open_ratification(current_round(consolidated_covenant(community, worker)), worker)
    vote_all(passed.ratification_vote, "yes")
    close_vote(passed.ratification_vote)
    still_open = open_ratification(
        current_round(consolidated_covenant(community, worker, title="第二份公约")), worker
    )
    settled = adoption.ratification_settle_all()
    assert (settled.ratified, settled.not_adopted) == (1, 0)
    still_open.refresh_from_db()
    assert still_open.status == RoundStatus.RATIFYING


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("small_says", "outcome"),
    # 2 of 3 owners take part with 180 of 240 m²; consent needs more than half of them by heads
    [("yes", "ratified"), ("no", "not_adopted")],
)
def test_an_owners_covenant_is_ratified_by_heads_and_area_on_the_owners_roll(
    community, worker, small_says, outcome
):
    """Art. 278: the owners on the vote's roll, by heads and by area (two thirds take part, more
    than half of them and of their area consent); residents not on the roll do not vote."""
    from decimal import Decimal

    from gongzhi.voting import services as voting
    from gongzhi.voting.models import Vote

    covenant = consolidated_covenant(community, worker, title="管理规约", owners_matter=True)
    now = timezone.now()
    round_ = adoption.ratification_open(
        actor=worker,
        round=current_round(covenant),
        opens_at=now + timedelta(hours=1),
        closes_at=now + timedelta(days=7),
    )
    vote = round_.ratification_vote
    big, small, absent = member(community), member(community), member(community)
    voting.owner_roll_set(
        actor=worker,
        vote=vote,
        shares=[(big, Decimal("120")), (small, Decimal("60")), (absent, Decimal("60"))],
    )
    Vote.objects.in_community(community).filter(pk=vote.pk).update(opens_at=now - timedelta(1))
    vote.refresh_from_db()
    assert not voting.eligible(vote, member(community))  # a resident who owns nothing here
    voting.ballot_cast(actor=big, vote=vote, content="yes")
    voting.ballot_cast(actor=small, vote=vote, content=small_says)
    close_vote(vote)
    assert adoption.ratification_settle(round_) == outcome
    round_.refresh_from_db()
    assert round_.status == outcome
