"""No English on Chinese pages: the demo street, every app with content (the hall, an open poll
and a closed secret vote with its published ballots, a participatory budget, the opinion map,
the hotline, notices, the profile), read in zh-Hans by a resident and by a community worker.

The test (in tests/test_demo_street.py, which seeds the street once for all the tests that need
it) walks the pages a person reaches by following links from the community's home and
fails if a page's text (or a label read aloud: aria-label, title, placeholder, alt) shows

- a msgid of the catalogue whose zh-Hans translation differs from it: a string the catalogue
  translates, shown in English (a string not wrapped in gettext, or wrapped in the wrong place);
- a raw choice code (``yes``/``no``/``abstain``, a model field's stored value) instead of its label.

A string newly wrapped in gettext has no translation until the translation pass fills the
catalogue, so it still shows in English: such English is listed as a warning (and, with CI set,
printed in the report), not failed on. Msgids of three characters or fewer, and those that are
the same in both languages (names, numbers, "Pol.is"), are ignored.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from babel.messages.pofile import read_po
from django.apps import apps

CATALOGUE = Path(__file__).resolve().parent.parent / (
    "gongzhi/locale/zh_Hans/LC_MESSAGES/django.po"
)
COMMUNITY = "xingfu"
#: Pages every walk starts from: each app's front page, the profile and the inbox.
START = [
    f"/c/{COMMUNITY}/",
    f"/c/{COMMUNITY}/proposals/",
    f"/c/{COMMUNITY}/votes/",
    f"/c/{COMMUNITY}/budgets/",
    f"/c/{COMMUNITY}/conversations/",
    f"/c/{COMMUNITY}/hotline/",
    f"/c/{COMMUNITY}/notices/",
    f"/c/{COMMUNITY}/volunteering/",
    f"/c/{COMMUNITY}/learning/",
    f"/c/{COMMUNITY}/covenants/",
    f"/c/{COMMUNITY}/mediation/",
    f"/c/{COMMUNITY}/me/",
    "/profile/",
    "/inbox/",
]
#: Links not followed: downloads, feeds and documents (not HTML pages), the API, the admin,
#: logging out, and other languages.
#: The copy of one's own data (/profile/data/) is left out: it shows the data as stored, keys and
#: codes included, as the copy a person downloads does.
SKIP = re.compile(
    r"/api/|/admin/|/accounts/|/i18n/|logout|export|download|\.(pb|csv|xlsx|ics|pdf|json|svg|png)"
    r"|/profile/data/"
    r"|/print|/qr|/feed|/files?/|/attachments?/|/uploads?/|lang=",
)
MAX_PAGES = 300
PER_SHAPE = 3
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")
#: Three or more English words in a row: English left on a Chinese page.
#: One or two lower-case English words standing alone: a name the code made up (a model without
#: a verbose_name), not written for a reader.
LOWER_WORDS = re.compile(r"[a-z]{3,}(?: [a-z]{3,})?")
ENGLISH_RUN = re.compile(r"[A-Za-z][a-z']+(?:[ ,:;-]+[A-Za-z][a-z']+){2,}")


def _normal(text: str) -> str:
    return SPACE.sub(" ", text).strip()


def catalogue() -> tuple[dict[str, tuple[str, re.Pattern[str]]], set[str]]:
    """The msgids the catalogue translates (as patterns that find them in a page's text, with
    placeholders matching anything short, each with the longest literal part the pattern
    cannot match without), and every msgid it holds."""
    with CATALOGUE.open("rb") as handle:
        po = read_po(handle)
    translated: dict[str, tuple[str, re.Pattern[str]]] = {}
    every: set[str] = set()
    for message in po:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        every.update(ids)
        if message.fuzzy or not any(strings):
            continue
        for msgid in ids:
            text = _normal(TAG.sub("", msgid))
            literal = PLACEHOLDER.sub("", text)
            if len(literal.strip()) <= 3 or not re.search("[a-z]", literal):
                continue
            if text in {_normal(s) for s in strings}:
                continue  # the same in both languages: a name
            if " " not in literal.strip():
                # One word ("vote", "Open") is a msgid only where it stands alone: a label, a
                # heading, a cell. Inside an English sentence it is part of that sentence.
                word = re.escape(text)
                translated[msgid] = (text, re.compile(rf"^[\W\d_]*{word}[\W\d_]*$"))
                continue
            parts = PLACEHOLDER.split(text)
            pattern = r".{0,80}?".join(map(re.escape, parts))
            translated[msgid] = (
                max(parts, key=len),
                re.compile(rf"(?<![A-Za-z0-9_]){pattern}(?![A-Za-z0-9_])"),
            )
    return translated, every


def choice_codes() -> set[str]:
    """Every stored value of a model field with choices that a reader could mistake for a
    word: the yes/no ballot's codes and each choice's value that has letters in it."""
    codes = {"yes", "no", "abstain"}
    for model in apps.get_models():
        if not model.__module__.startswith("gongzhi."):
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z_-]*", value):
                    if str(label) != value and ("_" in value or len(value) > 3):
                        codes.add(value)
    return codes


class Page(HTMLParser):
    """The text a person reads on a page (and hears: labels read aloud), and its links."""

    READ_ALOUD = ("aria-label", "title", "placeholder", "alt")
    #: ``<code>`` is an identifier shown as such (a hotline category's code for staff), which
    #: may equal a word the catalogue translates elsewhere (a dispute's kind, "noise").
    SKIPPED = {"script", "style", "template", "noscript", "code"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._skipping = 0
        #: the open elements marked ``lang="en"`` (a survey scale's English wording, shown as
        #: such beside the Chinese), each with how many of its own tag are open inside it
        self._english: list[list] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self._english and self._english[-1][0] == tag:
            self._english[-1][1] += 1
        elif (attributes.get("lang") or "").lower().startswith("en"):
            self._english.append([tag, 0])
            self._skipping += 1
        if tag in self.SKIPPED:
            self._skipping += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
        for name in self.READ_ALOUD:
            if attributes.get(name):
                self.texts.append(attributes[name] or "")
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self.texts.append(attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED and self._skipping:
            self._skipping -= 1
        if self._english and self._english[-1][0] == tag:
            if self._english[-1][1]:
                self._english[-1][1] -= 1
            else:
                self._english.pop()
                self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.texts.append(data)


def walk(client, start: list[str]) -> dict[str, Page]:
    """Follow links from ``start`` (GET only, inside the community, the profile and the inbox),
    breadth first, up to MAX_PAGES pages; each page once (paging links included)."""
    seen: dict[str, Page] = {}
    queue = list(start)
    inside = (f"/c/{COMMUNITY}/", "/profile/", "/inbox/")
    shapes: dict[str, int] = defaultdict(int)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        # A few of each kind of page (three members, three tickets), so that the walk reaches
        # every kind before the limit instead of every member's page.
        shape = re.sub(r"\d+", "N", url)
        if shapes[shape] >= PER_SHAPE:
            continue
        shapes[shape] += 1
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = Page()
        page.feed(response.content.decode())
        seen[url] = page
        for href in page.links:
            link = urldefrag(href)[0]
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith(inside):
                continue
            if SKIP.search(link) or link in seen:
                continue
            queue.append(link)
    return seen


def _embedded(text: str, match: re.Match[str]) -> bool:
    """Whether a msgid found in a text is part of a longer English text (a newly wrapped string
    the catalogue does not translate yet, "… at least 10% of …"): that text is reported as
    pending, not as this msgid shown untranslated."""
    before = text[: match.start()].rstrip(" ")
    after = text[match.end() :].lstrip(" .,:;!?")
    return bool(
        (before and before[-1].isascii() and before[-1].isalpha())
        or (after and after[0].isascii() and after[0].isalpha())
    )


def findings(pages: dict[str, Page]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    translated, every = catalogue()
    codes = choice_codes()
    code_pattern = re.compile(
        r"(?<![\w-])(" + "|".join(sorted(map(re.escape, codes), key=len, reverse=True)) + r")"
        r"(?![\w-])"
    )
    shown: dict[str, set[str]] = defaultdict(set)  # translated msgid or code → pages
    pending: dict[str, set[str]] = defaultdict(set)  # other English → pages
    # The same text (the menu, the footer, a button) is on most pages: each is read once.
    where: dict[str, set[str]] = defaultdict(set)
    for url, page in pages.items():
        for raw in page.texts:
            text = _normal(raw)
            if re.search("[A-Za-z]", text):
                where[text].add(url)
    for text, urls in where.items():
        hits = [
            msgid
            for msgid, (literal, pattern) in translated.items()
            if literal in text  # what the pattern cannot match without: a cheap first test
            and any(not _embedded(text, m) for m in pattern.finditer(text))
        ]
        for msgid in hits:
            shown[f"msgid: {msgid!r}"].update(urls)
        # A code standing alone (a cell, a list item, a tag): not a word inside a sentence.
        for match in code_pattern.finditer(text):
            if len(text) <= len(match.group(0)) + 3:
                shown[f"code: {match.group(0)!r}"].update(urls)
        if not hits and LOWER_WORDS.fullmatch(text):
            pending[text].update(urls)  # "ledger entry": a model's name without a verbose_name
        elif not hits:
            for run in ENGLISH_RUN.findall(text):
                if run not in every or run in translated:
                    pending[run].update(urls)
    return shown, pending


def report(found: dict[str, set[str]]) -> str:
    return "\n".join(
        f"  {what}  on {', '.join(sorted(urls)[:3])}{' …' if len(urls) > 3 else ''}"
        for what, urls in sorted(found.items())
    )


def test_the_scan_finds_english_and_codes():
    """The scanner itself: a translated msgid, a code standing alone, and pending English."""
    page = Page()
    page.feed(
        "<main><h1>投票</h1><p>Results so far</p><ol><li>abstain</li><li>赞成</li></ol>"
        '<button aria-label="Cast my ballot">✔</button>'
        "<p>This text is not in any catalogue at all</p><script>var yes = 1;</script></main>"
    )
    shown, pending = findings({"/x/": page})
    assert "msgid: 'Results so far'" in shown
    assert "code: 'abstain'" in shown
    assert "msgid: 'Cast my ballot'" in shown
    assert not any("yes" in key for key in shown)  # script text is not read
    assert any("catalogue" in run for run in pending)
