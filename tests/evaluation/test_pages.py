"""The evaluation pages: who sees them, what the dashboard says of a month it can be checked
against by hand (tests/evaluation/pages_world.py), the age-friendly mode's open tables, the
interventions form, the printable report and its PDF, the exports, and the overview column."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from gongzhi.core.models import Activity
from gongzhi.evaluation import selectors
from gongzhi.evaluation.models import Intervention
from tests.api_world import staff
from tests.evaluation.pages_world import World, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(community) -> World:
    return build(community)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(world: World, name: str = "evaluation_dashboard", *args) -> str:
    return reverse(name, args=[world.community.slug, *args])


def month(d: date) -> str:
    return d.strftime("%Y-%m")


# --- who sees it ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("worker", 200), ("supervisor", 200), ("official", 200), ("resident", 404), ("outsider", 404)],
)
def test_only_staff_supervisors_and_officials_see_the_dashboard(world, request, who, status):
    user = request.getfixturevalue(who)
    for name in ("evaluation_dashboard", "evaluation_report"):
        assert client_for(user).get(url(world, name)).status_code == status, name
    response = client_for(user).get(url(world, "evaluation_export", "csv"))
    assert response.status_code == status


def test_a_visitor_is_sent_to_log_in(world):
    response = Client().get(url(world))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_another_communitys_worker_sees_nothing(world, other_community):
    stranger = staff(other_community, "community_worker")
    assert client_for(stranger).get(url(world)).status_code == 404
    assert client_for(stranger).get(url(world, "evaluation_report_pdf")).status_code == 404


# --- what the dashboard says ------------------------------------------------------------


def test_the_dashboard_shows_last_months_rate_with_its_denominator(world, worker):
    page = client_for(worker).get(url(world)).content.decode()
    spec = selectors.indicator_spec("participation.rate")
    of = gettext("%(numerator)s of %(denominator)s %(denominator_label)s") % {
        "numerator": "9",
        "denominator": "12",
        "denominator_label": spec.denominator,
    }
    assert "75.0%" in page
    assert of in page
    assert str(spec.definition) in page
    # The chart, drawn on the server, and the table behind it with the same month and figure.
    assert "<svg" in page and 'role="img"' in page
    assert f'<th scope="row">{month(world.last)}</th>' in page


def test_headline_figures_come_first(world, worker):
    board = selectors.dashboard(community=world.community)
    assert board.headline and all(s.spec.headline for s in board.headline)
    page = client_for(worker).get(url(world)).content.decode()
    first_other = page.index(f'id="ind-{board.others[0].key.replace(".", "-").replace("_", "-")}"')
    assert page.index("participation-rate") < first_other


def test_group_gap_is_shown_and_a_small_group_is_hidden_with_its_complement(world, worker):
    series = selectors.indicator_series(community=world.community, key="participation.rate")
    splits = {s.dimension: s for s in series.splits}
    elderly = {row.name: row.figure for row in splits["elderly"].rows}
    assert (elderly["yes"].numerator, elderly["yes"].denominator) == (6, 6)
    assert (elderly["no"].numerator, elderly["no"].denominator) == (3, 6)
    assert splits["elderly"].gap == pytest.approx(0.5)
    low = {row.name: row.figure for row in splits["low_income"].rows}
    assert low["yes"].suppressed and low["yes"].value is None and low["yes"].people is None
    assert low["no"].suppressed, "the complement of a hidden cell would give it away"

    page = client_for(worker).get(url(world)).content.decode()
    assert gettext("%(points)s percentage points") % {"points": "+50.0"} in page
    assert 'data-dimension="low_income"' in page
    assert 'class="suppressed"' in page
    footnote = ngettext(
        "Hidden: fewer than %(n)s person, or hidden as well so that a small group cannot be "
        "worked out from the totals.",
        "Hidden: fewer than %(n)s people, or hidden as well so that a small group cannot be "
        "worked out from the totals.",
        5,
    ) % {"n": 5}
    assert footnote in page


def test_tables_behind_charts_wait_behind_a_clear_summary_in_every_mode(world, worker):
    """Open tables made the age-friendly page ~58,000 px long on a phone: they stay closed in
    every mode, behind a summary that says what they hold; the explanations stay shown."""
    normal = client_for(worker).get(url(world)).content.decode()
    worker.age_friendly = True
    worker.save(update_fields=["age_friendly"])
    large = client_for(worker).get(url(world)).content.decode()
    for page in (normal, large):
        assert '<details class="chart-table" open' not in page
        assert re.search(r'<details class="chart-table"\s*>', page)
        assert gettext("Show the figures month by month") in page
        assert escape(str(selectors.registry()["participation.rate"].definition)) in page


def test_the_ladder_table_shows_which_acts_count_for_which_rung(world, worker):
    page = client_for(worker).get(url(world)).content.decode()
    from gongzhi.core.manifests import verb_labels

    labels = verb_labels()
    assert str(labels["notice.read_confirmed"]) in page
    assert str(labels["budget.voted"]) in page
    assert gettext("%(act)s, when the vote binds") % {"act": labels["vote.cast"]} in page


def test_the_dashboard_reads_rollups_in_a_fixed_number_of_queries(
    world, worker, django_assert_max_num_queries
):
    client = client_for(worker)
    client.get(url(world))  # sessions, caches
    with django_assert_max_num_queries(14):
        assert client.get(url(world)).status_code == 200


def test_before_any_refresh_the_report_says_so_and_a_view_asks_for_one(community, worker):
    client = client_for(worker)
    report = client.get(reverse("evaluation_report", args=[community.slug]))
    assert report.status_code == 200
    assert gettext("The figures have not been computed yet.") in report.content.decode()
    assert selectors.refresh_of(community=community) is None
    # Viewing the dashboard asks for a rebuild (run at once by the tests' immediate backend).
    assert client.get(reverse("evaluation_dashboard", args=[community.slug])).status_code == 200
    assert selectors.refresh_of(community=community) is not None


# --- interventions -----------------------------------------------------------------------


def _form(**changes) -> dict[str, str]:
    data = {
        "name": "老年议事会",
        "kind": "body",
        "started_on": "2026-03-01",
        "ended_on": "",
        "description": "每月第一个周一开会。",
    }
    return {**data, **changes}


def test_a_worker_records_an_intervention_and_it_is_marked(world, worker):
    started = selectors.add_months(world.last, -2)
    client = client_for(worker)
    response = client.post(
        url(world, "evaluation_intervention_create"), _form(started_on=started.isoformat())
    )
    assert response.status_code == 302
    intervention = Intervention.objects.in_community(world.community).get()
    assert intervention.name == "老年议事会" and intervention.recorded_by == worker
    assert Activity.objects.filter(
        community=world.community, verb="evaluation.intervention_recorded"
    ).exists()
    page = client.get(url(world)).content.decode()
    assert "老年议事会" in page
    assert page.count("老年议事会") > 2, "listed, and marked on the charts"


def test_an_end_before_the_start_is_refused_with_a_translated_message(world, worker):
    response = client_for(worker).post(
        url(world, "evaluation_intervention_create"),
        _form(started_on="2026-03-01", ended_on="2026-02-01"),
    )
    assert response.status_code == 400
    assert not Intervention.objects.in_community(world.community).exists()
    message = gettext("An intervention cannot end before it starts.")
    assert response.context["form"].errors["ended_on"] == [message]
    assert message in response.content.decode()
    assert "2026-02-01" in response.content.decode(), "what was typed is kept"


def test_a_resident_cannot_record_an_intervention(world, resident):
    response = client_for(resident).post(url(world, "evaluation_intervention_create"), _form())
    assert response.status_code == 404
    assert not Intervention.objects.in_community(world.community).exists()


def test_a_running_intervention_is_ended(world, worker):
    client = client_for(worker)
    client.post(url(world, "evaluation_intervention_create"), _form(started_on="2026-01-05"))
    intervention = Intervention.objects.in_community(world.community).get()
    response = client.post(
        url(world, "evaluation_intervention_end", intervention.pk), {"ended_on": "2026-06-30"}
    )
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.ended_on == date(2026, 6, 30)
    before = client.post(
        url(world, "evaluation_intervention_end", intervention.pk), {"ended_on": "2025-01-01"}
    )
    assert before.status_code == 302
    intervention.refresh_from_db()
    assert intervention.ended_on == date(2026, 6, 30), "an end before the start changes nothing"


# --- the report, its PDF and the exports ---------------------------------------------------


def test_the_printable_report_has_every_table_open_and_a_print_button(world, worker):
    page = client_for(worker).get(url(world, "evaluation_report")).content.decode()
    assert "data-print" in page
    assert 'class="eval-report"' in page
    assert '<details class="chart-table">' not in page
    assert "75.0%" in page


def test_the_report_pdf_is_a_pdf_with_the_figures(world, worker):
    response = client_for(worker).get(url(world, "evaluation_report_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert len(response.content) > 5000


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel and WPS need the byte order mark"
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_export_has_every_figure_with_its_definition(world, worker):
    rows = _csv(client_for(worker).get(url(world, "evaluation_export", "csv")))
    heading, body = rows[0], rows[1:]
    key, m, group = (
        heading.index(gettext("Indicator key")),
        heading.index(gettext("Month")),
        heading.index(gettext("Group")),
    )
    found = {(r[key], r[m], r[group]): r for r in body}
    rate = found[("participation.rate", month(world.last), "")]
    spec = selectors.indicator_spec("participation.rate")
    assert rate[heading.index(gettext("Definition"))] == str(spec.definition)
    assert float(rate[heading.index(gettext("Numerator value"))]) == 9
    assert float(rate[heading.index(gettext("Denominator value"))]) == 12
    hidden = found[("participation.rate", month(world.last), "low_income:yes")]
    assert hidden[heading.index(gettext("Numerator value"))] == ""
    assert hidden[heading.index(gettext("Hidden (small cell)"))] == "1"
    assert {r[key] for r in body} <= set(selectors.registry())


def test_xlsx_export_has_the_figures_and_the_definitions(world, worker):
    from openpyxl import load_workbook

    response = client_for(worker).get(url(world, "evaluation_export", "xlsx"))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [gettext("Figures"), gettext("Definitions")]
    definitions = list(book[gettext("Definitions")].values)
    assert {row[0] for row in definitions[1:]} == set(selectors.registry())


def test_json_export_nests_figures_under_their_indicator(world, worker):
    response = client_for(worker).get(url(world, "evaluation_export", "json"))
    data = json.loads(response.content)
    by_key = {i["key"]: i for i in data["indicators"]}
    assert list(by_key) == list(selectors.registry())
    rate = by_key["participation.rate"]
    last = [v for v in rate["values"] if v["month"] == month(world.last) and v["group"] == ""]
    assert last == [
        {
            "month": month(world.last),
            "group": "",
            "numerator": 9.0,
            "denominator": 12.0,
            "value": 0.75,
            "people": last[0]["people"],
            "suppressed": False,
        }
    ]
    assert data["min_cell"] == 5


def test_an_unknown_export_format_is_not_found(world, worker):
    assert client_for(worker).get(url(world, "evaluation_export", "doc")).status_code == 404


# --- the overview column and the console link ---------------------------------------------


def test_officials_overview_shows_the_participation_rate(world, official):
    page = client_for(official).get(reverse("overview")).content.decode()
    assert "75%" in page
    assert url(world) in page


def test_the_staff_console_links_to_the_dashboard(world, worker, resident):
    home = reverse("community_home", args=[world.community.slug])
    assert url(world) in client_for(worker).get(home).content.decode()
    assert url(world) not in client_for(resident).get(home).content.decode()


def test_groups_sort_naturally_and_the_unrecorded_are_labelled():
    """Buildings and grids in the order people number them (2号楼 before 10号楼), and the people
    with no grid, building or age band recorded in a row that says so, last."""
    from gongzhi.evaluation.views import group_label

    def row(group):
        return selectors.Row("participation.rate", date(2026, 1, 1), group, 1, 5, 0.2, 5, False)

    groups = ["building:10号楼", "building:", "building:2号楼", "grid:", "grid:第3网格"]
    groups += ["grid:第12网格", "age:", "age:75+", "age:under 30"]
    splits = {s.dimension: [c.name for c in s.rows] for s in selectors._splits(map(row, groups))}
    assert splits["building"] == ["2号楼", "10号楼", ""]
    assert splits["grid"] == ["第3网格", "第12网格", ""]
    assert splits["age"] == ["under 30", "75+", ""]
    for dimension in ("grid", "building", "age"):
        assert group_label(dimension, "") == gettext("Not recorded")
    assert group_label("building", "2号楼") == "2号楼"


def test_each_satisfaction_and_resolution_figure_names_its_period():
    """The overview's 满意率 (last 12 months) and the dashboard's (one month) disagreed under one
    name: each now says its period, and the two resolution rates say that they count apart."""
    from django.utils import translation

    from gongzhi.feedback.manifest import INDICATORS, OVERVIEW_FIGURES

    with translation.override("en"):
        for overview, indicator in (
            ("hotline.satisfaction", "hotline.satisfaction_rate"),
            ("hotline.resolution", "hotline.resolution_rate"),
        ):
            figure, spec = OVERVIEW_FIGURES[overview], INDICATORS[indicator]
            assert str(figure.label) != str(spec.name)
            assert "12 months" in str(figure.label) and "12 months" in str(figure.help)
            assert "month" in str(spec.name)
        assert "4 or 5 out of 5" in str(INDICATORS["hotline.satisfaction_rate"].definition)
        assert "4 or 5 out of 5" in str(OVERVIEW_FIGURES["hotline.satisfaction"].help)
