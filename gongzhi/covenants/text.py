"""A covenant's text as plain values: articles (条) of paragraphs (款), amendments applied to it,
the consolidated text, a readable diff, and the drafting textarea's plain-text form. No Django.

Keys, not positions, name what an amendment or a comment is about: every article and paragraph
carries a ``key`` that never changes and is never reused within a covenant (``Text.next_key`` is
the next free one). Numbering (第一条, 第二条 …) is the position, computed when shown.

- ``apply(text, op)`` makes one change (the kinds of ``models.AmendmentKind``) and raises
  ``NotApplicable`` when its target is gone; ``consolidate`` folds the accepted amendments in the
  order they were accepted (Decidim's participatory texts apply accepted amendments the same way,
  one after the other onto the draft).
- ``diff(old, new)`` matches articles and paragraphs by key (positions only follow: no op moves
  anything), with character-level changes inside a changed text from ``difflib.SequenceMatcher``
  (``autojunk=False``: Chinese text repeats characters such as 的 and 不 far too often for the
  junk heuristic). It is exact: ``patch(old, diff(old, new)) == new`` (tests/covenants/test_text.py).
- ``parse(plain)`` reads the drafting textarea: a line ``第N条 heading`` starts an article.

Command line::

    python -m gongzhi.covenants.text apply draft.txt ops.json
    python -m gongzhi.covenants.text diff a.txt b.txt
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any


def gettext_noop(message: str) -> str:
    """Marks a message for the catalogue; callers translate it (``gettext(error.message)``)."""
    return message


# The kinds of change (the values of models.AmendmentKind, repeated here to keep Django out).
REPLACE = "replace"
INSERT_PARAGRAPH = "insert_paragraph"
INSERT_ARTICLE = "insert_article"
DELETE_PARAGRAPH = "delete_paragraph"
DELETE_ARTICLE = "delete_article"
KINDS = (REPLACE, INSERT_PARAGRAPH, INSERT_ARTICLE, DELETE_PARAGRAPH, DELETE_ARTICLE)

#: What each refusal says, in English msgids (translate with gettext where it is shown).
MESSAGES = {
    "article_missing": gettext_noop("The article this change is about no longer exists."),
    "paragraph_missing": gettext_noop("The paragraph this change is about no longer exists."),
    "last_paragraph": gettext_noop(
        "This is the article's only paragraph: propose deleting the whole article instead."
    ),
    "empty_text": gettext_noop("The new text is empty."),
    "last_article": gettext_noop("A covenant needs at least one article."),
}


class NotApplicable(Exception):
    """An op whose target is not in the text (or that would leave it without an article or
    paragraph). ``code`` is stable (a ValidationError code), ``message`` an English msgid."""

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        self.message = message or MESSAGES[code]
        super().__init__(self.message)


@dataclass(frozen=True)
class Para:
    key: int
    text: str
    #: the amendment (its id) that wrote this text, if one did
    origin: int | None = None


@dataclass(frozen=True)
class Art:
    key: int
    heading: str
    paras: tuple[Para, ...]
    #: the amendment (its id) that inserted this article, if one did
    origin: int | None = None


@dataclass(frozen=True)
class Text:
    articles: tuple[Art, ...]
    #: the next free key (articles and paragraphs share one counter)
    next_key: int
    preamble: str = ""

    def article(self, key: int) -> Art | None:
        for art in self.articles:
            if art.key == key:
                return art
        return None

    def paragraph_count(self) -> int:
        return sum(len(art.paras) for art in self.articles)


@dataclass(frozen=True)
class Op:
    """One change; ``ref`` (the amendment's id) becomes the ``origin`` of what it writes.

    - replace: paragraph ``paragraph_key`` (in article ``article_key`` when given) gets ``text``;
    - insert_paragraph: ``text`` as a new paragraph of article ``article_key``, after paragraph
      ``paragraph_key`` (first when None);
    - insert_article: an article with ``heading`` and ``text`` (one paragraph per line, blank
      lines dropped) after article ``article_key`` (first when None);
    - delete_paragraph: ``paragraph_key`` (in ``article_key`` when given); delete_article:
      ``article_key``.
    """

    kind: str
    article_key: int | None = None
    paragraph_key: int | None = None
    heading: str = ""
    text: str = ""
    ref: int | None = None


def one_line(text: str) -> str:
    """A paragraph's text: stripped, its lines joined by a space (a paragraph is one line of
    the plain form, so that ``parse(render_plain(t))`` gives ``t`` back)."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _find_paragraph(text: Text, op: Op) -> tuple[int, int]:
    """(article index, paragraph index) of ``op.paragraph_key``."""
    if op.article_key is not None and text.article(op.article_key) is None:
        raise NotApplicable("article_missing")
    for a_index, art in enumerate(text.articles):
        if op.article_key is not None and art.key != op.article_key:
            continue
        for p_index, para in enumerate(art.paras):
            if para.key == op.paragraph_key:
                return a_index, p_index
    raise NotApplicable("paragraph_missing")


