"""Supervision opinions in the API: the list and one opinion (published ones for anyone,
private ones for those ``bodies.view_opinion`` lets in), raising one (a supervisor), answering
(the responsible body or a community worker). Refusals are 400 with a stable code."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import SessionAuth

from gongzhi.accounts.api import TokenAuth
from gongzhi.bodies import supervision
from gongzhi.bodies.models import Body, Decision, Opinion
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.models import Activity, Community
from gongzhi.core.pagination import BoundedLimitOffsetPagination
from gongzhi.core.selectors import community_get

router = Router(tags=["bodies"])


def _anyone(request: HttpRequest) -> Any:
    return AnonymousUser()


PUBLIC = [TokenAuth(), SessionAuth(), _anyone]


class OpinionOut(Schema):
    id: int
    body: int
    body_name: str
    subject: str
    subject_url: str
    decision: int | None
    activity: int | None
    text: str
    private: bool
    raised_at: datetime
    due_on: date
    overdue: bool
    answer: str
    answered_at: datetime | None
    on_time: bool | None

    @staticmethod
    def resolve_body(obj: Opinion) -> int:
        return obj.body_id

    @staticmethod
    def resolve_body_name(obj: Opinion) -> str:
        return obj.body.name

    @staticmethod
    def resolve_decision(obj: Opinion) -> int | None:
        return obj.decision_id

    @staticmethod
    def resolve_activity(obj: Opinion) -> int | None:
        return obj.activity_id

    @staticmethod
    def resolve_overdue(obj: Opinion) -> bool:
        return supervision.is_overdue(obj)

    @staticmethod
    def resolve_on_time(obj: Opinion) -> bool | None:
        return supervision.answered_on_time(obj)


class OpinionIn(Schema):
    body: int
    subject: str
    text: str
    due_on: date
    private: bool = False
    decision: int | None = None
    activity: int | None = None


class OpinionAnswerIn(Schema):
    answer: str


def _one(model: Any, community: Community, pk: int | None) -> Any:
    """A row of ``community`` by id, None without an id; 404 for one of elsewhere."""
    if pk is None:
        return None
    from django.http import Http404

    found = model.objects.in_community(community).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@router.get(
    "/communities/{slug}/opinions",
    response=list[OpinionOut],
    auth=PUBLIC,
    summary="Supervision opinions (status: open, overdue or answered)",
)
@paginate(BoundedLimitOffsetPagination)
def opinion_list(request: HttpRequest, slug: str, status: str = ""):
    user = api_viewer(request)
    community = community_get(slug=slug, user=user)
    return supervision.opinion_list(community=community, viewer=user, status=status)


@router.get(
    "/communities/{slug}/opinions/{opinion_id}",
    response=OpinionOut,
    auth=PUBLIC,
    summary="One supervision opinion with its answer",
)
def opinion_detail(request: HttpRequest, slug: str, opinion_id: int):
    user = api_viewer(request)
    community = community_get(slug=slug, user=user)
    return supervision.opinion_get(community=community, viewer=user, opinion_id=opinion_id)


@router.post(
    "/communities/{slug}/opinions",
    response={201: OpinionOut},
    summary="Raise a supervision opinion (a supervisor, on a body they do not sit in)",
)
def opinion_raise(request: HttpRequest, slug: str, payload: OpinionIn):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    opinion = supervision.opinion_raise(
        actor=user,
        community=community,
        body=_one(Body, community, payload.body),
        subject=payload.subject,
        text=payload.text,
        due_on=payload.due_on,
        private=payload.private,
        decision=_one(Decision, community, payload.decision),
        activity=_one(Activity, community, payload.activity),
    )
    return Status(201, opinion)


@router.post(
    "/communities/{slug}/opinions/{opinion_id}/answer",
    response=OpinionOut,
    summary="Answer a supervision opinion (the responsible body or a community worker), once",
)
def opinion_answer(request: HttpRequest, slug: str, opinion_id: int, payload: OpinionAnswerIn):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    opinion = supervision.opinion_get(community=community, viewer=user, opinion_id=opinion_id)
    return supervision.opinion_answer(actor=user, opinion=opinion, answer=payload.answer)
