"""A person's own settings: profile, language, age-friendly mode, notifications, API tokens, and
their rights over their data (a copy of it, erasure)."""

from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import selectors, services
from gongzhi.accounts.forms import ApiTokenForm, ErasureForm, ProfileForm
from gongzhi.accounts.middleware import AGE_FRIENDLY_COOKIE
from gongzhi.core.http import posted, request_user
from gongzhi.core.privacy import kept_everywhere

ONE_YEAR = 365 * 24 * 3600


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return "/"
    return target


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language; a logged-in user keeps the choice on every device."""
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES):
        code = settings.LANGUAGE_CODE
    response = HttpResponseRedirect(_back(request))
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=ONE_YEAR, samesite="Lax")
    if request.user.is_authenticated:
        request.user.language = code
        request.user.save(update_fields=["language"])
    translation.activate(code)
    return response


@require_POST
def toggle_age_friendly(request: HttpRequest) -> HttpResponse:
    """Turned on once, kept: on the account when logged in, in a cookie otherwise."""
    enabled = request.POST.get("enabled") == "1"
    response = HttpResponseRedirect(_back(request))
    response.set_cookie(
        AGE_FRIENDLY_COOKIE, "1" if enabled else "0", max_age=ONE_YEAR, samesite="Lax"
    )
    if request.user.is_authenticated:
        request.user.age_friendly = enabled
        request.user.save(update_fields=["age_friendly"])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = ProfileForm(
        posted(request),
        initial={
            "display_name": user.display_name,
            "email": user.email,
            "language": user.language or translation.get_language(),
            "age_friendly": user.age_friendly,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=user, **form.cleaned_data)
        translation.activate(user.language)
        messages.success(request, _("Your profile is saved."))
        response = redirect("profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, user.language, max_age=ONE_YEAR, samesite="Lax"
        )
        return response
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "memberships": user.memberships.select_related("community").order_by("community__name"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST if request.POST.get("action") == "create" else None)
    new_token = None
    if request.method == "POST":
        if request.POST.get("action") == "create" and form.is_valid():
            _token, new_token = services.api_token_create(
                user=request_user(request), name=form.cleaned_data["name"]
            )
            form = ApiTokenForm()
        elif request.POST.get("action") == "revoke":
            try:
                token_id = int(request.POST.get("token", ""))
            except ValueError:
                token_id = 0
            if services.api_token_revoke(user=request_user(request), token_id=token_id):
                messages.success(request, _("The token is revoked."))
            return redirect(reverse("api_tokens"))
    tokens = request_user(request).api_tokens.order_by("-created_at")
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
    )


# --- My data (PIPL arts. 45 and 47) ----------------------------------------------------------


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything the platform holds about me, app by app, readable."""
    return render(
        request,
        "accounts/my_data.html",
        {"apps": selectors.personal_data(user=request_user(request))},
    )


@login_required
def my_data_download(request: HttpRequest) -> HttpResponse:
    data = selectors.personal_data_download(user=request_user(request))
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="gongzhi-my-data.json"'
    return response


def _erasure_reauthentication(request: HttpRequest) -> bool:
    # Only the final step asks for the password or a login code; an unticked form is answered
    # with its error first, so a person is not sent to log in again for nothing.
    return ErasureForm(request.POST).is_valid()


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(enabled=_erasure_reauthentication)
def erasure(request: HttpRequest) -> HttpResponse:
    """Erase my account: explained, confirmed, then re-authenticated (password or login code),
    then done at once. There is no cooling-off: the request is the person's own, confirmed twice."""
    form = ErasureForm(posted(request))
    if request.method == "POST" and form.is_valid():
        person = request_user(request)
        services.account_erase(actor=person, user=person)
        logout(request)
        messages.success(request, _("Your account and personal data are erased."))
        return redirect("home")
    return render(request, "accounts/erasure.html", {"form": form, "kept": kept_everywhere()})
