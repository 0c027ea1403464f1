"""Forms of the minutes part: editing the draft, a member's response, the secretary's answer to
a correction, a follow-up and its update."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.meetings.minutes import MAX_MINUTES, MAX_TEXT, MAX_TITLE
from gongzhi.meetings.models import ActionStatus


class MinutesTextForm(forms.Form):
    text = forms.CharField(
        label=_("Minutes"), max_length=MAX_MINUTES, widget=forms.Textarea(attrs={"rows": 16})
    )


class CorrectionForm(forms.Form):
    text = forms.CharField(
        label=_("The correction asked for"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("How it was dealt with"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    text = forms.CharField(
        label=_("Corrected minutes (leave unchanged if the text stays as it is)"),
        max_length=MAX_MINUTES,
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )


class ActionForm(forms.Form):
    title = forms.CharField(label=_("What is to be done"), max_length=MAX_TITLE)
    owner_name = forms.CharField(label=_("Who does it"), max_length=120)
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("due_on", timezone.localdate() + timedelta(days=30))


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(ActionStatus.DONE, _("done")), (ActionStatus.DROPPED, _("dropped"))],
    )
    note = forms.CharField(label=_("What was done"), max_length=500, required=False)
