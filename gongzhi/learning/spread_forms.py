"""Forms of how leadership spreads: a newcomer naming who brought them in."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RecruitedByForm(forms.Form):
    phone = forms.CharField(
        label=_("The phone number of the neighbour who brought you"),
        max_length=30,
        help_text=_("They must be a member of this community. You can say it once."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
