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


def step_choices() -> list[tuple[str, list[tuple[str, Any]]]]:
    """Every step grouped by rung (``[(rung heading, [(code, label)])]``, an ``<optgroup>`` each),
    by rung then order: a worker may suggest a lower step too, so the ladder's order is kept and
    each option shows the step's own label only (a phone cuts long options)."""
    steps = sorted(step_registry().items(), key=lambda item: (item[1].rung, item[1].order))
    groups: dict[int, list[tuple[str, Any]]] = {}
    for code, step in steps:
        groups.setdefault(step.rung, []).append((code, step.label))
    return [(f"{rung} · {RUNG_LABELS[rung]}", options) for rung, options in groups.items()]


def first_step_above(rung: int) -> str:
    """The code of the first step of the rung above ``rung`` (of the top rung at the top), or ""."""
    steps = sorted(step_registry().items(), key=lambda item: (item[1].rung, item[1].order))
    if not steps:
        return ""
    target = min(
        (step.rung for _code, step in steps if step.rung > rung), default=steps[-1][1].rung
    )
    return next(code for code, step in steps if step.rung == target)


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
