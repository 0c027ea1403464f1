"""Forms of the survey builder (问卷设计): they parse what a community worker typed into the
shapes of ``definition``; ``editing`` decides what fits the survey and ``services`` saves it."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongzhi.surveys import editing
from gongzhi.surveys.definition import Definition, Question, label

KIND_CHOICES = [
    ("select_one", _("Single choice")),
    ("select_multiple", _("Multiple choice")),
    ("likert", _("Agreement scale (Likert)")),
    ("matrix", _("Rating grid (several rows, one scale)")),
    ("integer", _("Whole number")),
    ("decimal", _("Number with decimals")),
    ("text", _("Text")),
    ("date", _("Date")),
    ("rank", _("Ranking")),
]

OPERATOR_CHOICES = [
    ("=", _("is")),
    ("!=", _("is not")),
    (">", _("is more than")),
    (">=", _("is at least")),
    ("<", _("is less than")),
    ("<=", _("is at most")),
    ("selected", _("includes the choice")),
    ("not_selected", _("does not include the choice")),
    ("answered", _("is answered")),
]


class SurveyCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What it is for"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Residents read this before they answer."),
    )
    anonymous = forms.TypedChoiceField(
        label=_("Who answered"),
        choices=[
            ("yes", _("Anonymous: answers are kept like secret ballots")),
            ("no", _("Identified: answers are linked to the person, if they agree")),
        ],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
        help_text=_(
            "Only an identified survey can compare the same people's answers between waves."
        ),
    )


class SectionForm(forms.Form):
    label_zh = forms.CharField(label=_("Section title (Chinese)"), max_length=200, required=False)
    label_en = forms.CharField(label=_("Section title (English)"), max_length=200, required=False)

    def labels(self) -> dict[str, str]:
        return editing.clean_labels(
            {"zh-hans": self.cleaned_data["label_zh"], "en": self.cleaned_data["label_en"]}
        )


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of question"), choices=KIND_CHOICES)
    label_zh = forms.CharField(
        label=_("Question (Chinese)"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    label_en = forms.CharField(
        label=_("Question (English, optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    hint_zh = forms.CharField(label=_("Hint (Chinese, optional)"), max_length=300, required=False)
    hint_en = forms.CharField(label=_("Hint (English, optional)"), max_length=300, required=False)
    name = forms.CharField(
        label=_("Short name"),
        max_length=40,
        required=False,
        help_text=_(
            "Used in exports and skip logic: letters, digits and _. Left empty, one is made."
        ),
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    randomise = forms.BooleanField(
        label=_("Show the choices (or rows) in a random order"), required=False
    )
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One per line: 中文 | English. They are numbered 1, 2, 3…; write “value = …” to "
            "choose the value. A Likert question left empty gets five steps from "
            "“strongly disagree” to “strongly agree”."
        ),
    )
    rows = forms.CharField(
        label=_("Rows of a rating grid"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: 中文 | English. Each row is rated with the choices above."),
    )
    minimum = forms.FloatField(label=_("Smallest number allowed"), required=False)
    maximum = forms.FloatField(label=_("Largest number allowed"), required=False)

    def __init__(self, *args: Any, definition: Definition, editing_name: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.editing_name = editing_name

    @classmethod
    def initial_for(cls, q: Question) -> dict[str, Any]:
        return {
            "kind": q.kind,
            "name": q.name,
            "label_zh": q.labels.get("zh-hans", ""),
            "label_en": q.labels.get("en", ""),
            "hint_zh": q.hints.get("zh-hans", ""),
            "hint_en": q.hints.get("en", ""),
            "required": q.required,
            "randomise": q.randomise,
            "choices": editing.choices_text(q.choices),
            "rows": editing.choices_text(q.rows),
            "minimum": q.minimum,
            "maximum": q.maximum,
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        kind = data["kind"]
        try:
            choices = editing.parse_choices(data.get("choices") or "")
        except ValidationError as exc:
            self.add_error("choices", exc)
            return data
        try:
            rows = editing.parse_choices(data.get("rows") or "")
        except ValidationError as exc:
            self.add_error("rows", exc)
            return data
        if kind in ("likert", "matrix") and not choices:
            choices = editing.likert_choices()
        if kind not in editing.CHOICE_KINDS:
            choices = []
        if kind != "matrix":
            rows = []
        numbers = kind in editing.NUMBER_KINDS
        name = (data.get("name") or "").strip()
        if not name:
            name = self.editing_name or editing.free_name(self.definition, "q")
        previous = (
            editing.question(self.definition, self.editing_name) if self.editing_name else None
        )
        question = Question(
            name=name,
            kind=kind,
            labels=editing.clean_labels({"zh-hans": data["label_zh"], "en": data["label_en"]}),
            hints=editing.clean_labels({"zh-hans": data["hint_zh"], "en": data["hint_en"]}),
            required=data["required"],
            relevant=previous.relevant if previous else "",
            choices=choices,
            rows=rows,
            randomise=data["randomise"]
            and kind in ("select_one", "select_multiple", "rank", "matrix"),
            minimum=data.get("minimum") if numbers else None,
            maximum=data.get("maximum") if numbers else None,
            scale=previous.scale if previous else "",
        )
        try:
            editing.check_question(question)
        except ValidationError as exc:
            self.add_error(None, exc)
            return data
        data["question"] = question
        return data


class ConditionForm(forms.Form):
    """ "Show only if <earlier question> <op> <value>", or a raw XLSForm expression."""

    earlier = forms.ChoiceField(label=_("Show only if the answer to"), required=False)
    op = forms.ChoiceField(label=_("Comparison"), choices=OPERATOR_CHOICES, required=False)
    value = forms.CharField(
        label=_("Value"),
        max_length=100,
        required=False,
        help_text=_("For a choice question, its value (the number before each choice)."),
    )
    expression = forms.CharField(
        label=_("Or write the condition (XLSForm “relevant”, for advanced use)"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "off"}),
        help_text=_("For example: ${age} >= 60 and selected(${topics}, 'safety')"),
    )
    clear = forms.BooleanField(label=_("Always show it (remove the condition)"), required=False)

    def __init__(self, *args: Any, definition: Definition, name: str, language: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.earlier_questions = {q.name: q for q in editing.earlier_questions(definition, name)}
        cast(forms.ChoiceField, self.fields["earlier"]).choices = [("", "—")] + [
            (q.name, f"{q.name}: {label(q.labels, language)}")
            for q in self.earlier_questions.values()
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        if data.get("clear"):
            data["relevant"] = ""
            return data
        expression = (data.get("expression") or "").strip()
        if not expression:
            earlier = self.earlier_questions.get(data.get("earlier") or "")
            if earlier is None:
                raise ValidationError(_("Choose an earlier question, or write the condition."))
            try:
                expression = editing.condition(earlier, data.get("op") or "=", data["value"])
            except ValidationError as exc:
                self.add_error("value", exc)
                return data
        data["relevant"] = expression
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("XLSForm file (.xlsx)"),
        help_text=_("Made with KoboToolbox, ODK or Excel, in the subset described below."),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError(_("The file is larger than 5 MB."))
        return bytes(upload.read())


class AddScaleForm(forms.Form):
    survey = forms.TypedChoiceField(label=_("Add to the draft survey"), coerce=int)
    scale = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, surveys: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["survey"]).choices = surveys


class LicensedItemsForm(forms.Form):
    """A licensed community types in a permission-required scale's items."""

    scale = forms.CharField(widget=forms.HiddenInput)
    items = forms.CharField(
        label=_("Items"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One item per line: key | 中文 | English | reverse (yes or no) | subscale (optional)."
        ),
    )
    licence_note = forms.CharField(
        label=_("Licence"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who granted the permission, when, and for what use."),
    )

    def clean_items(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for number, line in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            parts += [""] * (5 - len(parts))
            key, zh, en, reverse, subscale = parts[:5]
            if not editing.NAME_RE.match(key) or not (zh or en):
                raise ValidationError(
                    _("Line %(line)s: give a key (letters, digits, _) and the item's text.")
                    % {"line": number}
                )
            if reverse.lower() not in ("", "yes", "no", "是", "否"):
                raise ValidationError(_("Line %(line)s: reverse is yes or no.") % {"line": number})
            items.append(
                {
                    "key": key,
                    "labels": editing.clean_labels({"zh-hans": zh, "en": en}),
                    "reverse": reverse.lower() in ("yes", "是"),
                    "subscale": subscale,
                }
            )
        if len(items) < 2:
            raise ValidationError(_("A scale needs at least two items."))
        if len({item["key"] for item in items}) != len(items):
            raise ValidationError(_("Two items have the same key."))
        return items
