"""The scale library (量表库): validated instruments, and our own short scales, as versioned data.

One JSON file per instrument version in ``gongzhi/surveys/scales/``, named ``slug@version.json``.
A version never changes once a survey may have used it: a corrected wording is a new version.
Each file carries the items in Chinese and English, which items are reverse-keyed, the
subscales, the scoring rule (mean of the answered items, with the fewest answered items that
still give a score), the source citation, the licence status (``free``: published and used
without asking, which is not a formal licence; ``permission_required``: items withheld until a
licensed community adds them; ``own``: written for this platform), and whether the Chinese
wording is our own translation. ``notes`` says what could and could not be checked.

Every file is validated when the library is first read (unique keys, boolean reverse flags,
subscales that exist, sensible minimum numbers of answered items, at least two items), so a
broken file fails at start-up and in the tests, never in front of a resident.

A scale is asked as one rating grid (matrix question) per block of items answered with the same
options: most scales are one grid; collective efficacy is two, since informal social control is
answered "how likely" and social cohesion "how strongly do you agree". The grid's rows are named
by item key, its choices "1".."k", and ``scale`` = "slug@version" is how scoring finds it again.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from gongzhi.surveys.definition import Question

Labels = dict[str, str]

LANGUAGES = ("zh-hans", "en")
LICENCES = ("free", "permission_required", "own")
METHODS = ("mean",)
DIRECTORY = Path(__file__).with_name("scales")

SLUG_RE = re.compile(r"[a-z][a-z0-9_]{1,39}\Z")
VERSION_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-]{0,19}\Z")
# Item keys name the rows of a matrix question, so they follow the survey's name rule.
KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}\Z")
NAME_LIMIT = 40

_TOP_KEYS = {
    "slug",
    "version",
    "names",
    "citation",
    "licence",
    "licence_note",
    "translation_note",
    "notes",
    "instructions",
    "options",
    "subscales",
    "items",
    "scoring",
}
_ITEM_KEYS = {"key", "labels", "reverse", "subscale", "source_wording"}
_SUBSCALE_KEYS = {"key", "names", "instructions", "options", "expected_items"}
_OPTION_KEYS = {"name", "score", "labels"}


@dataclass(frozen=True)
class Option:
    """One response option: its choice name ("1".."k"), the score it counts for, its labels."""

    name: str
    score: int
    labels: Labels


@dataclass(frozen=True)
class Item:
    key: str
    labels: Labels
    reverse: bool
    subscale: str = ""  # "" for a scale without subscales
    source_wording: str = ""  # the published wording, where ours is a rewording of it


@dataclass(frozen=True)
class Subscale:
    key: str
    names: Labels
    instructions: Labels
    options: tuple[Option, ...]  # empty: the scale's own options
    expected_items: int | None  # for a permission-required scale whose items are not here


@dataclass(frozen=True)
class Block:
    """Items asked as one rating grid: consecutive items that share their response options."""

    name: str  # the matrix question's name
    text: Labels
    hints: Labels
    items: tuple[Item, ...]
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Scale:
    slug: str
    version: str
    names: Labels
    citation: str
    licence: str
    licence_note: Labels
    translation_note: Labels
    notes: Labels
    instructions: Labels
    options: tuple[Option, ...]
    subscales: tuple[Subscale, ...]
    items: tuple[Item, ...]
    method: str
    min_items: Mapping[str, int]  # "total" and every subscale key

    @property
    def ref(self) -> str:
        """``slug@version``, as surveys and licensed scales name it."""
        return f"{self.slug}@{self.version}"

    @property
    def has_items(self) -> bool:
        return bool(self.items)

    def subscale(self, key: str) -> Subscale:
        for subscale in self.subscales:
            if subscale.key == key:
                return subscale
        raise KeyError(key)

    def options_for(self, item: Item) -> tuple[Option, ...]:
        if item.subscale and self.subscale(item.subscale).options:
            return self.subscale(item.subscale).options
        return self.options

    def items_of(self, subscale: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.subscale == subscale)

    def blocks(self) -> tuple[Block, ...]:
        """The rating grids the scale is asked as, in item order."""
        runs: list[list[Item]] = []
        for item in self.items:
            if runs and self.options_for(runs[-1][-1]) == self.options_for(item):
                runs[-1].append(item)
            else:
                runs.append([item])
        blocks = []
        for number, run in enumerate(runs, start=1):
            subscales = {item.subscale for item in run}
            if len(runs) == 1:
                name = self.slug
            elif len(subscales) == 1 and run[0].subscale:
                name = f"{self.slug}_{run[0].subscale}"
            else:
                name = f"{self.slug}_{number}"
            sub = (
                self.subscale(run[0].subscale) if len(subscales) == 1 and run[0].subscale else None
            )
            if sub is not None and sub.instructions:
                text, hints = dict(sub.instructions), dict(self.instructions)
            else:
                text, hints = dict(self.instructions), {}
            blocks.append(
                Block(
                    name=name,
                    text=text,
                    hints=hints,
                    items=tuple(run),
                    options=self.options_for(run[0]),
                )
            )
        return tuple(blocks)

    def with_items(self, items: Sequence[Mapping[str, Any]]) -> Scale:
        """This permission-required scale with the items a licensed community added (the
        ``LicensedScale.items`` JSON: key, labels in Chinese or English or both, reverse,
        subscale), validated like a library file."""
        if self.licence != "permission_required":
            raise ValidationError(_("This scale's items are already in the library."))
        if self.items:
            raise ValidationError(_("This scale already has its items."))
        source = self.ref
        parsed = _items(items, source, self, both_languages=False)
        scale = replace(self, items=parsed)
        _check_items(scale, source)
        return scale


class UnknownScale(ValidationError, LookupError):
    """No such scale in the library (a ValidationError for forms, a LookupError for lookups)."""


def _error(source: str, message: str, **params: object) -> ValidationError:
    return ValidationError(
        _("Scale %(source)s: %(problem)s") % {"source": source, "problem": message % params}
    )


def _labels(value: Any, source: str, what: str, *, both: bool = True) -> Labels:
    if not isinstance(value, Mapping) or set(value) - set(LANGUAGES):
        raise _error(source, _("%(what)s must give texts for zh-hans and en."), what=what)
    texts = {code: value.get(code) for code in LANGUAGES if code in value}
    if any(not isinstance(text, str) or not text.strip() for text in texts.values()):
        raise _error(source, _("%(what)s has an empty text."), what=what)
    if (both and len(texts) != len(LANGUAGES)) or not texts:
        raise _error(source, _("%(what)s must give texts for zh-hans and en."), what=what)
    return {code: str(text).strip() for code, text in texts.items()}


def _options(value: Any, source: str, what: str) -> tuple[Option, ...]:
    if not isinstance(value, list) or len(value) < 2:
        raise _error(source, _("%(what)s needs at least two response options."), what=what)
    options = []
    for number, raw in enumerate(value, start=1):
        if not isinstance(raw, Mapping) or set(raw) != _OPTION_KEYS:
            raise _error(
                source,
                _("%(what)s: option %(number)s needs a name, a score and labels."),
                what=what,
                number=number,
            )
        if raw["name"] != str(number):
            raise _error(
                source, _("%(what)s: the options must be named 1 to k in order."), what=what
            )
        score = raw["score"]
        if type(score) is not int:
            raise _error(source, _("%(what)s: a score must be a whole number."), what=what)
        options.append(
            Option(name=str(number), score=score, labels=_labels(raw["labels"], source, what))
        )
    if any(b.score <= a.score for a, b in zip(options, options[1:], strict=False)):
        raise _error(
            source, _("%(what)s: the scores must increase with the option number."), what=what
        )
    return tuple(options)


def _items(
    value: Any, source: str, scale: Scale, *, both_languages: bool = True
) -> tuple[Item, ...]:
    if not isinstance(value, list):
        raise _error(source, _("items must be a list."))
    items: list[Item] = []
    seen: set[str] = set()
    subscales = {subscale.key for subscale in scale.subscales}
    for raw in value:
        if (
            not isinstance(raw, Mapping)
            or not {"key", "labels", "reverse"} <= set(raw)
            or set(raw) - _ITEM_KEYS
        ):
            raise _error(
                source, _("every item needs a key, labels and a reverse flag, and nothing else.")
            )
        key = raw["key"]
        if not isinstance(key, str) or not KEY_RE.match(key):
            raise _error(
                source,
                _("item key %(key)r must be letters, digits and _, starting with a letter."),
                key=key,
            )
        if key in seen:
            raise _error(source, _("item key %(key)s appears twice."), key=key)
        seen.add(key)
        if type(raw["reverse"]) is not bool:
            raise _error(source, _("item %(key)s: reverse must be true or false."), key=key)
        subscale = raw.get("subscale", "") or ""
        if subscale not in subscales and subscale != "":
            raise _error(
                source,
                _(
                    "item %(key)s belongs to a subscale %(subscale)r that the scale does not declare."
                ),
                key=key,
                subscale=subscale,
            )
        if not subscale and subscales:
            raise _error(source, _("item %(key)s must say which subscale it belongs to."), key=key)
        wording = raw.get("source_wording", "")
        if not isinstance(wording, str):
            raise _error(source, _("item %(key)s: source_wording must be text."), key=key)
        items.append(
            Item(
                key=key,
                labels=_labels(raw["labels"], source, key, both=both_languages),
                reverse=raw["reverse"],
                subscale=subscale,
                source_wording=wording,
            )
        )
    return tuple(items)


def _check_items(scale: Scale, source: str) -> None:
    """The checks that need the items: enough of them, every subscale used, sensible minimums,
    grid names that fit a question name."""
    if len(scale.items) < 2:
        raise ValidationError(_("A scale needs at least two items."))
    for key, count in _item_counts(scale).items():
        present = len(scale.items) if key == "total" else len(scale.items_of(key))
        if present == 0:
            raise _error(source, _("subscale %(key)s has no items."), key=key)
        if count is not None and present != count:
            raise _error(
                source,
                _("%(key)s needs %(count)s items, not %(present)s."),
                key=key,
                count=count,
                present=present,
            )
        _check_minimum(scale, source, key, present)
    names = [block.name for block in scale.blocks()]
    if len(set(names)) != len(names) or any(len(name) > NAME_LIMIT for name in names):
        raise _error(source, _("its rating grids need distinct names of at most 40 characters."))


def _item_counts(scale: Scale) -> dict[str, int | None]:
    counts: dict[str, int | None] = {"total": None}
    expected = [subscale.expected_items for subscale in scale.subscales]
    if scale.subscales and all(count is not None for count in expected):
        counts["total"] = sum(count for count in expected if count is not None)
    for subscale in scale.subscales:
        counts[subscale.key] = subscale.expected_items
    return counts


def _check_minimum(scale: Scale, source: str, key: str, items: int) -> None:
    # A score from fewer than half of the items would say more about which items someone
    # skipped than about them; demanding more than all of them would never give a score.
    minimum = scale.min_items[key]
    if not math.ceil(items / 2) <= minimum <= items:
        raise _error(
            source,
            _(
                "min_items for %(key)s must lie between half of its %(items)s items and all of them."
            ),
            key=key,
            items=items,
        )


def parse(data: Any, *, source: str) -> Scale:
    """One library file's content as a validated :class:`Scale` (ValidationError otherwise)."""
    if not isinstance(data, Mapping):
        raise _error(source, _("the file must hold one JSON object."))
    missing = (_TOP_KEYS - {"notes"}) - set(data)
    unknown = set(data) - _TOP_KEYS
    if missing or unknown:
        raise _error(
            source,
            _("fields missing: %(missing)s; fields not known: %(unknown)s."),
            missing=", ".join(sorted(missing)) or "-",
            unknown=", ".join(sorted(unknown)) or "-",
        )
    slug, version = data["slug"], data["version"]
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise _error(source, _("the slug must be lower-case letters, digits and _."))
    if not isinstance(version, str) or not VERSION_RE.match(version):
        raise _error(source, _("the version must be letters, digits, . and -."))
    if data["licence"] not in LICENCES:
        raise _error(
            source, _("the licence must be one of %(licences)s."), licences=", ".join(LICENCES)
        )
    if not isinstance(data["citation"], str) or not data["citation"].strip():
        raise _error(source, _("the citation is missing."))
    subscales_raw = data["subscales"]
    if not isinstance(subscales_raw, list):
        raise _error(source, _("subscales must be a list."))
    subscales: list[Subscale] = []
    for raw in subscales_raw:
        if (
            not isinstance(raw, Mapping)
            or not {"key", "names"} <= set(raw)
            or set(raw) - _SUBSCALE_KEYS
        ):
            raise _error(source, _("every subscale needs a key and names."))
        key = raw["key"]
        if not isinstance(key, str) or not KEY_RE.match(key) or key == "total":
            raise _error(source, _("subscale key %(key)r is not a valid name."), key=key)
        if any(s.key == key for s in subscales):
            raise _error(source, _("subscale key %(key)s appears twice."), key=key)
        expected = raw.get("expected_items")
        if expected is not None and (type(expected) is not int or expected < 1):
            raise _error(
                source,
                _("subscale %(key)s: expected_items must be a positive whole number."),
                key=key,
            )
        subscales.append(
            Subscale(
                key=key,
                names=_labels(raw["names"], source, key),
                instructions=_labels(raw["instructions"], source, key)
                if "instructions" in raw
                else {},
                options=_options(raw["options"], source, key) if "options" in raw else (),
                expected_items=expected,
            )
        )
    scoring = data["scoring"]
    if not isinstance(scoring, Mapping) or set(scoring) != {"method", "min_items"}:
        raise _error(source, _("scoring needs a method and min_items."))
    if scoring["method"] not in METHODS:
        raise _error(
            source, _("the scoring method must be one of %(methods)s."), methods=", ".join(METHODS)
        )
    minimums = scoring["min_items"]
    wanted = {"total"} | {s.key for s in subscales}
    if (
        not isinstance(minimums, Mapping)
        or set(minimums) != wanted
        or any(type(v) is not int for v in minimums.values())
    ):
        raise _error(source, _("min_items needs a whole number for total and for each subscale."))
    scale = Scale(
        slug=slug,
        version=version,
        names=_labels(data["names"], source, "names"),
        citation=data["citation"].strip(),
        licence=data["licence"],
        licence_note=_labels(data["licence_note"], source, "licence_note"),
        translation_note=_labels(data["translation_note"], source, "translation_note"),
        notes=_labels(data["notes"], source, "notes") if "notes" in data else {},
        instructions=_labels(data["instructions"], source, "instructions"),
        options=_options(data["options"], source, "options"),
        subscales=tuple(subscales),
        items=(),
        method=scoring["method"],
        min_items=dict(minimums),
    )
    scale = replace(scale, items=_items(data["items"], source, scale))
    if scale.items:
        _check_items(scale, source)
    elif scale.licence != "permission_required":
        raise ValidationError(_("A scale needs at least two items."))
    else:
        # Items withheld: the subscales must say how many items a licensed community will add,
        # so that the minimums can be checked now, and the items then.
        counts = _item_counts(scale)
        if any(count is None for count in counts.values()):
            raise _error(
                source, _("a scale without its items needs expected_items on every subscale.")
            )
        for key, count in counts.items():
            if count is not None:
                _check_minimum(scale, source, key, count)
    return scale


