"""Forms of the certificate part: issue a certificate, check a credential, export records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CertificateIssueForm(forms.Form):
    period_from = forms.DateField(label=_("Service from"), widget=DATE)
    period_to = forms.DateField(label=_("Service to"), widget=DATE)
    holder_id_masked = forms.CharField(
        label=_("ID number, masked (optional)"),
        max_length=40,
        required=False,
        help_text=_("Only the first and last digits, for example 110***********1234."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["period_from"].initial = today.replace(month=1, day=1)
        self.fields["period_to"].initial = today


class CredentialCheckForm(forms.Form):
    credential = forms.CharField(
        label=_("The credential (a JWT)"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )


class RecordsExportForm(forms.Form):
    period_from = forms.DateField(label=_("Service from"), widget=DATE, required=False)
    period_to = forms.DateField(label=_("Service to"), widget=DATE, required=False)
    table = forms.ChoiceField(
        label=_("Table (CSV holds one)"),
        choices=[("volunteers", _("Volunteers")), ("service", _("Service records"))],
        initial="volunteers",
        required=False,
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", _("Excel (both tables)")), ("csv", _("CSV"))],
        initial="xlsx",
    )
