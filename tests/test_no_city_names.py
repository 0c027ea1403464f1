"""Labels a resident reads name what a rule does, not a city that uses it ("as Wieliczka" tells a
Chinese neighbourhood nothing). Docstrings, comments and tests may cite their sources; the strings
we translate — every gettext call in Python and every translate tag in a template — may not."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

from gongzhi.budgeting.models import Rule

ROOT = Path(settings.BASE_DIR) / "gongzhi"

CITIES = re.compile(
    r"Wieliczka|Warszaw|Warsaw|Krak[oó]w|Cracow|Katowice|Gda[nń]sk|Cz[eę]stochow|Wroc[lł]aw|"
    r"Toulouse|Lublin|Pozna[nń]|Porto Alegre|Aarau|维利奇卡|华沙|克拉科夫|卡托维兹|图卢兹",
    re.IGNORECASE,
)
GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
GETTEXT |= {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
TEMPLATE_STRINGS = re.compile(
    r"{%\s*translate\s+\"(.*?)\"|{%\s*blocktranslate\b.*?%}(.*?){%\s*endblocktranslate\s*%}",
    re.DOTALL,
)


def translated_in_python(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in GETTEXT:
                found += [
                    a.value
                    for a in node.args
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                ]
    return found


def translated_in_template(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [a or b for a, b in TEMPLATE_STRINGS.findall(text)]


def test_the_rule_labels_name_no_city():
    assert not [label for label in Rule.labels if CITIES.search(str(label))]


def test_no_translated_string_names_a_city():
    offenders = []
    sources = [p for p in ROOT.rglob("*.py") if "migrations" not in p.parts]
    for path in sources:
        offenders += [(path, s) for s in translated_in_python(path) if CITIES.search(s)]
    for path in ROOT.rglob("*.html"):
        offenders += [(path, s) for s in translated_in_template(path) if CITIES.search(s)]
    assert len(sources) > 50  # the walk found our code
    assert offenders == []
