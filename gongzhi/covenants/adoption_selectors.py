"""Reads of the adoption part that pages and the API share: where a covenant's adoption stands
(its latest round's ratification vote, filing and publication), what the viewer may do, and the
households' acknowledgements (N of M, and the viewer's own household's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules

from gongzhi.core.models import Household, Membership
from gongzhi.covenants import adoption_services as services
from gongzhi.covenants.models import Acknowledgement, Covenant, Round
from gongzhi.covenants.selectors import current_phase, latest_round


@dataclass(frozen=True)
class Adoption:
    covenant: Covenant
    round: Round | None
    phase: str
    vote: Any
    counts: services.AckCounts
    #: the viewer's household's acknowledgement of the text in force, if any
    mine: Acknowledgement | None
    #: the viewer has a household the covenant applies to (may acknowledge it)
    may_acknowledge: bool
    can_adopt: bool
    can_receive: bool


def household_of(user: Any, community_id: int) -> Household | None:
    if not getattr(user, "is_authenticated", False):
        return None
    membership = (
        Membership.objects.in_community(community_id)
        .select_related("household")
        .filter(user=user, verified_at__isnull=False)
        .first()
    )
    return membership.household if membership is not None else None


def adoption_of(covenant: Covenant, user: Any) -> Adoption:
    """The covenant's adoption as ``user`` sees it; a closed ratification vote is settled on
    reading (lazily, as the revision page settles article votes)."""
    round_ = latest_round(covenant)
    if round_ is not None:
        if services.ratification_settle(round_):
            round_ = latest_round(covenant)
            covenant.refresh_from_db(fields=["in_force"])
    assert round_ is None or round_.covenant_id == covenant.pk
    household = household_of(user, covenant.community_id)
    in_scope = household is not None and (
        covenant.building_id is None or household.building_id == covenant.building_id
    )
    mine = None
    if household is not None and covenant.in_force_id is not None:
        mine = (
            Acknowledgement.objects.in_community(covenant.community_id)
            .select_related("person")
            .filter(version_id=covenant.in_force_id, household=household)
            .first()
        )
    vote = None
    if round_ is not None and round_.ratification_vote_id is not None:
        vote = round_.ratification_vote
    return Adoption(
        covenant=covenant,
        round=round_,
        phase=current_phase(round_) if round_ is not None else "",
        vote=vote,
        counts=services.acknowledgement_counts(covenant),
        mine=mine,
        may_acknowledge=in_scope and covenant.in_force_id is not None,
        can_adopt=rules.has_perm("covenants.adopt", user, covenant.community),
        can_receive=rules.has_perm("covenants.receive_filing", user, covenant.community),
    )


def acknowledgements(covenant: Covenant) -> list[Acknowledgement]:
    """Which households confirmed the text in force (for the staff), newest first."""
    if covenant.in_force_id is None:
        return []
    return list(
        Acknowledgement.objects.in_community(covenant.community_id)
        .filter(version_id=covenant.in_force_id)
        .select_related("household", "household__building", "person", "recorded_by")
        .order_by("-created_at", "-pk")[:500]
    )


def detail(covenant: Covenant, viewer: Any) -> Adoption:
    """The covenant page's adoption section (``covenants/_detail_adoption.html``)."""
    return adoption_of(covenant, viewer)
