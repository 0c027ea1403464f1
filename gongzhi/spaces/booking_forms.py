"""Forms of the booking part: they parse; ``booking.py`` decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from gongzhi.spaces.models import Space

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def length_choices(space: Space) -> list[tuple[int, str]]:
    """Whole grid steps up to the space's longest booking."""
    step = space.slot_minutes
    choices = []
    minutes = step
    while minutes <= space.max_minutes:
        hours, rest = divmod(minutes, 60)
        if hours and rest:
            label = _("%(h)d h %(m)d min") % {"h": hours, "m": rest}
        elif hours:
            label = _("%(h)d h") % {"h": hours}
        else:
            label = _("%(m)d min") % {"m": rest}
        choices.append((minutes, str(label)))
        minutes += step
    return choices or [(space.max_minutes, str(space.max_minutes))]


class BookForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMATS[0]),
    )
    minutes = forms.TypedChoiceField(label=_("How long"), coerce=int)
    purpose = forms.CharField(label=_("What it is for"), max_length=200)
    attendees = forms.IntegerField(label=_("People expected"), min_value=1, initial=1)
    body = forms.TypedChoiceField(
        label=_("Book for an organisation I sit in"), required=False, coerce=int, empty_value=None
    )
    meeting = forms.TypedChoiceField(
        label=_("The room of one of my organisations' meetings"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    phone = forms.CharField(
        label=_("Book for a resident: their mobile phone (代办)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(
        self,
        *args: Any,
        space: Space,
        bodies: list[tuple[int, str]],
        for_others: bool,
        meetings: list[tuple[int, str]] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        minutes = self.fields["minutes"]
        assert isinstance(minutes, forms.ChoiceField)
        minutes.choices = length_choices(space)
        attendees = self.fields["attendees"]
        attendees.validators.append(MaxValueValidator(space.capacity))
        attendees.widget.attrs["max"] = space.capacity
        body = self.fields["body"]
        assert isinstance(body, forms.ChoiceField)
        body.choices = [("", _("Myself")), *bodies]
        if not bodies:  # nobody to book for: a forged one is refused, not ignored
            body.widget = forms.HiddenInput()
        meeting = self.fields["meeting"]
        assert isinstance(meeting, forms.ChoiceField)
        meeting.choices = [("", _("No meeting")), *meetings]
        if not meetings:
            del self.fields["meeting"]
        if not for_others:
            del self.fields["phone"]


class DecideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (needed to refuse)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(),
    )