def load_file(path: Path) -> Scale:
    source = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise _error(
            source, _("the file cannot be read as JSON (%(error)s)."), error=error
        ) from error
    scale = parse(data, source=source)
    if path.name != f"{scale.ref}.json":
        raise _error(source, _("the file must be named %(name)s."), name=f"{scale.ref}.json")
    return scale


@functools.cache
def _library() -> tuple[Scale, ...]:
    return tuple(load_file(path) for path in sorted(DIRECTORY.glob("*.json")))


def library() -> dict[str, Scale]:
    """Every scale in the library, by ``slug@version``, each file validated on first use."""
    return {scale.ref: scale for scale in _library()}


def get(ref: str, *, community: Any = None) -> Scale:
    """The scale ``slug@version``; :class:`UnknownScale` (a translated ValidationError) if the
    library has none of that name.

    With ``community``, a permission-required scale comes with that community's licensed items
    once a second worker has confirmed them (``LicensedScale``); otherwise, and for every other
    scale, the library's own.
    """
    scale = library().get(ref)
    if scale is None:
        raise UnknownScale(_("There is no scale %(scale)s in the library.") % {"scale": ref})
    if community is not None and scale.licence == "permission_required" and not scale.items:
        # The one database read of this module, kept here so that every caller scores a
        # licensed scale from the same confirmed items.
        from gongzhi.surveys.models import LicensedScale

        licensed = (
            LicensedScale.objects.in_community(community)
            .filter(scale=ref, confirmed_by__isnull=False)
            .first()
        )
        if licensed is not None:
            return scale.with_items(licensed.items)
    return scale


