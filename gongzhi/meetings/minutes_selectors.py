"""Reads of minutes and follow-ups: what the meeting page's minutes part shows a viewer, one
meeting's minutes, the public lists of follow-ups, the PDF's blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import rules
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.models import Community
from gongzhi.core.pdf import Block, Heading, Paragraph, Table
from gongzhi.meetings.minutes import (
    action_owner,
    members_present_ids,
    open_corrections,
    overdue_q,
)
from gongzhi.meetings.models import (
    ActionItem,
    ActionStatus,
    ItemDecision,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesResponse,
    MinutesStatus,
    ResponseKind,
)

#: The follow-up list's filters.
ACTION_FILTERS = {
    "open": gettext_lazy("open"),
    "overdue": gettext_lazy("overdue"),
    "done": gettext_lazy("done"),
    "dropped": gettext_lazy("dropped"),
}


@dataclass
class MinutesView:
    """Everything ``meetings/_minutes.html`` reads."""

    meeting: Meeting
    minutes: Minutes | None
    #: whether the viewer may read the text (approved: as the meeting; else runners and present)
    readable: bool
    can_run: bool
    can_draft: bool
    is_present: bool
    has_confirmed: bool
    can_respond: bool
    members_present: int
    confirmations: int
    responses: list[MinutesResponse] = field(default_factory=list)
    open_corrections: int = 0
    decisions: list[ItemDecision] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    today: date | None = None

    @property
    def needed(self) -> int:
        """Confirmations that make a majority of the members present."""
        return self.members_present // 2 + 1


def minutes_view(*, meeting: Meeting, viewer: Any) -> MinutesView:
    minutes = Minutes.objects.in_community(meeting.community_id).filter(meeting=meeting).first()
    can_run = bool(rules.has_perm("meetings.run_minutes", viewer, meeting))
    present = members_present_ids(meeting) if minutes is not None else set()
    is_present = bool(getattr(viewer, "is_authenticated", False)) and viewer.pk in present
    approved = minutes is not None and minutes.status == MinutesStatus.APPROVED
    visible = rules.has_perm("meetings.view_minutes", viewer, meeting)
    readable = minutes is not None and (can_run or is_present or (approved and visible))
    responses: list[MinutesResponse] = []
    confirmations = 0
    has_confirmed = False
    if minutes is not None:
        responses = list(
            MinutesResponse.objects.in_community(meeting.community_id)
            .filter(minutes=minutes)
            .select_related("person")
        )
        confirmers = {
            r.person_id
            for r in responses
            if r.kind == ResponseKind.CONFIRM and r.person_id in present
        }
        confirmations = len(confirmers)
        has_confirmed = is_present and viewer.pk in confirmers
    period_open = (
        minutes is not None
        and minutes.status == MinutesStatus.CIRCULATED
        and (minutes.objections_until is None or timezone.now() <= minutes.objections_until)
    )
    decisions = list(
        ItemDecision.objects.in_community(meeting.community_id)
        .filter(item__meeting=meeting)
        .select_related("item")
        .order_by("item__position", "pk")
    )
    actions = list(
        ActionItem.objects.in_community(meeting.community_id)
        .filter(decision__item__meeting=meeting)
        .select_related("owner", "decision__item")
        .order_by("due_on", "pk")
    )
    return MinutesView(
        meeting=meeting,
        minutes=minutes,
        readable=readable,
        can_run=can_run,
        can_draft=can_run and minutes is None and meeting.status == MeetingStatus.CLOSED,
        is_present=is_present,
        has_confirmed=has_confirmed,
        can_respond=is_present and period_open,
        members_present=len(present),
        confirmations=confirmations,
        responses=[r for r in responses if r.kind == ResponseKind.CORRECTION] if readable else [],
        open_corrections=open_corrections(minutes).count() if minutes is not None else 0,
        decisions=decisions,
        actions=actions if visible or can_run else [],
        today=timezone.localdate(),
    )


def meeting_for_minutes(*, community: Community, viewer: Any, meeting_id: int) -> Meeting:
    """A meeting of ``community`` the viewer may see; a hidden one is as missing as a missing one."""
    meeting = (
        Meeting.objects.in_community(community)
        .select_related("body", "community")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None or not (
        rules.has_perm("meetings.view_minutes", viewer, meeting)
        or rules.has_perm("meetings.run_minutes", viewer, meeting)
    ):
        raise Http404
    return meeting


def response_get(*, minutes: Minutes, response_id: int) -> MinutesResponse:
    found = (
        MinutesResponse.objects.in_community(minutes.community_id)
        .select_related("minutes__meeting")
        .filter(minutes=minutes, pk=response_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def decision_get(*, meeting: Meeting, decision_id: int) -> ItemDecision:
    found = (
        ItemDecision.objects.in_community(meeting.community_id)
        .select_related("item__meeting")
        .filter(item__meeting=meeting, pk=decision_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _visible_actions_q(viewer: Any, community: Community) -> Q:
    """Follow-ups of public meetings for everyone; all of them for staff and supervisors."""
    from gongzhi.core.policies import is_community_staff, is_supervisor

    if is_community_staff(viewer, community) or is_supervisor(viewer, community):
        return Q()
    return Q(decision__item__meeting__public=True)


def action_list(
    *, community: Community, viewer: Any, status: str = "", body_id: int | None = None
) -> QuerySet[ActionItem]:
    """The community's follow-ups, soonest due first; ``status`` one of ``ACTION_FILTERS``."""
    queryset = ActionItem.objects.in_community(community).filter(
        _visible_actions_q(viewer, community)
    )
    if status == "overdue":
        queryset = queryset.filter(overdue_q())
    elif status in ActionStatus.values:
        queryset = queryset.filter(status=status)
    if body_id is not None:
        queryset = queryset.filter(decision__item__meeting__body_id=body_id)
    return queryset.select_related("owner", "decision__item__meeting__body").order_by(
        "due_on", "pk"
    )


