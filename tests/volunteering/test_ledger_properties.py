"""After any sequence of confirmations, reversals and corrections, the ledger's totals per
volunteer, team, activity, community and period equal the sum of its entries and an
independent model of what should have happened."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.volunteering import ledger, ledger_selectors
from gongzhi.volunteering.hours import credited_minutes
from gongzhi.volunteering.models import HoursEntry, SignUp
from tests.factories import member
from tests.volunteering.world import activity_of, shift_of, signup_of, team_of, volunteer_of

VOLUNTEERS = 3
SHIFTS = 3  # on three days: two with a team, one without

operation = st.one_of(
    st.tuples(
        st.just("confirm"),
        st.integers(0, VOLUNTEERS - 1),
        st.integers(0, SHIFTS - 1),
        st.integers(1, 150),
    ),
    st.tuples(st.just("reverse"), st.integers(0, 20), st.just(0), st.just(0)),
    st.tuples(st.just("correct"), st.integers(0, 20), st.just(0), st.integers(1, 150)),
)


@pytest.fixture
def world(community, worker):
    organiser = member(community)
    volunteers = [volunteer_of(community) for _ in range(VOLUNTEERS)]
    teams = [team_of(community, worker, name=f"队{i}") for i in range(2)]
    shifts = [
        shift_of(
            activity_of(community, organiser, team=teams[i] if i < 2 else None, title=f"活动{i}"),
            starts_in=-timedelta(days=2 * i + 1),
            hours=2,
        )
        for i in range(SHIFTS)
    ]
    return {"organiser": organiser, "volunteers": volunteers, "teams": teams, "shifts": shifts}


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(operation, max_size=12))
def test_totals_are_the_sum_of_entries(community, world, operations):
    with transaction.atomic():
        _run(community, world, operations)
        transaction.set_rollback(True)


def _run(community: Any, world: dict[str, Any], operations: list[tuple]) -> None:
    organiser, volunteers, shifts = world["organiser"], world["volunteers"], world["shifts"]
    # The model: every entry as {volunteer index, shift index, served, credited}; the service
    # entries (in order, to pick one to reverse) with their model rows.
    model: list[dict[str, int]] = []
    services: list[tuple[HoursEntry, dict[str, int]]] = []
    reversed_: set[int] = set()
    confirmed: set[tuple[int, int]] = set()
    for kind, a, b, minutes in operations:
        if kind == "confirm":
            signup = (
                SignUp.objects.in_community(community)
                .filter(shift=shifts[b], volunteer=volunteers[a])
                .first()
            ) or signup_of(
                shifts[b],
                volunteers[a],
                arrived_at=shifts[b].starts_at,
                left_at=shifts[b].starts_at + timedelta(minutes=minutes),
            )
            try:
                entry = ledger.hours_confirm(actor=organiser, signup=signup)
            except ValidationError as error:
                assert error.code == "already_confirmed" and (a, b) in confirmed
                continue
            assert (a, b) not in confirmed
            confirmed.add((a, b))
            served = int((signup.left_at - signup.arrived_at).total_seconds() // 60)
            row = {"v": a, "s": b, "served": served, "credited": credited_minutes(served)}
            model.append(row)
            services.append((entry, row))
        elif services:
            index = a % len(services)
            target, source = services[index]
            try:
                if kind == "reverse":
                    ledger.hours_reverse(actor=organiser, entry=target, reason="更正")
                else:
                    _, corrected = ledger.hours_correct(
                        actor=organiser, entry=target, served_minutes=minutes, reason="更正"
                    )
            except ValidationError as error:
                assert error.code == "already_reversed" and index in reversed_
                continue
            assert index not in reversed_
            reversed_.add(index)
            model.append({**source, "served": -source["served"], "credited": -source["credited"]})
            if kind == "correct":
                row = {**source, "served": minutes, "credited": credited_minutes(minutes)}
                model.append(row)
                services.append((corrected, row))
    standing = len(services) - len(reversed_)
    _check(community, world, model, standing)


def _expected(model: list[dict[str, int]], keep: Any) -> tuple[int, int]:
    rows = [row for row in model if keep(row)]
    return sum(r["served"] for r in rows), sum(r["credited"] for r in rows)


def _summed(rows: Any) -> tuple[int, int]:
    # The entries themselves, added up in Python: what any total must equal.
    values = list(rows.values_list("served_minutes", "credited_minutes"))
    return sum(v[0] for v in values), sum(v[1] for v in values)


def _got(totals: ledger_selectors.Totals) -> tuple[int, int]:
    return totals.served_minutes, totals.credited_minutes


def _check(community: Any, world: dict[str, Any], model: list[dict[str, int]], standing: int):
    volunteers, teams, shifts = world["volunteers"], world["teams"], world["shifts"]
    entries = HoursEntry.objects.in_community(community)
    for i, volunteer in enumerate(volunteers):
        got = _got(ledger_selectors.volunteer_totals(volunteer))
        assert got == _expected(model, lambda r, i=i: r["v"] == i)
        assert got == _summed(entries.filter(volunteer=volunteer))
    for t, team in enumerate(teams):
        got = _got(ledger_selectors.team_totals(team))
        assert got == _expected(model, lambda r, t=t: r["s"] == t)
        assert got == _summed(entries.filter(team=team))
    for s, shift in enumerate(shifts):
        got = _got(ledger_selectors.activity_totals(shift.activity))
        assert got == _expected(model, lambda r, s=s: r["s"] == s)
        assert got == _summed(entries.filter(activity=shift.activity))
    community_totals = ledger_selectors.community_totals(community.pk)
    assert _got(community_totals) == _expected(model, lambda r: True) == _summed(entries)
    assert community_totals.services == standing
    day = timezone.localdate(shifts[1].starts_at)
    period = ledger_selectors.community_totals(community.pk, start=day, end=day)
    assert _got(period) == _expected(model, lambda r: r["s"] == 1)
    assert _got(period) == _summed(entries.filter(served_on=day))
