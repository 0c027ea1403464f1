"""Reviving idle space (盘活闲置空间): an unused room or plot becomes a shared space, step by step,
in the open.

1. A community worker records it: where, how big, who owns it, the use proposed.
2. The proposed use goes through consultation: a proposal in the hall or an opinion-map
   conversation of the same community, linked here (``consult``, at any step before opening;
   linking one replaces the other). Only what every member reads may be linked, since the idle
   space's page shows its title to all: a published proposal the moderators have not hidden
   (``revival_selectors.consultable_proposals``: the hall's own list less hidden ones, so no
   draft and no withdrawn one); every conversation is public.
3. Its renovation may be tracked with its budget: a budgeting project (an idea with its cost and
   milestones), linked here (``renovate``); the page shows that project's progress. It is
   optional: not every idle space needs works, and one may open straight after consultation.
4. It opens as a bookable space managed by a body or a partner (``open_as``), with the hours of
   use a week that were promised. Opening needs the consultation, and a finished one: the
   proposal accepted by the council (or already implemented), or the conversation closed. A
   community worker would not open a space while residents are still being asked, or after they
   said no; a conversation has no yes or no, so its closing ends it (the worker reads the map).
   ``opening_refusal`` says what is missing, and the page shows it in place of the "open" link.
5. Afterwards, its use is shown against that promise (``revival_selectors.use_against_promise``).

It may be dropped at any step before opening, with a reason. Each step is journalled.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.models import Building, Community
from gongzhi.core.policies import require
from gongzhi.deliberation.models import Status as ProposalStatus
from gongzhi.spaces.models import IdleSpace, IdleStatus, Space
from gongzhi.spaces.revival_selectors import consultable_proposals

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

#: the steps an idle space may still take from each status (opening also needs a finished
#: consultation: ``opening_refusal``; linking a consultation while renovating keeps the status)
NEXT = {
    IdleStatus.RECORDED: {IdleStatus.CONSULTING, IdleStatus.RENOVATING},
    IdleStatus.CONSULTING: {IdleStatus.CONSULTING, IdleStatus.RENOVATING, IdleStatus.OPENED},
    IdleStatus.RENOVATING: {IdleStatus.CONSULTING, IdleStatus.RENOVATING, IdleStatus.OPENED},
    IdleStatus.OPENED: set(),
    IdleStatus.DROPPED: set(),
}
#: a proposal so answered has finished its consultation, and allows opening
ACCEPTED = {ProposalStatus.ACCEPTED, ProposalStatus.IMPLEMENTED}
#: a proposal so answered turned the use down (or went elsewhere): it never allows opening
TURNED_DOWN = {ProposalStatus.REJECTED, ProposalStatus.MERGED, ProposalStatus.WITHDRAWN}


def _require(actor: Any, community: Community) -> None:
    require("spaces.manage_spaces", actor, community, _("Only a community worker can do this."))


def _step_refusal(idle: IdleSpace) -> ValidationError:
    return ValidationError(
        _("This idle space is %(status)s: it cannot take this step.")
        % {"status": idle.get_status_display()},
        code="idle_step",
    )


def _step(idle: IdleSpace, to: str) -> None:
    if to not in NEXT[IdleStatus(idle.status)]:
        raise _step_refusal(idle)


def _area(value: Any) -> Decimal:
    try:
        area = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            _("Give the area in square metres, e.g. 45.5."), code="idle_area"
        ) from None
    if not Decimal("0.1") <= area <= Decimal("100000"):
        raise ValidationError(
            _("The area must be between 0.1 and 100,000 square metres."), code="idle_area"
        )
    return area


def record(
    *,
    actor: User,
    community: Community,
    title: str,
    location: str,
    area_m2: Any,
    owner: str,
    proposed_use: str = "",
    promised_hours_week: int | None = None,
    building: Building | None = None,
) -> IdleSpace:
    _require(actor, community)
    title, location, owner = title.strip(), location.strip(), owner.strip()
    if not (title and location and owner):
        raise ValidationError(_("Give its name, where it is and who owns it."), code="idle_missing")
    if building is not None and building.community_id != community.pk:
        raise ValidationError(_("Choose a building of this community."), code="idle_building")
    if promised_hours_week is not None and not 0 < promised_hours_week <= 168:
        raise ValidationError(_("A week has between 1 and 168 hours."), code="idle_hours")
    with transaction.atomic():
        idle = IdleSpace.objects.in_community(community).create(
            title=title[:80],
            location=location[:200],
            area_m2=_area(area_m2),
            owner=owner[:120],
            proposed_use=proposed_use.strip(),
            promised_hours_week=promised_hours_week,
            building=building,
            recorded_by=actor,
        )
        journal.record(
            community=community,
            actor=actor,
            verb="idle.recorded",
            target=idle,
            data={"area_m2": str(idle.area_m2)},
        )
    return idle


def _locked(idle: IdleSpace) -> IdleSpace:
    return IdleSpace.objects.in_community(idle.community_id).select_for_update().get(pk=idle.pk)


def consult(
    *, actor: User, idle: IdleSpace, proposal: Any = None, conversation: Any = None
) -> IdleSpace:
    """Link the consultation on its use: a hall proposal or an opinion-map conversation."""
    _require(actor, idle.community)
    if (proposal is None) == (conversation is None):
        raise ValidationError(
            _("Choose one consultation: a proposal in the hall or an opinion-map conversation."),
            code="idle_consultation",
        )
    linked = proposal if proposal is not None else conversation
    if linked.community_id != idle.community_id:
        raise ValidationError(
            _("Choose a consultation of this community."), code="idle_consultation"
        )
    if (
        proposal is not None
        and not consultable_proposals(idle.community).filter(pk=proposal.pk).exists()
    ):
        raise ValidationError(
            _(
                "Choose a proposal every member can read in the hall: not a draft, "
                "a withdrawn one or one hidden by the moderators."
            ),
            code="idle_proposal_not_public",
        )
    with transaction.atomic():
        fresh = _locked(idle)
        _step(fresh, IdleStatus.CONSULTING)
        fresh.proposal, fresh.conversation = proposal, conversation
        if fresh.status == IdleStatus.RECORDED:
            fresh.status = IdleStatus.CONSULTING
        fresh.save()
        journal.record(
            community=fresh.community,
            actor=actor,
            verb="idle.consulting",
            target=fresh,
            data={
                "proposal": getattr(proposal, "pk", None),
                "conversation": getattr(conversation, "pk", None),
            },
        )
    return fresh


def renovate(*, actor: User, idle: IdleSpace, project: Any) -> IdleSpace:
    """Link the renovation's budgeting project, whose cost and milestones the page shows."""
    _require(actor, idle.community)
    if project.community_id != idle.community_id:
        raise ValidationError(_("Choose a project of this community."), code="idle_project")
    with transaction.atomic():
        fresh = _locked(idle)
        _step(fresh, IdleStatus.RENOVATING)
        fresh.project = project
        fresh.status = IdleStatus.RENOVATING
        fresh.save()
        journal.record(
            community=fresh.community,
            actor=actor,
            verb="idle.renovating",
            target=fresh,
            data={"project": project.pk},
        )
    return fresh


