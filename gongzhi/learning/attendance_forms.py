"""Forms of the attendance part: a trainer's assessment of a learner, a learner's rating."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.learning.attendance import COMMENT_MAX, NOTE_MAX


class AssessmentForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("yes", _("Passed")), ("no", _("Not passed"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note for the record (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("How useful was this session?"),
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything the trainers should know? (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
