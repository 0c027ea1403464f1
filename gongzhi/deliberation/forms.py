from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.deliberation.models import ANSWERS, Scope, Status


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(
        label=_("What should change, and why?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    scope = forms.ChoiceField(
        label=_("It concerns"), choices=Scope.choices, initial=Scope.COMMUNITY
    )
    place = forms.ChoiceField(
        label=_("Which grid or building"),
        required=False,
        help_text=_("Only if it concerns one grid or one building."),
    )
    publish = forms.BooleanField(
        label=_("Publish now (untick to keep it as a draft only you can see)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, categories=(), grids=(), buildings=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("— none —"))] + [
            (str(c.pk), c.name) for c in categories
        ]
        self.fields["place"].choices = (
            [("", "—")]
            + [(f"grid:{g.pk}", g.name) for g in grids]
            + [(f"building:{b.pk}", b.name) for b in buildings]
        )

    def clean(self):
        data = super().clean() or {}
        scope, place = data.get("scope"), data.get("place") or ""
        if scope in {Scope.GRID, Scope.BUILDING} and not place.startswith(f"{scope}:"):
            self.add_error("place", _("Choose the grid or building the proposal concerns."))
        return data


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AnswerForm(forms.Form):
    to = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (s.value, s.label) for s in (Status.UNDER_REVIEW, *sorted(ANSWERS), Status.IMPLEMENTED)
        ],
    )
    reason = forms.CharField(
        label=_("Reasons, as the author and supporters will read them"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    merged_into = forms.IntegerField(
        label=_("Merge into proposal number"), required=False, min_value=1
    )
