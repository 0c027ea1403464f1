"""The revision in the API, under /communities/{slug}/covenants/: the drafting body's decision
on an amendment (with the body's vote: the charter's power, quorum and threshold apply),
sending contested amendments to article-by-article votes (a worker acting for the body),
consolidating the round's text, and the round's revision (its amendments by article, with
their decisions; closed votes are settled on reading).

Refusals are 400 with the service's code (``own_amendment``, ``reason_missing``,
``revision_closed``, ``already_decided``, ``amendment_conflicts``, ``undecided_amendments``,
``already_consolidated``, ``outside_charter``, ``no_quorum`` …); a round or amendment the caller
may not read is 404, as a missing one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from gongzhi.core.http import api_user
from gongzhi.core.selectors import community_get
from gongzhi.covenants import revision_selectors as selectors
from gongzhi.covenants import revision_services as services
from gongzhi.covenants.models import Amendment, Version
from gongzhi.covenants.selectors import round_get

router = Router(tags=["covenants"])

C = "/communities/{slug}/covenants"
ROUND = C + "/rounds/{round_id}"
AMENDMENT = C + "/amendments/{amendment_id}"


class CovenantDecisionIn(Schema):
    accept: bool
    reason: str = Field(..., max_length=2000, description="The drafting body's public reason.")
    present: int = Field(..., ge=0, le=1000, description="Members of the body present.")
    votes_for: int = Field(..., ge=0, le=1000, description="For this decision.")
    votes_against: int = Field(0, ge=0, le=1000)
    abstentions: int = Field(0, ge=0, le=1000)


class CovenantDecidedOut(Schema):
    id: int
    round: int
    number: int
    article: int | None = Field(..., description="The article's key in the round's draft.")
    kind: str
    status: str = Field(..., description="proposed | to_vote | accepted | rejected | withdrawn")
    sequence: int | None = Field(..., description="The order it applies in, once accepted.")
    supporters: int
    reason: str = Field(..., description="The drafting body's reason (or the vote's tally).")
    decision: int | None = Field(..., description="The body's decision (bodies), if it took one.")
    vote: int | None = Field(..., description="The article-by-article vote, if one decides it.")
    decided_at: datetime | None


class CovenantToVoteIn(Schema):
    amendments: list[int] = Field(..., min_length=1, max_length=100)
    opens_at: datetime
    closes_at: datetime


class CovenantConsolidatedOut(Schema):
    id: int
    number: int
    kind: str
    based_on: int | None
    articles: int
    paragraphs: int


class CovenantRevisionGroupOut(Schema):
    article: int | None
    label: str = Field(..., description="第N条 in the draft, or empty for an inserted article.")
    heading: str
    amendments: list[CovenantDecidedOut]


class CovenantRevisionOut(Schema):
    round: int
    phase: str
    consolidated: int | None = Field(..., description="The consolidated version's number.")
    counts: dict[str, int]
    groups: list[CovenantRevisionGroupOut]


def _decided_out(amendment: Amendment) -> dict[str, Any]:
    return {
        "id": amendment.pk,
        "round": amendment.round_id,
        "number": amendment.number,
        "article": amendment.article_key,
        "kind": amendment.kind,
        "status": amendment.status,
        "sequence": amendment.sequence,
        "supporters": amendment.supporters_count,
        "reason": amendment.decision_reason,
        "decision": amendment.decision_id,
        "vote": amendment.vote_id,
        "decided_at": amendment.decided_at,
    }


def _version_out(version: Version) -> dict[str, Any]:
    from gongzhi.covenants.models import Paragraph

    return {
        "id": version.pk,
        "number": version.number,
        "kind": version.kind,
        "based_on": version.based_on_id,
        "articles": version.articles.count(),
        "paragraphs": Paragraph.objects.in_community(version.community_id)
        .filter(article__version=version)
        .count(),
    }


@router.post(
    AMENDMENT + "/decision",
    response=CovenantDecidedOut,
    summary="The drafting body's decision on an amendment (for the body: members, workers)",
)
def amendment_decide(
    request: HttpRequest, slug: str, amendment_id: int, payload: CovenantDecisionIn
) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    amendment = selectors.amendment_get(community=community, user=user, amendment_id=amendment_id)
    decided = services.amendment_decide(actor=user, amendment=amendment, **payload.dict())
    return _decided_out(decided)


@router.post(
    ROUND + "/votes",
    response={201: list[CovenantDecidedOut]},
    summary="Put contested amendments to article-by-article votes (workers, for the body)",
)
def amendments_to_vote(
    request: HttpRequest, slug: str, round_id: int, payload: CovenantToVoteIn
) -> Status[list[dict[str, Any]]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    round_ = round_get(community=community, user=user, round_id=round_id)
    sent = services.amendments_to_vote(
        actor=user,
        round=round_,
        amendment_ids=payload.amendments,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
    )
    return Status(201, [_decided_out(a) for a in sent])


@router.post(
    ROUND + "/consolidate",
    response={201: CovenantConsolidatedOut},
    summary="Consolidate the round's text from the accepted amendments (for the body)",
)
def consolidate(request: HttpRequest, slug: str, round_id: int) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    round_ = round_get(community=community, user=user, round_id=round_id)
    return Status(201, _version_out(services.consolidate(actor=user, round=round_)))


@router.get(
    ROUND + "/revision",
    response=CovenantRevisionOut,
    summary="A round's amendments by article, with the drafting body's decisions",
)
def revision(request: HttpRequest, slug: str, round_id: int) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    round_ = round_get(community=community, user=user, round_id=round_id)
    services.votes_settle(round_)
    overview = selectors.revision_of(round_, user)
    return {
        "round": round_.pk,
        "phase": overview.phase,
        "consolidated": round_.consolidated.number if round_.consolidated is not None else None,
        "counts": overview.counts,
        "groups": [
            {
                "article": g.key,
                "label": g.label,
                "heading": g.heading,
                "amendments": [_decided_out(a) for a in g.amendments],
            }
            for g in overview.groups
        ],
    }
