"""Forms of information disclosure: they parse what was typed; the services decide what is
allowed (and give the same clear errors to the API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.forms import field_of
from gongzhi.disclosure.models import (
    AnnouncementCategory,
    DocumentKind,
    EntryKind,
    LedgerCategory,
    PeriodKind,
    categories_of,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=20000, widget=forms.Textarea)
    category = forms.ChoiceField(label=_("Category"), choices=AnnouncementCategory.choices)
    pinned = forms.BooleanField(label=_("Pin it to the top of the list"), required=False)
    important = forms.BooleanField(
        label=_("Important: ask every resident to confirm they have read it"), required=False
    )
    publish = forms.BooleanField(
        label=_("Publish now (residents are notified)"), required=False, initial=True
    )


def _category_choices() -> list[Any]:
    return [
        ("", "—"),
        (
            EntryKind.INCOME.label,
            [(c.value, c.label) for c in LedgerCategory if c.value in categories_of("income")],
        ),
        (
            EntryKind.EXPENDITURE.label,
            [(c.value, c.label) for c in LedgerCategory if c.value in categories_of("expenditure")],
        ),
    ]


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Income or expenditure"), choices=EntryKind.choices, widget=forms.RadioSelect
    )
    occurred_on = forms.DateField(label=_("Date"), widget=DATE, input_formats=["%Y-%m-%d"])
    counterparty = forms.CharField(label=_("Paid by or to"), max_length=200)
    description = forms.CharField(label=_("What it was for"), max_length=500)
    total = forms.CharField(
        label=_("Total on the voucher (yuan)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    voucher = forms.FileField(
        label=_("Voucher: receipt or invoice"),
        help_text=_("A PDF or a photo (JPEG, PNG, WebP), at most 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}
        ),
    )

    def __init__(self, *args: Any, require_voucher: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["voucher"].required = require_voucher
        if not kwargs.get("initial"):
            self.initial.setdefault("occurred_on", timezone.localdate())


class LineForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=_category_choices, required=False)
    amount = forms.CharField(
        label=_("Amount (yuan)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


LineFormSet = forms.formset_factory(LineForm, extra=3, max_num=20, absolute_max=20)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Why it is not approved"), max_length=500)


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("What was wrong"), max_length=300)
    occurred_on = forms.DateField(
        label=_("Date of the correction"),
        widget=DATE,
        input_formats=["%Y-%m-%d"],
        help_text=_("It must fall in an open period, after the closed books."),
    )
    replace = forms.BooleanField(
        label=_("Enter the right entry as well (below)"), required=False, initial=True
    )


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    starts_on = forms.DateField(
        label=_("First day"),
        widget=DATE,
        input_formats=["%Y-%m-%d"],
        help_text=_("The 1st of the month; for a quarter 1 January, April, July or October."),
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), max_length=100_000, widget=forms.Textarea(attrs={"rows": 16})
    )
    publish = forms.BooleanField(label=_("Publish now"), required=False)


class RevisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), max_length=100_000, widget=forms.Textarea(attrs={"rows": 16})
    )
    change_note = forms.CharField(label=_("What changed in this version"), max_length=300)


class BoardForm(forms.Form):
    title = forms.CharField(label=_("Title of the board"), max_length=200)
    announcements = forms.TypedMultipleChoiceField(
        label=_("Announcements"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    periods = forms.TypedMultipleChoiceField(
        label=_("Finance reports"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    documents = forms.TypedMultipleChoiceField(
        label=_("Documents"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: Any, announcements: Any, periods: Any, documents: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "announcements", forms.ChoiceField).choices = [
            (a.pk, a.title) for a in announcements
        ]
        field_of(self, "periods", forms.ChoiceField).choices = [(p.pk, p.label) for p in periods]
        field_of(self, "documents", forms.ChoiceField).choices = [
            (d.pk, d.title) for d in documents
        ]
