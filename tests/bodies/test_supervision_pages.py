"""The supervision committee's pages and API: who reaches the dashboard, every number links to
its list, bounded queries, raising from a decision or a journal entry, answering, and the API's
refusals and visibility."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gongzhi.bodies import supervision
from gongzhi.bodies.models import BodyKind, Opinion
from gongzhi.core import journal
from gongzhi.core.models import Role
from gongzhi.disclosure.models import EntryStatus, FinancePeriod, LedgerEntry
from tests.bodies.bodies_world import council
from tests.bodies.test_supervision import decision_of, raise_one, sitting
from tests.factories import UserFactory, member


@pytest.fixture
def body(community, worker):
    return council(community, worker)


@pytest.fixture
def councillor(community, body):
    user = member(community)
    sitting(body, user)
    return user


def _with_data(community, body, supervisor, worker) -> None:
    """A little of everything the dashboard counts."""
    for n in range(3):
        decision_of(body, title=f"决定{n}")
    raise_one(supervisor, body)
    late = raise_one(supervisor, body, private=True)
    Opinion.objects.in_community(community).filter(pk=late.pk).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    LedgerEntry.objects.in_community(community).create(
        kind="expenditure",
        occurred_on=timezone.localdate(),
        counterparty="园林公司",
        description="补种草皮",
        total_fen=25000,
        status=EntryStatus.PENDING,
        entered_by=worker,
    )
    FinancePeriod.objects.in_community(community).create(
        kind="month",
        starts_on=timezone.localdate().replace(day=1) - timedelta(days=40),
        ends_on=timezone.localdate().replace(day=1) - timedelta(days=10),
    )


@pytest.mark.django_db
def test_dashboard_counts_link_to_their_lists_in_bounded_queries(
    client, community, body, supervisor, worker, django_assert_max_num_queries
):
    _with_data(community, body, supervisor, worker)
    client.force_login(supervisor)
    url = reverse("supervision_dashboard", args=[community.slug])
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    board = response.context["board"]
    figures = {f.url: f.count for s in board.sections for f in s.figures}
    slug = community.slug
    opinions = reverse("opinion_list", args=[slug])
    assert figures[f"{opinions}?status=open"] == 2
    assert figures[f"{opinions}?status=overdue"] == 1
    assert figures[reverse("finance_entries", args=[slug]) + "?status=pending"] == 1
    assert figures[reverse("supervision_decisions", args=[slug])] == 3
    for figure_url in figures:
        listed = client.get(figure_url)
        assert listed.status_code == 200, figure_url
    # The list behind "overdue" shows exactly the one overdue opinion.
    overdue = client.get(f"{opinions}?status=overdue")
    assert len(overdue.context["page"].object_list) == 1
    for _label, journal_url in board.journal_links:
        assert client.get(journal_url).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("supervisor", 200),
        ("official", 200),
        ("admin_user", 200),
        ("resident", 404),
        ("worker", 404),
        ("outsider", 404),
    ],
)
@pytest.mark.django_db
def test_who_reaches_the_dashboard(client, community, request, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("supervision_dashboard", args=[community.slug]))
    assert response.status_code == status


@pytest.mark.django_db
def test_raise_from_a_decision_then_the_body_answers(
    client, community, body, supervisor, councillor
):
    decision = decision_of(body)
    client.force_login(supervisor)
    url = reverse("opinion_raise", args=[community.slug])
    page = client.get(f"{url}?decision={decision.pk}")
    assert page.status_code == 200
    assert page.context["form"].initial["subject"] == decision.title
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(
        url,
        {
            "decision": decision.pk,
            "body": body.pk,
            "subject": decision.title,
            "text": "请说明预算来源。",
            "due_on": due,
        },
    )
    opinion = Opinion.objects.in_community(community).get()
    assert response.status_code == 302 and opinion.decision == decision
    client.force_login(councillor)
    detail = reverse("opinion_detail", args=[community.slug, opinion.pk])
    assert client.get(detail).context["answer_form"] is not None
    client.post(
        reverse("opinion_answer", args=[community.slug, opinion.pk]), {"answer": "来自公共收益。"}
    )
    opinion.refresh_from_db()
    assert opinion.answer == "来自公共收益。" and opinion.answered_by == councillor


@pytest.mark.django_db
def test_raise_from_a_journal_entry(client, community, body, supervisor, worker):
    with transaction.atomic():
        entry = journal.record(community=community, actor=worker, verb="body.created", target=body)
    client.force_login(supervisor)
    url = reverse("opinion_raise", args=[community.slug])
    page = client.get(f"{url}?activity={entry.pk}")
    assert page.context["activity"] == entry
    client.post(
        url,
        {
            "activity": entry.pk,
            "body": body.pk,
            "subject": page.context["form"].initial["subject"],
            "text": "成立程序不完整。",
            "due_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        },
    )
    assert Opinion.objects.in_community(community).get().activity == entry


@pytest.mark.django_db
def test_the_form_shows_the_refusal(client, community, worker, supervisor):
    group = council(community, worker, kind=BodyKind.INTEREST_GROUP, name="书法兴趣小组")
    sitting(group, supervisor, title="组员", role="")
    client.force_login(supervisor)
    response = client.post(
        reverse("opinion_raise", args=[community.slug]),
        {
            "body": group.pk,
            "subject": "活动经费",
            "text": "经费使用未公开。",
            "due_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Opinion.objects.in_community(community).exists()


@pytest.mark.django_db
def test_a_private_opinion_is_missing_for_residents(client, community, body, supervisor):
    private = raise_one(supervisor, body, private=True)
    public = raise_one(supervisor, body, subject="公开的意见")
    resident = member(community)
    client.force_login(resident)
    listed = client.get(reverse("opinion_list", args=[community.slug]))
    assert [o.pk for o in listed.context["page"].object_list] == [public.pk]
    assert (
        client.get(reverse("opinion_detail", args=[community.slug, private.pk])).status_code == 404
    )
    client.logout()
    assert client.get(reverse("opinion_detail", args=[community.slug, public.pk])).status_code == (
        200
    )


# --- API ----------------------------------------------------------------------------------------


def api(client, method, path, user=None, payload=None):
    if user is not None:
        client.force_login(user)
    url = f"/api/v1/communities/{path}"
    if method == "get":
        return client.get(url)
    return client.post(url, data=json.dumps(payload or {}), content_type="application/json")


def payload(body, **overrides):
    values = {
        "body": body.pk,
        "subject": "停车费收入",
        "text": "请公开上季度停车费收入。",
        "due_on": (timezone.localdate() + timedelta(days=14)).isoformat(),
    }
    values.update(overrides)
    return values


@pytest.mark.django_db
def test_api_raise_and_answer_with_refusals(client, community, body, supervisor, worker, resident):
    slug = community.slug
    created = api(client, "post", f"{slug}/opinions", supervisor, payload(body))
    assert created.status_code == 201
    opinion_id = created.json()["id"]
    past = api(client, "post", f"{slug}/opinions", supervisor, payload(body, due_on="2020-01-01"))
    assert past.status_code == 400 and past.json()["code"] == "due_not_future"
    forbidden = api(client, "post", f"{slug}/opinions", resident, payload(body))
    assert forbidden.status_code == 403
    answered = api(client, "post", f"{slug}/opinions/{opinion_id}/answer", worker, {"answer": "好"})
    assert answered.status_code == 200 and answered.json()["on_time"] is True
    again = api(client, "post", f"{slug}/opinions/{opinion_id}/answer", worker, {"answer": "再"})
    assert again.status_code == 400 and again.json()["code"] == "already_answered"


@pytest.mark.django_db
def test_api_refuses_a_supervisor_on_their_own_body(client, community, worker):
    group = council(community, worker, kind=BodyKind.SUPERVISION, name="监督委员会")
    chair = member(community)
    sitting(group, chair, title="主任", role=Role.SUPERVISOR)
    refused = api(client, "post", f"{community.slug}/opinions", chair, payload(group))
    assert refused.status_code == 400 and refused.json()["code"] == "supervises_own_role"


@pytest.mark.django_db
def test_api_shows_private_opinions_only_to_those_let_in(
    client, community, body, supervisor, councillor
):
    private = raise_one(supervisor, body, private=True)
    public = raise_one(supervisor, body)
    slug = community.slug
    anonymous = api(client, "get", f"{slug}/opinions")
    assert [o["id"] for o in anonymous.json()["items"]] == [public.pk]
    assert api(client, "get", f"{slug}/opinions/{private.pk}").status_code == 404
    mine = api(client, "get", f"{slug}/opinions?status=open", councillor)
    assert {o["id"] for o in mine.json()["items"]} == {public.pk, private.pk}
    outsider = api(client, "get", f"{slug}/opinions/{private.pk}", UserFactory())
    assert outsider.status_code == 404
    assert supervision.opinion_list(community=community, viewer=councillor).count() == 2


@pytest.mark.django_db
def test_the_journal_offers_supervisors_an_opinion_on_each_entry(
    client, community, body, supervisor, worker
):
    with transaction.atomic():
        entry = journal.record(community=community, actor=worker, verb="body.created", target=body)
    journal.chain(community)
    link = f"{reverse('opinion_raise', args=[community.slug])}?activity={entry.pk}"
    client.force_login(supervisor)
    assert link in client.get(reverse("audit_trail", args=[community.slug])).content.decode()
    client.force_login(worker)
    assert link not in client.get(reverse("audit_trail", args=[community.slug])).content.decode()


@pytest.mark.django_db
def test_the_console_links_supervisors_to_their_dashboard(client, community, supervisor, resident):
    dashboard = reverse("supervision_dashboard", args=[community.slug])
    client.force_login(supervisor)
    assert (
        dashboard in client.get(reverse("community_home", args=[community.slug])).content.decode()
    )
    client.force_login(resident)
    home = client.get(reverse("community_home", args=[community.slug])).content.decode()
    assert dashboard not in home


@pytest.mark.django_db
def test_hotline_figures_count_what_their_lists_show(client, community, supervisor, resident):
    from gongzhi.feedback import selectors as hotline
    from gongzhi.feedback import services as feedback
    from gongzhi.feedback.models import Ticket

    feedback.categories_install_defaults(community=community)
    ticket = feedback.ticket_file(actor=resident, community=community, text="3号楼电梯坏了")
    feedback.ticket_file(actor=resident, community=community, text="路灯不亮了")
    Ticket.objects.in_community(community).filter(pk=ticket.pk).update(
        respond_by=timezone.now() - timedelta(hours=1)
    )
    with transaction.atomic():
        journal.record(community=community, actor=None, verb="hotline.escalated", target=ticket)
    client.force_login(supervisor)
    board = client.get(reverse("supervision_dashboard", args=[community.slug])).context["board"]
    hotline_section = next(s for s in board.sections if s.key == "hotline")
    overdue, escalated = hotline_section.figures
    assert overdue.count == 1
    assert hotline.queue(community=community, user=supervisor, name="overdue").count() == 1
    assert escalated.count == 1
    listed = client.get(escalated.url)
    assert len(listed.context["page"].object_list) == 1


@pytest.mark.django_db
def test_a_decision_page_offers_supervisors_an_opinion(
    client, community, body, supervisor, resident
):
    decision = decision_of(body)
    link = f"{reverse('opinion_raise', args=[community.slug])}?decision={decision.pk}"
    page = reverse("body_detail", args=[community.slug, body.pk])
    client.force_login(supervisor)
    assert link in client.get(page).content.decode()
    client.force_login(resident)
    assert link not in client.get(page).content.decode()
