"""Reads the catalogue's pages and the API share."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from gongzhi.core.models import Community
from gongzhi.spaces.models import Booking, Space, SpaceStatus
from gongzhi.spaces.policies import manage_spaces


def catalogue(community: Community, viewer: Any) -> QuerySet[Space]:
    """The spaces open for booking; those being prepared or closed too, for their managers."""
    spaces = Space.objects.in_community(community).select_related("building")
    if not manage_spaces(viewer, community):
        spaces = spaces.filter(status=SpaceStatus.OPEN)
    return spaces.order_by("name", "pk")


def my_bookings(community: Community, user: Any) -> QuerySet[Booking]:
    """My bookings from today on, and the last month's, newest last."""
    since = timezone.now() - timedelta(days=31)
    return (
        Booking.objects.in_community(community)
        .filter(person=user, starts_at__gte=since)
        .select_related("space")
        .order_by("starts_at", "pk")
    )