def opening_refusal(idle: IdleSpace, *, now: datetime | None = None) -> ValidationError | None:
    """Why ``idle`` cannot open yet, as the error ``open_as`` raises, or None: it is opened or
    dropped already, or its consultation is missing, still under way or turned down."""
    if idle.status in (IdleStatus.OPENED, IdleStatus.DROPPED):
        return _step_refusal(idle)
    if idle.proposal_id is None and idle.conversation_id is None:
        return ValidationError(
            _(
                "A proposed use must go to consultation first: link a proposal in the hall "
                "or an opinion-map conversation, and open it once the consultation is over."
            ),
            code="idle_not_consulted",
        )
    proposal = idle.proposal
    if proposal is not None:
        if proposal.status in ACCEPTED:
            return None
        # no title: the refusal is shown to every member, and the proposal may have been
        # hidden since it was linked
        params = {"status": proposal.get_status_display()}
        if proposal.status in TURNED_DOWN:
            return ValidationError(
                _(
                    "The proposal in the hall was not accepted (%(status)s): link another "
                    "consultation, or drop this idle space."
                )
                % params,
                code="idle_consultation_turned_down",
            )
        return ValidationError(
            _(
                "The consultation is still under way: the proposal in the hall is "
                "“%(status)s”. The space opens once the proposal is accepted."
            )
            % params,
            code="idle_consultation_under_way",
        )
    conversation = idle.conversation
    if conversation is not None and not conversation.is_closed(now):
        return ValidationError(
            _(
                "The consultation is still under way: the opinion-map conversation closes "
                "on %(day)s. The space opens after that."
            )
            % {"day": formats.date_format(timezone.localtime(conversation.closes_at))},
            code="idle_consultation_under_way",
        )
    return None


def open_as(*, actor: User, idle: IdleSpace, space: Space) -> IdleSpace:
    """It opens as ``space`` (set up in the catalogue, managed by a body or a partner)."""
    _require(actor, idle.community)
    if space.community_id != idle.community_id:
        raise ValidationError(_("Choose a space of this community."), code="idle_space")
    if not (space.managed_by_body_id or space.managed_by_partner_id):
        raise ValidationError(
            _("A revived space is managed by a body or a partner: choose one in its settings."),
            code="idle_manager",
        )
    with transaction.atomic():
        fresh = _locked(idle)
        refusal = opening_refusal(fresh)
        if refusal is not None:
            raise refusal
        _step(fresh, IdleStatus.OPENED)
        if IdleSpace.objects.in_community(idle.community_id).filter(space=space).exists():
            raise ValidationError(
                _("That space already came from another idle space."), code="idle_space"
            )
        fresh.space = space
        fresh.status = IdleStatus.OPENED
        fresh.opened_at = timezone.now()
        fresh.save()
        journal.record(
            community=fresh.community,
            actor=actor,
            verb="idle.opened",
            target=fresh,
            data={"space": space.pk, "area_m2": str(fresh.area_m2)},
        )
    return fresh


def drop(*, actor: User, idle: IdleSpace, reason: str) -> IdleSpace:
    _require(actor, idle.community)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why it is dropped."), code="idle_reason")
    with transaction.atomic():
        fresh = _locked(idle)
        if fresh.status in (IdleStatus.OPENED, IdleStatus.DROPPED):
            raise _step_refusal(fresh)
        fresh.status = IdleStatus.DROPPED
        fresh.drop_reason = reason[:300]
        fresh.save()
        journal.record(
            community=fresh.community,
            actor=actor,
            verb="idle.dropped",
            target=fresh,
            data={"reason": reason[:300]},
        )
    return fresh
