"""The community's trained router (R11.1): stored in the database, cached per process, retrained
from the staff's corrections.

A router is trained for the community's active categories on its labelled history (every
``RoutingCorrection``, the latest label of a text winning) plus the default vocabulary of
``lexicon.py``; a community with no history routes from the vocabulary alone (cold start).
Retraining after a correction runs in a background task, at most once per
``HOTLINE_RETRAIN_DELAY`` seconds per community (``core.soon.run_soon``); a router trained for
other categories than the active ones is retrained on first use.
"""

from __future__ import annotations

import logging
import threading

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


def forget() -> None:
    """Tests: drop the cached routers."""
    with _lock:
        _cache.clear()
