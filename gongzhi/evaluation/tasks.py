"""Background work of evaluation: rebuilding a community's indicator rollups."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_indicators(community_id: int) -> int:
    from gongzhi.core.models import Community
    from gongzhi.evaluation.services import refresh

    community = Community.objects.filter(pk=community_id).first()
    if community is None:  # deleted since the task was queued
        return 0
    return refresh(community=community)
