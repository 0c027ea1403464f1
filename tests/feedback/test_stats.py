"""The hotline's statistics: exact figures on hand-built tickets under a frozen clock, the rollups
against the live count (and after a change to an old ticket, and after a month closes), who may
see them, and the CSV/XLSX exports."""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils.translation import gettext
from openpyxl import load_workbook

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Role
from gongzhi.feedback import services, stats
from gongzhi.feedback.models import TicketMonthStat, TicketStatsState
from tests.factories import BuildingFactory, member

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 15, 12, 0, tzinfo=SHANGHAI)


@contextmanager
def at(moment: datetime):
    with time_machine.travel(moment, tick=False):
        yield


def day(month: int, day_: int, hour: int = 10) -> datetime:
    return datetime(2025, month, day_, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def hotline(community, resident, worker, handler, categories, department):
    """Six tickets over January to March 2025 (hours from filing in brackets):

    T1 elevator, building 1: accepted by the handler (2), resolved (26, on time: 2 days), solved, 5
    T2 elevator, building 1: accepted (6), resolved (72, late), not solved, 2
    T3 noise, building 2: accepted by a worker (1), resolved (24, on time: 5 days), solved, 4
    T4 noise, no building: never accepted, past its deadline
    T5 elevator (February), building 1: accepted (4), resolved (20), not rated
    T7 elevator (March), no building: accepted (1), open past its deadline on 15 March
    """
    b1 = BuildingFactory(community=community, name="1号楼")
    b2 = BuildingFactory(community=community, name="2号楼")
    made = {}

    def file(name, when, code, building=None):
        with at(when):
            made[name] = services.ticket_file(
                actor=resident,
                community=community,
                text=f"{name} 的问题",
                category=code,
                building=building,
            )

    def step(when, action, name, **kwargs):
        with at(when):
            made[name] = action(ticket=made[name], **kwargs)

    file("T1", day(1, 10), "elevator", b1)
    step(day(1, 10, 12), services.ticket_accept, "T1", actor=handler)
    step(day(1, 11, 12), services.ticket_resolve, "T1", actor=handler, note="修好了")
    file("T2", day(1, 12), "elevator", b1)
    step(day(1, 12, 16), services.ticket_accept, "T2", actor=handler)
    step(day(1, 15), services.ticket_resolve, "T2", actor=handler, note="换了零件")
    file("T3", day(1, 20), "noise", b2)
    step(day(1, 20, 11), services.ticket_accept, "T3", actor=worker)
    step(day(1, 21), services.ticket_resolve, "T3", actor=worker, note="已劝导")
    file("T4", day(1, 25), "noise")
    with at(day(1, 22)):
        services.ticket_rate(actor=resident, ticket=made["T1"], solved=True, satisfaction=5)
        services.ticket_rate(actor=resident, ticket=made["T2"], solved=False, satisfaction=2)
        services.ticket_rate(actor=resident, ticket=made["T3"], solved=True, satisfaction=4)
    file("T5", day(2, 3), "elevator", b1)
    step(day(2, 3, 14), services.ticket_accept, "T5", actor=handler)
    step(day(2, 4, 6), services.ticket_resolve, "T5", actor=handler, note="好了")
    file("T7", day(3, 2), "elevator")
    step(day(3, 2, 11), services.ticket_accept, "T7", actor=handler)
    made.update(b1=b1, b2=b2)
    return made


def figures(line_or_total):
    f = getattr(line_or_total, "figures", line_or_total)
    return f.as_dict()


def line(lines, label):
    [found] = [x for x in lines if x.label == label]
    return found


def first_quarter(community, live=False):
    return stats.report(
        community=community, first=date(2025, 1, 1), last=date(2025, 3, 1), live=live
    )


# --- Exact figures ---------------------------------------------------------------------------------


def test_totals(community, hotline):
    with at(NOW):
        report = first_quarter(community, live=True)
    assert figures(report.total) == {
        "tickets": 6,
        "responded": 5,
        "response_hours": 2.8,  # (2 + 6 + 1 + 4 + 1) / 5
        "resolved": 4,
        "resolution_hours": 35.5,  # (26 + 72 + 24 + 20) / 4
        "resolved_with_deadline": 4,
        "resolved_on_time": 3,
        "on_time_rate": 75.0,
        "open_overdue": 2,  # T4 and T7
        "rated": 3,
        "solved": 2,
        "resolution_rate": 66.7,
        "satisfied": 2,
        "satisfaction_rate": 66.7,
        "satisfaction_mean": 3.67,  # (5 + 2 + 4) / 3
    }


def test_by_category_handler_and_month(community, hotline, categories, handler):
    with at(NOW):
        report = first_quarter(community, live=True)
    elevator = figures(line(report.by_category, categories["elevator"].name))
    assert elevator == {
        "tickets": 4,
        "responded": 4,
        "response_hours": 3.2,  # 13 / 4 = 3.25
        "resolved": 3,
        "resolution_hours": 39.3,  # 118 / 3
        "resolved_with_deadline": 3,
        "resolved_on_time": 2,
        "on_time_rate": 66.7,
        "open_overdue": 1,
        "rated": 2,
        "solved": 1,
        "resolution_rate": 50.0,
        "satisfied": 1,
        "satisfaction_rate": 50.0,
        "satisfaction_mean": 3.5,
    }
    noise = figures(line(report.by_category, categories["noise"].name))
    assert (noise["tickets"], noise["response_hours"], noise["resolution_hours"]) == (2, 1.0, 24.0)
    assert (noise["on_time_rate"], noise["resolution_rate"], noise["satisfaction_mean"]) == (
        100.0,
        100.0,
        4.0,
    )
    assert noise["open_overdue"] == 1
    assert [x.label for x in report.by_category] == [
        categories["noise"].name,
        categories["elevator"].name,
    ]
    # The handler accepted every elevator ticket; the worker's acceptance leaves T3 unassigned.
    assert [x.label for x in report.by_handler] == [str(handler), gettext("Unassigned")]
    assert figures(report.by_handler[0]) == elevator
    assert figures(report.by_handler[1]) == noise
    january, february, march = report.by_month
    assert [january.label, february.label, march.label] == ["2025-01", "2025-02", "2025-03"]
    assert figures(january) == {
        "tickets": 4,
        "responded": 3,
        "response_hours": 3.0,
        "resolved": 3,
        "resolution_hours": 40.7,  # 122 / 3
        "resolved_with_deadline": 3,
        "resolved_on_time": 2,
        "on_time_rate": 66.7,
        "open_overdue": 1,
        "rated": 3,
        "solved": 2,
        "resolution_rate": 66.7,
        "satisfied": 2,
        "satisfaction_rate": 66.7,
        "satisfaction_mean": 3.67,
    }
    assert (
        figures(february)["resolution_hours"] == 20.0
        and figures(february)["resolution_rate"] is None
    )
    assert (
        figures(march)["tickets"],
        figures(march)["resolved"],
        figures(march)["open_overdue"],
    ) == (1, 0, 1)


def test_heat_by_building(community, hotline, categories):
    with at(NOW):
        heat = first_quarter(community, live=True).heat
    assert [b.label for b in heat.buildings] == ["1号楼", "2号楼", gettext("No building given")]
    assert [c.label for c in heat.categories] == [
        categories["noise"].name,
        categories["elevator"].name,
    ]
    assert [heat.row(b) for b in heat.buildings] == [[0, 3], [1, 0], [1, 1]]
    assert heat.largest == 3


def test_period_bounds(community, hotline):
    with at(NOW):
        february = stats.report(
            community=community, first=date(2025, 2, 1), last=date(2025, 2, 1), live=True
        )
    assert february.total.tickets == 1 and [m.label for m in february.by_month] == ["2025-02"]


# --- Rollups against the live count ----------------------------------------------------------------


def test_rollup_equals_live(community, hotline, resident):
    with at(NOW):
        assert stats.stats_refresh(community_id=community.pk) == 3  # January to March
        months = set(
            TicketMonthStat.objects.in_community(community).values_list("month", flat=True)
        )
        assert months == {date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)}
        rolled = first_quarter(community)
        assert rolled.as_of == NOW
        assert stats.as_dict(rolled) | {"as_of": None} == stats.as_dict(
            first_quarter(community, live=True)
        )


