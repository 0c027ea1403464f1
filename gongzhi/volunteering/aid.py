"""Mutual aid (邻里互助, R4.1): verified residents post requests ("陪老人去医院") and offers
("修自行车"); someone answers and an ``Exchange`` names who is helped and who helps; the post's
author agrees; after it took place both sides confirm, and then the exchange's minutes move in
the time bank from the helped's account to the helper's (``timebank.transfer``, kind
``exchange``). Either side may cancel before it is done, or report a problem to the community's
workers, who resolve it with a text.

Each write locks the row it counts on (the post when answering, the exchange when agreeing,
confirming or cancelling), so two clicks at once cannot confirm twice or pay twice.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.policies import is_verified_resident, require
from gongzhi.volunteering import timebank
from gongzhi.volunteering.models import (
    AidKind,
    AidPost,
    AidStatus,
    Exchange,
    ExchangeReport,
    ExchangeStatus,
    TransferKind,
)

#: An exchange takes at most a day's time.
MAX_MINUTES = 24 * 60
ACTIVE = (ExchangeStatus.PROPOSED, ExchangeStatus.AGREED, ExchangeStatus.DISPUTED)


def _require(perm: str, user: Any, obj: object) -> None:
    require(perm, user, obj, _("You are not allowed to do this in mutual aid."))


def _name(user: Any) -> str:
    return str(user)


def post_url(post: AidPost) -> str:
    return reverse(
        "volunteering_aid_post", kwargs={"slug": post.community.slug, "post_id": post.pk}
    )


def _notify(users: list[Any], post: AidPost, kind: str, message: str, **params: Any) -> None:
    from gongzhi.core.notify import send

    people = [user for user in users if user is not None]
    if not people:
        return
    send(
        users=people,
        community=post.community,
        kind=kind,
        message=message,
        params={"title": post.title, **params},
        url=post_url(post),
    )


def _workers(community_id: int) -> list[Any]:
    from gongzhi.accounts.models import User
    from gongzhi.core.models import Membership, Role, RoleGrant, active_grant_q

    grants = RoleGrant.objects.in_community(community_id).filter(
        active_grant_q(), role=Role.COMMUNITY_WORKER
    )
    memberships = Membership.objects.in_community(community_id).filter(
        pk__in=grants.values("membership")
    )
    return list(User.objects.filter(pk__in=memberships.values("user"), is_active=True))


def _check_verified(actor: Any, community: Any) -> None:
    _require("volunteering.view_aid", actor, community)
    if not is_verified_resident(actor, community):
        raise ValidationError(
            _(
                "Only verified residents take part in mutual aid: ask a community worker to verify you."
            ),
            code="not_verified",
        )


def _clean_minutes(minutes: Any) -> int:
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 < minutes <= MAX_MINUTES:
        raise ValidationError(
            _("Say how long it takes: between 1 minute and %(max)s minutes.")
            % {"max": MAX_MINUTES},
            code="minutes_range",
        )
    return minutes


# --- Posts ----------------------------------------------------------------------------------


def post_create(
    *,
    actor: Any,
    community: Any,
    kind: str,
    title: str,
    description: str = "",
    when: str = "",
    minutes: int = 60,
) -> AidPost:
    """A verified resident asks for help or offers it."""
    _check_verified(actor, community)
    if kind not in AidKind.values:
        raise ValidationError(
            _("A post is a request for help or an offer of help."), code="aid_kind"
        )
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Give your post a title."), code="title_empty")
    if len(title) > 120:
        raise ValidationError(
            _("The title is too long (120 characters at most)."), code="title_long"
        )
    minutes = _clean_minutes(minutes)
    with transaction.atomic():
        post = AidPost.objects.create(
            community=community,
            kind=kind,
            author=actor,
            title=title,
            description=(description or "").strip()[:5000],
            when=(when or "").strip()[:120],
            minutes=minutes,
        )
        journal.record(
            community=community,
            actor=actor,
            verb="aid.posted",
            target=post,
            data={"kind": kind, "title": title, "minutes": minutes},
        )
    return post


def post_withdraw(*, actor: Any, post: AidPost) -> AidPost:
    """The author (or a worker) withdraws a post; answers not yet agreed are cancelled with it,
    agreed exchanges go on."""
    if actor.pk != post.author_id:
        _require("volunteering.manage_timebank", actor, post)
    with transaction.atomic():
        post = AidPost.objects.in_community(post.community_id).select_for_update().get(pk=post.pk)
        if post.status in (AidStatus.WITHDRAWN, AidStatus.CLOSED):
            raise ValidationError(_("This post is no longer open."), code="post_closed")
        post.status = AidStatus.WITHDRAWN
        post.save(update_fields=["status"])
        Exchange.objects.in_community(post.community_id).filter(
            post=post, status=ExchangeStatus.PROPOSED
        ).update(status=ExchangeStatus.CANCELLED)
        journal.record(community=post.community, actor=actor, verb="aid.withdrawn", target=post)
    return post


# --- Exchanges ------------------------------------------------------------------------------


def exchange_propose(*, actor: Any, post: AidPost, minutes: int | None = None) -> Exchange:
    """Answer a post: on a request the actor offers to help, on an offer they ask for it."""
    _check_verified(actor, post.community)
    if actor.pk == post.author_id:
        raise ValidationError(_("Nobody exchanges with themself."), code="own_exchange")
    minutes = _clean_minutes(post.minutes if minutes is None else minutes)
    cid = post.community_id
    with transaction.atomic():
        post = AidPost.objects.in_community(cid).select_for_update().get(pk=post.pk)
        if post.status not in (AidStatus.OPEN, AidStatus.MATCHED):
            raise ValidationError(_("This post is no longer open."), code="post_closed")
        if post.kind == AidKind.REQUEST:
            helped, helper = post.author, actor
        else:
            helped, helper = actor, post.author
        if (
            Exchange.objects.in_community(cid)
            .filter(post=post, helped=helped, helper=helper, status__in=ACTIVE)
            .exists()
        ):
            raise ValidationError(
                _("You have already answered this post."), code="already_proposed"
            )
        exchange = Exchange.objects.create(
            community_id=cid, post=post, helped=helped, helper=helper, minutes=minutes
        )
        journal.record(
            community=post.community,
            actor=actor,
            verb="exchange.proposed",
            target=exchange,
            data={"post": post.pk, "minutes": minutes},
        )
        _notify([post.author], post, "exchange_proposed", "proposed", name=_name(actor))
    return exchange


def _locked(exchange: Exchange) -> Exchange:
    return (
        Exchange.objects.in_community(exchange.community_id)
        .select_for_update()
        .select_related("post", "community")
        .get(pk=exchange.pk)
    )


def _side(actor: Any, exchange: Exchange) -> None:
    if actor.pk not in (exchange.helped_id, exchange.helper_id):
        raise PermissionDenied(_("Only the two people of an exchange may do this."))


def _state(exchange: Exchange, *allowed: str) -> None:
    if exchange.status not in allowed:
        raise ValidationError(
            _("This exchange is %(status)s: that cannot be done now.")
            % {"status": exchange.get_status_display()},
            code="exchange_state",
        )


def exchange_agree(*, actor: Any, exchange: Exchange) -> Exchange:
    """The post's author agrees to an answer: the exchange will take place."""
    with transaction.atomic():
        exchange = _locked(exchange)
        post = exchange.post
        if actor.pk != post.author_id:
            raise PermissionDenied(_("Only the post's author agrees to an answer."))
        _state(exchange, ExchangeStatus.PROPOSED)
        if post.status not in (AidStatus.OPEN, AidStatus.MATCHED):
            raise ValidationError(_("This post is no longer open."), code="post_closed")
        exchange.status = ExchangeStatus.AGREED
        exchange.save(update_fields=["status"])
        if post.status == AidStatus.OPEN:
            post.status = AidStatus.MATCHED
            post.save(update_fields=["status"])
        journal.record(
            community=exchange.community, actor=actor, verb="exchange.agreed", target=exchange
        )
        other = exchange.helper if actor.pk == exchange.helped_id else exchange.helped
        _notify([other], post, "exchange_agreed", "agreed", name=_name(actor))
    return exchange


