"""Every write in the deliberation hall. Each checks permission, runs in one transaction,
journals the act and notifies after commit. "One support per person" and the support count
hold under concurrency because the proposal row is locked and a unique constraint backs it.
"""

from __future__ import annotations

import math
from decimal import Decimal

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import User
from gongzhi.core import journal
from gongzhi.core.models import Building, Community, Grid, Membership, Role, RoleGrant
from gongzhi.deliberation.models import (
    TRANSITIONS,
    Category,
    Comment,
    DeliberationSettings,
    Follow,
    Proposal,
    ProposalEvent,
    ProposalRevision,
    Scope,
    Status,
    Support,
)
from gongzhi.notifications.services import notify


def _require(perm: str, user: User, obj: object) -> None:
    if not rules.has_perm(perm, user, obj):
        raise PermissionDenied(_("You are not allowed to do this."))


def _clean_text(value: str, *, field: str, max_length: int, min_length: int = 1) -> str:
    text = (value or "").strip()
    if len(text) < min_length:
        raise ValidationError(_("This field cannot be empty."), code=f"{field}_empty")
    if len(text) > max_length:
        raise ValidationError(
            _("This text is too long: at most %(max)d characters.") % {"max": max_length},
            code=f"{field}_too_long",
        )
    return text


def support_threshold(community: Community) -> int:
    """Supports needed: a share of the verified residents, never below the minimum."""
    settings, _created = DeliberationSettings.objects.in_community(community).get_or_create()
    verified = Membership.objects.in_community(community).filter(verified_at__isnull=False).count()
    share = math.ceil(Decimal(verified) * settings.threshold_percent / 100)
    return max(settings.threshold_minimum, share)


def _event(proposal: Proposal, *, actor: User | None, to: Status, reason: str = "") -> None:
    ProposalEvent.objects.in_community(proposal.community_id).create(
        proposal=proposal, actor=actor, from_status=proposal.status, to_status=to, reason=reason
    )
    proposal.status = to
    proposal.updated_at = timezone.now()


def _people_with_roles(community: Community, roles: list[Role]) -> list[User]:
    ids = (
        RoleGrant.objects.in_community(community)
        .filter(role__in=roles)
        .values_list("membership__user", flat=True)
    )
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _followers(proposal: Proposal, *, besides: User | None = None) -> list[User]:
    ids = (
        Follow.objects.in_community(proposal.community_id)
        .filter(proposal=proposal)
        .values_list("user", flat=True)
    )
    users = User.objects.filter(pk__in=ids)
    if besides is not None:
        users = users.exclude(pk=besides.pk)
    return list(users)


def proposal_create(
    *,
    actor: User,
    community: Community,
    title: str,
    body: str,
    category: Category | None = None,
    scope: str = Scope.COMMUNITY,
    grid: Grid | None = None,
    building: Building | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    publish: bool = True,
    on_behalf_of: User | None = None,
) -> Proposal:
    """A resident raises a proposal (or a community worker raises it for them, 代办)."""
    author = on_behalf_of or actor
    if on_behalf_of is not None:
        _require("core.act_on_behalf", actor, community)
    _require("deliberation.create_proposal", author, community)
    title = _clean_text(title, field="title", max_length=120)
    body = _clean_text(body, field="body", max_length=5000)
    if scope not in Scope.values:
        raise ValidationError(_("Choose what the proposal concerns."), code="scope_invalid")
    for place in (category, grid, building):
        if place is not None and place.community_id != community.pk:
            raise ValidationError(
                _("Choose a place or category of this community."), code="place_invalid"
            )
    if scope == Scope.GRID and grid is None or scope == Scope.BUILDING and building is None:
        raise ValidationError(
            _("Choose the grid or building the proposal concerns."), code="place_missing"
        )
    if (latitude is None) != (longitude is None):
        raise ValidationError(
            _("A map point needs both latitude and longitude."), code="point_invalid"
        )
    with transaction.atomic():
        proposal = Proposal.objects.in_community(community).create(
            author=author,
            title=title,
            body=body,
            category=category,
            scope=scope,
            grid=grid if scope == Scope.GRID else None,
            building=building if scope == Scope.BUILDING else None,
            latitude=latitude,
            longitude=longitude,
        )
        Follow.objects.in_community(community).create(proposal=proposal, user=author)
        journal.record(
            community=community,
            actor=actor,
            on_behalf_of=on_behalf_of,
            verb="proposal.created",
            target=proposal,
        )
        if publish:
            _publish(proposal, actor=actor, on_behalf_of=on_behalf_of)
    return proposal


