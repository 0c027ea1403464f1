"""Forms of honours: they parse; ``honours.py`` decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.volunteering.models import Volunteer, VolunteerActivity


class RecognitionForm(forms.Form):
    """Propose a recognition list: the body that decides, the year, a title and citation, and
    for each volunteer who agreed to public lists a line saying what they are thanked for
    (a volunteer with an empty line is not named)."""

    body = forms.TypedChoiceField(label=_("Body that decides"), coerce=int)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    citation = forms.CharField(
        label=_("Citation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("What the community thanks these volunteers for, in a few sentences."),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        bodies: list[tuple[int, str]],
        volunteers: list[Volunteer],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(data, **kwargs)
        self.fields["body"].choices = bodies  # type: ignore[attr-defined]
        self.volunteers = {v.pk: v for v in volunteers}
        for volunteer in volunteers:
            self.fields[f"cite_{volunteer.pk}"] = forms.CharField(
                label=str(volunteer.person),
                max_length=300,
                required=False,
                help_text=_("What they are thanked for (leave empty not to name them)."),
            )

    def main_fields(self) -> list[Any]:
        return [self[name] for name in ("body", "year", "title", "citation")]

    def citation_fields(self) -> list[Any]:
        return [self[f"cite_{pk}"] for pk in self.volunteers]

    def entries(self) -> list[tuple[Volunteer, str]]:
        """The named volunteers with their lines, in the form's order."""
        found = []
        for pk, volunteer in self.volunteers.items():
            line = (self.cleaned_data.get(f"cite_{pk}") or "").strip()
            if line:
                found.append((volunteer, line))
        return found


class ApproveForm(forms.Form):
    """The body's vote approving a list, as the charter counts it."""

    decided_on = forms.DateField(
        label=_("Decided on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    present = forms.IntegerField(label=_("Members present"), min_value=0)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, initial=0)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0, initial=0)
    second_sitting = forms.BooleanField(
        label=_("At a second sitting (the first had no quorum)"), required=False
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"decided_on": timezone.localdate()})
        super().__init__(data, **kwargs)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the body does not approve it"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ConfirmForm(forms.Form):
    """A step with nothing to fill in: the button confirms it."""


class ThanksForm(forms.Form):
    text = forms.CharField(
        label=_("Your thanks"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=500,
        help_text=_("The volunteer reads it on their page; others only if they allow it."),
    )
    activity = forms.TypedChoiceField(
        label=_("For which activity (optional)"), coerce=int, required=False, empty_value=None
    )

    def __init__(
        self, data: Any = None, *, activities: list[VolunteerActivity], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        choices = [("", "—"), *((a.pk, a.title) for a in activities)]
        self.fields["activity"].choices = choices  # type: ignore[attr-defined]
        self.activities = {a.pk: a for a in activities}

    def chosen_activity(self) -> VolunteerActivity | None:
        chosen = self.cleaned_data.get("activity")
        return self.activities.get(chosen) if chosen else None
