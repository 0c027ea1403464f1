"""Outcomes: not agreed (with referral advice) or withdrawn, by a mediator or the head; the
applicant withdraws their own case; the one-month target and the overdue flag."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.journal import Activity
from gongzhi.mediation import proceedings
from gongzhi.mediation.models import CaseStatus, Side
from tests.mediation.world import case_of, committee_of, party

pytestmark = pytest.mark.django_db


def mediator(case):
    return case.assignments.get().mediator


def test_not_agreed_needs_referral_advice(community):
    case = case_of(community)
    with pytest.raises(ValidationError) as error:
        proceedings.case_conclude(
            actor=mediator(case), case=case, outcome=CaseStatus.NOT_AGREED, referral_advice=" "
        )
    assert error.value.code == "referral_advice_missing"
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    proceedings.case_conclude(
        actor=mediator(case),
        case=case,
        outcome=CaseStatus.NOT_AGREED,
        referral_advice="可向人民法院起诉。",
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_AGREED and case.referral_advice == "可向人民法院起诉。"
    entry = Activity.objects.get(verb="mediation.case_concluded")
    assert entry.data == {"outcome": "not_agreed", "days": 0}
    assert not entry.target_id


def test_agreed_is_not_an_outcome_one_records(community):
    case = case_of(community)
    with pytest.raises(ValidationError) as error:
        proceedings.case_conclude(actor=mediator(case), case=case, outcome=CaseStatus.AGREED)
    assert error.value.code == "outcome_unknown"


def test_the_head_records_a_withdrawal_but_a_party_or_worker_cannot_conclude(community, worker):
    committee = committee_of(community, worker)
    case = case_of(community)
    for actor in (party(case).person, worker):
        with pytest.raises(PermissionDenied):
            proceedings.case_conclude(actor=actor, case=case, outcome=CaseStatus.WITHDRAWN)
    proceedings.case_conclude(actor=committee.head, case=case, outcome=CaseStatus.WITHDRAWN)
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    with pytest.raises(ValidationError) as error:
        proceedings.case_conclude(actor=committee.head, case=case, outcome=CaseStatus.WITHDRAWN)
    assert error.value.code == "case_not_open"


def test_only_the_applicant_withdraws(community):
    case = case_of(community)
    with pytest.raises(ValidationError) as error:
        proceedings.case_withdraw(actor=party(case, Side.RESPONDENT).person, case=case)
    assert error.value.code == "not_the_applicant"
    proceedings.case_withdraw(actor=party(case).person, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN and case.concluded_at is not None
    # The applicant's own act: journalled without naming them.
    assert Activity.objects.get(verb="mediation.case_concluded").actor is None


def test_an_applied_case_can_be_withdrawn(community):
    case = case_of(community, status=CaseStatus.APPLIED, mediator=False)
    proceedings.case_withdraw(actor=party(case).person, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN


def test_days_count_from_acceptance(community):
    case = case_of(community)
    case.accepted_at = timezone.now() - timedelta(days=12)
    case.save(update_fields=["accepted_at"])
    proceedings.case_conclude(actor=mediator(case), case=case, outcome=CaseStatus.WITHDRAWN)
    assert Activity.objects.get(verb="mediation.case_concluded").data["days"] in (12, 13)


def test_overdue_after_the_one_month_target(community):
    case = case_of(community)
    today = timezone.localdate()
    assert case.due_on == today + timedelta(days=30)
    assert not proceedings.is_overdue(case, today)
    assert proceedings.is_overdue(case, today + timedelta(days=31))
    proceedings.case_conclude(actor=mediator(case), case=case, outcome=CaseStatus.WITHDRAWN)
    case.refresh_from_db()
    assert not proceedings.is_overdue(case, today + timedelta(days=31))
