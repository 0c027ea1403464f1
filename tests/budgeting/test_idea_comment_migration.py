"""The migrations that made ideas' discussion the hall's: idea comments written before move
across as hall comments on their idea with their authors, texts and times; proposal comments
keep their proposal; a flag on a comment stops naming the proposal too. Run back and forth on
the real database (SQLite, or PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from gongzhi.budgeting import services
from gongzhi.deliberation import services as hall
from gongzhi.deliberation.models import Comment, DeliberationSettings, Flag, FlagReason
from tests.budgeting.helpers import make_process
from tests.factories import member

BEFORE = [("budgeting", "0003_tally_progress"), ("deliberation", "0003_proposal_order_indexes")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def latest() -> list[tuple[str, str]]:
    """Every app's last migration: going back to ``BEFORE`` also unapplies the apps that depend
    on those two (bodies names the hall's proposals), and the next test needs their tables."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_idea_comments_move_into_the_hall_with_authors_and_times(community, worker):
    DeliberationSettings.objects.in_community(community).create(threshold_minimum=3)
    writer, flagger = member(community), member(community)
    proposal = hall.proposal_create(actor=writer, community=community, title="装电梯", body="b")
    on_proposal = hall.comment_add(actor=writer, subject=proposal, body="提案的评论")
    hall.flag_add(actor=flagger, item=on_proposal, reason=FlagReason.SPAM)
    process = make_process(community, worker, "ideas")
    idea = services.idea_submit(
        actor=writer, process=process, title="长椅", description="d", estimated_cost=10
    )
    old_times = [timezone.now() - timedelta(days=d) for d in (3, 2)]

    migrate(BEFORE)
    state = MigrationExecutor(connection).loader.project_state(BEFORE)
    IdeaComment = state.apps.get_model("budgeting", "IdeaComment")
    for author, body, at in zip((writer, flagger), ("先写的", "后写的"), old_times, strict=True):
        IdeaComment._default_manager.create(
            community_id=community.pk,
            idea_id=idea.pk,
            author_id=author.pk,
            body=body,
            created_at=at,
        )
    OldComment = state.apps.get_model("deliberation", "Comment")
    assert OldComment._default_manager.get().proposal_id == proposal.pk
    OldFlag = state.apps.get_model("deliberation", "Flag")
    assert OldFlag._default_manager.get().proposal_id == proposal.pk  # named both, before

    migrate(latest())
    moved = list(
        Comment.objects.in_community(community)
        .filter(**{"budget_idea": idea})
        .order_by("created_at")
    )
    assert [(c.author_id, c.body, c.created_at) for c in moved] == [
        (writer.pk, "先写的", old_times[0]),
        (flagger.pk, "后写的", old_times[1]),
    ]
    assert all(c.subject == idea and c.parent_id is None for c in moved)
    kept = Comment.objects.in_community(community).get(body="提案的评论")
    assert kept.subject == proposal
    flag = Flag.objects.in_community(community).get()
    assert (flag.proposal_id, flag.comment_id) == (None, kept.pk)
    assert list(idea.comments.order_by("created_at").values_list("body", flat=True)) == [
        "先写的",
        "后写的",
    ]
