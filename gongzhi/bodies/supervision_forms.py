"""The supervision committee's forms: raising an opinion, answering one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.bodies.models import Body
from gongzhi.bodies.supervision import MAX_SUBJECT, MAX_TEXT
from gongzhi.core.models import Community


class OpinionForm(forms.Form):
    body = forms.ModelChoiceField(
        label=_("Which body must answer"), queryset=Body.objects.none(), empty_label=None
    )
    subject = forms.CharField(label=_("About"), max_length=MAX_SUBJECT)
    text = forms.CharField(
        label=_("The opinion"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6})
    )
    due_on = forms.DateField(
        label=_("Answer due by"), widget=forms.DateInput(attrs={"type": "date"})
    )
    private = forms.BooleanField(
        label=_("It involves private data: do not publish it"), required=False
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bodies = Body.objects.in_community(community).filter(dissolved_at__isnull=True)
        body_field = self.fields["body"]
        assert isinstance(body_field, forms.ModelChoiceField)
        body_field.queryset = bodies.order_by("kind", "name")
        self.initial.setdefault("due_on", timezone.localdate() + timedelta(days=30))


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("The body's answer"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
