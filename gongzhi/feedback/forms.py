"""Forms of the hotline: they parse; the services decide what is allowed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.forms import field_of
from gongzhi.core.geo import gcj02_to_wgs84
from gongzhi.core.models import Building, Community
from gongzhi.core.natural import natural_order
from gongzhi.core.uploads import PHOTOS_HELP
from gongzhi.deliberation.forms import MultipleFileField, MultipleFileInput
from gongzhi.feedback.models import MAX_TEXT, Category, Contact, Department
from gongzhi.feedback.services import MAX_COMMENT, MAX_UNIT


class TicketForm(forms.Form):
    text = forms.CharField(
        label=_("What is the problem?"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Say what, where and since when. A photo helps."),
    )
    category = forms.ChoiceField(
        label=_("Category (optional)"),
        required=False,
        help_text=_("Leave it empty and the hotline will choose."),
    )
    building = forms.ModelChoiceField(
        label=_("Building (optional)"), queryset=Building.objects.none(), required=False
    )
    unit = forms.CharField(
        label=_("Unit, room or spot (optional)"), max_length=MAX_UNIT, required=False
    )
    latitude = forms.DecimalField(
        label=_("Latitude (optional)"), required=False, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Longitude (optional)"), required=False, max_digits=10, decimal_places=6
    )
    photos = MultipleFileField(
        label=_("Photos (optional)"),
        required=False,
        help_text=PHOTOS_HELP,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    contact = forms.ChoiceField(
        label=_("How should we contact you?"), choices=Contact.choices, initial=Contact.IN_APP
    )
    is_public = forms.BooleanField(
        label=_("Show this problem on the public list (never with your name or unit)"),
        required=False,
    )
    #: Set once the resident has seen similar tickets and still files their own.
    file_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)
    #: The datum of the coordinates: the map picker says gcj02 after a click on a Chinese map
    #: service's tiles; they are stored as WGS-84.
    point_crs = forms.ChoiceField(
        choices=[("wgs84", "WGS-84"), ("gcj02", "GCJ-02")],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        buildings = natural_order(Building.objects.in_community(community))
        categories = Category.objects.in_community(community).filter(active=True)
        field_of(self, "building", forms.ModelChoiceField).queryset = buildings
        field_of(self, "category", forms.ChoiceField).choices = [
            ("", _("Let the hotline choose"))
        ] + [(c.code, c.name) for c in categories]

    def clean_category(self) -> str:
        # Unknown codes are refused by the service, with the same message as in the API.
        return self.data.get(self.add_prefix("category"), "") or ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lng = data.get("latitude"), data.get("longitude")
        if data.get("point_crs") == "gcj02" and lat is not None and lng is not None:
            wgs_lat, wgs_lng = gcj02_to_wgs84(float(lat), float(lng))
            data["latitude"] = Decimal(f"{wgs_lat:.6f}")
            data["longitude"] = Decimal(f"{wgs_lng:.6f}")
        return data


class FileForForm(forms.Form):
    """代办: the resident a community worker files for, by phone number."""

    phone = forms.CharField(
        label=_("Resident's phone number"),
        max_length=30,
        required=False,
        help_text=_("Leave empty to report for yourself."),
    )


class RecategoriseForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = Category.objects.in_community(community).filter(active=True)
        field_of(self, "category", forms.ModelChoiceField).queryset = categories


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    assignee = forms.ChoiceField(label=_("Handler"), required=False)
    note = forms.CharField(label=_("Note (internal)"), max_length=MAX_TEXT, required=False)

    def __init__(
        self, *args: Any, community: Community, handlers: list[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        departments = Department.objects.in_community(community).filter(active=True)
        field_of(self, "department", forms.ModelChoiceField).queryset = departments
        field_of(self, "assignee", forms.ChoiceField).choices = [("", "—")] + handler_choices(
            handlers
        )


def handler_choices(handlers: list[Any]) -> list[tuple[str, str]]:
    """One choice per person, with every department they handle for: someone handling for two
    departments is one person to assign, not two."""
    departments: dict[int, list[str]] = {}
    people: dict[int, Any] = {}
    for h in handlers:
        people.setdefault(h.user_id, h.user)
        names = departments.setdefault(h.user_id, [])
        if h.department.name not in names:
            names.append(h.department.name)
    return [
        (str(user_id), f"{people[user_id]} ({'、'.join(names)})")
        for user_id, names in departments.items()
    ]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("What was done (the resident reads this)"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the problem not solved?"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RatingForm(forms.Form):
    solved = forms.TypedChoiceField(
        label=_("Was the problem solved?"),
        choices=[("yes", _("Yes, it is solved")), ("no", _("No, it is not solved"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        choices=[
            ("5", _("5 — very satisfied")),
            ("4", _("4 — satisfied")),
            ("3", _("3 — neither")),
            ("2", _("2 — unsatisfied")),
            ("1", _("1 — very unsatisfied")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(forms.Form):
    into = forms.IntegerField(label=_("Merge into ticket number"), min_value=1)


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = [
            "code",
            "name",
            "description",
            "keywords",
            "respond_within_hours",
            "resolve_within_days",
            "department",
            "active",
        ]

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = Department.objects.in_community(community).filter(active=True)
        field_of(self, "department", forms.ModelChoiceField).queryset = departments
        if self.instance.pk:
            # The code is how Open311 clients and statistics know the category: it stays.
            self.fields["code"].disabled = True

    def _post_clean(self) -> None:
        # The service checks the category (and the database its constraints).
        pass


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Department"), max_length=60)


class HandlerForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    phone = forms.CharField(label=_("Handler's phone number"), max_length=30)

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = Department.objects.in_community(community).filter(active=True)
        field_of(self, "department", forms.ModelChoiceField).queryset = departments
