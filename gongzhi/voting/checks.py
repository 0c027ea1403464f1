"""System check: open secret votes whose key (``VOTE_KEY``) this server lacks.

Run by ``manage.py check --deploy`` and ``manage.py check_keys`` (tag ``keys``). It reads the
database, so it says nothing when there is none yet (a fresh install, a build step).
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.utils import timezone


@checks.register("keys", deploy=True)
def open_secret_votes_have_their_key(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from gongzhi.voting import keys
    from gongzhi.voting.models import Vote

    return keys.missing_key_warnings(
        lambda: list(
            Vote.objects.all_communities()
            .filter(secret=True, closes_at__gt=timezone.now())
            .exclude(vote_key_id="")
            .select_related("community")
        ),
        describe=lambda vote: (
            f"The secret vote {vote.title!r} (community {vote.community.slug}, "
            f"vote {vote.pk}, open until {vote.closes_at:%Y-%m-%d %H:%M})"
        ),
        hint="docs/operations.md, 'Rotating keys': VOTE_KEY cannot change while a "
        "secret vote is open.",
        check_id="voting.W001",
    )
