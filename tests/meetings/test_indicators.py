"""Meetings' indicators: each compute function on hand-built journal entries (no database), and
once end to end, from journal entries written with the fixed data shapes of the spec through
``manage.py indicators`` and the pseudonymous export."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from gongzhi.core import journal
from gongzhi.evaluation.engine import AnyCell, Cell, Entry, EvalInput, PeopleCell, Person
from gongzhi.meetings import indicators
from tests.factories import member
from tests.meetings.world import item_of, meeting_of, seated_council

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = ["2026-03", "2026-04"]
PEOPLE = {
    pid: Person(pid, date(2025, 1, 1), None, groups=frozenset(groups), consented=True)
    for pid, groups in (("p", {"elderly"}), ("q", set()), ("r", set()), ("s", set()))
}


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
    return EvalInput(entries=entries, persons=PEOPLE, months=MONTHS, tz=SHANGHAI)


def _cells(cells: dict[str, AnyCell]) -> list[tuple[float, float | None]]:
    out = []
    for month in MONTHS:
        cell = cells[month]
        assert isinstance(cell, Cell)
        out.append((cell.numerator, cell.denominator))
    return out


def _closed(day: str, meeting: int, body: int = 1, **numbers: Any) -> tuple[Any, ...]:
    data = {"meeting": meeting, "body": body, "kind": "ordinary", **numbers}
    return (day, "meeting.closed", f"meetings.meeting:{meeting}", data)


def test_meetings_held_counts_each_meeting_once() -> None:
    inp = _input(
        _closed("03-02", 1, quorum=True, seated=5, members_present=3),
        _closed("03-03", 1, quorum=True, seated=5, members_present=3),  # closed twice: once
        _closed("03-31", 2, body=2),  # 31 March 10:00 in Shanghai
        _closed("04-01", 3),
        ("04-02", "meeting.closed", "", {"body": 1}),  # no meeting: left out
        ("04-03", "meeting.cancelled", "", {"meeting": 4, "body": 1}),  # not held
    )
    assert _cells(indicators.meetings_held(inp)) == [(2, None), (1, None)]


def test_quorum_share_counts_only_a_plain_true() -> None:
    inp = _input(
        _closed("03-02", 1, quorum=True),
        _closed("03-03", 2, quorum=False),
        _closed("03-04", 3, quorum="yes"),  # not a plain True
        _closed("03-05", 1, quorum=False),  # the first close counts
        _closed("04-01", 4),
        ("04-02", "meeting.closed", "", {"meeting": 5, "body": 1, "kind": "hearing"}),  # no quorum
    )
    assert _cells(indicators.quorum_share(inp)) == [(1, 3), (0, 1)]
    assert _cells(indicators.meetings_held(inp)) == [(3, None), (2, None)]


def test_attendance_adds_seats_filled_over_the_meetings() -> None:
    inp = _input(
        _closed("03-02", 1, seated=5, members_present=3),
        _closed("03-03", 2, seated=7, members_present=7),
        _closed("03-04", 3, seated=5),  # no count of those present: left out
        _closed("03-05", 4, seated=0, members_present=0),  # nobody seated: left out
        _closed("04-01", 5, seated=3, members_present=9),  # never more than seated
        _closed("04-02", 6, seated=5, members_present=0, kind="round_table"),  # no seats to fill
    )
    assert _cells(indicators.attendance(inp)) == [(10, 12), (3, 3)]


def _term(day: str, pk: int, person: str, body: int = 1, **dates: str) -> tuple[Any, ...]:
    data = {"body": body, "kind": "council", "chosen_by": "election", "user": person, **dates}
    return (day, "body.mandate_started", f"bodies.mandate:{pk}", data)


def _arrived(day: str, meeting: int, person: str, role: str = "member") -> tuple[Any, ...]:
    data = {"meeting": meeting, "body": 1, "person": person, "role": role}
    return (day, "roll.arrived", f"meetings.meeting:{meeting}", data)


def test_members_attending_follows_the_seats_at_each_close_and_splits_by_group() -> None:
    inp = _input(
        _term("02-01", 1, "p"),
        _term("02-01", 2, "q"),
        _term("02-01", 3, "r", starts_on="2026-02-01", ends_on="2026-03-31"),  # term ran out
        _term("02-01", 4, "s", body=2),  # sits in another body
        _term("02-01", 5, "x"),  # not a verified resident
        _arrived("03-10", 1, "p"),
        _arrived("03-10", 1, "s", "observer"),  # an observer is no member present
        _arrived("03-10", 1, "x"),
        _closed("03-10", 1),
        ("03-20", "body.mandate_ended", "bodies.mandate:2", {"body": 1, "user": "q"}),
        _arrived("04-10", 2, "q"),  # no longer seated
        _arrived("04-10", 2, "r"),  # term over
        _closed("04-10", 2),
    )
    cells = indicators.members_attending(inp)
    march, april = cells["2026-03"], cells["2026-04"]
    assert isinstance(march, PeopleCell) and isinstance(april, PeopleCell)
    assert (march.numerator, march.denominator) == ({"p"}, {"p", "q", "r"})
    assert (april.numerator, april.denominator) == (set(), {"p"})
    elderly = march.restricted(frozenset({"p"}))
    assert elderly.value == 1.0
    assert march.restricted(frozenset({"q", "r"})).value == 0.0


def _item(day: str, item: int, source: str) -> tuple[Any, ...]:
    proposal = 7 if source == "proposal" else None
    data = {"meeting": 1, "item": item, "source": source, "proposal": proposal}
    return (day, "agenda.item_added", f"meetings.agendaitem:{item}", data)


def test_items_from_proposals_by_the_month_each_item_was_added() -> None:
    inp = _input(
        _item("03-01", 1, "proposal"),
        _item("03-02", 2, "staff"),
        _item("03-03", 3, "member"),
        _item("03-04", 4, "proposal"),
        _item("04-01", 1, "proposal"),  # carried to a second sitting: counted in March
        _item("04-02", 5, "action"),
    )
    assert _cells(indicators.items_from_proposals(inp)) == [(2, 4), (0, 1)]


def _action(day: str, pk: int, *, due: str = "", status: str = "", on_time: bool = False):
    if due:
        data: dict[str, Any] = {"action": pk, "meeting": 1, "due_on": due}
        return (day, "action.created", f"meetings.actionitem:{pk}", data)
    data = {"action": pk, "meeting": 1, "status": status, "on_time": on_time}
    return (day, "action.updated", f"meetings.actionitem:{pk}", data)


def test_actions_on_time_by_the_month_they_were_due() -> None:
    inp = _input(
        _action("02-01", 1, due="2026-03-10"),
        _action("02-01", 2, due="2026-03-31"),
        _action("02-01", 3, due="2026-03-15"),
        _action("02-01", 4, due="2026-04-30"),
        _action("02-01", 5, due="2026-04-01"),
        _action("03-09", 1, status="done", on_time=True),
        _action("04-02", 2, status="done", on_time=False),  # late
        # 3 never done: not on time
        _action("04-01", 4, status="done", on_time=True),
        _action("04-05", 4, status="open"),  # reopened since
        _action("03-20", 5, status="dropped"),
    )
    assert _cells(indicators.actions_on_time(inp)) == [(1, 3), (0, 2)]


# --- end to end -------------------------------------------------------------------------------


def _lines(*args: str, **options: str) -> list[str]:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return [line for line in out.getvalue().splitlines() if " month=" in line]


@pytest.mark.django_db
def test_from_the_journal_to_the_indicators_command_and_the_export(community, worker, tmp_path):
    body, people = seated_council(community, worker, members=5)
    meeting = meeting_of(body, worker, starts_in=timedelta(hours=-3))
    proposal_item, staff_item = item_of(meeting, "加装电梯"), item_of(meeting, "路灯")
    observer = member(community)
    with transaction.atomic():

        def record(verb: str, target: Any, **data: Any) -> None:
            journal.record(community=community, actor=worker, verb=verb, target=target, data=data)

        for item, source in ((proposal_item, "proposal"), (staff_item, "staff")):
            record(
                "agenda.item_added",
                item,
                meeting=meeting.pk,
                item=item.pk,
                source=source,
                proposal=41 if source == "proposal" else None,
            )
        for person, role in [(p, "member") for p in people[:3]] + [(observer, "observer")]:
            record(
                "roll.arrived",
                meeting,
                meeting=meeting.pk,
                body=body.pk,
                person=person.pk,
                role=role,
            )
        record(
            "meeting.closed",
            meeting,
            meeting=meeting.pk,
            body=body.pk,
            kind=meeting.kind,
            quorum=True,
            seated=5,
            members_present=3,
        )
        due = timezone.localdate()
        record("action.created", meeting, action=1, meeting=meeting.pk, due_on=due.isoformat())
        record("action.updated", meeting, action=1, meeting=meeting.pk, status="done", on_time=True)
    journal.chain(community)

    lines = _lines("indicators", community.slug)
    month = f"{timezone.localdate():%Y-%m}"

    def line(key: str, numerator: int, denominator: Any, value: str) -> str:
        return (
            f"key={key} month={month} numerator={numerator} denominator={denominator} value={value}"
        )

    assert line("meetings.held", 1, "-", "1.000000") in lines
    assert line("meetings.quorum", 1, 1, "1.000000") in lines
    assert line("meetings.attendance", 3, 5, "0.600000") in lines
    assert line("meetings.members_attending", 3, 5, "0.600000") in lines
    assert line("meetings.items_from_proposals", 1, 2, "0.500000") in lines
    assert line("meetings.actions_on_time", 1, 1, "1.000000") in lines

    call_command("journal_export", community.slug, out=str(tmp_path), stdout=io.StringIO())
    assert _lines("indicators", from_export=str(tmp_path)) == lines
    arrivals = [
        json.loads(row)
        for row in (tmp_path / "journal.jsonl").read_text(encoding="utf-8").splitlines()
        if '"roll.arrived"' in row
    ]
    persons = {row["data"]["person"] for row in arrivals}
    # the arrivals name people by their pseudonym, never by a user id
    assert len(persons) == 4 and not persons & ({p.pk for p in people} | {observer.pk})
    assert all(isinstance(pid, str) and len(pid) == 16 for pid in persons)
