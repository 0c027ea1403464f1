"""Covenants' indicators: each compute function on journal entries built by hand following the
covenants spec's journal conventions (no database); the registry (every indicator declared,
journal-only, in the plain CLI); the participation ladder; and the export, which turns the
author an amendment's decision names into a pseudonym."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gongzhi.core import journal
from gongzhi.core.manifests import indicator_registry
from gongzhi.covenants import indicators
from gongzhi.evaluation import ladder
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
from tests.covenants.world import amendment_of, covenant_of, current_round
from tests.factories import member

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = ["2026-01", "2026-02", "2026-03"]
PEOPLE = {
    pid: Person(pid, verified, None, grid=grid, consented=True, groups=frozenset(groups))
    for pid, verified, grid, groups in (
        ("p", date(2025, 1, 1), "G1", {"elderly"}),
        ("q", date(2025, 1, 1), "G1", set()),
        ("r", date(2025, 1, 1), "G2", set()),
        ("s", date(2026, 2, 10), "G2", {"low_income"}),  # verified in February
    )
}
KEYS = {
    "covenants.commenters",
    "covenants.amendment_authors",
    "covenants.amendments_accepted",
    "covenants.acknowledging_households",
    "covenants.participation",
}


def _input(*rows: tuple[Any, ...]) -> EvalInput:
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
    return EvalInput(entries=entries, persons=PEOPLE, months=MONTHS, tz=SHANGHAI)


def _numbers(cells: dict[str, AnyCell]) -> list[float]:
    out = []
    for month in MONTHS:
        cell = cells[month]
        assert isinstance(cell, Cell) and cell.denominator is None
        out.append(cell.numerator)
    return out


def _commented(day: str, comment: int, person: str, by: str | None = None) -> tuple:
    data = {"round": 1, "article": 3}
    target = f"covenants.comment:{comment}"
    if by is None:
        return (day, "covenant.commented", person, target, data)
    return (day, "covenant.commented", by, target, data, person)  # 代办


def _proposed(day: str, amendment: int, person: str, by: str | None = None) -> tuple:
    data = {"round": 1, "kind": "replace"}
    target = f"covenants.amendment:{amendment}"
    if by is None:
        return (day, "covenant.amendment_proposed", person, target, data)
    return (day, "covenant.amendment_proposed", by, target, data, person)


def _supported(day: str, amendment: int, person: str) -> tuple:
    data = {"round": 1}
    return (day, "covenant.amendment_supported", person, f"covenants.amendment:{amendment}", data)


def _decided(day: str, amendment: int, accepted: bool, by: str = "body") -> tuple:
    verb = "covenant.amendment_accepted" if accepted else "covenant.amendment_rejected"
    data = {"round": 1, "author": "p", "by": by}
    actor = "w" if by == "body" else None
    return (day, verb, actor, f"covenants.amendment:{amendment}", data)


def _acknowledged(
    day: str, ack: int, household: int, person: str, version: int = 1, by: str | None = None
) -> tuple:
    data = {"version": version, "household": household}
    target = f"covenants.acknowledgement:{ack}"
    if by is None:
        return (day, "covenant.acknowledged", person, target, data)
    return (day, "covenant.acknowledged", by, target, data, person)


def test_commenters_count_each_person_once_a_month_and_credit_the_resident_a_worker_helped():
    inp = _input(
        _commented("01-05", 1, "p"),
        _commented("01-06", 2, "p"),  # p again: once
        _commented("01-07", 3, "q", by="w"),  # the worker wrote q's comment down: q's
        _commented("02-02", 4, "p"),
        _commented("03-31", 5, "r"),
    )
    assert _numbers(indicators.commenters(inp)) == [2, 1, 1]


def test_a_comment_late_on_the_last_day_in_utc_falls_in_the_next_month_in_shanghai():
    entry = Entry(
        seq=1,
        at=datetime(2026, 1, 31, 17, 0, tzinfo=UTC),  # 1 February, 01:00 in Shanghai
        verb="covenant.commented",
        actor="p",
        target="covenants.comment:1",
        data={"round": 1, "article": 1},
    )
    inp = EvalInput(entries=[entry], persons=PEOPLE, months=MONTHS, tz=SHANGHAI)
    assert _numbers(indicators.commenters(inp)) == [0, 1, 0]


def test_amendment_authors_are_people_not_amendments():
    inp = _input(
        _proposed("01-05", 1, "p"),
        _proposed("01-05", 2, "p"),
        _proposed("01-09", 3, "q"),
        _proposed("02-09", 4, "r", by="w"),
        _commented("02-10", 1, "s"),  # a comment is not an amendment
    )
    assert _numbers(indicators.amendment_authors(inp)) == [2, 1, 0]


def test_amendments_accepted_count_once_in_the_month_of_their_decision():
    inp = _input(
        _proposed("01-05", 1, "p"),
        _proposed("01-05", 2, "q"),
        _proposed("01-06", 3, "r"),
        _decided("01-20", 1, True),
        _decided("01-21", 2, False),  # rejected: not counted
        _decided("02-03", 3, True, by="vote"),  # accepted by an article-by-article vote
        _decided("02-04", 3, True),  # a second entry for one amendment does not count twice
    )
    assert _numbers(indicators.amendments_accepted(inp)) == [1, 1, 0]


def test_acknowledging_households_count_households_not_people_or_covenants():
    inp = _input(
        _acknowledged("01-05", 1, 11, "p"),
        _acknowledged("01-06", 2, 11, "q", version=2),  # the same household, another covenant
        _acknowledged("01-07", 3, 12, "r", by="w"),  # a paper confirmation a worker recorded
        _acknowledged("03-01", 4, 13, "s"),
    )
    assert _numbers(indicators.acknowledging_households(inp)) == [2, 0, 1]


def test_participation_is_a_share_of_verified_residents_split_by_group():
    inp = _input(
        _commented("01-05", 1, "p"),
        _supported("01-06", 1, "s"),  # s is not verified yet in January
        _supported("02-15", 1, "s"),
        _acknowledged("02-16", 1, 11, "q", by="w"),
        _proposed("02-17", 2, "x"),  # not a member: never counted
        ("03-01", "covenant.amendment_withdrawn", "p", "covenants.amendment:2", {}),
    )
    cells = indicators.participation(inp)
    assert cells["2026-01"] == PeopleCell(frozenset({"p"}), frozenset({"p", "q", "r"}))
    assert cells["2026-02"] == PeopleCell(frozenset({"q", "s"}), frozenset({"p", "q", "r", "s"}))
    assert cells["2026-03"].value == 0  # withdrawing one's own amendment is not taking part
    elderly = frozenset(pid for pid, p in PEOPLE.items() if "elderly" in p.groups)
    assert cells["2026-01"].restricted(elderly).value == 1.0


def test_every_indicator_is_registered_journal_only_and_in_the_plain_cli():
    registry = indicator_registry()
    assert {k for k in registry if k.startswith("covenants.")} == KEYS
    for key in KEYS:
        assert registry[key].journal_only
        assert key in JOURNAL_INDICATORS
    assert registry["covenants.participation"].people
    assert registry["covenants.participation"].kind == "rate"
    results = evaluate(_input(), {key: registry[key].compute for key in KEYS})
    assert set(results) == KEYS
    for cells in results.values():
        assert list(cells) == MONTHS


def test_the_ladder_places_residents_covenant_acts():
    assert ladder.rung_of("covenant.commented") == ladder.CONSULTED
    assert ladder.rung_of("covenant.amendment_proposed") == ladder.CONSULTED
    assert ladder.rung_of("covenant.amendment_supported") == ladder.CONSULTED
    assert ladder.rung_of("covenant.acknowledged") == ladder.INFORMED
    for verb in ("covenant.amendment_accepted", "covenant.consolidated", "covenant.ratified"):
        assert ladder.rung_of(verb) is None and verb in ladder.NO_RUNG


@pytest.mark.django_db
def test_the_author_a_decision_names_leaves_the_database_as_a_pseudonym(community, worker):
    author = member(community)
    amendment = amendment_of(current_round(covenant_of(community, worker)), author)
    journal.record(
        community=community,
        actor=worker,
        verb="covenant.amendment_accepted",
        target=amendment,
        data={"round": amendment.round_id, "author": author.pk, "by": "body"},
    )
    journal.chain(community)  # the export reads the chained journal
    [entry] = [e for e in evaluation_services.entries(community) if e.verb.startswith("covenant.")]
    assert entry.data["author"] == evaluation_services.pseudonym(community.pk, author.pk)
    assert entry.data["by"] == "body"
    assert entry.target == f"covenants.amendment:{amendment.pk}"
    inp = evaluation_services.eval_input(community)
    assert indicators.amendments_accepted(inp)[inp.months[-1]] == Cell(1.0, None)
