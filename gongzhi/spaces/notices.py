"""What spaces tells people (NOTIFICATION_KINDS in the manifest): a request decided or expired,
a booking made from the waiting list, a booking released because nobody came, a loan overdue.
Only msgids and parameters are stored; each reads it in their own language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from gongzhi.spaces.models import Booking


def my_bookings_url(booking: Booking) -> str:
    return reverse("spaces_mine", kwargs={"slug": booking.space.community.slug})


def _when(booking: Booking) -> str:
    return timezone.localtime(booking.starts_at).strftime("%Y-%m-%d %H:%M")


def tell(bookings: Iterable[Booking], message: str, **params: Any) -> None:
    """Tell each booking's person ``message`` (a message of the ``space_booking`` kind)."""
    from gongzhi.core.notify import send

    for booking in bookings:
        if booking.person is None:
            continue
        send(
            users=[booking.person],
            community=booking.space.community,
            kind="space_booking",
            message=message,
            params={"space": booking.space.name, "starts": _when(booking), **params},
            url=my_bookings_url(booking),
        )


def booked_from_waiting(bookings: Iterable[Booking]) -> None:
    tell(bookings, "from_waiting")
