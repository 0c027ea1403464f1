"""Every write in the deliberation hall. Each checks permission, runs in one transaction,
journals the act and notifies after commit. "One support per person" and the support count
hold under concurrency because the proposal row is locked and a unique constraint backs it.

Against spam and floods, raising proposals, commenting and flagging count towards per-person
limits (``RATE_LIMITS``) kept in the shared cache. Moderation (flag, hide, dismiss, appeal,
decide) works on an "item": a proposal, or a comment — on a proposal or on another app's
subject (a budgeting idea), moderated by the same people.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core import journal
from gongzhi.core.decisions import require_power
from gongzhi.core.models import (
    Building,
    Community,
    Grid,
    Membership,
    Role,
    RoleGrant,
    active_grant_q,
)
from gongzhi.core.policies import require
from gongzhi.core.ratelimit import count_hit
from gongzhi.core.uploads import DOCUMENTS, PHOTOS, CheckedUpload, check_upload, store_upload
from gongzhi.deliberation.models import (
    ANSWERS,
    TRANSITIONS,
    Appeal,
    AppealDecision,
    Attachment,
    Category,
    Comment,
    DeliberationSettings,
    Flag,
    FlagReason,
    FlagResolution,
    Follow,
    ModerationEvent,
    ModerationStep,
    Proposal,
    ProposalEvent,
    ProposalRevision,
    Reaction,
    ReactionKind,
    Scope,
    Status,
    Support,
    subject_filter,
)
from gongzhi.deliberation.policies import MODERATOR_ROLES, subject_of
from gongzhi.notifications.services import notify

#: Per person: (at most this many, in a window of this many seconds of local time). A
#: community worker raising proposals for offline residents (代办) counts towards each
#: resident's limit, not their own.
RATE_LIMITS: dict[str, tuple[int, int]] = {
    "proposal": (5, 24 * 3600),
    "comment": (10, 10 * 60),
    "flag": (20, 24 * 3600),
}
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_KINDS = PHOTOS | DOCUMENTS


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


def _rate_limit_message(action: str, limit: int) -> str:
    if action == "proposal":
        return _("You can raise at most %(limit)d proposals a day. Please try again tomorrow.") % {
            "limit": limit
        }
    if action == "comment":
        return _(
            "You can post at most %(limit)d comments in ten minutes. Please wait a little."
        ) % {"limit": limit}
    return _("You can flag at most %(limit)d items a day. Please try again tomorrow.") % {
        "limit": limit
    }


def _count_towards_limit(action: str, user: User) -> None:
    """Count one act in the current window (core.ratelimit); refuse it beyond the limit."""
    limit, window = RATE_LIMITS[action]
    if count_hit(action, user.pk, window=window) > limit:
        raise ValidationError(_rate_limit_message(action, limit), code="rate_limited")


def _check_attachments(files: Sequence[Any]) -> list[CheckedUpload]:
    """Every file is checked before anything is written: one refusal refuses them all."""
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            _("At most %(max)d files can be attached to a proposal.") % {"max": MAX_ATTACHMENTS},
            code="too_many_files",
        )
    return [check_upload(f, kinds=ATTACHMENT_KINDS, max_bytes=MAX_ATTACHMENT_BYTES) for f in files]


def _store_attachments(proposal: Proposal, checked: list[CheckedUpload], written: list) -> None:
    for upload in checked:
        store_upload(
            Attachment(community_id=proposal.community_id, proposal=proposal), upload, written
        )


def support_threshold(community: Community) -> int:
    """Supports needed: a share of the verified residents, never below the minimum."""
    settings, _created = DeliberationSettings.objects.in_community(community).get_or_create()
    verified = Membership.objects.in_community(community).filter(verified_at__isnull=False).count()
    share = math.ceil(Decimal(verified) * settings.threshold_percent / 100)
    return max(settings.threshold_minimum, share)


def _event(
    proposal: Proposal,
    *,
    actor: User | None,
    to: Status,
    reason: str = "",
    basis: tuple[str, str] | None = None,
) -> None:
    basis_title, basis_url = basis or ("", "")
    ProposalEvent.objects.in_community(proposal.community_id).create(
        proposal=proposal,
        actor=actor,
        from_status=proposal.status,
        to_status=to,
        reason=reason,
        basis_title=basis_title[:200],
        basis_url=basis_url[:300],
    )
    proposal.status = to
    proposal.updated_at = timezone.now()


def _people_with_roles(community: Community, roles: list[Role]) -> list[User]:
    ids = (
        RoleGrant.objects.in_community(community)
        .filter(active_grant_q(), role__in=roles)
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
    attachments: Sequence[Any] = (),
) -> Proposal:
    """A resident raises a proposal (or a community worker raises it for them, 代办), with up to
    five photos or PDFs: all are checked first, and stored only with the proposal."""
    author = on_behalf_of or actor
    if on_behalf_of is not None:
        require("core.act_on_behalf", actor, community)
    require("deliberation.create_proposal", author, community)
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
    checked = _check_attachments(attachments)
    _count_towards_limit("proposal", author)
    written: list[Any] = []
    try:
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
            _store_attachments(proposal, checked, written)
            journal.record(
                community=community,
                actor=actor,
                on_behalf_of=on_behalf_of,
                verb="proposal.created",
                target=proposal,
                data={"attachments": len(checked)} if checked else None,
            )
            if publish:
                _publish(proposal, actor=actor, on_behalf_of=on_behalf_of)
    except BaseException:
        for stored in written:  # the rows rolled back; their files must not stay behind
            stored.storage.delete(stored.name)
        raise
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
        require("deliberation.edit_proposal", actor, locked)
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
        require("deliberation.edit_proposal", actor, locked)
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
            if locked.is_hidden:
                raise ValidationError(
                    _("This proposal is hidden by the moderators."), code="hidden"
                )
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
                message="reached",
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
    require("deliberation.view_proposal", actor, proposal)
    if not actor.is_authenticated:
        raise PermissionDenied
    follows = Follow.objects.in_community(proposal.community_id)
    if follow:
        follows.get_or_create(proposal=proposal, user=actor)
    else:
        follows.filter(proposal=proposal, user=actor).delete()


def comment_add(*, actor: User, subject: Any, body: str, parent: Comment | None = None) -> Comment:
    """Comment on a proposal or on another app's ``DiscussionSubject`` (a budgeting idea), or
    reply to a comment there. Who may is the subject's own permission; the limits, the journal
    and telling the subject's audience are the hall's."""
    if getattr(subject, "hidden_at", None) is not None:
        raise ValidationError(_("This proposal is hidden by the moderators."), code="hidden")
    require(subject.COMMENT_PERMISSION, actor, subject)
    body = _clean_text(body, field="comment", max_length=2000)
    on_subject = subject_filter(subject)
    if parent is not None and (parent.subject_type_id, parent.subject_id) != (
        on_subject["subject_type"].pk,
        subject.pk,
    ):
        raise ValidationError(
            _("You can only reply to a comment in this discussion."), code="parent_invalid"
        )
    if parent is not None and parent.parent_id is not None:
        parent = parent.parent  # replies stay one level deep, under the comment they answer
    _count_towards_limit("comment", actor)
    with transaction.atomic():
        comment = Comment.objects.in_community(subject.community_id).create(
            **on_subject, parent=parent, author=actor, body=body
        )
        comment.subject = subject
        journal.record(
            community=subject.community,
            actor=actor,
            verb=subject.COMMENT_VERB,
            target=comment,
            data={subject._meta.model_name: subject.pk},
        )
        recipients = list(subject.discussion_audience().exclude(pk=actor.pk))
        if recipients:
            notify(
                users=recipients,
                community=subject.community,
                kind=subject.COMMENT_NOTIFICATION,
                message="comment",
                params={"title": subject.discussion_title()},
                url=f"{subject.discussion_url()}#comment-{comment.pk}",
            )
    return comment


def proposal_transition(
    *,
    actor: User,
    proposal: Proposal,
    to: str,
    reason: str = "",
    merged_into: Proposal | None = None,
    body_id: int | None = None,
    basis: tuple[str, str] | None = None,
) -> Proposal:
    """The council or staff move a proposal on: agenda, answer (with reasons), implemented.

    An answer may name the self-governing body that decided it (``body_id``): its charter must
    give it the power to answer proposals on the proposal's category (``answer_proposals``,
    asked through ``core.decisions.require_power``), and its ``basis``: (title, path) of the
    record it rests on, such as the meeting that decided it."""
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
            require("deliberation.answer_proposal", actor, locked)
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
        if body_id is not None and to in ANSWERS:
            require_power(
                community_id=locked.community_id,
                body_id=body_id,
                kind="answer_proposals",
                topic=locked.category.name if locked.category is not None else "",
            )
        _event(locked, actor=actor, to=Status(to), reason=reason, basis=basis)
        locked.save(update_fields=["status", "updated_at", "merged_into"])
        journal.record(
            community=locked.community,
            actor=actor,
            verb="proposal.status_changed",
            target=locked,
            data={"to": to, "body": body_id} if body_id is not None else {"to": to},
        )
        notify(
            users=_followers(locked, besides=actor),
            community=locked.community,
            kind="proposal_answered",
            message="status",
            params={"title": locked.title, "status": Status(to).label},
            url=f"/c/{locked.community.slug}/proposals/{locked.pk}/",
        )
    return locked


# --- Moderation ------------------------------------------------------------------------------

Item = Proposal | Comment


def _targets(item: Item) -> dict[str, Any]:
    """How Flag, Appeal and ModerationEvent name an item: the proposal, or the comment."""
    if isinstance(item, Proposal):
        return {"proposal_id": item.pk, "comment": None}
    return {"proposal_id": None, "comment": item}


def _lock(item: Item) -> Item:
    locked = (
        type(item)
        .objects.in_community(item.community_id)
        .select_related("community")
        .select_for_update(of=("self",))
        .get(pk=item.pk)
    )
    if isinstance(item, Comment) and isinstance(locked, Comment):
        subject = subject_of(item)  # as the caller fetched it (its app loaded its parts)
        if subject.community_id == locked.community_id:
            subject.community = locked.community
        locked.subject = subject
    return locked


def _url(item: Item) -> str:
    if isinstance(item, Proposal):
        return item.discussion_url()
    return f"{subject_of(item).discussion_url()}#comment-{item.pk}"


def _title(item: Item) -> str:
    return subject_of(item).discussion_title()


def _step(
    item: Item, *, actor: User | None, step: ModerationStep, reason: str = "", flag_reason=""
) -> None:
    ModerationEvent.objects.in_community(item.community_id).create(
        **_targets(item), actor=actor, step=step, reason=reason, flag_reason=flag_reason
    )


def _journal(item: Item, *, actor: User, verb: str, **data: Any) -> None:
    if isinstance(item, Comment):
        data[subject_of(item)._meta.model_name] = item.subject_id
    journal.record(community=item.community, actor=actor, verb=verb, target=item, data=data)


def _moderators(community: Community, *, besides: User | None = None) -> list[User]:
    people = _people_with_roles(community, list(MODERATOR_ROLES))
    return [p for p in people if besides is None or p.pk != besides.pk]


def _open_flags(item: Item):
    flags = Flag.objects.in_community(item.community_id).filter(resolved_at__isnull=True)
    if isinstance(item, Proposal):
        return flags.filter(proposal=item, comment__isnull=True)
    return flags.filter(comment=item)


def _reason(value: str) -> str:
    """Hiding and deciding need a reason: the author reads it."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(_("Give the reason: its author will read it."), code="reason_missing")
    if len(text) > 2000:
        raise ValidationError(
            _("This text is too long: at most %(max)d characters.") % {"max": 2000},
            code="reason_too_long",
        )
    return text


