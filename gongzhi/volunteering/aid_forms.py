"""The forms of mutual aid and the time bank's pages (the services validate again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.volunteering.aid import MAX_MINUTES
from gongzhi.volunteering.models import AidKind


class PostForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("I want to"),
        choices=[(AidKind.REQUEST, _("ask for help")), (AidKind.OFFER, _("offer help"))],
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("What"), max_length=120)
    description = forms.CharField(
        label=_("Details"), required=False, max_length=5000, widget=forms.Textarea
    )
    when = forms.CharField(label=_("When"), required=False, max_length=120)
    minutes = forms.IntegerField(
        label=_("How long it takes (minutes)"), min_value=1, max_value=MAX_MINUTES, initial=60
    )


class FilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("requests and offers")), *AidKind.choices],
    )


class RespondForm(forms.Form):
    minutes = forms.IntegerField(
        label=_("How long it takes (minutes)"), min_value=1, max_value=MAX_MINUTES
    )


class ReportForm(forms.Form):
    text = forms.CharField(label=_("What went wrong"), max_length=5000, widget=forms.Textarea)


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("How it was resolved"), max_length=5000, widget=forms.Textarea
    )


class GrantForm(forms.Form):
    phone = forms.CharField(label=_("The resident's phone number"), max_length=20)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Why it is reversed"), max_length=300)
