"""Forms of evaluation: they parse what a community worker typed; ``services`` decides what is
allowed (an end before the start is refused there, with the same message for the API)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.evaluation.models import InterventionKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InterventionForm(forms.Form):
    name = forms.CharField(
        label=_("What was started"),
        max_length=120,
        help_text=_("For example: an elderly residents' council, a training for building heads."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=InterventionKind.choices)
    started_on = forms.DateField(label=_("Started on"), widget=DATE, input_formats=["%Y-%m-%d"])
    ended_on = forms.DateField(
        label=_("Ended on"),
        required=False,
        widget=DATE,
        input_formats=["%Y-%m-%d"],
        help_text=_("Leave empty while it is still running."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea
    )


class InterventionEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DATE, input_formats=["%Y-%m-%d"])
