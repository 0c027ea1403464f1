"""Interventions: recorded and ended by community workers, the officials overseeing the
community and platform admins, journalled; an end before the start is refused with a clear,
translated message and nothing is saved."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from gongzhi.core.models import Activity
from gongzhi.evaluation import services
from gongzhi.evaluation.models import Intervention
from gongzhi.evaluation.policies import can_record_intervention, can_view_evaluation


def _record(actor, community, **overrides):
    fields = {
        "name": "睦邻议事会",
        "kind": "body",
        "started_on": date(2025, 6, 1),
        "description": "每月一次的居民议事",
    }
    return services.intervention_record(actor=actor, community=community, **(fields | overrides))


@pytest.mark.django_db
def test_an_end_before_the_start_is_refused_in_the_readers_language(community, worker):
    with pytest.raises(ValidationError) as refused:
        _record(worker, community, ended_on=date(2025, 5, 31))
    assert refused.value.message_dict["ended_on"] == [
        gettext("An intervention cannot end before it starts.")
    ]
    assert not Intervention.objects.in_community(community).exists()
    assert not Activity.objects.in_community(community).filter(verb__startswith="evaluation.")


@pytest.mark.django_db
def test_recording_and_ending_are_journalled(community, worker):
    intervention = _record(worker, community)
    assert intervention.recorded_by == worker and intervention.ended_on is None
    services.intervention_end(actor=worker, intervention=intervention, ended_on=date(2025, 12, 31))
    intervention.refresh_from_db()
    assert intervention.ended_on == date(2025, 12, 31)
    entries = list(
        Activity.objects.in_community(community)
        .filter(verb__startswith="evaluation.")
        .order_by("pk")
    )
    assert [(e.verb, e.actor_id) for e in entries] == [
        ("evaluation.intervention_recorded", worker.pk),
        ("evaluation.intervention_ended", worker.pk),
    ]
    assert entries[0].data["started_on"] == "2025-06-01" and entries[0].data["kind"] == "body"
    assert entries[1].data == {"ended_on": "2025-12-31"}


@pytest.mark.django_db
def test_ending_before_the_start_or_twice_is_refused_and_changes_nothing(community, worker):
    intervention = _record(worker, community)
    with pytest.raises(ValidationError) as refused:
        services.intervention_end(
            actor=worker, intervention=intervention, ended_on=date(2025, 1, 1)
        )
    assert refused.value.message_dict["ended_on"] == [
        gettext("An intervention cannot end before it starts.")
    ]
    services.intervention_end(actor=worker, intervention=intervention, ended_on=date(2025, 7, 1))
    with pytest.raises(ValidationError):
        services.intervention_end(
            actor=worker, intervention=intervention, ended_on=date(2025, 8, 1)
        )
    intervention.refresh_from_db()
    assert intervention.ended_on == date(2025, 7, 1)
    assert (
        Activity.objects.in_community(community)
        .filter(verb="evaluation.intervention_ended")
        .count()
        == 1
    )


@pytest.mark.django_db
def test_a_name_and_a_known_kind_are_needed(community, worker):
    with pytest.raises(ValidationError) as refused:
        _record(worker, community, name="  ", kind="party")
    assert set(refused.value.message_dict) == {"name", "kind"}
    assert not Intervention.objects.in_community(community).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "may_record", "may_view"),
    [
        ("worker", True, True),
        ("official", True, True),
        ("admin_user", True, True),
        ("supervisor", False, True),
        ("resident", False, False),
        ("outsider", False, False),
    ],
)
def test_who_may_record_and_view(request, community, who, may_record, may_view):
    user = request.getfixturevalue(who)
    assert can_record_intervention(user, community) is may_record
    assert can_view_evaluation(user, community) is may_view
    if may_record:
        assert _record(user, community).recorded_by == user
    else:
        with pytest.raises(PermissionDenied):
            _record(user, community)
        assert not Intervention.objects.in_community(community).exists()


@pytest.mark.django_db
def test_a_worker_of_another_community_may_not_record_here(community, other_community):
    from gongzhi.core.models import Role
    from tests.factories import member

    elsewhere = member(other_community, Role.COMMUNITY_WORKER)
    with pytest.raises(PermissionDenied):
        _record(elsewhere, community)
    assert not can_view_evaluation(elsewhere, community)
