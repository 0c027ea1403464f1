"""Covenants in the API (the drafting part), under /communities/{slug}/covenants/: the list, one
covenant with its current round and versions, a version's whole text, the diff of two versions,
creating a covenant (its first draft and round), starting a review, and a round's draft, dates
and abandonment. Members read; those who act for the drafting body (or workers) draft.
Refusals are 400 with the service's code (``drafting_over``, ``phases_order``, ``date_passed``,
``round_under_way`` …); a covenant or round the caller may not read is 404, as a missing one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gongzhi.bodies.models import Body
from gongzhi.core.http import api_user
from gongzhi.core.models import Building
from gongzhi.core.selectors import community_get
from gongzhi.covenants import selectors, services
from gongzhi.covenants import text as covtext
from gongzhi.covenants.models import Covenant, Round, Version

router = Router(tags=["covenants"])

C = "/communities/{slug}/covenants"
COVENANT = C + "/{covenant_id}"
ROUND = C + "/rounds/{round_id}"


class CovenantRoundOut(Schema):
    id: int
    number: int
    kind: str = Field(..., description="drafting | review")
    status: str = Field(
        ..., description="open | ratifying | ratified | in_force | not_adopted | abandoned"
    )
    phase: str = Field(
        ...,
        description="drafting | consultation | revision | ratification | filing | in_force | "
        "not_adopted | abandoned",
    )
    draft_version: int = Field(..., description="The draft's version number.")
    consolidated_version: int | None
    drafting_starts: datetime
    consultation_starts: datetime
    revision_starts: datetime
    revision_ends: datetime
    closing_note: str


class CovenantOut(Schema):
    id: int
    title: str
    summary: str
    scope: str = Field(..., description="community | building")
    building: int | None
    building_name: str
    drafting_body: int
    drafting_body_name: str
    owners_matter: bool
    in_force_version: int | None = Field(..., description="The version number in force, if any.")
    phase: str = Field(..., description="The latest round's phase; empty without a round.")
    created_at: datetime


class CovenantVersionBrief(Schema):
    number: int
    kind: str = Field(..., description="draft | consolidated | adopted")
    round: int | None
    created_at: datetime
    adopted_at: datetime | None


class CovenantDetailOut(CovenantOut):
    round: CovenantRoundOut | None
    versions: list[CovenantVersionBrief]


class CovenantParagraphOut(Schema):
    key: int = Field(..., description="Stable across versions: comments and amendments name it.")
    number: int = Field(..., description="1, 2, 3 … in the article (第N款).")
    text: str
    origin: int | None = Field(..., description="The amendment that wrote it, if one did.")


class CovenantArticleOut(Schema):
    key: int
    number: int = Field(..., description="1, 2, 3 … (第N条).")
    label: str = Field(..., description="第一条, 第二条 …")
    heading: str
    origin: int | None
    paragraphs: list[CovenantParagraphOut]


class CovenantVersionOut(CovenantVersionBrief):
    covenant: int
    preamble: str
    articles: list[CovenantArticleOut]


class CovenantDiffSegmentOut(Schema):
    tag: str = Field(..., description="equal | insert | delete")
    text: str


class CovenantParagraphChangeOut(Schema):
    kind: str = Field(..., description="same | changed | inserted | deleted")
    key: int
    old: str | None
    new: str | None
    segments: list[CovenantDiffSegmentOut]
    origin: int | None


class CovenantArticleChangeOut(Schema):
    kind: str = Field(..., description="same | changed | inserted | deleted")
    key: int
    old_number: int | None
    new_number: int | None
    old_heading: str | None
    new_heading: str | None
    heading_segments: list[CovenantDiffSegmentOut]
    paragraphs: list[CovenantParagraphChangeOut]
    origin: int | None


class CovenantDiffCounts(Schema):
    changed: int
    inserted: int
    deleted: int


class CovenantDiffOut(Schema):
    from_version: int
    to_version: int
    articles: CovenantDiffCounts
    paragraphs: CovenantDiffCounts
    changes: list[CovenantArticleChangeOut]


class CovenantDatesIn(Schema):
    drafting_starts: datetime | None = Field(None, description="Empty: now.")
    consultation_starts: datetime
    revision_starts: datetime = Field(..., description="The public consultation ends then.")
    revision_ends: datetime

    def dates(self) -> services.Dates:
        return services.Dates(
            drafting_starts=self.drafting_starts or timezone.now(),
            consultation_starts=self.consultation_starts,
            revision_starts=self.revision_starts,
            revision_ends=self.revision_ends,
        )


class CovenantIn(CovenantDatesIn):
    title: str = Field(..., max_length=120)
    summary: str = Field("", max_length=300)
    scope: str = Field("community", description="community | building")
    building: int | None = Field(None, description="For a building covenant: the building's id.")
    drafting_body: int = Field(..., description="The body that drafts it (its id).")
    owners_matter: bool = False
    plain_text: str = Field(
        ...,
        max_length=200_000,
        description="The draft: a line “第一条 heading” starts an article, each line below it is a "
        "paragraph; lines before the first article are the preamble.",
    )


class CovenantDraftIn(Schema):
    plain_text: str = Field(..., max_length=200_000)


class CovenantAbandonIn(Schema):
    reason: str = Field(..., max_length=500)


def _round_out(round_: Round) -> dict[str, Any]:
    return {
        "id": round_.pk,
        "number": round_.number,
        "kind": round_.kind,
        "status": round_.status,
        "phase": selectors.current_phase(round_),
        "draft_version": round_.draft.number,
        "consolidated_version": round_.consolidated.number if round_.consolidated else None,
        "drafting_starts": round_.drafting_starts,
        "consultation_starts": round_.consultation_starts,
        "revision_starts": round_.revision_starts,
        "revision_ends": round_.revision_ends,
        "closing_note": round_.closing_note,
    }


def _covenant_out(covenant: Covenant, round_: Round | None) -> dict[str, Any]:
    return {
        "id": covenant.pk,
        "title": covenant.title,
        "summary": covenant.summary,
        "scope": covenant.scope,
        "building": covenant.building_id,
        "building_name": covenant.building.name if covenant.building else "",
        "drafting_body": covenant.drafting_body_id,
        "drafting_body_name": covenant.drafting_body.name,
        "owners_matter": covenant.owners_matter,
        "in_force_version": covenant.in_force.number if covenant.in_force else None,
        "phase": selectors.current_phase(round_) if round_ is not None else "",
        "created_at": covenant.created_at,
    }


def _version_brief(version: Version) -> dict[str, Any]:
    return {
        "number": version.number,
        "kind": version.kind,
        "round": version.round_id,
        "created_at": version.created_at,
        "adopted_at": version.adopted_at,
    }


def _version_out(version: Version) -> dict[str, Any]:
    text = selectors.version_text(version)
    return {
        **_version_brief(version),
        "covenant": version.covenant_id,
        "preamble": text.preamble,
        "articles": [
            {
                "key": art.key,
                "number": position,
                "label": covtext.article_label(position),
                "heading": art.heading,
                "origin": art.origin,
                "paragraphs": [
                    {"key": p.key, "number": n, "text": p.text, "origin": p.origin}
                    for n, p in enumerate(art.paras, start=1)
                ],
            }
            for position, art in enumerate(text.articles, start=1)
        ],
    }


def _detail_out(covenant: Covenant) -> dict[str, Any]:
    round_ = selectors.latest_round(covenant)
    return {
        **_covenant_out(covenant, round_),
        "round": _round_out(round_) if round_ is not None else None,
        "versions": [_version_brief(v) for v in selectors.versions_of(covenant)],
    }


def _segments(parts: tuple[covtext.Segment, ...]) -> list[dict[str, str]]:
    return [{"tag": part.tag, "text": part.text} for part in parts]


def _counts(counts: dict[str, int]) -> dict[str, int]:
    return {kind: counts[kind] for kind in ("changed", "inserted", "deleted")}


def _covenant(request: HttpRequest, slug: str, covenant_id: int) -> Covenant:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    return selectors.covenant_get(community=community, user=user, covenant_id=covenant_id)


def _round(request: HttpRequest, slug: str, round_id: int) -> Round:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    return selectors.round_get(community=community, user=user, round_id=round_id)


@router.get(C, response=list[CovenantOut], summary="A community's covenants")
def covenant_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """In force first, then those being drafted or reviewed, then the rest."""
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    lists = selectors.covenant_lists(community=community, user=user)
    return [
        _covenant_out(item.covenant, item.round)
        for item in (*lists.in_force, *lists.drafting, *lists.other)
    ]


@router.post(
    C,
    response={201: CovenantDetailOut},
    summary="Draft a covenant: its first draft and round (those who act for the body, workers)",
)
def covenant_create(request: HttpRequest, slug: str, payload: CovenantIn) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    body = Body.objects.in_community(community).filter(pk=payload.drafting_body).first()
    if body is None:
        raise ValidationError(_("No body of this community has that id."), code="body_unknown")
    building = None
    if payload.building is not None:
        building = Building.objects.in_community(community).filter(pk=payload.building).first()
        if building is None:
            raise ValidationError(
                _("No building of this community has that id."), code="building_unknown"
            )
    covenant = services.covenant_create(
        actor=user,
        community=community,
        title=payload.title,
        summary=payload.summary,
        scope=payload.scope,
        building=building,
        drafting_body=body,
        owners_matter=payload.owners_matter,
        plain_text=payload.plain_text,
        dates=payload.dates(),
    )
    return Status(201, _detail_out(covenant))


@router.get(COVENANT, response=CovenantDetailOut, summary="One covenant")
def covenant_detail(request: HttpRequest, slug: str, covenant_id: int) -> dict[str, Any]:
    return _detail_out(_covenant(request, slug, covenant_id))


@router.get(
    COVENANT + "/versions/{number}",
    response=CovenantVersionOut,
    summary="A version's whole text, with keys and where each change came from",
)
def version_detail(
    request: HttpRequest, slug: str, covenant_id: int, number: int
) -> dict[str, Any]:
    covenant = _covenant(request, slug, covenant_id)
    return _version_out(selectors.version_get(covenant, number))


@router.get(
    COVENANT + "/diff",
    response=CovenantDiffOut,
    summary="What changed between two versions (default: the previous one → the latest)",
)
def version_diff(
    request: HttpRequest,
    slug: str,
    covenant_id: int,
    from_version: int | None = Query(None, alias="from"),  # noqa: B008
    to_version: int | None = Query(None, alias="to"),  # noqa: B008
) -> dict[str, Any]:
    covenant = _covenant(request, slug, covenant_id)
    listed = selectors.versions_of(covenant)
    default = selectors.default_diff_numbers(listed) or (listed[0].number, listed[0].number)
    by_number = {v.number: v for v in listed}
    old = by_number.get(from_version if from_version is not None else default[0])
    new = by_number.get(to_version if to_version is not None else default[1])
    if old is None or new is None:
        raise Http404
    compared = selectors.diff_between(old, new)
    return {
        "from_version": old.number,
        "to_version": new.number,
        "articles": _counts(compared.summary.articles),
        "paragraphs": _counts(compared.summary.paragraphs),
        "changes": [
            {
                "kind": change.kind,
                "key": change.key,
                "old_number": change.old_position,
                "new_number": change.new_position,
                "old_heading": change.old_heading,
                "new_heading": change.new_heading,
                "heading_segments": _segments(change.heading_segments),
                "paragraphs": [
                    {
                        "kind": p.kind,
                        "key": p.key,
                        "old": p.old,
                        "new": p.new,
                        "segments": _segments(p.segments),
                        "origin": p.origin,
                    }
                    for p in change.paras
                ],
                "origin": change.origin,
            }
            for change in compared.changes
        ],
    }


@router.post(
    COVENANT + "/rounds",
    response={201: CovenantRoundOut},
    summary="Start a review of the text in force (a new round whose draft copies it)",
)
def review_start(
    request: HttpRequest, slug: str, covenant_id: int, payload: CovenantDatesIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    covenant = _covenant(request, slug, covenant_id)
    round_ = services.review_start(actor=user, covenant=covenant, dates=payload.dates())
    return Status(201, _round_out(round_))


@router.post(
    ROUND + "/draft",
    response=CovenantVersionOut,
    summary="Replace the draft while the round is being drafted",
)
def draft_replace(
    request: HttpRequest, slug: str, round_id: int, payload: CovenantDraftIn
) -> dict[str, Any]:
    user = api_user(request)
    round_ = _round(request, slug, round_id)
    draft = services.draft_replace(actor=user, round=round_, plain_text=payload.plain_text)
    return _version_out(draft)


@router.post(
    ROUND + "/schedule",
    response=CovenantRoundOut,
    summary="Move the round's dates that have not passed",
)
def round_schedule(
    request: HttpRequest, slug: str, round_id: int, payload: CovenantDatesIn
) -> dict[str, Any]:
    user = api_user(request)
    round_ = _round(request, slug, round_id)
    data = payload.dates()
    if payload.drafting_starts is None:
        data = services.Dates(
            round_.drafting_starts,
            data.consultation_starts,
            data.revision_starts,
            data.revision_ends,
        )
    return _round_out(services.round_reschedule(actor=user, round=round_, dates=data))


@router.post(
    ROUND + "/abandon", response=CovenantRoundOut, summary="Abandon a round, with a reason"
)
def round_abandon(
    request: HttpRequest, slug: str, round_id: int, payload: CovenantAbandonIn
) -> dict[str, Any]:
    user = api_user(request)
    round_ = _round(request, slug, round_id)
    return _round_out(services.round_abandon(actor=user, round=round_, reason=payload.reason))
