"""The decision register (R6.2): each deciding service writes one row in its own transaction
(a body's decision and charter amendment, a binding vote's close, a budget's count, a panel's
assessment, a public supervision answer), register-only kinds stay out of charters, and the
public page filters and pages by keyset; the Atom feed lists the newest rows."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from gongzhi.bodies import panels, services, supervision
from gongzhi.bodies.forms import CharterForm
from gongzhi.bodies.models import Decision
from gongzhi.core.decisions import decision_kind_registry, register_decision
from gongzhi.core.models import RegisterEntry
from gongzhi.meetings import register_selectors as selectors
from gongzhi.meetings.register_selectors import Cursor, RegisterFilters
from tests.bodies.bodies_world import charter_in
from tests.factories import member
from tests.meetings.world import seated_council

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
ATOM = "{http://www.w3.org/2005/Atom}"


def rows(community) -> list[RegisterEntry]:
    return list(RegisterEntry.objects.in_community(community).order_by("pk"))


def decide(worker, body, **fields) -> Decision:
    values = {
        "actor": worker,
        "body": body,
        "kind": "appoint_member",
        "title": "补选第三网格委员",
        "text": "",
        "decided_on": TODAY(),
        "present": 4,
        "votes_for": 3,
        "votes_against": 1,
        "abstentions": 0,
    }
    values.update(fields)
    return services.decision_record(**values)


# --- writers ---------------------------------------------------------------------------------


def test_a_bodys_decision_writes_its_row_with_basis(community, worker):
    body, _people = seated_council(community, worker)
    basis = [
        {"kind": "meeting", "title": "三季度议事会", "url": "/c/x/meetings/1/"},
        {"kind": "proposal", "title": "加装路灯", "url": "/c/x/proposals/2/"},
    ]
    decision = decide(worker, body, basis=basis)
    (entry,) = rows(community)
    assert entry.source == decision and entry.kind == "appoint_member"
    assert (entry.body_id, entry.body_name) == (body.pk, body.name)
    assert entry.decided_on == decision.decided_on and entry.title == decision.title
    assert entry.url.endswith(f"/bodies/{body.pk}/#decision-{decision.pk}")
    assert [link["kind"] for link in entry.basis] == ["meeting", "proposal"]


def test_a_refused_decision_leaves_no_row(community, worker):
    body, _people = seated_council(community, worker)
    with pytest.raises(ValidationError):
        decide(worker, body, present=1, votes_for=1, votes_against=0)  # no quorum of 5
    assert rows(community) == []


def test_a_charter_amendment_is_registered(community, worker):
    body, _people = seated_council(community, worker)
    services.charter_amend(
        actor=worker,
        body=body,
        charter=charter_in(text="第二版"),
        decided_on=TODAY(),
        present=5,
        votes_for=5,
        votes_against=0,
        abstentions=0,
    )
    (entry,) = rows(community)
    assert entry.kind == "amend_charter" and entry.body_id == body.pk


def test_a_source_has_one_row_and_deciding_again_updates_it(community, worker):
    body, _people = seated_council(community, worker)
    decision = decide(worker, body)
    register_decision(
        community_id=community.pk,
        kind=decision.kind,
        decided_on=decision.decided_on,
        title="改过的标题",
        source=decision,
        url="/x/",
    )
    (entry,) = rows(community)
    assert entry.title == "改过的标题"
    with pytest.raises(ValueError):
        register_decision(
            community_id=community.pk,
            kind="appoint_member",
            decided_on=TODAY(),
            title="t",
            source=decision,
            url="/x/",
            basis=[{"kind": "meeting"}],  # a basis link needs a title
        )


def test_a_binding_vote_is_registered_once_when_it_closes_with_its_turnout(community, worker):
    from gongzhi.voting import services as voting
    from gongzhi.voting.models import Method
    from tests.voting.test_votes import close, make_vote

    voters = [member(community) for _ in range(3)]
    binding = make_vote(
        community,
        worker,
        method=Method.YES_NO,
        options=(),
        kind="binding",
        quorum=Decimal("0.1"),
    )
    poll = make_vote(community, worker)
    for voter in voters[:2]:
        voting.ballot_cast(actor=voter, vote=binding, content="yes")
    close(binding)
    close(poll)
    voting.results(binding)
    voting.results(poll)
    voting.electorates_freeze()
    (entry,) = rows(community)
    assert entry.kind == "binding_vote" and entry.source == binding and entry.body_id is None
    (vote_link,) = entry.basis
    electorate = voting.electorate_size(binding)
    assert vote_link["voters"] == 2 and vote_link["electorate"] == electorate
    assert vote_link["turnout"] == round(2 / electorate, 4)


def test_a_counted_budget_is_registered(community, worker):
    from django.test import TestCase

    from gongzhi.budgeting import services as budgeting
    from tests.budgeting.helpers import make_process, project, set_phase

    process = make_process(community, worker, "voting", rule="greedy", budget=100)
    a = project(process, 60, "a")
    for _ in range(2):
        budgeting.ballot_cast(actor=member(community), process=process, projects=[a.pk])
    set_phase(process, "results")
    with TestCase.captureOnCommitCallbacks(execute=True):
        budgeting.tally_request(actor=worker, process=process)
    (entry,) = rows(community)
    assert entry.kind == "budget_results" and entry.source == process
    assert entry.basis[0]["voters"] == 2 and entry.basis[0]["projects_funded"] == 1


def test_a_published_assessment_is_registered(community, worker, supervisor):
    from gongzhi.bodies.models import PanelMember
    from tests.bodies.test_panels import drawn_panel

    panel, _people = drawn_panel(community, worker, supervisor)
    drawn = PanelMember.objects.in_community(community).filter(panel=panel).first().user
    panels.assessment_publish(actor=drawn, panel=panel, text="方案可行。")
    entry = RegisterEntry.objects.in_community(community).get(kind="panel_finding")
    assert entry.source == panel and entry.body_id == panel.body_id
    assert entry.basis[0]["title"] == panel.reviewed_body.name


def test_a_public_answer_is_registered_and_a_private_one_is_not(community, worker, supervisor):
    from tests.bodies.test_supervision import raise_one

    body, _people = seated_council(community, worker)
    public = raise_one(supervisor, body, subject="充电桩选址")
    private = raise_one(supervisor, body, subject="某户困难补助", private=True)
    supervision.opinion_answer(actor=worker, opinion=public, answer="已补充意见。")
    supervision.opinion_answer(actor=worker, opinion=private, answer="已核实。")
    (entry,) = RegisterEntry.objects.in_community(community).filter(kind="supervision_answer")
    assert entry.source == public and entry.title == "充电桩选址" and entry.body_id == body.pk


# --- register-only kinds ---------------------------------------------------------------------


def test_register_only_kinds_are_declared_and_never_in_a_charter(community, worker):
    registry = decision_kind_registry()
    only = {"binding_vote", "budget_results", "panel_finding", "supervision_answer"}
    assert {code for code, kind in registry.items() if not kind.chartered} == only
    assert not only & {name.removeprefix("power_") for name in CharterForm().fields}
    with pytest.raises(ValidationError) as excinfo:
        services.record_body(
            community=community,
            kind="council",
            name="议事会二",
            purpose="",
            charter=charter_in(powers=[{"kind": "binding_vote", "topics": []}]),
            created_by=worker,
        )
    assert excinfo.value.code == "unknown_decision_kind"


# --- the page, the feed ----------------------------------------------------------------------


@pytest.fixture
def register(community, worker):
    """60 rows: two bodies and binding votes, over 120 days, two topics."""
    body, _people = seated_council(community, worker)
    other, _others = seated_council(community, worker, name="业委会")
    selectors.register_bulk_create(
        community=community,
        count=60,
        body_ids=[(body.pk, body.name), (other.pk, other.name), (0, "")],
        kinds=["appoint_member", "answer_proposals", "binding_vote"],
        topics=["环境", "停车"],
        first_day=TODAY() - timedelta(days=120),
        days=120,
    )
    return body


def walk(client, url, params=None) -> list[str]:
    """Every row title, following the "older" links."""
    seen: list[str] = []
    response = client.get(url, params or {})
    while True:
        assert response.status_code == 200
        seen += [row["entry"].title for row in response.context["rows"]]
        if not response.context["older_url"]:
            return seen
        response = client.get(response.context["older_url"])


def test_the_register_is_public_and_pages_walk_every_row_once(client, community, register):
    url = reverse("decision_register", kwargs={"slug": community.slug})
    everything = walk(client, url)
    expected = list(
        RegisterEntry.objects.in_community(community)
        .order_by("-decided_on", "-pk")
        .values_list("title", flat=True)
    )
    assert everything == expected and len(everything) == 60


def test_newer_goes_back_to_the_same_page(client, community, register):
    url = reverse("decision_register", kwargs={"slug": community.slug})
    first = client.get(url)
    second = client.get(first.context["older_url"])
    back = client.get(second.context["newer_url"])
    assert [r["entry"].pk for r in back.context["rows"]] == [
        r["entry"].pk for r in first.context["rows"]
    ]


def test_filters_body_kind_topic_period_and_title(client, community, register):
    url = reverse("decision_register", kwargs={"slug": community.slug})
    since, until = TODAY() - timedelta(days=60), TODAY() - timedelta(days=30)
    params = {
        "body": str(register.pk),
        "kind": "appoint_member",
        "topic": "停车",
        "from": since.isoformat(),
        "to": until.isoformat(),
    }
    found = walk(client, url, params)
    expected = RegisterEntry.objects.in_community(community).filter(
        body_id=register.pk,
        kind="appoint_member",
        topic="停车",
        decided_on__range=(since, until),
    )
    assert sorted(found) == sorted(expected.values_list("title", flat=True))
    one = expected.first() or RegisterEntry.objects.in_community(community).first()
    word = one.title.split(":")[0]  # "决定 17" names one row (and 170… none: 60 rows)
    assert walk(client, url, {"q": word}) == [one.title]
    # A bad value is dropped, not an error.
    assert client.get(url, {"body": "x", "from": "2026-02-31", "before": "nope"}).status_code == 200


def test_a_title_search_reads_a_bounded_number_of_rows_per_page(community, register):
    """With a budget of 7 rows a page, walking older and then newer finds every match once."""
    everything = RegisterEntry.objects.in_community(community).order_by("-decided_on", "-pk")
    word = "决定 1"  # both words: 决定 1, 10-19, 21, 31, 41, 51
    expected = [e.pk for e in everything if all(w in e.title for w in word.split())]
    assert len(expected) == 15
    filters = RegisterFilters(text=word)
    found, before, pages = [], None, []
    while True:
        page = selectors.register_page(
            community_id=community.pk, filters=filters, before=before, per_page=3, search_scan=7
        )
        assert len(page.rows) <= 3
        pages.append(page)
        found += [row.pk for row in page.rows]
        if page.older is None:
            break
        before = page.older
    assert found == expected and any(page.searched_to for page in pages)
    # Back up from the oldest page, the same rows come in the same order.
    back, after = [], pages[-1].newer
    while after is not None:
        page = selectors.register_page(
            community_id=community.pk, filters=filters, after=after, per_page=3, search_scan=7
        )
        back = [row.pk for row in page.rows] + back
        after = page.newer
    oldest = [row.pk for row in pages[-1].rows]
    assert back + oldest == expected


def test_a_row_shows_who_what_when_and_its_basis(client, community, worker):
    body, _people = seated_council(community, worker)
    decide(worker, body, basis=[{"kind": "proposal", "title": "加装路灯", "url": "/p/2/"}])
    page = client.get(reverse("decision_register", kwargs={"slug": community.slug}))
    html = page.content.decode()
    assert body.name in html and "补选第三网格委员" in html and 'href="/p/2/"' in html
    assert str(decision_kind_registry()["appoint_member"].label) in html


def test_the_page_costs_a_fixed_number_of_queries(
    client, community, register, django_assert_max_num_queries
):
    url = reverse("decision_register", kwargs={"slug": community.slug})
    with django_assert_max_num_queries(8):
        client.get(url, {"q": "决定", "body": str(register.pk)})


def test_the_atom_feed_lists_the_newest_rows(client, community, register):
    response = client.get(reverse("decision_register_feed", kwargs={"slug": community.slug}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own response
    titles = [entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")]
    newest = RegisterEntry.objects.in_community(community).order_by("-decided_on", "-pk")
    assert titles == list(newest.values_list("title", flat=True)[:50])


def test_another_communitys_rows_never_show(client, community, other_community, register):
    url = reverse("decision_register", kwargs={"slug": other_community.slug})
    assert client.get(url).context["rows"] == []


# --- keyset and the query plan ---------------------------------------------------------------


def test_cursor_round_trip_and_malformed():
    cursor = Cursor(date(2026, 3, 1), 123)
    assert Cursor.parse(str(cursor)) == cursor
    for bad in ("", "2026-02-30.1", "2026-03-01", "x.1", "2026-03-01.-1"):
        assert Cursor.parse(bad) is None


def test_a_deep_page_starts_the_index_scan_at_the_cursor(community, register):
    """The plan reads the register's own index from the cursor (no sort, no table scan)."""
    cursor = Cursor(TODAY() - timedelta(days=50), 10**15)
    for filters, index in (
        (RegisterFilters(), "register_by_date"),
        (RegisterFilters(body_id=register.pk), "register_by_body"),
        (RegisterFilters(kind="binding_vote"), "register_by_kind"),
    ):
        queryset = selectors.entries(community_id=community.pk, filters=filters).filter(
            selectors._older_than(cursor)
        )[:26]
        if connection.vendor == "postgresql":
            # A tiny table without statistics may be read any way: forbid the other ways, so
            # the plan shows that the index serves both the order and the cursor's range.
            with connection.cursor() as cursor_:
                for setting in ("enable_sort", "enable_seqscan", "enable_bitmapscan"):
                    cursor_.execute(f"SET LOCAL {setting} = off")
        plan = queryset.explain()
        if connection.vendor == "sqlite":
            assert index in plan and "TEMP B-TREE" not in plan, plan
        else:
            assert index in plan and "Sort" not in plan, plan
            assert "decided_on <=" in plan.split("Index Cond:")[1].split("\n")[0], plan
        page = selectors.register_page(community_id=community.pk, filters=filters, before=cursor)
        assert all((row.decided_on, row.pk) < (cursor.decided_on, cursor.pk) for row in page.rows)
