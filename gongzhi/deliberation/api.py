"""The deliberation hall in the JSON API: proposals, comments, reactions, and moderation
(flags, the queue, hiding, appeals and their decisions). A hidden item comes with
``hidden: true`` and its reason; its title and text are empty for everyone but its author and
the moderators."""

from datetime import datetime
from typing import Any, Literal

import rules
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.accounts.models import User
from gongzhi.core.apidoc import errors
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.pagination import BoundedLimitOffsetPagination
from gongzhi.core.selectors import community_get
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import (
    Category,
    Comment,
    FlagReason,
    Proposal,
    ReactionKind,
    Scope,
)
from gongzhi.deliberation.models import Status as ProposalStatus

router = Router(tags=["deliberation"])


def _viewer(context: Any) -> User | AnonymousUser | None:
    request = (context or {}).get("request")
    if request is None:
        return None
    return api_viewer(request)


def _masked(obj: Any, context: Any) -> bool:
    """Whether the viewer reads "hidden by the moderators" instead of this item's text."""
    if obj.hidden_at is None:
        return False
    masked = getattr(obj, "masked", None)
    if masked is not None:
        return bool(masked)
    return not rules.has_perm("deliberation.see_hidden", _viewer(context), obj)


class ProposalOut(Schema):
    id: int
    title: str
    body: str
    status: str
    scope: str
    category: str | None
    author: str
    support_count: int
    support_threshold: int
    published_at: datetime | None
    hidden: bool
    hidden_reason: str | None

    @staticmethod
    def resolve_title(obj, context) -> str:
        return "" if _masked(obj, context) else obj.title

    @staticmethod
    def resolve_body(obj, context) -> str:
        return "" if _masked(obj, context) else obj.body

    @staticmethod
    def resolve_category(obj) -> str | None:
        return obj.category.name if obj.category_id else None

    @staticmethod
    def resolve_author(obj) -> str:
        return str(obj.author)

    @staticmethod
    def resolve_hidden(obj) -> bool:
        return obj.hidden_at is not None

    @staticmethod
    def resolve_hidden_reason(obj) -> str | None:
        return obj.hidden_reason if obj.hidden_at is not None else None


class ProposalIn(Schema):
    title: str
    body: str
    category: int | None = None
    scope: Scope = Scope.COMMUNITY
    publish: bool = True


class CommentIn(Schema):
    body: str
    parent: int | None = None


class CommentOut(Schema):
    id: int
    parent_id: int | None
    author: str
    body: str
    created_at: datetime
    hidden: bool
    hidden_reason: str | None

    @staticmethod
    def resolve_author(obj, context) -> str:
        return "" if _masked(obj, context) else str(obj.author)

    @staticmethod
    def resolve_body(obj, context) -> str:
        return "" if _masked(obj, context) else obj.body

    @staticmethod
    def resolve_hidden(obj) -> bool:
        return obj.hidden_at is not None

    @staticmethod
    def resolve_hidden_reason(obj) -> str | None:
        return obj.hidden_reason if obj.hidden_at is not None else None


class AnswerIn(Schema):
    to: ProposalStatus
    reason: str = ""
    merged_into: int | None = None
    #: the self-governing body that decided the answer (its charter must allow it)
    body: int | None = None


def _proposal(request: HttpRequest, slug: str, proposal_id: int) -> Proposal:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    return selectors.proposal_get(community=community, viewer=user, proposal_id=proposal_id)


@router.get("/{slug}/proposals", response=list[ProposalOut], auth=None, summary="Proposals")
@paginate(BoundedLimitOffsetPagination)
def proposal_list(request: HttpRequest, slug: str, status: str = "", order: str = "new"):
    community = community_get(slug=slug, user=request.user)
    return selectors.proposal_list(
        community=community, viewer=request.user, status=status, order=order
    )


@router.post(
    "/{slug}/proposals", response={201: ProposalOut, **errors(429)}, summary="Raise a proposal"
)
def proposal_create(request: HttpRequest, slug: str, payload: ProposalIn):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    category = None
    if payload.category is not None:
        category = Category.objects.in_community(community).filter(pk=payload.category).first()
    proposal = services.proposal_create(
        actor=user,
        community=community,
        title=payload.title,
        body=payload.body,
        category=category,
        scope=payload.scope.value,
        publish=payload.publish,
    )
    return Status(201, proposal)


