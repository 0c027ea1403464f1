"""Reads of the ladder part that pages and the API share: an invitation as its reader may see
it, the steps a worker may invite to, the grids to filter the pipeline by, and the learning
pages' partials (``hub``, ``mine``)."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib.auth import get_user_model
from django.http import Http404

from gongzhi.core.leadership import RUNG_LABELS, step_registry
from gongzhi.core.models import Grid, Membership
from gongzhi.learning import pathway as pathways
from gongzhi.learning.models import Invitation, InvitationStatus


def invitation_get(*, community: Any, user: Any, invitation_id: int) -> Invitation:
    """The invitation, for the person invited and the staff; a forbidden one is as missing as
    a missing one."""
    invitation = (
        Invitation.objects.in_community(community)
        .select_related("person", "invited_by", "community")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not rules.has_perm("learning.view_invitation", user, invitation):
        raise Http404
    return invitation


def step_choices() -> list[tuple[str, str]]:
    """``[(code, label)]`` of every step, by rung then order (rung 4 and up first would hide
    the lower ones a worker may also suggest; keep the ladder's order)."""
    steps = sorted(step_registry().items(), key=lambda item: (item[1].rung, item[1].order))
    return [(code, f"{RUNG_LABELS[step.rung]} · {step.label}") for code, step in steps]


def grid_choices(community: Any) -> list[tuple[int, str]]:
    return list(Grid.objects.in_community(community).order_by("name").values_list("pk", "name"))


def member_get(*, community: Any, user_id: int) -> Any:
    """A member of ``community`` (404 for anyone else)."""
    if not (
        Membership.objects.in_community(community)
        .filter(user_id=user_id, user__is_active=True)
        .exists()
    ):
        raise Http404
    return get_user_model().objects.get(pk=user_id)


def open_invitations_of(community: Any, user: Any) -> list[Invitation]:
    return list(
        Invitation.objects.in_community(community)
        .filter(person=user, status=InvitationStatus.SENT)
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def hub(community: Any, viewer: Any) -> dict[str, Any]:
    """The learning home's ladder card: the viewer's rung (a member), and for the staff a link
    to the pipeline."""
    context: dict[str, Any] = {"community": community, "member": False, "staff": False}
    if getattr(viewer, "is_authenticated", False):
        if rules.has_perm("learning.view_pathway", viewer, community):
            rung = pathways.rung_of(community, viewer)
            context.update(member=True, rung=rung, rung_label=RUNG_LABELS[rung])
        context["staff"] = rules.has_perm("learning.view_pipeline", viewer, community)
    return context


def mine(community: Any, user: Any) -> dict[str, Any]:
    """ "My learning"'s ladder card: where I am, my next steps, my open invitations."""
    path = pathways.pathway(community, user)
    return {
        "community": community,
        "pathway": path,
        "next_steps": path.next_steps[:3],
        "open_invitations": path.open_invitations,
    }