def _publish(proposal: Proposal, *, actor: User, on_behalf_of: User | None = None) -> None:
    proposal.support_threshold = support_threshold(proposal.community)
    proposal.published_at = timezone.now()
    _event(proposal, actor=actor, to=Status.GATHERING)
    proposal.save(update_fields=["status", "support_threshold", "published_at", "updated_at"])
    journal.record(
        community=proposal.community,
        actor=actor,
        on_behalf_of=on_behalf_of,
        verb="proposal.published",
        target=proposal,
    )


def proposal_publish(*, actor: User, proposal: Proposal) -> Proposal:
    with transaction.atomic():
        locked = (
            Proposal.objects.in_community(proposal.community_id)
            .select_for_update()
            .get(pk=proposal.pk)
        )
        _require("deliberation.edit_proposal", actor, locked)
        if locked.status != Status.DRAFT:
            raise ValidationError(
                _("This proposal is already published."), code="already_published"
            )
        _publish(locked, actor=actor)
    return locked


def proposal_edit(*, actor: User, proposal: Proposal, title: str, body: str) -> Proposal:
    """The author edits; the earlier text is kept as a revision."""
    title = _clean_text(title, field="title", max_length=120)
    body = _clean_text(body, field="body", max_length=5000)
    with transaction.atomic():
        locked = (
            Proposal.objects.in_community(proposal.community_id)
            .select_for_update()
            .get(pk=proposal.pk)
        )
        _require("deliberation.edit_proposal", actor, locked)
        if (locked.title, locked.body) == (title, body):
            return locked
        ProposalRevision.objects.in_community(locked.community_id).create(
            proposal=locked, title=locked.title, body=locked.body, edited_by=actor
        )
        locked.title, locked.body, locked.updated_at = title, body, timezone.now()
        locked.save(update_fields=["title", "body", "updated_at"])
        journal.record(
            community=locked.community, actor=actor, verb="proposal.edited", target=locked
        )
    return locked


def proposal_support(*, actor: User, proposal: Proposal) -> Proposal:
    """One verified resident, one support. Reaching the threshold puts it before the council."""
    with transaction.atomic():
        locked = (
            Proposal.objects.in_community(proposal.community_id)
            .select_related("community")
            .select_for_update()
            .get(pk=proposal.pk)
        )
        if not rules.has_perm("deliberation.support_proposal", actor, locked):
            if not locked.is_open_for_support:
                raise ValidationError(_("This proposal no longer takes support."), code="closed")
            raise PermissionDenied(
                _("Only verified residents of this community can support proposals.")
            )
        try:
            with transaction.atomic():
                Support.objects.in_community(locked.community).create(proposal=locked, user=actor)
        except IntegrityError as exc:
            raise ValidationError(
                _("You already support this proposal."), code="already_supported"
            ) from exc
        Proposal.objects.in_community(locked.community).filter(pk=locked.pk).update(
            support_count=F("support_count") + 1
        )
        locked.refresh_from_db(fields=["support_count"])
        journal.record(
            community=locked.community, actor=actor, verb="proposal.supported", target=locked
        )
        if locked.status == Status.GATHERING and locked.support_count >= locked.support_threshold:
            _event(locked, actor=None, to=Status.THRESHOLD_REACHED)
            locked.save(update_fields=["status", "updated_at"])
            notify(
                users=_people_with_roles(
                    locked.community, [Role.COUNCIL_MEMBER, Role.COMMUNITY_WORKER]
                )
                + _followers(locked),
                community=locked.community,
                kind="proposal_threshold",
                title=gettext_lazy("A proposal has enough support for the council: %(title)s"),
                params={"title": locked.title},
                url=f"/c/{locked.community.slug}/proposals/{locked.pk}/",
            )
    return locked


