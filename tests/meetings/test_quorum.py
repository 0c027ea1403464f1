"""Quorum as plain data, checked as properties (hypothesis): arrivals and departures in any
order, recusals, proxies and second sittings, against a brute-force count minute by minute."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.bodies.charter import Rules, has_quorum
from gongzhi.meetings import quorum

T0 = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
MINUTES = 120
#: a loaded machine (the suite shares two cores) must not fail a property for slowness
ROOMY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


@st.composite
def rolls(draw: st.DrawFn, max_people: int = 9) -> tuple[frozenset[int], list[quorum.Stretch]]:
    """Seated members 1..n, and stretches of presence (members, and guests 100+ who never
    count); each person's stretches never overlap, some still open."""
    seated = frozenset(range(1, draw(st.integers(1, max_people)) + 1))
    people = sorted(seated) + [100, 101]
    stretches = []
    for person in people:
        cuts = sorted(draw(st.sets(st.integers(0, MINUTES), max_size=6)))
        pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
        for start, end in pairs:
            if start < end:
                stretches.append(quorum.Stretch(person, at(start), at(end)))
        if len(cuts) % 2 == 1:
            stretches.append(quorum.Stretch(person, at(cuts[-1])))
    return seated, stretches


def brute_present(seated: frozenset[int], stretches: list[quorum.Stretch], minute: int) -> int:
    moment = at(minute)
    return sum(
        1
        for person in seated
        if any(
            s.person == person and s.start <= moment and (s.end is None or moment < s.end)
            for s in stretches
        )
    )


@given(rolls(), st.integers(0, MINUTES), st.randoms())
@ROOMY
def test_who_is_present_does_not_depend_on_the_order_of_the_roll(roll, minute, rnd):
    seated, stretches = roll
    shuffled = list(stretches)
    rnd.shuffle(shuffled)
    one = quorum.count_at(seated=seated, stretches=stretches, at=at(minute))
    two = quorum.count_at(seated=seated, stretches=shuffled, at=at(minute))
    assert one == two
    assert one.present == brute_present(seated, stretches, minute)
    assert one.in_person <= seated  # guests and observers never count


@given(rolls(), st.integers(1, 100))
@ROOMY
def test_quorum_reached_at_some_moment_matches_a_minute_by_minute_count(roll, percent):
    seated, stretches = roll
    expected = any(
        has_quorum(
            Rules((), quorum_percent=percent, threshold_percent=50),
            seated=len(seated),
            present=brute_present(seated, stretches, minute),
        )
        for minute in range(MINUTES + 1)
    )
    assert quorum.reached(seated=seated, stretches=stretches, percent=percent) == expected


@given(rolls(), st.integers(0, MINUTES), st.integers(1, 100), st.data())
@ROOMY
def test_recused_members_leave_the_count_and_never_make_a_quorum(roll, minute, percent, data):
    seated, stretches = roll
    recused = frozenset(data.draw(st.sets(st.sampled_from(sorted(seated)))))
    plain = quorum.count_at(seated=seated, stretches=stretches, at=at(minute))
    less = quorum.count_at(seated=seated, stretches=stretches, at=at(minute), recused=recused)
    assert less.present == plain.present - len(plain.in_person & recused)
    assert not less.in_person & recused
    if quorum.met(seated=len(seated), present=less.present, percent=percent):
        assert quorum.met(seated=len(seated), present=plain.present, percent=percent)


@given(st.integers(0, 500), st.integers(1, 100))
@ROOMY
def test_needed_is_the_fewest_that_make_the_quorum(seated, percent):
    need = quorum.needed(seated, percent)
    rules = Rules((), quorum_percent=percent, threshold_percent=50)
    if seated == 0:
        assert not quorum.met(seated=0, present=need, percent=percent)
        return
    assert quorum.met(seated=seated, present=need, percent=percent)
    assert has_quorum(rules, seated=seated, present=need)
    if need > 1:
        assert not quorum.met(seated=seated, present=need - 1, percent=percent)