def flag_add(*, actor: User, item: Item, reason: str, note: str = "") -> Flag:
    """Anyone logged in tells the moderators that a proposal or a comment breaks the rules.
    One flag per person per item (a unique constraint); the moderators hear of an item when
    its first open flag arrives, not of every flag."""
    if reason not in FlagReason.values:
        raise ValidationError(_("Choose a reason."), code="reason_invalid")
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError(
            _("This text is too long: at most %(max)d characters.") % {"max": 500},
            code="note_too_long",
        )
    if reason == FlagReason.OTHER and not note:
        raise ValidationError(_("Say what is wrong."), code="note_missing")
    if item.hidden_at is not None:
        raise ValidationError(_("The moderators have already hidden this."), code="hidden")
    require("deliberation.flag", actor, item)
    _count_towards_limit("flag", actor)
    with transaction.atomic():
        try:
            with transaction.atomic():
                flag = Flag.objects.in_community(item.community_id).create(
                    **_targets(item), flagged_by=actor, reason=reason, note=note
                )
        except IntegrityError as exc:
            raise ValidationError(
                _("You have already flagged this."), code="already_flagged"
            ) from exc
        _step(item, actor=actor, step=ModerationStep.FLAGGED, reason=note, flag_reason=reason)
        _journal(item, actor=actor, verb="moderation.flagged", reason=reason)
        if _open_flags(item).count() == 1:
            notify(
                users=_moderators(item.community, besides=actor),
                community=item.community,
                kind="moderation_queue",
                message="flagged",
                params={"title": _title(item)},
                url=f"/c/{item.community.slug}/proposals/moderation/",
            )
    return flag


