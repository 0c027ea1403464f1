from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django import forms
from django.apps import apps
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import GRANTABLE_ROLES, Building, Role
from gongzhi.core.phones import LocalPhoneField

FieldT = TypeVar("FieldT", bound=forms.Field)


def field_of(form: forms.BaseForm, name: str, kind: type[FieldT]) -> FieldT:
    """A form's field as the kind it was declared, to set what depends on the request (a
    community's choices or queryset): ``form.fields`` is typed as holding plain ``Field``s."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is not a {kind.__name__}")
    return field


class LetterCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your household letter"),
        max_length=20,
        help_text=_("Eight letters and digits, for example ABCD-2345."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
    )


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (.csv or .xlsx)"),
        help_text=_(
            "Columns: 手机号 (phone, required), 姓名 (name), 楼栋 (building), 单元房号 (unit)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[(r.value, r.label) for r in GRANTABLE_ROLES])

    def __init__(self, *args, offered: list[Role] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the roles this person may change; any grantable role still validates, so
        # that the service, not the form, gives the reason when someone posts another.
        if offered is not None:
            self.fields["role"].widget.choices = [(r.value, r.label) for r in offered]


class GroupFlagsForm(forms.Form):
    consent = forms.BooleanField(
        label=_(
            "I agree that the community may record the groups below, to check that everyone "
            "gets a fair say. Only totals are ever shown."
        ),
        required=False,
    )
    is_elderly = forms.BooleanField(label=_("aged 60 or over"), required=False)
    has_disability = forms.BooleanField(label=_("living with a disability"), required=False)
    is_low_income = forms.BooleanField(label=_("low income household"), required=False)
    # Only for the age bands of the community's evaluation (evaluation/services.py).
    birth_year = forms.IntegerField(
        label=_("Year of birth (optional)"),
        help_text=_("Used only to count people by age band; never shown for one person."),
        required=False,
        min_value=1900,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["birth_year"].validators.append(MaxValueValidator(this_year))
        self.fields["birth_year"].widget.attrs["max"] = this_year

    def clean(self):
        data = super().clean() or {}
        flags = data.get("is_elderly") or data.get("has_disability") or data.get("is_low_income")
        flags = flags or data.get("birth_year") is not None
        if flags and not data.get("consent"):
            raise forms.ValidationError(
                _("To record a group, first tick the box to give your consent."), code="consent"
            )
        return data


class RegisterOnBehalfForm(forms.Form):
    phone = LocalPhoneField()
    display_name = forms.CharField(label=_("Resident's name"), max_length=60)
    building = forms.CharField(label=_("Building"), max_length=60, required=False)
    unit = forms.CharField(label=_("Unit and room"), max_length=30, required=False)

    def clean(self):
        data = super().clean() or {}
        if bool(data.get("building")) != bool(data.get("unit")):
            raise forms.ValidationError(_("Give both the building and the unit, or neither."))
        return data


class HouseholdCodesForm(forms.Form):
    building = forms.ChoiceField(label=_("Building"))
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=365, initial=60
    )

    def __init__(self, *args: Any, buildings: Iterable[Building] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "building", forms.ChoiceField).choices = [(b.pk, b.name) for b in buildings]


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or phone"), required=False, max_length=60)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("all")),
            ("verified", _("verified")),
            ("unverified", _("not yet verified")),
        ],
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("any role"))] + [(r.value, r.label) for r in GRANTABLE_ROLES],
    )


ROLE_LABELS = {r.value: r.label for r in Role}


class JournalFilterForm(forms.Form):
    """The journal page's filters: who acted, what they did, when, and on what."""

    who = forms.CharField(label=_("Who (name or phone)"), required=False, max_length=60)
    area = forms.ChoiceField(label=_("Area"), required=False)
    verb = forms.ChoiceField(label=_("What"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    target = forms.ChoiceField(label=_("Concerning"), required=False)
    target_id = forms.CharField(label=_("Its number"), required=False, max_length=40)

    def __init__(
        self,
        *args: Any,
        areas: dict[str, dict[str, Any]],
        targets: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        """``areas``: ``{app_label: {verb: label}}``. The verbs are grouped by area (an
        ``<optgroup>`` named by its app), areas and verbs sorted by their translated names."""
        super().__init__(*args, **kwargs)
        named = sorted(
            ((label, str(apps.get_app_config(label).verbose_name)) for label in areas),
            key=lambda area: area[1],
        )
        grouped: list[tuple[str, Any]] = [
            (name, sorted(((v, str(text)) for v, text in areas[label].items()), key=lambda c: c[1]))
            for label, name in named
        ]
        anything: list[tuple[str, Any]] = [("", _("anything"))]
        field_of(self, "area", forms.ChoiceField).choices = [("", _("any area")), *named]
        field_of(self, "verb", forms.ChoiceField).choices = anything + grouped
        field_of(self, "target", forms.ChoiceField).choices = anything + targets

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data
