"""Forms of the revision part: they parse; ``revision_services.py`` decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.covenants.forms import DATETIME_FORMATS
from gongzhi.covenants.models import Amendment


def _count(label: Any, initial: int | None = None) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=1000, initial=initial)


def _when(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMATS[0]),
    )


class DecideForm(forms.Form):
    """The drafting body's decision on one amendment, with its vote (the charter's quorum and
    threshold apply)."""

    accept = forms.TypedChoiceField(
        label=_("The drafting body"),
        choices=[("yes", _("accepts the amendment")), ("no", _("rejects the amendment"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("The body's reason (public)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    present = _count(_("Members present"))
    votes_for = _count(_("Votes for this decision"))
    votes_against = _count(_("Votes against"), 0)
    abstentions = _count(_("Abstentions"), 0)


class ToVoteForm(forms.Form):
    """Contested amendments to put to article-by-article votes, and when the votes run."""

    amendments = forms.TypedMultipleChoiceField(
        label=_("Amendments to put to a vote"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    opens_at = _when(_("Voting opens"))
    closes_at = _when(_("Voting closes"))

    def __init__(self, *args: Any, amendments: list[Amendment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["amendments"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101 - declared above
        field.choices = [
            (
                a.pk,
                _("Amendment %(number)d: %(reason)s")
                % {"number": a.number, "reason": a.reason[:60]},
            )
            for a in amendments
        ]
