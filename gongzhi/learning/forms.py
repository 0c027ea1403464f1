"""Forms of the courses part: they parse; ``services.py`` decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core import qualifications
from gongzhi.learning.models import Course, CourseSession, Topic, TrainerKind

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
MATERIAL_MAX_BYTES = 10 * 1024 * 1024


def _when(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMATS[0]),
    )


def _phone(label: Any, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=30,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    topic = forms.ChoiceField(label=pgettext_lazy("course", "Topic"), choices=Topic.choices)
    description = forms.CharField(
        label=_("What the course is about"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=1000, initial=20)
    qualification = forms.ChoiceField(label=_("Qualification it grants"), required=False)
    valid_months = forms.IntegerField(
        label=_("The qualification holds for (months)"),
        min_value=0,
        max_value=600,
        initial=0,
        help_text=_("0: it does not expire."),
    )
    min_attendance = forms.IntegerField(
        label=_("Attendance needed to complete (%)"), min_value=0, max_value=100, initial=80
    )
    assessed = forms.BooleanField(label=_("A trainer marks an assessment"), required=False)
    enrol_until = forms.DateField(
        label=_("Enrolment closes on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty: until the last session starts."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("none"))] + [
            (c, str(label)) for c, label in qualifications.known().items()
        ]
        self.fields["qualification"].choices = choices  # type: ignore[attr-defined]

    @classmethod
    def of(cls, course: Course, data: Any = None) -> CourseForm:
        return cls(data, initial={name: getattr(course, name) for name in FIELDS})

    def course_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in FIELDS}


FIELDS = (
    "title",
    "topic",
    "description",
    "capacity",
    "qualification",
    "valid_months",
    "min_attendance",
    "assessed",
    "enrol_until",
)


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    starts_at = _when(_("Starts"))
    ends_at = _when(_("Ends"))
    place = forms.CharField(label=_("Place"), max_length=120)
    trainer = forms.TypedChoiceField(
        label=_("Trainer"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, trainers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("not said"))] + [(t.person_id, str(t.person)) for t in trainers]
        self.fields["trainer"].choices = choices  # type: ignore[attr-defined]

    @classmethod
    def of(cls, session: CourseSession, trainers: list[Any], data: Any = None) -> SessionForm:
        initial = {
            "title": session.title,
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "place": session.place,
            "trainer": session.trainer_id,
        }
        return cls(data, trainers=trainers, initial=initial)


class TrainerForm(forms.Form):
    phone = _phone(_("The trainer's mobile phone"))
    kind = forms.ChoiceField(label=_("The trainer is a"), choices=TrainerKind.choices)
    partner = forms.TypedChoiceField(
        label=_("Partner (for a partner's trainer)"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, partners: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(p.pk, p.name) for p in partners]
        self.fields["partner"].choices = choices  # type: ignore[attr-defined]


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    file = forms.FileField(label=_("Or a file (PDF or photo, up to 10 MB)"), required=False)


class EnrolForm(forms.Form):
    """Enrolling oneself (who told me, optional) or, for staff, a resident by phone (代办)."""

    phone = _phone(_("The resident's mobile phone (enrol someone else: 代办)"), required=False)
    recruited_by = _phone(
        _("Who told you about this course? (their mobile phone, optional)"),
        required=False,
        help_text=_("A neighbour who brought you in: it is how we learn how training spreads."),
    )

    def __init__(self, *args: Any, on_behalf: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not on_behalf:
            del self.fields["phone"]
