"""Learning's indicators: each compute function on hand-built journal entries (no database); the
registry (every indicator declared, journal-only, computed by the plain CLI); and the export,
which turns the people learning's entries name (trainers, recruiters, inviters) into pseudonyms."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gongzhi.core import journal
from gongzhi.core.manifests import indicator_registry
from gongzhi.evaluation import services as evaluation_services
from gongzhi.evaluation.engine import (
    JOURNAL_INDICATORS,
    AnyCell,
    Cell,
    Entry,
    EvalInput,
    PeopleCell,
    Person,
    evaluate,
)
from gongzhi.learning import indicators
from tests.factories import member
from tests.learning.world import course_of, enrolment_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04"]
PEOPLE = {
    pid: Person(pid, date(2025, 1, 1), None, grid=grid, consented=True, groups=frozenset(groups))
    for pid, grid, groups in (
        ("p", "G1", {"elderly"}),
        ("q", "G1", set()),
        ("r", "G2", set()),
        ("s", "G2", {"low_income"}),
    )
}
KEYS = {
    "learning.enrolments",
    "learning.completions",
    "learning.completion_rate",
    "learning.qualified_leadership",
    "learning.qualified_mediation",
    "learning.qualified_chairing",
    "learning.qualified_first_aid",
    "learning.qualified_digital_helper",
    "learning.new_leaders",
    "learning.leadership_share",
    "learning.network_reach",
}


def _input(*rows: tuple[Any, ...], persons: dict[str, Person] | None = None) -> EvalInput:
    """``rows``: (day "MM-DD" of 2026, verb, actor, target, data[, on_behalf_of])."""
    entries = [
        Entry(
            seq=seq,
            at=datetime.fromisoformat(f"2026-{row[0]}T02:00").replace(tzinfo=UTC),
            verb=row[1],
            actor=row[2],
            target=row[3],
            data=row[4],
            on_behalf_of=row[5] if len(row) > 5 else None,
        )
        for seq, row in enumerate(rows, start=1)
    ]
    return EvalInput(entries=entries, persons=persons or PEOPLE, months=MONTHS, tz=SHANGHAI)


def _numbers(cells: dict[str, AnyCell]) -> list[float]:
    out = []
    for month in MONTHS:
        cell = cells[month]
        assert isinstance(cell, Cell) and cell.denominator is None
        out.append(cell.numerator)
    return out


def _rates(cells: dict[str, AnyCell]) -> list[tuple[float, float | None]]:
    out = []
    for month in MONTHS:
        cell = cells[month]
        assert isinstance(cell, Cell)
        out.append((cell.numerator, cell.denominator))
    return out


def _enrolled(day: str, enrolment: int, course: int, person: str, by: str | None = None) -> tuple:
    data = {"course": course, "person": person, "status": "enrolled", "recruited_by": None}
    target = f"learning.enrolment:{enrolment}"
    if by is None:
        return (day, "course.enrolled", person, target, data)
    return (day, "course.enrolled", by, target, data, person)


def _decided(day: str, enrolment: int, person: str, done: bool, trainers=("t",)) -> tuple:
    verb = "course.completed" if done else "course.not_completed"
    data = {"course": 1, "person": person, "qualification": "", "trainers": list(trainers)}
    return (day, verb, "w", f"learning.enrolment:{enrolment}", data)


def _award(day: str, award: int, person: str, code: str, start: str, end: str | None) -> tuple:
    data = {"person": person, "qualification": code, "valid_from": start, "valid_until": end}
    return (day, "qualification.granted", "w", f"learning.award:{award}", data)


def test_enrolments_count_once_per_person_and_course_a_month():
    inp = _input(
        _enrolled("01-05", 1, 1, "p"),
        _enrolled("01-06", 2, 1, "q", by="w"),  # 代办: the worker enrols q
        _enrolled("01-20", 1, 1, "p"),  # p cancelled and enrolled again the same month
        _enrolled("02-03", 1, 1, "p"),  # and again in February: one more
        _enrolled("02-03", 3, 2, "p"),  # another course
    )
    assert _numbers(indicators.enrolments(inp)) == [2, 2, 0, 0]


def test_completions_and_their_rate_count_each_decision_once_in_its_month():
    inp = _input(
        _decided("01-10", 1, "p", True),
        _decided("01-11", 2, "q", False),
        _decided("01-12", 1, "p", True),  # a repeat of a decision changes nothing
        _decided("02-28", 3, "r", True),
        _decided("03-01", 4, "s", False),
    )
    assert _numbers(indicators.completions(inp)) == [1, 1, 0, 0]
    assert _rates(indicators.completion_rate(inp)) == [(1, 2), (1, 1), (0, 1), (0, 0)]


def test_a_qualification_is_held_at_a_months_end_while_valid_and_not_revoked():
    inp = _input(
        _award("01-10", 1, "p", "chairing", "2026-01-10", "2026-02-28"),  # ends on Feb's last day
        _award("02-20", 2, "p", "chairing", "2026-03-01", None),  # renewed: p counts once
        _award("01-10", 3, "q", "chairing", "2026-02-01", None),  # not valid before February
        _award("01-15", 4, "r", "mediation", "2026-01-15", None),
        ("03-05", "qualification.revoked", "w", "learning.award:3", {"person": "q"}),
        ("02-10", "qualification.recorded", "w", "learning.award:5", {"person": "s"}),  # no code
    )
    assert _numbers(indicators.qualified_chairing(inp)) == [1, 2, 1, 1]
    assert _numbers(indicators.qualified_mediation(inp)) == [1, 1, 1, 1]
    assert _numbers(indicators.qualified_first_aid(inp)) == [0, 0, 0, 0]


def test_only_verified_residents_count_as_qualified():
    persons = {
        **PEOPLE,
        "x": Person("x", None, None),  # never verified
        "y": Person("y", date(2025, 1, 1), date(2026, 2, 10)),  # left in February
    }
    inp = _input(
        _award("01-10", 1, "x", "first_aid", "2026-01-01", None),
        _award("01-10", 2, "y", "first_aid", "2026-01-01", None),
        persons=persons,
    )
    assert _numbers(indicators.qualified_first_aid(inp)) == [1, 0, 0, 0]


def test_a_leader_is_new_in_the_month_of_their_first_act_as_one():
    inp = _input(
        ("01-02", "volunteer.registered", "q", "volunteering.volunteer:7", {"volunteer": 7}),
        ("01-03", "volunteer.registered", "w", "volunteering.volunteer:8", {"volunteer": 8}, "s"),
        ("01-05", "team.leader_appointed", "w", "volunteering.teammember:1", {"volunteer": 7}),
        ("02-05", "body.mandate_started", "w", "bodies.mandate:1", {"user": "p", "body": 1}),
        ("02-06", "role.granted", "w", "core.membership:1", {"role": "reviewer", "user": "r"}),
        ("02-07", "role.granted", "w", "core.membership:2", {"role": "org_leader", "user": "r"}),
        ("03-01", "body.mandate_started", "w", "bodies.mandate:2", {"user": "q", "body": 2}),
        _decided("03-02", 1, "p", True, trainers=("s", "q")),  # s trains: new; q led already
        ("04-01", "role.granted", "w", "core.membership:3", {"role": "volunteer", "user": "p"}),
    )
    assert _numbers(indicators.new_leaders(inp)) == [1, 2, 1, 0]  # q; p, r; s
    share = indicators.leadership_share(inp)
    assert [sorted(share[m].numerator) for m in MONTHS] == [
        ["q"],
        ["p", "q", "r"],
        ["p", "q", "r", "s"],
        ["p", "q", "r", "s"],
    ]
    # a people rate: split by group, the elderly resident p leads from February
    feb = share["2026-02"]
    assert isinstance(feb, PeopleCell)
    assert feb.restricted(frozenset({"p"})).value == 1.0


def test_the_networks_reach_is_cumulative_and_counts_each_person_once():
    inp = _input(
        (
            "01-05",
            "invite_link.joined",
            "p",
            "core.membership:1",
            {"person": "p", "recruiter": "q"},
        ),
        ("02-05", "leadership.invitation_accepted", "q", "learning.invitation:1", {"person": "q"}),
        ("02-06", "leadership.invitation_accepted", "p", "learning.invitation:2", {"person": "p"}),
        ("03-05", "leadership.invitation_declined", "r", "learning.invitation:3", {"person": "r"}),
    )
    assert _numbers(indicators.network_reach(inp)) == [1, 2, 2, 2]


def test_every_indicator_is_registered_journal_only_and_in_the_plain_cli():
    registry = indicator_registry()
    assert {k for k in registry if k.startswith("learning.")} == KEYS
    for key in KEYS:
        assert registry[key].journal_only
        assert key in JOURNAL_INDICATORS
    assert registry["learning.leadership_share"].people
    results = evaluate(_input(), {key: registry[key].compute for key in KEYS})
    assert set(results) == KEYS
    for cells in results.values():
        assert list(cells) == MONTHS


@pytest.mark.django_db
def test_the_people_learnings_entries_name_leave_the_database_as_pseudonyms(community, worker):
    learner, trainer = member(community), member(community)
    enrolment = enrolment_of(course_of(community, worker), learner)
    journal.record(
        community=community,
        actor=worker,
        verb="course.completed",
        target=enrolment,
        data={
            "course": enrolment.course_id,
            "person": learner.pk,
            "qualification": "chairing",
            "trainers": [trainer.pk],
        },
    )
    journal.record(
        community=community,
        actor=worker,
        verb="leadership.invited",
        target=enrolment,
        data={"person": learner.pk, "invited_by": worker.pk, "step": "meetings.chair"},
    )
    journal.chain(community)  # the export reads the chained journal
    entries = [
        e for e in evaluation_services.entries(community) if e.verb.startswith(("course", "lead"))
    ]
    pid = evaluation_services.pseudonym
    assert entries[0].data["trainers"] == [pid(community.pk, trainer.pk)]
    assert entries[0].data["person"] == pid(community.pk, learner.pk)
    assert entries[1].data["invited_by"] == pid(community.pk, worker.pk)
    assert entries[1].data["step"] == "meetings.chair"
    inp = evaluation_services.eval_input(community)
    month = inp.months[-1]
    assert indicators.new_leaders(inp)[month] == Cell(1.0, None)
