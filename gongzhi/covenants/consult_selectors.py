"""Reading a covenant's public consultation: an article's comments (paged, newest first) and
amendments, one amendment with its proposed change as a diff, what a person contributed, and
the counts the covenant's page shows.

The article page (the drafting part's view) includes ``covenants/_article_consult.html`` with
``article_context(...)``; it reads in a fixed number of queries whatever the number of
comments and amendments: the comments are paged and counted by aggregate, the viewer's
supports are read once for the article's amendments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import rules
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gongzhi.core.models import Community
from gongzhi.covenants import text as covenant_text
from gongzhi.covenants.consult_policies import in_scope
from gongzhi.covenants.models import (
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Article,
    Comment,
    Covenant,
    Paragraph,
    Round,
    Support,
    Version,
)
from gongzhi.covenants.selectors import current_phase

COMMENTS_PER_PAGE = 20
#: The most rows a person's own lists show.
MINE_LIMIT = 200


# --- The draft --------------------------------------------------------------------------------


def version_text(version: Version) -> covenant_text.Text:
    """A stored version as ``text.Text`` (two queries)."""
    paras: dict[int, list[covenant_text.Para]] = {}
    for row in (
        Paragraph.objects.in_community(version.community_id)
        .filter(article__version=version)
        .order_by("article_id", "position")
        .values("article_id", "key", "text", "origin_id")
    ):
        paras.setdefault(row["article_id"], []).append(
            covenant_text.Para(row["key"], row["text"], row["origin_id"])
        )
    articles = tuple(
        covenant_text.Art(a.key, a.heading, tuple(paras.get(a.pk, ())), a.origin_id)
        for a in Article.objects.in_community(version.community_id)
        .filter(version=version)
        .order_by("position")
    )
    next_key = max([a.key for a in articles] + [p.key for a in articles for p in a.paras] + [0])
    return covenant_text.Text(articles, next_key + 1, version.preamble)


def draft_text(round: Round) -> covenant_text.Text:
    return version_text(round.draft)


def article_label(position: int) -> str:
    return covenant_text.article_label(position)


# --- Who may -----------------------------------------------------------------------------------


def may_read(viewer: Any, obj: Any) -> bool:
    return bool(rules.has_perm("covenants.read_consultation", viewer, obj))


def may_take_part(viewer: Any, round: Round) -> bool:
    """Whether the viewer may comment, amend and support in this round (phase aside)."""
    return bool(rules.has_perm("covenants.take_part", viewer, round)) and in_scope(viewer, round)


# --- Comments ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommentPage:
    comments: list[Comment]
    page: int
    pages: int
    total: int

    @property
    def has_more(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _page_number(page: Any, pages: int) -> int:
    try:
        number = int(page)
    except (TypeError, ValueError):
        number = 1
    return min(max(number, 1), max(pages, 1))


def comments_of(round: Round, article_key: int | None = None) -> QuerySet[Comment]:
    comments = Comment.objects.in_community(round.community_id).filter(round=round)
    if article_key is not None:
        comments = comments.filter(article_key=article_key)
    return comments


def comment_page(round: Round, article_key: int | None = None, page: Any = 1) -> CommentPage:
    """A page of comments (on the article, or on the whole round), newest first."""
    comments = comments_of(round, article_key)
    total = comments.aggregate(n=Count("pk"))["n"]
    pages = max((total + COMMENTS_PER_PAGE - 1) // COMMENTS_PER_PAGE, 1)
    number = _page_number(page, pages)
    start = (number - 1) * COMMENTS_PER_PAGE
    rows = list(
        comments.select_related("author", "written_by").order_by("-created_at", "-pk")[
            start : start + COMMENTS_PER_PAGE
        ]
    )
    return CommentPage(rows, number, pages, total)


# --- Amendments -------------------------------------------------------------------------------


def amendments_of(
    round: Round, article_key: int | None = None, *, first: bool = False
) -> QuerySet[Amendment]:
    """The round's amendments (about one article when ``article_key`` is given: an inserted
    article is about the article it follows; ``first`` adds those inserting an article at the
    start), in their number's order."""
    amendments = Amendment.objects.in_community(round.community_id).filter(round=round)
    if article_key is not None:
        about = Q(article_key=article_key)
        if first:
            about |= Q(article_key__isnull=True)
        amendments = amendments.filter(about)
    return amendments.select_related("author", "written_by").order_by("number")


