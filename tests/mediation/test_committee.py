"""The committee: a worker (or those above the community) names the body of kind mediation
committee and its head, a verified member holding the mediation qualification, never themself.
The journal records the act with no target."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.bodies.models import Body, BodyKind
from gongzhi.core.models import Activity, Role
from gongzhi.mediation import services
from gongzhi.mediation.models import MediationCommittee
from tests.factories import member
from tests.mediation.world import mediator_of, qualified

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(community, worker):
    return Body.objects.in_community(community).create(
        kind=BodyKind.MEDIATION_COMMITTEE, name="人民调解委员会", created_by=worker
    )


def test_a_worker_names_the_committee_and_its_head(community, worker, body):
    head = mediator_of(community)
    committee = services.committee_set(
        actor=worker, community=community, body=body, head=head, retention_days=730
    )
    assert committee.head == head and committee.appointed_by == worker
    assert committee.retention_days == 730
    second = mediator_of(community)
    again = services.committee_set(actor=worker, community=community, body=body, head=second)
    assert again.pk == committee.pk and again.head == second and again.retention_days == 730
    assert MediationCommittee.objects.in_community(community).count() == 1
    entries = Activity.objects.in_community(community).filter(verb="mediation.committee_set")
    assert entries.count() == 2 and all(not e.target_id and e.data == {} for e in entries)


def test_a_street_official_may_too(community, official, body):
    head = mediator_of(community)
    committee = services.committee_set(actor=official, community=community, body=body, head=head)
    assert committee.head == head


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("own", "own_appointment"),
        ("unqualified", "head_unqualified"),
        ("unverified", "head_not_member"),
        ("other_body", "committee_body"),
        ("retention", "retention_days"),
    ],
)
def test_bad_appointments_are_refused(community, worker, body, case, code):
    head = mediator_of(community)
    kwargs = {"actor": worker, "community": community, "body": body, "head": head}
    if case == "own":
        qualified(worker, community)
        kwargs["head"] = worker
    elif case == "unqualified":
        kwargs["head"] = member(community)
    elif case == "unverified":
        kwargs["head"] = qualified(member(community, verified=False), community)
    elif case == "other_body":
        kwargs["body"] = Body.objects.in_community(community).create(
            kind="council", name="议事会", created_by=worker
        )
    elif case == "retention":
        kwargs["retention_days"] = 3
    with pytest.raises(ValidationError) as error:
        services.committee_set(**kwargs)
    assert error.value.code == code
    assert not MediationCommittee.objects.in_community(community).exists()


def test_residents_and_supervisors_do_not_name_it(community, body, resident, supervisor):
    for someone in (resident, supervisor, member(community, Role.MEDIATOR)):
        with pytest.raises(PermissionDenied):
            services.committee_set(
                actor=someone, community=community, body=body, head=mediator_of(community)
            )
