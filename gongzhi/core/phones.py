"""Phone numbers: one parser and one form field for forms, rosters, the API and the login flow.

In core because everything below the apps reads phone numbers (rosters, registering a resident,
finding a member by number); the accounts app (the login) uses these too.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
INVALID_PHONE = _("Enter a valid mobile phone number, for example 13800138000.")


def normalize_phone(raw: str, region: str | None = None) -> str:
    """Return ``raw`` in E.164, or raise ValidationError with a message residents understand.

    Numbers without a country code are read in ``PHONE_DEFAULT_REGION`` (China by default),
    so ``138 0013 8000``, ``+86 138-0013-8000`` and ``8613800138000`` are all the same person.
    """
    text = (raw or "").strip()
    if not text:
        raise ValidationError(INVALID_PHONE, code="phone_invalid")
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and digits.startswith("86") and len(digits) == 13:
        text = "+" + digits
    try:
        parsed = phonenumbers.parse(text, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(INVALID_PHONE, code="phone_invalid") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(INVALID_PHONE, code="phone_invalid")
    # A landline or a 400 number can never receive a login code.
    if phonenumbers.number_type(parsed) not in MOBILE_TYPES:
        raise ValidationError(INVALID_PHONE, code="phone_invalid")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class LocalPhoneField(forms.CharField):
    """A phone field that takes numbers as people write them: 138 0013 8000, +86…"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("validators", None)
        kwargs.setdefault("label", _("Mobile phone number"))
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "autocomplete": "tel",
                    "type": "tel",
                    "inputmode": "tel",
                    "placeholder": "13800138000",
                }
            ),
        )
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value:
            return value
        try:
            return normalize_phone(value)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages, code="invalid_phone") from exc
