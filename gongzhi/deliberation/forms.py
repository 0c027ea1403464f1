from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.forms import field_of
from gongzhi.deliberation.models import ANSWERS, FlagReason, ReactionKind, Scope, Status


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); each is checked for its real
    type by the service (``core.uploads.check_upload``), not here."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


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
    attachments = MultipleFileField(
        label=_("Photos or PDF files (optional)"),
        required=False,
        help_text=_("Up to 5 files: photos (JPEG, PNG, WebP) or PDF, at most 5 MB each."),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )
    publish = forms.BooleanField(
        label=_("Publish now (untick to keep it as a draft only you can see)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, categories=(), grids=(), buildings=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "category", forms.ChoiceField).choices = [("", _("— none —"))] + [
            (str(c.pk), c.name) for c in categories
        ]
        field_of(self, "place", forms.ChoiceField).choices = (
            [("", "—")]
            + [(f"grid:{g.pk}", g.name) for g in grids]
            + [(f"building:{b.pk}", b.name) for b in buildings]
        )

    def clean(self):
        data = super().clean() or {}
        scope, place = data.get("scope"), data.get("place") or ""
        if scope in {Scope.GRID, Scope.BUILDING} and not place.startswith(f"{scope}:"):
            self.add_error("place", _("Choose the grid or building the proposal concerns."))
        if len(data.get("attachments") or []) > 5:
            self.add_error("attachments", _("At most %(max)d files.") % {"max": 5})
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
    body = forms.TypedChoiceField(
        label=_("Decided by"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("A self-governing body whose charter lets it answer proposals on this topic."),
    )

    def __init__(self, *args: Any, bodies: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["body"]
        field.choices = [("", "—"), *(bodies or [])]


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong?"), choices=FlagReason.choices)
    note = forms.CharField(
        label=_("Details (needed for “something else”)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, as its author will read it"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=2000, widget=forms.TextInput
    )


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why should the moderators look again?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecideForm(forms.Form):
    restore = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Restore it")), ("0", _("Keep it hidden"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason, as its author will read it"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=ReactionKind.choices)
