"""Awards: a completed course grants its qualification (numbered per community and year, under a
lock), a worker records one from outside training or revokes one; nobody their own."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.models import Activity
from gongzhi.learning import qualifications
from gongzhi.learning.models import Award, EnrolmentStatus
from tests.factories import member
from tests.learning.world import award_of, course_of, enrolment_of

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _completed(course, person=None):
    return enrolment_of(course, person, status=EnrolmentStatus.COMPLETED)


def _entries(community, verb):
    return list(Activity.objects.in_community(community).filter(verb=verb))


@time_machine.travel(datetime(2026, 3, 1, 10, tzinfo=SHANGHAI), tick=False)
def test_completion_grants_the_course_qualification_numbered_and_journalled(community, worker):
    course = course_of(community, worker, qualification="chairing", valid_months=24)
    enrolment = _completed(course)
    award = qualifications.grant_for_completion(actor=worker, enrolment=enrolment)
    assert award is not None
    assert award.person_id == enrolment.person_id
    assert award.qualification == "chairing"
    assert award.valid_from == date(2026, 3, 1)
    assert award.valid_until == date(2028, 2, 29)
    assert award.number == f"{community.slug.upper()}-Q2026-000001"
    assert award.enrolment_id == enrolment.pk
    [entry] = _entries(community, "qualification.granted")
    assert entry.data == {
        "person": enrolment.person_id,
        "qualification": "chairing",
        "valid_from": "2026-03-01",
        "valid_until": "2028-02-29",
    }
    second = qualifications.grant_for_completion(actor=worker, enrolment=_completed(course))
    assert second is not None
    assert second.number.endswith("-Q2026-000002")


def test_a_second_call_returns_the_first_award(community, worker):
    enrolment = _completed(course_of(community, worker))
    first = qualifications.grant_for_completion(actor=worker, enrolment=enrolment)
    again = qualifications.grant_for_completion(actor=worker, enrolment=enrolment)
    assert first is not None and again is not None and again.pk == first.pk
    assert Award.objects.in_community(community).count() == 1


def test_numbers_run_per_community_and_year(community, other_community, worker):
    with time_machine.travel(datetime(2026, 12, 31, 12, tzinfo=SHANGHAI), tick=False):
        a = qualifications.grant_for_completion(
            actor=worker, enrolment=_completed(course_of(community, worker))
        )
    with time_machine.travel(datetime(2027, 1, 1, 12, tzinfo=SHANGHAI), tick=False):
        b = qualifications.grant_for_completion(
            actor=worker, enrolment=_completed(course_of(community, worker))
        )
        other_worker = member(other_community)
        c = qualifications.grant_for_completion(
            actor=other_worker,
            enrolment=_completed(course_of(other_community, other_worker)),
        )
    assert a and b and c
    assert a.number.endswith("-Q2026-000001")
    assert b.number.endswith("-Q2027-000001")
    assert c.number == f"{other_community.slug.upper()}-Q2027-000001"


def test_a_course_without_a_qualification_grants_nothing(community, worker):
    enrolment = _completed(course_of(community, worker, qualification=""))
    assert qualifications.grant_for_completion(actor=worker, enrolment=enrolment) is None
    assert not Award.objects.in_community(community).exists()


def test_no_expiry_when_the_course_says_zero_months(community, worker):
    enrolment = _completed(course_of(community, worker, valid_months=0))
    award = qualifications.grant_for_completion(actor=worker, enrolment=enrolment)
    assert award is not None and award.valid_until is None


def test_only_a_completed_enrolment_and_never_ones_own(community, worker):
    course = course_of(community, worker)
    with pytest.raises(ValidationError) as error:
        qualifications.grant_for_completion(actor=worker, enrolment=enrolment_of(course))
    assert error.value.code == "not_completed"
    with pytest.raises(ValidationError) as error:
        qualifications.grant_for_completion(actor=worker, enrolment=_completed(course, worker))
    assert error.value.code == "own_award"
    assert not Award.objects.in_community(community).exists()
    assert not _entries(community, "qualification.granted")


# --- recorded from outside training -------------------------------------------------------------


def test_a_worker_records_an_outside_qualification(community, worker, resident):
    award = qualifications.record_outside(
        actor=worker,
        community=community,
        person=resident,
        code="first_aid",
        valid_from=date(2026, 1, 1),
        valid_until=date(2028, 12, 31),
        evidence="红十字会急救员证 No. 123",
    )
    assert award.number == ""
    assert award.evidence == "红十字会急救员证 No. 123"
    assert qualifications.holds(resident, "first_aid", date(2027, 6, 1))
    [entry] = _entries(community, "qualification.recorded")
    assert entry.data == {
        "person": resident.pk,
        "qualification": "first_aid",
        "valid_from": "2026-01-01",
        "valid_until": "2028-12-31",
    }


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"code": "juggling"}, "qualification_unknown"),
        ({"evidence": "  "}, "evidence_required"),
        ({"valid_until": date(2025, 12, 31)}, "bad_period"),
    ],
)
def test_recording_refuses_bad_input_and_saves_nothing(community, worker, resident, change, code):
    arguments = {
        "actor": worker,
        "community": community,
        "person": resident,
        "code": "first_aid",
        "valid_from": date(2026, 1, 1),
        "valid_until": None,
        "evidence": "红十字会急救员证",
        **change,
    }
    with pytest.raises(ValidationError) as error:
        qualifications.record_outside(**arguments)
    assert error.value.code == code
    assert str(error.value.messages[0])
    assert not Award.objects.in_community(community).exists()


def test_nobody_records_their_own(community, worker):
    with pytest.raises(ValidationError) as error:
        qualifications.record_outside(
            actor=worker,
            community=community,
            person=worker,
            code="first_aid",
            valid_from=date(2026, 1, 1),
            valid_until=None,
            evidence="证书",
        )
    assert error.value.code == "own_award"


def test_a_person_outside_the_community_is_refused(community, worker, outsider):
    with pytest.raises(ValidationError) as error:
        qualifications.record_outside(
            actor=worker,
            community=community,
            person=outsider,
            code="first_aid",
            valid_from=date(2026, 1, 1),
            valid_until=None,
            evidence="证书",
        )
    assert error.value.code == "not_member"


def test_a_resident_may_not_record_or_revoke(community, resident):
    other = member(community)
    with pytest.raises(PermissionDenied):
        qualifications.record_outside(
            actor=resident,
            community=community,
            person=other,
            code="first_aid",
            valid_from=date(2026, 1, 1),
            valid_until=None,
            evidence="证书",
        )
    award = award_of(community, other, granted_by=other)
    with pytest.raises(PermissionDenied):
        qualifications.revoke(actor=resident, award=award, reason="假证")
    award.refresh_from_db()
    assert award.revoked_at is None


def test_a_worker_of_another_community_may_not_revoke(community, other_community, resident):
    stranger = member(other_community, "community_worker")
    award = award_of(community, resident)
    with pytest.raises(PermissionDenied):
        qualifications.revoke(actor=stranger, award=award, reason="假证")


# --- revoked ------------------------------------------------------------------------------------


def test_revoking_keeps_the_row_and_ends_the_holding(community, worker, resident):
    award = award_of(community, resident, code="first_aid", valid_from=date(2026, 1, 1))
    revoked = qualifications.revoke(actor=worker, award=award, reason="证书系伪造")
    assert revoked.revoked_at is not None and revoked.revoked_by == worker
    assert revoked.revoke_reason == "证书系伪造"
    assert not qualifications.holds(resident, "first_aid", date(2026, 6, 1))
    [entry] = _entries(community, "qualification.revoked")
    assert entry.data == {"person": resident.pk, "qualification": "first_aid"}
    with pytest.raises(ValidationError) as error:
        qualifications.revoke(actor=worker, award=revoked, reason="again")
    assert error.value.code == "already_revoked"


def test_revoking_needs_a_reason_and_never_ones_own(community, worker, resident):
    award = award_of(community, resident)
    with pytest.raises(ValidationError) as error:
        qualifications.revoke(actor=worker, award=award, reason=" ")
    assert error.value.code == "reason_required"
    own = award_of(community, worker, granted_by=resident)
    with pytest.raises(ValidationError) as error:
        qualifications.revoke(actor=worker, award=own, reason="mistake")
    assert error.value.code == "own_award"
    assert not Award.objects.in_community(community).filter(revoked_at__isnull=False).exists()


# --- numbering under concurrency ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_completions_take_distinct_numbers_in_order(community, worker):
    import threading

    from django.db import connection, transaction

    course = course_of(community, worker)
    enrolments = [_completed(course) for _i in range(8)]
    barrier = threading.Barrier(len(enrolments))
    errors: list[BaseException] = []

    def grant(enrolment):
        try:
            barrier.wait()
            with transaction.atomic():
                qualifications.grant_for_completion(actor=worker, enrolment=enrolment)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=grant, args=(e,)) for e in enrolments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Award.objects.in_community(community).values_list("number", flat=True))
    year = numbers[0].split("-Q")[1][:4]
    prefix = f"{community.slug.upper()}-Q{year}-"
    assert numbers == [f"{prefix}{n:06d}" for n in range(1, 9)]


# --- the permission matrix ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "may_manage", "may_view_award"),
    [
        ("anonymous", False, False),
        ("outsider", False, False),
        ("resident", False, False),
        ("holder", False, True),
        ("supervisor", False, False),
        ("worker", True, True),
        ("official", True, True),
        ("worker_elsewhere", False, False),
    ],
)
def test_who_may_record_revoke_and_see_an_award(
    community, other_community, worker, supervisor, official, who, may_manage, may_view_award
):
    import rules
    from django.contrib.auth.models import AnonymousUser

    holder = member(community)
    award = award_of(community, holder)
    user = {
        "anonymous": AnonymousUser(),
        "outsider": member(other_community),
        "resident": member(community),
        "holder": holder,
        "supervisor": supervisor,
        "worker": worker,
        "official": official,
        "worker_elsewhere": member(other_community, "community_worker"),
    }[who]
    assert rules.has_perm("learning.record_award", user, community) is may_manage
    assert rules.has_perm("learning.revoke_award", user, award) is may_manage
    assert rules.has_perm("learning.view_qualifications", user, community) is may_manage
    assert rules.has_perm("learning.view_award", user, award) is may_view_award