@router.get(
    "/{slug}/proposals/{proposal_id}", response=ProposalOut, auth=None, summary="One proposal"
)
def proposal_detail(request: HttpRequest, slug: str, proposal_id: int):
    community = community_get(slug=slug, user=request.user)
    return selectors.proposal_get(community=community, viewer=request.user, proposal_id=proposal_id)


@router.post("/{slug}/proposals/{proposal_id}/support", response=ProposalOut, summary="Support")
def proposal_support(request: HttpRequest, slug: str, proposal_id: int):
    return services.proposal_support(
        actor=api_user(request), proposal=_proposal(request, slug, proposal_id)
    )


@router.delete(
    "/{slug}/proposals/{proposal_id}/support", response=ProposalOut, summary="Withdraw support"
)
def proposal_unsupport(request: HttpRequest, slug: str, proposal_id: int):
    return services.proposal_unsupport(
        actor=api_user(request), proposal=_proposal(request, slug, proposal_id)
    )


@router.get(
    "/{slug}/proposals/{proposal_id}/comments",
    response=list[CommentOut],
    auth=None,
    summary="Comments",
)
@paginate(BoundedLimitOffsetPagination)
def comment_list(request: HttpRequest, slug: str, proposal_id: int):
    community = community_get(slug=slug, user=request.user)
    proposal = selectors.proposal_get(
        community=community, viewer=request.user, proposal_id=proposal_id
    )
    return selectors.comment_list(subject=proposal, viewer=request.user)


@router.post(
    "/{slug}/proposals/{proposal_id}/comments",
    response={201: CommentOut, **errors(429)},
    summary="Comment or reply",
)
def comment_add(request: HttpRequest, slug: str, proposal_id: int, payload: CommentIn):
    return Status(201, comment_add_on(request, _proposal(request, slug, proposal_id), payload))


def comment_add_on(request: HttpRequest, subject: Any, payload: CommentIn) -> Comment:
    """Comment (or reply, with ``parent``) on a subject the caller fetched for the viewer; the
    budgeting API's idea comments use it too."""
    user = api_user(request)
    parent = None
    if payload.parent is not None:
        parent = selectors.comment_get(subject=subject, viewer=user, comment_id=payload.parent)
    return services.comment_add(actor=user, subject=subject, body=payload.body, parent=parent)


@router.post(
    "/{slug}/proposals/{proposal_id}/answer",
    response=ProposalOut,
    summary="Council or staff decision",
)
def proposal_answer(request: HttpRequest, slug: str, proposal_id: int, payload: AnswerIn):
    proposal = _proposal(request, slug, proposal_id)
    target = None
    if payload.merged_into is not None:
        target = (
            Proposal.objects.in_community(proposal.community_id)
            .filter(pk=payload.merged_into)
            .first()
        )
    return services.proposal_transition(
        actor=api_user(request),
        proposal=proposal,
        to=payload.to.value,
        reason=payload.reason,
        merged_into=target,
        body_id=payload.body,
    )


# --- Moderation ------------------------------------------------------------------------------


class FlagIn(Schema):
    reason: FlagReason
    note: str = ""


class FlagOut(Schema):
    id: int
    reason: str
    note: str
    created_at: datetime


class ReasonIn(Schema):
    reason: str


class DismissIn(Schema):
    reason: str = ""


class DismissOut(Schema):
    dismissed: int


class AppealIn(Schema):
    text: str


class DecideIn(Schema):
    restore: bool
    reason: str


def _proposal_of(comment: Comment | None) -> int | None:
    """The proposal a comment is on, if its subject is a proposal."""
    if comment is None or not isinstance(comment.subject, Proposal):
        return None
    return comment.subject_id


class ItemOut(Schema):
    """A proposal or a comment, as the moderators and its author see its moderation state.
    ``proposal_id`` is the proposal, or the one the comment is on (empty for a comment on
    another subject, such as a budgeting idea)."""

    kind: Literal["proposal", "comment"]
    id: int
    proposal_id: int | None
    hidden: bool
    hidden_reason: str | None
    hidden_at: datetime | None

    @staticmethod
    def resolve_kind(obj) -> str:
        return "proposal" if isinstance(obj, Proposal) else "comment"

    @staticmethod
    def resolve_proposal_id(obj) -> int | None:
        return obj.pk if isinstance(obj, Proposal) else _proposal_of(obj)

    @staticmethod
    def resolve_hidden(obj) -> bool:
        return obj.hidden_at is not None

    @staticmethod
    def resolve_hidden_reason(obj) -> str | None:
        return obj.hidden_reason if obj.hidden_at is not None else None


