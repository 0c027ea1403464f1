"""The community's trained router (R11.1): stored in the database, cached per process, retrained
from the staff's corrections.

A router is trained for the community's active categories on its labelled history (every
``RoutingCorrection``, the latest label of a text winning) plus the default vocabulary of
``lexicon.py``; a community with no history routes from the vocabulary alone (cold start).
Retraining after a correction runs in a background task, at most once per
``HOTLINE_RETRAIN_DELAY`` seconds per community (``core.soon.run_soon``); a router trained for
other categories than the active ones is retrained on first use.

:func:`router_evaluate` measures the router on the community's own labelled history, in time
order (``manage.py hotline_router_eval``): trained on the earlier labels, scored on the later ones,
as it would have routed them.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.feedback import classify
from gongzhi.feedback.models import Category, RoutingCorrection, StoredRouter

logger = logging.getLogger(__name__)

#: The most corrections a retraining reads (the newest): training stays well under a few seconds.
MAX_EXAMPLES = 5000

_cache: dict[int, tuple[object, classify.Router]] = {}
_lock = threading.Lock()


def categories_of(community_id: int) -> list[Category]:
    return list(Category.objects.in_community(community_id).filter(active=True))


def _router_categories(categories: list[Category]) -> list[classify.Category]:
    return [
        classify.Category(code=c.code, name=c.name, seeds=tuple(c.keywords.split()))
        for c in categories
    ]


def router_train(*, community_id: int) -> StoredRouter | None:
    """Train the community's router from its corrections and store it. None when the community
    has fewer than two active categories (nothing to choose between)."""
    categories = categories_of(community_id)
    if len(categories) < 2:
        return None
    codes = {c.pk: c.code for c in categories}
    rows = (
        RoutingCorrection.objects.in_community(community_id)
        .filter(category__in=list(codes))
        .order_by("-pk")
        .values_list("text", "category_id")[:MAX_EXAMPLES]
    )
    examples = [(text, codes[category]) for text, category in reversed(list(rows))]
    router = classify.train(examples, _router_categories(categories))
    values = {
        "data": router.to_bytes(),
        "codes": [c.code for c in categories],
        "examples": len(router.examples),
        "trained_at": timezone.now(),
    }
    try:
        with transaction.atomic():
            stored, _created = StoredRouter.objects.in_community(community_id).update_or_create(
                defaults=values
            )
    except IntegrityError:  # two first trainings at once: the other one's row is there now
        stored, _created = StoredRouter.objects.in_community(community_id).update_or_create(
            defaults=values
        )
    with _lock:
        _cache[community_id] = (stored.trained_at, router)
    return stored


def router_for(community_id: int) -> classify.Router | None:
    """The community's router, trained now if it has none for its active categories."""
    active = list(
        Category.objects.in_community(community_id)
        .filter(active=True)
        .values_list("code", flat=True)
    )
    if len(active) < 2:
        return None
    stored = (
        StoredRouter.objects.in_community(community_id)
        .filter(codes=active)
        .values_list("trained_at", flat=True)
        .first()
    )
    if stored is not None:
        with _lock:
            cached = _cache.get(community_id)
        if cached is not None and cached[0] == stored:
            return cached[1]
        row = StoredRouter.objects.in_community(community_id).get()
        try:
            router = classify.Router.from_bytes(bytes(row.data))
        except ValueError:
            logger.warning("stored router of community %s unreadable; retraining", community_id)
        else:
            with _lock:
                _cache[community_id] = (row.trained_at, router)
            return router
    router_train(community_id=community_id)
    with _lock:
        cached = _cache.get(community_id)
    return cached[1] if cached else None


def request_retrain(community_id: int) -> None:
    """After a correction's commit: retrain now (immediate task backend) or soon, once for many
    corrections. A failed retraining is logged; the previous router keeps routing."""
    from gongzhi.core.soon import run_soon
    from gongzhi.feedback.tasks import retrain_router

    try:
        run_soon(
            retrain_router,
            community_id,
            key=community_id,
            delay=float(getattr(settings, "HOTLINE_RETRAIN_DELAY", 30)),
            now=lambda: router_train(community_id=community_id),
        )
    except Exception:
        logger.exception("retraining the router of community %s failed", community_id)


