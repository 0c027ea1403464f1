"""Draws for popular slots (热门时段抽签): requests collected until a deadline, then given by lot,
favouring those who had nothing lately.

1. A space's manager opens a ``DrawRound`` for one slot, with the time requests close (before
   the slot) and where the seed will come from (``seed_rule``, announced now: a lottery's
   numbers on a given day, say). Every free seat of the slot is held at once by a ``draw``
   booking (``booking.hold_for_draw``), so nobody books it directly meanwhile.
2. Residents and organisations ask (``DrawRequest``), once each, if the space's rules let them
   book it (``booking.check_booker``) and their quota has room (``booking.check_quota``: a
   winner's seat is settled with no rule checked).
3. Once requests close, the list is public to members in its published order (by time of
   request), each request with its tier: **tier 0** for those with no booking of this space
   (confirmed, or released for a no-show) starting in the 28 days before the close, **tier 1**
   for the others. Both are fixed at the close, before anybody knows the seed.
4. A manager who did not ask (nor sits in an organisation that asked) types in the seed as
   announced. ``core.lottery`` orders the published list by the seed
   (``SHA-256(seed ‖ 0x00 ‖ position)``), tier 0 before tier 1, and the first as many as
   there are held seats win: their held rows become their confirmed bookings
   (``booking.settle_draw_hold``); unused holds are freed. Anyone can repeat it:
   ``python -m gongzhi.core.lottery --seed … --draw N list.txt`` on the published list gives
   the order by key; taking tier 0 first gives the winners.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal, lottery
from gongzhi.core.masking import mask_name
from gongzhi.spaces import booking as engine
from gongzhi.spaces.models import (
    Booking,
    BookingStatus,
    DrawRequest,
    DrawRequestOutcome,
    DrawRound,
    DrawStatus,
    Space,
    SpaceStatus,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.bodies.models import Body

#: how far back a booking of the space puts a request in tier 1
RECENT = timedelta(days=28)
#: what counts as having had the space: a confirmed booking, or one released for a no-show
HAD = (BookingStatus.CONFIRMED, BookingStatus.RELEASED)
MAX_SEED = 200


def _require_manager(actor: Any, space: Space) -> None:
    if not engine.may_decide(actor, space):
        raise PermissionDenied(_("Only the space's managers run its draws."))


def _lock_draw(draw: DrawRound) -> DrawRound:
    return DrawRound.objects.in_community(draw.community_id).select_for_update().get(pk=draw.pk)


# --- the published list --------------------------------------------------------------------


def entries(draw: DrawRound) -> list[DrawRequest]:
    """The requests still in the draw, in the published order (time of request)."""
    return list(
        DrawRequest.objects.in_community(draw.community_id)
        .filter(draw=draw)
        .exclude(outcome=DrawRequestOutcome.WITHDRAWN)
        .select_related("person", "body")
        .order_by("created_at", "pk")
    )


def label(request: DrawRequest) -> str:
    """How a request appears in the published list: its number and the organisation's name, or
    the person's name masked (王*芳)."""
    who = request.body.name if request.body_id and request.body else mask_name(str(request.person))
    return f"#{request.pk} {who}"


def tiers(draw: DrawRound, requests: list[DrawRequest]) -> list[int]:
    """Each request's tier: 0 with no booking of the space starting in the 28 days before the
    close, 1 otherwise. Nothing can change it after the close: a booking cannot be made or
    cancelled once it has started."""
    since = draw.closes_at - RECENT
    rows = list(
        Booking.objects.in_community(draw.community_id)
        .filter(
            space_id=draw.space_id,
            status__in=HAD,
            starts_at__gte=since,
            starts_at__lt=draw.closes_at,
        )
        .values_list("person_id", "household_id", "body_id")
    )
    bodies = {body for _, _, body in rows if body}
    people = {person for person, _, body in rows if person and not body}
    households = {household for _, household, body in rows if household and not body}
    result = []
    for request in requests:
        if request.body_id:
            had = request.body_id in bodies
        else:
            had = request.person_id in people or (
                request.household_id is not None and request.household_id in households
            )
        result.append(1 if had else 0)
    return result


