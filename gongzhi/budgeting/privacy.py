"""What participatory budgeting holds about a person (see ``core.privacy``).

A copy leaves out what they chose: a budget ballot sits under a keyed pseudonym, and nothing
reads it back for a voter. Erasure keeps every row: ideas and their photos are the process's
public record (some were voted on and funded), reviews are the panel's reasons, who voted is the
turnout, and the ballots are what the count is reproduced from. They point at the tombstone
account afterwards.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.budgeting.models import (
    Idea,
    IdeaPhoto,
    Participation,
    ProgressComment,
    Review,
    Reviewer,
)
from gongzhi.core.privacy import Section, rows

#: Every reference to a person in this app's models, each exported, erased, or kept pointing at
#: the tombstone account (a staff act: it is in the journal, which the copy holds).
#: tests/test_privacy.py fails on a reference that no app lists.
COVERS = frozenset(
    {
        "budgeting.Process.created_by",
        "budgeting.Idea.author",
        "budgeting.Reviewer.user",
        "budgeting.Reviewer.assigned_by",
        "budgeting.Review.reviewer",
        "budgeting.Participation.voter",
        "budgeting.Participation.recorded_by",
        "budgeting.Tally.requested_by",
        "budgeting.PaperEntry.entered_by",
        "budgeting.Milestone.created_by",
        "budgeting.ProgressUpdate.author",
        "budgeting.Spending.entered_by",
        "budgeting.ProgressComment.author",
    }
)


def export(user: Any) -> list[Section]:
    def scoped(model: Any) -> Any:
        return model.objects.all_communities().select_related("community").order_by("pk")

    return [
        Section(
            "ideas",
            _("Project ideas I submitted"),
            rows(
                scoped(Idea).filter(author=user).select_related("process"),
                community="community.slug",
                process="process.title",
                id="pk",
                title="title",
                description="description",
                estimated_cost="estimated_cost",
                location="location",
                status="status",
                created_at="created_at",
            ),
        ),
        Section(
            "idea_photos",
            _("Photos of my project ideas"),
            rows(
                scoped(IdeaPhoto).filter(idea__author=user),
                community="community.slug",
                idea="idea_id",
                name="name",
                size="size",
            ),
        ),
        Section(
            "review_panels",
            _("Review panels I sit on"),
            rows(
                scoped(Reviewer).filter(user=user).select_related("process"),
                community="community.slug",
                process="process.title",
                assigned_at="assigned_at",
            ),
        ),
        Section(
            "reviews",
            _("Reviews I wrote"),
            rows(
                scoped(Review).filter(reviewer=user).select_related("idea"),
                community="community.slug",
                idea="idea.title",
                feasibility="feasibility",
                legality="legality",
                cost="cost",
                assessment="assessment",
                updated_at="updated_at",
            ),
        ),
        Section(
            "participations",
            _("Budgets I voted in"),
            rows(
                scoped(Participation).filter(voter=user).select_related("process"),
                community="community.slug",
                process="process.title",
                at="at",
                channel="channel",
            ),
        ),
        Section(
            "progress_comments",
            _("My comments on funded projects"),
            rows(
                scoped(ProgressComment).filter(author=user).select_related("idea"),
                community="community.slug",
                idea="idea.title",
                body="body",
                created_at="created_at",
            ),
        ),
    ]


def erase(user: Any) -> dict[str, int]:
    return {}
