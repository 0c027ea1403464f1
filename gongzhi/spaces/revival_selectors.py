"""Reads for idle-space revival: the list, one idle space with its consultation and renovation,
and a revived space's use against what was promised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from gongzhi.core.models import Community
from gongzhi.deliberation.models import Proposal
from gongzhi.deliberation.selectors import proposal_list
from gongzhi.opinions.models import Conversation
from gongzhi.opinions.selectors import conversation_list
from gongzhi.spaces.models import Booking, BookingStatus, IdleSpace, IdleStatus
from gongzhi.spaces.policies import manage_spaces

#: how many recent weeks the use is shown for
WEEKS = 12


def consultable_proposals(community: Community) -> QuerySet[Proposal]:
    """The proposals an idle space's consultation may be: what every member reads in the hall.
    That is the hall's own list as a viewer with no role sees it (published, not withdrawn;
    ``deliberation.selectors.proposal_list``), less what the moderators hid (its title is
    then not for everyone), since the idle page shows the linked proposal's title to all."""
    return proposal_list(community=community, viewer=AnonymousUser()).filter(hidden_at__isnull=True)


def consultable_conversations(community: Community) -> QuerySet[Conversation]:
    """Every opinion-map conversation of the community: each is public to its members."""
    return conversation_list(community=community)


def idle_spaces(community: Community) -> QuerySet[IdleSpace]:
    return (
        IdleSpace.objects.in_community(community)
        .select_related("building", "space", "proposal", "conversation", "project")
        .order_by("-created_at", "-pk")
    )


def idle_get(community: Community, idle_id: int) -> IdleSpace:
    idle = idle_spaces(community).filter(pk=idle_id).first()
    if idle is None:
        raise Http404
    return idle


@dataclass(frozen=True)
class Week:
    starts: date
    hours: float


@dataclass(frozen=True)
class Use:
    promised: int | None
    weeks: list[Week]
    average: float | None

    @property
    def kept(self) -> bool | None:
        if self.promised is None or self.average is None:
            return None
        return self.average >= self.promised


def use_against_promise(idle: IdleSpace, *, today: date | None = None) -> Use | None:
    """Hours booked and not released, week by week (Monday to Sunday), over the last ``WEEKS``
    whole weeks since it opened; None before it opened."""
    if idle.space_id is None or idle.opened_at is None:
        return None
    today = today or timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    opened = timezone.localtime(idle.opened_at).date()
    first = max(this_monday - timedelta(weeks=WEEKS), opened - timedelta(days=opened.weekday()))
    hours = {first + timedelta(weeks=n): 0.0 for n in range((this_monday - first).days // 7)}
    rows = Booking.objects.in_community(idle.community_id).filter(
        space_id=idle.space_id,
        status=BookingStatus.CONFIRMED,
        starts_at__date__gte=first,
        starts_at__date__lt=this_monday,
    )
    for starts, ends in rows.values_list("starts_at", "ends_at"):
        local = timezone.localtime(starts).date()
        monday = local - timedelta(days=local.weekday())
        if monday in hours:
            hours[monday] += (ends - starts).total_seconds() / 3600
    weeks = [Week(starts, round(value, 1)) for starts, value in sorted(hours.items())]
    average = round(sum(w.hours for w in weeks) / len(weeks), 1) if weeks else None
    return Use(idle.promised_hours_week, weeks, average)


def opened_area(community: Community) -> Decimal:
    total = (
        IdleSpace.objects.in_community(community)
        .filter(status=IdleStatus.OPENED)
        .aggregate(total=Sum("area_m2"))["total"]
    )
    return total or Decimal(0)


def hub(community: Community, viewer: Any) -> dict[str, Any]:
    """The home page's section: idle spaces on their way, and the area opened so far."""
    spaces = idle_spaces(community)
    return {
        "under_way": list(spaces.exclude(status__in=[IdleStatus.OPENED, IdleStatus.DROPPED])[:5]),
        "opened_area": opened_area(community),
        "opened": spaces.filter(status=IdleStatus.OPENED).count(),
        "may_manage": manage_spaces(viewer, community),
    }
