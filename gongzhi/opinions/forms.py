from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.opinions.models import STATEMENT_MAX_LENGTH, Moderation


class ConversationForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=200)
    description = forms.CharField(
        label=_("Background"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is to be decided, by whom, and what the results will be used for."),
    )
    seed_statements = forms.CharField(
        label=_("Seed statements, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    moderation = forms.ChoiceField(
        label=_("Residents' statements are"),
        choices=Moderation.choices,
        widget=forms.RadioSelect,
        initial=Moderation.BEFORE,
    )
    visitors_allowed = forms.BooleanField(
        label=_("Residents who are not verified may take part too (marked in the results)"),
        required=False,
    )
    opens_at = forms.DateTimeField(
        label=_("Opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("Closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seed_statements"].help_text = gettext(
            "A few short statements to start with, covering different views. "
            "At most %(max)d characters each."
        ) % {"max": STATEMENT_MAX_LENGTH}


class StatementForm(forms.Form):
    # The length is checked by the service, with a message that says how long the text is.
    text = forms.CharField(
        label=_("Your statement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": STATEMENT_MAX_LENGTH}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = gettext(
            "One short thought others can agree or disagree with, at most %(max)d characters. "
            "It is shown without your name."
        ) % {"max": STATEMENT_MAX_LENGTH}


VOTE_CHOICES = {"agree": 1, "disagree": -1, "pass": 0}


class VoteForm(forms.Form):
    statement = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    vote = forms.ChoiceField(choices=[(k, k) for k in VOTE_CHOICES])

    def value(self) -> int:
        return VOTE_CHOICES[self.cleaned_data["vote"]]


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Show it")), ("reject", _("Take it out"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (needed to take it out; its author reads it)"),
        required=False,
        max_length=500,
    )


class ImportForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=200)
    description = forms.CharField(
        label=_("Background"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    comments = forms.FileField(
        label="comments.csv", widget=forms.ClearableFileInput(attrs={"accept": ".csv"})
    )
    votes = forms.FileField(
        label="votes.csv",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv"}),
    )
    participants_votes = forms.FileField(
        label="participants-votes.csv",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv"}),
        help_text=_("Needed only without votes.csv."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("votes") and not data.get("participants_votes"):
            raise forms.ValidationError(_("Add votes.csv or participants-votes.csv."))
        return data
