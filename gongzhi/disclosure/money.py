"""Money as integer fen (分): parsed from what people type or send, shown as yuan with two
places. Integers make every sum exact on every database; Decimal is only the way in and out."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: 100 million yuan: far above any community's entry, far below a 64-bit integer.
MAX_FEN = 10_000_000_000


def to_fen(value: Any) -> int:
    """``"12.5"``, ``Decimal("12.50")`` or ``12`` → 1250. Refuses more than two decimal places,
    non-numbers and amounts out of range, with a message a community worker reads."""
    if isinstance(value, float):
        value = repr(value)  # never trust binary fractions with money
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(
            _("“%(value)s” is not an amount of money.") % {"value": value}, code="amount"
        ) from exc
    if not amount.is_finite():
        raise ValidationError(
            _("“%(value)s” is not an amount of money.") % {"value": value}, code="amount"
        )
    # Bounded before quantize: "1e30" has too many digits for the context's precision and
    # would raise InvalidOperation there instead of getting this message.
    if abs(amount) * 100 > MAX_FEN:
        raise ValidationError(_("The amount is too large."), code="amount_range")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            _("Amounts have at most two decimal places (fen)."), code="amount_precision"
        )
    return int(amount * 100)


def yuan(fen: int | None) -> str:
    """1250 → "12.50"; -5 → "-0.05". The exact value, as a string."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{cents:02d}"


def as_decimal(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2).quantize(Decimal("0.01"))