def exchange_confirm(*, actor: Any, exchange: Exchange) -> Exchange:
    """One side confirms the exchange took place; with both, it is done and the time moves
    (refused as a whole, ``over_limit``, when the time bank's limits do not allow it)."""
    with transaction.atomic():
        exchange = _locked(exchange)
        _side(actor, exchange)
        _state(exchange, ExchangeStatus.AGREED)
        field = "helped_confirmed_at" if actor.pk == exchange.helped_id else "helper_confirmed_at"
        if getattr(exchange, field) is not None:
            raise ValidationError(
                _("You have already confirmed this exchange."), code="already_confirmed"
            )
        now = timezone.now()
        setattr(exchange, field, now)
        fields = [field]
        if exchange.helped_confirmed_at and exchange.helper_confirmed_at:
            exchange.status = ExchangeStatus.DONE
            exchange.done_at = now
            fields += ["status", "done_at"]
            timebank.transfer(
                actor=actor,
                from_account=timebank.account_of(exchange.community_id, exchange.helped),
                to_account=timebank.account_of(exchange.community_id, exchange.helper),
                minutes=exchange.minutes,
                kind=TransferKind.EXCHANGE,
                exchange=exchange,
                reason=exchange.post.title,
            )
            post = exchange.post
            if post.kind == AidKind.REQUEST and post.status == AidStatus.MATCHED:
                post.status = AidStatus.CLOSED
                post.save(update_fields=["status"])
        exchange.save(update_fields=fields)
        journal.record(
            community=exchange.community,
            actor=actor,
            verb="exchange.confirmed",
            target=exchange,
            data={"done": exchange.status == ExchangeStatus.DONE},
        )
    return exchange


