"""Forms of hearings and round tables: they parse what was typed; the services in
``hearings.py`` decide what is allowed and give the same errors to the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.meetings.models import Sector

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _when(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )


class HearingSetupForm(forms.Form):
    subject = forms.CharField(
        label=_("What the hearing is about"), max_length=5000, widget=forms.Textarea
    )
    speaker_slots = forms.IntegerField(label=_("Speaking slots"), min_value=1, max_value=200)
    slot_minutes = forms.IntegerField(
        label=_("Minutes per speaker"), min_value=1, max_value=120, initial=5
    )
    speakers_close_at = _when(_("Speakers register until"))
    submissions_open_at = _when(_("Written submissions from"))
    submissions_close_at = _when(_("Written submissions until"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("speaker_slots", "slot_minutes"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        self.fields["speakers_close_at"].help_text = _(
            "Before the hearing starts. If more register than there are slots, the speakers "
            "are drawn by lot with a public seed that someone other than you enters."
        )
        self.fields["submissions_close_at"].help_text = _(
            "The window may open before the hearing and close after it."
        )


class SpeakForm(forms.Form):
    position_summary = forms.CharField(
        label=_("What you will say, in a line"),
        max_length=500,
        help_text=_("Your name is shown on the public list of speakers."),
    )


class SeedForm(forms.Form):
    seed = forms.CharField(
        label=_("Public seed"),
        max_length=200,
        strip=False,
        required=False,
        help_text=_("Type it exactly as it was announced. Not needed when everyone can speak."),
    )


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label=_("Your submission"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Published as “Resident #n”, without your name."),
    )


class GroupForm(forms.Form):
    title = forms.CharField(label=_("What these submissions say"), max_length=200)


class GroupSubmissionForm(forms.Form):
    submission = forms.IntegerField(widget=forms.HiddenInput)
    group = forms.IntegerField(label=_("Group"), required=False)


class AnswerForm(forms.Form):
    group = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(
        label=_("The answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ParticipantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    sector = forms.ChoiceField(label=_("For"), choices=Sector.choices)
    affiliation = forms.CharField(label=_("Organisation"), max_length=200, required=False)


class PointForm(forms.Form):
    text = forms.CharField(
        label=_("What was agreed"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible = forms.CharField(label=_("Who takes it forward"), max_length=200, required=False)
