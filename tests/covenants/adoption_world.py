"""Builders of the adoption part's tests: a covenant whose round waits for ratification with a
consolidated text, ratified, or in force; residents living in a household."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.bodies.models import Body
from gongzhi.core.models import Building, Membership
from gongzhi.covenants import adoption_services as adoption
from gongzhi.covenants.models import Covenant, Round, VersionKind
from gongzhi.voting.models import Vote
from tests.covenants.world import covenant_of, current_round, write_version
from tests.factories import HouseholdFactory, member

#: the consolidated text (the draft with an amendment applied)
CONSOLIDATED = [
    ("宠物", ["遛狗须牵绳，及时清理粪便。", "犬只须依法登记并接种疫苗。"]),
    ("噪音", ["晚十时至早七时不得装修或大声喧哗。", "节假日上午十时前不得装修。"]),
]


def consolidated_covenant(community: Any, worker: Any, **fields: Any) -> Covenant:
    """A covenant whose first round's revision is over and whose text is consolidated."""
    if "body" not in fields:
        # Several covenants of one community share its council.
        fields["body"] = Body.objects.in_community(community).order_by("pk").first()
    covenant = covenant_of(community, worker, phase="ratification", **fields)
    round_ = current_round(covenant)
    version = write_version(
        covenant, CONSOLIDATED, kind=VersionKind.CONSOLIDATED, round=round_, based_on=round_.draft
    )
    round_.consolidated = version
    round_.save(update_fields=["consolidated"])
    return covenant


def resident_of(community: Any, building: Any = None, *, household: Any = None, **kw: Any) -> Any:
    """A verified resident living in ``household`` (or a new household of ``building``)."""
    user = member(community, **kw)
    if household is None:
        if building is None:
            # One building for them all: factory names ("3号楼") may be taken in a shared world.
            building, _made = Building.objects.in_community(community).get_or_create(
                name="公约住户楼"
            )
        household = HouseholdFactory(building=building)
    Membership.objects.in_community(community).filter(user=user).update(household=household)
    return user


def close_vote(vote: Vote) -> None:
    now = timezone.now()
    Vote.objects.in_community(vote.community_id).filter(pk=vote.pk).update(
        opens_at=now - timedelta(days=2), closes_at=now - timedelta(seconds=1)
    )
    vote.refresh_from_db()


def vote_all(vote: Vote, choice: str) -> int:
    """Everyone in the vote's electorate votes ``choice``; returns how many did."""
    from gongzhi.voting import services as voting

    voters = voting._electorate_users(vote)
    for voter in voters:
        voting.ballot_cast(actor=voter, vote=vote, content=choice)
    return len(voters)


def open_ratification(round_: Round, worker: Any, **kw: Any) -> Round:
    now = timezone.now()
    return adoption.ratification_open(
        actor=worker,
        round=round_,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=7),
        **kw,
    )


def ratified_round(community: Any, worker: Any, **fields: Any) -> Round:
    """A round whose ratification vote passed (the whole electorate voted yes)."""
    covenant = consolidated_covenant(community, worker, **fields)
    resident_of(community, covenant.building)
    round_ = open_ratification(current_round(covenant), worker)
    vote_all(round_.ratification_vote, "yes")
    close_vote(round_.ratification_vote)
    assert adoption.ratification_settle(round_) == "ratified"
    return round_


def in_force_round(community: Any, worker: Any, official: Any, **fields: Any) -> Round:
    round_ = ratified_round(community, worker, **fields)
    adoption.filing_submit(actor=worker, round=round_)
    return adoption.filing_receive(actor=official, round=round_, reference="街备〔2026〕3号")
