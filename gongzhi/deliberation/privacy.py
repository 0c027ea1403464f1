"""What the deliberation hall holds about a person (see ``core.privacy``).

Erasure deletes what only served the person (which proposals they follow) and their drafts,
which no one else has seen, with their attachments' files. Published proposals, comments,
supports, reactions, flags and appeals stay: neighbours supported, answered and moderated them,
and the counts and the moderation record rest on them. They point at the tombstone account
afterwards, shown as a former resident (Decidim does the same with a deleted participant).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.privacy import Section, delete_files, rows
from gongzhi.deliberation.models import (
    Appeal,
    Attachment,
    Comment,
    Flag,
    Follow,
    Proposal,
    Reaction,
    Status,
    Support,
)

#: Every reference to a person in this app's models, each exported, erased, or kept pointing at
#: the tombstone account (a staff act: it is in the journal, which the copy holds).
#: tests/test_privacy.py fails on a reference that no app lists.
COVERS = frozenset(
    {
        "deliberation.Proposal.author",
        "deliberation.Proposal.hidden_by",
        "deliberation.Support.user",
        "deliberation.Follow.user",
        "deliberation.Comment.author",
        "deliberation.Comment.hidden_by",
        "deliberation.ProposalEvent.actor",
        "deliberation.ProposalRevision.edited_by",
        "deliberation.Flag.flagged_by",
        "deliberation.Flag.resolved_by",
        "deliberation.Appeal.author",
        "deliberation.Appeal.decided_by",
        "deliberation.ModerationEvent.actor",
        "deliberation.Reaction.user",
    }
)


def export(user: Any) -> list[Section]:
    def scoped(model: Any) -> Any:
        return model.objects.all_communities().select_related("community").order_by("pk")

    proposals = scoped(Proposal).filter(author=user)
    attachments = scoped(Attachment).filter(proposal__author=user)
    return [
        Section(
            "proposals",
            _("Proposals I raised"),
            rows(
                proposals,
                community="community.slug",
                id="pk",
                title="title",
                body="body",
                status="status",
                created_at="created_at",
                published_at="published_at",
                latitude="latitude",
                longitude="longitude",
            ),
        ),
        Section(
            "attachments",
            _("Files attached to my proposals"),
            rows(
                attachments,
                community="community.slug",
                proposal="proposal_id",
                name="name",
                content_type="content_type",
                size="size",
                created_at="created_at",
            ),
        ),
        Section(
            "supports",
            _("Proposals I support"),
            rows(
                scoped(Support).filter(user=user).select_related("proposal"),
                community="community.slug",
                proposal="proposal.title",
                created_at="created_at",
            ),
        ),
        Section(
            "follows",
            _("Proposals I follow"),
            rows(
                scoped(Follow).filter(user=user).select_related("proposal"),
                community="community.slug",
                proposal="proposal.title",
            ),
        ),
        Section(
            "comments",
            _("My comments"),
            rows(
                scoped(Comment).filter(author=user),
                community="community.slug",
                id="pk",
                on=lambda c: f"{c.subject_type.model}:{c.subject_id}",
                body="body",
                created_at="created_at",
                edited_at="edited_at",
                hidden_at="hidden_at",
            ),
        ),
        Section(
            "reactions",
            _("My reactions to comments"),
            rows(
                scoped(Reaction).filter(user=user),
                community="community.slug",
                comment="comment_id",
                kind="kind",
                created_at="created_at",
            ),
        ),
        Section(
            "flags",
            _("Things I flagged for the moderators"),
            rows(
                scoped(Flag).filter(flagged_by=user),
                community="community.slug",
                proposal="proposal_id",
                comment="comment_id",
                reason="reason",
                note="note",
                created_at="created_at",
                resolution="resolution",
            ),
        ),
        Section(
            "appeals",
            _("My appeals"),
            rows(
                scoped(Appeal).filter(author=user),
                community="community.slug",
                proposal="proposal_id",
                comment="comment_id",
                text="text",
                created_at="created_at",
                decision="decision",
                decision_reason="decision_reason",
            ),
        ),
    ]


def erase(user: Any) -> dict[str, int]:
    follows = Follow.objects.all_communities().filter(user=user).delete()[0]
    drafts = Proposal.objects.all_communities().filter(author=user, status=Status.DRAFT)
    files = delete_files(
        Attachment.objects.all_communities()
        .filter(proposal__in=drafts)
        .values_list("file", flat=True)
    )
    draft_count = drafts.count()
    drafts.delete()
    return {"follows": follows, "drafts": draft_count, "files": files}