def item_hide(*, actor: User, item: Item, reason: str) -> Item:
    """A moderator hides a proposal or a comment, with a reason its author reads (on the item
    and in a notification). Open flags on it are resolved as "hidden"."""
    reason = _reason(reason)
    with transaction.atomic():
        locked = _lock(item)
        require("deliberation.moderate", actor, locked)
        if locked.hidden_at is not None:
            raise ValidationError(_("This is already hidden."), code="already_hidden")
        now = timezone.now()
        locked.hidden_at, locked.hidden_reason, locked.hidden_by = now, reason, actor
        locked.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
        _open_flags(locked).update(
            resolved_at=now, resolved_by=actor, resolution=FlagResolution.HIDDEN
        )
        _step(locked, actor=actor, step=ModerationStep.HIDDEN, reason=reason)
        _journal(locked, actor=actor, verb="moderation.hidden")
        if locked.author_id != actor.pk:
            notify(
                users=[locked.author],
                community=locked.community,
                kind="moderation_decision",
                message="comment_hidden" if isinstance(locked, Comment) else "proposal_hidden",
                params={"title": _title(locked), "reason": reason},
                url=_url(locked),
            )
    return locked


def flags_dismiss(*, actor: User, item: Item, reason: str = "") -> int:
    """A moderator finds nothing wrong: the open flags are closed, the item stays."""
    reason = (reason or "").strip()[:2000]
    with transaction.atomic():
        locked = _lock(item)
        require("deliberation.moderate", actor, locked)
        dismissed = _open_flags(locked).update(
            resolved_at=timezone.now(), resolved_by=actor, resolution=FlagResolution.DISMISSED
        )
        if not dismissed:
            raise ValidationError(_("There are no open flags on this."), code="no_flags")
        _step(locked, actor=actor, step=ModerationStep.FLAGS_DISMISSED, reason=reason)
        _journal(locked, actor=actor, verb="moderation.flags_dismissed", flags=dismissed)
    return dismissed