def supported_ids(viewer: Any, amendments: list[Amendment]) -> set[int]:
    """Which of ``amendments`` the viewer supports (one query)."""
    if not getattr(viewer, "is_authenticated", False) or not amendments:
        return set()
    return set(
        Support.objects.in_community(amendments[0].community_id)
        .filter(person=viewer, amendment__in=[a.pk for a in amendments])
        .values_list("amendment_id", flat=True)
    )


def amendment_get(viewer: Any, community: Community, amendment_id: int) -> Amendment | None:
    """The amendment if the viewer may read it (None for a missing or a forbidden one)."""
    amendment = (
        Amendment.objects.in_community(community)
        .select_related(
            "round__covenant__community",
            "round__covenant__drafting_body",
            "round__community",
            "round__draft",
            "author",
            "written_by",
            "decided_by",
        )
        .filter(pk=amendment_id)
        .first()
    )
    if amendment is None or not may_read(viewer, amendment.round):
        return None
    return amendment


@dataclass(frozen=True)
class Change:
    """An amendment's change shown against the draft: the article's label and heading, and
    what happens to which paragraph (``segments`` of ``text.Segment``)."""

    article_label: str
    heading: str
    #: [(paragraph label, segments)]: the paragraphs the change touches
    paragraphs: list[tuple[str, tuple[covenant_text.Segment, ...]]] = field(default_factory=list)
    #: for an inserted article: its heading, shown as inserted
    new_heading: str = ""
    #: the target is no longer in the draft (should not happen: the draft is fixed)
    missing: bool = False


def _paragraph_label(position: int) -> str:
    return f"第{covenant_text.chinese_number(position)}款"


def amendment_change(amendment: Amendment, draft: covenant_text.Text | None = None) -> Change:
    """The proposed change as a diff of the paragraph (or article) against the draft."""
    draft = draft or draft_text(amendment.round)
    index = {art.key: (pos, art) for pos, art in enumerate(draft.articles, start=1)}
    seg = covenant_text.segments
    kind = amendment.kind
    if kind == AmendmentKind.INSERT_ARTICLE:
        if amendment.article_key is None:
            position = 1
        elif amendment.article_key in index:
            position = index[amendment.article_key][0] + 1
        else:
            return Change("", "", missing=True)
        lines = covenant_text.lines_of(amendment.text)
        return Change(
            article_label(position),
            "",
            [(_paragraph_label(n), seg("", line)) for n, line in enumerate(lines, start=1)],
            new_heading=amendment.heading,
        )
    found = index.get(amendment.article_key or 0)
    if found is None:
        return Change("", "", missing=True)
    position, art = found
    label, heading = article_label(position), art.heading
    if kind == AmendmentKind.DELETE_ARTICLE:
        return Change(
            label,
            heading,
            [(_paragraph_label(n), seg(p.text, "")) for n, p in enumerate(art.paras, start=1)],
        )
    keys = [p.key for p in art.paras]
    if kind == AmendmentKind.INSERT_PARAGRAPH:
        at = 0
        if amendment.paragraph_key is not None:
            if amendment.paragraph_key not in keys:
                return Change(label, heading, missing=True)
            at = keys.index(amendment.paragraph_key) + 1
        return Change(label, heading, [(_paragraph_label(at + 1), seg("", amendment.text))])
    if amendment.paragraph_key not in keys:
        return Change(label, heading, missing=True)
    at = keys.index(amendment.paragraph_key)
    old = art.paras[at].text
    new = amendment.text if kind == AmendmentKind.REPLACE else ""
    return Change(label, heading, [(_paragraph_label(at + 1), seg(old, new))])


# --- The article page's part ------------------------------------------------------------------


