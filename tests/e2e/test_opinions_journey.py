"""Browser journey of a conversation (issue 4), in Debian's Chromium: a community worker opens
it, a resident votes one statement at a time, adds a statement and sees the opinion map."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongzhi.opinions.models import Conversation, ConversationMap, Statement, StatementVote
from tests.e2e.test_journeys import force_login, shot, submit
from tests.factories import member
from tests.opinions.test_conversations import cast_many, open_conversation, two_camps

pytestmark = pytest.mark.browser


def test_open_a_conversation_vote_add_a_statement_see_the_map(new_context, community, worker, e2e):
    desk = new_context("desktop")
    force_login(desk, worker, e2e)
    page = desk.new_page()
    page.goto(f"/c/{community.slug}/conversations/new/")
    page.fill("#id_question", "小区中心广场晚上怎么用？")
    page.fill(
        "#id_seed_statements",
        "晚上九点后广场舞应该停止\n广场应该留一块给孩子玩\n广场可以办周末集市\n广场边应该多装路灯",
    )
    page.check("input[name=moderation][value=after]")
    now = timezone.localtime()
    page.fill("#id_opens_at", (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_closes_at", (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    submit(page, f"/c/{community.slug}/conversations/new/")
    conversation = Conversation.objects.in_community(community).get()
    assert page.url.endswith(f"/conversations/{conversation.pk}/")
    assert page.locator("[data-phase=open]").is_visible()
    shot(page, "opinions-01-opened")

    # Neighbours have voted already: two camps that split on the even statements.
    cast_many(conversation, two_camps(size=10))

    resident = member(community)
    phone = new_context("phone")
    force_login(phone, resident, e2e)
    page2 = phone.new_page()
    page2.goto(f"/c/{community.slug}/")
    page2.locator(f"a[href='/c/{community.slug}/conversations/']").click()
    page2.locator(f"a[href='/c/{community.slug}/conversations/{conversation.pk}/']").click()
    page2.locator(
        f"a[href='/c/{community.slug}/conversations/{conversation.pk}/vote/']"
    ).first.click()
    # htmx swaps in each next statement: the page is never reloaded (the marker set on the
    # window survives), "your votes" grows out of band and the new statement takes the focus.
    page2.evaluate("window.notReloaded = true")
    seen = []
    for index, choice in enumerate(("agree", "disagree", "agree", "pass")):
        current = page2.locator("#statement-text")
        seen.append(current.inner_text())
        number = current.get_attribute("data-number")
        page2.locator(f"form[aria-labelledby=statement-text] button[value={choice}]").click()
        expect(page2.locator(f"#statement-text[data-number='{number}']")).to_have_count(0)
        expect(page2.locator("#my-votes tbody tr")).to_have_count(index + 1)
        if index < 3:
            expect(page2.locator("#statement-text")).to_be_focused()
    assert page2.evaluate("window.notReloaded === true")
    assert len(set(seen)) == 4
    assert page2.locator("#all-done").is_visible()
    votes = StatementVote.objects.in_community(community).filter(participant__user=resident)
    assert votes.count() == 4
    shot(page2, "opinions-02-voted")

    page2.fill("#id_text", "广场应该有一个安静的角落给老人下棋")
    submit(page2, f"/c/{community.slug}/conversations/{conversation.pk}/statements/")
    assert "Others can now vote on it" in page2.locator(".messages").inner_text() or (
        "投票" in page2.locator(".messages").inner_text()
    )
    assert Statement.objects.in_community(community).filter(text__contains="下棋").exists()
    # The new statement is the next one to vote on: nobody has voted on it yet.
    assert "下棋" in page2.locator("#statement-text").inner_text()

    page2.goto(f"/c/{community.slug}/conversations/{conversation.pk}/results/")
    # The map was updated in the background after the votes (immediate task backend here).
    assert ConversationMap.objects.in_community(community).get(conversation=conversation).updates
    assert page2.locator("#opinion-map svg[role=img]").is_visible()
    assert page2.locator("#you-are-here").count() == 1
    assert page2.locator(".legend li[data-group=A]").is_visible()
    assert page2.locator("#consensus").is_visible()
    shot(page2, "opinions-03-map")


def test_voting_works_without_javascript(new_context, community, worker, e2e):
    """The plain form post: each vote reloads the page with the next statement."""
    conversation = open_conversation(community, worker)
    resident = member(community)
    browser = new_context("phone", java_script_enabled=False)
    force_login(browser, resident, e2e)
    page = browser.new_page()
    page.goto(f"/c/{community.slug}/conversations/{conversation.pk}/vote/")
    seen = []
    for choice in ("disagree", "agree"):
        seen.append(page.locator("#statement-text").get_attribute("data-number"))
        with page.expect_navigation():
            page.locator(f"form[aria-labelledby=statement-text] button[value={choice}]").click()
    assert seen[0] != seen[1]
    assert page.locator("#my-votes tbody tr").count() == 2
    votes = StatementVote.objects.in_community(community).filter(participant__user=resident)
    assert sorted(votes.values_list("value", flat=True)) == [-1, 1]