def appeal_add(*, actor: User, item: Item, text: str) -> Appeal:
    """The author of a hidden item asks the moderators to look again. Once per item: the
    database refuses a second appeal (unique constraint), whatever the pages let through."""
    text = _clean_text(text, field="appeal", max_length=2000)
    with transaction.atomic():
        locked = _lock(item)
        if locked.author_id != actor.pk:
            raise PermissionDenied(_("Only its author can appeal."))
        if locked.hidden_at is None:
            raise ValidationError(_("This is not hidden."), code="not_hidden")
        try:
            with transaction.atomic():
                appeal = Appeal.objects.in_community(locked.community_id).create(
                    **_targets(locked), author=actor, text=text
                )
        except IntegrityError as exc:
            raise ValidationError(
                _("You have already appealed: each item can be appealed once."),
                code="already_appealed",
            ) from exc
        _step(locked, actor=actor, step=ModerationStep.APPEALED, reason=text)
        _journal(locked, actor=actor, verb="moderation.appealed")
        notify(
            users=_moderators(locked.community, besides=actor),
            community=locked.community,
            kind="moderation_queue",
            message="appealed",
            params={"title": _title(locked)},
            url=f"/c/{locked.community.slug}/proposals/moderation/",
        )
    return appeal


def appeal_decide(*, actor: User, appeal: Appeal, restore: bool, reason: str) -> Appeal:
    """A moderator decides an appeal: restore the item or keep it hidden, with a reason. The
    author hears either way. Nobody decides an appeal about their own item."""
    reason = _reason(reason)
    with transaction.atomic():
        locked = (
            Appeal.objects.in_community(appeal.community_id).select_for_update().get(pk=appeal.pk)
        )
        require("deliberation.moderate", actor, locked)
        if locked.author_id == actor.pk:
            raise PermissionDenied(
                _("Another moderator must decide an appeal about your own words.")
            )
        if locked.decided_at is not None:
            raise ValidationError(_("This appeal is already decided."), code="already_decided")
        target = locked.comment or locked.proposal  # one of them (a check constraint)
        assert target is not None
        item = _lock(target)
        now = timezone.now()
        if restore:
            item.hidden_at, item.hidden_reason, item.hidden_by = None, "", None
            item.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
        locked.decided_at, locked.decided_by, locked.decision_reason = now, actor, reason
        locked.decision = AppealDecision.RESTORED if restore else AppealDecision.KEPT_HIDDEN
        locked.save(update_fields=["decided_at", "decided_by", "decision", "decision_reason"])
        _step(
            item,
            actor=actor,
            step=ModerationStep.RESTORED if restore else ModerationStep.KEPT_HIDDEN,
            reason=reason,
        )
        _journal(item, actor=actor, verb="moderation.appeal_decided", restored=restore)
        notify(
            users=[locked.author],
            community=item.community,
            kind="moderation_decision",
            message="restored" if restore else "kept_hidden",
            params={"title": _title(item), "reason": reason},
            url=_url(item),
        )
    return locked


# --- Reactions -------------------------------------------------------------------------------


def reaction_toggle(*, actor: User, comment: Comment, kind: str) -> bool:
    """Add the reaction, or take it back if given already. Returns whether it is now given.
    One of each kind per person per comment is a unique constraint: two quick taps that race
    both end with it given, never with two rows."""
    if kind not in ReactionKind.values:
        raise ValidationError(_("Choose a reaction."), code="kind_invalid")
    require("deliberation.react", actor, comment)
    reactions = Reaction.objects.in_community(comment.community_id)
    with transaction.atomic():
        removed, _rows = reactions.filter(comment=comment, user=actor, kind=kind).delete()
        if removed:
            journal.record(
                community=comment.community,
                actor=actor,
                verb="reaction.removed",
                target=comment,
                data={"kind": kind},
            )
            return False
        try:
            with transaction.atomic():
                reactions.create(comment=comment, user=actor, kind=kind)
        except IntegrityError:
            return True  # given by a request that raced this one
        journal.record(
            community=comment.community,
            actor=actor,
            verb="reaction.added",
            target=comment,
            data={"kind": kind},
        )
    return True