def order(seed: str, tier_of: list[int]) -> list[int]:
    """The 1-based positions of the published list in drawing order: by the lottery's key for
    ``seed``, tier 0 first (a stable sort keeps the key order within a tier)."""
    by_key = lottery.draw_positions(seed, len(tier_of), len(tier_of))
    return sorted(by_key, key=lambda position: tier_of[position - 1])


def list_sha256(labels: list[str]) -> str:
    return hashlib.sha256("\n".join(labels).encode()).hexdigest()


# --- opening, asking ------------------------------------------------------------------------


def draw_open(
    *,
    actor: User,
    space: Space,
    starts_at: datetime,
    ends_at: datetime,
    closes_at: datetime,
    seed_rule: str,
) -> DrawRound:
    """Open a draw for ``[starts_at, ends_at)`` of ``space``, holding every free seat."""
    _require_manager(actor, space)
    seed_rule = (seed_rule or "").strip()
    if not seed_rule or len(seed_rule) > MAX_SEED:
        raise ValidationError(
            _("Say where the seed will come from (up to 200 characters)."), code="draw_seed_rule"
        )
    now = timezone.now()
    engine.check_times(space, starts_at, ends_at, now=now)
    if timezone.is_naive(closes_at) or closes_at <= now:
        raise ValidationError(_("Requests must close in the future."), code="draw_closes_past")
    if closes_at > starts_at:
        raise ValidationError(
            _("Requests must close before the time drawn starts."), code="draw_closes_late"
        )
    with transaction.atomic():
        locked = engine.lock_space(space)
        if locked.status != SpaceStatus.OPEN:
            raise ValidationError(_("This space is not open for booking."), code="space_not_open")
        engine.expire_holds(locked, now=now)
        draw = DrawRound.objects.in_community(space.community_id).create(
            space=locked,
            starts_at=starts_at,
            ends_at=ends_at,
            closes_at=closes_at,
            seed_rule=seed_rule,
            created_by=actor,
        )
        holds = engine.hold_for_draw(actor=actor, space=locked, draw=draw)
        if not holds:
            raise ValidationError(
                _("This time is already taken: a draw needs a free seat."), code="draw_slot_taken"
            )
        journal.record(
            community=locked.community,
            actor=actor,
            verb="draw.opened",
            target=draw,
            data={
                "space": locked.pk,
                "starts": starts_at.isoformat(),
                "closes": closes_at.isoformat(),
                "seats": len(holds),
                "seed_rule": seed_rule,
            },
        )
    return draw


def _check_open(draw: DrawRound, now: datetime) -> None:
    if draw.status != DrawStatus.OPEN:
        raise ValidationError(_("This draw is no longer taking requests."), code="draw_not_open")
    if now >= draw.closes_at:
        raise ValidationError(_("Requests for this draw have closed."), code="draw_closed")


