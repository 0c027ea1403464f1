"""The evaluation bench's journal (bench/evaluation.py) is one the indicators can read: entries
in seq and time order, none after now, each ticket filed before it is accepted, accepted before
it is resolved and resolved before it is rated, votes saying whether they bind, published
accounts saying when their period ended. No times are asserted: the bench measures those."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime

from bench.evaluation import STAFF_ACTS, journal_rows, sizes

TYPES = {"ticket": 1, "proposal": 2, "process": 3, "period": 4, "notice": 5, "vote": 6}
WORKER = 1
RESIDENTS = list(range(100, 400))


def rows(entries: int = 6000) -> list[tuple]:
    return list(journal_rows(random.Random(5), RESIDENTS, WORKER, entries, TYPES))


def test_entries_are_numbered_and_ordered_in_time_and_none_is_in_the_future():
    journal = rows()
    assert [row[0] for row in journal] == list(range(1, 6001))
    times = [row[1] for row in journal]
    assert times == sorted(times)
    assert times[-1] <= datetime.now(UTC)
    assert (times[-1] - times[0]).days >= 700  # two years


def test_a_ticket_goes_filed_accepted_resolved_rated_in_that_order():
    steps = ["hotline.filed", "hotline.accepted", "hotline.resolved", "hotline.rated"]
    seen: dict[str, list[str]] = {}
    for _seq, _at, _actor, _behalf, verb, ttype, tid, data in rows():
        if verb not in steps:
            continue
        assert ttype == TYPES["ticket"]
        done = seen.setdefault(tid, [])
        assert done == steps[: steps.index(verb)], (tid, done, verb)
        done.append(verb)
        if verb == "hotline.rated":
            assert data["satisfaction"] in {1, 2, 3, 4, 5}
    finished = Counter(len(done) for done in seen.values())
    assert finished[3] + finished[4] > len(seen) // 2  # most tickets get resolved


def test_residents_act_and_staff_act_as_the_indicators_read_them():
    journal = rows()
    staff = {kind for kind, _weight in STAFF_ACTS} | {"finance.period_published", "budget.counted"}
    for _seq, _at, actor, behalf, verb, _ttype, _tid, data in journal:
        if verb in staff:
            assert (actor, behalf) == (WORKER, None)
        elif behalf is not None:
            assert actor == WORKER and behalf in RESIDENTS  # a worker acting for a resident
        else:
            assert actor in RESIDENTS
        if verb in {"vote.cast", "vote.changed"}:
            assert isinstance(data["binding"], bool)
        if verb == "finance.period_published":
            assert date.fromisoformat(data["period_end"])
        if verb == "budget.counted":
            assert isinstance(data["funded_fen"], int)
    verbs = Counter(row[4] for row in journal)
    assert verbs["finance.period_published"] >= 23  # one a month
    assert {True, False} == {row[7]["binding"] for row in journal if row[4] == "vote.cast"}
    assert any(row[3] is not None for row in journal)


def test_full_scale_is_the_issues_street():
    residents, entries = sizes(1)
    assert (residents * 20, entries * 20) == (100_000, 2_000_000)