def action_get(*, community: Community, viewer: Any, action_id: int) -> ActionItem:
    found = (
        action_list(community=community, viewer=viewer)
        .select_related("decision__item__meeting__body", "community")
        .filter(pk=action_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def overdue_count(*, community: Community) -> int:
    return ActionItem.objects.in_community(community).filter(overdue_q()).count()


def is_overdue(action: ActionItem, today: date | None = None) -> bool:
    return action.status == ActionStatus.OPEN and action.due_on < (today or timezone.localdate())


def pdf_blocks(minutes: Minutes) -> list[Block]:
    """The printable minutes: the text, then the follow-ups and the corrections on record."""
    blocks: list[Block] = [Paragraph(minutes.text)]
    actions = list(
        ActionItem.objects.in_community(minutes.community_id)
        .filter(decision__item__meeting=minutes.meeting_id)
        .select_related("owner")
        .order_by("due_on", "pk")
    )
    if actions:
        blocks.append(Heading(_("Follow-ups")))
        blocks.append(
            Table(
                header=[_("What is to be done"), _("Who does it"), _("Due"), _("Status")],
                rows=[
                    [a.title, action_owner(a), a.due_on.isoformat(), str(a.get_status_display())]
                    for a in actions
                ],
                widths=(5, 2, 2, 1),
            )
        )
    corrections = list(
        MinutesResponse.objects.in_community(minutes.community_id).filter(
            minutes=minutes, kind=ResponseKind.CORRECTION
        )
    )
    if corrections:
        blocks.append(Heading(_("Corrections asked for")))
        for response in corrections:
            blocks.append(response.text)
            if response.resolution:
                blocks.append(_("Dealt with: %(resolution)s") % {"resolution": response.resolution})
    if minutes.approved_at is not None:
        how = (
            _("by a majority of the members present")
            if minutes.approved_how == "majority"
            else _("as nobody asked for a correction in time")
        )
        blocks.append(
            _("Approved on %(day)s, %(how)s.")
            % {"day": timezone.localdate(minutes.approved_at).isoformat(), "how": how}
        )
    return blocks
