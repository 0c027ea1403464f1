"""What conversations hold about a person (see ``core.privacy``).

Everyone in a conversation is known there by a number; statements and votes are the
conversation's material and its opinion map. Erasure keeps them under that number (the
participant row points at the tombstone account), so the map and its counts stay as they were.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.privacy import Section, rows
from gongzhi.opinions.models import Participant, Statement, StatementVote

#: Every reference to a person in this app's models, each exported, erased, or kept pointing at
#: the tombstone account (a staff act: it is in the journal, which the copy holds).
#: tests/test_privacy.py fails on a reference that no app lists.
COVERS = frozenset(
    {
        "opinions.Conversation.created_by",
        "opinions.Participant.user",
        "opinions.Statement.moderated_by",
    }
)


def export(user: Any) -> list[Section]:
    participants = (
        Participant.objects.all_communities()
        .filter(user=user)
        .select_related("conversation", "community")
        .order_by("pk")
    )
    statements = (
        Statement.objects.all_communities()
        .filter(author__user=user)
        .select_related("conversation", "community")
        .order_by("pk")
    )
    votes = (
        StatementVote.objects.all_communities()
        .filter(participant__user=user)
        .select_related("statement", "conversation", "community")
        .order_by("pk")
    )
    return [
        Section(
            "participants",
            _("Conversations I took part in"),
            rows(
                participants,
                community="community.slug",
                conversation="conversation.question",
                number="number",
                joined_at="joined_at",
            ),
        ),
        Section(
            "statements",
            _("Statements I wrote"),
            rows(
                statements,
                community="community.slug",
                conversation="conversation.question",
                number="number",
                text="text",
                status="status",
                created_at="created_at",
            ),
        ),
        Section(
            "statement_votes",
            _("My votes on statements"),
            rows(
                votes,
                community="community.slug",
                conversation="conversation.question",
                statement="statement.text",
                value="value",
                updated_at="updated_at",
            ),
        ),
    ]


def erase(user: Any) -> dict[str, int]:
    return {}
