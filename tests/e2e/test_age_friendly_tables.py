"""Result tables in the age-friendly mode on a phone (390×844): the larger type must not push a
table past the right edge. Neither the page nor a table inside it may scroll sideways; a table
that does not fit becomes one labelled card per row (table.stack in site.css)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from gongzhi.budgeting import services as budgeting
from gongzhi.feedback import services as feedback
from gongzhi.voting import services as voting
from gongzhi.voting.models import Electorate, Kind, Method, Vote
from tests.budgeting.helpers import make_process, project, set_phase
from tests.e2e.test_journeys import assert_no_sideways_scroll, force_login, html_classes, shot
from tests.factories import BuildingFactory, member

pytestmark = pytest.mark.browser


def age_friendly(user):
    user.age_friendly = True
    user.save(update_fields=["age_friendly"])
    return user


def assert_tables_fit(page, selector: str) -> None:
    """Every table matching ``selector`` ends inside the phone's width, needs no sideways
    scrolling of its own wrapper (a .table-wrap scrolls where the page does not), and no cell is
    squeezed narrower than four characters (a column of one character per line is not read)."""
    assert page.locator(selector).count() > 0, f"no {selector} on {page.url}"
    problems = page.evaluate(
        """([selector, width]) => Array.from(document.querySelectorAll(selector)).flatMap((t) => {
            const wrap = t.closest('.table-wrap') || t.parentElement;
            const found = [];
            if (t.getBoundingClientRect().right > width + 0.5 || wrap.scrollWidth > wrap.clientWidth)
                found.push({table: t.id, right: t.getBoundingClientRect().right,
                            scroll: wrap.scrollWidth, client: wrap.clientWidth});
            for (const cell of t.querySelectorAll('tbody th, tbody td')) {
                const style = getComputedStyle(cell);
                const em = parseFloat(style.fontSize);
                const box = cell.getBoundingClientRect();
                if (style.display !== 'none' && cell.textContent.trim() && box.width < 4 * em)
                    found.push({cell: cell.textContent.trim().slice(0, 20), width: box.width, em});
            }
            return found;
        })""",
        [selector, page.viewport_size["width"]],
    )
    assert not problems, f"{page.url}: tables do not fit the phone: {problems}"


def phone_page(new_context, user, e2e):
    context = new_context("phone")
    force_login(context, user, e2e)
    return context.new_page()


def test_a_closed_owners_vote_result_fits_a_phone(new_context, community, worker, e2e):
    """An owners' vote (Civil Code art. 278) has the most checks, with areas in m²."""
    now = timezone.now()
    vote = voting.vote_create(
        actor=worker,
        community=community,
        title="是否同意使用公共维修资金更换3号楼电梯？",
        options=[],
        method=Method.YES_NO,
        electorate=Electorate.OWNERS,
        kind=Kind.BINDING,
        opens_at=now + timedelta(hours=1),
        closes_at=now + timedelta(days=3),
    )
    owners = [member(community) for _ in range(4)]
    areas = ["38523.50", "41200.75", "29630.30", "54143.20"]
    voting.owner_roll_set(
        actor=worker,
        vote=vote,
        shares=[(o, Decimal(a)) for o, a in zip(owners, areas, strict=True)],
    )
    Vote.objects.in_community(community).filter(pk=vote.pk).update(opens_at=now - timedelta(days=1))
    vote.refresh_from_db()
    for owner, choice in zip(owners[:3], ["yes", "yes", "no"], strict=True):
        voting.ballot_cast(actor=owner, vote=vote, content=choice)
    Vote.objects.in_community(community).filter(pk=vote.pk).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )

    page = phone_page(new_context, age_friendly(owners[0]), e2e)
    page.goto(reverse("vote_detail", args=[community.slug, vote.pk]))
    assert "af" in html_classes(page)
    assert page.locator("#results-heading").is_visible()
    shot(page, "af-vote-result")
    assert_no_sideways_scroll(page)
    assert_tables_fit(page, "#results-heading ~ .table-wrap table")


def test_budget_results_fit_a_phone(new_context, community, worker, e2e):
    process = make_process(
        community, worker, "voting", rule="greedy", budget=100_000, ballot_type="approval"
    )
    ideas = [
        project(process, 60_000, "3号楼与4号楼之间的健身步道翻新和夜间照明"),
        project(process, 50_000, "儿童游乐场地面更换为塑胶"),
        project(process, 30_000, "增设电动自行车充电桩"),
    ]
    for picks in ([0, 2], [0, 1], [1]):
        budgeting.ballot_cast(
            actor=member(community), process=process, projects=[ideas[i].pk for i in picks]
        )
    set_phase(process, "results")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the immediate backend runs the task
        budgeting.tally_request(actor=worker, process=process)

    page = phone_page(new_context, age_friendly(member(community)), e2e)
    page.goto(reverse("budget_results", args=[community.slug, process.pk]))
    assert "af" in html_classes(page)
    shot(page, "af-budget-results")
    assert_no_sideways_scroll(page)
    assert_tables_fit(page, "main table")


def test_hotline_stats_fit_a_phone(new_context, community, worker, e2e):
    feedback.categories_install_defaults(community=community)
    building = BuildingFactory(community=community, name="3号楼")
    resident = member(community)
    for text in ("3号楼电梯坏了，卡在五楼", "楼下夜里施工噪音很大"):
        feedback.ticket_file(
            actor=resident, community=community, text=text, category=None, building=building
        )

    page = phone_page(new_context, age_friendly(worker), e2e)
    page.goto(reverse("hotline_stats", args=[community.slug]))
    assert "af" in html_classes(page)
    shot(page, "af-hotline-stats")
    assert_no_sideways_scroll(page)
    # The summary tables stack; the building × category heat map is a grid to be read across
    # and scrolls inside its own frame (checked only for the page above).
    assert_tables_fit(page, "main table.stack")


def test_an_officials_overview_fits_a_phone(new_context, community, official, e2e):
    """Where a street official lands after login: each community becomes a card of labelled
    figures rather than a dozen columns one character wide."""
    page = phone_page(new_context, age_friendly(official), e2e)
    page.goto(reverse("overview"))
    assert "af" in html_classes(page)
    assert page.locator("table.overview").count() == 1
    shot(page, "af-overview")
    assert_no_sideways_scroll(page)
    assert_tables_fit(page, "table.overview")
