"""Bodies' indicators: each compute function on hand-built journal entries (no database), and
once end to end, from services through ``manage.py indicators`` and the export."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongzhi.bodies import indicators, services
from gongzhi.bodies.models import ChosenBy
from gongzhi.core import journal
from gongzhi.evaluation.engine import AnyCell, Cell, Entry, EvalInput
from tests.bodies.bodies_world import council, membership, seat
from tests.factories import member

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = ["2026-03", "2026-04"]


def _input(*rows: tuple[Any, ...]) -> EvalInput:
    """``rows``: (day "MM-DD" of 2026, verb, target, data)."""
    entries = [
        Entry(
            seq=seq,
            at=datetime.fromisoformat(f"2026-{day}T02:00").replace(tzinfo=UTC),
            verb=verb,
            actor=None,
            target=target,
            data=data,
        )
        for seq, (day, verb, target, data) in enumerate(rows, start=1)
    ]
    return EvalInput(entries=entries, persons={}, months=MONTHS, tz=SHANGHAI)


def _cells(cells: dict[str, AnyCell]) -> list[tuple[float, float | None]]:
    out = []
    for month in MONTHS:
        cell = cells[month]
        assert isinstance(cell, Cell)
        out.append((cell.numerator, cell.denominator))
    return out


def _body(verb: str, body: Any, day: str) -> tuple[Any, ...]:
    return (day, verb, f"bodies.body:{body}", {"body": body, "kind": "council"})


def test_bodies_existing_counts_until_dissolved_and_each_body_once() -> None:
    inp = _input(
        _body("body.created", 1, "02-10"),
        _body("body.created", 1, "03-02"),  # a repeated entry counts once
        _body("body.created", 2, "03-05"),
        _body("body.dissolved", 1, "04-01"),
        ("03-06", "body.created", "", {"kind": "council"}),  # no body: left out
    )
    assert _cells(indicators.bodies_existing(inp)) == [(2, None), (1, None)]


def test_bodies_deciding_divides_by_the_bodies_alive_in_the_month() -> None:
    inp = _input(
        _body("body.created", 1, "03-01"),
        _body("body.created", 2, "03-01"),
        _body("body.decision_recorded", 1, "03-10"),
        _body("body.decision_recorded", 1, "03-11"),  # one body, however many decisions
        _body("body.decision_recorded", 9, "03-12"),  # a body the journal never set up
        _body("body.dissolved", 2, "04-02"),
        _body("body.decision_recorded", 2, "04-01"),  # decided in the month it was dissolved
    )
    assert _cells(indicators.bodies_deciding(inp)) == [(1, 2), (1, 2)]


def _term(day: str, pk: int, chosen_by: str) -> tuple[Any, ...]:
    data = {"body": 1, "kind": "council", "position": "委员", "chosen_by": chosen_by, "user": "p"}
    return (day, "body.mandate_started", f"bodies.mandate:{pk}", data)


def test_elected_share_leaves_founders_out() -> None:
    inp = _input(
        _term("03-01", 1, "election"),
        _term("03-02", 2, "election"),
        _term("03-03", 3, "appointment"),
        _term("03-04", 4, "founding"),
        _term("04-01", 5, "lot"),
        ("04-02", "body.mandate_started", "bodies.mandate:6", {"body": 1}),  # says not how
    )
    assert _cells(indicators.elected_share(inp)) == [(2, 3), (0, 1)]


def test_turnover_follows_the_terms_started_in_the_month() -> None:
    ended = {"body": 1, "kind": "council", "user": "p", "reason": "moved"}
    inp = _input(
        _term("03-01", 1, "election"),
        _term("03-02", 2, "founding"),  # every term counts, however chosen
        ("04-10", "body.mandate_ended", "bodies.mandate:1", ended),  # counted in March
        _term("04-01", 3, "appointment"),
        ("04-11", "body.mandate_ended", "bodies.mandate:99", ended),  # started before
    )
    assert _cells(indicators.turnover(inp)) == [(1, 2), (0, 1)]


def test_an_organisation_becomes_active_once() -> None:
    def stage(day: str, body: int, to: str) -> tuple[Any, ...]:
        return (day, "incubation.stage_changed", f"bodies.body:{body}", {"body": body, "to": to})

    inp = _input(
        stage("03-01", 1, "active"),
        stage("03-05", 1, "dormant"),
        stage("04-01", 1, "active"),  # revived: not newly active
        stage("04-02", 2, "filed"),
        stage("04-03", 3, "active"),
    )
    assert _cells(indicators.organisations_active(inp)) == [(1, None), (1, None)]


def test_panels_drawn_counts_each_panel_once() -> None:
    inp = _input(
        ("03-01", "panel.drawn", "bodies.panel:1", {"panel": 1, "index": 0}),
        ("03-01", "panel.drawn", "bodies.panel:1", {"panel": 1, "index": 0}),
        ("04-01", "panel.drawn", "bodies.panel:2", {"panel": 2, "index": 3}),
    )
    assert _cells(indicators.panels_drawn(inp)) == [(1, None), (1, None)]


def test_findings_answered_on_time_by_the_month_they_were_published() -> None:
    def answered(day: str, panel: int, on_time: Any) -> tuple[Any, ...]:
        return (day, "panel.answered", "", {"panel": panel, "on_time": on_time})

    inp = _input(
        ("03-01", "panel.assessment_published", "", {"panel": 1}),
        ("03-02", "panel.assessment_published", "", {"panel": 2}),
        ("03-03", "panel.assessment_published", "", {"panel": 3}),
        ("04-01", "panel.assessment_published", "", {"panel": 4}),
        answered("03-20", 1, True),
        answered("04-20", 2, False),
        answered("04-21", 2, True),  # the first answer counts
        answered("04-22", 3, "yes"),  # not a plain True
        # panel 4 awaits its answer: not on time yet
    )
    assert _cells(indicators.panels_answered_on_time(inp)) == [(1, 3), (0, 1)]


def test_opinions_answered_on_time_by_the_month_they_were_raised() -> None:
    def raised(day: str, pk: int) -> tuple[Any, ...]:
        return (day, "opinion.raised", f"bodies.opinion:{pk}", {"opinion": pk, "body": 1})

    def answered(day: str, pk: int, on_time: bool) -> tuple[Any, ...]:
        data = {"opinion": pk, "body": 1, "on_time": on_time}
        return (day, "opinion.answered", f"bodies.opinion:{pk}", data)

    inp = _input(
        raised("03-01", 1),
        raised("03-31", 2),  # 31 March 10:00 in Shanghai
        raised("04-01", 3),
        answered("04-05", 1, True),
        answered("04-06", 2, True),
        answered("04-30", 3, False),
    )
    assert _cells(indicators.opinions_answered_on_time(inp)) == [(2, 2), (0, 1)]


def test_partner_contributions_and_their_value_in_yuan() -> None:
    def given(day: str, kind: str, fen: Any) -> tuple[Any, ...]:
        data = {"partner": 1, "agreement": 1, "kind": kind, "value_fen": fen}
        return (day, "partner.contribution_recorded", "", data)

    inp = _input(
        given("03-01", "money", 150000),
        given("03-02", "in_kind", 2550),
        given("03-03", "in_kind", None),  # no value recorded
        given("04-01", "in_kind", True),  # not a number
    )
    assert _cells(indicators.partner_contributions(inp)) == [(3, None), (1, None)]
    assert _cells(indicators.partner_money(inp)) == [(1525.5, None), (0, None)]


def _lines(*args: str, **options: str) -> list[str]:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return [line for line in out.getvalue().splitlines() if " month=" in line]


@pytest.mark.django_db
def test_from_the_services_to_the_indicators_command_and_the_export(community, worker, tmp_path):
    body = council(community, worker)
    position = seat(body)
    today = timezone.localdate()
    terms = [
        services.record_mandate(
            body=body,
            position=position,
            membership=membership(member(community), community),
            seat=number,
            chosen_by=how,
            starts_on=today,
            ends_on=today + timedelta(days=365),
            recorded_by=worker,
        )
        for number, how in enumerate((ChosenBy.APPOINTMENT, ChosenBy.LOT), start=1)
    ]
    services.mandate_end(actor=worker, mandate=terms[0], reason="搬走了")
    journal.chain(community)  # what the commit would ask for: the indicators read the chain

    lines = _lines("indicators", community.slug)
    month = f"{today:%Y-%m}"
    assert f"key=bodies.existing month={month} numerator=1 denominator=- value=1.000000" in lines
    assert (
        f"key=bodies.elected_share month={month} numerator=0 denominator=2 value=0.000000" in lines
    )
    assert f"key=bodies.turnover month={month} numerator=1 denominator=2 value=0.500000" in lines
    call_command("journal_export", community.slug, out=str(tmp_path), stdout=io.StringIO())
    assert _lines("indicators", from_export=str(tmp_path)) == lines
