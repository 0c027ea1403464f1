"""Small builders the covenant tests share, made directly (so each part's tests do not depend on
another part's services): a drafting body, a covenant with a draft of articles and paragraphs, a
round with its dated phases, comments and amendments."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from gongzhi.bodies.models import Body, BodyKind
from gongzhi.covenants.models import (
    Amendment,
    AmendmentKind,
    Article,
    Comment,
    Covenant,
    Paragraph,
    Round,
    RoundKind,
    Scope,
    Version,
    VersionKind,
)
from tests.bodies.bodies_world import council
from tests.factories import member

#: A short draft: articles of (heading, [paragraph texts]).
DRAFT = [
    ("宠物", ["遛狗须牵绳，及时清理粪便。", "犬只须依法登记并接种疫苗。"]),
    ("噪音", ["晚十时至早七时不得装修或大声喧哗。"]),
    ("停车", ["车辆停放在划定车位内，不占用消防通道。", "电动车不得进楼道充电。"]),
]


def drafting_body(community: Any, worker: Any, **fields: Any) -> Body:
    """A residents' council with a charter that lets it decide on covenant amendments."""
    return council(community, worker, kind=fields.pop("kind", BodyKind.COUNCIL), **fields)


def write_version(
    covenant: Covenant,
    articles: list[tuple[str, list[str]]] = DRAFT,
    *,
    kind: str = VersionKind.DRAFT,
    round: Round | None = None,
    based_on: Version | None = None,
) -> Version:
    """A new version of ``covenant`` holding ``articles``, with fresh keys from the covenant's
    counter (articles and paragraphs alike)."""
    number = (
        covenant.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    version = Version.objects.in_community(covenant.community_id).create(
        covenant=covenant,
        number=number,
        kind=kind,
        round=round,
        based_on=based_on,
        created_by=covenant.created_by,
    )
    key = covenant.next_key
    for a_pos, (heading, paragraphs) in enumerate(articles, start=1):
        article = Article.objects.in_community(covenant.community_id).create(
            version=version, position=a_pos, key=key, heading=heading
        )
        key += 1
        for p_pos, text in enumerate(paragraphs, start=1):
            Paragraph.objects.in_community(covenant.community_id).create(
                article=article, position=p_pos, key=key, text=text
            )
            key += 1
    covenant.next_key = key
    covenant.save(update_fields=["next_key"])
    return version


def covenant_of(
    community: Any,
    worker: Any,
    *,
    body: Body | None = None,
    articles: list[tuple[str, list[str]]] = DRAFT,
    phase: str = "consultation",
    **fields: Any,
) -> Covenant:
    """A community covenant with a first round whose current phase is ``phase`` (drafting,
    consultation or revision; "ratification" leaves the dated phases behind)."""
    covenant = Covenant.objects.in_community(community).create(
        title=fields.pop("title", "幸福社区居民公约"),
        scope=fields.pop("scope", Scope.COMMUNITY),
        drafting_body=body or drafting_body(community, worker),
        created_by=worker,
        **fields,
    )
    draft = write_version(covenant, articles)
    round_of(covenant, draft, phase=phase)
    return covenant


def dates_for(phase: str, now: datetime | None = None) -> dict[str, datetime]:
    """Phase dates around ``now`` such that ``phase`` is current."""
    now = now or timezone.now()
    day = timedelta(days=1)
    offsets = {
        "drafting": (-1, 5, 10, 15),
        "consultation": (-5, -1, 10, 15),
        "revision": (-10, -5, -1, 10),
        "ratification": (-15, -10, -5, -1),
    }[phase]
    names = ("drafting_starts", "consultation_starts", "revision_starts", "revision_ends")
    return {name: now + n * day for name, n in zip(names, offsets, strict=True)}


def round_of(
    covenant: Covenant, draft: Version, *, phase: str = "consultation", **fields: Any
) -> Round:
    number = (covenant.rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    round_ = Round.objects.in_community(covenant.community_id).create(
        covenant=covenant,
        number=number,
        kind=fields.pop("kind", RoundKind.DRAFTING if number == 1 else RoundKind.REVIEW),
        draft=draft,
        created_by=covenant.created_by,
        **dates_for(phase),
        **fields,
    )
    draft.round = round_
    draft.save(update_fields=["round"])
    return round_


def current_round(covenant: Covenant) -> Round:
    return covenant.rounds.order_by("-number").first()


def keys(version: Version) -> list[tuple[int, list[int]]]:
    """``[(article key, [paragraph keys])]`` in order."""
    return [
        (article.key, [p.key for p in article.paragraphs.order_by("position")])
        for article in version.articles.order_by("position")
    ]


def comment_of(
    round_: Round,
    author: Any = None,
    *,
    article_key: int,
    paragraph_key: int | None = None,
    text: str = "建议写清楚。",
) -> Comment:
    return Comment.objects.in_community(round_.community_id).create(
        round=round_,
        article_key=article_key,
        paragraph_key=paragraph_key,
        author=author or member(round_.community),
        text=text,
    )


def amendment_of(round_: Round, author: Any = None, **fields: Any) -> Amendment:
    number = (
        round_.amendments.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    return Amendment.objects.in_community(round_.community_id).create(
        round=round_,
        number=number,
        kind=fields.pop("kind", AmendmentKind.REPLACE),
        author=author or member(round_.community),
        reason=fields.pop("reason", "原文不够清楚。"),
        **fields,
    )
