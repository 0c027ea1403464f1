"""Writes about a person's own account: profile, preferences, API tokens."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import ApiToken, User, hash_token


def profile_update(
    *, user: User, display_name: str, email: str, language: str, age_friendly: bool
) -> User:
    user.display_name = display_name.strip()
    user.email = email.strip().lower()
    user.language = language
    user.age_friendly = age_friendly
    user.save(update_fields=["display_name", "email", "language", "age_friendly"])
    return user


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its secret, which is shown once and never stored."""
    raw = ApiToken.new_raw_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip()[:60], token_hash=hash_token(raw), hint=raw[:7]
        )
    return token, raw


def api_token_revoke(*, user: User, token_id: int) -> bool:
    updated = (
        ApiToken.objects.active().filter(user=user, pk=token_id).update(revoked_at=timezone.now())
    )
    return updated == 1


# A token's "last used" is kept to the minute, and written in batches: each process notes uses in
# memory and writes them all with one UPDATE at most every LAST_USED_FLUSH_S seconds. Writing it
# on the request itself added an UPDATE and a commit to nearly every ballot of a vote (a voter's
# token is usually used once), about 8 % of the ballot rate (docs/performance.md).
LAST_USED_FLUSH_S = 30.0
_last_used: dict[int, datetime] = {}
_last_used_lock = threading.Lock()
_last_flushed = time.monotonic()


def api_token_authenticate(raw: str) -> User | None:
    """The token's owner."""
    if not raw or not raw.startswith(ApiToken.PREFIX) or len(raw) > 100:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(token_hash=hash_token(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        _note_use(token.pk, now)
    return token.user


def _note_use(token_id: int, now: datetime) -> None:
    global _last_flushed
    with _last_used_lock:
        _last_used[token_id] = now
        if time.monotonic() - _last_flushed < LAST_USED_FLUSH_S and len(_last_used) < 1000:
            return
        batch = dict(_last_used)
        _last_used.clear()
        _last_flushed = time.monotonic()
    last_used_flush(batch)


def last_used_flush(batch: dict[int, datetime] | None = None) -> int:
    """Write noted uses (all of this process's, by default); returns how many tokens."""
    if batch is None:
        with _last_used_lock:
            batch = dict(_last_used)
            _last_used.clear()
    tokens = [ApiToken(pk=pk, last_used_at=at) for pk, at in batch.items()]
    ApiToken.objects.bulk_update(tokens, ["last_used_at"], batch_size=500)
    return len(tokens)
