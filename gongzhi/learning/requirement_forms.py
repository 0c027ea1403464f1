"""The form that turns a role's requirement on: the qualification (the role's suggested one
preselected) and the day it applies from."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core import qualifications


class RequirementOnForm(forms.Form):
    role = forms.CharField(widget=forms.HiddenInput, max_length=40)
    qualification = forms.ChoiceField(label=_("Qualification needed"))
    applies_from = forms.DateField(
        label=_("Applies from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("People who hold the role then keep it, and are reminded to qualify."),
    )

    def __init__(self, *args: Any, role: str = "", suggested: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {
            "role": role,
            "qualification": suggested,
            "applies_from": timezone.localdate(),
            **kwargs["initial"],
        }
        super().__init__(*args, **kwargs)
        # A blank first choice: a role with no usual qualification gets none chosen silently.
        choices = [("", "—")] + [
            (code, str(label)) for code, label in qualifications.known().items()
        ]
        self.fields["qualification"].choices = choices  # type: ignore[attr-defined]
