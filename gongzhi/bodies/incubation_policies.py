"""Who may do what with the organisations a community incubates (孵化).

- Seeing the organisations, their founders, stages, support and reports: the community's
  members, its staff and its supervisors.
- Proposing an organisation or joining one as a founder: verified residents.
- Assigning a mentor, moving a stage, recording support: community workers (and platform
  admins) — never a founder of that organisation: a second person decides about it
  (``steer_organisation``; the services refuse it too, with code ``own_organisation``).
- The annual report: whoever holds a term of office in the organisation now (its founders
  and the leaders it has chosen since).
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils import timezone

from gongzhi.bodies.models import ChosenBy, Incubation, Mandate
from gongzhi.core.policies import (
    is_community_staff,
    is_community_worker,
    is_member,
    is_platform_admin,
    is_supervisor,
    is_verified_resident,
)


def founded_by(user: Any, incubation: Incubation) -> bool:
    """Whether ``user`` is (or was) a founding member: founders never decide about their own
    organisation, even after their term."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        Mandate.objects.in_community(incubation.community_id)
        .filter(body_id=incubation.body_id, chosen_by=ChosenBy.FOUNDING, membership__user=user)
        .exists()
    )


def serves_in(user: Any, incubation: Incubation) -> bool:
    """Whether ``user`` holds a term of office in the organisation today."""
    if not getattr(user, "is_authenticated", False):
        return False
    today = timezone.localdate()
    return (
        Mandate.objects.in_community(incubation.community_id)
        .filter(
            body_id=incubation.body_id,
            membership__user=user,
            ended_at__isnull=True,
            starts_on__lte=today,
            ends_on__gte=today,
        )
        .exists()
    )


@rules.predicate
def is_founder(user: Any, incubation: Incubation) -> bool:
    return founded_by(user, incubation)


@rules.predicate
def holds_office(user: Any, incubation: Incubation) -> bool:
    return serves_in(user, incubation)


manage_incubation = is_community_worker | is_platform_admin

rules.add_perm("bodies.view_organisations", is_member | is_community_staff | is_supervisor)
rules.add_perm("bodies.propose_organisation", is_verified_resident)
rules.add_perm("bodies.join_organisation", is_verified_resident & ~is_founder)
rules.add_perm("bodies.manage_incubation", manage_incubation)
rules.add_perm("bodies.steer_organisation", manage_incubation & ~is_founder)
rules.add_perm("bodies.report_organisation", holds_office)
