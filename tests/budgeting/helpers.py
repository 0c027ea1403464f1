"""Shared set-up of the budgeting app's tests: a process in a chosen phase, accepted projects."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from gongzhi.budgeting import services
from gongzhi.budgeting.models import Idea, IdeaStatus, Process

PHASE_OFFSETS = {
    # days from now at which each phase begins, so that ``phase`` is the current one
    "announced": 1,
    "ideas": 0,
    "review": -1,
    "voting": -2,
    "results": -3,
    "implementation": -4,
    "evaluation": -5,
}


def dates_for(phase: str) -> dict:
    now = timezone.now()
    start = PHASE_OFFSETS[phase]
    base = now + timedelta(days=start, hours=-1 if phase != "announced" else 0)
    return {
        "ideas_from": base,
        "review_from": base + timedelta(days=1),
        "voting_from": base + timedelta(days=2),
        "voting_until": base + timedelta(days=3),
        "implementation_from": base + timedelta(days=4),
        "evaluation_from": base + timedelta(days=5),
    }


def make_process(community, worker, phase="ideas", **settings) -> Process:
    values = {"title": "小区微更新", "budget": 100_000, **dates_for(phase), **settings}
    return services.process_create(actor=worker, community=community, **values)


def set_phase(process: Process, phase: str) -> Process:
    for field, value in dates_for(phase).items():
        setattr(process, field, value)
    process.save()
    return process


def project(process: Process, cost: int, title: str = "项目") -> Idea:
    return Idea.objects.in_community(process.community_id).create(
        process=process,
        title=title,
        description="说明",
        estimated_cost=cost,
        cost=cost,
        status=IdeaStatus.ACCEPTED,
        decision_reason="可行",
    )
