"""Writes about a person's own account: profile, preferences, API tokens, erasure."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import ERASED_PREFIX, ApiToken, User, hash_token
from gongzhi.core import journal, privacy
from gongzhi.core.models import Community, Membership, Oversight
from gongzhi.core.services import require_platform_admin


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


def api_token_revoke_as_admin(*, actor: User | None, token: ApiToken) -> bool:
    """Revoke someone's API token (one that leaked, say); their own revoking is not journalled,
    an administrator's is (in the platform journal)."""
    require_platform_admin(actor)
    with transaction.atomic():
        revoked = api_token_revoke(user=token.user, token_id=token.pk)
        if revoked:
            journal.record_platform(
                actor=actor, verb="api_token.revoked", target=token, data={"user": token.user_id}
            )
    return revoked


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


# --- Erasure (PIPL art. 47) ---------------------------------------------------------------------


def account_erase(*, actor: User, user: User) -> dict[str, dict[str, int]]:
    """Erase ``user`` at their own request: every app's eraser runs (``core.privacy``), then the
    account becomes a tombstone — no phone, e-mail, name, password, two-factor keys, tokens or
    sessions, never able to log in again — that the journal and the records the law keeps still
    point at. Each community the person belonged to journals it, as done by the person.

    Only the person themself may do it (a community worker cannot erase a resident); the views
    ask them to confirm with their password or a login code first.
    """
    if actor.pk != user.pk:
        raise PermissionDenied(_("Only the person themself can erase their account."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.erased_at is not None:
            raise PermissionDenied(_("This account is already erased."))
        member_of = Membership.objects.all_communities().filter(user=locked)
        communities = list(
            Community.objects.filter(pk__in=member_of.values("community_id")).order_by("pk")
        )
        for community in communities:
            journal.record(community=community, actor=locked, verb="account.erased", target=locked)
        above = locked.is_superuser or Oversight.objects.filter(user=locked).exists()
        if above or not communities:
            # An official's or an admin's erasure ends their place above the communities, and
            # someone in no community has no other journal: the platform's records it.
            journal.record_platform(actor=locked, verb="account.erased", target=locked)
        done = privacy.person_erase(locked)
        done["accounts"] = _tombstone(locked)
    user.refresh_from_db()
    return done


def _tombstone(user: User) -> dict[str, int]:
    now = timezone.now()
    # Sessions are signed with the password's hash, so they die with it; delete them anyway so
    # that no copy of the session data outlives the account.
    sessions = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=now)
        if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    done = {
        "sessions": Session.objects.filter(pk__in=sessions).delete()[0],
        "api_tokens": ApiToken.objects.filter(user=user).delete()[0],
        "email_addresses": EmailAddress.objects.filter(user=user).delete()[0],
        "authenticators": Authenticator.objects.filter(user=user).delete()[0],
    }
    user.groups.clear()
    user.user_permissions.clear()
    user.phone = ERASED_PREFIX + secrets.token_hex(6)
    user.phone_verified = False
    user.email = ""
    user.display_name = ""
    user.language = ""
    user.age_friendly = False
    user.is_staff = False
    user.is_superuser = False
    user.is_active = False
    user.last_login = None
    user.erased_at = now
    user.set_unusable_password()
    user.save()
    return done
