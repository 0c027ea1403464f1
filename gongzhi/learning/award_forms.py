"""Forms of the awards part: a worker records a qualification held from outside training, or
revokes one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core import qualifications as core_qualifications

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AwardRecordForm(forms.Form):
    code = forms.ChoiceField(label=_("Qualification"))
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_until = forms.DateField(
        label=_("Valid until (leave empty if it does not expire)"), widget=DATE, required=False
    )
    evidence = forms.CharField(
        label=_("What you saw"),
        max_length=200,
        help_text=_("The certificate, who issued it and its number (红十字会急救员证 No. …)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [  # type: ignore[attr-defined]
            (code, str(label)) for code, label in core_qualifications.known().items()
        ]
        self.fields["valid_from"].initial = timezone.localdate()


class AwardRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is revoked"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class HoldersFilterForm(forms.Form):
    code = forms.ChoiceField(label=_("Qualification"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [  # type: ignore[attr-defined]
            (code, str(label)) for code, label in core_qualifications.known().items()
        ]
