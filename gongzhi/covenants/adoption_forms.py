"""Forms of the adoption part: the ratification vote's window and electorate, the street
office's filing receipt, and a worker's record of a resident's paper confirmation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class RatifyForm(forms.Form):
    opens_at = forms.DateTimeField(
        label=_("The vote opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("The vote closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    electorate = forms.ChoiceField(
        label=_("Who ratifies"),
        choices=[
            ("verified", _("every verified resident")),
            ("household", _("one vote per household (residents' meeting)")),
        ],
        initial="verified",
        widget=forms.RadioSelect,
        help_text=_(
            "A building covenant is ratified by that building's residents, and one about owners' "
            "common parts by the owners, whatever is chosen here."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("A vote must close after it opens."))
        return data


class FilingReceiptForm(forms.Form):
    reference = forms.CharField(
        label=_("Filing reference of the street office"),
        max_length=60,
        required=False,
        help_text=_("The number the street office gave the filing, if any."),
    )


class PaperAcknowledgementForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number of the resident who signed on paper"), max_length=20
    )
