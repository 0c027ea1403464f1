"""Measure the hotline router on a community's own labelled tickets, in time order.

    manage.py hotline_router_eval SLUG                   # the latest 20 % of labels scored
    manage.py hotline_router_eval SLUG --test-share 0.3
    manage.py hotline_router_eval SLUG --test-from 2026-10-01

The labelled tickets are the staff's routing corrections in the community's active categories
(the router's training data). The router is trained, with its frozen parameters, on the labels
given before the split and scored on those given after it — as it would have routed them —
beside the vocabulary-only router on the same tickets. Prints ``key=value`` lines; nothing is
stored and no router changes (``routing.router_evaluate``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.core.models import Community
from gongzhi.feedback import classify
from gongzhi.feedback.routing import router_evaluate


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--test-from: not a date or time: {text!r}") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Score the ticket router on the community's own labelled history, in time order."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("community", help="the community's slug")
        parser.add_argument(
            "--test-share",
            type=float,
            default=0.2,
            help="the share of the latest labels to score (default 0.2)",
        )
        parser.add_argument(
            "--test-from", type=_moment, help="score the labels given from this date or time on"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        community = Community.objects.filter(slug=options["community"]).first()
        if community is None:
            raise CommandError(f"no community {options['community']!r}")
        try:
            evaluation = router_evaluate(
                community_id=community.pk,
                test_share=options["test_share"],
                test_from=options["test_from"],
            )
        except classify.DataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"community={community.slug}")
        for line in evaluation.lines():
            self.stdout.write(line)
