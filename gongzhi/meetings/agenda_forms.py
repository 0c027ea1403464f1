"""Forms of the agenda: an item, a proposal put on the agenda, a move, a withdrawal, a document,
a publication. Amounts are typed in yuan and stored in fen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.bodies.selectors import charter_in_force
from gongzhi.core.decisions import decision_kind_registry
from gongzhi.meetings.agenda import MAX_MINUTES
from gongzhi.meetings.models import Meeting

NUMBER = {"inputmode": "numeric"}


def _fen(yuan: Decimal | None) -> int | None:
    return None if yuan is None else int(yuan * 100)


def decision_choices(meeting: Meeting) -> list[tuple[str, Any]]:
    """The decisions the body's charter grants, after "for information" (none)."""
    registry = decision_kind_registry()
    charter = charter_in_force(body=meeting.body)
    kinds = [p.get("kind") for p in (charter.powers if charter is not None else [])]
    return [("", _("none: for information"))] + [
        (code, registry[code].label) for code in kinds if code in registry
    ]


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    presenter_name = forms.CharField(label=_("Presented by"), max_length=120, required=False)
    minutes_allotted = forms.IntegerField(
        label=_("Time (minutes)"),
        min_value=1,
        max_value=MAX_MINUTES,
        initial=10,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    decision_kind = forms.ChoiceField(label=_("Decision asked for"), required=False)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        required=False,
        min_value=0,
        decimal_places=2,
        help_text=_("For decisions about an amount."),
    )
    topic = forms.CharField(
        label=_("Topic"),
        required=False,
        max_length=60,
        help_text=_("For powers limited to topics."),
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["decision_kind"].choices = decision_choices(meeting)

    def item(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data.get("description") or "",
            "presenter_name": data.get("presenter_name") or "",
            "minutes_allotted": data["minutes_allotted"],
            "decision_kind": data.get("decision_kind") or "",
            "amount_fen": _fen(data.get("amount")),
            "topic": data.get("topic") or "",
        }


class ProposalForm(forms.Form):
    proposal = forms.IntegerField(
        label=_("Proposal number"), min_value=1, widget=forms.NumberInput(attrs=NUMBER)
    )
    minutes_allotted = forms.IntegerField(
        label=_("Time (minutes)"),
        min_value=1,
        max_value=MAX_MINUTES,
        initial=10,
        widget=forms.NumberInput(attrs=NUMBER),
    )


class MoveForm(forms.Form):
    position = forms.IntegerField(
        label=_("New place"), min_value=1, widget=forms.NumberInput(attrs=NUMBER)
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=300, required=False)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File (PDF or photo)"))


class PublishForm(forms.Form):
    note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("Said with a new version; leave empty for the first publication."),
    )
