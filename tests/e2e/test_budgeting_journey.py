"""Browser journey of a participatory budget (issue 5), in Debian's Chromium: a resident
proposes an idea, a neighbour asks about it in the hall's threaded discussion and the author
replies, the review panel and a community worker review it, residents choose projects
within the budget (with the live running total), the worker counts the ballots (the real
background task, run by the immediate backend on commit), the results explain each project, and
the worker posts a milestone that residents then read. Phases are set by dates, as the
budgeting tests' helpers do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.budgeting import services
from gongzhi.budgeting.models import Idea, IdeaStatus, Milestone, Review, Tally, TallyStatus
from gongzhi.deliberation.models import Comment
from tests.budgeting.helpers import make_process, project, set_phase
from tests.e2e.test_journeys import force_login, shot, submit
from tests.factories import member

pytestmark = pytest.mark.browser


def test_idea_review_knapsack_ballot_results_milestone(new_context, community, worker, e2e):
    slug = community.slug
    process = make_process(community, worker, "ideas", budget=100_000, rule="greedy")
    base = f"/c/{slug}/budgets/{process.pk}"

    # A resident proposes a project from their phone.
    resident = member(community)
    phone = new_context("phone")
    force_login(phone, resident, e2e)
    page = phone.new_page()
    page.goto(f"/c/{slug}/budgets/")
    page.locator(f"a[href='{base}/']").first.click()
    page.locator(f"a[href='{base}/ideas/new/']").click()
    page.fill("#id_title", "小区路灯改造")
    page.fill("#id_description", "三号楼到五号楼之间的路太黑，老人晚上看不清台阶。")
    page.fill("#id_estimated_cost", "55000")
    page.fill("#id_location", "三号楼北侧")
    with page.expect_navigation():  # the idea form posts to its own address
        page.locator("main form button[type=submit]").first.click()
    idea = Idea.objects.in_community(community).get(title="小区路灯改造")
    assert page.url.endswith(f"{base}/ideas/{idea.pk}/")
    shot(page, "budget-01-idea")

    # The idea's discussion is the deliberation hall's: a neighbour asks, the author replies
    # in the same thread.
    idea_page = f"{base}/ideas/{idea.pk}/"
    neighbour = new_context("phone")
    force_login(neighbour, member(community), e2e)
    talk = neighbour.new_page()
    talk.goto(idea_page)
    talk.fill("#id_body", "台阶旁边能不能也装个扶手？")
    submit(talk, f"{idea_page}comments/")
    question = Comment.objects.in_community(community).get()
    assert question.subject == idea
    assert "台阶旁边" in talk.locator(f"#comment-{question.pk}").inner_text()
    page.goto(idea_page)
    page.locator(f"#comment-{question.pk} details summary").last.click()
    page.fill(f"#reply-{question.pk}", "好主意，我补充到说明里。")
    with page.expect_navigation():
        page.locator(f"#comment-{question.pk} details form button[type=submit]").last.click()
    answer = Comment.objects.in_community(community).get(parent=question)
    assert answer.author == resident
    assert "补充到说明里" in page.locator(f"#comment-{answer.pk}").inner_text()
    shot(page, "budget-01b-discussion")

    # Feasibility review: a panel member scores it, the worker publishes the decision.
    set_phase(process, "review")
    reviewer = member(community)
    services.reviewer_assign(actor=worker, process=process, user=reviewer)
    panel = new_context("phone")
    force_login(panel, reviewer, e2e)
    review_page = panel.new_page()
    review_page.goto(f"{base}/ideas/{idea.pk}/")
    review_page.fill("#id_feasibility", "5")
    review_page.fill("#id_legality", "5")
    review_page.fill("#id_cost", "60000")
    review_page.fill("#id_assessment", "可行；灯杆需要加固，造价略高。")
    submit(review_page, f"{base}/ideas/{idea.pk}/review/")
    assert Review.objects.in_community(community).get(idea=idea).cost == 60000

    desk = new_context("desktop")
    force_login(desk, worker, e2e)
    staff = desk.new_page()
    staff.goto(f"{base}/ideas/{idea.pk}/")
    assert "灯杆需要加固" in staff.locator("main").inner_text()
    staff.check("input[name=decision][value=accept]")
    staff.fill("#id_cost", "60000")
    staff.fill("#id_reason", "评议小组认为可行，按加固后的造价列入选票。")
    submit(staff, f"{base}/ideas/{idea.pk}/decide/")
    idea.refresh_from_db()
    assert (idea.status, idea.cost) == (IdeaStatus.ACCEPTED, 60000)
    bench = project(process, 50_000, "儿童游乐区翻新")

    # Voting: the knapsack ballot, with the running total updated as boxes are ticked.
    set_phase(process, "voting")
    page.goto(f"{base}/")
    page.locator(f"a[href='{base}/ballot/']").click()
    page.check(f"input[name=project][value='{idea.pk}']")
    page.check(f"input[name=project][value='{bench.pk}']")
    assert page.locator("#total").inner_text() == "110000"
    assert page.locator("#left").inner_text() == "-10000"
    with page.expect_navigation():
        page.locator("button[name=action][value=cast]").click()
    assert page.locator("#ballot-error").is_visible()  # over the budget: refused
    assert services.my_ballot(process=process, voter=resident) is None
    page.uncheck(f"input[name=project][value='{bench.pk}']")
    assert page.locator("#total").inner_text() == "60000"
    with page.expect_navigation():
        page.locator("button[name=action][value=cast]").click()
    assert services.my_ballot(process=process, voter=resident) == [[idea.pk, 1]]
    shot(page, "budget-02-ballot")
    for picks in ([idea.pk], [bench.pk]):
        services.ballot_cast(actor=member(community), process=process, projects=picks)

    # Results: the worker counts; the background task stores the outcome.
    set_phase(process, "results")
    staff.goto(f"{base}/")
    submit(staff, f"{base}/count/")
    tally = Tally.objects.in_community(community).get()
    assert tally.status == TallyStatus.DONE and tally.voters == 3
    assert tally.outcome["selected"] == [str(idea.pk)]
    page.goto(f"{base}/results/")
    table = page.locator("main table").inner_text()
    assert "小区路灯改造" in table and "儿童游乐区翻新" in table
    assert page.locator("main table .tag.ok").count() == 1
    shot(page, "budget-03-results")

    # Implementation: the worker posts a milestone on the funded project's page.
    set_phase(process, "implementation")
    staff.goto(f"{base}/")
    staff.locator(f"#funded a[href='{base}/ideas/{idea.pk}/progress/']").click()
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    staff.fill("#id_title", "采购并安装十二盏路灯")
    staff.fill("#id_due", due)
    submit(staff, f"{base}/ideas/{idea.pk}/progress/milestones/")
    milestone = Milestone.objects.in_community(community).get(idea=idea)
    assert str(milestone.due) == due and milestone.done_on is None
    assert "采购并安装十二盏路灯" in staff.locator("#milestones").inner_text()

    # The resident follows the work from the budget's page.
    page.goto(f"{base}/")
    page.locator(f"#funded a[href='{base}/ideas/{idea.pk}/progress/']").click()
    assert "采购并安装十二盏路灯" in page.locator("#milestones").inner_text()
    assert page.locator("#milestones form").count() == 0  # residents read, staff post
    shot(page, "budget-04-milestone")
