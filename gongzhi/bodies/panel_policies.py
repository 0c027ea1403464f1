"""Who may do what with a review panel (居民评议小组), by role and by the panel's stage.

- Opening a panel (its pool, quotas and dates), closing the pool, inviting experts and
  stakeholders: the community's workers.
- Volunteering, and withdrawing while the pool is open: verified residents of the community.
- Entering the public seed: a supervisor in office (``core.RoleGrant`` in force), never the
  worker who opened the panel — whoever sets up a draw does not also fix its chance.
- The panel's own space (documents, the closed discussion): its members, drawn or invited,
  the community's staff and its supervisors read it; members and workers write in it.
- Publishing the assessment: a member of the panel (drawn or invited, with an account).
- Answering it: a worker, or someone with a term in office in the reviewed body today.
- Everyone reads the panel's page: the portfolio and its SHA-256, everyone's probability by
  pseudonym, the seed, who was drawn, the assessment and the answer.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q
from django.utils import timezone

from gongzhi.core.policies import (
    is_community_staff,
    is_community_worker,
    is_supervisor,
    is_verified_resident,
)


def active_mandate_q(prefix: str = "") -> Q:
    """Terms of office running today (not ended early)."""
    today = timezone.localdate()
    return Q(
        **{
            f"{prefix}ended_at__isnull": True,
            f"{prefix}starts_on__lte": today,
            f"{prefix}ends_on__gte": today,
        }
    )


def _panel(obj: Any) -> Any:
    return getattr(obj, "panel", obj)


def in_status(*statuses: str) -> rules.Predicate:
    @rules.predicate(name="panel_in_status:" + ",".join(statuses))
    def predicate(user: Any, obj: Any) -> bool:
        return _panel(obj).status in statuses

    return predicate


@rules.predicate
def is_panel_member(user: Any, obj: Any) -> bool:
    """Sits on the panel, drawn or invited."""
    if not user.is_authenticated:
        return False
    panel = _panel(obj)
    return panel.members.filter(user=user).exists()


@rules.predicate
def is_panel_creator(user: Any, obj: Any) -> bool:
    return bool(user.is_authenticated) and _panel(obj).created_by_id == user.pk


@rules.predicate
def is_reviewed_body_member(user: Any, obj: Any) -> bool:
    """Holds a term in office in the body whose work the panel reviewed, today."""
    if not user.is_authenticated:
        return False
    panel = _panel(obj)
    return panel.reviewed_body.mandates.filter(active_mandate_q(), membership__user=user).exists()


space_readers = is_panel_member | is_community_staff | is_supervisor
space_writers = is_panel_member | is_community_worker
WORKING = ("drawn",)

rules.add_perm("bodies.view_panel", rules.always_allow)
rules.add_perm("bodies.manage_panels", is_community_worker)
rules.add_perm("bodies.volunteer_panel", in_status("pool_open") & is_verified_resident)
rules.add_perm("bodies.close_panel_pool", in_status("pool_open") & is_community_worker)
rules.add_perm("bodies.enter_panel_seed", is_supervisor & ~is_panel_creator)
rules.add_perm("bodies.view_panel_space", space_readers)
rules.add_perm("bodies.comment_panel", in_status("drawn", "assessed", "answered") & space_writers)
rules.add_perm("bodies.invite_to_panel", in_status(*WORKING) & is_community_worker)
rules.add_perm("bodies.add_panel_document", in_status(*WORKING) & space_writers)
rules.add_perm("bodies.assess_panel", in_status(*WORKING) & is_panel_member)
rules.add_perm(
    "bodies.answer_panel",
    in_status("assessed") & (is_community_worker | is_reviewed_body_member),
)