def exchange_cancel(*, actor: Any, exchange: Exchange, reason: str = "") -> Exchange:
    """Either side cancels before the exchange is done."""
    with transaction.atomic():
        exchange = _locked(exchange)
        _side(actor, exchange)
        _state(exchange, ExchangeStatus.PROPOSED, ExchangeStatus.AGREED)
        exchange.status = ExchangeStatus.CANCELLED
        exchange.save(update_fields=["status"])
        post = exchange.post
        others = (
            Exchange.objects.in_community(exchange.community_id)
            .filter(post=post, status=ExchangeStatus.AGREED)
            .exists()
        )
        if post.status == AidStatus.MATCHED and not others:
            post.status = AidStatus.OPEN
            post.save(update_fields=["status"])
        journal.record(
            community=exchange.community,
            actor=actor,
            verb="exchange.cancelled",
            target=exchange,
            data={"reason": (reason or "").strip()[:300]},
        )
    return exchange


def exchange_report(*, actor: Any, exchange: Exchange, text: str) -> ExchangeReport:
    """Either side reports a problem; the exchange is marked disputed and the community's
    workers hear of it."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Say what went wrong."), code="report_empty")
    with transaction.atomic():
        exchange = _locked(exchange)
        _side(actor, exchange)
        _state(exchange, ExchangeStatus.AGREED, ExchangeStatus.DONE, ExchangeStatus.DISPUTED)
        report = ExchangeReport.objects.create(
            community_id=exchange.community_id, exchange=exchange, reporter=actor, text=text[:5000]
        )
        exchange.status = ExchangeStatus.DISPUTED
        exchange.save(update_fields=["status"])
        journal.record(
            community=exchange.community, actor=actor, verb="exchange.reported", target=report
        )
        _notify(_workers(exchange.community_id), exchange.post, "exchange_reported", "reported")
    return report


def report_resolve(*, actor: Any, report: ExchangeReport, resolution: str) -> ExchangeReport:
    """A worker deals with a report (not one about an exchange they are part of); with no
    report left open, the exchange returns to done (if it was) or agreed."""
    _require("volunteering.handle_aid_reports", actor, report)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError(_("Say how the problem was resolved."), code="resolution_empty")
    with transaction.atomic():
        exchange = _locked(report.exchange)
        if actor.pk in (exchange.helped_id, exchange.helper_id):
            raise ValidationError(
                _("Another worker deals with a problem on your own exchange."), code="own_report"
            )
        report = (
            ExchangeReport.objects.in_community(report.community_id)
            .select_for_update()
            .get(pk=report.pk)
        )
        if report.resolved_at is not None:
            raise ValidationError(
                _("This problem has already been dealt with."), code="already_resolved"
            )
        report.resolved_by = actor
        report.resolved_at = timezone.now()
        report.resolution = resolution[:5000]
        report.save(update_fields=["resolved_by", "resolved_at", "resolution"])
        still_open = (
            ExchangeReport.objects.in_community(report.community_id)
            .filter(exchange=exchange, resolved_at__isnull=True)
            .exists()
        )
        if not still_open and exchange.status == ExchangeStatus.DISPUTED:
            exchange.status = (
                ExchangeStatus.DONE if exchange.done_at is not None else ExchangeStatus.AGREED
            )
            exchange.save(update_fields=["status"])
        journal.record(
            community=exchange.community,
            actor=actor,
            verb="exchange.report_resolved",
            target=report,
        )
    return report
