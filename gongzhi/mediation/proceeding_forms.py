"""Forms of the proceedings part: a session, a paper signature, the agreement, a conclusion, a
follow-up visit, an attachment. The services check everything again; the forms only read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.mediation.models import CaseStatus, Party, Performance
from gongzhi.mediation.proceedings import MAX_TEXT

ACCEPT = "image/jpeg,image/png,application/pdf"


def _file(label: Any, *, required: bool = True, help_text: Any = "") -> forms.FileField:
    return forms.FileField(
        label=label,
        required=required,
        help_text=help_text or _("A photo (JPEG, PNG) or a PDF, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


def _text(label: Any, *, required: bool = True, rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class SittingForm(forms.Form):
    held_at = forms.DateTimeField(
        label=_("Held at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=500)
    notes = _text(_("Notes of the session"), required=False, rows=8)
    scan = _file(
        _("Scan of the paper notes"),
        required=False,
        help_text=_("Optional: the notes the parties signed on paper (JPEG, PNG or PDF)."),
    )


class PaperSignatureForm(forms.Form):
    party = forms.TypedChoiceField(label=_("Party"), coerce=int)
    scan = _file(_("Scan of the signature"))

    def __init__(self, *args: Any, parties: list[Party], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["party"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(p.pk, f"{p.get_side_display()}: {p.name}") for p in parties]


class AgreementForm(forms.Form):
    facts = _text(_("The facts, the dispute and the responsibilities"))
    terms = _text(_("The rights and duties agreed"))
    performance = _text(_("How it will be performed"), rows=3)
    perform_by = forms.DateField(
        label=_("Performed by"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(s.value, s.label) for s in (CaseStatus.NOT_AGREED, CaseStatus.WITHDRAWN)],
        widget=forms.RadioSelect,
    )
    referral_advice = _text(
        _("Referral advice (where the parties may turn next)"), required=False, rows=4
    )


class FollowUpForm(forms.Form):
    visited_on = forms.DateField(
        label=_("Visited on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    performance = forms.ChoiceField(
        label=_("Performance"), choices=Performance.choices, widget=forms.RadioSelect
    )
    notes = _text(_("Notes"), required=False, rows=4)


class AttachmentForm(forms.Form):
    file = _file(_("File"))
