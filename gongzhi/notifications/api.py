"""A person's notifications in the API, rendered in the caller's language (the request's
``Accept-Language``, else the account's own, else zh-Hans), like the inbox page."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from gongzhi.core.http import api_user
from gongzhi.core.pagination import BoundedLimitOffsetPagination
from gongzhi.notifications import selectors
from gongzhi.notifications.models import Notification
from gongzhi.notifications.services import notification_mark_read

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    community: str | None
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_community(obj: Notification) -> str | None:
        return obj.community.slug if obj.community is not None else None

    @staticmethod
    def resolve_title(obj: Notification) -> str:
        return obj.rendered().title

    @staticmethod
    def resolve_body(obj: Notification) -> str:
        return obj.rendered().body


class MarkReadIn(Schema):
    #: The notifications to mark read; none given marks them all.
    ids: list[int] | None = None


class MarkReadOut(Schema):
    marked: int


@router.get(
    "/me/notifications",
    response=list[NotificationOut],
    summary="My notifications, newest first, in my language",
)
@paginate(BoundedLimitOffsetPagination)
def notification_list(request: HttpRequest, unread: bool = False):
    return selectors.notifications_of(user=api_user(request), unread=unread)


@router.post("/me/notifications/read", response=MarkReadOut, summary="Mark notifications read")
def notifications_mark_read(request: HttpRequest, payload: MarkReadIn):
    return {"marked": notification_mark_read(user=api_user(request), ids=payload.ids)}
