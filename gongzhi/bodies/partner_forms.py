"""Forms for partners: they parse what was typed; the services in ``partners.py`` decide what
is allowed and give the same errors to the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.bodies.models import ContributionKind, Partner, PartnerKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, input_formats=["%Y-%m-%d"])


class PartnerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=PartnerKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("What the partner does"), max_length=5000, required=False, widget=forms.Textarea
    )
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)


class AgreementForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    scope = forms.CharField(
        label=_("What the partner does in this community"), max_length=5000, widget=forms.Textarea
    )
    starts_on = _date(_("Starts"))
    ends_on = _date(_("Ends"))
    document = forms.FileField(
        label=_("Signed agreement (PDF, optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args: Any, partners: QuerySet[Partner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = partners


class ServiceForm(forms.Form):
    title = forms.CharField(label=_("Service"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea
    )


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Money or in kind"), choices=ContributionKind.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(label=_("What was given"), max_length=300)
    value = forms.CharField(
        label=_("Amount or estimated value (yuan)"),
        required=False,
        help_text=_("Money is entered in the ledger and waits for a second person's approval."),
    )
    given_on = _date(_("Given on"))
    voucher = forms.FileField(
        label=_("Receipt for money (PDF or photo)"),
        required=False,
        help_text=_("The ledger asks for it before the entry is approved."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("given_on", timezone.localdate())


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment (optional)"), max_length=500, required=False)
