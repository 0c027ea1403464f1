"""Mutual aid and the time bank in the API: the open requests and offers (members), posting
one (verified residents), answering it, the steps of an exchange (agree, confirm, cancel,
report a problem), my time-bank balance and statement, and a worker granting starting credit.
Refusals are 400 ``{"code", "message"}`` (``not_verified``, ``own_exchange``, ``over_limit`` …)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from gongzhi.core.http import api_user
from gongzhi.core.policies import require
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.volunteering import aid, aid_selectors, timebank
from gongzhi.volunteering.aid import MAX_MINUTES
from gongzhi.volunteering.models import AidPost, Exchange, ExchangeReport, TimeMovement, Transfer

router = Router(tags=["volunteering"])

C = "/communities/{slug}/volunteering"


class AidPostOut(Schema):
    id: int
    kind: str = Field(..., description="request | offer")
    title: str
    description: str
    when: str
    minutes: int
    status: str = Field(..., description="open | matched | closed | withdrawn")
    author: str
    created_at: datetime


class AidPostIn(Schema):
    kind: str = Field(..., description="request | offer")
    title: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=5000)
    when: str = Field("", max_length=120)
    minutes: int = Field(60, ge=1, le=MAX_MINUTES)


class AidExchangeIn(Schema):
    minutes: int | None = Field(
        None, ge=1, le=MAX_MINUTES, description="Default: the post's minutes."
    )


class AidExchangeOut(Schema):
    id: int
    post: int
    helped: str
    helper: str
    minutes: int
    status: str = Field(..., description="proposed | agreed | done | disputed | cancelled")
    helped_confirmed: bool
    helper_confirmed: bool
    done_at: datetime | None


class AidCancelIn(Schema):
    reason: str = Field("", max_length=300)


class AidReportIn(Schema):
    text: str = Field(..., min_length=1, max_length=5000)


class AidReportOut(Schema):
    id: int
    exchange: int
    created_at: datetime


class TimebankLineOut(Schema):
    at: datetime
    minutes: int
    kind: str = Field(..., description="exchange | grant | reversal")
    reason: str
    transfer: int
    reversed: bool


class TimebankStatementOut(Schema):
    balance: int = Field(..., description="Minutes: the sum of the account's movements.")
    floor: int | None
    ceiling: int | None
    lines: list[TimebankLineOut]


class TimebankGrantIn(Schema):
    phone: str = Field(..., description="The member who receives the starting credit.")


class TimebankTransferOut(Schema):
    id: int
    kind: str
    minutes: int
    created_at: datetime


def _post_out(post: AidPost) -> dict[str, Any]:
    return {
        "id": post.pk,
        "kind": post.kind,
        "title": post.title,
        "description": post.description,
        "when": post.when,
        "minutes": post.minutes,
        "status": post.status,
        "author": str(post.author),
        "created_at": post.created_at,
    }


def _exchange_out(exchange: Exchange) -> dict[str, Any]:
    return {
        "id": exchange.pk,
        "post": exchange.post_id,
        "helped": str(exchange.helped),
        "helper": str(exchange.helper),
        "minutes": exchange.minutes,
        "status": exchange.status,
        "helped_confirmed": exchange.helped_confirmed_at is not None,
        "helper_confirmed": exchange.helper_confirmed_at is not None,
        "done_at": exchange.done_at,
    }


def _aid_community(request: HttpRequest, slug: str) -> tuple[Any, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    if not aid_selectors.can_view_aid(user, community):
        raise Http404
    return user, community


@router.get(
    C + "/aid/posts", response=list[AidPostOut], summary="Open mutual-aid requests and offers"
)
def post_list(request: HttpRequest, slug: str, kind: str = "") -> list[dict[str, Any]]:
    """Newest first, at most 100; ``kind``: request | offer (both when empty)."""
    _, community = _aid_community(request, slug)
    return [_post_out(p) for p in aid_selectors.open_posts(community, kind)]


@router.post(
    C + "/aid/posts",
    response={201: AidPostOut},
    summary="Ask for help or offer it (verified residents; else 400 not_verified)",
)
def post_create(request: HttpRequest, slug: str, payload: AidPostIn) -> Status[dict[str, Any]]:
    user, community = _aid_community(request, slug)
    post = aid.post_create(actor=user, community=community, **payload.dict())
    return Status(201, _post_out(post))


@router.post(
    C + "/aid/posts/{post_id}/exchanges",
    response={201: AidExchangeOut},
    summary="Answer a post: offer help on a request, ask for it on an offer",
)
def exchange_propose(
    request: HttpRequest, slug: str, post_id: int, payload: AidExchangeIn
) -> Status[dict[str, Any]]:
    user, community = _aid_community(request, slug)
    post = aid_selectors.post_get(community=community, user=user, post_id=post_id)
    exchange = aid.exchange_propose(actor=user, post=post, minutes=payload.minutes)
    return Status(201, _exchange_out(exchange))


def _exchange(request: HttpRequest, slug: str, exchange_id: int) -> tuple[Any, Exchange]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    return user, aid_selectors.exchange_get(community=community, user=user, exchange_id=exchange_id)


@router.post(
    C + "/aid/exchanges/{exchange_id}/agree",
    response=AidExchangeOut,
    summary="The post's author agrees to an answer",
)
def exchange_agree(request: HttpRequest, slug: str, exchange_id: int) -> dict[str, Any]:
    user, exchange = _exchange(request, slug, exchange_id)
    return _exchange_out(aid.exchange_agree(actor=user, exchange=exchange))


@router.post(
    C + "/aid/exchanges/{exchange_id}/confirm",
    response=AidExchangeOut,
    summary="One side confirms it took place; with both, the time moves (400 over_limit)",
)
def exchange_confirm(request: HttpRequest, slug: str, exchange_id: int) -> dict[str, Any]:
    user, exchange = _exchange(request, slug, exchange_id)
    return _exchange_out(aid.exchange_confirm(actor=user, exchange=exchange))


@router.post(
    C + "/aid/exchanges/{exchange_id}/cancel",
    response=AidExchangeOut,
    summary="Either side cancels an exchange before it is done",
)
def exchange_cancel(
    request: HttpRequest, slug: str, exchange_id: int, payload: AidCancelIn
) -> dict[str, Any]:
    user, exchange = _exchange(request, slug, exchange_id)
    return _exchange_out(aid.exchange_cancel(actor=user, exchange=exchange, reason=payload.reason))


@router.post(
    C + "/aid/exchanges/{exchange_id}/reports",
    response={201: AidReportOut},
    summary="Either side reports a problem to the community's workers",
)
def exchange_report(
    request: HttpRequest, slug: str, exchange_id: int, payload: AidReportIn
) -> Status[dict[str, Any]]:
    user, exchange = _exchange(request, slug, exchange_id)
    report: ExchangeReport = aid.exchange_report(actor=user, exchange=exchange, text=payload.text)
    return Status(201, {"id": report.pk, "exchange": exchange.pk, "created_at": report.created_at})


@router.get(
    C + "/timebank/me", response=TimebankStatementOut, summary="My time-bank balance and statement"
)
def timebank_me(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The latest 50 movements, newest first. Time-bank minutes are not service hours."""
    user, community = _aid_community(request, slug)
    found = aid_selectors.statement(community, user)
    return {
        "balance": found.balance,
        "floor": found.floor,
        "ceiling": found.ceiling,
        "lines": [
            {
                "at": line.at,
                "minutes": line.minutes,
                "kind": line.kind,
                "reason": line.reason,
                "transfer": line.transfer_id,
                "reversed": line.reversed,
            }
            for line in found.lines
        ],
    }


@router.post(
    C + "/timebank/grants",
    response={201: TimebankTransferOut},
    summary="A worker grants a member the starting credit (once; 400 already_granted)",
)
def timebank_grant(
    request: HttpRequest, slug: str, payload: TimebankGrantIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    # Asked first: whether a phone belongs to a member is not for everyone to learn.
    require("volunteering.manage_timebank", user, community)
    person = member_by_phone(phone=payload.phone, community=community)
    made: Transfer = timebank.grant_starting_credit(actor=user, community=community, person=person)
    minutes = (
        TimeMovement.objects.in_community(community)
        .filter(transfer=made, minutes__gt=0)
        .values_list("minutes", flat=True)
        .get()
    )
    return Status(
        201, {"id": made.pk, "kind": made.kind, "minutes": minutes, "created_at": made.created_at}
    )