def _language_labels(labels: Labels, language: str | None) -> Labels:
    if language is None or not labels:
        return dict(labels)
    if language in labels:
        return {language: labels[language]}
    return dict(labels)  # the other language rather than nothing


def _question(block: Block, scale: Scale, language: str | None) -> Question:
    from gongzhi.surveys.definition import Choice, Question

    return Question(
        name=block.name,
        kind="matrix",
        labels=_language_labels(block.text, language),
        hints=_language_labels(block.hints, language),
        required=False,
        choices=[
            Choice(name=option.name, labels=_language_labels(option.labels, language))
            for option in block.options
        ],
        rows=[
            Choice(name=item.key, labels=_language_labels(item.labels, language))
            for item in block.items
        ],
        scale=scale.ref,
    )


def _usable(scale: Scale | str, language: str | None) -> Scale:
    if isinstance(scale, str):
        scale = get(scale)
    if language is not None and language not in LANGUAGES:
        raise ValidationError(_("Unknown language %(language)s.") % {"language": language})
    if not scale.items:
        raise ValidationError(
            _(
                "This scale's items need its authors' permission: a licensed community adds "
                "them, and a second worker confirms them, before a survey can use it."
            )
        )
    return scale


def matrix_questions(scale: Scale | str, language: str | None = None) -> list[Question]:
    """The rating grids (``kind="matrix"``) that ask ``scale``: rows named by item key, choices
    "1".."k", ``scale="slug@version"``. With ``language`` ("zh-hans" or "en") only that
    language's texts are kept, for a survey written in one language; by default both."""
    usable = _usable(scale, language)
    return [_question(block, usable, language) for block in usable.blocks()]


def matrix_question(scale: Scale | str, language: str | None = None) -> Question:
    """The one rating grid that asks ``scale``, named after its slug. A scale whose items are
    answered with different options (collective efficacy) is more than one grid: use
    :func:`matrix_questions` for it; asking this function for it is a ValidationError."""
    questions = matrix_questions(scale, language)
    if len(questions) != 1:
        raise ValidationError(
            _("This scale is asked as %(count)s rating grids, one per set of answer options.")
            % {"count": len(questions)}
        )
    return questions[0]
