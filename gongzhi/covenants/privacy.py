"""What covenants hold about a person (see ``core.privacy``).

A copy holds the person's comments on covenants' articles, the amendments they proposed (with
the drafting body's public answer), the amendments they supported and the confirmations they
gave for their household.

Erasure keeps every row, pointing at the tombstone account (shown as a former resident, as the
deliberation hall does with comments): a consultation is a public record. The drafting body
answered the comments and amendments with public reasons, an accepted amendment is where a
paragraph of the covenant's text came from (``origin``), a support is counted in the amendment's
supporters, and a household's acknowledgement is the household's, not only the person's (it is
counted on the covenant's page, and the household stays). What the person did for others (a
comment written down or a paper confirmation recorded for a resident, a covenant or round
created, an amendment decided, a filing submitted or received) are acts of office, in the
journal too.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.privacy import Section, rows
from gongzhi.covenants.models import Acknowledgement, Amendment, Comment, Support

#: Every reference to a person in this app's models, each exported, erased, or kept pointing at
#: the tombstone account (an act of office: it is in the journal, which the copy holds).
#: tests/test_privacy.py fails on a reference that no app lists.
COVERS = frozenset(
    {
        "covenants.Covenant.created_by",
        "covenants.Version.created_by",
        "covenants.Round.created_by",
        "covenants.Round.filing_submitted_by",
        "covenants.Round.filing_received_by",
        "covenants.Comment.author",
        "covenants.Comment.written_by",
        "covenants.Amendment.author",
        "covenants.Amendment.written_by",
        "covenants.Amendment.decided_by",
        "covenants.Support.person",
        "covenants.Acknowledgement.person",
        "covenants.Acknowledgement.recorded_by",
    }
)


def _scoped(model: Any) -> Any:
    return model.objects.all_communities().select_related("community").order_by("pk")


def export(user: Any) -> list[Section]:
    comments = _scoped(Comment).filter(author=user).select_related("round__covenant")
    amendments = _scoped(Amendment).filter(author=user).select_related("round__covenant")
    supports = _scoped(Support).filter(person=user).select_related("amendment__round__covenant")
    acknowledgements = (
        _scoped(Acknowledgement)
        .filter(person=user)
        .select_related("version__covenant", "household__building")
    )
    return [
        Section(
            "covenant_comments",
            _("My comments on covenants"),
            rows(
                comments,
                community="community.slug",
                covenant="round.covenant.title",
                round="round.number",
                article_key="article_key",
                paragraph_key="paragraph_key",
                text="text",
                created_at="created_at",
                written_down_by_a_worker=lambda c: c.written_by_id not in (None, user.pk),
            ),
        ),
        Section(
            "covenant_amendments",
            _("Amendments to covenants I proposed"),
            rows(
                amendments,
                community="community.slug",
                covenant="round.covenant.title",
                round="round.number",
                number="number",
                kind="kind",
                article_key="article_key",
                paragraph_key="paragraph_key",
                heading="heading",
                text="text",
                reason="reason",
                created_at="created_at",
                status="status",
                supporters="supporters_count",
                drafting_body_reason="decision_reason",
                decided_at="decided_at",
                written_down_by_a_worker=lambda a: a.written_by_id not in (None, user.pk),
            ),
        ),
        Section(
            "covenant_supports",
            _("Amendments to covenants I support"),
            rows(
                supports,
                community="community.slug",
                covenant="amendment.round.covenant.title",
                round="amendment.round.number",
                amendment="amendment.number",
                created_at="created_at",
            ),
        ),
        Section(
            "covenant_acknowledgements",
            _("Covenants I acknowledged for my household"),
            rows(
                acknowledgements,
                community="community.slug",
                covenant="version.covenant.title",
                version="version.number",
                household=lambda a: str(a.household),
                created_at="created_at",
                recorded_by_a_worker=lambda a: a.recorded_by_id not in (None, user.pk),
            ),
        ),
    ]


def erase(user: Any) -> dict[str, int]:
    """Nothing goes: every row is part of a public consultation's record or a household's
    confirmation (the module's docstring); the rows point at the tombstone account."""
    return {}