def _article_index(text: Text, key: int | None) -> int:
    for index, art in enumerate(text.articles):
        if art.key == key:
            return index
    raise NotApplicable("article_missing")


def _with_article(text: Text, index: int, art: Art, *, next_key: int | None = None) -> Text:
    articles = text.articles[:index] + (art,) + text.articles[index + 1 :]
    return replace(text, articles=articles, next_key=next_key or text.next_key)


def apply(text: Text, op: Op) -> Text:
    """``text`` with ``op`` made; ``NotApplicable`` when it cannot be."""
    if op.kind == REPLACE:
        new = one_line(op.text)
        if not new:
            raise NotApplicable("empty_text")
        a_index, p_index = _find_paragraph(text, op)
        art = text.articles[a_index]
        written = Para(art.paras[p_index].key, new, op.ref)
        paras = art.paras[:p_index] + (written,) + art.paras[p_index + 1 :]
        return _with_article(text, a_index, replace(art, paras=paras))
    if op.kind == INSERT_PARAGRAPH:
        new = one_line(op.text)
        if not new:
            raise NotApplicable("empty_text")
        a_index = _article_index(text, op.article_key)
        art = text.articles[a_index]
        at = 0
        if op.paragraph_key is not None:
            keys = [para.key for para in art.paras]
            if op.paragraph_key not in keys:
                raise NotApplicable("paragraph_missing")
            at = keys.index(op.paragraph_key) + 1
        paras = art.paras[:at] + (Para(text.next_key, new, op.ref),) + art.paras[at:]
        return _with_article(text, a_index, replace(art, paras=paras), next_key=text.next_key + 1)
    if op.kind == INSERT_ARTICLE:
        lines = lines_of(op.text)
        if not lines:
            raise NotApplicable("empty_text")
        at = 0 if op.article_key is None else _article_index(text, op.article_key) + 1
        key = text.next_key
        art = Art(
            key,
            one_line(op.heading),
            tuple(Para(key + 1 + n, line, op.ref) for n, line in enumerate(lines)),
            op.ref,
        )
        articles = text.articles[:at] + (art,) + text.articles[at:]
        return replace(text, articles=articles, next_key=key + 1 + len(lines))
    if op.kind == DELETE_PARAGRAPH:
        a_index, p_index = _find_paragraph(text, op)
        art = text.articles[a_index]
        if len(art.paras) == 1:
            raise NotApplicable("last_paragraph")
        paras = art.paras[:p_index] + art.paras[p_index + 1 :]
        return _with_article(text, a_index, replace(art, paras=paras))
    if op.kind == DELETE_ARTICLE:
        a_index = _article_index(text, op.article_key)
        if len(text.articles) == 1:
            raise NotApplicable("last_article")
        return replace(text, articles=text.articles[:a_index] + text.articles[a_index + 1 :])
    raise ValueError(f"unknown kind of change: {op.kind!r}")


def consolidate(text: Text, ops: Iterable[Op]) -> Text:
    """The draft with ``ops`` applied in order (the accepted amendments, by ``sequence``)."""
    for op in ops:
        text = apply(text, op)
    return text


# --- the plain form (the drafting textarea) ----------------------------------------------------

ARTICLE_LINE = re.compile(r"^第[一二三四五六七八九十百零〇两\d]+条[\s:：]*(.*)$")

Outline = list[tuple[str, list[str]]]


def parse(plain: str) -> tuple[str, Outline]:
    """``(preamble, [(heading, [paragraphs])])`` from the plain text: a line ``第N条 heading``
    starts an article, every other non-blank line is a paragraph of it; lines before the first
    article are the preamble (joined by newlines)."""
    preamble: list[str] = []
    articles: Outline = []
    for raw in plain.splitlines():
        line = raw.strip()
        if not line:
            continue
        match = ARTICLE_LINE.match(line)
        if match:
            articles.append((match.group(1).strip(), []))
        elif articles:
            articles[-1][1].append(line)
        else:
            preamble.append(line)
    return "\n".join(preamble), articles


