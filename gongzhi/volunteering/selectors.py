"""Reads of the core part that pages and the API share: a person's registration, the
community's settings, the volunteer list and teams."""

from __future__ import annotations

from typing import Any

from gongzhi.volunteering.models import (
    DEFAULT_STAR_HOURS,
    Volunteer,
    VolunteeringSettings,
)


def volunteer_for(user: Any, community_id: int) -> Volunteer | None:
    """``user``'s active registration in the community (None when not registered, withdrawn,
    or anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Volunteer.objects.in_community(community_id)
        .filter(person=user, withdrawn_at__isnull=True)
        .first()
    )


def settings_for(community_id: int) -> VolunteeringSettings:
    """The community's saved settings, or an unsaved default (the model's defaults and the
    cities' star levels)."""
    found = VolunteeringSettings.objects.in_community(community_id).first()
    if found is not None:
        if not found.star_hours:
            found.star_hours = list(DEFAULT_STAR_HOURS)
        return found
    return VolunteeringSettings(community_id=community_id, star_hours=list(DEFAULT_STAR_HOURS))
