"""Forms of idle-space revival: record one, link its consultation, its renovation project, the
space it opens as, or drop it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.budgeting.models import Idea
from gongzhi.core.models import Building, Community
from gongzhi.deliberation.models import Proposal
from gongzhi.opinions.models import Conversation
from gongzhi.spaces.models import Space
from gongzhi.spaces.revival_selectors import consultable_conversations, consultable_proposals


class IdleForm(forms.Form):
    title = forms.CharField(label=_("name"), max_length=80)
    location = forms.CharField(label=_("where it is"), max_length=200)
    building = forms.ModelChoiceField(
        label=_("building"), queryset=Building.objects.none(), required=False
    )
    area_m2 = forms.DecimalField(
        label=_("area (m²)"), min_value=0.1, max_value=100000, decimal_places=1
    )
    owner = forms.CharField(
        label=_("owner"),
        max_length=120,
        help_text=_("Who owns it: the property company, a unit, the housing office …"),
    )
    proposed_use = forms.CharField(
        label=_("proposed use"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    promised_hours_week = forms.IntegerField(
        label=_("hours of use a week promised"), min_value=1, max_value=168, required=False
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.in_community(community)  # type: ignore[attr-defined]


#: a posted proposal outside the offered ones (a draft, a withdrawn or a hidden one)
NOT_PUBLIC = _(
    "Choose a proposal every member can read in the hall: not a draft, "
    "a withdrawn one or one hidden by the moderators."
)


class ConsultForm(forms.Form):
    proposal = forms.ModelChoiceField(
        label=_("a proposal in the hall"),
        queryset=Proposal.objects.none(),
        required=False,
        help_text=_("The space opens once the council has accepted it."),
        error_messages={"invalid_choice": NOT_PUBLIC},
    )
    conversation = forms.ModelChoiceField(
        label=_("an opinion-map conversation"),
        queryset=Conversation.objects.none(),
        required=False,
        help_text=_("The space opens once the conversation has closed."),
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # only what every member reads: the idle page shows the linked one's title to all
        self.fields["proposal"].queryset = consultable_proposals(community)  # type: ignore[attr-defined]
        self.fields["conversation"].queryset = consultable_conversations(community)  # type: ignore[attr-defined]


class ProjectForm(forms.Form):
    project = forms.ModelChoiceField(
        label=_("the renovation's budgeting project"), queryset=Idea.objects.none()
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Idea.objects.in_community(community).order_by("-pk")  # type: ignore[attr-defined]


class OpenForm(forms.Form):
    space = forms.ModelChoiceField(
        label=_("the shared space it opens as"), queryset=Space.objects.none()
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = Space.objects.in_community(community).filter(  # type: ignore[attr-defined]
            revived_from__isnull=True
        )


class DropForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300)
