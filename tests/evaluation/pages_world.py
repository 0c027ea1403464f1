"""A small community with a known last month, for the evaluation pages, exports, API and
browser journey: twelve residents verified four months ago, six of them (by their own consent)
older residents and two of those on a low income; in the last complete month four confirmed
reading a notice and five commented. The rollups are built by the real refresh
(``services.refresh``) from the journal entries written here; nothing is stored by hand.

So in the last complete month: participation 9 of 12 (75.0 %); older residents 6 of 6 against
everyone else 3 of 6 (+50.0 percentage points); low income (2 people) hidden, and everyone
else hidden with it (else 12 − 10 would give it away).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongzhi.core import journal
from gongzhi.core.models import Membership
from gongzhi.core.services import membership_set_groups
from gongzhi.evaluation import selectors, services
from tests.factories import member

RESIDENTS = 12


def at(month: date, day: int = 10, hour: int = 12) -> datetime:
    """Noon on ``day`` of ``month``, Beijing time."""
    return timezone.make_aware(
        datetime.combine(month.replace(day=day), time(hour)), timezone.get_default_timezone()
    )


@dataclass
class World:
    community: Any
    residents: list[Any]
    last: date  # the last complete month


def build(community: Any) -> World:
    last = selectors.last_complete_month()
    residents = [member(community, display_name=f"居民{i}") for i in range(RESIDENTS)]
    Membership.objects.in_community(community).filter(user__in=residents).update(
        verified_at=at(selectors.add_months(last, -4))
    )
    for i, user in enumerate(residents[:6]):
        membership = Membership.objects.in_community(community).get(user=user)
        membership_set_groups(
            actor=user,
            community=community,
            membership=membership,
            consent=True,
            is_elderly=True,
            has_disability=False,
            is_low_income=i < 2,
            birth_year=1950,
        )
    with transaction.atomic():
        for user in residents[:4]:
            journal.record(
                community=community,
                actor=user,
                verb="notice.read_confirmed",
                data={},
                at=at(last, 5),
            )
        for user in residents[4:9]:
            journal.record(
                community=community,
                actor=user,
                verb="comment.added",
                data={},
                at=at(last, 12),
            )
    journal.chain(community)
    services.refresh(community=community)
    return World(community=community, residents=residents, last=last)
