"""Forms of participatory budgeting: they parse; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.budgeting.models import PHASE_STARTS, PROCESS_FIELDS, Process
from gongzhi.core.forms import field_of
from gongzhi.core.models import Building, Community, Grid
from gongzhi.core.natural import natural_order
from gongzhi.core.uploads import PHOTOS_HELP
from gongzhi.deliberation.forms import MultipleFileField, MultipleFileInput

DATE_FIELDS = tuple(field for _phase, field in PHASE_STARTS)


class ProcessForm(forms.ModelForm):
    class Meta:
        model = Process
        fields = list(PROCESS_FIELDS)
        widgets = {
            f: forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
            for f in DATE_FIELDS
        }

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "grid", forms.ModelChoiceField).queryset = Grid.objects.in_community(
            community
        )
        for field in DATE_FIELDS:
            field_of(self, field, forms.DateTimeField).input_formats = [
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%d %H:%M",
            ]

    def _post_clean(self) -> None:
        # The service checks the whole process (and the database its constraints).
        pass


class IdeaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("What should be done, and why"), max_length=5000, widget=forms.Textarea
    )
    estimated_cost = forms.IntegerField(label=_("Estimated cost (yuan)"), min_value=1)
    location = forms.CharField(label=_("Where"), max_length=200, required=False)
    building = forms.ModelChoiceField(
        label=_("Building (optional)"), queryset=Building.objects.none(), required=False
    )
    photos = MultipleFileField(
        label=_("Photos (optional)"),
        required=False,
        help_text=PHOTOS_HELP,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "building", forms.ModelChoiceField).queryset = natural_order(
            Building.objects.in_community(community)
        )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(forms.Form):
    feasibility = forms.IntegerField(label=_("Feasibility (1–5)"), min_value=1, max_value=5)
    legality = forms.IntegerField(label=_("Legality (1–5)"), min_value=1, max_value=5)
    cost = forms.IntegerField(label=_("Cost you expect (yuan)"), min_value=1)
    assessment = forms.CharField(
        label=_("Your reasoned assessment"), max_length=3000, widget=forms.Textarea
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("put it on the ballot")), ("reject", _("not feasible"))],
        widget=forms.RadioSelect,
    )
    cost = forms.IntegerField(label=_("Final cost (yuan)"), min_value=1, required=False)
    reason = forms.CharField(
        label=_("Public reasons"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewerForm(forms.Form):
    phone = forms.CharField(label=_("Phone number of the resident"), max_length=30)


class PaperVoterForm(forms.Form):
    phone = forms.CharField(label=_("Phone number of the resident"), max_length=30)


class PaperSerialForm(forms.Form):
    serial = forms.CharField(label=_("Serial number on the ballot"), max_length=30)


class ProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    body = forms.CharField(
        label=_("What happened"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    delay_reason = forms.CharField(
        label=_("Reason for a delay (if any)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    expected_finish = forms.DateField(
        label=_("Now expected to be finished (if delayed)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    photos = MultipleFileField(
        label=_("Photos (optional)"),
        required=False,
        help_text=PHOTOS_HELP,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due = forms.DateField(label=_("Planned for"), widget=forms.DateInput(attrs={"type": "date"}))


class SpendingForm(forms.Form):
    amount = forms.IntegerField(
        label=_("Amount (yuan)"),
        help_text=_("A negative amount corrects an earlier entry."),
    )
    spent_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("What it paid for"), max_length=300)


class PabulibImportForm(forms.Form):
    file = forms.FileField(
        label=_("Pabulib file (.pb)"),
        help_text=_(
            "A past election in the Pabulib format (pabulib.org): approval, cumulative or "
            "ordinal ballots. It becomes a closed budget and is counted at once by the Method "
            "of Equal Shares with Add1 completion."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pb"}),
    )
