"""The ladder part's writes (R8.2): a resident's choice to stay off the workers' pipeline, and a
worker's invitation to try a role (chair a meeting, lead a team, train) that the resident
accepts or declines and a worker may withdraw. Accepting keeps the tie of who invited whom
(``connections.record``, how leadership spreads)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.leadership import step_registry
from gongzhi.core.models import Community, Membership
from gongzhi.core.policies import require
from gongzhi.learning import connections
from gongzhi.learning.models import (
    ConnectionKind,
    Invitation,
    InvitationStatus,
    PipelineOptOut,
)

#: the kind of notification (``manifest._LADDER_NOTIFICATIONS``)
KIND = "leadership_invitation"


def _require(perm: str, user: Any, obj: object) -> None:
    require(perm, user, obj, _("You are not allowed to do this."))


def invitation_url(invitation: Invitation) -> str:
    return reverse(
        "learning_invitation",
        kwargs={"slug": invitation.community.slug, "invitation_id": invitation.pk},
    )


def step_label(code: str) -> Any:
    """What a person reads for a step code (the code itself when no app declares it now)."""
    step = step_registry().get(code)
    return step.label if step is not None else code


def _notify(users: list[Any], invitation: Invitation, message: str) -> None:
    from gongzhi.core.notify import send

    people = [person for person in users if person is not None and person.is_active]
    if not people:
        return
    url = invitation_url(invitation)
    params = {"step": step_label(invitation.step)}
    transaction.on_commit(
        lambda: send(
            users=people,
            community=invitation.community,
            kind=KIND,
            message=message,
            params=params,
            url=url,
        )
    )


def _data(invitation: Invitation) -> dict[str, Any]:
    return {
        "person": invitation.person_id,
        "invited_by": invitation.invited_by_id,
        "step": invitation.step,
    }


# --- The pipeline: listed or not ---------------------------------------------------------------


def pipeline_choice(*, actor: Any, community: Community, listed: bool) -> bool:
    """``actor`` says whether workers may list them as ready to lead; True when it changed
    (journalled), False when it already was so."""
    _require("learning.pipeline_choice", actor, community)
    with transaction.atomic():
        rows = PipelineOptOut.objects.in_community(community).filter(person=actor)
        if listed:
            changed = rows.delete()[0] > 0
        else:
            _row, changed = PipelineOptOut.objects.in_community(community).get_or_create(
                person=actor
            )
        if changed:
            journal.record(
                community=community,
                actor=actor,
                verb="pipeline.opted_in" if listed else "pipeline.opted_out",
                data={"person": actor.pk},
            )
    return changed


def opted_out(community: Any, person: Any) -> bool:
    return PipelineOptOut.objects.in_community(community).filter(person=person).exists()


# --- Invitations -------------------------------------------------------------------------------


def invitation_send(
    *, actor: Any, community: Community, person: Any, step: str, message: str = ""
) -> Invitation:
    """A worker invites ``person`` to try ``step`` (a ``core.leadership`` step code): never
    themself, never someone who asked to stay off the pipeline, one open invitation per person
    and step (the database's partial unique constraint decides between two at once)."""
    _require("learning.invite", actor, community)
    if step not in step_registry():
        raise ValidationError(_("There is no such step to invite someone to."), code="step_unknown")
    if person.pk == actor.pk:
        raise ValidationError(_("Nobody invites themself."), code="own_invitation")
    if not (
        Membership.objects.in_community(community)
        .filter(user=person, user__is_active=True)
        .exists()
    ):
        raise ValidationError(
            _("Only a member of this community can be invited."), code="not_member"
        )
    message = (message or "").strip()
    if len(message) > 2000:
        raise ValidationError(
            _("The message is too long (2,000 characters at most)."), code="too_long"
        )
    with transaction.atomic():
        if opted_out(community, person):
            raise ValidationError(
                _("This person asked not to be listed as ready to lead: do not invite them."),
                code="opted_out",
            )
        try:
            with transaction.atomic():
                invitation = Invitation.objects.in_community(community).create(
                    person=person, step=step, message=message, invited_by=actor
                )
        except IntegrityError:
            raise ValidationError(
                _("This person already has an open invitation to this step."),
                code="already_invited",
            ) from None
        journal.record(
            community=community,
            actor=actor,
            verb="leadership.invited",
            target=invitation,
            data=_data(invitation),
        )
        _notify([person], invitation, "invited")
    return invitation


def _locked_open(invitation: Invitation) -> Invitation:
    current = (
        Invitation.objects.in_community(invitation.community_id)
        .select_for_update()
        .get(pk=invitation.pk)
    )
    if current.status != InvitationStatus.SENT:
        raise ValidationError(
            _("This invitation was already answered or withdrawn."), code="not_open"
        )
    return current


def invitation_answer(*, actor: Any, invitation: Invitation, accept: bool) -> Invitation:
    """The person invited accepts or declines (once). Accepting keeps the tie: the inviter
    invited them (``connections``)."""
    _require("learning.answer_invitation", actor, invitation)
    with transaction.atomic():
        current = _locked_open(invitation)
        current.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
        current.answered_at = timezone.now()
        current.save(update_fields=["status", "answered_at"])
        if accept:
            connections.record(
                community=current.community,
                source=current.invited_by,
                target=current.person,
                kind=ConnectionKind.INVITED,
                at=current.answered_at,
            )
        journal.record(
            community=current.community,
            actor=actor,
            verb="leadership.invitation_accepted" if accept else "leadership.invitation_declined",
            target=current,
            data=_data(current),
        )
        _notify([current.invited_by], current, "accepted" if accept else "declined")
    return current


def invitation_withdraw(*, actor: Any, invitation: Invitation) -> Invitation:
    """A worker withdraws an invitation not yet answered; the person is told."""
    _require("learning.withdraw_invitation", actor, invitation)
    with transaction.atomic():
        current = _locked_open(invitation)
        current.status = InvitationStatus.WITHDRAWN
        current.answered_at = timezone.now()
        current.save(update_fields=["status", "answered_at"])
        journal.record(
            community=current.community,
            actor=actor,
            verb="leadership.invitation_withdrawn",
            target=current,
            data=_data(current),
        )
        _notify([current.person], current, "withdrawn")
    return current