class AppealOut(Schema):
    id: int
    proposal_id: int | None
    comment_id: int | None
    text: str
    created_at: datetime
    decided_at: datetime | None
    decision: str
    decision_reason: str

    @staticmethod
    def resolve_proposal_id(obj) -> int | None:
        return obj.proposal_id if obj.comment_id is None else _proposal_of(obj.comment)


class ModerationEventOut(Schema):
    step: str
    at: datetime
    reason: str
    flag_reason: str
    actor: str | None = None

    @staticmethod
    def resolve_actor(obj, context) -> str | None:
        # Moderators see which of them acted; an author sees "the moderators".
        viewer = _viewer(context)
        if obj.actor_id is None or not rules.has_perm("deliberation.moderate", viewer, obj):
            return None
        return str(obj.actor)


class ReasonCountOut(Schema):
    reason: str
    count: int


class QueueEntryOut(Schema):
    """``subject`` says what the item is discussed under (``proposal``, or another app's
    subject such as ``idea``); ``url`` is the page that shows it."""

    kind: Literal["proposal", "comment"]
    subject: str
    subject_id: int
    proposal_id: int | None
    comment_id: int | None
    url: str
    title: str
    text: str
    author: str
    since: datetime
    flag_count: int
    reasons: list[ReasonCountOut]
    notes: list[str]
    hidden: bool
    hidden_reason: str | None
    appeal: AppealOut | None

    @staticmethod
    def resolve_subject(obj) -> str:
        return obj.subject._meta.model_name

    @staticmethod
    def resolve_subject_id(obj) -> int:
        return obj.subject.pk

    @staticmethod
    def resolve_proposal_id(obj) -> int | None:
        return obj.subject.pk if isinstance(obj.subject, Proposal) else None

    @staticmethod
    def resolve_comment_id(obj) -> int | None:
        return obj.comment.pk if obj.comment is not None else None

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.subject.discussion_title()

    @staticmethod
    def resolve_text(obj) -> str:
        return obj.item.body

    @staticmethod
    def resolve_author(obj) -> str:
        return str(obj.item.author)

    @staticmethod
    def resolve_hidden(obj) -> bool:
        return obj.item.hidden_at is not None

    @staticmethod
    def resolve_hidden_reason(obj) -> str | None:
        return obj.item.hidden_reason if obj.item.hidden_at is not None else None


class ReactionIn(Schema):
    kind: ReactionKind


class ReactionsOut(Schema):
    given: bool
    counts: dict[str, int]
    mine: list[str]


def _item(
    request: HttpRequest, slug: str, proposal_id: int, comment_id: int | None = None
) -> Proposal | Comment:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    return selectors.item_get(
        community=community, viewer=user, proposal_id=proposal_id, comment_id=comment_id
    )


COMMENT = "/{slug}/proposals/{proposal_id}/comments/{comment_id}"


@router.post(
    "/{slug}/proposals/{proposal_id}/flags",
    response={201: FlagOut, **errors(429)},
    summary="Flag a proposal for the moderators",
)
def proposal_flag(request: HttpRequest, slug: str, proposal_id: int, payload: FlagIn):
    item = _item(request, slug, proposal_id)
    flag = services.flag_add(
        actor=api_user(request), item=item, reason=payload.reason.value, note=payload.note
    )
    return Status(201, flag)


@router.post(f"{COMMENT}/flags", response={201: FlagOut, **errors(429)}, summary="Flag a comment")
def comment_flag(
    request: HttpRequest, slug: str, proposal_id: int, comment_id: int, payload: FlagIn
):
    item = _item(request, slug, proposal_id, comment_id)
    flag = services.flag_add(
        actor=api_user(request), item=item, reason=payload.reason.value, note=payload.note
    )
    return Status(201, flag)


@router.post(
    "/{slug}/proposals/{proposal_id}/hide", response=ItemOut, summary="Hide a proposal (moderators)"
)
def proposal_hide(request: HttpRequest, slug: str, proposal_id: int, payload: ReasonIn):
    item = _item(request, slug, proposal_id)
    return services.item_hide(actor=api_user(request), item=item, reason=payload.reason)


