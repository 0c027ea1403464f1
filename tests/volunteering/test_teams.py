"""Teams (R4.1): a worker sets them up, changes and closes them; a partner with an agreement
may run one; volunteers join and leave; leaders are appointed by a worker, never by themself.
And the settings service: the rounding rule, star levels, the seal, the time bank's limits."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.bodies import partners
from gongzhi.core.models import Activity
from gongzhi.core.uploads import PHOTOS, check_upload
from gongzhi.volunteering import services
from gongzhi.volunteering.models import TeamKind, TeamMember, VolunteeringSettings
from gongzhi.volunteering.selectors import settings_for, team_members, teams_of
from tests.factories import member
from tests.volunteering.world import team_of, volunteer_of

TODAY = timezone.localdate()


def _code(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.code


@pytest.fixture
def partner(community, official, worker):
    made = partners.partner_create(
        actor=official, street=community.street, kind="business", name="惠民超市"
    )
    partners.agreement_sign(
        actor=worker,
        community=community,
        partner=made,
        scope="助老服务",
        starts_on=TODAY - timedelta(days=10),
        ends_on=TODAY + timedelta(days=300),
    )
    return made


def test_a_worker_sets_up_changes_and_closes_a_team(community, worker):
    team = services.team_create(
        actor=worker, community=community, name=" 环境队 ", kind=TeamKind.ENVIRONMENT
    )
    assert team.name == "环境队" and team.created_by == worker
    changed = services.team_update(
        actor=worker, team=team, name="环境保护队", kind=TeamKind.ENVIRONMENT, description="捡垃圾"
    )
    assert changed.description == "捡垃圾"
    volunteer = volunteer_of(community)
    services.team_join(actor=volunteer.person, team=team, volunteer=volunteer)
    closed = services.team_close(actor=worker, team=team)
    assert closed.closed_at is not None
    assert not team_members(closed)
    assert (
        _code(lambda: services.team_join(actor=volunteer.person, team=team, volunteer=volunteer))
        == "team_closed"
    )
    verbs = set(Activity.objects.in_community(community).values_list("verb", flat=True))
    assert {"team.created", "team.updated", "team.closed", "team.joined"} <= verbs


def test_team_refusals(community, worker, resident):
    with pytest.raises(PermissionDenied):
        services.team_create(actor=resident, community=community, name="队", kind="garden")
    services.team_create(actor=worker, community=community, name="花园队", kind="garden")
    assert (
        _code(
            lambda: services.team_create(
                actor=worker, community=community, name="花园队", kind="garden"
            )
        )
        == "team_name_taken"
    )
    assert (
        _code(
            lambda: services.team_create(actor=worker, community=community, name="", kind="garden")
        )
        == "team_name_missing"
    )
    assert (
        _code(
            lambda: services.team_create(actor=worker, community=community, name="x", kind="nope")
        )
        == "team_kind_invalid"
    )


def test_a_partner_with_an_agreement_runs_a_team(community, worker, official, partner):
    team = services.team_create(
        actor=worker, community=community, name="超市助老队", kind="elders", partner=partner
    )
    assert team.partner == partner
    # A partner of the street without an agreement here cannot run a team.
    other = partners.partner_create(
        actor=official, street=community.street, kind="business", name="另一家"
    )
    assert (
        _code(
            lambda: services.team_create(
                actor=worker, community=community, name="别的队", kind="elders", partner=other
            )
        )
        == "partner_invalid"
    )
    # Its leaders may be the partner's people: any registered volunteer, not yet in the team.
    staff_of_partner = volunteer_of(community)
    place = services.team_leader_appoint(actor=worker, team=team, volunteer=staff_of_partner)
    assert place.leader and place.appointed_by == worker


def test_join_and_leave(community, worker):
    team = team_of(community, worker)
    volunteer = volunteer_of(community)
    other = member(community)
    with pytest.raises(PermissionDenied):
        services.team_join(actor=other, team=team, volunteer=volunteer)
    services.team_join(actor=volunteer.person, team=team, volunteer=volunteer)
    assert (
        _code(lambda: services.team_join(actor=worker, team=team, volunteer=volunteer))
        == "already_in_team"
    )
    services.team_leave(actor=volunteer.person, team=team, volunteer=volunteer)
    assert (
        _code(lambda: services.team_leave(actor=volunteer.person, team=team, volunteer=volunteer))
        == "not_in_team"
    )
    # A worker adds them again.
    services.team_join(actor=worker, team=team, volunteer=volunteer)
    assert [m.volunteer for m in team_members(team)] == [volunteer]
    entry = Activity.objects.in_community(community).filter(verb="team.joined").last()
    assert entry.actor == worker and entry.on_behalf_of == volunteer.person


def test_a_withdrawn_volunteer_cannot_join(community, worker):
    team = team_of(community, worker)
    volunteer = volunteer_of(community, withdrawn_at=timezone.now())
    assert (
        _code(lambda: services.team_join(actor=worker, team=team, volunteer=volunteer))
        == "volunteer_withdrawn"
    )


def test_leaders_appointed_by_a_worker_never_by_themself(community, worker):
    team = team_of(community, worker)
    volunteer = volunteer_of(community)
    with pytest.raises(PermissionDenied):
        services.team_leader_appoint(actor=volunteer.person, team=team, volunteer=volunteer)
    # A worker who volunteers cannot appoint themself either.
    worker_volunteer = volunteer_of(community, person=worker)
    assert (
        _code(
            lambda: services.team_leader_appoint(
                actor=worker, team=team, volunteer=worker_volunteer
            )
        )
        == "own_appointment"
    )
    services.team_join(actor=volunteer.person, team=team, volunteer=volunteer)
    place = services.team_leader_appoint(actor=worker, team=team, volunteer=volunteer)
    assert place.leader
    assert (
        _code(lambda: services.team_leader_appoint(actor=worker, team=team, volunteer=volunteer))
        == "already_leader"
    )
    # A leader cannot appoint another leader: only a worker does.
    third = volunteer_of(community)
    with pytest.raises(PermissionDenied):
        services.team_leader_appoint(actor=volunteer.person, team=team, volunteer=third)
    services.team_leader_remove(actor=worker, team=team, volunteer=volunteer)
    assert TeamMember.objects.in_community(community).get(pk=place.pk).leader is False
    assert (
        _code(lambda: services.team_leader_remove(actor=worker, team=team, volunteer=volunteer))
        == "not_leader"
    )
    listed = teams_of(community)
    assert listed[0].member_count == 1 and listed[0].leader_count == 0


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 0, 0)).save(buffer, "PNG")
    return SimpleUploadedFile("公章.png", buffer.getvalue(), content_type="image/png")


def _settings(worker, community, **fields):
    values = {
        "unit_minutes": 30,
        "threshold_minutes": 15,
        "star_hours": "100, 300, 600",
        "issuer_name": "幸福社区居委会",
        "responsible_name": "李主任",
        **fields,
    }
    return services.settings_update(actor=worker, community=community, **values)


def test_settings_are_saved_and_journalled(community, worker, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    seal = check_upload(_png(), kinds=PHOTOS, max_bytes=2_000_000)
    saved = _settings(worker, community, unit_minutes=60, threshold_minutes=30, seal=seal)
    assert saved.pk and saved.star_hours == [100, 300, 600] and saved.seal
    assert settings_for(community.pk).unit_minutes == 60
    entry = Activity.objects.in_community(community).get(verb="volunteering.settings_changed")
    assert "unit_minutes" in entry.data["changed"] and entry.data["seal"] == "replaced"
    again = _settings(worker, community, unit_minutes=60, threshold_minutes=30, remove_seal=True)
    assert not again.seal
    assert VolunteeringSettings.objects.in_community(community).count() == 1


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"unit_minutes": 0}, "rounding_invalid"),
        ({"threshold_minutes": 31}, "rounding_invalid"),
        ({"star_hours": "300, 100"}, "star_hours_invalid"),
        ({"star_hours": "100, abc"}, "star_hours_invalid"),
        ({"star_hours": ""}, "star_hours_invalid"),
        ({"timebank_floor_minutes": 10}, "timebank_limits_invalid"),
        ({"timebank_starting_minutes": 9000}, "timebank_limits_invalid"),
    ],
)
def test_bad_settings_are_refused(community, worker, fields, code):
    assert _code(lambda: _settings(worker, community, **fields)) == code
    assert not VolunteeringSettings.objects.in_community(community).exists()


def test_only_workers_change_settings(community, resident):
    with pytest.raises(PermissionDenied):
        _settings(resident, community)
