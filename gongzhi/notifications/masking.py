"""Phone numbers and e-mail addresses as the delivery log shows them: enough for a community
worker to recognise whom a message was for, not enough to copy the number."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """``+8613800138000`` → ``+86 138****8000``: the carrier prefix and the last four digits, as
    Chinese services print a number (the middle four identify the subscriber's area block)."""
    digits = phone.lstrip("+")
    if phone.startswith("+86") and len(digits) == 13:
        national = digits[2:]
        return f"+86 {national[:3]}****{national[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    keep = min(3, len(digits) - 4)
    prefix = "+" if phone.startswith("+") else ""
    return f"{prefix}{digits[:keep]}{'*' * (len(digits) - keep - 4)}{digits[-4:]}"


def mask_email(address: str) -> str:
    """``wang.fang@example.org`` → ``w***@example.org``."""
    local, at, domain = address.partition("@")
    if not at:
        return mask_phone(address)
    return f"{local[:1]}***@{domain}"
