"""The forms of incubation: proposing an organisation and each act on its page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.bodies.incubation import MAX_COUNT, MAX_NAME, MAX_NOTE, MAX_PURPOSE, MAX_REPORT
from gongzhi.bodies.models import STAGE_STEPS, BodyKind, Stage, SupportKind


class ProposeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[
            (BodyKind.ORGANISATION.value, BodyKind.ORGANISATION.label),
            (BodyKind.INTEREST_GROUP.value, BodyKind.INTEREST_GROUP.label),
        ],
    )
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    purpose = forms.CharField(
        label=_("What it is for"), max_length=MAX_PURPOSE, widget=forms.Textarea(attrs={"rows": 4})
    )


class MentorForm(forms.Form):
    phone = forms.CharField(label=_("Mentor's phone number"), max_length=30)


class StageForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    filing_number = forms.CharField(
        label=_("Filing number (备案号), when filed"), max_length=60, required=False
    )
    note = forms.CharField(label=_("Why"), max_length=MAX_NOTE)

    def __init__(self, *args: Any, stage: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if stage is not None:
            steps = STAGE_STEPS[Stage(stage)]
            field = self.fields["to"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(s.value, s.label) for s in Stage if s in steps]


class SupportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of support"), choices=SupportKind.choices)
    description = forms.CharField(
        label=_("What was given (for training: the course and where it is found)"),
        max_length=MAX_NOTE,
    )
    given_on = forms.DateField(label=_("Given on"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(
        label=_("Amount of a grant (yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate


class ReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    members = forms.IntegerField(label=_("Members at year end"), min_value=0, max_value=MAX_COUNT)
    activities = forms.IntegerField(label=_("Activities held"), min_value=0, max_value=MAX_COUNT)
    participants = forms.IntegerField(
        label=_("People who took part"), min_value=0, max_value=MAX_COUNT
    )
    text = forms.CharField(
        label=_("Report"), max_length=MAX_REPORT, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year - 1
