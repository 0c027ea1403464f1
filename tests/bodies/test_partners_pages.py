"""Partners' pages and API: who sees what, the document for staff only, forms that refuse bad
input with the service's translated message, the API's errors, and simultaneous ratings."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.accounts.services import api_token_create
from gongzhi.bodies import partners
from gongzhi.bodies.models import Agreement, Contribution, Partner, PartnerService, ServiceRating
from gongzhi.core.models import Role
from tests.concurrency import race_posts
from tests.conftest import TOTP_SECRET
from tests.disclosure.helpers import pdf
from tests.factories import CommunityFactory, StreetFactory, member, official_of

TODAY = timezone.localdate()


@pytest.fixture
def partner(community, official):
    return partners.partner_create(
        actor=official, street=community.street, kind="social_organisation", name="阳光社工站"
    )


@pytest.fixture
def agreement(community, worker, partner):
    return partners.agreement_sign(
        actor=worker,
        community=community,
        partner=partner,
        scope="独居老人探访",
        starts_on=TODAY - timedelta(days=10),
        ends_on=TODAY + timedelta(days=355),
        document=pdf("共建协议.pdf"),
    )


@pytest.fixture
def service(worker, agreement):
    return partners.service_add(actor=worker, agreement=agreement, title="上门探访")


def _api(client, user, method, url, body=None):
    token = api_token_create(user=user, name="t")[1]
    return client.generic(
        method,
        "/api/v1" + url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


# --- Pages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_members_see_the_page_and_rate_visitors_do_not(client, community, service, resident):
    url = reverse("partner_list", args=[community.slug])
    client.force_login(member(CommunityFactory()))
    assert client.get(url).status_code == 404
    client.force_login(resident)
    page = client.get(url).content.decode()
    assert "阳光社工站" in page and "上门探访" in page
    rate = reverse("partner_service_rate", args=[community.slug, service.pk])
    client.post(rate, {"stars": "4", "comment": "很耐心"})
    rating = ServiceRating.objects.in_community(community).get()
    assert (rating.user, rating.stars) == (resident, 4)
    assert re.search(r'value="4"\s+required\s+checked', client.get(url).content.decode())


@pytest.mark.django_db
def test_a_rating_out_of_range_on_the_page_saves_nothing(client, community, service, resident):
    client.force_login(resident)
    rate = reverse("partner_service_rate", args=[community.slug, service.pk])
    response = client.post(rate, {"stars": "9"}, follow=True)
    assert gettext("Give the service from 1 to 5 stars.") in response.content.decode()
    assert not ServiceRating.objects.in_community(community).exists()


@pytest.mark.django_db
def test_the_agreement_form_refuses_a_period_in_the_wrong_order(client, community, worker, partner):
    client.force_login(worker)
    url = reverse("partner_agreement_create", args=[community.slug])
    response = client.post(
        url,
        {
            "partner": partner.pk,
            "scope": "助餐",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY - timedelta(days=1)).isoformat(),
        },
    )
    assert gettext("The agreement must end after the day it starts.") in response.content.decode()
    assert not Agreement.objects.in_community(community).exists()


@pytest.mark.django_db
def test_the_document_is_for_staff_and_officials_only(
    client, community, agreement, resident, official
):
    url = reverse("partner_agreement_document", args=[community.slug, agreement.pk])
    client.force_login(resident)
    assert client.get(url).status_code == 404
    client.force_login(official)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.django_db
def test_a_worker_records_services_and_contributions_on_the_agreement_page(
    client, community, worker, agreement
):
    client.force_login(worker)
    detail = reverse("partner_agreement_detail", args=[community.slug, agreement.pk])
    assert client.get(detail).status_code == 200
    client.post(
        reverse("partner_service_create", args=[community.slug, agreement.pk]),
        {"title": "理发"},
    )
    response = client.post(
        reverse("partner_contribution_create", args=[community.slug, agreement.pk]),
        {"kind": "in_kind", "description": "轮椅两台", "value": "", "given_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    haircut = PartnerService.objects.in_community(community).get(title="理发")
    partners.service_rate(actor=member(community), service=haircut, stars=3, comment="要排队")
    page = client.get(detail).content.decode()
    assert "理发" in page and "轮椅两台" in page and "要排队" in page


@pytest.mark.django_db
def test_the_street_page_is_for_its_officials_who_register_partners_there(
    client, community, official, worker, agreement
):
    url = reverse("street_partners", args=[community.street.pk])
    client.force_login(worker)
    assert client.get(url).status_code == 404
    client.force_login(official_of(StreetFactory()))
    assert client.get(url).status_code == 404
    client.force_login(official)
    assert "阳光社工站" in client.get(url).content.decode()
    client.post(url, {"kind": "volunteer_team", "name": "青年志愿队"})
    assert Partner.objects.filter(street=community.street, name="青年志愿队").exists()


# --- API -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_lists_partners_with_services_and_rating_summary(client, community, service):
    response = _api(client, member(community), "GET", f"/communities/{community.slug}/partners")
    assert response.status_code == 200
    [agreement] = response.json()
    assert agreement["partner"] == "阳光社工站"
    assert agreement["services"][0]["rating"] == {"count": 0, "average": None}


@pytest.mark.django_db
@pytest.mark.parametrize("stars", [0, 6])
def test_the_api_refuses_a_rating_out_of_range(client, community, service, stars):
    url = f"/communities/{community.slug}/partners/services/{service.pk}/rating"
    response = _api(client, member(community), "POST", url, {"stars": stars})
    assert response.status_code == 400
    assert response.json() == {
        "code": "stars_out_of_range",
        "message": gettext("Give the service from 1 to 5 stars."),
    }
    assert not ServiceRating.objects.in_community(community).exists()


@pytest.mark.django_db
def test_the_api_refuses_another_communitys_agreement(client, community, agreement):
    other = CommunityFactory(street=community.street)
    other_worker = member(other, Role.COMMUNITY_WORKER)
    TOTP.activate(other_worker, TOTP_SECRET)
    body = {
        "agreement": agreement.pk,
        "kind": "in_kind",
        "description": "桌椅",
        "given_on": TODAY.isoformat(),
    }
    response = _api(
        client, other_worker, "POST", f"/communities/{other.slug}/partners/contributions", body
    )
    assert response.status_code == 400
    assert response.json()["message"] == gettext("This community has no such agreement.")
    assert not Contribution.objects.in_communities([community, other]).exists()


@pytest.mark.django_db
def test_the_api_records_money_as_a_pending_ledger_entry(client, community, worker, agreement):
    body = {
        "agreement": agreement.pk,
        "kind": "money",
        "description": "重阳节活动经费",
        "given_on": TODAY.isoformat(),
        "value": "1200.50",
    }
    response = _api(
        client, worker, "POST", f"/communities/{community.slug}/partners/contributions", body
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["value"] == "1200.50" and data["ledger_entry"] is not None
    contribution = Contribution.objects.in_community(community).get()
    assert contribution.ledger_entry.status == "pending"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_ratings_by_one_person_leave_one_row(live_server, community, worker):
    partner = partners.partner_create(
        actor=official_of(community.street), street=community.street, kind="business", name="店"
    )
    agreement = partners.agreement_sign(
        actor=worker,
        community=community,
        partner=partner,
        scope="x",
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=30),
    )
    service = partners.service_add(actor=worker, agreement=agreement, title="维修")
    resident = member(community)
    token = api_token_create(user=resident, name="t")[1]
    url = (
        f"{live_server.url}/api/v1/communities/{community.slug}/partners/services/"
        f"{service.pk}/rating"
    )
    statuses = race_posts(url, token, [{"stars": n} for n in (1, 2, 3, 4, 5)])
    assert statuses == [200] * 5
    [rating] = ServiceRating.objects.in_community(community).filter(service=service)
    assert rating.user == resident and 1 <= rating.stars <= 5


@pytest.mark.django_db
def test_the_overview_links_the_officials_street_page(client, community, official):
    client.force_login(official)
    page = client.get(reverse("overview")).content.decode()
    assert reverse("street_partners", args=[community.street.pk]) in page


@pytest.mark.django_db
def test_the_pages_query_counts_do_not_grow_with_partners(
    client, community, official, worker, resident, django_assert_max_num_queries
):
    for n in range(8):
        partner = partners.partner_create(
            actor=official, street=community.street, kind="business", name=f"商户{n}"
        )
        agreement = partners.agreement_sign(
            actor=worker,
            community=community,
            partner=partner,
            scope="优惠",
            starts_on=TODAY - timedelta(days=5),
            ends_on=TODAY + timedelta(days=5),
        )
        for title in ("理发", "修鞋"):
            service = partners.service_add(actor=worker, agreement=agreement, title=title)
            partners.service_rate(actor=resident, service=service, stars=5)
        partners.contribution_record(
            actor=worker,
            community=community,
            agreement=agreement,
            kind="in_kind",
            description="礼品",
            given_on=TODAY,
        )
    client.force_login(resident)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("partner_list", args=[community.slug])).status_code == 200
    client.force_login(official)
    with django_assert_max_num_queries(15):
        url = reverse("street_partners", args=[community.street.pk])
        assert client.get(url).content.decode().count("礼品") == 8
