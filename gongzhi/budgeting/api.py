"""Participatory budgets in the API: list and read processes with their projects, submit an
idea, discuss it, cast a ballot, read the results. Errors are the API's ``{code, message}``;
no answer names who voted what. An idea's comments are the deliberation hall's: listed, added,
flagged, hidden, appealed and reacted to here with the hall's schemas and services (an appeal
is decided in the hall's moderation queue)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.budgeting import selectors, services
from gongzhi.budgeting.models import Idea, Process
from gongzhi.core.apidoc import errors
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.pagination import BoundedLimitOffsetPagination
from gongzhi.core.selectors import community_get
from gongzhi.deliberation import selectors as hall
from gongzhi.deliberation import services as hall_services
from gongzhi.deliberation.api import (
    AppealIn,
    AppealOut,
    CommentIn,
    CommentOut,
    DismissIn,
    DismissOut,
    FlagIn,
    FlagOut,
    ItemOut,
    ModerationEventOut,
    ReactionIn,
    ReactionsOut,
    ReasonIn,
    comment_add_on,
)

router = Router(tags=["budgets"])


class ProcessOut(Schema):
    id: int
    title: str
    description: str
    budget: int
    grid: str | None
    phase: str
    ideas_from: datetime
    review_from: datetime
    voting_from: datetime
    voting_until: datetime
    implementation_from: datetime
    evaluation_from: datetime
    ballot_type: str
    min_projects: int
    max_projects: int | None
    max_total_cost: int | None
    points: int
    rule: str
    #: greedy-points on a ranked ballot: the points of the 1st, 2nd, … choice ("" = k − i).
    rank_points: str
    tie_breaking: str

    @staticmethod
    def resolve_grid(obj: Process) -> str | None:
        return obj.grid.name if obj.grid is not None else None

    @staticmethod
    def resolve_phase(obj: Process) -> str:
        return obj.phase().value


class IdeaOut(Schema):
    id: int
    title: str
    description: str
    estimated_cost: int
    cost: int | None
    location: str
    status: str
    decision_reason: str


class ProcessDetailOut(ProcessOut):
    ideas: list[IdeaOut]

    @staticmethod
    def resolve_ideas(obj: Process) -> list[Idea]:
        return obj.ideas_shown  # type: ignore[attr-defined]  # set by process_detail


class IdeaIn(Schema):
    title: str
    description: str
    estimated_cost: int
    location: str = ""


class BudgetBallotIn(Schema):
    projects: list[int]
    points: list[int] | None = None


class BudgetBallotOut(Schema):
    saved: bool
    replaced: bool


class ResultRowOut(Schema):
    project: int
    title: str
    votes: int
    cost: str
    funded: bool
    why: str
    shares: list[tuple[str, int]] = []


class ResultsOut(Schema):
    ready: bool
    paper_ballots: int = 0
    rule: str | None = None
    voters: int = 0
    spent: str | None = None
    parameters: dict[str, Any] = {}
    projects: list[ResultRowOut] = []


class BudgetFundedOut(Schema):
    id: int
    title: str
    cost: int
    progress: int
    finished: bool
    spent: int


class BudgetMilestoneOut(Schema):
    id: int
    title: str
    due: date
    done_on: date | None


class BudgetProgressUpdateOut(Schema):
    id: int
    progress: int
    body: str
    delayed: bool
    delay_reason: str
    expected_finish: date | None
    created_at: datetime
    photos: int


class BudgetSpendingOut(Schema):
    id: int
    amount: int
    spent_on: date
    note: str


class BudgetProgressCommentOut(Schema):
    id: int
    author: str
    body: str
    created_at: datetime


class BudgetProgressOut(BudgetFundedOut):
    milestones: list[BudgetMilestoneOut]
    updates: list[BudgetProgressUpdateOut]
    spending: list[BudgetSpendingOut]
    comments: list[BudgetProgressCommentOut]


def _funded_row(idea: Any, spent: int) -> dict[str, Any]:
    return {
        "id": idea.pk,
        "title": idea.title,
        "cost": idea.cost or 0,
        "progress": idea.progress,
        "finished": idea.progress >= 100,
        "spent": spent,
    }


@router.get("/{slug}/budgets", response=list[ProcessOut], auth=None, summary="Budgets")
@paginate(BoundedLimitOffsetPagination)
def process_list(request: HttpRequest, slug: str):
    return selectors.process_list(community=community_get(slug=slug, user=request.user))


@router.get(
    "/{slug}/budgets/{process_id}",
    response=ProcessDetailOut,
    auth=None,
    summary="One budget, with its ideas and projects",
)
def process_detail(request: HttpRequest, slug: str, process_id: int):
    process = selectors.process_at(slug=slug, process_id=process_id, user=request.user)
    # The schema resolves grid and phase from the process itself: a dict made from it had
    # them resolved already and answered 500 (the resolvers read attributes a dict lacks).
    process.ideas_shown = list(selectors.ideas_of(process=process))  # type: ignore[attr-defined]
    return process


@router.post(
    "/{slug}/budgets/{process_id}/ideas", response={201: IdeaOut}, summary="Submit an idea"
)
def idea_submit(request: HttpRequest, slug: str, process_id: int, payload: IdeaIn):
    user = api_user(request)
    process = selectors.process_at(slug=slug, process_id=process_id, user=user)
    idea = services.idea_submit(actor=user, process=process, **payload.dict())
    return Status(201, idea)


@router.put(
    "/{slug}/budgets/{process_id}/ballot",
    response=BudgetBallotOut,
    summary="Cast or change your ballot (the last one counts)",
)
def ballot_cast(request: HttpRequest, slug: str, process_id: int, payload: BudgetBallotIn):
    user = api_user(request)
    process = selectors.process_at(slug=slug, process_id=process_id, user=user)
    replaced = services.ballot_cast(
        actor=user, process=process, projects=payload.projects, points=payload.points
    )
    return {"saved": True, "replaced": replaced}


@router.get(
    "/{slug}/budgets/{process_id}/results",
    response=ResultsOut,
    auth=None,
    summary="The latest count: per project its votes, cost, whether funded and why",
)
def results(request: HttpRequest, slug: str, process_id: int):
    process = selectors.process_at(slug=slug, process_id=process_id, user=request.user)
    tally = selectors.latest_result(process=process)
    if tally is None:
        return {"ready": False}
    titles = {p.pk: p.title for p in selectors.projects_of(process=process)}
    rows = []
    for pid, row in tally.outcome.get("projects", {}).items():
        rows.append(
            {
                "project": int(pid),
                "title": titles.get(int(pid), ""),
                "votes": row["votes"],
                "cost": row["cost"],
                "funded": row["funded"],
                "why": selectors.reason_text(row["reason"], row.get("params", {})),
                "shares": [tuple(s) for s in row.get("shares", [])],
            }
        )
    return {
        "ready": True,
        "rule": tally.rule,
        "voters": tally.voters,
        "paper_ballots": tally.outcome.get("paper_ballots", 0),
        "spent": tally.outcome.get("spent"),
        "parameters": {**tally.parameters, "tie_breaking": tally.tie_breaking},
        "projects": rows,
    }


@router.get(
    "/{slug}/budgets/{process_id}/funded",
    response=list[BudgetFundedOut],
    auth=None,
    summary="The funded projects, with their progress and the money spent",
)
def funded(request: HttpRequest, slug: str, process_id: int):
    process = selectors.process_at(slug=slug, process_id=process_id, user=request.user)
    return [_funded_row(p, p.spent) for p in selectors.funded_projects(process=process)]


@router.get(
    "/{slug}/budgets/{process_id}/funded/{idea_id}",
    response=BudgetProgressOut,
    auth=None,
    summary="One funded project's implementation: milestones, reports, spending, comments",
)
def funded_progress(request: HttpRequest, slug: str, process_id: int, idea_id: int):
    process = selectors.process_at(slug=slug, process_id=process_id, user=request.user)
    idea = selectors.funded_get(process=process, idea_id=idea_id)
    spending = list(selectors.spendings_of(idea=idea))
    return {
        **_funded_row(idea, sum(s.amount for s in spending)),
        "milestones": list(selectors.milestones_of(idea=idea)),
        "updates": [
            {
                "id": u.pk,
                "progress": u.progress,
                "body": u.body,
                "delayed": bool(u.delay_reason),
                "delay_reason": u.delay_reason,
                "expected_finish": u.expected_finish,
                "created_at": u.created_at,
                "photos": len(u.photos.all()),
            }
            for u in selectors.updates_of(idea=idea)
        ],
        "spending": spending,
        "comments": [
            {
                "id": c.pk,
                "author": c.author.display_name,
                "body": c.body,
                "created_at": c.created_at,
            }
            for c in selectors.progress_comments_of(idea=idea)
        ],
    }


# --- An idea's discussion (the deliberation hall's comments) -------------------------------

IDEA = "/{slug}/budgets/{process_id}/ideas/{idea_id}"
IDEA_COMMENT = IDEA + "/comments/{comment_id}"


def _idea(request: HttpRequest, slug: str, process_id: int, idea_id: int) -> Idea:
    process = selectors.process_at(slug=slug, process_id=process_id, user=api_viewer(request))
    return selectors.idea_get(process=process, idea_id=idea_id)


def _idea_comment(request: HttpRequest, slug: str, process_id: int, idea_id: int, comment_id: int):
    idea = _idea(request, slug, process_id, idea_id)
    return hall.comment_get(subject=idea, viewer=api_viewer(request), comment_id=comment_id)


@router.get(f"{IDEA}/comments", response=list[CommentOut], auth=None, summary="An idea's comments")
@paginate(BoundedLimitOffsetPagination)
def idea_comments(request: HttpRequest, slug: str, process_id: int, idea_id: int):
    idea = _idea(request, slug, process_id, idea_id)
    return hall.comment_list(subject=idea, viewer=request.user)


@router.post(
    f"{IDEA}/comments",
    response={201: CommentOut, **errors(429)},
    summary="Comment on an idea, or reply",
)
def idea_comment_add(
    request: HttpRequest, slug: str, process_id: int, idea_id: int, payload: CommentIn
):
    idea = _idea(request, slug, process_id, idea_id)
    return Status(201, comment_add_on(request, idea, payload))


@router.post(
    f"{IDEA_COMMENT}/flags",
    response={201: FlagOut, **errors(429)},
    summary="Flag an idea's comment",
)
def idea_comment_flag(
    request: HttpRequest, slug: str, process_id: int, idea_id: int, comment_id: int, payload: FlagIn
):
    comment = _idea_comment(request, slug, process_id, idea_id, comment_id)
    return Status(
        201,
        hall_services.flag_add(
            actor=api_user(request), item=comment, reason=payload.reason.value, note=payload.note
        ),
    )


@router.post(
    f"{IDEA_COMMENT}/hide", response=ItemOut, summary="Hide an idea's comment (moderators)"
)
def idea_comment_hide(
    request: HttpRequest,
    slug: str,
    process_id: int,
    idea_id: int,
    comment_id: int,
    payload: ReasonIn,
):
    comment = _idea_comment(request, slug, process_id, idea_id, comment_id)
    return hall_services.item_hide(actor=api_user(request), item=comment, reason=payload.reason)


@router.post(
    f"{IDEA_COMMENT}/dismiss-flags",
    response=DismissOut,
    summary="Dismiss the flags on an idea's comment (moderators)",
)
def idea_comment_dismiss(
    request: HttpRequest,
    slug: str,
    process_id: int,
    idea_id: int,
    comment_id: int,
    payload: DismissIn,
):
    comment = _idea_comment(request, slug, process_id, idea_id, comment_id)
    count = hall_services.flags_dismiss(
        actor=api_user(request), item=comment, reason=payload.reason
    )
    return {"dismissed": count}


@router.post(
    f"{IDEA_COMMENT}/appeal",
    response={201: AppealOut},
    summary="Appeal against hiding one's comment on an idea (once)",
)
def idea_comment_appeal(
    request: HttpRequest,
    slug: str,
    process_id: int,
    idea_id: int,
    comment_id: int,
    payload: AppealIn,
):
    comment = _idea_comment(request, slug, process_id, idea_id, comment_id)
    return Status(
        201, hall_services.appeal_add(actor=api_user(request), item=comment, text=payload.text)
    )


@router.get(
    f"{IDEA_COMMENT}/moderation",
    response=list[ModerationEventOut],
    summary="An idea comment's moderation history (its author and the moderators)",
)
def idea_comment_moderation(
    request: HttpRequest, slug: str, process_id: int, idea_id: int, comment_id: int
):
    comment = _idea_comment(request, slug, process_id, idea_id, comment_id)
    return hall.moderation_history(item=comment, viewer=api_user(request))


@router.post(
    f"{IDEA_COMMENT}/reactions",
    response=ReactionsOut,
    summary="Give or take back a reaction to an idea's comment",
)
def idea_comment_react(
    request: HttpRequest,
    slug: str,
    process_id: int,
    idea_id: int,
    comment_id: int,
    payload: ReactionIn,
):
    user = api_user(request)
    comment = _idea_comment(request, slug, process_id, idea_id, comment_id)
    given = hall_services.reaction_toggle(actor=user, comment=comment, kind=payload.kind.value)
    return {"given": given, **hall.reaction_counts(comment=comment, viewer=user)}
