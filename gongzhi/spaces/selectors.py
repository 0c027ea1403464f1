"""Reads the catalogue's pages and the API share: the spaces one may see, one space with its
rules in plain words and its hours, my bookings (upcoming and past), and the bookings the
calendar feeds hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import rules
from django.core import signing
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from gongzhi.core.models import CalendarFeed, Community
from gongzhi.spaces import catalogue_hours
from gongzhi.spaces.models import Booking, BookingStatus, ResidentAccess, Space, SpaceStatus
from gongzhi.spaces.policies import manage_spaces

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

#: how far back "my bookings" and the feeds reach
PAST_DAYS = 90


def _spaces(community: Community | int) -> QuerySet[Space]:
    return Space.objects.in_community(community).select_related(
        "community", "building", "managed_by_body", "managed_by_partner"
    )


def catalogue(community: Community, viewer: Any) -> QuerySet[Space]:
    """The spaces open for booking; those being prepared or closed too, for their managers."""
    spaces = _spaces(community)
    if not manage_spaces(viewer, community):
        spaces = spaces.filter(status=SpaceStatus.OPEN)
    return spaces.order_by("name", "pk")


def space_get(*, community: Community, viewer: Any, space_id: int, perm: str = "") -> Space:
    """One space the viewer may see (and, with ``perm``, act on); 404 otherwise, as a missing
    one."""
    space = _spaces(community).filter(pk=space_id).first()
    if space is None or not rules.has_perm("spaces.view_space", viewer, space):
        raise Http404
    if perm and not rules.has_perm(perm, viewer, space):
        raise Http404
    return space


def manager_name(space: Space) -> str:
    if space.managed_by_body_id:
        return space.managed_by_body.name  # type: ignore[union-attr]
    if space.managed_by_partner_id:
        return space.managed_by_partner.name  # type: ignore[union-attr]
    return _("the community's workers")


def accessibility(space: Space) -> list[dict[str, Any]]:
    """Each access feature, present or not, so the page can say "no lift" as plainly."""
    return [
        {
            "key": "step_free",
            "has": space.step_free,
            "label": _("step-free access"),
            "missing": _("steps at the entrance"),
        },
        {"key": "lift", "has": space.lift, "label": _("lift"), "missing": _("no lift")},
        {
            "key": "accessible_toilet",
            "has": space.accessible_toilet,
            "label": _("accessible toilet"),
            "missing": _("no accessible toilet"),
        },
    ]


def _minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
    if hours:
        return ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours}
    return ngettext("%(minutes)d minute", "%(minutes)d minutes", rest) % {"minutes": rest}


def rules_in_words(space: Space) -> list[str]:
    """The booking rules as a resident reads them."""
    who = []
    if space.residents == ResidentAccess.ALL:
        who.append(_("every resident of the community"))
    elif space.residents == ResidentAccess.VERIFIED:
        who.append(_("verified residents"))
    if space.organisations:
        who.append(_("the community's organisations"))
    if space.partners:
        who.append(_("partners (booked by a community worker)"))
    lines = [
        _("Who may book: %(who)s.") % {"who": pgettext("list separator", ", ").join(who)}
        if who
        else _("Nobody books it directly: ask its managers."),
        _("A booking lasts at most %(length)s.") % {"length": _minutes(space.max_minutes)},
        ngettext(
            "You can book up to %(days)d day ahead.",
            "You can book up to %(days)d days ahead.",
            space.advance_days,
        )
        % {"days": space.advance_days},
    ]
    if space.seats > 1:
        lines.append(
            _("%(seats)d people can book it at the same time, one place each.")
            % {"seats": space.seats}
        )
    if space.buffer_minutes:
        lines.append(
            _("%(length)s are kept free after each booking for cleaning.")
            % {"length": _minutes(space.buffer_minutes)}
        )
    if space.quota:
        lines.append(
            ngettext(
                "Each household or organisation may book it %(count)d time %(period)s.",
                "Each household or organisation may book it %(count)d times %(period)s.",
                space.quota,
            )
            % {"count": space.quota, "period": space.get_quota_period_display()}
        )
    if space.needs_approval:
        lines.append(
            ngettext(
                "Each booking needs its managers' approval; the time is held for you for "
                "%(hours)d hour while they decide.",
                "Each booking needs its managers' approval; the time is held for you for "
                "%(hours)d hours while they decide.",
                space.hold_hours,
            )
            % {"hours": space.hold_hours}
        )
    else:
        lines.append(_("A free time is yours at once: no approval is needed."))
    if space.fee:
        lines.append(
            _("Fee: %(fee)s yuan, collected in person (no online payment).") % {"fee": space.fee}
            + (f" {space.fee_note}" if space.fee_note else "")
        )
    else:
        lines.append(_("Free of charge."))
    if space.no_show_minutes:
        lines.append(
            _(
                "Check in at the door: a booking nobody checks in to within %(minutes)d minutes "
                "of its start is released for others."
            )
            % {"minutes": space.no_show_minutes}
        )
    if space.no_show_limit:
        lines.append(
            ngettext(
                "After %(count)d unused booking in 90 days, booking is paused.",
                "After %(count)d unused bookings in 90 days, booking is paused.",
                space.no_show_limit,
            )
            % {"count": space.no_show_limit}
        )
    if not space.series_allowed:
        lines.append(_("Repeating bookings are not taken for this space."))
    return lines


def opening(space: Space) -> dict[str, Any]:
    """The opening hours in words, today's hours, the next holiday's effect and the closures."""
    return catalogue_hours.in_words(space.hours, timezone.localdate())


def meetings_here(space: Space, *, now: datetime | None = None) -> list[Booking]:
    """The public meetings coming up in the space: bookings a body made for one of its meetings
    (``Booking.meeting``), so residents see where the council sits."""
    now = now or timezone.now()
    return list(
        Booking.objects.in_community(space.community_id)
        .filter(
            space=space,
            meeting__isnull=False,
            meeting__public=True,
            status__in=(BookingStatus.CONFIRMED, BookingStatus.PENDING),
            ends_at__gt=now,
        )
        .select_related("meeting__body")
        .order_by("starts_at", "pk")[:20]
    )


def catalogue_cards(community: Community, viewer: Any) -> list[dict[str, Any]]:
    """The catalogue with each space's hours today in words (blank when no hours are set)."""
    today = timezone.localdate()
    return [
        {"space": space, "today": catalogue_hours.in_words(space.hours, today)["today"]}
        for space in catalogue(community, viewer)
    ]