@dataclass(frozen=True)
class HistoryEvaluation:
    """The router measured on a community's own history, in time order."""

    labelled: int
    train: int
    test: int
    train_until: datetime | None
    test_from: datetime
    seen_in_train: int
    result: classify.Evaluation
    cold_start: classify.Evaluation

    def lines(self) -> list[str]:
        """``key=value`` lines, for people and scripts alike."""
        stamp = self.train_until.isoformat() if self.train_until else "none"
        out = [
            "protocol=time-ordered (train on the earlier labels, score the later ones)",
            f"labelled={self.labelled}",
            f"train={self.train}",
            f"test={self.test}",
            f"train_until={stamp}",
            f"test_from={self.test_from.isoformat()}",
            f"test_seen_in_train={self.seen_in_train}",
            f"macro_f1={self.result.macro_f1:.3f}",
            f"accuracy={self.result.accuracy:.3f}",
            f"triage_rate={self.result.triage_rate:.3f}",
            f"routed_accuracy={self.result.routed_accuracy:.3f}",
            f"cold_start_macro_f1={self.cold_start.macro_f1:.3f}",
        ]
        out.extend(
            f"f1[{s.code}]={s.f1:.3f} support[{s.code}]={s.support}"
            for s in self.result.per_category
        )
        return out


def router_evaluate(
    *, community_id: int, test_share: float = 0.2, test_from: datetime | None = None
) -> HistoryEvaluation:
    """Score the router on the community's labelled tickets (its staff's routing corrections, in
    its active categories) the way it would have met them: trained with the frozen parameters
    on the labels given before ``test_from`` — by default, the earliest ``1 − test_share`` of
    them — and scored on the ones given from then on. Nothing is tuned on the later labels; the
    vocabulary-only router (cold start) is scored on the same tickets for comparison.
    Raises :class:`classify.DataError` when there is too little to measure."""
    categories = categories_of(community_id)
    if len(categories) < 2:
        raise classify.DataError("the community needs at least two active categories")
    codes = {c.pk: c.code for c in categories}
    rows = list(
        RoutingCorrection.objects.in_community(community_id)
        .filter(category__in=list(codes))
        .order_by("created_at", "pk")
        .values_list("text", "category_id", "created_at")
    )
    if test_from is None:
        if not 0 < test_share < 1:
            raise classify.DataError("the share of tickets to score must be between 0 and 1")
        split = len(rows) - max(1, math.ceil(len(rows) * test_share))
        # Labels given at the same moment stay on one side.
        while 0 < split < len(rows) and rows[split - 1][2] == rows[split][2]:
            split -= 1
    else:
        split = sum(1 for row in rows if row[2] < test_from)
    earlier, later = rows[:split], rows[split:]
    if len(rows) < 10 or not later:
        raise classify.DataError(
            f"too few labelled tickets to measure: {len(rows)} in all, {len(later)} to score "
            "(at least 10, and some after the split)"
        )
    train = [(text, codes[category]) for text, category, _at in earlier]
    test = [(text, codes[category]) for text, category, _at in later]
    router_categories = _router_categories(categories)
    router = classify.train(train, router_categories)
    known = {classify.normalise(text) for text, _code in train}
    return HistoryEvaluation(
        labelled=len(rows),
        train=len(train),
        test=len(test),
        train_until=earlier[-1][2] if earlier else None,
        test_from=later[0][2],
        seen_in_train=sum(1 for text, _code in test if classify.normalise(text) in known),
        result=classify.evaluate(router, test),
        cold_start=classify.evaluate(classify.train([], router_categories), test),
    )


def forget() -> None:
    """Tests: drop the cached routers."""
    with _lock:
        _cache.clear()
