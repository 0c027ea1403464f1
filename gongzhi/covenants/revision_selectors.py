"""What the revision page and the API read: a round's amendments by article, with their
supporters and the drafting body's decisions (a fixed number of queries)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import rules
from django.http import Http404

from gongzhi.covenants import text as covtext
from gongzhi.covenants.models import Amendment, AmendmentStatus, Article, Round
from gongzhi.covenants.selectors import current_phase, round_get


def amendment_get(*, community: Any, user: Any, amendment_id: int) -> Amendment:
    """An amendment the user may read (its covenant), with its round; 404 otherwise."""
    amendment = (
        Amendment.objects.in_community(community)
        .select_related("author", "vote", "decision")
        .filter(pk=amendment_id)
        .first()
    )
    if amendment is None:
        raise Http404
    amendment.round = round_get(community=community, user=user, round_id=amendment.round_id)
    return amendment


@dataclass
class ArticleGroup:
    """The amendments about one article of the draft (``key`` None: an article inserted
    first)."""

    key: int | None
    label: str
    heading: str
    amendments: list[Amendment] = field(default_factory=list)


@dataclass
class Revision:
    round: Round
    phase: str
    groups: list[ArticleGroup]
    counts: dict[str, int]
    can_decide: bool
    can_send_to_vote: bool
    can_consolidate: bool

    @property
    def undecided(self) -> int:
        return self.counts.get(AmendmentStatus.PROPOSED, 0) + self.counts.get(
            AmendmentStatus.TO_VOTE, 0
        )


def revision_of(round: Round, user: Any) -> Revision:  # noqa: A002
    """The round's amendments grouped by the draft's articles, in the draft's order."""
    cid = round.community_id
    articles = list(
        Article.objects.in_community(cid)
        .filter(version_id=round.draft_id)
        .order_by("position")
        .values_list("key", "position", "heading")
    )
    groups: dict[int | None, ArticleGroup] = {
        key: ArticleGroup(key, covtext.article_label(position), heading)
        for key, position, heading in articles
    }
    amendments = list(
        Amendment.objects.in_community(cid)
        .filter(round=round)
        .select_related("author", "vote")
        .order_by("number")
    )
    counts: dict[str, int] = {}
    for amendment in amendments:
        counts[amendment.status] = counts.get(amendment.status, 0) + 1
        group = groups.get(amendment.article_key)
        if group is None:
            group = groups.setdefault(
                amendment.article_key, ArticleGroup(amendment.article_key, "", "")
            )
        group.amendments.append(amendment)
    phase = current_phase(round)
    decide = bool(rules.has_perm("covenants.decide_amendments", user, round))
    open_ = round.status == "open" and round.consolidated_id is None
    deciding = open_ and phase in ("consultation", "revision")
    return Revision(
        round=round,
        phase=phase,
        groups=[g for g in groups.values() if g.amendments],
        counts=counts,
        can_decide=decide and deciding,
        can_send_to_vote=deciding
        and bool(rules.has_perm("covenants.send_to_vote", user, round))
        and counts.get(AmendmentStatus.PROPOSED, 0) > 0,
        can_consolidate=decide and open_ and phase in ("revision", "ratification"),
    )


@dataclass
class RevisionDetail:
    """The covenant page's revision section: the latest round's amendments counted by status."""

    round: Round | None
    counts: dict[str, int]
    accepted: int
    rejected: int
    undecided: int
    can_decide: bool


def detail(covenant: Any, viewer: Any) -> RevisionDetail:
    from django.db.models import Count

    from gongzhi.covenants.selectors import latest_round

    round_ = latest_round(covenant)
    counts: dict[str, int] = {}
    if round_ is not None:
        rows = (
            Amendment.objects.in_community(covenant.community_id)
            .filter(round=round_)
            .values("status")
            .annotate(n=Count("pk"))
        )
        counts = {row["status"]: row["n"] for row in rows}
    return RevisionDetail(
        round=round_,
        counts=counts,
        accepted=counts.get(AmendmentStatus.ACCEPTED, 0),
        rejected=counts.get(AmendmentStatus.REJECTED, 0),
        undecided=counts.get(AmendmentStatus.PROPOSED, 0) + counts.get(AmendmentStatus.TO_VOTE, 0),
        can_decide=round_ is not None
        and bool(rules.has_perm("covenants.decide_amendments", viewer, round_)),
    )
