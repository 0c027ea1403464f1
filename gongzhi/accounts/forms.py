from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class SignupExtraForm(forms.Form):
    """Added to allauth's sign-up form: the name neighbours will see."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=60,
        help_text=_("How neighbours and community workers will see you."),
    )

    def signup(self, request: Any, user: Any) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=60)
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    age_friendly = forms.BooleanField(
        label=_(
            "Age-friendly mode: larger, clearer text, bigger buttons, and every explanation shown"
        ),
        required=False,
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("What the token is for"), max_length=60)


class ErasureForm(forms.Form):
    """The last step before erasure: the person says they understand it cannot be undone."""

    confirm = forms.BooleanField(
        label=_(
            "I understand that my account and personal data are erased and cannot be restored."
        ),
        required=True,
    )
