"""Forms of the ledger part: a typed arrival or departure time, a reversal or correction."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.volunteering.ledger import REASON_MAX

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class TimeForm(forms.Form):
    """The time of an arrival or departure; empty means now."""

    at = forms.DateTimeField(
        label=_("Time (empty: now)"),
        required=False,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class ReverseForm(forms.Form):
    """Reverse an entry with a reason; with minutes, correct it to that time served."""

    reason = forms.CharField(label=_("Why"), max_length=REASON_MAX)
    served_minutes = forms.IntegerField(
        label=_("Correct time served (minutes; empty: reverse only)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
    )