def draw_request(
    *, actor: User, draw: DrawRound, purpose: str, body: Body | None = None
) -> DrawRequest:
    """Ask for the drawn slot, for oneself or an organisation one sits in; once per person and
    per organisation, by those the space's rules let book it."""
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError(_("Say what the space is for."), code="booking_no_purpose")
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = _lock_draw(draw)
            _check_open(locked, now)
            space = locked.space
            if space.status != SpaceStatus.OPEN:
                raise ValidationError(
                    _("This space is not open for booking."), code="space_not_open"
                )
            probe = engine.check_asker(
                space,
                locked.starts_at,
                locked.ends_at,
                person=actor,
                actor=actor,
                body=body,
                now=now,
            )
            # a winner's seat is settled with no rule checked (the draw must follow the
            # published list), so the quota is checked when asking
            engine.check_quota(space, probe)
            requests = DrawRequest.objects.in_community(draw.community_id).filter(draw=locked)
            active = requests.exclude(outcome=DrawRequestOutcome.WITHDRAWN)
            if requests.filter(person=actor).exists():
                raise ValidationError(_("You have already asked in this draw."), code="draw_twice")
            if body is not None and active.filter(body=body).exists():
                raise ValidationError(
                    _("Someone has already asked for this organisation in this draw."),
                    code="draw_body_twice",
                )
            request = DrawRequest.objects.in_community(draw.community_id).create(
                draw=locked,
                person=actor,
                body=body,
                household_id=probe.household_id,
                purpose=purpose[:200],
            )
            journal.record(
                community=space.community,
                actor=actor,
                verb="draw.requested",
                target=request,
                data={"draw": locked.pk, "space": space.pk, "body": body.pk if body else None},
            )
    except IntegrityError as error:  # the unique constraint, should the lock be bypassed
        raise ValidationError(
            _("You have already asked in this draw."), code="draw_twice"
        ) from error
    return request


def draw_withdraw(*, actor: User, request: DrawRequest) -> DrawRequest:
    """Withdraw one's own request while requests are open."""
    if actor.pk != request.person_id:
        raise PermissionDenied(_("Only the person who asked can withdraw the request."))
    with transaction.atomic():
        locked = _lock_draw(request.draw)
        _check_open(locked, timezone.now())
        fresh = DrawRequest.objects.in_community(request.community_id).get(pk=request.pk)
        if fresh.outcome != DrawRequestOutcome.WAITING:
            raise ValidationError(
                _("This request is no longer in the draw."), code="draw_request_gone"
            )
        fresh.outcome = DrawRequestOutcome.WITHDRAWN
        fresh.save(update_fields=["outcome"])
        journal.record(
            community=locked.space.community,
            actor=actor,
            verb="draw.withdrawn",
            target=fresh,
            data={"draw": locked.pk},
        )
    return fresh


# --- the draw ---------------------------------------------------------------------------------


def _check_seed(seed: str) -> str:
    # Taken exactly as typed (no trimming): the lottery hashes the seed as announced.
    if not seed or not seed.strip() or len(seed) > MAX_SEED:
        raise ValidationError(
            _("Type the public seed exactly as it was announced (up to 200 characters)."),
            code="draw_seed",
        )
    return seed


def _require_did_not_ask(actor: Any, requests: list[DrawRequest]) -> None:
    """The seed is typed by a manager with no stake: not one who asked, nor one who sits in an
    organisation that asked (someone else may have filed its request)."""
    from gongzhi.bodies.policies import sits_in_body

    if any(request.person_id == actor.pk for request in requests):
        raise PermissionDenied(_("You asked in this draw: another manager must type in the seed."))
    bodies = {request.body for request in requests if request.body_id}
    if any(sits_in_body(actor, body) for body in bodies):
        raise PermissionDenied(
            _(
                "An organisation you sit in asked in this draw: another manager must type in "
                "the seed."
            )
        )


