"""Writes about a person's own account: profile, preferences, API tokens."""

from __future__ import annotations

from django.db import transaction
from django.db.models import OuterRef
from django.utils import timezone

from gongzhi.accounts.models import ApiToken, User, hash_token
from gongzhi.accounts.selectors import mfa_facts, remember_mfa_facts


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


# A token's "last used" is shown to the hour: writing it on every request would add an UPDATE to
# nearly every API call during a vote (measured: 8 % of the ballot rate, docs/performance.md).
LAST_USED_PRECISION_S = 3600


def api_token_authenticate(raw: str) -> User | None:
    """The token's owner, with what the staff two-factor check needs read in the same query."""
    if not raw or not raw.startswith(ApiToken.PREFIX) or len(raw) > 100:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .annotate(**mfa_facts(OuterRef("user")))
        .filter(token_hash=hash_token(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() > LAST_USED_PRECISION_S:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    user = token.user
    remember_mfa_facts(user, token)
    return user
