"""Forms of the bodies pages: a body with its first charter, a position, a term, the end of a
term, a decision, a charter amendment. Amounts are typed in yuan and stored in fen."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.bodies import selectors
from gongzhi.bodies.models import Body, BodyKind, Charter, ChosenBy, ThresholdBase, VacancyRule
from gongzhi.bodies.services import AMEND_CHARTER, CharterIn
from gongzhi.core.decisions import decision_kind_registry
from gongzhi.core.models import GRANTABLE_ROLES

DATE = forms.DateInput(attrs={"type": "date"})
NUMBER = {"inputmode": "numeric"}


def _fen(yuan: Decimal | None) -> int | None:
    return None if yuan is None else int(yuan * 100)


def _topics(text: str) -> list[str]:
    return [t.strip() for t in re.split(r"[,，、;；\n]", text) if t.strip()]


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


#: the charter's rules for its meetings (meetings app)
MEETING_RULES = (
    "proxies_allowed",
    "max_proxies",
    "second_sitting_quorum_percent",
    "notice_days",
    "extraordinary_notice_days",
    "minutes_objection_days",
)


class CharterForm(forms.Form):
    """The charter's rules, and one tick (with its ceiling or topics) per kind of decision."""

    quorum_percent = forms.IntegerField(
        label=_("Quorum (% of seated members present)"), required=False, min_value=0, max_value=100
    )
    threshold_percent = forms.IntegerField(
        label=_("Votes needed to decide (%)"),
        initial=50,
        min_value=50,
        max_value=100,
        help_text=_("Always more than half: 50 means a strict majority."),
    )
    threshold_base = forms.ChoiceField(
        label=_("Counted"), choices=ThresholdBase.choices, initial=ThresholdBase.PRESENT
    )
    amendment_percent = forms.IntegerField(
        label=_("Votes needed to amend the charter (% of seated members)"),
        initial=67,
        min_value=50,
        max_value=100,
    )
    meeting_every_days = forms.IntegerField(
        label=_("Meets at least every (days)"), initial=30, min_value=1, max_value=366
    )
    term_months = forms.IntegerField(
        label=_("Term of office (months)"), initial=36, min_value=1, max_value=120
    )
    vacancy_rule = forms.ChoiceField(
        label=_("Vacancies are filled by"), choices=VacancyRule.choices
    )
    proxies_allowed = forms.BooleanField(label=_("Members may vote by proxy"), required=False)
    max_proxies = forms.IntegerField(
        label=_("Proxies one member may hold"),
        initial=1,
        min_value=1,
        max_value=10,
        required=False,
    )
    second_sitting_quorum_percent = forms.IntegerField(
        label=_("Quorum of a second sitting (% of seated members)"),
        required=False,
        min_value=1,
        max_value=99,
        help_text=_("Empty: no second sitting when the first has no quorum."),
    )
    notice_days = forms.IntegerField(
        label=_("Agenda published ahead (days)"),
        initial=7,
        min_value=0,
        max_value=90,
        required=False,
    )
    extraordinary_notice_days = forms.IntegerField(
        label=_("Extraordinary meetings: agenda published ahead (days)"),
        initial=1,
        min_value=0,
        max_value=90,
        required=False,
    )
    minutes_objection_days = forms.IntegerField(
        label=_("Days to ask for a correction of the minutes"),
        initial=7,
        min_value=1,
        max_value=60,
        required=False,
    )
    text = forms.CharField(label=_("Charter text"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, charter: Charter | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        held = {p["kind"]: p for p in (charter.powers if charter else [])}
        for code, kind in decision_kind_registry().items():
            if code == AMEND_CHARTER or not kind.chartered:
                continue
            power = held.get(code)
            self.fields[f"power_{code}"] = forms.BooleanField(
                label=kind.label,
                required=False,
                initial=power is not None,
                help_text=kind.description,
            )
            if kind.amount:
                ceiling = power and power.get("max_amount_fen")
                self.fields[f"ceiling_{code}"] = forms.DecimalField(
                    label=_("Ceiling (yuan), empty for none"),
                    required=False,
                    min_value=0,
                    decimal_places=2,
                    initial=None if ceiling is None else Decimal(ceiling) / 100,
                )
            if kind.topics:
                self.fields[f"topics_{code}"] = forms.CharField(
                    label=_("Only on these topics (separated by 、), empty for any"),
                    required=False,
                    initial="、".join(power.get("topics", [])) if power else "",
                )
        if charter is not None:
            for name in (
                "quorum_percent",
                "threshold_percent",
                "threshold_base",
                "amendment_percent",
                "meeting_every_days",
                "term_months",
                "vacancy_rule",
                "text",
                *MEETING_RULES,
            ):
                self.fields[name].initial = getattr(charter, name)

    def powers(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "kind": code,
                "max_amount_fen": _fen(data.get(f"ceiling_{code}")),
                "topics": _topics(data.get(f"topics_{code}") or ""),
            }
            for code in decision_kind_registry()
            if data.get(f"power_{code}")
        ]

    def charter_in(self) -> CharterIn:
        data = self.cleaned_data
        return CharterIn(
            powers=self.powers(),
            quorum_percent=data.get("quorum_percent"),
            threshold_percent=data["threshold_percent"],
            threshold_base=data["threshold_base"],
            amendment_percent=data["amendment_percent"],
            meeting_every_days=data["meeting_every_days"],
            term_months=data["term_months"],
            vacancy_rule=data["vacancy_rule"],
            text=data.get("text") or "",
            proxies_allowed=bool(data.get("proxies_allowed")),
            max_proxies=data.get("max_proxies") or 1,
            second_sitting_quorum_percent=data.get("second_sitting_quorum_percent"),
            # left empty (or posted by an older form): the charter's defaults
            notice_days=_or(data.get("notice_days"), 7),
            extraordinary_notice_days=_or(data.get("extraordinary_notice_days"), 1),
            minutes_objection_days=_or(data.get("minutes_objection_days"), 7),
        )


class BodyForm(CharterForm):
    kind = forms.ChoiceField(label=_("Type"), choices=BodyKind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["kind", "name", "purpose"]


class PositionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=60, help_text=_("主任, 委员, 秘书 …"))
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=99, initial=1)
    role = forms.ChoiceField(
        label=_("Role it gives its holders during the term"),
        required=False,
        choices=[("", _("none")), *((r.value, r.label) for r in GRANTABLE_ROLES)],
    )


