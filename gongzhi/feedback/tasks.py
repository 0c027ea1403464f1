"""Background work of the hotline: retraining the community's router after staff corrections."""

from __future__ import annotations

from django_tasks import task


@task()
def retrain_router(community_id: int) -> bool:
    from gongzhi.feedback.routing import router_train

    return router_train(community_id=community_id) is not None
