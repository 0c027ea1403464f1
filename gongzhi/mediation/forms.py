"""Forms of the cases part: they parse; ``services.py`` decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.mediation.models import DisputeKind

PHONE_ATTRS = {"inputmode": "tel", "autocomplete": "off"}


def _kind() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("What is the dispute about?"),
        choices=DisputeKind.choices,
        widget=forms.RadioSelect,
    )


def _summary(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only the parties, the mediators and the committee's head will read it."),
    )


def _respondent_phone() -> forms.CharField:
    return forms.CharField(
        label=_("The other side's mobile number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs=PHONE_ATTRS),
        help_text=_("If they are on the platform, they are asked whether they agree to mediation."),
    )


def _respondent_name() -> forms.CharField:
    return forms.CharField(
        label=_("The other side's name"),
        max_length=100,
        required=False,
        help_text=_("A neighbour's name, or a company such as the property management company."),
    )


class _OtherSide(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("respondent_phone") and not data.get("respondent_name"):
            raise forms.ValidationError(
                _("Give the other side's phone number or name (for a company, its name)."),
                code="respondent_missing",
            )
        return data


class ApplyForm(_OtherSide):
    """A resident applies for mediation of their own dispute."""

    kind = _kind()
    summary = _summary(_("What happened, and what would you like to agree?"))
    respondent_phone = _respondent_phone()
    respondent_name = _respondent_name()


class RegisterForm(_OtherSide):
    """A worker registers a walk-in."""

    kind = _kind()
    summary = _summary(_("What the applicant says the dispute is about"))
    applicant_phone = forms.CharField(
        label=_("The applicant's mobile number"),
        max_length=30,
        widget=forms.TextInput(attrs=PHONE_ATTRS),
    )
    applicant_name = forms.CharField(
        label=_("The applicant's name"),
        max_length=100,
        required=False,
        help_text=_("Needed when the applicant has no account on the platform."),
    )
    respondent_phone = _respondent_phone()
    respondent_name = _respondent_name()


class ReferralForm(_OtherSide):
    """The reporter of a neighbour dispute agrees to refer it to the mediation committee."""

    kind = _kind()
    respondent_phone = _respondent_phone()
    respondent_name = _respondent_name()


class CommitteeForm(forms.Form):
    body = forms.TypedChoiceField(label=_("The people's mediation committee"), coerce=int)
    head_phone = forms.CharField(
        label=_("The head's mobile number"),
        max_length=30,
        widget=forms.TextInput(attrs=PHONE_ATTRS),
        help_text=_("A verified member holding the mediation qualification."),
    )
    retention_days = forms.IntegerField(
        label=_("Keep the contents of concluded cases for (days)"),
        min_value=30,
        max_value=36500,
        initial=1095,
    )

    def __init__(self, *args: Any, bodies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = bodies  # type: ignore[attr-defined]


class _Mediators(forms.Form):
    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        field = self.fields["mediators" if "mediators" in self.fields else "mediator"]
        field.choices = [(p.pk, p.display_name or str(p)) for p in people]  # type: ignore[attr-defined]


class AcceptForm(_Mediators):
    mediators = forms.TypedMultipleChoiceField(
        label=_("Mediators"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members holding the mediation qualification today."),
    )

    def chosen(self) -> list[Any]:
        return [self.people[pk] for pk in self.cleaned_data["mediators"]]


class AssignForm(_Mediators):
    mediator = forms.TypedChoiceField(
        label=_("Mediator"),
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("Members holding the mediation qualification today."),
    )

    def chosen(self) -> Any:
        return self.people[self.cleaned_data["mediator"]]
