"""Incubation pages and API: who sees what, each act posted from an organisation's page, the
growth table, and the API's refusals as translated errors."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.services import api_token_create
from gongzhi.bodies import incubation
from gongzhi.bodies.models import Body, Incubation, Stage
from gongzhi.core.models import Role
from tests.conftest import TOTP_SECRET
from tests.factories import member

pytestmark = pytest.mark.django_db


def client_for(user, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def url(community, name: str, *args) -> str:
    return reverse(name, args=[community.slug, *args])


def propose(community, who, name="编织小组") -> Incubation:
    return incubation.organisation_propose(
        actor=who, community=community, kind="interest_group", name=name, purpose="一起织毛衣送老人"
    )


def fresh(item: Incubation) -> Incubation:
    return Incubation.objects.in_community(item.community).get(pk=item.pk)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Pages ------------------------------------------------------------------------------------


def test_members_see_organisations_by_stage_and_growth(
    community, resident, django_assert_max_num_queries
):
    item = propose(community, resident)
    for _i in range(3):
        propose(community, member(community), name=f"小组{_i}")
    client = client_for(member(community))
    with django_assert_max_num_queries(20):
        response = client.get(url(community, "incubation_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert item.body.name in html and _("Growth over the years") in html
    assert response.context["growth"][-1].founded == 4


def test_visitors_and_outsiders_do_not_see_the_list(community, resident, outsider):
    propose(community, resident)
    assert Client().get(url(community, "incubation_list")).status_code == 302
    assert client_for(outsider).get(url(community, "incubation_list")).status_code == 404


def test_propose_page_makes_the_resident_a_founder(community, resident):
    client = client_for(resident)
    response = client.post(
        url(community, "incubation_propose"),
        {"kind": "organisation", "name": "读书会", "purpose": "每月读一本书"},
    )
    body = Body.objects.in_community(community).get(name="读书会")
    assert response.status_code == 302
    assert response["Location"] == url(community, "incubation_detail", body.pk)
    page = client.get(response["Location"]).content.decode()
    assert resident.display_name in page


def test_propose_page_shows_a_refusal_and_saves_nothing(community, resident):
    propose(community, member(community), name="读书会")
    response = client_for(resident).post(
        url(community, "incubation_propose"),
        {"kind": "organisation", "name": "读书会", "purpose": "每月读一本书"},
    )
    assert response.status_code == 200
    assert (
        _("The community already has a body called “%(name)s”.") % {"name": "读书会"}
        in response.content.decode()
    )
    assert Body.objects.in_community(community).count() == 1


def test_unverified_residents_cannot_open_the_propose_page(community, unverified):
    assert client_for(unverified).get(url(community, "incubation_propose")).status_code == 404


def test_join_from_the_page(community, resident):
    item = propose(community, resident)
    other = member(community)
    client = client_for(other)
    page = client.get(url(community, "incubation_detail", item.body_id))
    assert page.context["may_join"]
    response = client.post(url(community, "incubation_act", item.body_id, "join"), follow=True)
    assert _("You are one of the founders now.") in messages_of(response)
    response = client.post(url(community, "incubation_act", item.body_id, "join"), follow=True)
    assert _("You are already a founder of this organisation.") in messages_of(response)
    assert incubation.founder_count(item) == 2


def test_a_worker_steers_from_the_page(community, resident, worker):
    item = propose(community, resident)
    for _i in range(2):
        incubation.founder_join(actor=member(community), incubation=item)
    mentor = member(community)
    client = client_for(worker)
    page = client.get(url(community, "incubation_detail", item.body_id))
    assert page.context["may_steer"]
    act = lambda step, data: client.post(  # noqa: E731
        url(community, "incubation_act", item.body_id, step), data, follow=True
    )
    assert _("The mentor is assigned.") in messages_of(act("mentor", {"phone": str(mentor.phone)}))
    response = act("stage", {"to": "incubating", "note": "齐了"})
    assert _("The organisation has moved to its new stage.") in messages_of(response)
    response = act("stage", {"to": "filed", "note": "备案", "filing_number": ""})
    assert _("Give the filing number (备案号) the street gave the organisation.") in messages_of(
        response
    )
    today = timezone.localdate().isoformat()
    response = act(
        "support", {"kind": "grant", "description": "启动资金", "given_on": today, "amount": "500"}
    )
    assert _("The support is recorded.") in messages_of(response)
    assert fresh(item).stage == Stage.INCUBATING and fresh(item).mentor == mentor
    assert "500.00" in response.content.decode()


def test_a_founder_worker_sees_no_staff_forms_and_is_refused(community, resident):
    founder_worker = member(community, Role.COMMUNITY_WORKER)
    TOTP.activate(founder_worker, TOTP_SECRET)
    item = propose(community, founder_worker)
    client = client_for(founder_worker)
    assert not client.get(url(community, "incubation_detail", item.body_id)).context["may_steer"]
    response = client.post(
        url(community, "incubation_act", item.body_id, "stage"),
        {"to": "dormant", "note": "停"},
        follow=True,
    )
    assert _(
        "You are a founder of this organisation: another community worker decides about it."
    ) in messages_of(response)
    assert fresh(item).stage == Stage.IDEA


def test_a_resident_cannot_post_a_workers_act(community, resident):
    item = propose(community, resident)
    response = client_for(member(community)).post(
        url(community, "incubation_act", item.body_id, "stage"), {"to": "dormant", "note": "停"}
    )
    assert response.status_code == 403
    assert fresh(item).stage == Stage.IDEA


def test_an_unknown_organisation_is_missing(community, resident):
    assert client_for(resident).get(url(community, "incubation_detail", 999999)).status_code == 404


# --- API --------------------------------------------------------------------------------------


def api(user, language: str = "zh-hans") -> tuple[Client, dict[str, str]]:
    token = api_token_create(user=user, name="t")[1]
    return Client(HTTP_ACCEPT_LANGUAGE=language), {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_api_propose_join_move_and_list(community, resident, worker):
    base = f"/api/v1/communities/{community.slug}/organisations"
    client, auth = api(resident)
    response = client.post(
        base,
        {"kind": "organisation", "name": "护河队", "purpose": "清理河道"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["stage"], created["founders"], created["has_mentor"]) == ("idea", 1, False)
    joiner_client, joiner_auth = api(member(community))
    joined = joiner_client.post(f"{base}/{created['id']}/founders", **joiner_auth)
    assert joined.status_code == 201 and joined.json()["seat"] == 2
    again = joiner_client.post(f"{base}/{created['id']}/founders", **joiner_auth)
    assert again.status_code == 400
    assert again.json() == {
        "code": "already_founder",
        "message": _("You are already a founder of this organisation."),
    }
    worker_client, worker_auth = api(worker)
    moved = worker_client.post(
        f"{base}/{created['id']}/stage",
        {"to": "incubating", "note": "开始"},
        content_type="application/json",
        **worker_auth,
    )
    assert moved.status_code == 400 and moved.json()["code"] == "too_few_founders"
    moved = worker_client.post(
        f"{base}/{created['id']}/stage",
        {"to": "dormant", "note": "暂停"},
        content_type="application/json",
        **worker_auth,
    )
    assert moved.status_code == 200 and moved.json()["stage"] == "dormant"
    listed = client.get(base, **auth).json()
    assert [(o["name"], o["stage"], o["founders"]) for o in listed] == [("护河队", "dormant", 2)]


def test_api_residents_cannot_move_stages(community, resident):
    item = propose(community, resident)
    client, auth = api(member(community))
    response = client.post(
        f"/api/v1/communities/{community.slug}/organisations/{item.body_id}/stage",
        {"to": "dormant", "note": "停"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 403
    assert fresh(item).stage == Stage.IDEA


def test_a_founder_reports_from_the_page_once_a_year(community, resident, worker):
    item = propose(community, resident)
    for _i in range(2):
        incubation.founder_join(actor=member(community), incubation=item)
    incubation.mentor_assign(actor=worker, incubation=item, mentor=member(community))
    incubation.stage_move(actor=worker, incubation=item, to="incubating", note="齐了")
    incubation.stage_move(
        actor=worker, incubation=fresh(item), to="filed", note="备案", filing_number="BA-3"
    )
    client = client_for(resident)
    assert client.get(url(community, "incubation_detail", item.body_id)).context["may_report"]
    year = timezone.localdate().year
    data = {"year": year, "members": 8, "activities": 20, "participants": 150, "text": "一年"}
    target = url(community, "incubation_act", item.body_id, "report")
    response = client.post(target, data, follow=True)
    assert _("The annual report is submitted. Thank you.") in messages_of(response)
    response = client.post(target, data, follow=True)
    expected = _("The report for %(year)d has already been submitted.") % {"year": year}
    assert expected in messages_of(response)
    assert fresh(item).reports.count() == 1


def test_the_api_list_reads_in_few_queries(community, resident, django_assert_max_num_queries):
    for i in range(5):
        propose(community, member(community), name=f"队{i}")
    client, auth = api(resident)
    with django_assert_max_num_queries(12):
        response = client.get(f"/api/v1/communities/{community.slug}/organisations", **auth)
    assert len(response.json()) == 5


@pytest.mark.parametrize(
    ("who", "view", "propose_", "steer", "report"),
    [
        ("founder", True, True, False, True),
        ("resident", True, True, False, False),
        ("unverified", True, False, False, False),
        ("supervisor", True, True, False, False),
        ("worker", True, True, True, False),
        ("founder_worker", True, True, False, True),
        ("official", True, False, False, False),
        ("outsider", False, False, False, False),
    ],
)
def test_permission_matrix(
    community, worker, official, outsider, who, view, propose_, steer, report
):
    import rules

    founder = member(community)
    founder_worker = member(community, Role.COMMUNITY_WORKER)
    item = propose(community, founder)
    incubation.founder_join(actor=founder_worker, incubation=item)
    people = {
        "founder": founder,
        "resident": member(community),
        "unverified": member(community, verified=False),
        "supervisor": member(community, Role.SUPERVISOR),
        "worker": worker,
        "founder_worker": founder_worker,
        "official": official,
        "outsider": outsider,
    }
    user = people[who]
    assert rules.has_perm("bodies.view_organisations", user, item) is view
    assert rules.has_perm("bodies.propose_organisation", user, community) is propose_
    assert rules.has_perm("bodies.steer_organisation", user, item) is steer
    assert rules.has_perm("bodies.report_organisation", user, item) is report