def test_a_change_to_an_old_ticket_is_picked_up(community, hotline, worker):
    with at(NOW):
        stats.stats_refresh(community_id=community.pk)
    with at(NOW + timedelta(days=1)):
        services.ticket_reopen(actor=worker, ticket=hotline["T3"], reason="又吵了")
        stale = first_quarter(community)
        live = first_quarter(community, live=True)
        assert stale.total.resolved == 4 and live.total.resolved == 3
        assert stats.stats_refresh(community_id=community.pk) == 2  # January and the current month
        assert stats.as_dict(first_quarter(community)) | {"as_of": None} == stats.as_dict(live)


def test_a_month_that_closes_moves_into_the_rollups(community, hotline):
    with at(NOW):
        stats.stats_refresh(community_id=community.pk)
    with at(day(4, 2)):
        before = stats.as_dict(first_quarter(community, live=True))
        assert stats.stats_refresh(community_id=community.pk) == 2  # March and April
        assert TicketStatsState.objects.in_community(community).get().through == date(2025, 4, 1)
        assert stats.as_dict(first_quarter(community)) | {"as_of": None} == before


def test_pages_ask_for_a_refresh_when_old(community, hotline):
    with at(NOW):
        first_quarter(community)  # the immediate task backend refreshes at once
        state = TicketStatsState.objects.in_community(community).get()
        assert state.refreshed_at == NOW
    with at(NOW + timedelta(seconds=stats.REFRESH_SECONDS + 1)):
        first_quarter(community)
        state.refresh_from_db()
        assert state.refreshed_at == NOW + timedelta(seconds=stats.REFRESH_SECONDS + 1)


