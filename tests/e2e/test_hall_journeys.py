"""Browser journeys of the deliberation hall and of voting (issue 6), in Debian's Chromium."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.core.models import Role
from gongzhi.deliberation import services as deliberation
from gongzhi.deliberation.models import DeliberationSettings, Proposal, Status
from gongzhi.voting import services as voting
from gongzhi.voting.models import Kind, Method, Participation, Vote
from tests.e2e.test_journeys import force_login, shot, submit
from tests.factories import member

pytestmark = pytest.mark.browser


def test_a_proposal_gathers_support_and_the_council_answers(new_context, community, e2e):
    DeliberationSettings.objects.in_community(community).create(
        threshold_percent=1, threshold_minimum=3
    )
    author, council = member(community), member(community, Role.COUNCIL_MEMBER)
    neighbours = [member(community) for _ in range(3)]

    phone = new_context("phone")
    force_login(phone, author, e2e)
    page = phone.new_page()
    page.goto(f"/c/{community.slug}/proposals/new/")
    page.fill("#id_title", "在3号楼门口装一排长椅")
    page.fill("#id_body", "老人买菜回来没地方歇脚。")
    submit(page, f"/c/{community.slug}/proposals/new/")
    proposal = Proposal.objects.in_community(community).get()
    assert page.url.endswith(f"/proposals/{proposal.pk}/")
    assert page.locator("[data-status]").first.get_attribute("data-status") == Status.GATHERING
    shot(page, "hall-01-proposal")

    for neighbour in neighbours[:2]:
        deliberation.proposal_support(actor=neighbour, proposal=proposal)
    other = new_context("phone")
    force_login(other, neighbours[2], e2e)
    page2 = other.new_page()
    page2.goto(f"/c/{community.slug}/proposals/{proposal.pk}/")
    submit(page2, f"/c/{community.slug}/proposals/{proposal.pk}/support/")
    assert page2.locator("#support-count").inner_text() == "3"
    assert (
        page2.locator("[data-status]").first.get_attribute("data-status")
        == Status.THRESHOLD_REACHED
    )

    desk = new_context("desktop")
    force_login(desk, council, e2e)
    page3 = desk.new_page()
    page3.goto(f"/c/{community.slug}/proposals/{proposal.pk}/")
    page3.select_option("#id_to", Status.ACCEPTED)
    page3.fill("#id_reason", "议事会同意，下月由物业安装。")
    submit(page3, f"/c/{community.slug}/proposals/{proposal.pk}/answer/")
    shot(page3, "hall-02-answered")

    page.reload()
    assert page.locator("[data-status]").first.get_attribute("data-status") == Status.ACCEPTED
    assert "议事会同意，下月由物业安装。" in page.locator(".timeline").inner_text()


def test_a_secret_vote_from_ballot_to_published_receipt(new_context, community, worker, e2e):
    now = timezone.now()
    vote = voting.vote_create(
        actor=worker,
        community=community,
        title="小区大门改造选哪个方案？",
        options=["保留老门楼", "拆除重建", "只修门禁"],
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=3),
        method=Method.RANKED,
        kind=Kind.BINDING,
        secret=True,
    )
    options = list(vote.options.order_by("position"))
    resident = member(community)
    phone = new_context("phone")
    force_login(phone, resident, e2e)
    page = phone.new_page()
    page.goto(f"/c/{community.slug}/votes/{vote.pk}/")
    page.select_option(f"#r-{options[1].pk}", "1")
    page.select_option(f"#r-{options[2].pk}", "2")
    submit(page, f"/c/{community.slug}/votes/{vote.pk}/ballot/")
    receipt = Participation.objects.in_community(community).get(vote=vote, voter=resident).receipt
    assert receipt in page.locator(".messages").inner_text()
    assert page.locator("#results-heading").count() == 0  # binding: nothing shown before close
    shot(page, "vote-01-cast")

    Vote.objects.in_community(community).filter(pk=vote.pk).update(
        opens_at=now - timedelta(days=1), closes_at=timezone.now() - timedelta(seconds=1)
    )
    page.goto(f"/c/{community.slug}/votes/{vote.pk}/published/")
    assert receipt in page.locator(".receipts").inner_text()
    assert re.search(r"拆除重建\s*>\s*只修门禁", page.locator("main ol").inner_text())
    page.goto(f"/c/{community.slug}/votes/{vote.pk}/")
    assert page.locator("#results-heading").is_visible()
    shot(page, "vote-02-result")