def from_outline(
    outline: Sequence[tuple[str, Sequence[str]]], *, preamble: str = "", start_key: int = 1
) -> Text:
    """A text with fresh keys from ``start_key``: each article one, then each of its
    paragraphs one (the order ``tests/covenants/world.py write_version`` uses too)."""
    key = start_key
    articles = []
    for heading, paragraphs in outline:
        art_key = key
        key += 1
        paras = []
        for paragraph in paragraphs:
            paras.append(Para(key, one_line(paragraph)))
            key += 1
        articles.append(Art(art_key, one_line(heading), tuple(paras)))
    return Text(tuple(articles), key, preamble)


def article_label(position: int) -> str:
    """第N条 for an article's position (1-based)."""
    return f"第{chinese_number(position)}条"


def render_plain(text: Text) -> str:
    """The plain form ``parse`` reads back: the preamble, then each article's ``第N条 heading``
    line and its paragraphs, a blank line between articles."""
    blocks = [text.preamble] if text.preamble else []
    for position, art in enumerate(text.articles, start=1):
        head = f"{article_label(position)} {art.heading}".rstrip()
        blocks.append("\n".join([head, *(para.text for para in art.paras)]))
    return "\n\n".join(blocks) + "\n"


DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五, 110 → 一百一十 (1 to 999)."""
    if not 1 <= n <= 999:
        raise ValueError(f"chinese_number counts from 1 to 999, not {n}")
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    out = ""
    if hundreds:
        out += DIGITS[hundreds] + "百"
        if tens == 0 and ones:
            return out + "零" + DIGITS[ones]
    if tens:
        # 十二 but 一百一十二: the leading 一 of the tens is dropped only at the front.
        out += ("" if tens == 1 and not hundreds else DIGITS[tens]) + "十"
    if ones:
        out += DIGITS[ones]
    return out


# --- the diff ----------------------------------------------------------------------------------

SAME = "same"
CHANGED = "changed"
INSERTED = "inserted"
DELETED = "deleted"


@dataclass(frozen=True)
class Segment:
    """A run of characters: ``equal`` in both, ``delete`` only in the old, ``insert`` only in
    the new text."""

    tag: str
    text: str


def segments(old: str, new: str) -> tuple[Segment, ...]:
    """Character-level changes from ``old`` to ``new``."""
    if old == new:
        return (Segment("equal", old),) if old else ()
    out: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(Segment("equal", old[i1:i2]))
        if tag in ("delete", "replace"):
            out.append(Segment("delete", old[i1:i2]))
        if tag in ("insert", "replace"):
            out.append(Segment("insert", new[j1:j2]))
    return tuple(out)


def side(parts: Iterable[Segment], which: str) -> str:
    """The old (``which="old"``) or new text the segments spell."""
    skip = "insert" if which == "old" else "delete"
    return "".join(part.text for part in parts if part.tag != skip)


@dataclass(frozen=True)
class ParaChange:
    kind: str
    key: int
    old: str | None
    new: str | None
    segments: tuple[Segment, ...]
    #: where the new side's text came from (an amendment id), None when deleted or original
    origin: int | None


@dataclass(frozen=True)
class Change:
    """An article's change. ``old_position``/``new_position`` are 1-based (None on the side
    where it does not exist); ``paras`` are its paragraphs' changes in reading order."""

    kind: str
    key: int
    old_position: int | None
    new_position: int | None
    old_heading: str | None
    new_heading: str | None
    heading_segments: tuple[Segment, ...]
    paras: tuple[ParaChange, ...]
    origin: int | None

    def counts(self) -> dict[str, int]:
        out = {SAME: 0, CHANGED: 0, INSERTED: 0, DELETED: 0}
        for para in self.paras:
            out[para.kind] += 1
        return out


def _merge(old_keys: Sequence[int], new_keys: Sequence[int]) -> list[tuple[int | None, int | None]]:
    """Pairs of (old index, new index) in reading order, matched by key. A key found on both
    sides but out of order (which no op makes) reads as deleted here and inserted there."""
    common = set(old_keys) & set(new_keys)
    i = j = 0
    out: list[tuple[int | None, int | None]] = []
    while i < len(old_keys) or j < len(new_keys):
        if i < len(old_keys) and old_keys[i] not in common:
            out.append((i, None))
            i += 1
        elif j < len(new_keys) and new_keys[j] not in common:
            out.append((None, j))
            j += 1
        elif old_keys[i] == new_keys[j]:
            out.append((i, j))
            i += 1
            j += 1
        else:
            # Moved: let the old one go as deleted; the new one then counts as inserted.
            common.discard(old_keys[i])
    return out


