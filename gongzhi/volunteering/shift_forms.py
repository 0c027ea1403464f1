"""Forms of activities and shifts: they parse; ``shifts.py`` decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core import qualifications
from gongzhi.volunteering.models import Shift, Team, VolunteerActivity

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _when(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMATS[0]),
    )


class ActivityForm(forms.Form):
    """Create or change an activity."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Content of service"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the volunteers will do: it is printed on their certificates."),
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)
    organiser_phone = forms.CharField(
        label=_("Organiser's phone number"),
        max_length=30,
        required=False,
        help_text=_(
            "The organiser records and confirms the volunteers' hours. Leave empty: it is you."
        ),
    )

    def __init__(self, *args: Any, community: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.in_community(community).filter(closed_at__isnull=True)
        self.fields["team"].choices = [  # type: ignore[attr-defined]
            ("", _("No team")),
            *[(t.pk, t.name) for t in teams.order_by("name")],
        ]

    @classmethod
    def of(cls, activity: VolunteerActivity, data: Any) -> ActivityForm:
        form = cls(
            data,
            community=activity.community,
            initial={
                "title": activity.title,
                "description": activity.description,
                "place": activity.place,
                "team": activity.team_id,
            },
        )
        form.fields["organiser_phone"].help_text = _("Leave empty to keep the organiser.")
        return form


def _qualification_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in qualifications.known().items()]


class ShiftForm(forms.Form):
    starts_at = _when(_("Starts"))
    ends_at = _when(_("Ends"))
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10000)
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Leave empty: the activity's place."),
    )
    min_age = forms.IntegerField(label=_("Minimum age"), min_value=0, max_value=100, required=False)
    required_qualifications = forms.MultipleChoiceField(
        label=_("Required qualifications"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _qualification_choices()
        if choices:
            self.fields["required_qualifications"].choices = choices  # type: ignore[attr-defined]
        else:
            del self.fields["required_qualifications"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("A shift must end after it starts."))
        return data

    @classmethod
    def of(cls, shift: Shift, data: Any) -> ShiftForm:
        return cls(
            data,
            initial={
                "starts_at": shift.starts_at,
                "ends_at": shift.ends_at,
                "capacity": shift.capacity,
                "place": shift.place,
                "min_age": shift.min_age,
                "required_qualifications": shift.required_qualifications,
            },
        )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=300)


class SignUpOtherForm(forms.Form):
    phone = forms.CharField(label=_("The volunteer's phone number"), max_length=30)
