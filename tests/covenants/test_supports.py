"""Supporting an amendment: not one's own, once, while it waits for the drafting body, in
consultation and in revision; the count moves with each support and each support taken back."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity, Building, Household, Membership
from gongzhi.covenants.consult_services import support_add, support_remove
from gongzhi.covenants.models import Amendment, AmendmentStatus, Scope, Support
from tests.concurrency import race_posts
from tests.covenants.world import amendment_of, covenant_of, current_round, keys
from tests.factories import member

pytestmark = pytest.mark.django_db


def _amendment(community, worker, author=None, *, phase="consultation", **fields):
    round_ = current_round(covenant_of(community, worker, phase=phase, **fields))
    paragraph = keys(round_.draft)[0][1][0]
    return amendment_of(round_, author, paragraph_key=paragraph, text="改一改")


def _count(amendment):
    return (
        Amendment.objects.in_community(amendment.community_id).get(pk=amendment.pk).supporters_count
    )


def _supports(community):
    return Support.objects.in_community(community)


@pytest.mark.parametrize("phase", ["consultation", "revision"])
def test_residents_support_and_take_it_back(community, worker, resident, phase):
    amendment = _amendment(community, worker, phase=phase)
    neighbour = member(community)
    support_add(actor=resident, amendment=amendment)
    support_add(actor=neighbour, amendment=amendment)
    assert _count(amendment) == 2
    entry = Activity.objects.in_community(community).filter(verb="covenant.amendment_supported")
    assert entry.count() == 2 and entry.first().target_id == str(amendment.pk)
    support_remove(actor=resident, amendment=amendment)
    assert _count(amendment) == 1
    assert list(_supports(community).values_list("person", flat=True)) == [neighbour.pk]
    assert (
        Activity.objects.in_community(community)
        .filter(verb="covenant.amendment_unsupported", actor=resident)
        .exists()
    )


def test_nobody_supports_their_own_amendment(community, worker, resident):
    amendment = _amendment(community, worker, resident)
    with pytest.raises(ValidationError) as excinfo:
        support_add(actor=resident, amendment=amendment)
    assert excinfo.value.code == "own_amendment"
    assert _count(amendment) == 0 and not _supports(community).exists()


def test_a_second_support_is_refused(community, worker, resident):
    amendment = _amendment(community, worker)
    support_add(actor=resident, amendment=amendment)
    with pytest.raises(ValidationError) as excinfo:
        support_add(actor=resident, amendment=amendment)
    assert excinfo.value.code == "already_supported"
    assert _count(amendment) == 1 and _supports(community).count() == 1


def test_the_database_keeps_one_support_per_person(community, worker, resident):
    from django.db import IntegrityError, transaction

    amendment = _amendment(community, worker)
    support_add(actor=resident, amendment=amendment)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.in_community(community).create(amendment=amendment, person=resident)


def test_taking_back_a_support_one_never_gave_is_refused(community, worker, resident):
    amendment = _amendment(community, worker)
    with pytest.raises(ValidationError) as excinfo:
        support_remove(actor=resident, amendment=amendment)
    assert excinfo.value.code == "not_supported"
    assert _count(amendment) == 0


@pytest.mark.parametrize(
    "status",
    [
        AmendmentStatus.ACCEPTED,
        AmendmentStatus.REJECTED,
        AmendmentStatus.WITHDRAWN,
        AmendmentStatus.TO_VOTE,
    ],
)
def test_only_a_waiting_amendment_is_supported(community, worker, resident, status):
    amendment = _amendment(community, worker)
    Amendment.objects.in_community(community).filter(pk=amendment.pk).update(
        status=status, sequence=1 if status == AmendmentStatus.ACCEPTED else None
    )
    with pytest.raises(ValidationError) as excinfo:
        support_add(actor=resident, amendment=amendment)
    assert excinfo.value.code == "not_proposed"
    assert _count(amendment) == 0 and not _supports(community).exists()


@pytest.mark.parametrize("phase", ["drafting", "ratification"])
def test_no_support_outside_consultation_and_revision(community, worker, resident, phase):
    amendment = _amendment(community, worker, phase=phase)
    with pytest.raises(ValidationError) as excinfo:
        support_add(actor=resident, amendment=amendment)
    assert excinfo.value.code == "consultation_closed"


def test_a_support_cannot_be_taken_back_once_the_amendment_is_decided(community, worker, resident):
    amendment = _amendment(community, worker, phase="revision")
    support_add(actor=resident, amendment=amendment)
    Amendment.objects.in_community(community).filter(pk=amendment.pk).update(
        status=AmendmentStatus.REJECTED
    )
    with pytest.raises(ValidationError) as excinfo:
        support_remove(actor=resident, amendment=amendment)
    assert excinfo.value.code == "not_proposed"
    assert _count(amendment) == 1


def test_only_verified_residents_support(community, worker, unverified, outsider):
    amendment = _amendment(community, worker)
    for person in (unverified, outsider):
        with pytest.raises(PermissionDenied):
            support_add(actor=person, amendment=amendment)
    assert _count(amendment) == 0


def test_a_building_covenant_is_supported_by_its_residents(community, worker):
    building = Building.objects.in_community(community).create(name="7号楼")
    inside, outside = member(community), member(community)
    household = Household.objects.in_community(community).create(building=building, unit="201")
    Membership.objects.in_community(community).filter(user=inside).update(household=household)
    amendment = _amendment(
        community, worker, scope=Scope.BUILDING, building=building, title="7号楼公约"
    )
    support_add(actor=inside, amendment=amendment)
    with pytest.raises(ValidationError) as excinfo:
        support_add(actor=outside, amendment=amendment)
    assert excinfo.value.code == "not_in_building"
    assert _count(amendment) == 1


def _support_url(live_server, community, amendment):
    return (
        f"{live_server.url}/api/v1/communities/{community.slug}/covenants/amendments/"
        f"{amendment.pk}/support"
    )


@pytest.mark.django_db(transaction=True)
def test_simultaneous_supports_are_all_counted(live_server, community, worker):
    amendment = _amendment(community, worker)
    tokens = [api_token_create(user=member(community), name="t")[1] for _i in range(8)]

    statuses = race_posts(_support_url(live_server, community, amendment), tokens, [{}] * 8)

    assert statuses == [200] * 8
    assert _count(amendment) == 8 == _supports(community).count()


@pytest.mark.django_db(transaction=True)
def test_one_person_supporting_four_times_at_once_counts_once(live_server, community, worker):
    amendment = _amendment(community, worker)
    _t, token = api_token_create(user=member(community), name="t")

    statuses = race_posts(_support_url(live_server, community, amendment), token, [{}] * 4)

    assert statuses == [200] + [400] * 3
    assert _count(amendment) == 1 == _supports(community).count()
