"""Routing a resident's ticket to a category (工单自动分类, R11.1): plain Python, NumPy and
scikit-learn, no Django.

The router is a multinomial logistic regression over TF-IDF features (Salton & Buckley 1988, with
sublinear tf; Jurafsky & Martin, *Speech and Language Processing*, ch. 4-5) of:

* words from jieba's segmentation (its dictionary ships inside the package: nothing is fetched);
* character 1- to 3-grams, which survive jieba's segmentation mistakes on short, colloquial text
  (a Chinese character is itself a morpheme: 漏, 吵, 狗 say much alone);
* vocabulary terms found in the text, whole (``t:``) and counted per category (``L:`` strong,
  ``l:`` weak).

Ten labelled tickets per category is the real history of a new community, so the router also knows
each category's default vocabulary (:mod:`gongzhi.feedback.lexicon`, written from domain knowledge)
in two ways: every term becomes a short pseudo-document of its category in the training set, whose
total weight per category is fixed (``Params.lexicon_weight``) so that a community's own tickets
outweigh it as they accumulate; and a category with no example at all still routes from its
vocabulary (cold start). Homophone typos (电体 for 电梯, 暖器 for 暖气), the usual slip of a pinyin
input method, are corrected before the features are taken: a stretch of the text with the same
toneless pinyin as a vocabulary term, sharing at least one character with it, is read as that term.

Staff corrections are training data: :meth:`Router.learn` gives back a router retrained with the
correction (a later label of the same text replaces the earlier one). Training is deterministic
(lbfgs, no random state involved) and takes well under a second for a few hundred tickets, so the
background task may simply retrain from the corrected history.

A trained router is stored as bytes (:meth:`Router.to_bytes`): an ``.npz`` archive of plain NumPy
arrays (no object arrays; loaded with ``allow_pickle=False``) plus a UTF-8 JSON document with the
vocabulary, categories, terms and parameters. Nothing in it is executed on loading.

A prediction below ``Params.threshold`` is marked ``needs_triage``: it goes to the human triage
queue, still showing its best guess and the ranking.

The shared test set (``../shared/data/tickets-zh/tickets.csv``) is *written test data*, not real
hotline tickets; results on it show that the router works, not how accurate it is on real hotline
data. The vocabulary was written without copying its wording.

Command line, for a community to check the router on its own history::

    python -m gongzhi.feedback.classify --train TRAIN.csv --eval EVAL.csv
    python -m gongzhi.feedback.classify --eval EVAL.csv        # vocabulary only (cold start)
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import math
import re
import sys
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from gongzhi.feedback.lexicon import lookup

#: Bumped when the stored layout or the features change; an older stored router must be retrained.
FORMAT = 1

MAX_TEXT_CHARS = 2000

_WORD_RUN = re.compile(r"\w+")
_DIGITS = re.compile(r"\d+")
_HAN = re.compile(r"[\u3400-\u9fff]")

#: Function words that carry no topic; the IDF would discount them anyway, but with ten tickets a
#: category it cannot yet tell them from topic words.
_STOPWORDS = frozenset(
    "的 了 是 我 我们 你 你们 他 她 它 他们 在 有 和 与 就 都 也 还 又 很 太 吧 吗 呢 啊 呀 哦 嘛 "
    "这 那 这个 那个 这些 一个 个 把 被 给 让 对 说 要 会 能 去 来 到 上 下 里 后 前 不 没 没有 "
    "请 请问 您 好 麻烦 一下 一直 已经 现在 今天 昨天 每天 天天 经常 总是 什么 怎么 为什么 谁".split()
)


class DataError(ValueError):
    """Bad training or evaluation input, with a message meant for the person who gave it."""


@dataclass(frozen=True)
class Category:
    """A routing target: the community's code and Chinese name, and optional seed words that
    add to (or, for a community's own category, stand in for) the default vocabulary."""

    code: str
    name: str
    seeds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prediction:
    """The router's answer for one ticket: the best category, its probability, every category
    from most to least likely, and whether a person should decide instead."""

    category: str
    confidence: float
    ranking: tuple[tuple[str, float], ...]
    needs_triage: bool


@dataclass(frozen=True)
class Params:
    """Training parameters: a moderately regularised regression, the vocabulary worth about ten
    tickets a category. They were set by reasoning, then checked on the shared test set, where
    halving or doubling ``c``, ``lexicon_weight`` or ``weak_weight`` moves macro-F1 by about 0.01
    (no grid search). The threshold was read off ``bench/classify.py``'s table: at 0.3 about a
    quarter of a new community's tickets go to triage, and the rest are routed about 92% right;
    confidence rises, and triage shrinks, as the community's history grows.

    **Frozen** (2026-12-03, :data:`FROZEN_PARAMS`): the shared 140 tickets were the development
    set that chose them (and the character unigrams), so a score on those tickets is a
    development-set result; nothing is tuned at run time, by the bench or by a community's
    evaluation (``manage.py hotline_router_eval``). A change here needs new, independent data."""

    #: Inverse L2 regularisation of the logistic regression.
    c: float = 10.0
    #: Total training weight of one category's vocabulary pseudo-documents, in tickets.
    lexicon_weight: float = 10.0
    #: Weight of a weak term relative to a strong one.
    weak_weight: float = 0.4
    #: Below this probability the ticket goes to human triage.
    threshold: float = 0.3
    #: Use the default vocabulary (off: examples only, the baseline).
    use_lexicon: bool = True


FROZEN_PARAMS = Params()
"""The parameters as frozen; ``tests/feedback/test_router_eval.py`` pins their values."""


@dataclass
class _Terms:
    """The vocabulary terms the router matches: term -> [(category index, weight)], and the same
    by toneless pinyin for terms of two characters or more (homophone typos)."""

    exact: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    by_pinyin: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    longest: int = 0

    @classmethod
    def build(cls, weighted: Iterable[tuple[str, int, float]]) -> _Terms:
        terms = cls()
        for raw, index, weight in weighted:
            term = _normalise(raw)
            if not term:
                continue
            entries = terms.exact.setdefault(term, [])
            if all(i != index for i, _ in entries):
                entries.append((index, weight))
            terms.longest = max(terms.longest, len(term))
            if len(term) >= 2 and _HAN.search(term):
                same = terms.by_pinyin.setdefault(_pinyin_of(term), [])
                if term not in same:
                    same.append(term)
        for same in terms.by_pinyin.values():
            same.sort()
        return terms

    def scan(self, text: str) -> tuple[str, list[str]]:
        """The text with homophone typos of terms corrected, and every term found in it."""
        found: list[str] = []
        corrections: list[tuple[int, int, str]] = []
        syllables = [_syllable(ch) for ch in text]
        n = len(text)
        for start in range(n):
            for length in range(1, min(self.longest, n - start) + 1):
                piece = text[start : start + length]
                if piece in self.exact:
                    found.append(piece)
                    continue
                if length < 2:
                    continue
                for term in self.by_pinyin.get(tuple(syllables[start : start + length]), ()):
                    if any(a == b for a, b in zip(piece, term, strict=True)):
                        found.append(term)
                        corrections.append((start, length, term))
                        break
        if not corrections:
            return text, found
        # Longest corrections first, then leftmost; overlapping ones are dropped.
        corrections.sort(key=lambda c: (-c[1], c[0]))
        taken = [False] * n
        chosen: list[tuple[int, int, str]] = []
        for start, length, term in corrections:
            if not any(taken[start : start + length]):
                taken[start : start + length] = [True] * length
                chosen.append((start, length, term))
        out = text
        for start, length, term in sorted(chosen, reverse=True):
            out = out[:start] + term + out[start + length :]
        return out, found

    def to_json(self) -> list[list[Any]]:
        return [[t, [[i, w] for i, w in e]] for t, e in sorted(self.exact.items())]

    @classmethod
    def from_json(cls, rows: list[list[Any]]) -> _Terms:
        return cls.build((t, int(i), float(w)) for t, entries in rows for i, w in entries)


def _normalise(text: str) -> str:
    # NFKC folds full-width letters, digits and punctuation (ＡＢＣ１２３，) into their usual forms.
    return unicodedata.normalize("NFKC", text).lower().strip()


def normalise(text: str) -> str:
    """The form under which two tickets count as the same text (a later label replaces an
    earlier one): NFKC, lower case, no surrounding blanks."""
    return _normalise(text)


@lru_cache(maxsize=65536)
def _syllable(ch: str) -> str:
    if not _HAN.match(ch):
        return ch
    from pypinyin import lazy_pinyin

    return lazy_pinyin(ch)[0]


def _pinyin_of(term: str) -> tuple[str, ...]:
    return tuple(_syllable(ch) for ch in term)


_jieba_ready = False


def _segment(text: str) -> list[str]:
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba_ready = True
    return [str(w) for w in jieba.lcut(text, HMM=True)]


def _features(text: str, terms: _Terms, codes: Sequence[str]) -> dict[str, float]:
    """Raw counts of every feature of one text (see the module docstring)."""
    text, found = terms.scan(_DIGITS.sub("0", _normalise(text)))
    counts: defaultdict[str, float] = defaultdict(float)
    for word in _segment(text):
        if _WORD_RUN.fullmatch(word) and word not in _STOPWORDS:
            counts["w:" + word] += 1
    for run in _WORD_RUN.findall(text):
        for size in (1, 2, 3):
            for i in range(len(run) - size + 1):
                counts["c:" + run[i : i + size]] += 1
    for term in found:
        counts["t:" + term] += 1
        entries = terms.exact[term]
        share = 1.0 / len(entries)
        for index, weight in entries:
            prefix = "L:" if weight >= 1.0 else "l:"
            counts[prefix + codes[index]] += share
    return dict(counts)


def _vectorise(
    counts: Mapping[str, float], vocabulary: dict[str, int], idf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Indices and L2-normalised sublinear TF-IDF values of the known features of one text."""
    pairs = sorted(
        (vocabulary[f], (1.0 + math.log(c)) if c >= 1 else c)
        for f, c in counts.items()
        if f in vocabulary and c > 0
    )
    if not pairs:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    indices = np.fromiter((i for i, _ in pairs), dtype=np.int64, count=len(pairs))
    values = np.fromiter((v for _, v in pairs), dtype=np.float64, count=len(pairs)) * idf[indices]
    norm = float(np.linalg.norm(values))
    return indices, values / norm if norm > 0 else values


class Router:
    """A trained router. Build one with :func:`train`; store it with :meth:`to_bytes`."""

    def __init__(
        self,
        *,
        categories: Sequence[Category],
        params: Params,
        examples: Sequence[tuple[str, str]],
        terms: _Terms,
        vocabulary: dict[str, int],
        idf: np.ndarray,
        coef: np.ndarray,
        intercept: np.ndarray,
    ) -> None:
        self.categories = tuple(categories)
        self.codes = tuple(c.code for c in self.categories)
        self.params = params
        self.examples = tuple(examples)
        self._terms = terms
        self._vocabulary = vocabulary
        self._idf = idf
        self._coef = coef
        self._intercept = intercept

    def scores(self, text: str) -> np.ndarray:
        """The probability of each category (in ``self.codes`` order) for one text."""
        counts = _features(text[:MAX_TEXT_CHARS], self._terms, self.codes)
        indices, values = _vectorise(counts, self._vocabulary, self._idf)
        logits = self._coef[:, indices] @ values + self._intercept
        logits -= logits.max()
        p = np.exp(logits)
        return np.asarray(p / p.sum())

    def predict(self, text: str) -> Prediction:
        p = self.scores(text)
        # Ties (an empty text) go to the category listed first, so the answer is reproducible.
        order = sorted(range(len(p)), key=lambda i: (-p[i], i))
        ranking = tuple((self.codes[i], float(p[i])) for i in order)
        best, confidence = ranking[0]
        return Prediction(
            category=best,
            confidence=confidence,
            ranking=ranking,
            needs_triage=confidence < self.params.threshold,
        )

    def learn(self, text: str, category: str) -> Router:
        """A router retrained with one staff correction added to its history."""
        return train([*self.examples, (text, category)], self.categories, params=self.params)

    def to_bytes(self) -> bytes:
        meta = {
            "format": FORMAT,
            "categories": [asdict(c) for c in self.categories],
            "params": asdict(self.params),
            "examples": [list(e) for e in self.examples],
            "terms": self._terms.to_json(),
            "features": sorted(self._vocabulary, key=self._vocabulary.__getitem__),
        }
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
            idf=self._idf,
            coef=self._coef,
            intercept=self._intercept,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Router:
        """A router stored by :meth:`to_bytes`. Raises ``ValueError`` for anything else."""
        try:
            archive = np.load(io.BytesIO(data), allow_pickle=False)
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise ValueError("a bare array, not an archive")
            with archive:
                meta = json.loads(archive["meta"].tobytes().decode())
                idf, coef, intercept = archive["idf"], archive["coef"], archive["intercept"]
        except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise ValueError(f"not a stored router: {exc}") from exc
        if meta.get("format") != FORMAT:
            raise ValueError(f"stored router has format {meta.get('format')}, expected {FORMAT}")
        categories = [
            Category(code=c["code"], name=c["name"], seeds=tuple(c["seeds"]))
            for c in meta["categories"]
        ]
        features = meta["features"]
        if coef.shape != (len(categories), len(features)) or idf.shape != (len(features),):
            raise ValueError("stored router is inconsistent")
        return cls(
            categories=categories,
            params=Params(**meta["params"]),
            examples=[(t, c) for t, c in meta["examples"]],
            terms=_Terms.from_json(meta["terms"]),
            vocabulary={f: i for i, f in enumerate(features)},
            idf=idf.astype(np.float64),
            coef=coef.astype(np.float64),
            intercept=intercept.astype(np.float64),
        )


def _weighted_terms(categories: Sequence[Category], params: Params) -> list[tuple[str, int, float]]:
    weighted: list[tuple[str, int, float]] = []
    for index, category in enumerate(categories):
        weighted.append((category.name, index, 1.0))
        weighted.extend((seed, index, 1.0) for seed in category.seeds)
        words = lookup(category.code, category.name) if params.use_lexicon else None
        if words is not None:
            weighted.extend((t, index, 1.0) for t in words.strong)
            weighted.extend((t, index, params.weak_weight) for t in words.weak)
    return weighted


def train(
    examples: Sequence[tuple[str, str]],
    categories: Sequence[Category],
    *,
    params: Params | None = None,
) -> Router:
    """A router for ``categories`` trained on labelled ``(text, category code)`` examples (which
    may be none at all). A later example with the same text overrides an earlier one."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    params = params or Params()
    if len(categories) < 2:
        raise DataError("at least two categories are needed to route tickets")
    codes = [c.code for c in categories]
    if len(set(codes)) != len(codes):
        raise DataError("category codes must be unique")
    index_of = {code: i for i, code in enumerate(codes)}
    latest: dict[str, tuple[str, str]] = {}
    for text, code in examples:
        if code not in index_of:
            raise DataError(f"unknown category {code!r}")
        if text.strip():
            latest[_normalise(text)] = (text, code)
    history = list(latest.values())

    weighted = _weighted_terms(categories, params)
    terms = _Terms.build(weighted)

    docs: list[dict[str, float]] = []
    labels: list[int] = []
    weights: list[float] = []
    # Real tickets: each category's tickets weigh the same in total (macro-averaged goals).
    per_class = Counter(code for _, code in history)
    mean = len(history) / max(len(per_class), 1)
    for text, code in history:
        docs.append(_features(text, terms, codes))
        labels.append(index_of[code])
        weights.append(mean / per_class[code])
    # Vocabulary pseudo-documents: one per term, lexicon_weight tickets per category in total.
    by_category: dict[int, list[tuple[str, float]]] = {}
    for term, index, weight in weighted:
        by_category.setdefault(index, []).append((term, weight))
    for index, items in sorted(by_category.items()):
        total = sum(w for _, w in items)
        for term, weight in items:
            docs.append(_features(term, terms, codes))
            labels.append(index)
            weights.append(params.lexicon_weight * weight / total)

    present = sorted(set(labels))
    if len(present) < 2:
        raise DataError("examples or vocabulary are needed for at least two categories")

    document_frequency: Counter[str] = Counter()
    for doc in docs:
        document_frequency.update(doc.keys())
    features = sorted(document_frequency)
    vocabulary = {f: i for i, f in enumerate(features)}
    n_docs = len(docs)
    idf = np.array([math.log((1 + n_docs) / (1 + document_frequency[f])) + 1.0 for f in features])

    from scipy.sparse import csr_matrix

    rows, cols, vals = [], [], []
    for row, doc in enumerate(docs):
        indices, values = _vectorise(doc, vocabulary, idf)
        rows.extend([row] * len(indices))
        cols.extend(indices.tolist())
        vals.extend(values.tolist())
    matrix = csr_matrix((vals, (rows, cols)), shape=(n_docs, len(features)))

    model = LogisticRegression(C=params.c, max_iter=1000)
    # One BLAS thread: on a busy two-core machine more threads made training ten times slower,
    # and one thread makes the result bit-for-bit the same wherever it runs.
    with threadpool_limits(limits=1):
        model.fit(matrix, np.array(labels), sample_weight=np.array(weights))
    if len(present) == 2:
        # A binary regression has one weight vector; as two softmax logits it is split in half.
        half_w, half_b = model.coef_[0] / 2, model.intercept_[0] / 2
        learned_w, learned_b = np.vstack([-half_w, half_w]), np.array([-half_b, half_b])
    else:
        learned_w, learned_b = model.coef_, model.intercept_
    # A category with neither examples nor vocabulary keeps no weights and a very low intercept.
    coef = np.zeros((len(codes), len(features)))
    intercept = np.full(len(codes), -30.0)
    for row, index in enumerate(model.classes_):
        coef[index] = learned_w[row]
        intercept[index] = learned_b[row]
    return Router(
        categories=categories,
        params=params,
        examples=history,
        terms=terms,
        vocabulary=vocabulary,
        idf=idf,
        coef=coef,
        intercept=intercept,
    )


# --- evaluation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryScore:
    code: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    macro_f1: float
    accuracy: float
    triage_rate: float
    routed_accuracy: float
    per_category: tuple[CategoryScore, ...]

    def report(self) -> str:
        lines = [
            f"macro_f1={self.macro_f1:.3f}",
            f"accuracy={self.accuracy:.3f}",
            f"triage_rate={self.triage_rate:.3f}",
            f"routed_accuracy={self.routed_accuracy:.3f}",
            f"{'category':<24} {'precision':>9} {'recall':>9} {'f1':>9} {'support':>8}",
        ]
        lines.extend(
            f"{s.code:<24} {s.precision:>9.3f} {s.recall:>9.3f} {s.f1:>9.3f} {s.support:>8d}"
            for s in self.per_category
        )
        return "\n".join(lines)


def evaluate(router: Router, examples: Sequence[tuple[str, str]]) -> Evaluation:
    """Scores of ``router`` on labelled examples it should not have seen. Macro-F1 averages the
    categories that occur in the labels or the predictions (as scikit-learn does); a triaged ticket
    counts with its best guess, and the triage rate is reported beside it."""
    if not examples:
        raise DataError("no examples to evaluate on")
    predictions = [router.predict(text) for text, _ in examples]
    truth = [code for _, code in examples]
    guessed = [p.category for p in predictions]
    codes = [c for c in router.codes if c in set(truth) | set(guessed)]
    codes += sorted(set(truth) - set(codes))
    scores = []
    for code in codes:
        tp = sum(1 for t, g in zip(truth, guessed, strict=True) if t == g == code)
        predicted = guessed.count(code)
        support = truth.count(code)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(CategoryScore(code, precision, recall, f1, support))
    routed = [(t, p) for t, p in zip(truth, predictions, strict=True) if not p.needs_triage]
    return Evaluation(
        macro_f1=sum(s.f1 for s in scores) / len(scores),
        accuracy=sum(1 for t, g in zip(truth, guessed, strict=True) if t == g) / len(truth),
        triage_rate=1 - len(routed) / len(truth),
        routed_accuracy=(
            sum(1 for t, p in routed if p.category == t) / len(routed) if routed else 0.0
        ),
        per_category=tuple(scores),
    )


def read_examples(path: Path) -> list[tuple[str, str]]:
    """``text,category`` rows of a CSV file in UTF-8 (with or without BOM) or GB18030."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            content = raw.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}: neither UTF-8 nor GB18030 text") from exc
    reader = csv.DictReader(io.StringIO(content, newline=""))
    if not reader.fieldnames or not {"text", "category"} <= {f.strip() for f in reader.fieldnames}:
        raise DataError(f"{path}: the first line must be the header text,category")
    examples = []
    for row in reader:
        row = {(k or "").strip(): v for k, v in row.items()}
        text, code = (row.get("text") or "").strip(), (row.get("category") or "").strip()
        if not text or not code:
            raise DataError(f"{path}, line {reader.line_num}: empty text or category")
        examples.append((text, code))
    if not examples:
        raise DataError(f"{path}: no tickets")
    return examples


def categories_for(codes: Iterable[str]) -> list[Category]:
    """Categories for codes, named from the default vocabulary where it knows them."""
    out = []
    for code in sorted(set(codes)):
        words = lookup(code)
        out.append(Category(code=code, name=words.name if words else code))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gongzhi.feedback.classify",
        description="Train the ticket router on TRAIN.csv and score it on EVAL.csv "
        "(CSV with the header text,category; UTF-8 or GB18030). Without --train, the router "
        "uses the default vocabulary alone (cold start).",
    )
    parser.add_argument("--train", type=Path, help="labelled history to learn from")
    parser.add_argument("--eval", type=Path, required=True, help="labelled tickets to score")
    args = parser.parse_args(argv)
    try:
        training = read_examples(args.train) if args.train else []
        held_out = read_examples(args.eval)
        known = {code for _, code in training} if training else {code for _, code in held_out}
        unknown = sorted({code for _, code in held_out} - known)
        if unknown:
            raise DataError(f"{args.eval}: categories not in {args.train}: {', '.join(unknown)}")
        router = train(training, categories_for(known))
        print(evaluate(router, held_out).report())
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
