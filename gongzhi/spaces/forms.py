"""The catalogue's forms: they parse; ``catalogue.py`` decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.bodies.models import Body, Partner
from gongzhi.core.models import Building, Community
from gongzhi.core.uploads import PHOTOS_HELP
from gongzhi.spaces import catalogue, catalogue_hours
from gongzhi.spaces.models import Space

#: the model's fields the form edits as they are (hours and the photo have fields of their own)
MODEL_FIELDS = [name for name in catalogue.FIELDS if name != "hours"]


class SpaceForm(forms.ModelForm):
    hours_text = forms.CharField(
        label=_("Opening hours"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_(
            "One line per rule, or JSON, as the opening-hours format reads it. "
            "Leave empty: open at any time."
        ),
    )
    new_photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=PHOTOS_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)

    class Meta:
        model = Space
        fields = MODEL_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "equipment": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, community: Community, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.community = community
        fields = self.fields
        fields["building"].queryset = Building.objects.in_community(community)  # type: ignore[attr-defined]
        fields["managed_by_body"].queryset = Body.objects.in_community(community)  # type: ignore[attr-defined]
        fields["managed_by_partner"].queryset = Partner.objects.filter(  # type: ignore[attr-defined]
            pk__in=[p.pk for p in catalogue.community_partners(community)]
        )
        if self.instance.pk:
            fields["hours_text"].initial = catalogue_hours.as_text(self.instance.hours)
        else:
            del fields["remove_photo"]
        # The model checks unique names and the one-manager rule with the service's own words.
        self._validate_unique = False

    def validate_unique(self) -> None:
        return None

    def _post_clean(self) -> None:
        # The service validates the whole space (with its own codes); the model's full_clean
        # would check the rows against constraints a second time, in other words.
        return None

    def space_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in MODEL_FIELDS}
        data["hours"] = self.cleaned_data.get("hours_text") or ""
        return data


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it closes (shown in the journal)"), max_length=300, required=False
    )
