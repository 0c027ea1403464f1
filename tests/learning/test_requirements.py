"""Role requirements through core (core/requirements.py): off by default, on from a day, holders
kept and reminded, bad input refused with nothing saved (frozen clock)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import rules
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core import requirements
from gongzhi.core.models import (
    Activity,
    Membership,
    RequirementExemption,
    Role,
    RoleGrant,
    RoleRequirement,
)
from gongzhi.core.services import role_grant
from gongzhi.notifications.models import Notification
from tests.factories import CommunityFactory, UserFactory, member, official_of
from tests.learning.world import award_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 10)
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=SHANGHAI)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def _membership(community, user) -> Membership:
    return Membership.objects.in_community(community).get(user=user)


def _grant(worker, community, person, role=Role.MEDIATOR):
    return role_grant(
        actor=worker, community=community, membership=_membership(community, person), role=role
    )


def _on(worker, community, role=Role.MEDIATOR, qualification="mediation", applies_from=TODAY):
    return requirements.turn_on(
        actor=worker,
        community=community,
        role=role,
        qualification=qualification,
        applies_from=applies_from,
    )


def _held(community, person, role=Role.MEDIATOR) -> bool:
    return (
        RoleGrant.objects.in_community(community)
        .filter(membership__user=person, role=role)
        .exists()
    )


def test_the_registry_names_cores_roles_and_the_apps_roles():
    found = requirements.registry()
    assert found["mediator"].suggested == "mediation"
    assert found["council_member"].suggested == "chairing"
    assert found["org_leader"].suggested == "leadership"
    assert found["reviewer"].suggested == "" and found["volunteer"].suggested == ""
    assert found["meetings.chair"].suggested == "chairing"
    assert found["volunteering.team_leader"].suggested == "leadership"
    assert "supervisor" not in found and "community_worker" not in found


def test_requirements_are_off_by_default(community, worker, resident):
    assert requirements.in_force(community, Role.MEDIATOR) is None
    _grant(worker, community, resident)
    assert _held(community, resident)
    assert not RoleRequirement.objects.in_community(community).exists()


def test_a_requirement_applies_from_its_day(community, worker, _frozen):
    requirement = _on(worker, community, applies_from=TODAY + timedelta(days=1))
    before, on_the_day = member(community), member(community)
    _grant(worker, community, before)  # the day before: no requirement yet
    assert requirements.in_force(community, Role.MEDIATOR) is None
    assert requirements.in_force(community, Role.MEDIATOR, TODAY + timedelta(days=1)) == requirement
    _frozen.move_to(NOON + timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        _grant(worker, community, on_the_day)
    assert refused.value.code == "qualification_required"
    # The message names the role and the qualification, in the reader's language.
    assert "调解员" in refused.value.messages[0]
    assert str(requirements.qualifications.label("mediation")) in refused.value.messages[0]
    assert not _held(community, on_the_day)
    assert _held(community, before)


def test_a_holder_of_the_qualification_on_the_day_is_granted(community, worker):
    _on(worker, community)
    person = member(community)
    award_of(community, person, "mediation", valid_from=TODAY - timedelta(days=30))
    _grant(worker, community, person)
    assert _held(community, person)


def test_a_qualification_that_ended_the_day_before_refuses(community, worker):
    _on(worker, community)
    person = member(community)
    award_of(
        community,
        person,
        "mediation",
        valid_from=TODAY - timedelta(days=400),
        valid_until=TODAY - timedelta(days=1),
    )
    with pytest.raises(ValidationError) as refused:
        _grant(worker, community, person)
    assert refused.value.code == "qualification_required"
    assert not _held(community, person)


def test_a_qualification_valid_on_its_last_day_passes(community, worker):
    _on(worker, community)
    person = member(community)
    award_of(community, person, "mediation", valid_from=date(2024, 3, 10), valid_until=TODAY)
    _grant(worker, community, person)
    assert _held(community, person)


def test_a_revoked_qualification_refuses(community, worker):
    _on(worker, community)
    person = member(community)
    award_of(community, person, "mediation", valid_from=date(2025, 1, 1), revoked_at=NOON)
    with pytest.raises(ValidationError):
        _grant(worker, community, person)


def test_another_qualification_does_not_count(community, worker):
    _on(worker, community)
    person = member(community)
    award_of(community, person, "chairing", valid_from=date(2025, 1, 1))
    with pytest.raises(ValidationError):
        _grant(worker, community, person)


def test_holders_are_kept_and_told_those_qualified_are_not(community, worker, _frozen):
    kept, qualified = member(community, Role.MEDIATOR), member(community, Role.MEDIATOR)
    award_of(community, qualified, "mediation", valid_from=date(2025, 1, 1))
    other_role = member(community, Role.REVIEWER)
    requirement = _on(worker, community, applies_from=TODAY + timedelta(days=7))
    assert list(
        RequirementExemption.objects.in_community(community).values_list("person", flat=True)
    ) == [kept.pk]
    told = Notification.objects.filter(kind="qualification_needed")
    assert [n.user_id for n in told] == [kept.pk]
    assert other_role.pk not in {n.user_id for n in told}
    entry = Activity.objects.in_community(community).get(verb="requirement.turned_on")
    assert entry.data == {
        "role": "mediator",
        "qualification": "mediation",
        "applies_from": "2026-03-17",
        "kept": [kept.pk],
    }
    assert entry.target_id == str(requirement.pk)
    # Long after the day, the kept holder may be given the role again (revoked, re-granted).
    _frozen.move_to(NOON + timedelta(days=30))
    RoleGrant.objects.in_community(community).filter(membership__user=kept).delete()
    _grant(worker, community, kept)
    assert _held(community, kept)


def test_given_the_role_before_its_day_is_kept_and_told_like_the_holders(
    community, worker, _frozen
):
    """Turned on for a day to come: giving the role meanwhile is allowed, and those who will
    lack the qualification on the day are kept and told, as if they had held it at turn-on."""
    requirement = _on(worker, community, applies_from=TODAY + timedelta(days=7))
    lacking, qualified, ending = member(community), member(community), member(community)
    award_of(community, qualified, "mediation", valid_from=TODAY + timedelta(days=7))
    award_of(
        community,
        ending,
        "mediation",
        valid_from=date(2024, 1, 1),
        valid_until=TODAY + timedelta(days=6),
    )
    for person in (lacking, qualified, ending):
        _grant(worker, community, person)
    kept = RequirementExemption.objects.in_community(community).filter(requirement=requirement)
    assert set(kept.values_list("person", flat=True)) == {lacking.pk, ending.pk}
    assert kept.get(person=lacking).reminded_at == NOON
    told = Notification.objects.filter(kind="qualification_needed")
    assert sorted(n.user_id for n in told) == sorted([lacking.pk, ending.pk])
    # Given it again (another source, the same day): kept once, told once.
    requirements.check(community, lacking, Role.MEDIATOR)
    assert kept.count() == 2 and told.count() == 2
    # After the day the kept may be given it again and are reminded; others are refused.
    _frozen.move_to(NOON + timedelta(days=30))
    RoleGrant.objects.in_community(community).filter(membership__user=lacking).delete()
    _grant(worker, community, lacking)
    with pytest.raises(ValidationError):
        _grant(worker, community, member(community))
    assert requirements.remind_kept(NOON + timedelta(days=90)) == 2


def test_a_holder_whose_qualification_ends_before_the_day_is_kept(community, worker):
    person = member(community, Role.MEDIATOR)
    award_of(
        community,
        person,
        "mediation",
        valid_from=date(2024, 1, 1),
        valid_until=TODAY + timedelta(days=3),
    )
    _on(worker, community, applies_from=TODAY + timedelta(days=5))
    assert RequirementExemption.objects.in_community(community).filter(person=person).exists()


def test_a_terms_future_role_is_a_holder_and_a_past_one_is_not(community, worker):
    future, past = member(community), member(community)
    for person, start, end in (
        (future, NOON + timedelta(days=10), NOON + timedelta(days=400)),
        (past, NOON - timedelta(days=400), NOON - timedelta(days=10)),
    ):
        RoleGrant.objects.create(
            community=community,
            membership=_membership(community, person),
            role=Role.MEDIATOR,
            valid_from=start,
            valid_until=end,
        )
    assert requirements.holders(community, Role.MEDIATOR) == {future.pk}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"role": "astronaut"}, "role_unknown"),
        ({"qualification": "juggling"}, "qualification_unknown"),
        ({"applies_from": TODAY - timedelta(days=1)}, "applies_in_past"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(community, worker, fields, code):
    member(community, Role.MEDIATOR)
    with pytest.raises(ValidationError) as refused:
        _on(worker, community, **fields)
    assert refused.value.code == code
    assert refused.value.messages[0]
    assert not RoleRequirement.objects.in_community(community).exists()
    assert not RequirementExemption.objects.in_community(community).exists()
    assert not Activity.objects.in_community(community).filter(verb__startswith="requirement.")


def test_one_requirement_in_force_per_role(community, worker):
    _on(worker, community, applies_from=TODAY + timedelta(days=30))
    with pytest.raises(ValidationError) as refused:
        _on(worker, community, qualification="leadership")
    assert refused.value.code == "requirement_exists"
    assert RoleRequirement.objects.in_community(community).count() == 1
    # Another role, or another community, is free.
    _on(worker, community, role=Role.COUNCIL_MEMBER, qualification="chairing")
    elsewhere = CommunityFactory()
    _on(member(elsewhere, Role.COMMUNITY_WORKER), elsewhere)


def test_turning_off_lets_anyone_have_the_role_and_keeps_the_record(community, worker):
    requirement = _on(worker, community)
    kept = member(community)
    with pytest.raises(ValidationError):
        _grant(worker, community, kept)
    off = requirements.turn_off(actor=worker, requirement=requirement)
    assert off.turned_off_by == worker and off.turned_off_at is not None
    _grant(worker, community, kept)
    assert requirements.in_force(community, Role.MEDIATOR) is None
    entry = Activity.objects.in_community(community).get(verb="requirement.turned_off")
    assert entry.data["role"] == "mediator" and entry.data["kept"] == []
    with pytest.raises(ValidationError) as again:
        requirements.turn_off(actor=worker, requirement=requirement)
    assert again.value.code == "requirement_off"
    # A new one may be turned on after.
    _on(worker, community, qualification="leadership", applies_from=TODAY + timedelta(days=1))
    assert RoleRequirement.objects.in_community(community).count() == 2


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [
        ("resident", False),
        ("supervisor", False),
        ("mediator", False),
        ("worker", True),
        ("official", True),
        ("admin", True),
        ("other_worker", False),
    ],
)
def test_who_turns_requirements_on_and_off(community, worker, kind, allowed):
    actor = {
        "resident": lambda: member(community),
        "supervisor": lambda: member(community, Role.SUPERVISOR),
        "mediator": lambda: member(community, Role.MEDIATOR),
        "worker": lambda: worker,
        "official": lambda: official_of(community.street),
        "admin": lambda: UserFactory(is_superuser=True),
        "other_worker": lambda: member(CommunityFactory(), Role.COMMUNITY_WORKER),
    }[kind]()
    assert rules.has_perm("core.manage_requirements", actor, community) is allowed
    if allowed:
        requirement = _on(actor, community)
        requirements.turn_off(actor=actor, requirement=requirement)
    else:
        with pytest.raises(PermissionDenied):
            _on(actor, community)
        requirement = _on(worker, community)
        with pytest.raises(PermissionDenied):
            requirements.turn_off(actor=actor, requirement=requirement)
        assert requirements.in_force(community, Role.MEDIATOR) is not None


def test_kept_holders_are_reminded_every_ninety_days_while_they_lack_it(community, worker):
    kept, later_qualified = member(community, Role.MEDIATOR), member(community, Role.MEDIATOR)
    _on(worker, community)
    assert requirements.remind_kept(NOON) == 0  # told when it was turned on
    assert requirements.remind_kept(NOON + timedelta(days=89)) == 0
    award_of(community, later_qualified, "mediation", valid_from=TODAY + timedelta(days=60))
    assert requirements.remind_kept(NOON + timedelta(days=90)) == 1
    reminders = Notification.objects.filter(
        kind="qualification_needed", title_msgid__startswith="Reminder"
    )
    assert [n.user_id for n in reminders] == [kept.pk]
    assert requirements.remind_kept(NOON + timedelta(days=91)) == 0
    assert requirements.remind_kept(NOON + timedelta(days=180)) == 1


def test_no_reminder_once_turned_off(community, worker):
    member(community, Role.MEDIATOR)
    requirement = _on(worker, community)
    requirements.turn_off(actor=worker, requirement=requirement)
    assert requirements.remind_kept(NOON + timedelta(days=200)) == 0


def test_a_kept_holder_sees_it_in_their_data_and_erasure_removes_it(community, worker):
    from gongzhi.core.privacy import erase, export

    kept = member(community, Role.MEDIATOR)
    _on(worker, community)
    section = next(s for s in export(kept) if s.key == "roles_kept")
    assert section.rows == [
        {
            "community": community.slug,
            "role": "mediator",
            "qualification": "mediation",
            "kept_since": NOON.astimezone(UTC).isoformat(),
            "reminded_at": NOON.astimezone(UTC).isoformat(),
        }
    ]
    assert erase(kept)["roles_kept"] == 1
    assert not RequirementExemption.objects.in_community(community).exists()
    # The worker who turned it on is named on the requirement still (their act, journalled).
    assert RoleRequirement.objects.in_community(community).get().turned_on_by == worker