@router.post(f"{COMMENT}/hide", response=ItemOut, summary="Hide a comment (moderators)")
def comment_hide(
    request: HttpRequest, slug: str, proposal_id: int, comment_id: int, payload: ReasonIn
):
    item = _item(request, slug, proposal_id, comment_id)
    return services.item_hide(actor=api_user(request), item=item, reason=payload.reason)


@router.post(
    "/{slug}/proposals/{proposal_id}/dismiss-flags",
    response=DismissOut,
    summary="Dismiss the flags on a proposal (moderators)",
)
def proposal_dismiss(request: HttpRequest, slug: str, proposal_id: int, payload: DismissIn):
    item = _item(request, slug, proposal_id)
    count = services.flags_dismiss(actor=api_user(request), item=item, reason=payload.reason)
    return {"dismissed": count}


@router.post(
    f"{COMMENT}/dismiss-flags",
    response=DismissOut,
    summary="Dismiss the flags on a comment (moderators)",
)
def comment_dismiss(
    request: HttpRequest, slug: str, proposal_id: int, comment_id: int, payload: DismissIn
):
    item = _item(request, slug, proposal_id, comment_id)
    count = services.flags_dismiss(actor=api_user(request), item=item, reason=payload.reason)
    return {"dismissed": count}


@router.post(
    "/{slug}/proposals/{proposal_id}/appeal",
    response={201: AppealOut},
    summary="Appeal against hiding one's proposal (once)",
)
def proposal_appeal(request: HttpRequest, slug: str, proposal_id: int, payload: AppealIn):
    item = _item(request, slug, proposal_id)
    return Status(201, services.appeal_add(actor=api_user(request), item=item, text=payload.text))


@router.post(
    f"{COMMENT}/appeal",
    response={201: AppealOut},
    summary="Appeal against hiding one's comment (once)",
)
def comment_appeal(
    request: HttpRequest, slug: str, proposal_id: int, comment_id: int, payload: AppealIn
):
    item = _item(request, slug, proposal_id, comment_id)
    return Status(201, services.appeal_add(actor=api_user(request), item=item, text=payload.text))


@router.get(
    "/{slug}/proposals/{proposal_id}/moderation",
    response=list[ModerationEventOut],
    summary="A proposal's moderation history (its author and the moderators)",
)
def proposal_moderation(request: HttpRequest, slug: str, proposal_id: int):
    item = _item(request, slug, proposal_id)
    return selectors.moderation_history(item=item, viewer=api_user(request))


@router.get(
    f"{COMMENT}/moderation",
    response=list[ModerationEventOut],
    summary="A comment's moderation history (its author and the moderators)",
)
def comment_moderation(request: HttpRequest, slug: str, proposal_id: int, comment_id: int):
    item = _item(request, slug, proposal_id, comment_id)
    return selectors.moderation_history(item=item, viewer=api_user(request))


@router.get(
    "/{slug}/moderation/queue",
    response=list[QueueEntryOut],
    summary="Flagged items and appeals, oldest first (moderators)",
)
@paginate(BoundedLimitOffsetPagination)
def moderation_queue(request: HttpRequest, slug: str):
    community = community_get(slug=slug, user=api_user(request), perm="deliberation.moderate")
    return selectors.moderation_queue(community=community)


@router.post(
    "/{slug}/moderation/appeals/{appeal_id}/decide",
    response=AppealOut,
    summary="Decide an appeal: restore or keep hidden, with a reason (moderators)",
)
def appeal_decide(request: HttpRequest, slug: str, appeal_id: int, payload: DecideIn):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    appeal = selectors.appeal_get(community=community, viewer=user, appeal_id=appeal_id)
    return services.appeal_decide(
        actor=user, appeal=appeal, restore=payload.restore, reason=payload.reason
    )


@router.post(
    f"{COMMENT}/reactions",
    response=ReactionsOut,
    summary="Give or take back a reaction to a comment",
)
def comment_react(
    request: HttpRequest, slug: str, proposal_id: int, comment_id: int, payload: ReactionIn
):
    user = api_user(request)
    comment = _item(request, slug, proposal_id, comment_id)
    assert isinstance(comment, Comment)  # _item fetches a comment when given its id
    given = services.reaction_toggle(actor=user, comment=comment, kind=payload.kind.value)
    return {"given": given, **selectors.reaction_counts(comment=comment, viewer=user)}
