"""The consultation in the API, under /communities/{slug}/covenants/: a round's comments (on
one article, paged, newest first) and amendments, commenting and proposing an amendment (a
community worker may write them down for a resident, 代办, by the resident's phone), one
amendment with its change as a diff of the draft, withdrawing one's amendment, supporting
another's and taking the support back.

Members of the community read; verified residents (of the building, for a building covenant)
take part. Refusals are 400 with the service's code (``consultation_closed``,
``article_missing``, ``paragraph_missing``, ``last_paragraph``, ``reason_missing``,
``own_amendment``, ``already_supported``, ``not_in_building`` …); one comment or amendment too
many in a while is 429 ``rate_limited``; a round or amendment the caller may not read is 404, as
a missing one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from gongzhi.accounts.models import User
from gongzhi.core.apidoc import errors
from gongzhi.core.http import api_user
from gongzhi.core.policies import require
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.covenants import consult_selectors as selectors
from gongzhi.covenants import consult_services as services
from gongzhi.covenants.models import Amendment, Comment, Round

router = Router(tags=["covenants"])

C = "/communities/{slug}/covenants"
ROUND = C + "/rounds/{round_id}"
AMENDMENT = C + "/amendments/{amendment_id}"


class CovenantCommentOut(Schema):
    id: int
    round: int
    article: int = Field(..., description="The article's key in the round's draft.")
    paragraph: int | None = Field(..., description="The paragraph's key, or null.")
    author: str
    text: str
    created_at: datetime


class CovenantCommentPageOut(Schema):
    total: int
    page: int
    pages: int
    per_page: int
    comments: list[CovenantCommentOut]


class CovenantCommentIn(Schema):
    article: int = Field(..., description="The article's key in the round's draft.")
    paragraph: int | None = Field(None, description="A paragraph's key in that article.")
    text: str = Field(..., max_length=2000)
    phone: str = Field(
        "", description="Staff only: comment for this member (by phone) instead of oneself (代办)."
    )


class CovenantAmendmentOut(Schema):
    id: int
    round: int
    number: int
    kind: str = Field(
        ...,
        description="replace | insert_paragraph | insert_article | delete_paragraph | "
        "delete_article",
    )
    article: int | None
    paragraph: int | None
    heading: str
    text: str
    reason: str
    author: str
    status: str = Field(..., description="proposed | to_vote | accepted | rejected | withdrawn")
    sequence: int | None
    supporters: int
    supported: bool = Field(..., description="Whether the caller supports it.")
    decision_reason: str
    decided_at: datetime | None
    created_at: datetime


class CovenantSegmentOut(Schema):
    tag: str = Field(..., description="equal | insert | delete")
    text: str


class CovenantChangedParagraphOut(Schema):
    label: str
    segments: list[CovenantSegmentOut]


class CovenantChangeOut(Schema):
    article_label: str
    heading: str
    new_heading: str
    missing: bool
    paragraphs: list[CovenantChangedParagraphOut]


class CovenantAmendmentDetailOut(CovenantAmendmentOut):
    change: CovenantChangeOut


class CovenantAmendmentIn(Schema):
    kind: str = Field(
        ...,
        description="replace | insert_paragraph | insert_article | delete_paragraph | "
        "delete_article",
    )
    article: int | None = Field(
        None,
        description="The article (insert_paragraph, delete_article), or the one a new "
        "article follows (insert_article; null: first).",
    )
    paragraph: int | None = Field(
        None,
        description="The paragraph (replace, delete_paragraph), or the one a new paragraph "
        "follows (insert_paragraph; null: first).",
    )
    heading: str = Field("", max_length=120)
    text: str = Field("", max_length=4000)
    reason: str = Field(..., max_length=2000)
    phone: str = Field(
        "", description="Staff only: propose for this member (by phone) instead of oneself (代办)."
    )


class CovenantSupportOut(Schema):
    amendment: int
    supporters: int
    supported: bool


def _round(user: User, slug: str, round_id: int) -> Round:
    community = community_get(slug=slug, user=user)
    round = (
        Round.objects.in_community(community)
        .select_related("covenant__community", "community", "draft")
        .filter(pk=round_id)
        .first()
    )
    if round is None or not selectors.may_read(user, round):
        raise Http404
    return round


def _amendment(user: User, slug: str, amendment_id: int) -> Amendment:
    community = community_get(slug=slug, user=user)
    amendment = selectors.amendment_get(user, community, amendment_id)
    if amendment is None:
        raise Http404
    return amendment


def _for_whom(user: User, round: Round, phone: str) -> User | None:
    if not phone:
        return None
    require("core.act_on_behalf", user, round.community)
    return member_by_phone(phone=phone, community=round.community)


def _comment_out(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "round": comment.round_id,
        "article": comment.article_key,
        "paragraph": comment.paragraph_key,
        "author": str(comment.author),
        "text": comment.text,
        "created_at": comment.created_at,
    }


def _amendment_out(amendment: Amendment, supported: bool) -> dict[str, Any]:
    return {
        "id": amendment.pk,
        "round": amendment.round_id,
        "number": amendment.number,
        "kind": amendment.kind,
        "article": amendment.article_key,
        "paragraph": amendment.paragraph_key,
        "heading": amendment.heading,
        "text": amendment.text,
        "reason": amendment.reason,
        "author": str(amendment.author),
        "status": amendment.status,
        "sequence": amendment.sequence,
        "supporters": amendment.supporters_count,
        "supported": supported,
        "decision_reason": amendment.decision_reason,
        "decided_at": amendment.decided_at,
        "created_at": amendment.created_at,
    }


def _support_out(user: User, slug: str, amendment_id: int) -> dict[str, Any]:
    amendment = _amendment(user, slug, amendment_id)
    return {
        "amendment": amendment.pk,
        "supporters": amendment.supporters_count,
        "supported": bool(selectors.supported_ids(user, [amendment])),
    }


@router.get(
    ROUND + "/comments",
    response=CovenantCommentPageOut,
    summary="A round's comments, newest first, 20 a page (on one article with ?article=)",
)
def comment_list(
    request: HttpRequest, slug: str, round_id: int, article: int | None = None, page: int = 1
) -> dict[str, Any]:
    round = _round(api_user(request), slug, round_id)
    found = selectors.comment_page(round, article, page)
    return {
        "total": found.total,
        "page": found.page,
        "pages": found.pages,
        "per_page": selectors.COMMENTS_PER_PAGE,
        "comments": [_comment_out(c) for c in found.comments],
    }


@router.post(
    ROUND + "/comments",
    response={201: CovenantCommentOut, **errors(429)},
    summary="Comment on an article of the draft or one of its paragraphs, during consultation",
)
def comment_create(
    request: HttpRequest, slug: str, round_id: int, payload: CovenantCommentIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    round = _round(user, slug, round_id)
    comment = services.comment_add(
        actor=user,
        round=round,
        article_key=payload.article,
        paragraph_key=payload.paragraph,
        text=payload.text,
        on_behalf_of=_for_whom(user, round, payload.phone),
    )
    return Status(201, _comment_out(comment))


@router.get(
    ROUND + "/amendments",
    response=list[CovenantAmendmentOut],
    summary="A round's amendments in their order (about one article with ?article=)",
)
def amendment_list(
    request: HttpRequest, slug: str, round_id: int, article: int | None = None
) -> list[dict[str, Any]]:
    user = api_user(request)
    round = _round(user, slug, round_id)
    amendments = list(selectors.amendments_of(round, article))
    mine = selectors.supported_ids(user, amendments)
    return [_amendment_out(a, a.pk in mine) for a in amendments]


@router.post(
    ROUND + "/amendments",
    response={201: CovenantAmendmentOut, **errors(429)},
    summary="Propose an amendment to the draft, with a reason, during consultation",
)
def amendment_create(
    request: HttpRequest, slug: str, round_id: int, payload: CovenantAmendmentIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    round = _round(user, slug, round_id)
    amendment = services.amendment_propose(
        actor=user,
        round=round,
        kind=payload.kind,
        article_key=payload.article,
        paragraph_key=payload.paragraph,
        heading=payload.heading,
        text=payload.text,
        reason=payload.reason,
        on_behalf_of=_for_whom(user, round, payload.phone),
    )
    return Status(201, _amendment_out(amendment, False))


@router.get(
    AMENDMENT,
    response=CovenantAmendmentDetailOut,
    summary="One amendment, with its change shown against the draft",
)
def amendment_detail(request: HttpRequest, slug: str, amendment_id: int) -> dict[str, Any]:
    user = api_user(request)
    amendment = _amendment(user, slug, amendment_id)
    change = selectors.amendment_change(amendment)
    return {
        **_amendment_out(amendment, bool(selectors.supported_ids(user, [amendment]))),
        "change": {
            "article_label": change.article_label,
            "heading": change.heading,
            "new_heading": change.new_heading,
            "missing": change.missing,
            "paragraphs": [
                {"label": label, "segments": [{"tag": s.tag, "text": s.text} for s in segments]}
                for label, segments in change.paragraphs
            ],
        },
    }


@router.post(
    AMENDMENT + "/withdraw",
    response=CovenantAmendmentOut,
    summary="Withdraw one's own amendment before the drafting body decides",
)
def amendment_withdraw(request: HttpRequest, slug: str, amendment_id: int) -> dict[str, Any]:
    user = api_user(request)
    amendment = services.amendment_withdraw(
        actor=user, amendment=_amendment(user, slug, amendment_id)
    )
    return _amendment_out(amendment, False)


@router.post(
    AMENDMENT + "/support",
    response=CovenantSupportOut,
    summary="Support someone else's amendment (once) while it waits for a decision",
)
def amendment_support(request: HttpRequest, slug: str, amendment_id: int) -> dict[str, Any]:
    user = api_user(request)
    services.support_add(actor=user, amendment=_amendment(user, slug, amendment_id))
    return _support_out(user, slug, amendment_id)


@router.post(
    AMENDMENT + "/unsupport",
    response=CovenantSupportOut,
    summary="Take one's support for an amendment back while it waits for a decision",
)
def amendment_unsupport(request: HttpRequest, slug: str, amendment_id: int) -> dict[str, Any]:
    user = api_user(request)
    services.support_remove(actor=user, amendment=_amendment(user, slug, amendment_id))
    return _support_out(user, slug, amendment_id)
