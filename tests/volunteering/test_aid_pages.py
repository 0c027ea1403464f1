"""Mutual aid's pages: a resident posts, a neighbour answers, both confirm and the time bank
shows the balance; refusals are shown translated and save nothing; workers grant credit and
deal with reported problems; others get 404; the home and "my volunteering" sections render."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from gongzhi.volunteering import aid, aid_selectors, timebank
from gongzhi.volunteering.models import AidPost, Exchange, ExchangeStatus, Transfer
from tests.factories import member

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def url(name, community, **kwargs):
    return reverse(name, kwargs={"slug": community.slug, **kwargs})


def test_a_whole_exchange_through_the_pages(community, resident):
    helper = member(community)
    author_client, helper_client = client_for(resident), client_for(helper)
    made = author_client.post(
        url("volunteering_aid_new", community),
        {"kind": "request", "title": "陪老人去医院", "when": "周六上午", "minutes": 90},
    )
    post = AidPost.objects.in_community(community).get()
    assert made.status_code == 302 and made.url == url(
        "volunteering_aid_post", community, post_id=post.pk
    )
    listing = helper_client.get(url("volunteering_aid", community))
    assert listing.status_code == 200 and "陪老人去医院" in listing.text
    answered = helper_client.post(
        url("volunteering_aid_respond", community, post_id=post.pk), {"minutes": 90}
    )
    assert answered.status_code == 302
    exchange = Exchange.objects.in_community(community).get()
    page = author_client.get(url("volunteering_aid_post", community, post_id=post.pk))
    assert url("volunteering_exchange_agree", community, exchange_id=exchange.pk) in page.text
    author_client.post(url("volunteering_exchange_agree", community, exchange_id=exchange.pk))
    for client in (helper_client, author_client):
        client.post(url("volunteering_exchange_confirm", community, exchange_id=exchange.pk))
    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.DONE
    bank = helper_client.get(url("volunteering_timebank", community))
    assert bank.status_code == 200 and "Balance: 90 minutes" in bank.text
    mine = helper_client.get(url("volunteering_exchanges", community))
    assert "陪老人去医院" in mine.text


def test_an_unverified_member_sees_why_and_nothing_is_saved(community, unverified):
    page = client_for(unverified).post(
        url("volunteering_aid_new", community),
        {"kind": "offer", "title": "修自行车", "minutes": 30},
    )
    assert page.status_code == 400
    assert "Only verified residents" in page.text
    assert not AidPost.objects.in_community(community).exists()


def test_a_refusal_on_a_one_button_act_is_shown(community, resident):
    post = aid.post_create(actor=resident, community=community, kind="request", title="修水管")
    page = client_for(resident).post(
        url("volunteering_aid_respond", community, post_id=post.pk), {"minutes": 30}, follow=True
    )
    assert "Nobody exchanges with themself." in page.text
    assert not Exchange.objects.in_community(community).exists()


def test_others_do_not_see_mutual_aid(community, other_community, resident):
    post = aid.post_create(actor=resident, community=community, kind="request", title="修水管")
    stranger = client_for(member(other_community))
    assert stranger.get(url("volunteering_aid", community)).status_code == 404
    assert stranger.get(url("volunteering_aid_post", community, post_id=post.pk)).status_code == 404
    visitor = client_for().get(url("volunteering_aid", community))
    assert visitor.status_code == 302  # to the login page
    resident_client = client_for(member(community))
    assert resident_client.get(url("volunteering_aid_reports", community)).status_code == 404
    grant = resident_client.post(url("volunteering_timebank_grant", community), {"phone": "x"})
    assert grant.status_code == 404


def test_a_worker_grants_credit_and_resolves_a_report(community, worker, resident):
    client = client_for(worker)
    page = client.get(url("volunteering_timebank", community))
    assert "The community&#x27;s account" in page.text or "The community's account" in page.text
    client.post(url("volunteering_timebank_grant", community), {"phone": resident.phone})
    assert timebank.balance(timebank.account_of(community, resident)) == 120
    again = client.post(
        url("volunteering_timebank_grant", community), {"phone": resident.phone}, follow=True
    )
    assert "already received their starting credit" in again.text
    assert Transfer.objects.in_community(community).count() == 1

    helper = member(community)
    post = aid.post_create(actor=resident, community=community, kind="request", title="搬家具")
    exchange = aid.exchange_agree(
        actor=resident, exchange=aid.exchange_propose(actor=helper, post=post)
    )
    report = aid.exchange_report(actor=helper, exchange=exchange, text="地址不对")
    listing = client.get(url("volunteering_aid_reports", community))
    assert "地址不对" in listing.text
    client.post(
        url("volunteering_aid_report_resolve", community, report_id=report.pk),
        {"resolution": "已电话沟通"},
    )
    report.refresh_from_db()
    assert report.resolved_by_id == worker.pk


def test_a_worker_reverses_a_grant_from_the_page(community, worker, resident):
    grant = timebank.grant_starting_credit(actor=worker, community=community, person=resident)
    client = client_for(worker)
    client.post(
        url("volunteering_timebank_reverse", community, transfer_id=grant.pk),
        {"reason": "granted twice by mistake"},
    )
    assert timebank.balance(timebank.account_of(community, resident)) == 0


def test_the_list_page_reads_in_a_few_queries(community, resident, django_assert_max_num_queries):
    for n in range(15):
        aid.post_create(
            actor=member(community), community=community, kind="offer", title=f"帮忙{n}"
        )
    client = client_for(resident)
    with django_assert_max_num_queries(12):
        assert client.get(url("volunteering_aid", community)).status_code == 200


def test_the_home_and_my_sections(community, worker, resident):
    aid.post_create(actor=resident, community=community, kind="request", title="修水管")
    timebank.grant_starting_credit(actor=worker, community=community, person=resident)
    hub = render_to_string(
        "volunteering/_hub_aid.html",
        {"community": community, "hub_aid": aid_selectors.hub(community, resident)},
    )
    assert url("volunteering_aid", community) in hub
    assert render_to_string(
        "volunteering/_hub_aid.html",
        {"community": community, "hub_aid": aid_selectors.hub(community, member(community))},
    ).strip()
    mine = render_to_string(
        "volunteering/_mine_aid.html",
        {"community": community, "mine_aid": aid_selectors.mine(community, resident, None)},
    )
    assert "120" in mine


def test_the_api_refuses_with_a_code(community, unverified, resident):
    from gongzhi.accounts.services import api_token_create

    def post(user, path, body):
        token = api_token_create(user=user, name="t")[1]
        return Client(HTTP_ACCEPT_LANGUAGE="en").post(
            f"/api/v1/communities/{community.slug}/volunteering/{path}",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    refused = post(unverified, "aid/posts", {"kind": "offer", "title": "修自行车"})
    assert refused.status_code == 400 and refused.json()["code"] == "not_verified"
    made = post(resident, "aid/posts", {"kind": "request", "title": "修水管", "minutes": 700})
    assert made.status_code == 201
    helper = member(community)
    answer = post(helper, f"aid/posts/{made.json()['id']}/exchanges", {})
    exchange_id = answer.json()["id"]
    assert post(resident, f"aid/exchanges/{exchange_id}/agree", {}).status_code == 200
    assert post(helper, f"aid/exchanges/{exchange_id}/confirm", {}).status_code == 200
    over = post(resident, f"aid/exchanges/{exchange_id}/confirm", {})
    assert over.status_code == 400 and over.json()["code"] == "over_limit"
    assert not Transfer.objects.in_community(community).exists()
    stranger = post(member(community), f"aid/exchanges/{exchange_id}/cancel", {})
    assert stranger.status_code == 404


def test_the_helped_resident_may_thank_a_helper_who_volunteers(community, resident):
    from tests.volunteering.world import volunteer_of

    helper = volunteer_of(community)
    post = AidPost.objects.create(
        community=community, author=resident, kind="request", title="修水龙头", minutes=30
    )
    exchange = Exchange.objects.create(
        community=community,
        post=post,
        helped=resident,
        helper=helper.person,
        minutes=30,
        status=ExchangeStatus.DONE,
    )
    thank = url("volunteering_thank", community, volunteer_id=helper.pk)
    assert thank in client_for(resident).get(url("volunteering_exchanges", community)).text
    assert thank not in client_for(helper.person).get(url("volunteering_exchanges", community)).text
    exchange.status = ExchangeStatus.AGREED
    exchange.save()
    assert thank not in client_for(resident).get(url("volunteering_exchanges", community)).text
