"""Mediators: the head accepts a case and assigns qualified mediators who are not parties; a
party refuses a mediator (who then cannot be assigned again); a mediator with a conflict
declines. Refused and declined mediators lose sight of the case. Nobody but the head assigns."""

from __future__ import annotations

from datetime import timedelta

import pytest
import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from gongzhi.core.models import Activity
from gongzhi.mediation import services
from gongzhi.mediation.models import Assignment, AssignmentEnd, CaseStatus
from tests.factories import member
from tests.mediation.world import case_of, committee_of, mediator_of, party

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(community, worker):
    return committee_of(community, worker)


@pytest.fixture
def applied(community, committee):
    return case_of(community, status=CaseStatus.APPLIED, mediator=False)


def _assignment(case, mediator):
    return Assignment.objects.in_community(case.community_id).get(
        case=case, mediator=mediator, ended_at__isnull=True
    )


def test_the_head_accepts_with_a_qualified_mediator(community, committee, applied):
    mediator = mediator_of(community)
    case = services.case_accept(actor=committee.head, case=applied, mediators=[mediator])
    assert case.status == CaseStatus.ACCEPTED and case.accepted_at is not None
    assert case.due_on == timezone.localdate() + timedelta(days=30)
    assert _assignment(case, mediator).assigned_by == committee.head
    assert rules.has_perm("mediation.view_case", mediator, case)
    verbs = list(
        Activity.objects.in_community(community)
        .filter(verb__startswith="mediation.")
        .values_list("verb", "target_id", "data")
    )
    assert ("mediation.case_accepted", "", {}) in verbs
    assert ("mediation.mediator_assigned", "", {}) in verbs


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("unqualified", "mediator_unqualified"),
        ("party", "mediator_is_party"),
        ("outsider", "mediator_not_member"),
    ],
)
def test_a_bad_mediator_is_refused_and_nothing_is_saved(
    community, committee, applied, other_community, who, code
):
    person = {
        "unqualified": member(community),
        "party": party(applied).person,
        "outsider": mediator_of(other_community),
    }[who]
    with pytest.raises(ValidationError) as error:
        services.case_accept(
            actor=committee.head, case=applied, mediators=[mediator_of(community), person]
        )
    assert error.value.code == code
    applied.refresh_from_db()
    assert applied.status == CaseStatus.APPLIED and applied.accepted_at is None
    assert not Assignment.objects.in_community(community).filter(case=applied).exists()


def test_only_the_head_accepts_and_assigns(community, committee, applied, worker):
    mediator = mediator_of(community)
    for someone in (worker, party(applied).person, mediator):
        with pytest.raises(PermissionDenied):
            services.case_accept(actor=someone, case=applied, mediators=[mediator])
    services.case_accept(actor=committee.head, case=applied, mediators=[mediator])
    with pytest.raises(PermissionDenied):
        services.mediator_assign(actor=mediator, case=applied, mediator=mediator_of(community))
    with pytest.raises(ValidationError) as error:
        services.case_accept(actor=committee.head, case=applied, mediators=[mediator])
    assert error.value.code == "already_accepted"


def test_no_mediator_no_acceptance(community, committee, applied):
    with pytest.raises(ValidationError) as error:
        services.case_accept(actor=committee.head, case=applied, mediators=[])
    assert error.value.code == "mediator_missing"


def test_a_refused_mediator_leaves_and_cannot_come_back(community, committee):
    mediator = mediator_of(community)
    case = case_of(community, mediator=mediator)
    respondent = party(case, "respondent")
    done = services.mediator_refuse(actor=respondent.person, assignment=_assignment(case, mediator))
    assert done.end_reason == AssignmentEnd.REFUSED and done.refused_by == respondent
    assert not rules.has_perm("mediation.view_case", mediator, case)
    with pytest.raises(ValidationError) as error, translation.override("en"):
        services.mediator_assign(actor=committee.head, case=case, mediator=mediator)
    assert error.value.code == "mediator_refused"
    assert "refused" in str(error.value.messages[0])
    assert Assignment.objects.in_community(community).filter(case=case).count() == 1
    (entry,) = Activity.objects.in_community(community).filter(verb="mediation.mediator_refused")
    assert entry.actor is None and not entry.target_id and entry.data == {}  # a party's act


def test_only_a_party_refuses_a_mediator(community, committee, worker):
    mediator = mediator_of(community)
    case = case_of(community, mediator=mediator)
    for someone in (worker, committee.head, mediator, member(community)):
        with pytest.raises(PermissionDenied):
            services.mediator_refuse(actor=someone, assignment=_assignment(case, mediator))
    assert _assignment(case, mediator).ended_at is None


def test_a_mediator_declines_for_a_conflict(community, committee):
    mediator = mediator_of(community)
    case = case_of(community, mediator=mediator)
    with pytest.raises(PermissionDenied):
        services.mediator_decline(actor=committee.head, assignment=_assignment(case, mediator))
    done = services.mediator_decline(actor=mediator, assignment=_assignment(case, mediator))
    assert done.end_reason == AssignmentEnd.CONFLICT
    assert not rules.has_perm("mediation.view_case", mediator, case)
    with pytest.raises(ValidationError) as error:
        services.mediator_decline(actor=mediator, assignment=done)
    assert error.value.code == "assignment_ended"
    with pytest.raises(ValidationError) as error:
        services.mediator_assign(actor=committee.head, case=case, mediator=mediator)
    assert error.value.code == "mediator_refused"


def test_a_mediator_is_not_assigned_twice_and_not_on_a_concluded_case(community, committee):
    mediator = mediator_of(community)
    case = case_of(community, mediator=mediator)
    with pytest.raises(ValidationError) as error:
        services.mediator_assign(actor=committee.head, case=case, mediator=mediator)
    assert error.value.code == "already_assigned"
    services.party_refuse(actor=party(case, "respondent").person, case=case)
    with pytest.raises(ValidationError) as error:
        services.mediator_assign(actor=committee.head, case=case, mediator=mediator_of(community))
    assert error.value.code == "case_concluded"


def test_an_expired_qualification_does_not_mediate(community, committee, applied):
    from gongzhi.learning.models import Award

    mediator = mediator_of(community)
    Award.objects.in_community(community).filter(person=mediator).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(ValidationError) as error:
        services.case_accept(actor=committee.head, case=applied, mediators=[mediator])
    assert error.value.code == "mediator_unqualified"
