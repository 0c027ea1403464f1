"""The consultation's forms: a comment on an article or one of its paragraphs, and an amendment
to an article (what kind of change, which paragraph, the new text, the reason). Both are built
for one article of the draft: its paragraphs are the choices, the tapped one preselected."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.covenants import text as covenant_text
from gongzhi.covenants.models import AmendmentKind, Paragraph

PREVIEW = 40


def paragraph_choices(paragraphs: Iterable[Paragraph], none_label: Any) -> list[tuple[Any, Any]]:
    choices: list[tuple[Any, Any]] = [("", none_label)]
    for paragraph in paragraphs:
        text = paragraph.text
        preview = text if len(text) <= PREVIEW else text[:PREVIEW] + "…"
        label = f"第{covenant_text.chinese_number(paragraph.position)}款 {preview}"
        choices.append((paragraph.key, label))
    return choices


class CommentForm(forms.Form):
    paragraph = forms.TypedChoiceField(
        label=_("About"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    text = forms.CharField(
        label=_("Your comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, paragraphs: Iterable[Paragraph] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["paragraph"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = paragraph_choices(paragraphs, _("The whole article"))


class AmendmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What change do you propose?"),
        choices=AmendmentKind.choices,
        widget=forms.RadioSelect,
        initial=AmendmentKind.REPLACE,
    )
    paragraph = forms.TypedChoiceField(
        label=_("Which paragraph"),
        help_text=_(
            "The paragraph to replace or delete; for a new paragraph, the one it follows "
            "(none: at the start of the article). A new article follows this one."
        ),
        coerce=int,
        empty_value=None,
        required=False,
    )
    heading = forms.CharField(label=_("Heading of the new article"), max_length=120, required=False)
    text = forms.CharField(
        label=_("The new text"),
        help_text=_("For a new article, one paragraph a line. Leave empty to delete."),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, paragraphs: Iterable[Paragraph] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["paragraph"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = paragraph_choices(paragraphs, _("None"))
