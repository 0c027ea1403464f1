"""Measuring the router on a community's own history (``manage.py hotline_router_eval``): trained
on the earlier labels, scored on the later ones; and the frozen parameters."""

from __future__ import annotations

import random
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from gongzhi.feedback import classify, routing
from gongzhi.feedback.models import RoutingCorrection, StoredRouter

TICKETS = Path(__file__).resolve().parents[3] / "shared" / "data" / "tickets-zh" / "tickets.csv"


def test_the_parameters_are_frozen() -> None:
    """The values chosen on the shared 140 tickets (the development set): a change here needs
    new, independent data, and docs/performance.md's figures with it."""
    assert classify.FROZEN_PARAMS == classify.Params(
        c=10.0, lexicon_weight=10.0, weak_weight=0.4, threshold=0.3, use_lexicon=True
    )
    assert classify.Params() == classify.FROZEN_PARAMS


def _label(community, categories, rows, start):
    """Corrections written in a shuffled order, each dated in history order: the command must
    order by date, not by row."""
    order = list(range(len(rows)))
    random.Random(7).shuffle(order)
    for i in order:
        text, code = rows[i]
        RoutingCorrection.objects.in_community(community).create(
            text=text, category=categories[code], created_at=start + timedelta(hours=i)
        )


def run(*args: str) -> dict[str, str]:
    out = StringIO()
    call_command("hotline_router_eval", *args, stdout=out)
    lines = out.getvalue().splitlines()
    return dict(line.split("=", 1) for line in lines if " " not in line.split("=", 1)[0])


@pytest.mark.django_db
@pytest.mark.skipif(not TICKETS.exists(), reason=f"the shared tickets are not at {TICKETS}")
def test_trains_on_the_earlier_labels_and_scores_the_later(community, categories) -> None:
    rows = classify.read_examples(TICKETS)
    random.Random(3).shuffle(rows)
    start = timezone.now() - timedelta(days=30)
    _label(community, categories, rows, start)
    stored = StoredRouter.objects.count()

    result = run(community.slug)  # the latest 20 %: 28 of 140
    assert result["community"] == community.slug
    assert (result["labelled"], result["train"], result["test"]) == ("140", "112", "28")
    assert result["test_from"] == (start + timedelta(hours=112)).isoformat()
    earlier, later = rows[:112], rows[112:]
    router_categories = routing._router_categories(routing.categories_of(community.pk))
    expected = classify.evaluate(classify.train(earlier, router_categories), later)
    assert result["macro_f1"] == f"{expected.macro_f1:.3f}"
    assert result["triage_rate"] == f"{expected.triage_rate:.3f}"
    cold = classify.evaluate(classify.train([], router_categories), later)
    assert result["cold_start_macro_f1"] == f"{cold.macro_f1:.3f}"
    assert result["test_seen_in_train"] == "0"
    assert StoredRouter.objects.count() == stored  # measuring trains nothing that routes

    dated = run(community.slug, "--test-from", (start + timedelta(hours=100)).isoformat())
    assert (dated["train"], dated["test"]) == ("100", "40")


@pytest.mark.django_db
def test_too_little_history_is_said_plainly(community, categories) -> None:
    _label(community, categories, [("电梯坏了", "elevator"), ("楼下太吵", "noise")], timezone.now())
    with pytest.raises(CommandError, match="too few labelled tickets"):
        call_command("hotline_router_eval", community.slug, stdout=StringIO())
    with pytest.raises(CommandError, match="no community"):
        call_command("hotline_router_eval", "nowhere", stdout=StringIO())
