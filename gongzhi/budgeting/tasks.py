"""Background work of participatory budgeting: counting the ballots (services.tally_run)."""

from __future__ import annotations

from django_tasks import task


@task()
def count_ballots(community_id: int, tally_id: int) -> bool:
    from gongzhi.budgeting import services

    return services.tally_run(community_id=community_id, tally_id=tally_id)
