"""Forms of the room: a conflict of interest, a proxy, the vote on an item."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.meetings.models import BallotChoice, VoteMethod

NUMBER = {"inputmode": "numeric"}


class RecusalForm(forms.Form):
    reason = forms.CharField(label=_("The conflict of interest"), max_length=300)


class ProxyForm(forms.Form):
    giver = forms.TypedChoiceField(label=_("Absent member"), coerce=int)
    holder = forms.TypedChoiceField(label=_("Carried by (present)"), coerce=int)

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("giver", "holder"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = members


class VoteForm(forms.Form):
    """Hands counted, each member's vote, or a closed online yes/no vote."""

    method = forms.ChoiceField(
        label=_("How the members voted"),
        choices=VoteMethod.choices,
        initial=VoteMethod.HANDS,
        widget=forms.RadioSelect,
    )
    votes_for = forms.IntegerField(
        label=_("For"), min_value=0, initial=0, required=False, widget=forms.NumberInput(NUMBER)
    )
    votes_against = forms.IntegerField(
        label=_("Against"), min_value=0, initial=0, required=False, widget=forms.NumberInput(NUMBER)
    )
    abstentions = forms.IntegerField(
        label=_("Abstentions"),
        min_value=0,
        initial=0,
        required=False,
        widget=forms.NumberInput(NUMBER),
    )
    vote = forms.TypedChoiceField(
        label=_("Online vote (closed yes/no votes)"), coerce=int, required=False, empty_value=None
    )
    outcome = forms.CharField(
        label=_("What was decided"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
        help_text=_("Empty: the count is written for you."),
    )

    def __init__(
        self,
        *args: Any,
        voters: list[tuple[int, str]],
        votes: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["vote"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", "—"), *votes]
        self.voters = voters
        for pk, name in voters:
            self.fields[f"ballot_{pk}"] = forms.ChoiceField(
                label=name,
                choices=[("", "—"), *BallotChoice.choices],
                required=False,
                widget=forms.RadioSelect,
            )

    def ballots(self) -> dict[int, str]:
        return {
            pk: self.cleaned_data[f"ballot_{pk}"]
            for pk, _name in self.voters
            if self.cleaned_data.get(f"ballot_{pk}")
        }

    def decision(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "method": data["method"],
            "votes_for": data.get("votes_for") or 0,
            "votes_against": data.get("votes_against") or 0,
            "abstentions": data.get("abstentions") or 0,
            "ballots": self.ballots() if data["method"] == VoteMethod.ROLL else None,
            "vote": data.get("vote") if data["method"] == VoteMethod.ONLINE else None,
            "outcome": data.get("outcome") or "",
        }