def _para_changes(old: Sequence[Para], new: Sequence[Para]) -> tuple[ParaChange, ...]:
    out = []
    for i, j in _merge([p.key for p in old], [p.key for p in new]):
        if j is None:
            assert i is not None
            o = old[i]
            out.append(ParaChange(DELETED, o.key, o.text, None, (Segment("delete", o.text),), None))
        elif i is None:
            n = new[j]
            out.append(
                ParaChange(INSERTED, n.key, None, n.text, (Segment("insert", n.text),), n.origin)
            )
        else:
            o, n = old[i], new[j]
            kind = SAME if o.text == n.text else CHANGED
            out.append(ParaChange(kind, n.key, o.text, n.text, segments(o.text, n.text), n.origin))
    return tuple(out)


def diff(old: Text, new: Text) -> list[Change]:
    """Every article of either text, in reading order, with what happened to it."""
    out = []
    pairs = _merge([a.key for a in old.articles], [a.key for a in new.articles])
    for i, j in pairs:
        if j is None:
            assert i is not None
            o = old.articles[i]
            out.append(
                Change(
                    DELETED, o.key, i + 1, None, o.heading, None,
                    segments(o.heading, ""), _para_changes(o.paras, ()), None,
                )
            )  # fmt: skip
        elif i is None:
            n = new.articles[j]
            out.append(
                Change(
                    INSERTED, n.key, None, j + 1, None, n.heading,
                    segments("", n.heading), _para_changes((), n.paras), n.origin,
                )
            )  # fmt: skip
        else:
            o, n = old.articles[i], new.articles[j]
            paras = _para_changes(o.paras, n.paras)
            same = o.heading == n.heading and all(p.kind == SAME for p in paras)
            out.append(
                Change(
                    SAME if same else CHANGED, n.key, i + 1, j + 1, o.heading, n.heading,
                    segments(o.heading, n.heading), paras, n.origin,
                )
            )  # fmt: skip
    return out


def patch(old: Text, changes: Sequence[Change]) -> Text:
    """The new text rebuilt from ``old`` and its diff (the proof that the diff is exact: the
    new side is read from the segments, never copied)."""
    articles = []
    for change in changes:
        if change.kind == DELETED:
            continue
        paras = tuple(
            Para(p.key, side(p.segments, "new"), p.origin)
            for p in change.paras
            if p.kind != DELETED
        )
        articles.append(Art(change.key, side(change.heading_segments, "new"), paras, change.origin))
    keys = [a.key for a in articles] + [p.key for a in articles for p in a.paras]
    next_key = max([old.next_key, *(k + 1 for k in keys)])
    return Text(tuple(articles), next_key, old.preamble)


@dataclass(frozen=True)
class Summary:
    articles: dict[str, int] = field(default_factory=dict)
    paragraphs: dict[str, int] = field(default_factory=dict)


def summary(changes: Sequence[Change]) -> Summary:
    """How many articles and paragraphs were changed, inserted and deleted."""
    articles = {SAME: 0, CHANGED: 0, INSERTED: 0, DELETED: 0}
    paragraphs = {SAME: 0, CHANGED: 0, INSERTED: 0, DELETED: 0}
    for change in changes:
        articles[change.kind] += 1
        for kind, n in change.counts().items():
            paragraphs[kind] += n
    return Summary(articles, paragraphs)


def marked(parts: Iterable[Segment]) -> str:
    """Segments as plain text with ``[-deleted-]`` and ``{+inserted+}`` marks."""
    out = []
    for part in parts:
        if part.tag == "delete":
            out.append(f"[-{part.text}-]")
        elif part.tag == "insert":
            out.append(f"{{+{part.text}+}}")
        else:
            out.append(part.text)
    return "".join(out)


# --- command line ------------------------------------------------------------------------------


def op_from_json(data: dict[str, Any]) -> Op:
    if data.get("kind") not in KINDS:
        raise ValueError(f"unknown kind of change: {data.get('kind')!r}")
    return Op(
        kind=data["kind"],
        article_key=data.get("article_key"),
        paragraph_key=data.get("paragraph_key"),
        heading=data.get("heading", ""),
        text=data.get("text", ""),
        ref=data.get("ref"),
    )


