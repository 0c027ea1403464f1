"""Quorum from the roll call, as plain data (no ORM): who is present at a moment, and whether
enough seated members are there.

The roll call is a list of ``Stretch`` (a person's arrival and, once they left, departure; a
person who leaves and comes back has two). At a moment ``at`` a person is present when a
stretch covers it: arrived at or before ``at`` and not yet left (a departure at ``at`` means
gone at ``at``). Only seated members count; observers and guests never do.

For an item, members who declared a conflict of interest (回避) leave its quorum and its vote:
they are not counted present, and the quorum's base stays every seated member (as
``bodies.charter.has_quorum`` reads it), so a body where too many recuse cannot decide.

Proxies (委托), where the charter allows them: a present member holding the proxy of an
absent seated member counts them too, up to ``max_proxies`` proxies per holder (the earliest
given first). A recused giver or holder carries nothing on that item.

A second sitting (二次会议, called when the first had no quorum) uses the charter's lower
quorum when it has one; a power's own quorum ("two thirds for some matters") is never lowered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Stretch:
    """A person present from ``start`` until ``end`` (none: still there)."""

    person: int
    start: datetime
    end: datetime | None = None

    def covers(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)


@dataclass(frozen=True)
class ProxyGrant:
    """``giver``'s vote carried by ``holder`` from ``start`` until revoked at ``end``."""

    giver: int
    holder: int
    start: datetime
    end: datetime | None = None

    def covers(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)


@dataclass(frozen=True)
class Count:
    """Members counted at a moment: in person, by proxy, and the recused left out."""

    in_person: frozenset[int]
    by_proxy: frozenset[int]
    recused: frozenset[int]

    @property
    def present(self) -> int:
        return len(self.in_person) + len(self.by_proxy)


def present_at(stretches: Iterable[Stretch], at: datetime) -> frozenset[int]:
    """Everyone (members or not) present at ``at``."""
    return frozenset(s.person for s in stretches if s.covers(at))


def needed(seated: int, percent: int) -> int:
    """The fewest members present that make ``percent`` of ``seated`` (at least one)."""
    return max(1, -(-percent * seated // 100))


def met(*, seated: int, present: int, percent: int) -> bool:
    """As ``bodies.charter.has_quorum``: ``present`` is at least ``percent`` of ``seated``."""
    return seated > 0 and present * 100 >= percent * seated


def sitting_percent(
    *, quorum_percent: int, sitting: int, second_sitting_percent: int | None
) -> int:
    """The quorum of this sitting: the second sitting's lower one where the charter has it."""
    if sitting >= 2 and second_sitting_percent is not None:
        return min(quorum_percent, second_sitting_percent)
    return quorum_percent


def count_at(
    *,
    seated: frozenset[int],
    stretches: Iterable[Stretch],
    at: datetime,
    recused: frozenset[int] = frozenset(),
    proxies: Iterable[ProxyGrant] = (),
    max_proxies: int = 0,
) -> Count:
    """Who counts toward the quorum at ``at`` (``max_proxies`` 0: proxies not allowed)."""
    here = present_at(stretches, at) & seated
    in_person = here - recused
    carried: dict[int, int] = {}
    by_proxy: set[int] = set()
    if max_proxies > 0:
        for grant in sorted(proxies, key=lambda g: (g.start, g.giver)):
            if not grant.covers(at) or grant.giver in by_proxy:
                continue
            if grant.giver not in seated or grant.giver in here or grant.giver in recused:
                continue
            if grant.holder not in in_person or carried.get(grant.holder, 0) >= max_proxies:
                continue
            carried[grant.holder] = carried.get(grant.holder, 0) + 1
            by_proxy.add(grant.giver)
    return Count(frozenset(in_person), frozenset(by_proxy), frozenset(recused & seated))


def moments(stretches: Iterable[Stretch], proxies: Iterable[ProxyGrant] = ()) -> list[datetime]:
    """The moments the count can rise: every arrival and every proxy given."""
    return sorted({s.start for s in stretches} | {g.start for g in proxies})


def reached(
    *,
    seated: frozenset[int],
    stretches: Iterable[Stretch],
    percent: int,
    proxies: Iterable[ProxyGrant] = (),
    max_proxies: int = 0,
) -> bool:
    """Whether the quorum was met at any moment (no recusals: the meeting as a whole)."""
    stretches, proxies = list(stretches), list(proxies)
    return any(
        met(
            seated=len(seated),
            present=count_at(
                seated=seated,
                stretches=stretches,
                at=at,
                proxies=proxies,
                max_proxies=max_proxies,
            ).present,
            percent=percent,
        )
        for at in moments(stretches, proxies)
    )


def ever_present(seated: frozenset[int], stretches: Iterable[Stretch]) -> int:
    """Distinct seated members present at any time (in person)."""
    return len({s.person for s in stretches} & seated)
