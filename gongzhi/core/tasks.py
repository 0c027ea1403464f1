"""Background work of the core: chaining the activity journal (see journal.py)."""

from __future__ import annotations

from django_tasks import task


@task()
def chain_journal(community_id: int) -> int:
    from gongzhi.core import journal

    return journal.chain(community_id)
