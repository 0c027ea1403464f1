"""Volunteering's core in the API: registering (oneself, or a resident by phone for staff:
代办), one's own registration (read and change), the staff's volunteer list, the teams (public),
setting one up, joining or adding a member, and appointing a leader. Refusals are 400 with the
service's ``code`` (``already_registered``, ``guardian_consent_missing``, ``own_appointment``…)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import SessionAuth

from gongzhi.accounts.api import TokenAuth
from gongzhi.core.http import api_user, api_viewer
from gongzhi.core.pagination import BoundedLimitOffsetPagination
from gongzhi.core.policies import require
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.volunteering import selectors, services
from gongzhi.volunteering.models import Team, TeamMember, Volunteer
from gongzhi.volunteering.services import Registration

router = Router(tags=["volunteering"])


def _anyone(request: HttpRequest) -> Any:
    return AnonymousUser()


PUBLIC = [TokenAuth(), SessionAuth(), _anyone]
C = "/communities/{slug}/volunteering"


class VolunteerRegistrationOut(Schema):
    id: int
    person: int
    name: str
    skills: list[str]
    availability: str
    languages: str
    birth_date: date | None
    emergency_name: str
    emergency_phone: str
    insurance: str
    insured_until: date | None
    guardian_name: str
    guardian_phone: str
    guardian_consent: bool
    on_public_lists: bool
    registered_by_worker: bool = Field(..., description="Registered by a worker (代办).")
    created_at: datetime
    withdrawn_at: datetime | None

    @staticmethod
    def resolve_person(obj: Any) -> int:
        return obj.person_id if isinstance(obj, Volunteer) else obj["person"]

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.person) if isinstance(obj, Volunteer) else obj["name"]

    @staticmethod
    def resolve_guardian_consent(obj: Any) -> bool:
        if isinstance(obj, Volunteer):
            return obj.guardian_consent_at is not None
        return bool(obj["guardian_consent"])

    @staticmethod
    def resolve_registered_by_worker(obj: Any) -> bool:
        if isinstance(obj, Volunteer):
            return obj.registered_by_id is not None
        return bool(obj["registered_by_worker"])


class VolunteerRegistrationIn(Schema):
    phone: str = Field(
        "", description="Staff only: register this member (by phone) instead of oneself (代办)."
    )
    consent: bool = Field(..., description="Consent to the volunteer record being kept.")
    emergency_name: str = Field(..., max_length=60)
    emergency_phone: str = Field(..., max_length=30)
    skills: list[str] = Field(default_factory=list)
    availability: str = Field("", max_length=200)
    languages: str = Field("", max_length=120)
    birth_date: date | None = None
    insurance: str = Field("", max_length=200)
    insured_until: date | None = None
    guardian_name: str = Field("", max_length=60)
    guardian_phone: str = Field("", max_length=30)
    guardian_consent: bool = False
    on_public_lists: bool = False


class VolunteerRegistrationPatch(Schema):
    emergency_name: str | None = Field(None, max_length=60)
    emergency_phone: str | None = Field(None, max_length=30)
    skills: list[str] | None = None
    availability: str | None = Field(None, max_length=200)
    languages: str | None = Field(None, max_length=120)
    birth_date: date | None = None
    insurance: str | None = Field(None, max_length=200)
    insured_until: date | None = None
    guardian_name: str | None = Field(None, max_length=60)
    guardian_phone: str | None = Field(None, max_length=30)
    guardian_consent: bool | None = None
    on_public_lists: bool | None = None


class VolunteerTeamOut(Schema):
    id: int
    name: str
    kind: str = Field(
        ..., description="environment | patrol | neighbours | garden | elders | other"
    )
    description: str
    partner: int | None
    partner_name: str
    members: int
    leaders: list[str] = Field(..., description="The leaders' display names.")


class VolunteerTeamIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    kind: str
    description: str = Field("", max_length=5000)
    partner: int | None = Field(None, description="A partner of the street with an agreement.")


class TeamPlaceIn(Schema):
    volunteer: int | None = Field(
        None, description="Staff: the volunteer to add; empty: join oneself."
    )


class TeamLeaderIn(Schema):
    volunteer: int


class TeamPlaceOut(Schema):
    team: int
    volunteer: int
    leader: bool
    joined_at: datetime


def _volunteer_out(volunteer: Volunteer) -> dict[str, Any]:
    fields = (
        "skills",
        "availability",
        "languages",
        "birth_date",
        "emergency_name",
        "emergency_phone",
        "insurance",
        "insured_until",
        "guardian_name",
        "guardian_phone",
        "on_public_lists",
        "created_at",
        "withdrawn_at",
    )
    return {
        "id": volunteer.pk,
        "person": volunteer.person_id,
        "name": str(volunteer.person),
        "guardian_consent": volunteer.guardian_consent_at is not None,
        "registered_by_worker": volunteer.registered_by_id is not None,
        **{name: getattr(volunteer, name) for name in fields},
    }


def _member_out(place: TeamMember) -> dict[str, Any]:
    return {
        "team": place.team_id,
        "volunteer": place.volunteer_id,
        "leader": place.leader,
        "joined_at": place.joined_at,
    }


def _my_volunteer(request: HttpRequest, slug: str) -> Volunteer:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    volunteer = selectors.volunteer_for(user, community.pk)
    if volunteer is None:
        raise Http404
    return volunteer


@router.get(
    C + "/volunteers",
    response=list[VolunteerRegistrationOut],
    summary="Staff: the community's volunteers, by name (filter by team and skill)",
)
@paginate(BoundedLimitOffsetPagination)
def volunteer_list(
    request: HttpRequest, slug: str, team: int | None = None, skill: str = ""
) -> Any:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    require("volunteering.manage", user, community)
    chosen = selectors.team_get(community=community, team_id=team) if team else None
    return selectors.volunteer_list(community=community, team=chosen, skill=skill)


@router.post(
    C + "/volunteers",
    response={201: VolunteerRegistrationOut},
    summary="Register as a volunteer (staff: a resident by phone, 代办)",
)
def volunteer_register(
    request: HttpRequest, slug: str, payload: VolunteerRegistrationIn
) -> Status[Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    data = payload.dict()
    phone, consent = data.pop("phone"), data.pop("consent")
    person = None
    if phone:
        # Asked first: whether a phone belongs to a member is not for everyone to learn.
        require("volunteering.register_others", user, community)
        person = member_by_phone(phone=phone, community=community)
    volunteer = services.volunteer_register(
        actor=user, community=community, data=Registration(**data), consent=consent, person=person
    )
    return Status(201, _volunteer_out(volunteer))


@router.get(C + "/volunteers/me", response=VolunteerRegistrationOut, summary="My registration")
def volunteer_me(request: HttpRequest, slug: str) -> dict[str, Any]:
    return _volunteer_out(_my_volunteer(request, slug))


@router.patch(
    C + "/volunteers/me",
    response=VolunteerRegistrationOut,
    summary="Change my registration (only the fields given)",
)
def volunteer_me_update(
    request: HttpRequest, slug: str, payload: VolunteerRegistrationPatch
) -> Any:
    volunteer = _my_volunteer(request, slug)
    given = payload.dict(exclude_unset=True)
    current: dict[str, Any] = {
        "emergency_name": volunteer.emergency_name,
        "emergency_phone": volunteer.emergency_phone,
        "skills": list(volunteer.skills or []),
        "availability": volunteer.availability,
        "languages": volunteer.languages,
        "birth_date": volunteer.birth_date,
        "insurance": volunteer.insurance,
        "insured_until": volunteer.insured_until,
        "guardian_name": volunteer.guardian_name,
        "guardian_phone": volunteer.guardian_phone,
        "guardian_consent": volunteer.guardian_consent_at is not None,
        "on_public_lists": volunteer.on_public_lists,
    }
    current.update(
        {k: v for k, v in given.items() if v is not None or k.endswith(("date", "until"))}
    )
    changed = services.volunteer_update(
        actor=api_user(request), volunteer=volunteer, data=Registration(**current)
    )
    return _volunteer_out(changed)


def _team_out(team: Any, leaders: dict[int, list[str]]) -> dict[str, Any]:
    return {
        "id": team.pk,
        "name": team.name,
        "kind": team.kind,
        "description": team.description,
        "partner": team.partner_id,
        "partner_name": team.partner.name if team.partner else "",
        "members": getattr(team, "member_count", 0),
        "leaders": leaders.get(team.pk, []),
    }


def _leaders_of(community: Any, team_ids: list[int]) -> dict[int, list[str]]:
    leaders: dict[int, list[str]] = {}
    places = (
        TeamMember.objects.in_community(community)
        .filter(team_id__in=team_ids, leader=True, left_at__isnull=True)
        .select_related("volunteer__person")
        .order_by("joined_at", "pk")
    )
    for place in places:
        leaders.setdefault(place.team_id, []).append(str(place.volunteer.person))
    return leaders


@router.get(C + "/teams", response=list[VolunteerTeamOut], auth=PUBLIC, summary="The open teams")
def team_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    community = community_get(slug=slug, user=api_viewer(request))
    teams = selectors.teams_of(community)
    leaders = _leaders_of(community, [t.pk for t in teams])
    return [_team_out(t, leaders) for t in teams]


@router.post(
    C + "/teams", response={201: VolunteerTeamOut}, summary="Staff: set up a volunteer team"
)
def team_create(request: HttpRequest, slug: str, payload: VolunteerTeamIn) -> Status[Any]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    require("volunteering.manage", user, community)
    partner = None
    if payload.partner is not None:
        partner = next(
            (p for p in services.partners_of(community) if p.pk == payload.partner), None
        )
        if partner is None:
            raise Http404
    team = services.team_create(
        actor=user,
        community=community,
        name=payload.name,
        kind=payload.kind,
        description=payload.description,
        partner=partner,
    )
    return Status(201, _team_out(team, {}))


def _team_and_volunteer(
    request: HttpRequest, slug: str, team_id: int, volunteer_id: int | None
) -> tuple[Any, Team, Volunteer]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    team = selectors.team_get(community=community, team_id=team_id)
    if volunteer_id is None:
        volunteer = selectors.volunteer_for(user, community.pk)
    else:
        volunteer = Volunteer.objects.in_community(community).filter(pk=volunteer_id).first()
    if volunteer is None:
        raise Http404
    return user, team, volunteer


@router.post(
    C + "/teams/{team_id}/members",
    response={201: TeamPlaceOut},
    summary="Join a team (or, staff, add a volunteer)",
)
def team_member_add(
    request: HttpRequest, slug: str, team_id: int, payload: TeamPlaceIn
) -> Status[Any]:
    user, team, volunteer = _team_and_volunteer(request, slug, team_id, payload.volunteer)
    place = services.team_join(actor=user, team=team, volunteer=volunteer)
    return Status(201, _member_out(place))


@router.post(
    C + "/teams/{team_id}/leaders",
    response={201: TeamPlaceOut},
    summary="Staff: appoint a team leader (never oneself: 400 own_appointment)",
)
def team_leader_add(
    request: HttpRequest, slug: str, team_id: int, payload: TeamLeaderIn
) -> Status[Any]:
    user, team, volunteer = _team_and_volunteer(request, slug, team_id, payload.volunteer)
    place = services.team_leader_appoint(actor=user, team=team, volunteer=volunteer)
    return Status(201, _member_out(place))
