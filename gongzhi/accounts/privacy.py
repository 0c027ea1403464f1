"""What the account holds about a person (see ``core.privacy``). Its erasure, turning the account
into a tombstone, is ``services.account_erase``'s last step, after every other app's eraser."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import ApiToken
from gongzhi.core.privacy import Section, rows

#: Every reference to a person in this app's models, each exported, erased, or kept pointing at
#: the tombstone account (a staff act: it is in the journal, which the copy holds).
#: tests/test_privacy.py fails on a reference that no app lists.
COVERS = frozenset(
    {
        "accounts.ApiToken.user",
    }
)


def export(user: Any) -> list[Section]:
    return [
        Section(
            "account",
            _("My account"),
            rows(
                [user],
                id="pk",
                phone="phone",
                phone_verified="phone_verified",
                email="email",
                display_name="display_name",
                language="language",
                age_friendly="age_friendly",
                date_joined="date_joined",
                last_login="last_login",
                has_password=lambda u: u.has_usable_password(),
            ),
        ),
        Section(
            "email_addresses",
            _("My e-mail addresses"),
            rows(
                EmailAddress.objects.filter(user=user).order_by("pk"),
                email="email",
                verified="verified",
                primary="primary",
            ),
        ),
        Section(
            "two_factor",
            _("My two-factor login"),
            rows(
                Authenticator.objects.filter(user=user).order_by("pk"),
                type="type",
                created_at="created_at",
                last_used_at="last_used_at",
            ),
        ),
        Section(
            "api_tokens",
            _("My API tokens"),
            rows(
                ApiToken.objects.filter(user=user).order_by("pk"),
                name="name",
                hint="hint",
                created_at="created_at",
                last_used_at="last_used_at",
                revoked_at="revoked_at",
            ),
        ),
    ]


def erase(user: Any) -> dict[str, int]:
    return {}
