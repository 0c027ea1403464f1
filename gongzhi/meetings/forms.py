"""Forms of meetings: they parse; ``services.py`` decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.meetings.models import InvitationKind, Meeting, MeetingKind

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _when(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMATS[0]),
    )


class _Times(forms.Form):
    starts_at = _when(_("Starts"))
    ends_at = _when(_("Ends"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("A meeting must end after it starts."))
        return data


class MeetingForm(_Times):
    """Schedule a meeting (or a series: a repeat rule)."""

    body = forms.TypedChoiceField(label=_("Body"), coerce=int)
    kind = forms.ChoiceField(label=_("Type"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(
        label=_("Online link"), max_length=300, required=False, assume_scheme="https"
    )
    public = forms.BooleanField(
        label=_("Public: residents may come (and see it listed)"), required=False, initial=True
    )
    capacity = forms.IntegerField(
        label=_("Places for the public"),
        min_value=1,
        required=False,
        help_text=_("Leave empty if residents need not register."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    rrule = forms.CharField(
        label=_("Repeats"),
        max_length=200,
        required=False,
        help_text=_(
            "Optional, as an iCalendar rule that ends: FREQ=MONTHLY;BYDAY=1TU;COUNT=12 is the "
            "first Tuesday of each month, twelve times."
        ),
    )

    field_order = [
        "body",
        "kind",
        "title",
        "starts_at",
        "ends_at",
        "rrule",
        "place",
        "online_url",
        "public",
        "capacity",
        "description",
    ]

    def __init__(self, *args: Any, bodies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = bodies  # type: ignore[attr-defined]


class MeetingEditForm(_Times):
    title = forms.CharField(label=_("Title"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_url = forms.URLField(
        label=_("Online link"), max_length=300, required=False, assume_scheme="https"
    )
    capacity = forms.IntegerField(label=_("Places for the public"), min_value=1, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    field_order = ["title", "starts_at", "ends_at", "place", "online_url", "capacity"]

    @classmethod
    def of(cls, meeting: Meeting, data: Any) -> MeetingEditForm:
        return cls(
            data,
            initial={
                name: getattr(meeting, name)
                for name in (
                    "title",
                    "starts_at",
                    "ends_at",
                    "place",
                    "online_url",
                    "capacity",
                    "description",
                )
            },
        )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=300)


class SecondSittingForm(_Times):
    pass


class InviteForm(forms.Form):
    phone = forms.CharField(label=_("Their phone number"), max_length=30)
    kind = forms.ChoiceField(
        label=_("Invited as"),
        choices=[(k, v) for k, v in InvitationKind.choices if k != InvitationKind.MEMBER],
    )


class RegisterOtherForm(forms.Form):
    phone = forms.CharField(label=_("The resident's phone number"), max_length=30)


class FilterForm(forms.Form):
    body = forms.TypedChoiceField(label=_("Body"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All types")), *MeetingKind.choices], required=False
    )

    def __init__(self, *args: Any, bodies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", _("All bodies")), *bodies]  # type: ignore[attr-defined]
