"""System check: participatory budgets still voting whose ballot key (``VOTE_KEY``) this server
lacks. Run by ``manage.py check --deploy`` and ``manage.py check_keys`` (tag ``keys``); quiet
when there is no database yet.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DatabaseError
from django.utils import timezone


@checks.register("keys", deploy=True)
def open_budgets_have_their_key(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from gongzhi.budgeting.models import Process
    from gongzhi.voting import keys

    found = []
    try:
        processes = list(
            Process.objects.all_communities()
            .filter(voting_until__gt=timezone.now())
            .exclude(vote_key_id="")
            .select_related("community")
        )
    except DatabaseError:
        return []
    for process in processes:
        problem = keys.box_key_problem(process)
        if problem:
            found.append(
                checks.Warning(
                    f"The participatory budget {process.title!r} (community "
                    f"{process.community.slug}, process {process.pk}, voting until "
                    f"{process.voting_until:%Y-%m-%d %H:%M}): {problem}.",
                    hint="docs/operations.md, 'Rotating keys': VOTE_KEY cannot change while a "
                    "participatory budget's voting is open.",
                    obj=process,
                    id="budgeting.W001",
                )
            )
    return found
