"""Background work of conversations: updating the opinion map (services.map_update)."""

from __future__ import annotations

from django_tasks import task


@task()
def update_map(community_id: int, conversation_id: int) -> bool:
    from gongzhi.opinions import services

    return services.map_update(community_id=community_id, conversation_id=conversation_id)