def proposal_unsupport(*, actor: User, proposal: Proposal) -> Proposal:
    """Withdraw one's support while the proposal is open (the threshold, once reached, stays)."""
    with transaction.atomic():
        locked = (
            Proposal.objects.in_community(proposal.community_id)
            .select_for_update()
            .get(pk=proposal.pk)
        )
        if not locked.is_open_for_support:
            raise ValidationError(_("This proposal no longer takes support."), code="closed")
        deleted, _rows = (
            Support.objects.in_community(locked.community_id)
            .filter(proposal=locked, user=actor)
            .delete()
        )
        if not deleted:
            raise ValidationError(_("You do not support this proposal."), code="not_supported")
        Proposal.objects.in_community(locked.community_id).filter(pk=locked.pk).update(
            support_count=F("support_count") - 1
        )
        locked.refresh_from_db(fields=["support_count"])
        journal.record(
            community=locked.community, actor=actor, verb="proposal.unsupported", target=locked
        )
    return locked


def proposal_follow(*, actor: User, proposal: Proposal, follow: bool = True) -> None:
    _require("deliberation.view_proposal", actor, proposal)
    if not actor.is_authenticated:
        raise PermissionDenied
    follows = Follow.objects.in_community(proposal.community_id)
    if follow:
        follows.get_or_create(proposal=proposal, user=actor)
    else:
        follows.filter(proposal=proposal, user=actor).delete()


def comment_add(
    *, actor: User, proposal: Proposal, body: str, parent: Comment | None = None
) -> Comment:
    _require("deliberation.comment", actor, proposal)
    body = _clean_text(body, field="comment", max_length=2000)
    if parent is not None and parent.proposal_id != proposal.pk:
        raise ValidationError(
            _("You can only reply to a comment on this proposal."), code="parent_invalid"
        )
    if parent is not None and parent.parent_id is not None:
        parent = parent.parent  # replies stay one level deep, under the comment they answer
    with transaction.atomic():
        comment = Comment.objects.in_community(proposal.community_id).create(
            proposal=proposal, parent=parent, author=actor, body=body
        )
        journal.record(
            community=proposal.community,
            actor=actor,
            verb="comment.added",
            target=comment,
            data={"proposal": proposal.pk},
        )
        recipients = _followers(proposal, besides=actor)
        if recipients:
            notify(
                users=recipients,
                community=proposal.community,
                kind="proposal_comment",
                title=gettext_lazy("New comment on “%(title)s”"),
                params={"title": proposal.title},
                url=f"/c/{proposal.community.slug}/proposals/{proposal.pk}/#comment-{comment.pk}",
            )
    return comment


def proposal_transition(
    *,
    actor: User,
    proposal: Proposal,
    to: str,
    reason: str = "",
    merged_into: Proposal | None = None,
) -> Proposal:
    """The council or staff move a proposal on: agenda, answer (with reasons), implemented."""
    reason = (reason or "").strip()
    if len(reason) > 5000:
        raise ValidationError(
            _("This text is too long: at most %(max)d characters.") % {"max": 5000},
            code="reason_too_long",
        )
    if to in {Status.REJECTED, Status.MERGED} and not reason:
        raise ValidationError(
            _("Give the reasons: the author and supporters will read them."), code="reason_missing"
        )
    with transaction.atomic():
        locked = (
            Proposal.objects.in_community(proposal.community_id)
            .select_related("community")
            .select_for_update()
            .get(pk=proposal.pk)
        )
        if to == Status.WITHDRAWN:
            if locked.author_id != actor.pk:
                raise PermissionDenied(_("Only its author can withdraw a proposal."))
        else:
            _require("deliberation.answer_proposal", actor, locked)
        if to not in TRANSITIONS.get(locked.status, set()):
            raise ValidationError(
                _("A proposal that is “%(now)s” cannot become “%(then)s”.")
                % {"now": Status(locked.status).label, "then": Status(to).label},
                code="transition_invalid",
            )
        if to == Status.MERGED:
            if (
                merged_into is None
                or merged_into.community_id != locked.community_id
                or merged_into.pk == locked.pk
            ):
                raise ValidationError(
                    _("Choose another proposal of this community to merge into."),
                    code="merge_target",
                )
            locked.merged_into = merged_into
        _event(locked, actor=actor, to=Status(to), reason=reason)
        locked.save(update_fields=["status", "updated_at", "merged_into"])
        journal.record(
            community=locked.community,
            actor=actor,
            verb="proposal.status_changed",
            target=locked,
            data={"to": to},
        )
        notify(
            users=_followers(locked, besides=actor),
            community=locked.community,
            kind="proposal_answered",
            title=gettext_lazy("“%(title)s” is now: %(status)s"),
            params={"title": locked.title, "status": Status(to).label},
            url=f"/c/{locked.community.slug}/proposals/{locked.pk}/",
        )
    return locked
