from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    unread = 0
    if user.is_authenticated:
        from gongzhi.notifications.models import Notification

        unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {
        "age_friendly": getattr(request, "age_friendly", False),
        "unread_count": unread,
    }
