"""How allauth stores phone numbers and sends codes for gongzhi."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.phones import LocalPhoneField, normalize_phone
from gongzhi.notifications.services import sms_send_now
from gongzhi.notifications.sms import LOGIN_CODE, UNKNOWN_ACCOUNT

#: The attributes of a field where people type their own phone number to log in or sign up.
OWN_PHONE_ATTRS = {
    "autocomplete": "username",
    "inputmode": "tel",
    "placeholder": "13800138000",
}


class AccountAdapter(DefaultAccountAdapter):
    def phone_form_field(self, **kwargs: Any) -> Any:
        """The phone field of allauth's own pages (sign-up, log in by code, change of number):
        there the number is the person's own account name, so it is marked ``username`` and a
        phone's password manager offers the saved number; ``inputmode=tel`` still brings up the
        number pad. (``username`` is not allowed on ``type=tel``, hence a text input.)"""
        kwargs.setdefault("widget", forms.TextInput(attrs=OWN_PHONE_ATTRS))
        return LocalPhoneField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        try:
            return normalize_phone(phone)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages, code="invalid_phone") from exc

    def set_phone(self, user: Any, phone: str, verified: bool) -> None:
        user.phone = normalize_phone(phone)
        user.phone_verified = verified
        if user.pk:
            user.save(update_fields=["phone", "phone_verified"])
        if verified and user.pk:
            self._on_phone_verified(user)

    def get_phone(self, user: Any) -> tuple[str, bool] | None:
        if not user.phone:
            return None
        return user.phone, user.phone_verified

    def set_phone_verified(self, user: Any, phone: str) -> None:
        user.phone_verified = True
        user.save(update_fields=["phone_verified"])
        self._on_phone_verified(user)

    def _on_phone_verified(self, user: User) -> None:
        from gongzhi.core.services import roster_claim_on_phone_verified

        roster_claim_on_phone_verified(user=user)

    def _get_login_attempts_cache_key(self, request: Any, **credentials: Any) -> str:
        # allauth keys failed logins on "email" or "username" only; phone logins carry neither,
        # so without this every phone login would share one counter (and one lockout).
        login = (
            credentials.get("phone")
            or credentials.get("email")
            or credentials.get("username")
            or ""
        )
        if credentials.get("phone"):
            try:
                login = normalize_phone(login)
            except ValidationError:
                pass
        return f"gongzhi-login:{str(login).lower()}"

    def get_user_by_phone(self, phone: str) -> Any:
        try:
            phone = normalize_phone(phone)
        except ValidationError:
            return None
        return User.objects.filter(phone=phone, is_active=True).first()

    # Both go through notifications.services.sms_send_now: the SMS backend picks the approved
    # template of the kind (a provider sends only those), and the delivery log records the
    # send with the number masked and without the code.
    def send_verification_code_sms(self, user: Any, phone: str, code: str, **kwargs: Any) -> None:
        sms_send_now(
            phone=phone,
            kind=LOGIN_CODE,
            text=_("【共治】Your code is %(code)s. It is valid for a few minutes; do not share it.")
            % {"code": code},
            params={"code": code},
            user=user,
        )

    def send_unknown_account_sms(self, phone: str, **kwargs: Any) -> None:
        text = _(
            "【共治】Someone asked to log in with this number, but it has no account yet. Sign up to take part."
        )
        sms_send_now(
            phone=phone,
            kind=UNKNOWN_ACCOUNT,
            text=text,
            params={"title": text.removeprefix("【共治】")},
        )

    def save_user(self, request: Any, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data.get("display_name", "") or ""
        user.language = getattr(request, "LANGUAGE_CODE", "") or ""
        if commit:
            user.save()
        return user

    def get_login_redirect_url(self, request: Any) -> str:
        """After logging in (with no ``next``), a person lands where their work is. A street or
        district official lands on the overview of the communities they oversee, and so does a
        platform administrator who belongs to none: neither is there to join a community. Anyone
        else lands on their community: its home when they belong to exactly one; else the home
        page, which lists their communities to choose from, or every community to join when they
        belong to none."""
        from gongzhi.core.models import Membership, Oversight

        user = request.user
        slugs = list(
            Membership.objects.all_communities()
            .filter(user=user)
            .values_list("community__slug", flat=True)[:2]
        )
        if Oversight.objects.filter(user=user).exists() or (user.is_superuser and not slugs):
            return reverse("overview")
        if len(slugs) == 1:
            return reverse("community_home", args=[slugs[0]])
        return reverse("home") + ("" if slugs else "#join")