@given(rolls(), st.integers(2, 100), st.integers(1, 99))
@ROOMY
def test_a_second_sitting_never_needs_more_than_the_first(roll, first, second):
    seated, stretches = roll
    lower = quorum.sitting_percent(quorum_percent=first, sitting=2, second_sitting_percent=second)
    same = quorum.sitting_percent(quorum_percent=first, sitting=1, second_sitting_percent=second)
    none = quorum.sitting_percent(quorum_percent=first, sitting=2, second_sitting_percent=None)
    assert same == first and none == first and lower <= first
    assert quorum.needed(len(seated), lower) <= quorum.needed(len(seated), first)
    if quorum.reached(seated=seated, stretches=stretches, percent=first):
        assert quorum.reached(seated=seated, stretches=stretches, percent=lower)


@given(rolls(), st.integers(0, MINUTES), st.integers(0, 3), st.data())
@settings(ROOMY, max_examples=200)
def test_proxies_count_absent_givers_up_to_the_limit_of_each_present_holder(
    roll, minute, limit, data
):
    seated, stretches = roll
    members = sorted(seated)
    pairs = data.draw(
        st.lists(st.tuples(st.sampled_from(members), st.sampled_from(members)), max_size=8)
    )
    # one proxy per giver at a time (the database's constraint)
    givers: dict[int, int] = {}
    for g, h in pairs:
        if g != h:
            givers.setdefault(g, h)
    grants = [
        quorum.ProxyGrant(g, h, at(data.draw(st.integers(0, MINUTES)))) for g, h in givers.items()
    ]
    recused = frozenset(data.draw(st.sets(st.sampled_from(members), max_size=2)))
    count = quorum.count_at(
        seated=seated,
        stretches=stretches,
        at=at(minute),
        recused=recused,
        proxies=grants,
        max_proxies=limit,
    )
    assert not count.by_proxy & count.in_person
    assert not count.by_proxy & recused
    assert count.present <= len(seated)
    if limit == 0:
        assert not count.by_proxy
    carried: dict[int, int] = {}
    for giver in count.by_proxy:
        holder = givers[giver]
        assert holder in count.in_person and giver not in count.in_person
        carried[holder] = carried.get(holder, 0) + 1
    assert all(n <= limit for n in carried.values())
    # without proxies the count is the plain one
    plain = quorum.count_at(seated=seated, stretches=stretches, at=at(minute), recused=recused)
    assert count.in_person == plain.in_person
    assert count.present >= plain.present


def test_a_departure_at_a_moment_means_gone_at_that_moment():
    stretches = [quorum.Stretch(1, at(0), at(30)), quorum.Stretch(2, at(10))]
    seated = frozenset({1, 2, 3})
    assert quorum.count_at(seated=seated, stretches=stretches, at=at(29)).present == 2
    assert quorum.count_at(seated=seated, stretches=stretches, at=at(30)).present == 1
    assert quorum.reached(seated=seated, stretches=stretches, percent=66)
    assert not quorum.reached(seated=seated, stretches=stretches[:1], percent=50)
    assert quorum.ever_present(seated, stretches + [quorum.Stretch(100, at(0))]) == 2


def test_a_holder_carries_at_most_the_charters_number_of_proxies():
    stretches = [quorum.Stretch(1, at(0))]
    grants = [quorum.ProxyGrant(g, 1, at(g)) for g in (2, 3, 4)]
    seated = frozenset({1, 2, 3, 4, 5})
    one = quorum.count_at(
        seated=seated, stretches=stretches, at=at(10), proxies=grants, max_proxies=1
    )
    assert one.by_proxy == {2} and one.present == 2
    two = quorum.count_at(
        seated=seated, stretches=stretches, at=at(10), proxies=grants, max_proxies=2
    )
    assert two.by_proxy == {2, 3}
    random.shuffle(grants)
    assert quorum.count_at(
        seated=seated, stretches=stretches, at=at(10), proxies=grants, max_proxies=2
    ).by_proxy == {2, 3}
