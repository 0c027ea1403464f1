"""Forms of the drafting part: they parse; ``services.py`` decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.covenants.models import Round, Scope
from gongzhi.covenants.services import Dates

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

DRAFT_HELP = _(
    "Begin each article with a line such as “第一条 宠物” (the heading after the number) and "
    "write its paragraphs on the lines below, one paragraph a line. Lines before the first "
    "article are the preamble."
)


def _when(label: Any, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMATS[0]),
        **kwargs,
    )


class DatesForm(forms.Form):
    """A round's four dates. Drafting may start now (left empty)."""

    drafting_starts = _when(
        _("Drafting starts"), required=False, help_text=_("Leave empty to start now.")
    )
    consultation_starts = _when(_("Public consultation starts"))
    revision_starts = _when(
        _("Revision starts"),
        help_text=_("The public consultation ends then; the drafting body decides on amendments."),
    )
    revision_ends = _when(_("Revision ends"))

    @classmethod
    def of(cls, round_: Round, data: Any = None) -> DatesForm:
        return cls(data, initial={name: getattr(round_, name) for name in Dates.NAMES})

    def dates(self) -> Dates:
        data = self.cleaned_data
        return Dates(
            drafting_starts=data.get("drafting_starts") or timezone.now(),
            consultation_starts=data["consultation_starts"],
            revision_starts=data["revision_starts"],
            revision_ends=data["revision_ends"],
        )


class CovenantForm(DatesForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    summary = forms.CharField(
        label=_("What it covers"),
        max_length=300,
        required=False,
        help_text=_("In a line: pets, noise, parking …"),
    )
    drafting_body = forms.TypedChoiceField(label=_("Drafting body"), coerce=int)
    scope = forms.ChoiceField(
        label=_("Applies to"), choices=Scope.choices, widget=forms.RadioSelect, initial="community"
    )
    building = forms.TypedChoiceField(
        label=_("Building (for a building covenant)"), coerce=int, required=False, empty_value=None
    )
    owners_matter = forms.BooleanField(
        label=_("It rules owners' common parts: the owners ratify it (Civil Code art. 278)"),
        required=False,
    )
    plain_text = forms.CharField(
        label=_("The draft"),
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=200_000,
        help_text=DRAFT_HELP,
    )

    field_order = [
        "title",
        "summary",
        "drafting_body",
        "scope",
        "building",
        "owners_matter",
        "plain_text",
        "drafting_starts",
        "consultation_starts",
        "revision_starts",
        "revision_ends",
    ]

    def __init__(
        self,
        data: Any = None,
        *,
        bodies: list[tuple[int, str]],
        buildings: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.fields["drafting_body"].choices = bodies  # type: ignore[attr-defined]
        self.fields["building"].choices = [("", "—"), *buildings]  # type: ignore[attr-defined]


class DraftForm(forms.Form):
    plain_text = forms.CharField(
        label=_("The draft"),
        widget=forms.Textarea(attrs={"rows": 20}),
        max_length=200_000,
        help_text=DRAFT_HELP,
    )


class AbandonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the round is abandoned"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Residents read it on the covenant's page."),
    )


class DiffForm(forms.Form):
    """Which two versions to compare (``?from=&to=``)."""

    def __init__(self, data: Any = None, *, numbers: list[int], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        choices = [(n, _("version %(n)d") % {"n": n}) for n in numbers]
        # Their own context: the shared "From" / "To" read as a start date and a recipient.
        self.fields["from"] = forms.TypedChoiceField(
            label=pgettext_lazy("compare versions", "From"), choices=choices, coerce=int
        )
        self.fields["to"] = forms.TypedChoiceField(
            label=pgettext_lazy("compare versions", "To"), choices=choices, coerce=int
        )
