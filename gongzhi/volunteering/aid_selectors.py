"""Reads of mutual aid and the time bank that pages and the API share.

``hub`` and ``mine`` feed the volunteering home page and a volunteer's own page (views.py,
owned by the core part): each returns the context its partial
(``volunteering/_hub_aid.html``, ``volunteering/_mine_aid.html``) reads as
``hub_aid`` / ``mine_aid``.

Reads never open a time-bank account: a person without one has a balance of 0."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules
from django.db.models import Q, QuerySet, Sum
from django.http import Http404

from gongzhi.volunteering.models import (
    AidPost,
    AidStatus,
    Exchange,
    ExchangeReport,
    ExchangeStatus,
    TimeAccount,
    TimeMovement,
    Transfer,
)

OPEN = (AidStatus.OPEN, AidStatus.MATCHED)
ACTIVE = (ExchangeStatus.PROPOSED, ExchangeStatus.AGREED, ExchangeStatus.DISPUTED)


def can_view_aid(user: Any, community: Any) -> bool:
    return bool(rules.has_perm("volunteering.view_aid", user, community))


def can_manage_timebank(user: Any, community: Any) -> bool:
    return bool(rules.has_perm("volunteering.manage_timebank", user, community))


# --- Posts and exchanges --------------------------------------------------------------------


def open_posts(community: Any, kind: str = "", limit: int = 100) -> list[AidPost]:
    """Open requests and offers, newest first (``kind``: request | offer | "" for both)."""
    posts = (
        AidPost.objects.in_community(community)
        .filter(status__in=OPEN)
        .select_related("author")
        .order_by("-created_at", "-pk")
    )
    if kind:
        posts = posts.filter(kind=kind)
    return list(posts[:limit])


def post_get(*, community: Any, user: Any, post_id: int) -> AidPost:
    """One post, for members and staff; a forbidden post is as missing as a missing one."""
    if not can_view_aid(user, community):
        raise Http404
    post = (
        AidPost.objects.in_community(community).select_related("author").filter(pk=post_id).first()
    )
    if post is None:
        raise Http404
    if (
        post.status not in OPEN
        and user.pk != post.author_id
        and not can_manage_timebank(user, community)
    ):
        raise Http404
    return post


def exchanges_of_post(post: AidPost, user: Any) -> list[Exchange]:
    """The answers to a post its author (and staff) sees; anyone else sees only their own."""
    exchanges = (
        Exchange.objects.in_community(post.community_id)
        .filter(post=post)
        .select_related("helped", "helper")
        .order_by("created_at", "pk")
    )
    if user.pk != post.author_id and not can_manage_timebank(user, post.community):
        exchanges = exchanges.filter(Q(helped=user) | Q(helper=user))
    return list(exchanges)


def exchanges_of(community: Any, user: Any) -> QuerySet[Exchange]:
    """The exchanges ``user`` is a side of, newest first."""
    return (
        Exchange.objects.in_community(community)
        .filter(Q(helped=user) | Q(helper=user))
        .select_related("post", "helped", "helper")
        .order_by("-created_at", "-pk")
    )


def exchange_get(*, community: Any, user: Any, exchange_id: int) -> Exchange:
    exchange = (
        Exchange.objects.in_community(community)
        .select_related("post", "helped", "helper", "community")
        .filter(pk=exchange_id)
        .first()
    )
    if exchange is None or not rules.has_perm("volunteering.view_exchange", user, exchange):
        raise Http404
    return exchange


def reports_of(community: Any, *, open_only: bool = True) -> list[ExchangeReport]:
    reports = (
        ExchangeReport.objects.in_community(community)
        .select_related("exchange__post", "exchange__helped", "exchange__helper", "reporter")
        .order_by("-created_at", "-pk")
    )
    if open_only:
        reports = reports.filter(resolved_at__isnull=True)
    return list(reports[:200])


def report_get(*, community: Any, user: Any, report_id: int) -> ExchangeReport:
    if not rules.has_perm("volunteering.handle_aid_reports", user, community):
        raise Http404
    report = (
        ExchangeReport.objects.in_community(community)
        .select_related("exchange")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise Http404
    return report


# --- The time bank --------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of a statement: a movement of the account, with its transfer."""

    at: Any
    minutes: int
    kind: str
    kind_label: str
    reason: str
    transfer_id: int
    reversed: bool


@dataclass(frozen=True)
class Statement:
    account_id: int | None
    balance: int
    floor: int | None
    ceiling: int | None
    lines: list[Line]


def _account(community: Any, owner: Any) -> TimeAccount | None:
    accounts = TimeAccount.objects.in_community(community)
    if owner is None:
        return accounts.filter(owner__isnull=True).first()
    return accounts.filter(owner=owner).first()


def statement(community: Any, owner: Any, limit: int = 50) -> Statement:
    """``owner``'s account (the community's when None): balance and the latest movements."""
    from gongzhi.volunteering.selectors import settings_for

    cid = getattr(community, "pk", community)
    found = _account(cid, owner)
    rules_ = settings_for(cid)
    floor, ceiling = (
        (None, None)
        if owner is None
        else (rules_.timebank_floor_minutes, rules_.timebank_ceiling_minutes)
    )
    if found is None:
        return Statement(None, 0, floor, ceiling, [])
    movements = TimeMovement.objects.in_community(cid).filter(account=found)
    total = movements.aggregate(total=Sum("minutes"))["total"] or 0
    rows = list(
        movements.select_related("transfer").order_by("-transfer__created_at", "-pk")[:limit]
    )
    reversed_ids = set(
        Transfer.objects.in_community(cid)
        .filter(reverses__in=[m.transfer_id for m in rows])
        .values_list("reverses_id", flat=True)
    )
    lines = [
        Line(
            at=m.transfer.created_at,
            minutes=m.minutes,
            kind=m.transfer.kind,
            kind_label=m.transfer.get_kind_display(),
            reason=m.transfer.reason,
            transfer_id=m.transfer_id,
            reversed=m.transfer_id in reversed_ids,
        )
        for m in rows
    ]
    return Statement(found.pk, int(total), floor, ceiling, lines)


# --- The volunteering pages' sections -------------------------------------------------------


def hub(community: Any, viewer: Any) -> dict[str, Any]:
    """What the volunteering home page shows of this part to ``viewer`` (may be anonymous)."""
    if not getattr(viewer, "is_authenticated", False) or not can_view_aid(viewer, community):
        return {"visible": False}
    posts = AidPost.objects.in_community(community).filter(status__in=OPEN)
    return {
        "visible": True,
        "requests": posts.filter(kind="request").count(),
        "offers": posts.filter(kind="offer").count(),
    }


def mine(community: Any, user: Any, volunteer: Any) -> dict[str, Any]:
    """What a person's own volunteering page shows of this part (``volunteer`` may be None)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    found = _account(community, user)
    balance = 0
    if found is not None:
        balance = int(
            TimeMovement.objects.in_community(community)
            .filter(account=found)
            .aggregate(total=Sum("minutes"))["total"]
            or 0
        )
    active = exchanges_of(community, user).filter(status__in=ACTIVE).count()
    return {"balance": balance, "active_exchanges": active}
