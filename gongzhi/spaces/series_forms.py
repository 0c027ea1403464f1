"""Forms of the series-and-draws part: a repeating booking (a plain choice of how often and how
many times, or a rule written out), a draw, a request in a draw and the draw's seed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongzhi.bodies.models import Body
from gongzhi.bodies.policies import sits_in_body
from gongzhi.bodies.selectors import bodies_of
from gongzhi.core.models import Community

#: how often, as the start of a rule; the form adds COUNT
OFTEN = {
    "weekly": "FREQ=WEEKLY",
    "fortnightly": "FREQ=WEEKLY;INTERVAL=2",
    "monthly": "FREQ=MONTHLY",
    "daily": "FREQ=DAILY",
}

LOCAL_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def my_bodies(community: Community, user: Any) -> list[Body]:
    """The organisations of the community ``user`` sits in (may book for)."""
    return [body for body in bodies_of(community) if sits_in_body(user, body)]


class _BodyChoice(forms.Form):
    body = forms.ModelChoiceField(
        label=_("Book for an organisation"),
        queryset=Body.objects.none(),
        required=False,
        empty_label=_("No, for myself"),
    )

    def __init__(self, *args: Any, community: Community, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["body"]
        assert isinstance(field, forms.ModelChoiceField)
        bodies = my_bodies(community, user)
        field.queryset = Body.objects.in_community(community).filter(pk__in=[b.pk for b in bodies])
        if not bodies:
            del self.fields["body"]


class SeriesForm(_BodyChoice):
    starts_at = forms.DateTimeField(label=_("First time"), widget=LOCAL_INPUT)
    minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=5, max_value=1440)
    often = forms.ChoiceField(
        label=_("Repeats"),
        choices=[
            ("weekly", _("every week")),
            ("fortnightly", _("every two weeks")),
            ("monthly", _("every month, same date")),
            ("daily", _("every day")),
            ("rule", _("as the rule below says")),
        ],
    )
    times = forms.IntegerField(
        label=_("How many times"), min_value=1, max_value=366, required=False, initial=10
    )
    rrule = forms.CharField(
        label=_("Repeat rule (RRULE), if you chose it"),
        max_length=200,
        required=False,
        help_text=_("For example FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270630. At most a year."),
    )
    exdates = forms.CharField(
        label=_("Days to skip"),
        required=False,
        help_text=_("Dates as 2026-10-01, separated by commas or spaces."),
    )
    purpose = forms.CharField(label=_("What it is for"), max_length=200)
    attendees = forms.IntegerField(label=_("People expected"), min_value=1, initial=1)

    def clean_exdates(self) -> list[date]:
        text = self.cleaned_data.get("exdates") or ""
        days: list[date] = []
        for item in text.replace(",", " ").replace("，", " ").split():
            try:
                days.append(date.fromisoformat(item))
            except ValueError as error:
                raise ValidationError(
                    _("“%(text)s” is not a date like 2026-10-01.") % {"text": item},
                    code="exdate",
                ) from error
        return days

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        often = data.get("often")
        if often == "rule":
            if not (data.get("rrule") or "").strip():
                self.add_error("rrule", _("Write the repeat rule, or choose how often."))
            data["rule"] = data.get("rrule", "")
        elif often in OFTEN:
            if not data.get("times"):
                self.add_error("times", _("Say how many times."))
            data["rule"] = f"{OFTEN[often]};COUNT={data.get('times') or 1}"
        return data


class DrawForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=LOCAL_INPUT)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=LOCAL_INPUT)
    closes_at = forms.DateTimeField(label=_("Requests close"), widget=LOCAL_INPUT)
    seed_rule = forms.CharField(
        label=_("Where the seed will come from"),
        max_length=200,
        help_text=_(
            "Announce it now, before anyone knows it: e.g. the welfare lottery's numbers "
            "drawn on the evening requests close."
        ),
    )


class DrawAskForm(_BodyChoice):
    purpose = forms.CharField(label=_("What it is for"), max_length=200)


class SeedForm(forms.Form):
    # not stripped: the lottery hashes the seed exactly as announced
    seed = forms.CharField(label=_("The seed, exactly as announced"), max_length=200, strip=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)
