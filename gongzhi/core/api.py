from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.core import selectors, services
from gongzhi.core.http import api_user
from gongzhi.core.models import Community, Role
from gongzhi.core.pagination import BoundedLimitOffsetPagination

router = Router(tags=["communities"])


class CommunityOut(Schema):
    slug: str
    name: str
    street: str
    district: str
    description: str

    @staticmethod
    def resolve_street(obj) -> str:
        return obj["street"] if isinstance(obj, dict) else obj.street.name

    @staticmethod
    def resolve_district(obj) -> str:
        return obj["district"] if isinstance(obj, dict) else obj.street.district.name


class CommunityCountsOut(Schema):
    members: int
    verified: int
    active_30d: int


class CommunityDetailOut(CommunityOut):
    stats: CommunityCountsOut
    my_roles: list[str]


class MembershipOut(Schema):
    id: int
    user_id: int
    display_name: str
    phone: str
    building: str | None
    unit: str | None
    joined_at: datetime
    verified_at: datetime | None
    verification_method: str
    roles: list[str]

    @staticmethod
    def resolve_display_name(obj) -> str:
        return obj.user.display_name

    @staticmethod
    def resolve_phone(obj) -> str:
        return obj.user.phone

    @staticmethod
    def resolve_building(obj) -> str | None:
        return obj.household.building.name if obj.household else None

    @staticmethod
    def resolve_unit(obj) -> str | None:
        return obj.household.unit if obj.household else None

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return sorted(obj.role_set())


class MemberFilter(Schema):
    q: str = ""
    status: str = ""
    role: str = ""


class CodeIn(Schema):
    code: str


class RoleIn(Schema):
    role: Role


def _community(c: Community) -> dict:
    return {
        "slug": c.slug,
        "name": c.name,
        "street": c.street.name,
        "district": c.street.district.name,
        "description": c.description,
    }


@router.get("", response=list[CommunityOut], auth=None, summary="All communities (public)")
@paginate(BoundedLimitOffsetPagination)
def community_list(request: HttpRequest):
    return Community.objects.select_related("street__district").order_by("pk")


@router.get("/{slug}", response=CommunityDetailOut, auth=None, summary="One community, with counts")
def community_detail(request: HttpRequest, slug: str):
    community = selectors.community_get(slug=slug, user=request.user)
    membership = selectors.membership_of(user=request.user, community=community)
    stats = selectors.community_stats(community)
    return {
        **_community(community),
        "stats": {
            "members": stats.members,
            "verified": stats.verified,
            "active_30d": stats.active_30d,
        },
        "my_roles": sorted(membership.role_set()) if membership else [],
    }


@router.post("/{slug}/join", response={201: MembershipOut}, summary="Join a community")
def community_join(request: HttpRequest, slug: str):
    user = api_user(request)
    community = selectors.community_get(slug=slug, user=user)
    membership = services.membership_join(actor=user, community=community)
    return Status(201, membership)


@router.post(
    "/{slug}/verify", response=MembershipOut, summary="Verify with a household letter code"
)
def community_verify(request: HttpRequest, slug: str, payload: CodeIn):
    user = api_user(request)
    community = selectors.community_get(slug=slug, user=user)
    membership = services.membership_verify_with_code(
        actor=user, community=community, code=payload.code
    )
    return membership


@router.get(
    "/{slug}/memberships",
    response=list[MembershipOut],
    summary="Members of a community (its staff only)",
)
@paginate(BoundedLimitOffsetPagination)
def membership_list(request: HttpRequest, slug: str, filters: Query[MemberFilter]):
    user = api_user(request)
    community = selectors.community_get(slug=slug, user=user, perm="core.view_members")
    queryset = selectors.member_list(
        community=community,
        viewer=user,
        query=filters.q,
        status=filters.status,
        role=filters.role,
    )
    return queryset


@router.get("/{slug}/memberships/{membership_id}", response=MembershipOut, summary="One membership")
def membership_detail(request: HttpRequest, slug: str, membership_id: int):
    user = api_user(request)
    community = selectors.community_get(slug=slug, user=user)
    return selectors.membership_get(community=community, user=user, membership_id=membership_id)


@router.post(
    "/{slug}/memberships/{membership_id}/verify",
    response=MembershipOut,
    summary="Verify a resident seen in person",
)
def membership_verify(request: HttpRequest, slug: str, membership_id: int):
    user = api_user(request)
    community = selectors.community_get(slug=slug, user=user, perm="core.verify_member")
    membership = selectors.membership_get(
        community=community, user=user, membership_id=membership_id
    )
    services.membership_verify_in_person(actor=user, community=community, membership=membership)
    return selectors.membership_get(community=community, user=user, membership_id=membership_id)


@router.post(
    "/{slug}/memberships/{membership_id}/roles",
    response=MembershipOut,
    summary="Grant a role",
)
def membership_grant_role(request: HttpRequest, slug: str, membership_id: int, payload: RoleIn):
    user = api_user(request)
    community = selectors.community_get(slug=slug, user=user, perm="core.grant_role")
    membership = selectors.membership_get(
        community=community, user=user, membership_id=membership_id
    )
    services.role_grant(
        actor=user, community=community, membership=membership, role=payload.role.value
    )
    return selectors.membership_get(community=community, user=user, membership_id=membership_id)


@router.delete(
    "/{slug}/memberships/{membership_id}/roles/{role}",
    response=MembershipOut,
    summary="Revoke a role",
)
def membership_revoke_role(request: HttpRequest, slug: str, membership_id: int, role: Role):
    user = api_user(request)
    community = selectors.community_get(slug=slug, user=user, perm="core.grant_role")
    membership = selectors.membership_get(
        community=community, user=user, membership_id=membership_id
    )
    services.role_revoke(actor=user, community=community, membership=membership, role=role.value)
    return selectors.membership_get(community=community, user=user, membership_id=membership_id)


class ActivityOut(Schema):
    seq: int | None  # None for the moment between the act and its chaining
    at: datetime
    verb: str
    on_behalf: bool

    @staticmethod
    def resolve_on_behalf(obj) -> bool:
        return obj.on_behalf_of_id is not None


@router.get("/{slug}/my-activity", response=list[ActivityOut], summary="My participation record")
@paginate(BoundedLimitOffsetPagination)
def my_activity(request: HttpRequest, slug: str):
    user = api_user(request)
    community = selectors.community_get(slug=slug, user=user)
    return selectors.participation_record(user=user, community=community)
