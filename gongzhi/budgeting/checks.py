"""System check: participatory budgets still voting whose ballot key (``VOTE_KEY``) this server
lacks. Run by ``manage.py check --deploy`` and ``manage.py check_keys`` (tag ``keys``); quiet
when there is no database yet.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.utils import timezone


@checks.register("keys", deploy=True)
def open_budgets_have_their_key(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from gongzhi.budgeting.models import Process
    from gongzhi.voting import keys

    return keys.missing_key_warnings(
        lambda: list(
            Process.objects.all_communities()
            .filter(voting_until__gt=timezone.now())
            .exclude(vote_key_id="")
            .select_related("community")
        ),
        describe=lambda process: (
            f"The participatory budget {process.title!r} (community "
            f"{process.community.slug}, process {process.pk}, voting until "
            f"{process.voting_until:%Y-%m-%d %H:%M})"
        ),
        hint="docs/operations.md, 'Rotating keys': VOTE_KEY cannot change while a "
        "participatory budget's voting is open.",
        check_id="budgeting.W001",
    )
