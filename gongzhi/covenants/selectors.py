"""Reads of covenants that pages and the API share: where a round stands, the list, a covenant's
page, its versions as ``text.Text`` values, an article with its paragraphs, and diffs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rules
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import Community
from gongzhi.covenants import text as covtext
from gongzhi.covenants.models import (
    Amendment,
    Article,
    Covenant,
    Paragraph,
    Round,
    RoundStatus,
    Scope,
    Version,
)

#: Every answer of ``current_phase``, in the order a round runs through them.
PHASES = (
    "drafting",
    "consultation",
    "revision",
    "ratification",
    "filing",
    "in_force",
    "not_adopted",
    "abandoned",
)

_BY_STATUS = {
    RoundStatus.RATIFYING: "ratification",
    RoundStatus.RATIFIED: "filing",
    RoundStatus.IN_FORCE: "in_force",
    RoundStatus.NOT_ADOPTED: "not_adopted",
    RoundStatus.ABANDONED: "abandoned",
}


def current_phase(round: Round, now: datetime | None = None) -> str:  # noqa: A002
    """Where ``round`` stands at ``now``: while it is open, its dates say (before drafting
    begins it counts as drafting; once revision has ended it waits for ratification); after
    that its status does."""
    if round.status != RoundStatus.OPEN:
        return _BY_STATUS[RoundStatus(round.status)]
    now = now or timezone.now()
    schedule = round.schedule()
    if schedule.is_over(now):
        return "ratification"
    return schedule.current_key(now, default="drafting")


def feature_open(round: Round, feature: str, now: datetime | None = None) -> bool:
    """Whether the round is open and its current dated phase opens ``feature`` ("comment",
    "amend", "support", "decide": ``models.ROUND_FEATURES``)."""
    return round.status == RoundStatus.OPEN and round.schedule().is_open(feature, now)


# --- Finding covenants ---------------------------------------------------------------------------


def covenant_get(*, community: Community, user: Any, covenant_id: int) -> Covenant:
    """A covenant the user may read (404 otherwise: a forbidden one is as missing as a missing
    one), with its body, building and the version in force."""
    covenant = (
        Covenant.objects.in_community(community)
        .select_related("drafting_body", "building", "in_force")
        .filter(pk=covenant_id)
        .first()
    )
    if covenant is None or not rules.has_perm("covenants.view_covenant", user, covenant):
        raise Http404
    covenant.community = community
    return covenant


def round_get(*, community: Community, user: Any, round_id: int) -> Round:
    round_ = (
        Round.objects.in_community(community)
        .select_related("covenant__drafting_body", "covenant__building", "draft", "consolidated")
        .filter(pk=round_id)
        .first()
    )
    if round_ is None or not rules.has_perm("covenants.view_covenant", user, round_):
        raise Http404
    round_.community = community
    round_.covenant.community = community
    return round_


def latest_round(covenant: Covenant) -> Round | None:
    return (
        Round.objects.in_community(covenant.community_id)
        .select_related("draft", "consolidated")
        .filter(covenant=covenant)
        .order_by("-number")
        .first()
    )


def round_version(round: Round) -> Version:
    """The text a round is about now: the consolidated text once it exists, else the draft."""
    consolidated = round.consolidated if round.consolidated_id is not None else None
    return consolidated if consolidated is not None else round.draft


@dataclass(frozen=True)
class Listed:
    covenant: Covenant
    round: Round | None
    phase: str


@dataclass(frozen=True)
class CovenantLists:
    in_force: list[Listed]
    drafting: list[Listed]
    other: list[Listed]


def covenant_lists(
    *, community: Community, user: Any, now: datetime | None = None
) -> CovenantLists:
    """The community's covenants (every member reads them all): those in force, those being
    drafted or reviewed (a round under way), and the rest (not adopted, abandoned); community
    covenants before building ones, then by title. Two queries."""
    if not rules.has_perm("covenants.view_covenant", user, community):
        return CovenantLists([], [], [])
    now = now or timezone.now()
    covenants = list(
        Covenant.objects.in_community(community).select_related(
            "building", "drafting_body", "in_force"
        )
    )
    latest: dict[int, Round] = {}
    for row in Round.objects.in_community(community).order_by("covenant_id", "number"):
        latest[row.covenant_id] = row
    lists = CovenantLists([], [], [])
    covenants.sort(
        key=lambda c: (c.scope != Scope.COMMUNITY, c.building.name if c.building else "", c.title)
    )
    for covenant in covenants:
        round_ = latest.get(covenant.pk)
        phase = current_phase(round_, now) if round_ is not None else ""
        listed = Listed(covenant, round_, phase)
        if covenant.in_force_id is not None:
            lists.in_force.append(listed)
        elif round_ is not None and round_.status in UNDER_WAY:
            lists.drafting.append(listed)
        else:
            lists.other.append(listed)
    return lists


UNDER_WAY = (RoundStatus.OPEN, RoundStatus.RATIFYING, RoundStatus.RATIFIED)


def versions_of(covenant: Covenant) -> list[Version]:
    return list(
        Version.objects.in_community(covenant.community_id)
        .filter(covenant=covenant)
        .select_related("round")
        .annotate(article_count=Count("articles", distinct=True))
        .order_by("number")
    )


def version_get(covenant: Covenant, number: int) -> Version:
    version = (
        Version.objects.in_community(covenant.community_id)
        .filter(covenant=covenant, number=number)
        .select_related("round")
        .first()
    )
    if version is None:
        raise Http404
    return version


# --- Texts ---------------------------------------------------------------------------------------


def version_text(version: Version) -> covtext.Text:
    """A stored version as ``text.Text`` (two queries); ``next_key`` is one past its highest key
    (the covenant's counter may be further on)."""
    cid = version.community_id
    articles = list(
        Article.objects.in_community(cid)
        .filter(version_id=version.pk)
        .order_by("position")
        .values_list("pk", "key", "heading", "origin_id")
    )
    paras: dict[int, list[covtext.Para]] = {pk: [] for pk, *_rest in articles}
    for article_id, key, body, origin in (
        Paragraph.objects.in_community(cid)
        .filter(article__version_id=version.pk)
        .order_by("article_id", "position")
        .values_list("article_id", "key", "text", "origin_id")
    ):
        paras[article_id].append(covtext.Para(key, body, origin))
    text = tuple(
        covtext.Art(key, heading, tuple(paras[pk]), origin) for pk, key, heading, origin in articles
    )
    keys = [a.key for a in text] + [p.key for a in text for p in a.paras]
    return covtext.Text(text, max(keys, default=0) + 1, version.preamble)


@dataclass(frozen=True)
class NumberedArticle:
    """An article as shown: 第N条, its heading and paragraphs, where it came from."""

    position: int
    label: str
    art: covtext.Art


def numbered(text: covtext.Text) -> list[NumberedArticle]:
    return [
        NumberedArticle(position, covtext.article_label(position), art)
        for position, art in enumerate(text.articles, start=1)
    ]


def origins_of(text: covtext.Text, community_id: int) -> dict[int, Amendment]:
    """The amendments the text's articles and paragraphs came from, by id (one query)."""
    ids = {a.origin for a in text.articles if a.origin} | {
        p.origin for a in text.articles for p in a.paras if p.origin
    }
    if not ids:
        return {}
    return {
        a.pk: a
        for a in Amendment.objects.in_community(community_id)
        .filter(pk__in=ids)
        .select_related("round")
    }


@dataclass(frozen=True)
class ArticlePage:
    round: Round
    version: Version
    article: Article
    paragraphs: list[covtext.Para]
    label: str
    previous: Article | None
    next: Article | None
    origins: dict[int, Amendment]


def article_page(round: Round, key: int) -> ArticlePage:
    """An article of the round's current text (the draft, or the consolidated text once it
    exists) with its paragraphs and its neighbours: three queries whatever the text's size (a
    fourth when something in it came from an amendment)."""
    version = round_version(round)
    cid = round.community_id
    article = Article.objects.in_community(cid).filter(version_id=version.pk, key=key).first()
    if article is None:
        raise Http404
    around = {
        a.position: a
        for a in Article.objects.in_community(cid)
        .filter(version_id=version.pk, position__in=[article.position - 1, article.position + 1])
        .only("pk", "key", "heading", "position")
    }
    paragraphs = [
        covtext.Para(key, body, origin)
        for key, body, origin in Paragraph.objects.in_community(cid)
        .filter(article=article)
        .order_by("position")
        .values_list("key", "text", "origin_id")
    ]
    ids = {p.origin for p in paragraphs if p.origin} | (
        {article.origin_id} if article.origin_id else set()
    )
    origins = (
        {a.pk: a for a in Amendment.objects.in_community(cid).filter(pk__in=ids)} if ids else {}
    )
    return ArticlePage(
        round=round,
        version=version,
        article=article,
        paragraphs=paragraphs,
        label=covtext.article_label(article.position),
        previous=around.get(article.position - 1),
        next=around.get(article.position + 1),
        origins=origins,
    )


@dataclass(frozen=True)
class VersionDiff:
    old: Version
    new: Version
    changes: list[covtext.Change]
    summary: covtext.Summary


def diff_between(old: Version, new: Version) -> VersionDiff:
    changes = covtext.diff(version_text(old), version_text(new))
    return VersionDiff(old, new, changes, covtext.summary(changes))


def default_diff_numbers(versions: list[Version]) -> tuple[int, int] | None:
    """The previous version → the latest (None with a single version)."""
    if len(versions) < 2:
        return None
    return versions[-2].number, versions[-1].number


def diff_origins(compared: VersionDiff, community_id: int) -> dict[int, Amendment]:
    """The amendments that wrote what the newer side changed or inserted (one query)."""
    ids = {c.origin for c in compared.changes if c.origin and c.kind == covtext.INSERTED} | {
        p.origin
        for c in compared.changes
        for p in c.paras
        if p.origin and p.kind in (covtext.CHANGED, covtext.INSERTED)
    }
    if not ids:
        return {}
    return {a.pk: a for a in Amendment.objects.in_community(community_id).filter(pk__in=ids)}


# --- The timeline of a round ---------------------------------------------------------------------

PHASE_LABELS = {
    "drafting": _("Drafting"),
    "consultation": _("Public consultation"),
    "revision": _("Revision by the drafting body"),
    "ratification": _("Ratification"),
    "filing": _("Filing with the street office"),
    "in_force": _("In force"),
    "not_adopted": _("Not adopted"),
    "abandoned": _("Abandoned"),
}
ORDER = ("drafting", "consultation", "revision", "ratification", "filing", "in_force")


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    starts: datetime | None
    ends: datetime | None
    #: "done", "current" or "coming"
    state: str


def timeline(round: Round, now: datetime | None = None) -> list[Step]:  # noqa: A002
    """The round's phases as residents read them, with dates where they have them; a round that
    stopped (abandoned, not adopted) ends with that."""
    now = now or timezone.now()
    phase = current_phase(round, now)
    dates: dict[str, tuple[datetime | None, datetime | None]] = {
        "drafting": (round.drafting_starts, round.consultation_starts),
        "consultation": (round.consultation_starts, round.revision_starts),
        "revision": (round.revision_starts, round.revision_ends),
        "ratification": (round.revision_ends, round.ratified_at),
        "filing": (round.filing_submitted_at, round.filing_received_at),
        "in_force": (
            round.filing_received_at,
            None,
        ),
    }
    steps = []
    if phase in ORDER:
        reached = ORDER.index(phase)
        for index, key in enumerate(ORDER):
            state = "done" if index < reached else "current" if index == reached else "coming"
            steps.append(Step(key, str(PHASE_LABELS[key]), *dates[key], state))
        return steps
    stop = "ratification" if phase == "not_adopted" else None
    for key in ORDER:
        starts = dates[key][0]
        if stop is None and (starts is None or starts > now):
            break
        steps.append(Step(key, str(PHASE_LABELS[key]), *dates[key], "done"))
        if key == stop:
            break
    steps.append(Step(phase, str(PHASE_LABELS[phase]), None, None, "current"))
    return steps
