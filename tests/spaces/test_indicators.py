"""Spaces' indicators: the journal-only ones on entries written by hand (no database; the
evaluation fixture hand-counts them too), the row-based ones on booking rows counted by hand,
the registry, the ladder, and the home tile and console link."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from gongzhi.bodies.models import Body, Partner, PartnerKind
from gongzhi.core.home import console_links, home_tiles
from gongzhi.core.manifests import indicator_registry, verb_labels
from gongzhi.core.models import Role
from gongzhi.evaluation import ladder
from gongzhi.evaluation import services as evaluation_services
from gongzhi.evaluation.engine import (
    JOURNAL_INDICATORS,
    Cell,
    Entry,
    EvalInput,
    PeopleCell,
    Person,
    evaluate,
)
from gongzhi.spaces import hours as opening
from gongzhi.spaces import indicators
from gongzhi.spaces.models import BookingStatus, Space, SpaceStatus
from tests.factories import member
from tests.spaces.world import booking_of, space_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTHS = ["2026-01", "2026-02", "2026-03"]
PEOPLE = {
    pid: Person(pid, verified, None, grid=grid, consented=True, groups=frozenset(groups))
    for pid, verified, grid, groups in (
        ("p", date(2025, 1, 1), "G1", {"elderly"}),
        ("q", date(2025, 1, 1), "G1", {"disabled"}),
        ("r", date(2025, 1, 1), "G2", set()),
        ("s", date(2026, 2, 10), "G2", set()),  # verified in February
    )
}
JOURNAL_KEYS = {
    "spaces.bookers",
    "spaces.no_shows",
    "spaces.idle_area_opened",
    "spaces.things_lent",
}
ROW_KEYS = {
    "spaces.bookings_per_space",
    "spaces.hours_per_space",
    "spaces.occupancy",
    "spaces.bookings_residents",
    "spaces.bookings_organisations",
    "spaces.bookings_partners",
}


def _input(*rows: tuple[Any, ...], months: list[str] = MONTHS) -> EvalInput:
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
    return EvalInput(entries=entries, persons=PEOPLE, months=months, tz=SHANGHAI)


def _counts(cells: dict[str, Any]) -> list[float]:
    return [cells[m].numerator for m in MONTHS]


def test_bookers_are_the_residents_own_booking_acts_split_by_group():
    cells = indicators.bookers(
        _input(
            ("01-05", "booking.made", "p", "spaces.booking:1", {}),
            ("01-06", "booking.made", "w", "spaces.booking:2", {}, "q"),  # 代办: q's booking
            ("01-07", "booking.waiting", "r", "spaces.waitingrequest:1", {}),  # not a booking
            ("02-03", "series.booked", "s", "spaces.series:1", {}),  # verified by month's end
            ("02-04", "draw.requested", "r", "spaces.drawrequest:1", {}),
            ("02-05", "booking.approved", "w", "spaces.booking:3", {}),  # staff
            ("03-02", "booking.requested", "x", "spaces.booking:4", {}),  # not a member
        )
    )
    verified = frozenset({"p", "q", "r"})
    assert cells["2026-01"] == PeopleCell(frozenset({"p", "q"}), verified)
    assert cells["2026-02"] == PeopleCell(frozenset({"r", "s"}), verified | {"s"})
    assert cells["2026-03"].value == 0
    january = cells["2026-01"]
    assert isinstance(january, PeopleCell)
    assert january.restricted(frozenset({"p"})).value == 1.0  # the elderly
    assert january.restricted(frozenset({"q"})).value == 1.0  # the disabled
    assert january.restricted(frozenset({"r", "s"})).value == 0.0


def test_no_shows_once_each_and_not_when_withdrawn_on_appeal():
    cells = indicators.no_shows(
        _input(
            ("01-05", "booking.released", None, "spaces.booking:1", {}),
            ("01-06", "booking.released", None, "spaces.booking:2", {}),
            ("02-01", "booking.released", None, "spaces.booking:1", {}),  # again: once
            ("02-02", "booking.no_show_withdrawn", "w", "spaces.booking:2", {}),
            ("03-03", "booking.released", None, "spaces.booking:3", {}),
            ("03-04", "booking.no_show_upheld", "w", "spaces.booking:3", {}),
        )
    )
    assert _counts(cells) == [1, 0, 1]


def test_idle_area_opened_and_things_lent():
    inp = _input(
        ("01-02", "idle.recorded", "w", "spaces.idlespace:1", {"area_m2": "120.00"}),
        ("02-02", "idle.opened", "w", "spaces.idlespace:1", {"area_m2": "120.00"}),
        ("02-03", "idle.opened", "w", "spaces.idlespace:2", {"area_m2": "35.5"}),
        ("03-03", "idle.opened", "w", "spaces.idlespace:1", {"area_m2": "120.00"}),  # once
        ("03-04", "idle.opened", "w", "spaces.idlespace:3", {}),  # no size: 0
        ("01-10", "loan.lent", "w", "spaces.loan:1", {"count": 4}),
        ("01-11", "loan.returned", "w", "spaces.loan:1", {"count": 4}),
        ("03-10", "loan.lent", "w", "spaces.loan:2", {}),
    )
    assert _counts(indicators.idle_area_opened(inp)) == [0, 155.5, 0]
    assert _counts(indicators.things_lent(inp)) == [4, 0, 1]


def test_row_based_figures_refuse_an_export_without_rows():
    with pytest.raises(ValueError, match="booking rows"):
        indicators.occupancy(_input())


def test_the_registry_and_the_plain_cli():
    registry = indicator_registry()
    assert {k for k in registry if k.startswith("spaces.")} == JOURNAL_KEYS | ROW_KEYS
    for key in JOURNAL_KEYS:
        assert registry[key].journal_only and key in JOURNAL_INDICATORS
    for key in ROW_KEYS:
        assert not registry[key].journal_only and key not in JOURNAL_INDICATORS
    assert registry["spaces.bookers"].people and registry["spaces.bookers"].kind == "rate"
    assert registry["spaces.occupancy"].kind == "rate"
    assert registry["spaces.no_shows"].better == "down"
    results = evaluate(_input(), {key: registry[key].compute for key in JOURNAL_KEYS})
    assert {key: list(cells) for key, cells in results.items()} == dict.fromkeys(
        JOURNAL_KEYS, MONTHS
    )


def test_every_spaces_verb_is_on_the_ladder_or_excused_and_none_is_a_say():
    verbs = {v for v in verb_labels() if v.split(".")[0] in {"space", "booking", "draw", "idle"}}
    verbs |= {"series.booked", "series.cancelled", "resource.created", "loan.lent"}
    for verb in verbs:
        assert verb in ladder.NO_RUNG and ladder.rung_of(verb) is None, verb


def test_open_minutes_are_the_lengths_of_open_ranges():
    hours = opening.load(
        {
            "weekly": {
                "mon": [["08:30", "12:00"], ["14:00", "21:00"]],
                "sat": [["09:00", "17:00"]],
            },
            "closures": [{"from": "2026-03-16", "to": "2026-03-16", "reason": "repairs"}],
        }
    )
    day = date(2026, 3, 1)
    for n in range(60):  # March and April: a closure, Qingming, a weekend
        current = day + timedelta(days=n)
        length = sum(((b - a).total_seconds() for a, b in opening.open_ranges(hours, current)), 0.0)
        assert indicators.open_minutes(hours, current) * 60 == length, current
    assert indicators.open_minutes(hours, date(2026, 3, 9)) == 210 + 420
    assert indicators.open_minutes(hours, date(2026, 3, 16)) == 0  # closed for repairs


def _local(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_use_per_space_occupancy_and_who_booked_from_the_rows(community, other_community):
    """March 2026 (no holiday, no make-up day): room A opens weekdays 09:00-12:00 with two
    seats (22 weekdays: 66 hours, 132 seat-hours); hall B has no hours; room C is a draft; a
    space of another community is not counted."""
    worker = member(community, role=Role.COMMUNITY_WORKER)
    resident, neighbour = member(community), member(community)
    body = Body.objects.in_community(community).create(
        kind="interest_group", name="合唱团", created_by=worker
    )
    partner = Partner.objects.create(
        street=community.street, kind=PartnerKind.choices[0][0], name="物业", created_by=worker
    )
    weekdays = {d: [["09:00", "12:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    room = space_of(community, worker, name="A", seats=2, hours={"weekly": weekdays})
    hall = space_of(community, worker, name="B", kind="hall")
    draft = space_of(community, worker, name="C", status=SpaceStatus.DRAFT)
    elsewhere = space_of(other_community, name="外")
    Space.objects.all_communities().filter(
        pk__in=[room.pk, hall.pk, draft.pk, elsewhere.pk]
    ).update(created_at=datetime(2026, 1, 1, tzinfo=UTC))
    # Room A: 2 h, an organisation's hour on seat 2, a released no-show hour; a cancelled and a
    # pending booking and one starting in February are not counted.
    booking_of(room, resident, _local(3, 9), hours=2)
    booking_of(room, neighbour, _local(4, 9), seat=2, body=body)
    booking_of(room, resident, _local(5, 9), status=BookingStatus.RELEASED, no_show=True)
    booking_of(room, resident, _local(6, 9), status=BookingStatus.CANCELLED)
    booking_of(room, neighbour, _local(9, 9), status=BookingStatus.PENDING, hold_until=_local(9, 8))
    booking_of(room, resident, _local(27, 9, month=2))
    # Hall B: a partner's 3 hours, and a resident's hour from 23:30 on 31 March local (March,
    # though 31 March 15:30 UTC); one from 23:30 on 28 February local is February's.
    booking_of(hall, worker, _local(10, 14), hours=3, partner=partner)
    booking_of(hall, neighbour, _local(31, 23, 30))
    booking_of(hall, neighbour, _local(28, 23, 30, month=2))
    booking_of(draft, resident, _local(12, 10))  # a draft space's row, say from a test
    booking_of(elsewhere, member(other_community), _local(3, 9))

    inp = evaluation_services.eval_input(community, months=["2026-02", "2026-03"])
    results = evaluate(inp, {k: indicator_registry()[k].compute for k in ROW_KEYS})
    march = {key: results[key]["2026-03"] for key in ROW_KEYS}
    february = {key: results[key]["2026-02"] for key in ROW_KEYS}
    # Bookings given in March: A 3 (2 h, 1 h organisation, 1 h released), B 2, C 1 (never
    # open, but booked: in use) over the three spaces in use.
    assert march["spaces.bookings_per_space"] == Cell(6, 3)
    # Hours used: 2 + 1 (A, the no-show left out) + 3 + 1 (B) + 1 (C) = 8, over 3 spaces.
    assert march["spaces.hours_per_space"] == Cell(8, 3)
    # Occupancy over A only (B has no hours): 2 + 1 + 1 booked of 2 seats × 66 hours.
    assert march["spaces.occupancy"] == Cell(4, 132)
    assert march["spaces.bookings_residents"] == Cell(4, None)  # A 2, B 1, C 1
    assert march["spaces.bookings_organisations"] == Cell(1, None)
    assert march["spaces.bookings_partners"] == Cell(1, None)
    # February: the two bookings starting then; A opens 3 hours on each of its weekdays (the
    # Spring Festival closes it 16-20 and 23 February; the make-up Saturdays 14 and 28 February
    # open as Mondays).
    assert february["spaces.bookings_per_space"] == Cell(2, 2)
    feb_minutes = sum(
        indicators.open_minutes(opening.load(room.hours), date(2026, 2, d)) for d in range(1, 29)
    )
    assert february["spaces.occupancy"] == Cell(1, 2 * feb_minutes / 60)


@pytest.mark.django_db
def test_a_space_opened_and_closed_through_the_journal_counts_its_open_days_only(
    community,
):
    worker = member(community, role=Role.COMMUNITY_WORKER)
    room = space_of(
        community,
        worker,
        status=SpaceStatus.CLOSED,
        hours={"weekly": {d: [["10:00", "12:00"]] for d in ("sat", "sun")}},
    )
    target = f"spaces.space:{room.pk}"

    def entry(seq: int, day: int, verb: str) -> Entry:
        at = datetime(2026, 3, day, 2, tzinfo=UTC)
        return Entry(seq=seq, at=at, verb=verb, actor=None, target=target, data={})

    journal = [entry(1, 7, "space.opened"), entry(2, 10, "space.closed")]
    inp = EvalInput(entries=journal, persons={}, months=["2026-03"], tz=SHANGHAI)
    inp.cache["community_id"] = community.pk
    # Open from Saturday 7 March to Tuesday 10 March: the weekend of 7 and 8, 2 hours each.
    assert indicators.occupancy(inp)["2026-03"] == Cell(0, 4)
    assert indicators.bookings_per_space(inp)["2026-03"] == Cell(0, 1)


@pytest.mark.django_db
def test_the_home_tile_links_booking_without_a_query_and_the_console_links_spaces(
    community, resident, worker, django_assert_num_queries
):
    from gongzhi.spaces.home import shared_spaces

    with django_assert_num_queries(0):
        tile = shared_spaces(community, resident)
    assert tile is not None
    assert [item.url for item in tile.items] == [
        reverse("spaces_home", kwargs={"slug": community.slug}),
        reverse("spaces_mine", kwargs={"slug": community.slug}),
    ]
    assert "spaces.book" in {t.key for t in home_tiles(community=community, user=resident)}
    assert "spaces.book" not in {
        t.key for t in home_tiles(community=community, user=AnonymousUser())
    }
    urls = {entry.url for entry in console_links(community=community, user=worker)}
    assert reverse("spaces_home", kwargs={"slug": community.slug}) in urls
    assert reverse("spaces_home", kwargs={"slug": community.slug}) not in {
        entry.url for entry in console_links(community=community, user=resident)
    }