def test_full_refresh_matches_incremental(community, hotline):
    with at(NOW):
        stats.stats_refresh(community_id=community.pk)
        incremental = sorted(
            TicketMonthStat.objects.in_community(community).values_list(
                "month", "category_id", "assignee_id", "tickets"
            )
        )
        stats.stats_refresh(community_id=community.pk, full=True)
        full = sorted(
            TicketMonthStat.objects.in_community(community).values_list(
                "month", "category_id", "assignee_id", "tickets"
            )
        )
    assert incremental == full and sum(row[3] for row in full) == 6


# --- Pages, API, exports and permissions -------------------------------------------------------------


def url(community, path=""):
    return f"/c/{community.slug}/hotline/stats/{path}"


def test_page_shows_the_figures(
    community, hotline, worker, categories, django_assert_max_num_queries
):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(worker)
    with at(NOW):
        stats.stats_refresh(community_id=community.pk)
        with django_assert_max_num_queries(25):
            response = client.get(url(community), {"from": "2025-01", "to": "2025-03"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="table-category"' in body and 'id="table-heat"' in body
    assert categories["elevator"].name in body and "1号楼" in body
    assert "66.7" in body and "35.5" in body and "3.67" in body


def test_bad_period_shows_an_error_and_the_default(community, hotline, worker):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(worker)
    with at(NOW):
        response = client.get(url(community), {"from": "2025-13", "to": "2025-03"})
        assert response.status_code == 200
        assert "year-month" in response.content.decode()
        assert response.context["first"] == "2024-04" and response.context["last"] == "2025-03"
        assert client.get(url(community), {"from": "2025-03", "to": "2025-01"}).status_code == 200
        assert (
            client.get(
                url(community) + "export.xlsx", {"from": "2025-03", "to": "2025-01"}
            ).status_code
            == 400
        )


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("resident", False),
        ("handler", False),
        ("outsider", False),
        ("other_worker", False),
        ("worker", True),
        ("supervisor", True),
        ("official", True),
        ("admin_user", True),
    ],
)
def test_only_staff_see_statistics(request, community, other_community, categories, who, allowed):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    user = None
    if who == "other_worker":
        from allauth.mfa.totp.internal.auth import TOTP

        from tests.conftest import TOTP_SECRET

        user = member(other_community, Role.COMMUNITY_WORKER)
        TOTP.activate(user, TOTP_SECRET)
    elif who != "anonymous":
        user = request.getfixturevalue(who)
    if user is not None:
        client.force_login(user)
    for path in ("", "export.xlsx", "export.csv?table=month"):
        response = client.get(url(community, path))
        if allowed:
            assert response.status_code == 200, (who, path)
        else:
            assert response.status_code in (302, 404), (who, path)
            assert response.status_code == (302 if user is None else 404)
    api = Client(HTTP_ACCEPT_LANGUAGE="en")
    headers = {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = "Bearer " + api_token_create(user=user, name="x")[1]
    response = api.get(f"/api/v1/communities/{community.slug}/hotline/stats", **headers)
    assert response.status_code == (200 if allowed else 401 if user is None else 404)


def test_api(community, hotline, worker, categories):
    token = api_token_create(user=worker, name="x")[1]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    with at(NOW):
        stats.stats_refresh(community_id=community.pk)
        response = client.get(
            f"/api/v1/communities/{community.slug}/hotline/stats",
            {"from": "2025-01", "to": "2025-03"},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        expected = stats.as_dict(first_quarter(community, live=True))
    assert body["first_month"] == "2025-01" and body["last_month"] == "2025-03"
    assert body["total"] == expected["total"]
    assert body["by_category"] == expected["by_category"]
    assert body["by_month"][0]["month"] == "2025-01" and body["by_month"][0]["tickets"] == 4
    assert body["buildings"][0] == {
        "building": "1号楼",
        "tickets": 3,
        "by_category": {categories["elevator"].name: 3},
    }
    bad = client.get(
        f"/api/v1/communities/{community.slug}/hotline/stats",
        {"from": "March"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "month"


def test_xlsx_export(community, hotline, worker, categories, handler):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(worker)
    with at(NOW):
        response = client.get(url(community, "export.xlsx"), {"from": "2025-01", "to": "2025-03"})
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="hotline-{community.slug}-2025-01-2025-03.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["By category", "By handler", "By month", "By building"]
    rows = list(workbook["By category"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Category", "Tickets", "Accepted", "Mean response time (hours)")
    elevator = next(r for r in rows if r[0] == categories["elevator"].name)
    # tickets, accepted, response h, resolved, resolution h, with deadline, on time, on time %,
    # open past deadline, rated, solved, 解决率, rated 4-5, 满意率, mean satisfaction
    assert elevator[1:] == (4, 4, 3.2, 3, 39.3, 3, 2, 66.7, 1, 2, 1, 50.0, 1, 50.0, 3.5)
    assert rows[-1][0] == "All" and rows[-1][1] == 6
    handlers = list(workbook["By handler"].iter_rows(values_only=True))
    assert [r[0] for r in handlers[1:]] == [str(handler), "Unassigned", "All"]
    months = list(workbook["By month"].iter_rows(values_only=True))
    assert [r[:2] for r in months[1:]] == [
        ("2025-01", 4),
        ("2025-02", 1),
        ("2025-03", 1),
        ("All", 6),
    ]
    buildings = list(workbook["By building"].iter_rows(values_only=True))
    assert buildings[0] == (
        "Building",
        "Tickets",
        categories["noise"].name,
        categories["elevator"].name,
    )
    assert buildings[1] == ("1号楼", 3, 0, 3)


def test_csv_export_is_safe_for_spreadsheets(community, hotline, worker, categories):
    categories["elevator"].name = '=HYPERLINK("http://evil")'
    categories["elevator"].save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(worker)
    with at(NOW):
        response = client.get(
            url(community, "export.csv"), {"table": "category", "from": "2025-01", "to": "2025-03"}
        )
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        assert rows[0][0] == "Category"
        assert '\'=HYPERLINK("http://evil")' in [r[0] for r in rows]
        assert client.get(url(community, "export.csv"), {"table": "people"}).status_code == 400
        assert client.get(url(community, "export.pdf")).status_code == 404


def test_command_refreshes(community, hotline):
    from django.core.management import call_command

    out = io.StringIO()
    with at(NOW):
        call_command("hotline_stats", "--community", community.slug, "--full", stdout=out)
    assert out.getvalue().strip() == f"{community.slug} months=3"
    assert TicketStatsState.objects.in_community(community).get().through == date(2025, 3, 1)
