"""Chairing a meeting as a role a community may make require a qualification
(core/requirements.py): who holds it when the requirement is turned on."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.meetings.models import Meeting, MeetingStatus

#: A chair "holds" the role for a year after the meeting they chaired (or are to chair).
CHAIRED_WITHIN = timedelta(days=365)


def chair_holders(community: Any) -> set[int]:
    """People who chaired a meeting in the last 12 months, or are down to chair one to come
    (not cancelled): they keep chairing when a requirement is turned on."""
    since = timezone.now() - CHAIRED_WITHIN
    return set(
        Meeting.objects.in_community(community)
        .filter(chair__isnull=False, starts_at__gte=since)
        .exclude(status=MeetingStatus.CANCELLED)
        .values_list("chair_id", flat=True)
        .distinct()
    )
