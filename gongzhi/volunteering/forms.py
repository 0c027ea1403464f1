"""Forms of volunteering's core part: they parse; ``services.py`` decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.volunteering.models import TeamKind, Volunteer, VolunteeringSettings
from gongzhi.volunteering.services import Registration

#: Skills the form offers as boxes to tick; anything else goes in "other skills".
COMMON_SKILLS = [
    ("急救", _("first aid")),
    ("陪伴老人", _("keeping elderly people company")),
    ("维修", _("repairs")),
    ("园艺", _("gardening")),
    ("摄影", _("photography")),
    ("外语", _("foreign languages")),
    ("电脑手机", _("computers and phones")),
    ("驾驶", _("driving")),
    ("辅导功课", _("homework help")),
    ("心理疏导", _("listening and counselling")),
]
COMMON = {value for value, _label in COMMON_SKILLS}

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VolunteerForm(forms.Form):
    """Register (or change a registration): what a volunteer tells the community."""

    skills = forms.MultipleChoiceField(
        label=_("Skills"),
        choices=COMMON_SKILLS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_skills = forms.CharField(
        label=_("Other skills"),
        max_length=300,
        required=False,
        help_text=_("Separated by commas."),
    )
    availability = forms.CharField(
        label=_("When you are available"),
        max_length=200,
        required=False,
        help_text=_("For example: weekends, weekday evenings."),
    )
    languages = forms.CharField(label=_("Languages you speak"), max_length=120, required=False)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DATE,
        help_text=_("Some activities have a minimum age. Under 18: a guardian must agree."),
    )
    emergency_name = forms.CharField(label=_("Emergency contact"), max_length=60)
    emergency_phone = forms.CharField(
        label=_("Emergency contact's mobile phone"),
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    insurance = forms.CharField(
        label=_("Insurance (insurer and policy)"), max_length=200, required=False
    )
    insured_until = forms.DateField(label=_("Insured until"), required=False, widget=DATE)
    guardian_name = forms.CharField(
        label=_("Guardian (for volunteers under 18)"), max_length=60, required=False
    )
    guardian_phone = forms.CharField(
        label=_("Guardian's mobile phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    guardian_consent = forms.BooleanField(
        label=_("The guardian agrees to this registration"), required=False
    )
    on_public_lists = forms.BooleanField(
        label=_("Show my name on public honours lists and thank-you notes"), required=False
    )

    @classmethod
    def of(cls, volunteer: Volunteer, data: Any = None) -> VolunteerForm:
        """The form filled with a registration, to change it."""
        skills = list(volunteer.skills or [])
        initial = {
            "skills": [s for s in skills if s in COMMON],
            "other_skills": ", ".join(s for s in skills if s not in COMMON),
            "guardian_consent": volunteer.guardian_consent_at is not None,
            **{
                name: getattr(volunteer, name)
                for name in (
                    "availability",
                    "languages",
                    "birth_date",
                    "emergency_name",
                    "emergency_phone",
                    "insurance",
                    "insured_until",
                    "guardian_name",
                    "guardian_phone",
                    "on_public_lists",
                )
            },
        }
        return cls(data, initial=initial)

    def registration(self) -> Registration:
        data = self.cleaned_data
        other = data.get("other_skills", "").replace("，", ",").replace("、", ",")
        skills = list(data.get("skills") or []) + [s.strip() for s in other.split(",")]
        return Registration(
            emergency_name=data["emergency_name"],
            emergency_phone=data["emergency_phone"],
            skills=[s for s in skills if s],
            availability=data.get("availability", ""),
            languages=data.get("languages", ""),
            birth_date=data.get("birth_date"),
            insurance=data.get("insurance", ""),
            insured_until=data.get("insured_until"),
            guardian_name=data.get("guardian_name", ""),
            guardian_phone=data.get("guardian_phone", ""),
            guardian_consent=bool(data.get("guardian_consent")),
            on_public_lists=bool(data.get("on_public_lists")),
        )


class JoinForm(VolunteerForm):
    """Register: the fields above, consent, and (staff only) whom to register (代办)."""

    consent = forms.BooleanField(
        label=_(
            "I agree that the community keeps my volunteer record (details, service and hours) "
            "and may send it to the national volunteer service system."
        ),
        required=False,
    )

    def __init__(self, *args: Any, on_behalf: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if on_behalf:
            self.fields["phone"] = forms.CharField(
                label=_("Register someone else (代办): their mobile phone"),
                max_length=30,
                required=False,
                help_text=_("Leave empty to register yourself."),
                widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
            )
            self.order_fields(["phone"])


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Type"), choices=TeamKind.choices)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    partner = forms.TypedChoiceField(
        label=_("Run by a partner"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, partners: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partner_field: Any = self.fields["partner"]
        partner_field.choices = [("", _("The community")), *((p.pk, p.name) for p in partners)]


class PhoneForm(forms.Form):
    """Whom: a volunteer, by their mobile phone (as a worker types it)."""

    phone = forms.CharField(
        label=_("The volunteer's mobile phone"),
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )


class VolunteerFilterForm(forms.Form):
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)
    skill = forms.CharField(label=_("Skill"), max_length=40, required=False)

    def __init__(self, *args: Any, teams: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field: Any = self.fields["team"]
        team_field.choices = [("", _("All teams")), *((t.pk, t.name) for t in teams)]


class SettingsForm(forms.Form):
    unit_minutes = forms.IntegerField(
        label=_("Hours are counted in units of (minutes)"), min_value=1, max_value=240
    )
    threshold_minutes = forms.IntegerField(
        label=_("A started unit counts from (minutes)"), min_value=0, max_value=240
    )
    star_hours = forms.CharField(
        label=_("Star levels (hours)"),
        max_length=200,
        help_text=_("Increasing, separated by commas: 100, 300, 600, 1000, 1500."),
    )
    issuer_name = forms.CharField(
        label=_("Issuing organisation (on certificates)"), max_length=200, required=False
    )
    responsible_name = forms.CharField(
        label=_("Person responsible (on certificates)"), max_length=60, required=False
    )
    seal = forms.FileField(
        label=_("Seal (公章) image"),
        required=False,
        help_text=_("A picture (PNG, JPEG or WebP) of the seal printed on certificates."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_seal = forms.BooleanField(label=_("Remove the seal"), required=False)
    timebank_floor_minutes = forms.IntegerField(
        label=_("Time bank: lowest balance (minutes)"), max_value=0
    )
    timebank_ceiling_minutes = forms.IntegerField(
        label=_("Time bank: highest balance (minutes)"), min_value=0
    )
    timebank_starting_minutes = forms.IntegerField(
        label=_("Time bank: starting credit (minutes)"), min_value=0
    )

    @classmethod
    def of(cls, saved: VolunteeringSettings, data: Any = None, files: Any = None) -> SettingsForm:
        initial = {
            name: getattr(saved, name)
            for name in (
                "unit_minutes",
                "threshold_minutes",
                "issuer_name",
                "responsible_name",
                "timebank_floor_minutes",
                "timebank_ceiling_minutes",
                "timebank_starting_minutes",
            )
        }
        initial["star_hours"] = ", ".join(str(h) for h in saved.star_hours)
        return cls(data, files, initial=initial)
