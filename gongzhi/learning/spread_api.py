"""API routes of how leadership spreads, under /communities/{slug}/learning/: my invitation link
(make it, stop it), joining a community through a neighbour's link, a newcomer naming who
brought them in, and the spread stats for staff. Refusals are 400 with the service's code
(``no_invite_link``, ``own_link``, ``already_member``, ``not_newcomer``, ``recruiter_known``,
``own_recruiter``, ``not_member``); a stopped or unknown link is 404."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from gongzhi.core.http import api_user
from gongzhi.core.selectors import community_get
from gongzhi.learning import spread_selectors as selectors
from gongzhi.learning import spread_services as services
from gongzhi.learning.models import InviteLink

router = Router(tags=["learning"])

L = "/communities/{slug}/learning"


class LearningInviteLinkOut(Schema):
    token: str
    url: str = Field(..., description="The landing page to share: /c/<slug>/learning/join/<token>/")
    created_at: datetime
    revoked_at: datetime | None
    joined: int = Field(..., description="People who joined through any of my links.")


class LearningJoinOut(Schema):
    community: str
    membership: int
    recruiter: int = Field(..., description="The user id of the link's owner.")


class LearningRecruitedByIn(Schema):
    phone: str = Field(..., min_length=1, max_length=30)


class LearningRecruitedByOut(Schema):
    recruiter: int
    at: datetime


class LearningSpreadCellOut(Schema):
    label: str
    leaders: int | None = Field(..., description="null: a small cell, suppressed")
    people: int | None


class LearningSpreadReachOut(Schema):
    kind: str = Field(..., description="all | invited | recruited | trained")
    people: int
    max_depth: int


class LearningSpreadYearOut(Schema):
    year: int
    new_leaders: int


class LearningSpreadOut(Schema):
    leaders: int
    members: int
    by_grid: list[LearningSpreadCellOut]
    by_group: list[LearningSpreadCellOut]
    new_leaders_by_year: list[LearningSpreadYearOut]
    households_with_leader: int
    leaders_without_household: int
    shared_household_share: float
    top5_household_share: float
    reach: list[LearningSpreadReachOut]
    ties: int
    recorded_since: date | None = Field(..., description="The first tie recorded; none before.")
    threshold: int = Field(..., description="Cells of fewer people are suppressed.")


def _link_out(link: InviteLink, community: Any) -> dict[str, Any]:
    return {
        "token": link.token,
        "url": reverse("learning_join", kwargs={"slug": community.slug, "token": link.token}),
        "created_at": link.created_at,
        "revoked_at": link.revoked_at,
        "joined": selectors.joined_through(community, link.owner),
    }


@router.post(
    L + "/me/invite-link",
    response={200: LearningInviteLinkOut, 201: LearningInviteLinkOut},
    summary="My invitation link: the live one (200), or a new one (201)",
)
def invite_link_make(request: HttpRequest, slug: str) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    link, made = services.invite_link_make(actor=user, community=community)
    return Status(201 if made else 200, _link_out(link, community))


@router.post(
    L + "/me/invite-link/revoke",
    response=LearningInviteLinkOut,
    summary="Stop my invitation link (400 no_invite_link when there is none)",
)
def invite_link_revoke(request: HttpRequest, slug: str) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    return _link_out(services.invite_link_revoke(actor=user, community=community), community)


@router.post(
    L + "/join/{token}",
    response={201: LearningJoinOut},
    summary="Join the community through a neighbour's invitation link",
)
def join_by_link(request: HttpRequest, slug: str, token: str) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    membership = services.join_by_link(actor=user, community=community, token=token)
    tie = services.recruiter_of(community, user)
    assert tie is not None
    return Status(
        201,
        {"community": community.slug, "membership": membership.pk, "recruiter": tie.source_id},
    )


@router.post(
    L + "/me/recruited-by",
    response={201: LearningRecruitedByOut},
    summary="A newcomer names, once, the member (by phone) who brought them in",
)
def recruited_by(
    request: HttpRequest, slug: str, payload: LearningRecruitedByIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    tie = services.recruited_by_record(actor=user, community=community, phone=payload.phone)
    return Status(201, {"recruiter": tie.source_id, "at": tie.at})


@router.get(
    L + "/spread",
    response=LearningSpreadOut,
    summary="How leadership spreads: leaders by grid and group, years, households, reach",
)
def spread_stats(request: HttpRequest, slug: str) -> dict[str, Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user, perm="learning.view_spread")
    stats = selectors.spread_stats(community)
    c = stats.concentration
    return {
        "leaders": stats.leaders,
        "members": stats.members,
        "by_grid": [vars(cell) for cell in stats.by_grid],
        "by_group": [vars(cell) for cell in stats.by_group],
        "new_leaders_by_year": [{"year": y, "new_leaders": n} for y, n in stats.new_by_year],
        "households_with_leader": c.households,
        "leaders_without_household": c.without_household,
        "shared_household_share": c.shared_share,
        "top5_household_share": c.top5_share,
        "reach": [
            {"kind": r.kind, "people": r.people, "max_depth": r.max_depth} for r in stats.reach
        ],
        "ties": stats.ties,
        "recorded_since": selectors.local_day(stats.since) if stats.since else None,
        "threshold": stats.threshold,
    }
