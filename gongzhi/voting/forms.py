from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Building
from gongzhi.voting.models import Electorate, Kind, Method, ResultsShown


class VoteForm(forms.Form):
    title = forms.CharField(label=_("Question"), max_length=200)
    description = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    method = forms.ChoiceField(label=_("How people vote"), choices=Method.choices)
    electorate = forms.ChoiceField(
        label=_("Who votes"), choices=[c for c in Electorate.choices if c[0] != Electorate.OWNERS]
    )
    building = forms.ModelChoiceField(
        label=_("Building (when one building's residents vote)"),
        queryset=Building.objects.none(),
        required=False,
    )
    secret = forms.BooleanField(label=_("Secret ballot"), required=False)
    results_shown = forms.ChoiceField(label=_("Show the results"), choices=ResultsShown.choices)
    options = forms.CharField(
        label=_("Options, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Not needed for yes / no / abstain."),
    )
    max_choices = forms.IntegerField(
        label=_("At most this many choices (approval)"), min_value=1, max_value=50, initial=1
    )
    opens_at = forms.DateTimeField(
        label=_("Opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    proposal = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, community: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if community is not None:
            field = self.fields["building"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Building.objects.in_community(community).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("electorate") != Electorate.BUILDING:
            data["building"] = None
        elif data.get("building") is None:
            self.add_error("building", _("Choose the building whose residents vote."))
        return data


class PaperEntryForm(forms.Form):
    serial = forms.CharField(label=_("Serial number on the ballot"), max_length=30)


def ballot_from_post(vote: Any, options: list[Any], data: Any) -> Any:
    """Turn the ballot form's fields into the ballot the counting module checks."""
    if vote.method == Method.YES_NO:
        return data.get("choice", "")
    if vote.method == Method.SINGLE:
        return [_int(data.get("choice"))] if data.get("choice") else []
    if vote.method == Method.APPROVAL:
        return [_int(v) for v in data.getlist("choice")]
    if vote.method == Method.RANKED:
        ranked = [
            (_int(data.get(f"rank-{o.pk}")), o.pk) for o in options if data.get(f"rank-{o.pk}")
        ]
        ranks = [r for r, _pk in ranked]
        if len(set(ranks)) != len(ranks):
            return (
                [pk for _r, pk in ranked] + [ranked[0][1]] if ranked else []
            )  # a repeat: refused with its message
        return [pk for _r, pk in sorted(ranked)]
    return {
        str(o.pk): _int(data.get(f"score-{o.pk}"))
        for o in options
        if data.get(f"score-{o.pk}", "") != ""
    }


def _int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


class OwnerRollForm(forms.Form):
    file = forms.FileField(
        label=_("Owners' roll (.csv or .xlsx)"),
        help_text=_(
            "One row per unit. Columns: 手机号 (phone, required), 面积 (floor area in m², "
            "required), 业主姓名 (name), 楼栋 (building), 单元房号 (unit)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
