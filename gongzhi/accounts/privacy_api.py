"""A person's rights over their data, in the API: a copy of everything held about them
(``GET /me/data``, PIPL art. 45) and erasure (``POST /me/erasure``, art. 47).

Erasure is confirmed like on the page: with the account's password, or — in a browser session —
a recent re-authentication (allauth's, by password or login code). An API token alone is not
enough: a leaked token must not be able to erase a person.
"""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from gongzhi.accounts import selectors, services
from gongzhi.core.apidoc import errors
from gongzhi.core.http import api_user
from gongzhi.core.ratelimit import count_hit

router = Router(tags=["me"])

#: Wrong passwords allowed per person per hour before erasure is refused for a while.
PASSWORD_TRIES_PER_HOUR = 5


class PersonalDataOut(Schema):
    format: str
    user: int
    data: dict[str, dict[str, list[dict[str, Any]]]]


class ErasureIn(Schema):
    #: The person confirms that they understand erasure cannot be undone.
    confirm: bool
    #: The account's password; a browser session that has just re-authenticated may leave it out.
    password: str | None = None


class ErasureOut(Schema):
    erased: bool
    communities: int


@router.get("/me/data", response=PersonalDataOut, summary="Everything held about me (PIPL art. 45)")
def my_data(request: HttpRequest):
    return selectors.personal_data_download(user=api_user(request))


@router.post(
    "/me/erasure",
    response={200: ErasureOut, **errors(429)},
    summary="Erase my account and personal data (PIPL art. 47)",
)
def my_erasure(request: HttpRequest, payload: ErasureIn):
    user = api_user(request)
    if not payload.confirm:
        raise ValidationError(
            _("Confirm that you understand erasure cannot be undone."), code="confirmation_required"
        )
    if payload.password:
        if count_hit("erasure-password", user.pk, window=3600) > PASSWORD_TRIES_PER_HOUR:
            raise ValidationError(
                _("Too many wrong passwords. Try again in an hour."), code="rate_limited"
            )
        if not user.check_password(payload.password):
            raise PermissionDenied(_("The password is not right."))
    elif not (
        getattr(request, "user", None) == user
        and "Authorization" not in request.headers
        and did_recently_reauthenticate(request)
    ):
        raise PermissionDenied(
            _(
                "Confirm with your password, or erase your account on its page, where a login "
                "code confirms it."
            )
        )
    done = services.account_erase(actor=user, user=user)
    if "Authorization" not in request.headers:
        logout(request)
    return {"erased": True, "communities": done.get("core", {}).get("memberships", 0)}
