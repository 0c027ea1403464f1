"""Forms of attendance and lending: an item lent out, a loan (to a resident by phone number),
an appeal against a no-show and its decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.phones import LocalPhoneField
from gongzhi.spaces.attendance import ANSWER_MAX, REASON_MAX
from gongzhi.spaces.lending import MAX_LOAN_DAYS, MAX_QUANTITY, NAME_MAX, NOTE_MAX
from gongzhi.spaces.models import ResourceKind, Space


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices)
    quantity = forms.IntegerField(label=_("How many"), min_value=1, max_value=MAX_QUANTITY)
    loan_days = forms.IntegerField(
        label=_("Lent for (days)"), min_value=1, max_value=MAX_LOAN_DAYS, initial=7
    )
    kept_at = forms.ModelChoiceField(
        label=_("Kept at"), queryset=Space.objects.none(), required=False
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=NOTE_MAX, required=False)
    active = forms.BooleanField(label=_("Lent out now"), required=False, initial=True)

    def __init__(self, *args: Any, community: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kept_at = self.fields["kept_at"]
        assert isinstance(kept_at, forms.ModelChoiceField)  # noqa: S101 - narrows the type
        kept_at.queryset = Space.objects.in_community(community).order_by("name", "pk")


class LendForm(forms.Form):
    phone = LocalPhoneField(label=_("Borrower's mobile phone number"))
    count = forms.IntegerField(label=_("How many"), min_value=1, initial=1)
    due_on = forms.DateField(
        label=_("Due back (empty: the usual loan length)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=NOTE_MAX, required=False)


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why was it not a no-show?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AppealDecideForm(forms.Form):
    overturn = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Withdraw the no-show")), ("no", _("The no-show stands"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Answer to the resident (needed when the no-show stands)"),
        max_length=ANSWER_MAX,
        required=False,
    )