def space_page(space: Space, viewer: Any) -> dict[str, Any]:
    return {
        "meetings_here": meetings_here(space),
        "manager": manager_name(space),
        "access": accessibility(space),
        "rules": rules_in_words(space),
        "opening": opening(space),
        "can_manage": bool(manage_spaces(viewer, space)),
    }


# --- My bookings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyBookings:
    upcoming: list[Booking]
    past: list[Booking]


def _mine(community: Community | int, user: Any) -> QuerySet[Booking]:
    return (
        Booking.objects.in_community(community)
        .filter(person=user)
        .select_related("space", "body", "meeting")
    )


def my_bookings(
    community: Community | int, user: Any, *, now: datetime | None = None
) -> MyBookings:
    """Mine from now on (soonest first), and the last 90 days' (newest first, at most 50)."""
    now = now or timezone.now()
    mine = _mine(community, user)
    upcoming = list(mine.filter(ends_at__gt=now).order_by("starts_at", "pk")[:200])
    past = list(
        mine.filter(ends_at__lte=now, starts_at__gte=now - timedelta(days=PAST_DAYS)).order_by(
            "-starts_at", "-pk"
        )[:50]
    )
    return MyBookings(upcoming=upcoming, past=past)


def may_cancel_mine(booking: Booking, now: datetime) -> bool:
    return booking.status in (BookingStatus.CONFIRMED, BookingStatus.PENDING) and (
        booking.starts_at > now
    )


# --- Calendar feeds ----------------------------------------------------------------------------

#: The salt of a space feed's token (``django.core.signing``): a token signed for another purpose
#: does not load as one.
FEED_SALT = "spaces.feed"


