"""Phone numbers: one parser for forms, rosters, the API and the login flow."""

from __future__ import annotations

import phonenumbers
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
