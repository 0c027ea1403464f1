"""Reads of the notifications app that pages share."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from gongzhi.core.manifests import notification_kinds
from gongzhi.core.models import Community
from gongzhi.notifications.models import ChannelPreference, Delivery, Notification
from gongzhi.notifications.policies import view_delivery

#: The log page's filter: what staff need to act on by default, or one status.
STATUS_FILTERS: dict[str, tuple[str, ...]] = {
    "": (Delivery.Status.FAILED, Delivery.Status.PENDING, Delivery.Status.SENDING),
    "failed": (Delivery.Status.FAILED,),
    "pending": (Delivery.Status.PENDING, Delivery.Status.SENDING),
    "sent": (Delivery.Status.SENT,),
}


def _staff_visible(viewer: Any) -> QuerySet[Delivery]:
    """Deliveries ``viewer`` may see on the log, without the confidential kinds' (nobody on the
    staff learns from the log who is party to a mediation case)."""
    confidential = [code for code, kind in notification_kinds().items() if kind.confidential]
    return view_delivery.filter(viewer, Delivery.objects.exclude(kind__in=confidential))


def deliveries_for_staff(
    *, viewer: Any, community: Community | None = None, status: str = ""
) -> QuerySet[Delivery]:
    queryset = _staff_visible(viewer)
    if community is not None:
        queryset = queryset.filter(community=community)
    return (
        queryset.filter(status__in=STATUS_FILTERS.get(status, STATUS_FILTERS[""]))
        .select_related("community")
        .order_by("-created_at", "-pk")
    )


def delivery_get(*, viewer: Any, delivery_id: int) -> Delivery:
    """A delivery the viewer may see; one they may not is as missing as a missing one."""
    delivery = _staff_visible(viewer).select_related("community").filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404
    return delivery


def channel_preferences(*, user: Any) -> dict[tuple[str, str], bool]:
    """``{(kind, channel): enabled}`` as the person chose; a missing pair is the default."""
    return {(p.kind, p.channel): p.enabled for p in ChannelPreference.objects.filter(user=user)}


def notifications_of(*, user: Any, unread: bool = False) -> QuerySet[Notification]:
    """A person's own notifications, newest first (only unread ones if asked)."""
    queryset = Notification.objects.filter(user=user).select_related("community")
    return queryset.filter(read_at__isnull=True) if unread else queryset


def unread_count(*, user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