def _read(path: str) -> tuple[str, Outline]:
    with open(path, encoding="utf-8") as handle:
        return parse(handle.read())


def _pairs(old: Sequence[Any], new: Sequence[Any]) -> list[tuple[int | None, int | None]]:
    """Old and new items lined up by their content (for texts that carry no keys)."""
    out: list[tuple[int | None, int | None]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for _tag, i1, i2, j1, j2 in matcher.get_opcodes():
        both = min(i2 - i1, j2 - j1)
        out.extend((i1 + n, j1 + n) for n in range(both))
        out.extend((i, None) for i in range(i1 + both, i2))
        out.extend((None, j) for j in range(j1 + both, j2))
    return out


def rekey(old: Text, outline: Outline, *, preamble: str = "") -> Text:
    """The plain ``outline`` as a text whose articles and paragraphs keep the keys of ``old``'s
    where they line up by content (the command line's ``diff`` of two keyless files)."""
    key = old.next_key
    new_articles: list[Art] = []
    signatures = [(a.heading, tuple(p.text for p in a.paras)) for a in old.articles]
    new_signatures = [(one_line(h), tuple(one_line(p) for p in ps)) for h, ps in outline]
    matched = {
        j: i for i, j in _pairs(signatures, new_signatures) if i is not None and j is not None
    }
    for j, (heading, paragraphs) in enumerate(new_signatures):
        i = matched.get(j)
        if i is None:
            art_key, key = key, key + 1
            paras = []
            for paragraph in paragraphs:
                paras.append(Para(key, paragraph))
                key += 1
            new_articles.append(Art(art_key, heading, tuple(paras)))
            continue
        before = old.articles[i].paras
        keyed: list[Para] = []
        para_pairs = _pairs([p.text for p in before], list(paragraphs))
        para_match = {b: a for a, b in para_pairs if a is not None and b is not None}
        for n, paragraph in enumerate(paragraphs):
            if n in para_match:
                keyed.append(Para(before[para_match[n]].key, paragraph))
            else:
                keyed.append(Para(key, paragraph))
                key += 1
        new_articles.append(Art(old.articles[i].key, heading, tuple(keyed)))
    return Text(tuple(new_articles), key, preamble)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gongzhi.covenants.text",
        description="Apply amendments to a covenant's plain text, or diff two texts.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    apply_cmd = commands.add_parser(
        "apply", help="apply a JSON list of ops (keys: each article, then its paragraphs, from 1)"
    )
    apply_cmd.add_argument("draft")
    apply_cmd.add_argument("ops")
    diff_cmd = commands.add_parser("diff", help="what changed between two plain texts")
    diff_cmd.add_argument("old")
    diff_cmd.add_argument("new")
    args = parser.parse_args(argv)

    if args.command == "apply":
        preamble, outline = _read(args.draft)
        text = from_outline(outline, preamble=preamble)
        with open(args.ops, encoding="utf-8") as handle:
            ops = [op_from_json(item) for item in json.load(handle)]
        for number, op in enumerate(ops, start=1):
            try:
                text = apply(text, op)
            except NotApplicable as error:
                print(f"op {number}: {error.code}: {error.message}", file=sys.stderr)
                return 1
        sys.stdout.write(render_plain(text))
        print(f"articles={len(text.articles)} paragraphs={text.paragraph_count()}")
        return 0

    # Plain files carry no keys: the new file's articles and paragraphs take the old one's keys
    # where they line up by content.
    old_preamble, old_outline = _read(args.old)
    old = from_outline(old_outline, preamble=old_preamble)
    new_preamble, new_outline = _read(args.new)
    new = rekey(old, new_outline, preamble=new_preamble)
    changes = diff(old, new)
    for change in changes:
        if change.kind == SAME:
            continue
        position = change.new_position or change.old_position or 0
        print(f"{article_label(position)} ({change.kind}) {marked(change.heading_segments)}")
        for para in change.paras:
            if para.kind != SAME:
                print(f"  {para.kind}: {marked(para.segments)}")
    result = summary(changes)
    for name, counts in (("articles", result.articles), ("paragraphs", result.paragraphs)):
        print(
            f"{name} changed={counts[CHANGED]} inserted={counts[INSERTED]} "
            f"deleted={counts[DELETED]}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
