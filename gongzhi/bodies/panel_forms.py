"""Forms of review panels: they parse; ``panels.py`` decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.bodies.models import Body, Panel, SeatKind
from gongzhi.bodies.panels import FEATURES, QuotaIn, feature_values
from gongzhi.budgeting.models import Process
from gongzhi.core.forms import field_of
from gongzhi.core.models import Community

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def parse_quotas(text: str) -> list[QuotaIn]:
    """Lines ``feature,value,min,max`` (commas or Chinese commas); blank lines are skipped."""
    quotas = []
    for number, line in enumerate(text.replace("，", ",").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 4 or not parts[2].isdigit() or not parts[3].isdigit():
            raise forms.ValidationError(
                _(
                    "Line %(line)d: write a quota as feature,value,min,max (e.g. gender,female,2,4)."
                ),
                code="quota_line",
                params={"line": number},
            )
        quotas.append(QuotaIn(parts[0], parts[1], int(parts[2]), int(parts[3])))
    return quotas


class PanelForm(forms.Form):
    title = forms.CharField(label=_("What the panel reviews"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea
    )
    reviewed_body = forms.ModelChoiceField(
        label=_("Body whose work is reviewed"), queryset=Body.objects.none()
    )
    budget_process = forms.ModelChoiceField(
        label=_("Participatory budget whose ideas it reviews (optional)"),
        queryset=Process.objects.none(),
        required=False,
    )
    seats = forms.IntegerField(label=_("Seats drawn by lot"), min_value=1, initial=9)
    features = forms.MultipleChoiceField(
        label=_("Features volunteers declare"),
        choices=[(name, feature.label) for name, feature in FEATURES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    quotas = forms.CharField(
        label=_("Quotas, one a line: feature,value,min,max"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "gender,female,4,5"}),
    )
    pool_closes_at = forms.DateTimeField(
        label=_("Pool closes"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMATS[0]),
    )
    ends_on = forms.DateField(
        label=_("The panel works until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    answer_days = forms.IntegerField(
        label=_("Days the body has to answer"), min_value=1, max_value=365, initial=30
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(
            self, "reviewed_body", forms.ModelChoiceField
        ).queryset = Body.objects.in_community(community).filter(dissolved_at__isnull=True)
        field_of(
            self, "budget_process", forms.ModelChoiceField
        ).queryset = Process.objects.in_community(community)

    def clean_quotas(self) -> list[QuotaIn]:
        return parse_quotas(self.cleaned_data.get("quotas") or "")


class VolunteerForm(forms.Form):
    """The panel's features, each a choice; the grid prefilled from the household."""

    consent = forms.BooleanField(
        label=_(
            "I agree that these answers are used to make the panel representative and are "
            "published with a random pseudonym, never with my name."
        ),
        required=False,
    )

    def __init__(self, *args: Any, panel: Panel, grid: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in panel.features:
            self.fields[name] = forms.ChoiceField(
                label=str(FEATURES[name].label),
                choices=[("", "—"), *feature_values(panel.community_id, name)],
                initial=grid if name == "grid" else "",
                required=False,
            )
        self.order_fields([*panel.features, "consent"])


class SeedForm(forms.Form):
    seed = forms.CharField(
        label=_("Public seed, exactly as announced"),
        max_length=200,
        strip=False,
        help_text=_("e.g. the numbers drawn at the public meeting"),
    )


class InviteForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Invited as"),
        choices=[
            (SeatKind.EXPERT, SeatKind.EXPERT.label),
            (SeatKind.STAKEHOLDER, SeatKind.STAKEHOLDER.label),
        ],
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    affiliation = forms.CharField(label=_("Affiliation"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Phone of their account here (optional)"),
        max_length=30,
        required=False,
        help_text=_("With an account they can read the panel's documents and discussion."),
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File (PDF or photo, at most 20 MB)"))


class AssessmentForm(forms.Form):
    text = forms.CharField(
        label=_("The panel's assessment"), max_length=20000, widget=forms.Textarea
    )


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("The body's answer"), max_length=20000, widget=forms.Textarea)