def draw_run(*, actor: User, draw: DrawRound, seed: str) -> list[DrawRequest]:
    """Draw, once, after requests closed and before the slot starts: the winners get the held
    seats as confirmed bookings; held seats nobody won are freed. A manager who asked in the
    draw, or who sits in an organisation that asked, may not type its seed. Returns the
    winners in drawing order."""
    _require_manager(actor, draw.space)
    now = timezone.now()
    with transaction.atomic():
        space = engine.lock_space(draw.space)
        locked = _lock_draw(draw)
        if locked.status != DrawStatus.OPEN:
            raise ValidationError(_("This draw has already been settled."), code="draw_done")
        if now < locked.closes_at:
            raise ValidationError(
                _("Requests are still open: draw after they close."), code="draw_still_open"
            )
        if now >= locked.starts_at:
            raise ValidationError(_("The time drawn for has already begun."), code="draw_too_late")
        requests = entries(locked)
        _require_did_not_ask(actor, requests)
        seed = _check_seed(seed)
        holds = list(
            Booking.objects.in_community(locked.community_id)
            .filter(draw=locked, status=BookingStatus.DRAW)
            .select_related("space")
            .order_by("seat", "pk")
        )
        tier_of = tiers(locked, requests)
        drawn = order(seed, tier_of)[: len(holds)]
        winners = [requests[position - 1] for position in drawn]
        for request, tier in zip(requests, tier_of, strict=True):
            request.tier = tier
            request.outcome = DrawRequestOutcome.NOT_DRAWN
        for winner in winners:
            winner.outcome = DrawRequestOutcome.WON
        DrawRequest.objects.in_community(locked.community_id).bulk_update(
            requests, ["tier", "outcome"]
        )
        for index, hold in enumerate(holds):
            hold.space = space
            engine.settle_draw_hold(
                hold, winner=winners[index] if index < len(winners) else None, now=now
            )
        locked.seed = seed
        locked.status = DrawStatus.DRAWN
        locked.drawn_by = actor
        locked.drawn_at = now
        locked.save(update_fields=["seed", "status", "drawn_by", "drawn_at"])
        labels = [label(request) for request in requests]
        journal.record(
            community=space.community,
            actor=actor,
            verb="draw.drawn",
            target=locked,
            data={
                "space": space.pk,
                "seed": seed,
                "requests": len(requests),
                "seats": len(holds),
                "tiers": tier_of,
                "drawn": drawn,
                "list_sha256": list_sha256(labels),
            },
        )
        # notifications are rows too: written in the draw's transaction, gone if it fails
        _tell(locked, requests)
    return winners


def draw_cancel(*, actor: User, draw: DrawRound, reason: str) -> DrawRound:
    """Cancel a draw not yet drawn (the space's managers, with a reason): its held seats are
    freed and offered to those waiting, and those who asked are told."""
    _require_manager(actor, draw.space)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the draw is cancelled."), code="draw_reason")
    now = timezone.now()
    with transaction.atomic():
        space = engine.lock_space(draw.space)
        locked = _lock_draw(draw)
        if locked.status != DrawStatus.OPEN:
            raise ValidationError(_("This draw has already been settled."), code="draw_done")
        holds = Booking.objects.in_community(locked.community_id).filter(
            draw=locked, status=BookingStatus.DRAW
        )
        for hold in holds.select_related("space"):
            hold.space = space
            engine.settle_draw_hold(hold, winner=None, now=now)
        locked.status = DrawStatus.CANCELLED
        locked.save(update_fields=["status"])
        requests = entries(locked)
        journal.record(
            community=space.community,
            actor=actor,
            verb="draw.cancelled",
            target=locked,
            data={"space": space.pk, "reason": reason[:300], "requests": len(requests)},
        )
        _send(locked, [r.person for r in requests], "cancelled", reason=reason[:300])
    return locked


def _send(draw: DrawRound, people: list[Any], message: str, **extra: str) -> None:
    from gongzhi.core.notify import send

    if not people:
        return
    space = draw.space
    send(
        users=people,
        community=space.community,
        kind="space_draw",
        message=message,
        params={
            "space": space.name,
            "starts": timezone.localtime(draw.starts_at).strftime("%Y-%m-%d %H:%M"),
            **extra,
        },
        url=reverse("spaces_draw", kwargs={"slug": space.community.slug, "draw_id": draw.pk}),
    )


def _tell(draw: DrawRound, requests: list[DrawRequest]) -> None:
    for outcome in (DrawRequestOutcome.WON, DrawRequestOutcome.NOT_DRAWN):
        _send(draw, [r.person for r in requests if r.outcome == outcome], str(outcome))


def closed_for(draw: DrawRound, *, now: datetime | None = None) -> bool:
    """Whether requests have closed, so the list is published."""
    return draw.status != DrawStatus.OPEN or (now or timezone.now()) >= draw.closes_at