def calendar_token(user: Any) -> str:
    """The token of ``user``'s own calendar address (``core.CalendarFeed``), or nothing."""
    if not getattr(user, "is_authenticated", False):
        return ""
    feed = CalendarFeed.objects.filter(person=user).only("token").first()
    return feed.token if feed is not None else ""


def _feed_key(token: str) -> str:
    """A keyed digest of a person's calendar token: a space token names the token it was made
    from without showing it (the signed value is readable, only not forgeable)."""
    return salted_hmac(FEED_SALT, token, algorithm="sha256").hexdigest()[:20]


def space_feed_token(*, person_id: int, space_id: int, calendar_token: str) -> str:
    """A space feed's own token, for a calendar app (which has no session): signed, it names the
    person, the space and the person's calendar token, so it opens this space's busy times and
    nothing else (not the person's own feeds, not another space), and issuing the person a new
    calendar address or revoking it cuts it off too."""
    payload = {"p": person_id, "s": space_id, "k": _feed_key(calendar_token)}
    # no timestamp (not signing.dumps): the same link each time, valid until the key changes
    return signing.Signer(salt=FEED_SALT).sign_object(payload)


def space_feed_path(space: Space, user: Any, token: str | None = None) -> str:
    """The path of ``space``'s feed for ``user``: with its own ``?token=`` once they have a
    calendar address (``token``, their calendar token, when the caller already read it)."""
    path = reverse("spaces_space_feed", kwargs={"slug": space.community.slug, "space_id": space.pk})
    token = calendar_token(user) if token is None else token
    if not token:
        return path
    signed = space_feed_token(person_id=user.pk, space_id=space.pk, calendar_token=token)
    return path + "?" + urlencode({"token": signed})


def space_feed_reader(token: str, space_id: int) -> User | None:
    """Who reads ``space_id``'s feed with ``token`` (``space_feed_token``), or None: a forged or
    other token, another space's, or one whose calendar address was revoked or issued anew."""
    try:
        data = signing.Signer(salt=FEED_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != space_id:
        return None
    feed = (
        CalendarFeed.objects.select_related("person")
        .filter(person_id=data.get("p"), person__is_active=True)
        .first()
    )
    if feed is None or not constant_time_compare(_feed_key(feed.token), str(data.get("k"))):
        return None
    return feed.person


def space_feed_bookings(space: Space, *, now: datetime | None = None) -> QuerySet[Booking]:
    """The confirmed bookings of a space from 90 days ago on: busy blocks for its feed."""
    now = now or timezone.now()
    return (
        Booking.objects.in_community(space.community_id)
        .filter(
            space=space,
            status=BookingStatus.CONFIRMED,
            ends_at__gte=now - timedelta(days=PAST_DAYS),
        )
        .order_by("starts_at", "pk")
        .only("pk", "starts_at", "ends_at", "updated_at")
    )


def my_feed_bookings(
    community: Community | int, user: Any, *, now: datetime | None = None
) -> QuerySet[Booking]:
    """My confirmed and pending bookings (cancelled ones too, so a calendar drops them)."""
    now = now or timezone.now()
    return (
        _mine(community, user)
        .filter(ends_at__gte=now - timedelta(days=PAST_DAYS))
        .filter(
            Q(status__in=(BookingStatus.CONFIRMED, BookingStatus.PENDING))
            | Q(status=BookingStatus.CANCELLED)
        )
        .order_by("starts_at", "pk")
    )


def meetings_to_book_for(community: Community | int, user: Any) -> list[Any]:
    """The upcoming meetings of the bodies ``user`` sits in today: a booking of a space can name
    the meeting it is for (``Booking.meeting``), so the meeting's room is booked here."""
    from gongzhi.bodies.models import Mandate
    from gongzhi.bodies.selectors import sitting_q
    from gongzhi.meetings.models import Meeting

    if not getattr(user, "is_authenticated", False):
        return []
    bodies = (
        Mandate.objects.in_community(community)
        .filter(sitting_q(timezone.localdate()), membership__user=user)
        .values("body_id")
    )
    return list(
        Meeting.objects.in_community(community)
        .filter(body_id__in=bodies, starts_at__gte=timezone.now())
        .exclude(status="cancelled")
        .select_related("body")
        .order_by("starts_at", "pk")[:50]
    )
