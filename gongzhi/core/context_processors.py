from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from gongzhi.core import notify


def site(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    unread = notify.unread_count(user) if user.is_authenticated else 0
    return {
        "age_friendly": getattr(request, "age_friendly", False),
        "unread_count": unread,
    }
