"""allauth form overrides (apart from forms.py, which allauth itself imports for sign-up)."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import RequestLoginCodeForm


class PhoneFirstRequestLoginCodeForm(RequestLoginCodeForm):
    """Residents log in with their phone; e-mail is the fallback, so it comes second."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["phone", "email"])
