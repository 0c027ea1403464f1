from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

AGE_FRIENDLY_COOKIE = "gz_age_friendly"


class UserPreferencesMiddleware:
    """Language and age-friendly mode follow the person, not the device.

    A logged-in user's saved language wins over the browser's; a visitor's choices live in
    cookies until they log in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if user.language and not request.path.startswith("/i18n/"):
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
            request.age_friendly = user.age_friendly  # type: ignore[attr-defined]
        else:
            request.age_friendly = request.COOKIES.get(AGE_FRIENDLY_COOKIE) == "1"  # type: ignore[attr-defined]
        return self.get_response(request)


MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz")


class StaffMfaRequiredMiddleware:
    """Staff see residents' personal data, so they must log in with a second factor.

    A user with a staff role and no TOTP authenticator is sent to set one up before anything else.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.GONGZHI_STAFF_MFA_REQUIRED
            and request.user.is_authenticated
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
        ):
            from gongzhi.accounts.selectors import needs_mfa_setup

            if needs_mfa_setup(request.user):
                if request.path.startswith("/api/"):
                    message = _(
                        "Staff accounts must turn on two-factor login before using the API."
                    )
                    return JsonResponse(
                        {"code": "mfa_required", "message": str(message)}, status=403
                    )
                return redirect("mfa_activate_totp")
        return self.get_response(request)
