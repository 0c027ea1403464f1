"""The community home's spaces tile: my next bookings, or where to book (one query)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongzhi.core.home import Tile, TileItem
from gongzhi.core.policies import is_member
from gongzhi.spaces.models import Booking, BookingStatus

#: Bookings shown on the tile (the rest are on "my bookings").
TILE_ITEMS = 3


def my_next_bookings(community: Any, user: Any) -> Tile | None:
    """A member's coming bookings (confirmed, or waiting for approval), soonest first; nothing
    for a visitor or someone who is not a member."""
    if not getattr(user, "is_authenticated", False) or not is_member(user, community):
        return None
    now = timezone.now()
    bookings = list(
        Booking.objects.in_community(community)
        .filter(
            person=user,
            status__in=(BookingStatus.CONFIRMED, BookingStatus.PENDING),
            ends_at__gt=now,
        )
        .select_related("space")
        .order_by("starts_at", "pk")[:TILE_ITEMS]
    )
    slug = community.slug
    items = [
        TileItem(
            label=booking.space.name,
            url=reverse("spaces_space", kwargs={"slug": slug, "space_id": booking.space_id}),
            note=date_format(timezone.localtime(booking.starts_at), "SHORT_DATETIME_FORMAT")
            + (
                " · " + _("waiting for approval") if booking.status == BookingStatus.PENDING else ""
            ),
            warn=booking.status == BookingStatus.PENDING,
        )
        for booking in bookings
    ]
    return Tile(
        key="spaces.mine",
        title=_("My bookings of shared spaces"),
        items=items,
        empty=_("No booking coming up. Activity rooms, halls and gardens can be booked here."),
        more_url=reverse("spaces_mine" if items else "spaces_home", kwargs={"slug": slug}),
        more_label=pgettext("spaces app", "My bookings") if items else _("Shared spaces"),
    )
