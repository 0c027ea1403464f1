"""Who sees a case: its parties, its open mediators and the committee's head, no one else —
not workers, supervisors, street officials or platform admins. The predicate and the filter
(``visible_cases``) agree for every one of them; pages and the API answer 404 to the rest."""

from __future__ import annotations

import pytest
import rules
from django.test import Client

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Role
from gongzhi.mediation import services
from gongzhi.mediation.models import Assignment, Case
from gongzhi.mediation.policies import visible_cases
from tests.factories import member, official_of
from tests.mediation.world import case_of, committee_of, mediator_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(community, other_community, worker, supervisor, admin_user):
    committee = committee_of(community, worker)
    mediator = mediator_of(community)
    case = case_of(community, mediator=mediator)
    applicant = case.parties.get(side="applicant").person
    respondent = case.parties.get(side="respondent").person
    refused = mediator_of(community)
    declined = mediator_of(community)
    for person in (refused, declined):
        services.mediator_assign(actor=committee.head, case=case, mediator=person)
    services.mediator_refuse(
        actor=applicant,
        assignment=Assignment.objects.in_community(community).get(case=case, mediator=refused),
    )
    services.mediator_decline(
        actor=declined,
        assignment=Assignment.objects.in_community(community).get(case=case, mediator=declined),
    )
    people = {
        "applicant": applicant,
        "respondent": respondent,
        "mediator": mediator,
        "head": committee.head,
        "refused mediator": refused,
        "declined mediator": declined,
        "mediator not on the case": mediator_of(community),
        "resident": member(community),
        "unverified": member(community, verified=False),
        "worker": worker,
        "supervisor": supervisor,
        "street official": official_of(community.street),
        "platform admin": admin_user,
        "other community's worker": member(other_community, Role.COMMUNITY_WORKER),
    }
    return committee, case, people


SEES = {"applicant", "respondent", "mediator", "head"}


def test_the_predicate_and_the_filter_agree_and_only_four_see(community, world):
    _committee, case, people = world
    other = case_of(community, mediator=False)
    for name, user in people.items():
        allowed = rules.has_perm("mediation.view_case", user, case)
        listed = set(
            Case.objects.in_community(community)
            .filter(visible_cases(user, community))
            .values_list("pk", flat=True)
        )
        assert allowed == (name in SEES), name
        assert (case.pk in listed) == allowed, name
        assert (other.pk in listed) == (name == "head"), name


def test_pages_and_the_api_answer_404_to_everyone_else(community, world, settings):
    settings.GONGZHI_STAFF_MFA_REQUIRED = False
    _committee, case, people = world
    page = f"/c/{community.slug}/mediation/cases/{case.pk}/"
    api = f"/api/v1/communities/{community.slug}/mediation/cases/{case.pk}"
    for name, user in people.items():
        client = Client()
        client.force_login(user)
        token = api_token_create(user=user, name="t")[1]
        expected = 200 if name in SEES else 404
        assert client.get(page).status_code == expected, name
        response = Client().get(api, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == expected, name
        listed = Client().get(
            f"/api/v1/communities/{community.slug}/mediation/cases",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert (case.pk in [c["id"] for c in listed.json()]) == (name in SEES), name
        for action in ("consent", "refuse"):
            if name not in SEES:
                assert client.post(f"{page}{action}/").status_code == 404, name
    assert Client().get(page).status_code == 302


def test_a_new_head_sees_and_the_old_one_no_longer(community, world, worker):
    committee, case, people = world
    old = committee.head
    new = mediator_of(community)
    services.committee_set(actor=worker, community=community, body=committee.body, head=new)
    assert rules.has_perm("mediation.view_case", new, case)
    assert not rules.has_perm("mediation.view_case", old, case)


def test_the_worker_who_registered_a_walk_in_cannot_open_it(community, worker):
    committee_of(community, worker)
    case = services.case_register(
        actor=worker,
        community=community,
        kind="noise",
        summary="装修噪音",
        applicant_phone="13900004444",
        applicant_name="王阿姨",
        respondent_name="楼上",
    )
    client = Client()
    client.force_login(worker)
    assert client.get(f"/c/{community.slug}/mediation/cases/{case.pk}/").status_code == 404
    home = client.get(f"/c/{community.slug}/mediation/")
    assert home.status_code == 200 and case.number not in home.content.decode()
