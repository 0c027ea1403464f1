"""How well and how fast gongzhi.feedback.classify routes tickets it has never seen.

Protocol: repeated stratified 5-fold cross-validation on ``../shared/data/tickets-zh/tickets.csv``
(140 written tickets, 10 per category): 3 repeats with shuffling seeds 0, 1, 2; each fold trains on
112 tickets (8 per category) and scores the other 28. ``macro_f1`` is the mean macro-F1 of the 15
folds. Every ticket is scored by a router that never saw it. Measured in the same run:

* ``cold_start_macro_f1``: no tickets at all, the default vocabulary only, scored on all 140;
* ``no_lexicon_macro_f1``: the same router without the vocabulary (its own features, examples only);
* ``baseline_macro_f1``: TF-IDF on jieba words and character 1-3-grams with scikit-learn's
  LinearSVC, no vocabulary (the issue's reference point), on the same folds;
* ``p95_classify_ms``: the time of one ``Router.predict`` call, p95 over every held-out ticket of
  every fold, 5 passes each (2,100 calls), after one warm-up call (jieba's dictionary loading);
* the triage rate and the accuracy of the tickets routed without triage, at a few thresholds.

The set is written test data, not real hotline tickets; see the module docstring of the router.
It is also the **development set**: the router's parameters (``classify.FROZEN_PARAMS``) and its
character unigrams were chosen on these 140 tickets, so ``macro_f1`` here is a development-set
result, not an independent one. Nothing is tuned while the bench runs: every fold trains with the
frozen parameters, and the threshold table only reports. A community measures the router on its
own history with ``manage.py hotline_router_eval SLUG`` (time-ordered).

    .venv/bin/python bench/classify.py            # or --repeats 1 --data other.csv
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gongzhi.feedback import classify  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "tickets-zh" / "tickets.csv"
THRESHOLDS = (0.2, 0.3, 0.4, 0.5)


def baseline_f1(train: list[tuple[str, str]], test: list[tuple[str, str]]) -> float:
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import f1_score
    from sklearn.pipeline import make_union
    from sklearn.svm import LinearSVC

    features = make_union(
        TfidfVectorizer(tokenizer=jieba.lcut, token_pattern=None, sublinear_tf=True),
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
    )
    x = features.fit_transform([t for t, _ in train])
    model = LinearSVC().fit(x, [c for _, c in train])
    guessed = model.predict(features.transform([t for t, _ in test]))
    return float(f1_score([c for _, c in test], guessed, average="macro"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    if not args.data.exists():
        print(f"no labelled set at {args.data}", file=sys.stderr)
        return 2

    from sklearn.model_selection import StratifiedKFold

    examples = classify.read_examples(args.data)
    labels = [c for _, c in examples]
    categories = classify.categories_for(labels)
    print(f"data={args.data.name} tickets={len(examples)} categories={len(categories)}")
    print(f"python={platform.python_version()} machine={platform.machine()}")

    router_f1, plain_f1, base_f1, train_s, times_ms = [], [], [], [], []
    triage = {t: [0, 0, 0] for t in THRESHOLDS}  # triaged, routed, routed correctly
    for seed in range(args.repeats):
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
        for train_idx, test_idx in folds.split(examples, labels):
            train = [examples[i] for i in train_idx]
            test = [examples[i] for i in test_idx]
            start = time.perf_counter()
            router = classify.train(train, categories, params=classify.FROZEN_PARAMS)
            train_s.append(time.perf_counter() - start)
            router_f1.append(classify.evaluate(router, test).macro_f1)
            plain = classify.train(train, categories, params=classify.Params(use_lexicon=False))
            plain_f1.append(classify.evaluate(plain, test).macro_f1)
            base_f1.append(baseline_f1(train, test))
            router.predict(test[0][0])
            gc.collect()
            for _ in range(args.passes):
                for text, _ in test:
                    start = time.perf_counter()
                    router.predict(text)
                    times_ms.append((time.perf_counter() - start) * 1000)
            for text, code in test:
                prediction = router.predict(text)
                for threshold, counts in triage.items():
                    if prediction.confidence < threshold:
                        counts[0] += 1
                    else:
                        counts[1] += 1
                        counts[2] += prediction.category == code

    cold = classify.evaluate(classify.train([], categories), examples)
    print(
        f"protocol=stratified 5-fold x {args.repeats} repeats (seeds 0..{args.repeats - 1}), mean"
    )
    print("# development set: the frozen parameters were chosen on these tickets")
    print(f"macro_f1={statistics.mean(router_f1):.3f}")
    per_repeat = [statistics.mean(router_f1[i : i + 5]) for i in range(0, len(router_f1), 5)]
    print("macro_f1_per_repeat=" + ",".join(f"{f:.3f}" for f in per_repeat))
    print(f"p95_classify_ms={float(np.percentile(times_ms, 95)):.2f}")
    print(f"median_classify_ms={statistics.median(times_ms):.2f}")
    print(f"train_s_mean={statistics.mean(train_s):.2f}")
    print(f"cold_start_macro_f1={cold.macro_f1:.3f}")
    print(f"no_lexicon_macro_f1={statistics.mean(plain_f1):.3f}")
    print(f"baseline_macro_f1={statistics.mean(base_f1):.3f}")
    for threshold, (triaged, routed, correct) in triage.items():
        rate = triaged / (triaged + routed)
        accuracy = correct / routed if routed else 0.0
        print(f"threshold={threshold:.1f} triage_rate={rate:.3f} routed_accuracy={accuracy:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
