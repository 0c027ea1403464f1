"""Follow-up visits (回访) on an agreed case: by a mediator or the head, dated between the
agreement and today, journalled with the performance alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.journal import Activity
from gongzhi.mediation import proceedings
from gongzhi.mediation.models import CaseStatus, FollowUp, Performance
from tests.mediation.world import case_of, committee_of, party

pytestmark = pytest.mark.django_db


def agreed(community):
    return case_of(community, status=CaseStatus.AGREED, concluded_at=timezone.now())


def mediator(case):
    return case.assignments.get().mediator


def test_a_mediator_records_a_visit(community):
    case = agreed(community)
    visit = proceedings.follow_up_record(
        actor=mediator(case),
        case=case,
        visited_on=timezone.localdate(),
        performance=Performance.FULL,
        notes="已停止夜间施工。",
    )
    assert FollowUp.objects.in_community(community).get().notes == "已停止夜间施工。"
    assert visit.performance == "full"
    entry = Activity.objects.get(verb="mediation.follow_up_recorded")
    assert entry.data == {"performance": "full"} and not entry.target_id


def test_the_head_may_record_a_visit_a_party_may_not(community, worker):
    committee = committee_of(community, worker)
    case = agreed(community)
    proceedings.follow_up_record(
        actor=committee.head,
        case=case,
        visited_on=timezone.localdate(),
        performance=Performance.PARTIAL,
    )
    with pytest.raises(PermissionDenied):
        proceedings.follow_up_record(
            actor=party(case).person,
            case=case,
            visited_on=timezone.localdate(),
            performance=Performance.FULL,
        )


def test_bad_visits_are_refused(community):
    open_case = case_of(community)
    with pytest.raises(ValidationError) as error:
        proceedings.follow_up_record(
            actor=mediator(open_case),
            case=open_case,
            visited_on=timezone.localdate(),
            performance=Performance.FULL,
        )
    assert error.value.code == "not_agreed_case"
    case = agreed(community)
    for day, code in (
        (timezone.localdate() + timedelta(days=1), "visit_date"),
        (timezone.localdate() - timedelta(days=5), "visit_date"),
    ):
        with pytest.raises(ValidationError) as error:
            proceedings.follow_up_record(
                actor=mediator(case), case=case, visited_on=day, performance=Performance.FULL
            )
        assert error.value.code == code
    with pytest.raises(ValidationError) as error:
        proceedings.follow_up_record(
            actor=mediator(case), case=case, visited_on=timezone.localdate(), performance="great"
        )
    assert error.value.code == "performance_unknown"
    assert not FollowUp.objects.in_community(community).exists()