class MandateForm(forms.Form):
    position: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Position"), queryset=None
    )
    membership: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Member"), queryset=None
    )
    seat = forms.IntegerField(label=_("Seat"), min_value=1, initial=1)
    chosen_by = forms.ChoiceField(label=_("Chosen by"), choices=ChosenBy.choices)
    vote: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("The vote that elected them"),
        queryset=None,
        required=False,
        help_text=_("Only for an elected member: a closed vote of this community."),
    )
    starts_on = forms.DateField(label=_("Term starts"), widget=DATE)
    ends_on = forms.DateField(
        label=_("Term ends"),
        widget=DATE,
        required=False,
        help_text=_("Empty: the charter's term of office."),
    )

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["position"].queryset = selectors.positions_queryset(body)
        fields["membership"].queryset = selectors.members_to_choose(body.community)
        fields["membership"].label_from_instance = lambda m: str(m.user)
        fields["vote"].queryset = selectors.closed_votes(body.community)
        fields["starts_on"].initial = timezone.localdate()


class MandateEndForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the term ends early"),
        max_length=300,
        help_text=_("Resignation, moving away, recall … it is shown with the record."),
    )


class VoteCountForm(forms.Form):
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    present = forms.IntegerField(
        label=_("Members present"), min_value=0, widget=forms.NumberInput(NUMBER)
    )
    votes_for = forms.IntegerField(label=_("For"), min_value=0, widget=forms.NumberInput(NUMBER))
    votes_against = forms.IntegerField(label=_("Against"), min_value=0, initial=0)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()

    def counts(self) -> dict[str, Any]:
        names = ("decided_on", "present", "votes_for", "votes_against", "abstentions")
        return {name: self.cleaned_data[name] for name in names}


class DecisionForm(VoteCountForm):
    kind = forms.ChoiceField(label=_("Kind of decision"))
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("What was decided"), widget=forms.Textarea, required=False)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        required=False,
        min_value=0,
        decimal_places=2,
        help_text=_("For decisions about an amount."),
    )
    topic = forms.CharField(
        label=_("Topic"),
        required=False,
        max_length=60,
        help_text=_("For powers limited to topics."),
    )
    field_order = ["kind", "title", "text", "amount", "topic"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["kind"].choices = [
            (code, kind.label)
            for code, kind in decision_kind_registry().items()
            if code != AMEND_CHARTER and kind.chartered
        ]

    def decision(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "text": data.get("text") or "",
            "amount_fen": _fen(data.get("amount")),
            "topic": data.get("topic") or "",
            **self.counts(),
        }


class AmendForm(CharterForm, VoteCountForm):
    pass
