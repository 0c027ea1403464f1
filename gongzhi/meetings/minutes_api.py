"""Minutes and follow-ups in the API: a meeting's minutes (the text for those who may read it),
a member present confirming or asking for a correction, the community's follow-ups and their
owner (or a worker) marking one done. Refusals are 400 with a stable code."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.security import SessionAuth

from gongzhi.accounts.api import TokenAuth
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.pagination import BoundedLimitOffsetPagination
from gongzhi.core.selectors import community_get
from gongzhi.meetings import minutes as services
from gongzhi.meetings import minutes_selectors as selectors
from gongzhi.meetings.models import ActionItem, Minutes

router = Router(tags=["meetings"])


def _anyone(request: HttpRequest) -> Any:
    return AnonymousUser()


PUBLIC = [TokenAuth(), SessionAuth(), _anyone]


class MinutesCorrectionOut(Schema):
    id: int
    text: str
    at: datetime
    resolution: str
    resolved_at: datetime | None


class MinutesOut(Schema):
    meeting: int
    status: str
    #: empty when the viewer may not read the minutes yet (a draft, or before approval)
    text: str
    members_present: int
    confirmations: int
    needed: int
    objections_until: datetime | None
    approved_at: datetime | None
    approved_how: str
    document: int | None
    corrections: list[MinutesCorrectionOut]


class MinutesResponseIn(Schema):
    kind: str
    text: str = ""


class FollowUpOut(Schema):
    id: int
    title: str
    owner: str
    due_on: date
    status: str
    overdue: bool
    done_at: datetime | None
    done_note: str
    meeting: int
    body: int
    body_name: str
    item: str

    @staticmethod
    def resolve_owner(obj: ActionItem) -> str:
        return services.action_owner(obj)

    @staticmethod
    def resolve_overdue(obj: ActionItem) -> bool:
        return selectors.is_overdue(obj)

    @staticmethod
    def resolve_meeting(obj: ActionItem) -> int:
        return obj.decision.item.meeting_id

    @staticmethod
    def resolve_body(obj: ActionItem) -> int:
        return obj.decision.item.meeting.body_id

    @staticmethod
    def resolve_body_name(obj: ActionItem) -> str:
        return obj.decision.item.meeting.body.name

    @staticmethod
    def resolve_item(obj: ActionItem) -> str:
        return obj.decision.item.title


class FollowUpUpdateIn(Schema):
    status: str
    note: str = ""


def _minutes_out(meeting: Any, viewer: Any) -> dict[str, Any]:
    part = selectors.minutes_view(meeting=meeting, viewer=viewer)
    minutes: Minutes | None = part.minutes
    if minutes is None:
        from django.http import Http404

        raise Http404
    return {
        "meeting": meeting.pk,
        "status": minutes.status,
        "text": minutes.text if part.readable else "",
        "members_present": part.members_present,
        "confirmations": part.confirmations,
        "needed": part.needed,
        "objections_until": minutes.objections_until,
        "approved_at": minutes.approved_at,
        "approved_how": minutes.approved_how,
        "document": minutes.document_id,
        "corrections": part.responses,
    }


@router.get(
    "/communities/{slug}/meetings/{meeting_id}/minutes",
    response=MinutesOut,
    auth=PUBLIC,
    summary="A meeting's minutes: status, confirmations and (for those who may read it) the text",
)
def minutes_detail(request: HttpRequest, slug: str, meeting_id: int):
    user = api_viewer(request)
    community = community_get(slug=slug, user=user)
    meeting = selectors.meeting_for_minutes(community=community, viewer=user, meeting_id=meeting_id)
    return _minutes_out(meeting, user)


@router.post(
    "/communities/{slug}/meetings/{meeting_id}/minutes/responses",
    response=MinutesOut,
    summary="Confirm the minutes or ask for a correction (kind confirm or correction; members "
    "present only)",
)
def minutes_respond(request: HttpRequest, slug: str, meeting_id: int, payload: MinutesResponseIn):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    meeting = selectors.meeting_for_minutes(community=community, viewer=user, meeting_id=meeting_id)
    minutes = Minutes.objects.in_community(community).filter(meeting=meeting).first()
    if minutes is None:
        from django.http import Http404

        raise Http404
    services.minutes_respond(actor=user, minutes=minutes, kind=payload.kind, text=payload.text)
    return _minutes_out(meeting, user)


@router.get(
    "/communities/{slug}/actions",
    response=list[FollowUpOut],
    auth=PUBLIC,
    summary="Follow-ups of decisions (status: open, overdue, done or dropped; body: a body's id)",
)
@paginate(BoundedLimitOffsetPagination)
def action_list(request: HttpRequest, slug: str, status: str = "", body: int | None = None):
    user = api_viewer(request)
    community = community_get(slug=slug, user=user)
    return selectors.action_list(community=community, viewer=user, status=status, body_id=body)


@router.post(
    "/communities/{slug}/actions/{action_id}",
    response=FollowUpOut,
    summary="Mark a follow-up done or dropped (its owner or a community worker)",
)
def action_update(request: HttpRequest, slug: str, action_id: int, payload: FollowUpUpdateIn):
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    action = selectors.action_get(community=community, viewer=user, action_id=action_id)
    services.action_update(actor=user, action=action, status=payload.status, note=payload.note)
    return selectors.action_get(community=community, viewer=user, action_id=action_id)
