from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.core.pagination import BoundedLimitOffsetPagination
from gongzhi.core.selectors import community_get
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import Category, Proposal, Scope
from gongzhi.deliberation.models import Status as ProposalStatus

router = Router(tags=["deliberation"])


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

    @staticmethod
    def resolve_category(obj) -> str | None:
        return obj.category.name if obj.category_id else None

    @staticmethod
    def resolve_author(obj) -> str:
        return str(obj.author)


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

    @staticmethod
    def resolve_author(obj) -> str:
        return str(obj.author)


class AnswerIn(Schema):
    to: ProposalStatus
    reason: str = ""
    merged_into: int | None = None


def _proposal(request: HttpRequest, slug: str, proposal_id: int) -> Proposal:
    community = community_get(slug=slug, user=request.auth)
    return selectors.proposal_get(community=community, viewer=request.auth, proposal_id=proposal_id)


@router.get("/{slug}/proposals", response=list[ProposalOut], auth=None, summary="Proposals")
@paginate(BoundedLimitOffsetPagination)
def proposal_list(request: HttpRequest, slug: str, status: str = "", order: str = "new"):
    community = community_get(slug=slug, user=request.user)
    return selectors.proposal_list(
        community=community, viewer=request.user, status=status, order=order
    )


@router.post("/{slug}/proposals", response={201: ProposalOut}, summary="Raise a proposal")
def proposal_create(request: HttpRequest, slug: str, payload: ProposalIn):
    community = community_get(slug=slug, user=request.auth)
    category = None
    if payload.category is not None:
        category = Category.objects.in_community(community).filter(pk=payload.category).first()
    proposal = services.proposal_create(
        actor=request.auth,
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
        actor=request.auth, proposal=_proposal(request, slug, proposal_id)
    )


@router.delete(
    "/{slug}/proposals/{proposal_id}/support", response=ProposalOut, summary="Withdraw support"
)
def proposal_unsupport(request: HttpRequest, slug: str, proposal_id: int):
    return services.proposal_unsupport(
        actor=request.auth, proposal=_proposal(request, slug, proposal_id)
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
    return proposal.comments.select_related("author").order_by("created_at", "pk")


@router.post(
    "/{slug}/proposals/{proposal_id}/comments",
    response={201: CommentOut},
    summary="Comment or reply",
)
def comment_add(request: HttpRequest, slug: str, proposal_id: int, payload: CommentIn):
    proposal = _proposal(request, slug, proposal_id)
    parent = None
    if payload.parent is not None:
        parent = proposal.comments.filter(pk=payload.parent).first()
        if parent is None:
            from django.http import Http404

            raise Http404
    return Status(
        201,
        services.comment_add(
            actor=request.auth, proposal=proposal, body=payload.body, parent=parent
        ),
    )


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
        actor=request.auth,
        proposal=proposal,
        to=payload.to.value,
        reason=payload.reason,
        merged_into=target,
    )