def article_context(
    round: Round,
    article_key: int,
    viewer: Any,
    paragraph_key: int | None = None,
    page: Any = 1,
) -> dict[str, Any]:
    """What ``covenants/_article_consult.html`` shows under an article of ``round``'s draft:
    the comments (a page of 20, newest first), the article's amendments with their status,
    supporters and the drafting body's reason, and the forms for whoever may take part, with
    the tapped paragraph (``?p=<key>``) preselected. A fixed number of queries."""
    from gongzhi.covenants.consult_forms import AmendmentForm, CommentForm

    now = timezone.now()
    phase = current_phase(round, now)
    article = (
        Article.objects.in_community(round.community_id)
        .filter(version_id=round.draft_id, key=article_key)
        .first()
    )
    paragraphs = (
        list(
            Paragraph.objects.in_community(round.community_id)
            .filter(article=article)
            .order_by("position")
        )
        if article is not None
        else []
    )
    keys = {p.key for p in paragraphs}
    chosen = paragraph_key if paragraph_key in keys else None
    amendments = (
        list(amendments_of(round, article_key, first=article.position == 1))
        if article is not None
        else []
    )
    mine = supported_ids(viewer, amendments)
    take_part = article is not None and may_take_part(viewer, round)
    open_ = phase == "consultation"
    initial = {"paragraph": chosen} if chosen is not None else {}
    return {
        "round": round,
        "community": round.community,
        "article_key": article_key,
        "article": article,
        "phase": phase,
        "consultation_open": open_,
        "supports_open": phase in ("consultation", "revision"),
        "may_take_part": take_part,
        "paragraph_key": chosen,
        "chosen_paragraph": next((p for p in paragraphs if p.key == chosen), None),
        "comments": comment_page(round, article_key, page),
        "amendments": [
            {
                "amendment": a,
                "supported": a.pk in mine,
                "own": a.author_id == getattr(viewer, "pk", None),
            }
            for a in amendments
        ],
        "comment_form": CommentForm(paragraphs=paragraphs, initial=initial)
        if take_part and open_
        else None,
        # Both forms are on the article page: the amendment form's ids must not repeat the
        # comment form's (each label pointing at its own field).
        "amendment_form": AmendmentForm(paragraphs=paragraphs, initial=initial, auto_id="amend_%s")
        if take_part and open_
        else None,
    }


# --- Counts and a person's own contributions --------------------------------------------------


def round_of(covenant: Covenant) -> Round | None:
    """The covenant's latest round."""
    return (
        Round.objects.in_community(covenant.community_id)
        .filter(covenant=covenant)
        .order_by("-number")
        .first()
    )


def detail(covenant: Covenant, viewer: Any) -> dict[str, Any]:
    """The consultation's figures on the covenant's page: comments, amendments by status,
    supports; and whether the viewer may take part now."""
    round = round_of(covenant)
    if round is None:
        return {"round": None}
    counts = (
        Amendment.objects.in_community(covenant.community_id)
        .filter(round=round)
        .aggregate(
            total=Count("pk"),
            proposed=Count("pk", filter=Q(status=AmendmentStatus.PROPOSED)),
            to_vote=Count("pk", filter=Q(status=AmendmentStatus.TO_VOTE)),
            accepted=Count("pk", filter=Q(status=AmendmentStatus.ACCEPTED)),
            rejected=Count("pk", filter=Q(status=AmendmentStatus.REJECTED)),
        )
    )
    comments = comments_of(round).aggregate(n=Count("pk"), people=Count("author", distinct=True))
    phase = current_phase(round, timezone.now())
    return {
        "round": round,
        "phase": phase,
        "amendments": counts,
        "comments": comments["n"],
        "commenters": comments["people"],
        "consultation_open": phase == "consultation",
        "may_take_part": may_take_part(viewer, round),
    }


def my_contributions(viewer: Any, community: Community) -> dict[str, Any]:
    """The viewer's comments, amendments and supports in the community's covenants, newest
    first (at most ``MINE_LIMIT`` of each)."""
    if not getattr(viewer, "is_authenticated", False):
        return {"comments": [], "amendments": [], "supports": []}
    comments = list(
        Comment.objects.in_community(community)
        .filter(author=viewer)
        .select_related("round__covenant")
        .order_by("-created_at", "-pk")[:MINE_LIMIT]
    )
    amendments = list(
        Amendment.objects.in_community(community)
        .filter(author=viewer)
        .select_related("round__covenant")
        .order_by("-created_at", "-pk")[:MINE_LIMIT]
    )
    supports = list(
        Support.objects.in_community(community)
        .filter(person=viewer)
        .select_related("amendment__round__covenant", "amendment__author")
        .order_by("-created_at", "-pk")[:MINE_LIMIT]
    )
    return {"comments": comments, "amendments": amendments, "supports": supports}
