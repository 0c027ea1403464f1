"""allauth form overrides (apart from forms.py, which allauth itself imports for sign-up)."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm, RequestLoginCodeForm
from django.utils.translation import gettext_lazy as _


class PhoneFirstLoginForm(LoginForm):
    """The login field takes a phone number or an e-mail address; most residents use their phone.

    allauth labels it "Login" with an "e-mail or phone" placeholder and ``autocomplete=email``,
    so a phone never offers the number it saved. Here it says phone first and is marked
    ``username``, which is what a password manager fills with the saved account name, whether
    that is a number or an address. It stays a plain text input (no ``inputmode=tel``): an e-mail
    address needs the full keyboard.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["login"]
        field.label = _("Mobile phone number or e-mail")
        field.widget.attrs.update({"autocomplete": "username", "placeholder": "13800138000"})


class PhoneFirstRequestLoginCodeForm(RequestLoginCodeForm):
    """Residents log in with their phone; e-mail is the fallback, so it comes second."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["phone", "email"])
