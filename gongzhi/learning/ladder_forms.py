"""Forms of the ladder part: the pipeline's filter and a worker's invitation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.leadership import CHAIRED, ORGANISED, RUNG_LABELS


class PipelineFilterForm(forms.Form):
    rung = forms.TypedChoiceField(
        label=_("Rung"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("rung 3 and 4"))]
        + [(r, f"{r} · {RUNG_LABELS[r]}") for r in (ORGANISED, CHAIRED)],
    )
    grid = forms.TypedChoiceField(
        label=_("Grid"), required=False, coerce=int, empty_value=None, choices=[]
    )
    page = forms.IntegerField(
        required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, grids: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [("", _("all grids")), *grids]  # type: ignore[attr-defined]


class InviteForm(forms.Form):
    step = forms.ChoiceField(label=_("Invite them to"), choices=[])
    message = forms.CharField(
        label=_("A word from you (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, steps: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # ``steps`` may be grouped by rung: ``[(heading, [(code, label)])]`` (an optgroup each)
        self.fields["step"].choices = steps  # type: ignore[attr-defined]
