"""Registering as a volunteer (R4.1): consent, the emergency contact, minors with a guardian,
代办 by a worker, editing, withdrawing; the permissions and the leader predicates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import override

from gongzhi.core.models import Activity, Role
from gongzhi.volunteering import services
from gongzhi.volunteering.models import TeamMember, Volunteer
from gongzhi.volunteering.policies import leads_any_team, leads_team
from gongzhi.volunteering.selectors import settings_for, volunteer_for
from gongzhi.volunteering.services import Registration, age_on
from tests.factories import member
from tests.volunteering.world import team_of, volunteer_of


def _data(**fields):
    return Registration(
        emergency_name=fields.pop("emergency_name", "王芳"),
        emergency_phone=fields.pop("emergency_phone", "139 0000 9999"),
        skills=fields.pop("skills", ["急救", "摄影"]),
        **fields,
    )


def _years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) + timedelta(days=days)


def _register(actor, community, **fields):
    person = fields.pop("person", None)
    consent = fields.pop("consent", True)
    return services.volunteer_register(
        actor=actor, community=community, data=_data(**fields), consent=consent, person=person
    )


def _code(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.code


def test_a_member_registers_with_consent(community, resident):
    volunteer = _register(resident, community, availability="周末", on_public_lists=True)
    assert volunteer.person == resident
    assert volunteer.emergency_phone == "+8613900009999"
    assert volunteer.skills == ["急救", "摄影"]
    assert volunteer.consent_at is not None and volunteer.registered_by is None
    assert volunteer.on_public_lists
    assert volunteer_for(resident, community.pk) == volunteer
    entry = Activity.objects.in_community(community).get(verb="volunteer.registered")
    assert entry.actor == resident and entry.on_behalf_of is None
    # Registering grants no role: the 志愿者 role is a worker's act in core.
    assert not resident.memberships.get(community=community).role_grants.exists()


def test_refusals_save_nothing(community, resident, outsider):
    assert _code(lambda: _register(resident, community, consent=False)) == "consent_missing"
    assert _code(lambda: _register(resident, community, emergency_phone="12")) == "phone_invalid"
    assert _code(lambda: _register(resident, community, emergency_name=" ")) == (
        "emergency_missing"
    )
    with pytest.raises(PermissionDenied):
        _register(outsider, community)
    assert not Volunteer.objects.in_community(community).exists()
    _register(resident, community)
    assert _code(lambda: _register(resident, community)) == "already_registered"
    assert Volunteer.objects.in_community(community).count() == 1


def test_errors_are_translated(community, resident):
    with override("en"):
        with pytest.raises(ValidationError) as caught:
            _register(resident, community, emergency_phone="12")
        assert "not a valid mobile number" in caught.value.messages[0]
    with override("zh-hans"):
        with pytest.raises(ValidationError) as caught:
            _register(resident, community, consent=False)
        assert caught.value.code == "consent_missing"


def test_a_minor_needs_a_guardians_consent(community, resident):
    minor = {"birth_date": _years_ago(18, days=1)}  # 18 tomorrow: still 17 today
    assert _code(lambda: _register(resident, community, **minor)) == "guardian_consent_missing"
    assert (
        _code(
            lambda: _register(
                resident, community, guardian_name="王大", guardian_phone="13900001111", **minor
            )
        )
        == "guardian_consent_missing"
    )
    assert (
        _code(
            lambda: _register(
                resident,
                community,
                guardian_name="王大",
                guardian_phone="1",
                guardian_consent=True,
                **minor,
            )
        )
        == "phone_invalid"
    )
    volunteer = _register(
        resident,
        community,
        guardian_name="王大",
        guardian_phone="13900001111",
        guardian_consent=True,
        **minor,
    )
    assert volunteer.guardian_consent_at is not None
    assert volunteer.guardian_phone == "+8613900001111"


def test_an_adult_today_needs_no_guardian(community, resident):
    volunteer = _register(resident, community, birth_date=_years_ago(18))
    assert volunteer.guardian_consent_at is None and volunteer.guardian_name == ""


def test_a_birth_date_in_the_future_is_refused(community, resident):
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert _code(lambda: _register(resident, community, birth_date=tomorrow)) == (
        "birth_date_invalid"
    )


def test_age_on():
    assert age_on(date(2008, 3, 1), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 3, 1), date(2026, 3, 1)) == 18
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17


def test_a_worker_registers_a_resident_on_their_behalf(community, worker, resident):
    volunteer = _register(worker, community, person=resident)
    assert volunteer.person == resident and volunteer.registered_by == worker
    entry = Activity.objects.in_community(community).get(verb="volunteer.registered")
    assert entry.actor == worker and entry.on_behalf_of == resident


def test_only_staff_register_others(community, resident, supervisor):
    neighbour = member(community)
    for actor in (neighbour, supervisor):
        with pytest.raises(PermissionDenied):
            _register(actor, community, person=resident)
    assert not Volunteer.objects.in_community(community).exists()


def test_someone_not_a_member_cannot_be_registered(community, other_community, worker):
    stranger = member(other_community)
    assert _code(lambda: _register(worker, community, person=stranger)) == "not_member"


def test_edit_own_registration_and_withdraw(community, resident, worker):
    volunteer = _register(resident, community)
    changed = services.volunteer_update(
        actor=resident, volunteer=volunteer, data=_data(languages="普通话, English")
    )
    assert changed.languages == "普通话, English"
    team = team_of(community, worker)
    services.team_join(actor=resident, team=team, volunteer=volunteer)
    other = member(community)
    with pytest.raises(PermissionDenied):
        services.volunteer_update(actor=other, volunteer=volunteer, data=_data())
    with pytest.raises(PermissionDenied):
        services.volunteer_withdraw(actor=other, volunteer=volunteer)
    gone = services.volunteer_withdraw(actor=resident, volunteer=volunteer)
    assert gone.withdrawn_at is not None
    assert volunteer_for(resident, community.pk) is None
    assert Volunteer.objects.in_community(community).filter(pk=volunteer.pk).exists()
    assert not TeamMember.objects.in_community(community).filter(left_at__isnull=True).exists()
    assert _code(lambda: services.volunteer_withdraw(actor=resident, volunteer=gone)) == (
        "volunteer_withdrawn"
    )
    again = _register(resident, community, skills="园艺，急救")
    assert again.pk == volunteer.pk and again.withdrawn_at is None
    assert again.skills == ["园艺", "急救"]


def test_settings_for_defaults(community):
    found = settings_for(community.pk)
    assert found.pk is None
    assert found.star_hours == [100, 300, 600, 1000, 1500]
    assert (found.unit_minutes, found.threshold_minutes) == (30, 15)


PERMS = ["register", "register_others", "manage"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("resident", {"register"}),
        ("worker", {"register", "register_others", "manage"}),
        ("supervisor", {"register"}),
        ("official", {"register_others", "manage"}),
        ("outsider", set()),
    ],
)
def test_community_permissions(request, community, who, expected):
    user = request.getfixturevalue(who)
    held = {p for p in PERMS if rules.has_perm(f"volunteering.{p}", user, community)}
    assert held == expected


def test_who_sees_a_volunteer(community, worker, supervisor):
    volunteer = volunteer_of(community)
    leader = volunteer_of(community)
    team = team_of(community, worker, leader=leader)
    other_leader = volunteer_of(community)
    team_of(community, worker, name="环境队", leader=other_leader)
    TeamMember.objects.create(community=community, team=team, volunteer=volunteer)

    def sees(user):
        return rules.has_perm("volunteering.view_volunteer", user, volunteer)

    assert sees(volunteer.person) and sees(worker) and sees(leader.person)
    assert not sees(other_leader.person) and not sees(supervisor)
    assert not sees(member(community))


def test_leader_predicates(community, worker):
    leader = volunteer_of(community)
    team = team_of(community, worker, leader=leader)
    person = leader.person
    assert leads_team(person, team) and leads_any_team(person, community)
    assert not leads_team(worker, team) and not leads_any_team(worker, community)
    assert not leads_team(person, None)
    services.team_close(actor=worker, team=team)
    assert not leads_any_team(person, community)
    assert not leads_team(person, team)  # closing the team ended its places


def test_a_withdrawn_leader_leads_no_more(community, worker):
    leader = volunteer_of(community)
    team = team_of(community, worker, leader=leader)
    Volunteer.objects.in_community(community).filter(pk=leader.pk).update(
        withdrawn_at=timezone.now()
    )
    assert not leads_team(leader.person, team)


def test_role_grants_are_not_touched(community, worker, resident):
    _register(worker, community, person=resident)
    membership = resident.memberships.get(community=community)
    assert not membership.role_grants.filter(role=Role.VOLUNTEER).exists()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_of_one_person_store_one(live_server, community):
    from gongzhi.accounts.services import api_token_create
    from tests.concurrency import race_posts

    person = member(community)
    token = api_token_create(user=person, name="t")[1]
    body = {"consent": True, "emergency_name": "王芳", "emergency_phone": "13900009999"}
    url = f"{live_server.url}/api/v1/communities/{community.slug}/volunteering/volunteers"

    statuses = race_posts(url, token, [body] * 6)

    assert statuses == [201] + [400] * 5
    assert Volunteer.objects.in_community(community).filter(person=person).count() == 1
    journalled = Activity.objects.in_community(community).filter(verb="volunteer.registered")
    assert journalled.count() == 1
