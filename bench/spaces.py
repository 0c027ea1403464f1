"""`make bench-spaces` (booking part): a booking storm and the week grid at scale (issue 20).

1. Database: PostgreSQL by default (the local cluster, the database ``gongzhi_bench_spaces``,
   created if missing, kept between runs), or ``--database-url``; ``--sqlite`` for a SQLite file
   under var/bench-spaces/ (comparison only). ``--rebuild`` drops the bench's schema first.
2. Storm: ``--clients`` (50) concurrent clients, each a THREAD WITH ITS OWN DATABASE CONNECTION
   calling the booking engine (``booking.book``/``decide``: what the pages and the API call; no
   HTTP), released together by a barrier. Each client makes ``--requests`` (12) requests drawn
   from one random stream: single bookings of a room booked whole (with a cleaning buffer) and
   of a 10-seat reading room at a few contested times (so most requests collide), weekly
   series of 4 occurrences through the series service (``series.series_book``, all or nothing:
   ``book_rest=False``; its Series row, exceptions and journal entry as a resident's series
   gets them), requests for a hall that needs approval; two of the clients
   are the hall's managers and approve or refuse the pending requests as they appear, at the
   same time as the others book. Afterwards, from the table:
   - ``double_bookings``: pairs of occupying bookings of one seat whose ranges overlap, plus
     instants where a space holds more occupying bookings than seats;
   - ``lost_requests``: a success whose booking is not stored (or not occupying, unless a
     manager decided it); a series booked without every occurrence stored as a row of that
     series; and a refusal "taken" while nothing occupied that seat's time (the rows that
     occupied it when the refusal was given, from their created/updated times): for a series
     refused with its conflict report, every occurrence it names as taken must have been, and
     for "none of the times can be had", every occurrence;
   - ``bookings_per_s``: bookings stored per second of the storm, ``requests_per_s``.
3. Availability: a 4-seat room with ``--bookings`` (100,000) bookings over five years, loaded
   in bulk (COPY); ``booking_selectors.availability`` for weeks spread over those years and the
   current one, round robin, ``--repeat`` times, and the week page as a logged-in resident;
   ``/healthz`` the same way as the baseline (compare ratios across machines). Prints
   ``p95_availability_ms=``, ``availability_vs_healthz=``, ``p95_week_page_ms=``,
   ``availability_queries=``, the plan's index (``availability_plan=``) and
   ``goal_availability_under_100ms=yes|no``.

4. SQLite's no-overlap trigger (``bench/spaces_trigger.py``, a scratch SQLite file whatever the
   database): the time to insert a booking into a space with 1,000 bookings and into one with
   100,000, ``sqlite_insert_ratio_100k=`` (and with migration 0002's triggers, ``…_0002=``).

Prints ``key=value`` lines (also bench/results/spaces-<time>.txt).

    make bench-spaces
    .venv/bin/python bench/spaces.py --quick          # 20 clients, 20,000 bookings
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.learning import bench_community, load  # noqa: E402
from bench.load import timed  # noqa: E402
from bench.votes import (  # noqa: E402
    PostgresUnavailable,
    bench_database_url,
    machine,
    say,
    wipe_bench_database,
)

SLUG = "bench-spaces"
PG_DATABASE = "gongzhi_bench_spaces"
SQLITE_NAME = "spaces.sqlite3"
GOAL_MS = 100.0
PHONE_PREFIX = "+86136"
GRID_SPACE = "压测阅览室"
GRID_SEATS = 4
DAY_HOURS = range(8, 22)  # the grid's default day: 14 one-hour slots
SERIES_RULE = "FREQ=WEEKLY;COUNT=4"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=12, help="requests per client (12)")
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200, help="timed grids (200)")
    parser.add_argument("--quick", action="store_true", help="20 clients, 20,000 bookings")
    parser.add_argument("--rebuild", action="store_true", help="empty the database, seed again")
    parser.add_argument("--database-url", default="", help="default: PostgreSQL, " + PG_DATABASE)
    parser.add_argument("--sqlite", action="store_true", help="SQLite in --data-dir instead")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench-spaces")
    args, _unknown = parser.parse_known_args(argv)  # make's BENCH_ARGS serve two benches
    if args.quick:
        args.clients, args.bookings, args.repeat = 20, 20_000, 60
    args.data_dir = args.data_dir.resolve()
    return args


def setup(url: str, args: argparse.Namespace) -> None:
    os.environ["CREDENTIAL_KEY"] = secrets.token_urlsafe(40)
    os.environ["MEDIATION_KEY"] = secrets.token_urlsafe(40)
    from bench.django_setup import setup_django

    setup_django(url, args.data_dir)


# --- Seed ---------------------------------------------------------------------------------------


def community_and_people(clients: int) -> tuple[Any, Any, list[int]]:
    """The bench's community, its worker, and ``clients`` + 2 verified residents (made once)."""
    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.core.models import Community, Membership, VerificationMethod

    now = timezone.now()
    community = Community.objects.filter(slug=SLUG).first()
    if community is None:
        community, _worker = bench_community(SLUG, "空间", now)
    worker = (
        Membership.objects.in_community(community)
        .filter(role_grants__role="community_worker")
        .select_related("user")
        .first()
    )
    assert worker is not None
    have = User.objects.filter(phone__startswith=PHONE_PREFIX).count()
    if have < clients + 2:
        load(
            User,
            User(phone="-", phone_verified=True, password="!", display_name="-"),  # noqa: S106
            ["phone", "display_name"],
            ((f"{PHONE_PREFIX}{i:08d}", f"居民{i}") for i in range(have, clients + 2)),
        )
        members = set(Membership.objects.in_community(community).values_list("user_id", flat=True))
        new = [
            pk
            for pk in User.objects.filter(phone__startswith=PHONE_PREFIX).values_list(
                "pk", flat=True
            )
            if pk not in members
        ]
        load(
            Membership,
            Membership(
                community=community,
                user=worker.user,
                verified_at=now,
                verified_by=worker.user,
                verification_method=VerificationMethod.IN_PERSON,
            ),
            ["user_id"],
            ((pk,) for pk in new),
        )
    people = list(
        User.objects.filter(phone__startswith=PHONE_PREFIX)
        .order_by("phone")
        .values_list("pk", flat=True)[: clients + 2]
    )
    return community, worker.user, people


def grid_space(community: Any, worker: Any, bookings: int, people: list[int]) -> Any:
    """The 4-seat room with ``bookings`` one-hour bookings, seats and hours filled in turn from
    about 4.5 years ago (so the current weeks and a few ahead are full too)."""
    from django.db import connection
    from django.utils import timezone

    from gongzhi.spaces.models import Booking, BookingStatus, Space, SpaceKind, SpaceStatus

    space = Space.objects.in_community(community).filter(name=GRID_SPACE).first()
    if space is not None:
        count = Booking.objects.in_community(community).filter(space=space).count()
        if count == bookings:
            return space
        say(f"  the grid's room has {count:,} bookings, not {bookings:,}: run with --rebuild")
        raise SystemExit(2)
    space = Space.objects.in_community(community).create(
        name=GRID_SPACE,
        kind=SpaceKind.READING_ROOM,
        status=SpaceStatus.OPEN,
        seats=GRID_SEATS,
        capacity=GRID_SEATS,
        slot_minutes=60,
        created_by=worker,
    )
    per_day = GRID_SEATS * len(DAY_HOURS)
    days = -(-bookings // per_day)
    first = timezone.localdate() - timedelta(days=days - 60)
    tz = timezone.get_current_timezone()
    rng = random.Random(20)

    def rows() -> Any:
        n = 0
        for d in range(days):
            day = first + timedelta(days=d)
            for hour in DAY_HOURS:
                start = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
                for seat in range(1, GRID_SEATS + 1):
                    if n == bookings:
                        return
                    person = people[rng.randrange(len(people))]
                    end = start + timedelta(hours=1)
                    yield (space.pk, seat, start, end, end, person, person)
                    n += 1

    say(f"  loading {bookings:,} bookings over {days:,} days ...")
    load(
        Booking,
        Booking(
            community=community,
            space=space,
            starts_at=timezone.now(),
            ends_at=timezone.now(),
            busy_until=timezone.now(),
            status=BookingStatus.CONFIRMED,
            booked_by=worker,
            purpose="自习",
        ),
        ["space_id", "seat", "starts_at", "ends_at", "busy_until", "person_id", "booked_by_id"],
        rows(),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return space


# --- Storm --------------------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str  # book, series, request, decide
    space: int
    ranges: list[tuple[datetime, datetime]]
    ok: bool
    code: str = ""
    ids: list[int] = field(default_factory=list)
    began: float = 0.0
    ended: float = 0.0
    series: int | None = None  # a booked series: its row
    expected: int = 0  # a booked series: its occurrences


def storm_spaces(community: Any, worker: Any, stamp: str) -> dict[str, Any]:
    from gongzhi.spaces.models import ResidentAccess, Space, SpaceKind, SpaceStatus

    def make(name: str, **rules: Any) -> Any:
        rules.setdefault("capacity", 40)
        return Space.objects.in_community(community).create(
            name=f"{name}{stamp}",
            kind=SpaceKind.ROOM,
            status=SpaceStatus.OPEN,
            residents=ResidentAccess.ALL,
            created_by=worker,
            no_show_limit=0,
            **rules,
        )

    return {
        "room": make("风暴活动室", buffer_minutes=30),
        "reading": make("风暴阅览室", seats=10, capacity=10),
        "hall": make("风暴礼堂", needs_approval=True, hold_hours=2),
    }


def storm(args: argparse.Namespace, community: Any, worker: Any, people: list[int]) -> dict:
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import connection
    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.core.models import RoleGrant
    from gongzhi.spaces import booking as engine
    from gongzhi.spaces import series
    from gongzhi.spaces.models import Booking, BookingStatus

    stamp = datetime.now(tz=UTC).strftime("%m%d%H%M%S")
    spaces = storm_spaces(community, worker, stamp)
    clients, managers = people[: args.clients - 2], people[args.clients - 2 : args.clients]
    from gongzhi.core.models import Membership

    for pk in managers:  # the hall's managers: community workers
        membership = Membership.objects.in_community(community).get(user_id=pk)
        RoleGrant.objects.in_community(community).get_or_create(
            membership=membership, role="community_worker"
        )
    base = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(
        days=2
    )
    # a few contested times: 10 starts a day over 3 days, half-hour apart so ranges overlap
    starts = [base + timedelta(days=d, minutes=30 * k) for d in range(3) for k in range(10)]
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients) + len(managers))
    began_at = time.perf_counter()
    done = threading.Event()
    errors: list[str] = []

    def record(outcome: Outcome) -> None:
        with lock:
            outcomes.append(outcome)

    def weekly(user: Any, space: Any, start: datetime, length: timedelta, t0: float) -> Outcome:
        """A weekly series of four through the series service, all or nothing (``book_rest``
        False, as the page's first "book" is): booked whole, or refused with its conflicts."""
        minutes = int(length.total_seconds() // 60)
        weeks = [
            (start + timedelta(weeks=w), start + timedelta(weeks=w) + length) for w in range(4)
        ]
        try:
            got = series.series_book(
                actor=user,
                space=space,
                rrule=SERIES_RULE,
                starts_at=start,
                minutes=minutes,
                purpose="合唱",
                book_rest=False,
            )
        except (ValidationError, PermissionDenied) as error:
            code = getattr(error, "code", "") or type(error).__name__
            # "none of the times can be had": every occurrence is claimed taken
            taken = weeks if code == "series_none_free" else []
            return Outcome("series", space.pk, taken, False, code, [], t0, time.perf_counter())
        ended = time.perf_counter()
        if got.series is not None:
            return Outcome(
                "series",
                space.pk,
                weeks,
                True,
                "",
                [b.pk for b in got.booked],
                t0,
                ended,
                series=got.series.pk,
                expected=len(got.starts),
            )
        codes = {c.code for c in got.conflicts}
        code = "booking_taken" if codes == {"booking_taken"} else ",".join(sorted(codes))
        taken = [(c.starts_at, c.ends_at) for c in got.conflicts if c.code == "booking_taken"]
        return Outcome("series", space.pk, taken, False, code or "refused", [], t0, ended)

    def client(index: int, pk: int) -> None:
        rng = random.Random(1000 + index)
        user = User.objects.get(pk=pk)
        barrier.wait()
        try:
            for _n in range(args.requests):
                roll = rng.random()
                start = rng.choice(starts)
                length = timedelta(minutes=rng.choice((30, 60, 90)))
                if roll < 0.45:
                    kind, space = "book", spaces["room" if rng.random() < 0.6 else "reading"]
                elif roll < 0.6:
                    kind, space = "series", spaces["room"]
                else:
                    kind, space = "request", spaces["hall"]
                t0 = time.perf_counter()
                try:
                    if kind == "series":
                        record(weekly(user, space, start, length, t0))
                        continue
                    one = engine.book(
                        actor=user,
                        space=space,
                        starts_at=start,
                        ends_at=start + length,
                        purpose="活动",
                    )
                    ranges, ids = [(start, start + length)], [one.pk]
                    record(Outcome(kind, space.pk, ranges, True, "", ids, t0, time.perf_counter()))
                except (ValidationError, PermissionDenied) as error:
                    code = getattr(error, "code", "") or type(error).__name__
                    ranges = [(start, start + length)]
                    record(
                        Outcome(kind, space.pk, ranges, False, code, [], t0, time.perf_counter())
                    )
        except Exception as error:  # noqa: BLE001 - counted and shown
            errors.append(repr(error))
        finally:
            connection.close()

    def manager(index: int, pk: int) -> None:
        rng = random.Random(2000 + index)
        user = User.objects.get(pk=pk)
        barrier.wait()
        try:
            while (
                not done.is_set()
                or Booking.objects.in_community(community)
                .filter(space=spaces["hall"], status=BookingStatus.PENDING)
                .exclude(person_id=pk)
                .exists()
            ):
                pending = list(
                    Booking.objects.in_community(community)
                    .filter(space=spaces["hall"], status=BookingStatus.PENDING)
                    .exclude(person_id=pk)
                    .exclude(booked_by_id=pk)
                    .order_by("?")[:3]
                )
                if not pending:
                    time.sleep(0.01)
                    continue
                for booking in pending:
                    approve = rng.random() < 0.7
                    t0 = time.perf_counter()
                    try:
                        engine.decide(
                            actor=user,
                            booking=booking,
                            approve=approve,
                            reason="" if approve else "时间冲突",
                        )
                        record(
                            Outcome(
                                "decide",
                                booking.space_id,
                                [],
                                True,
                                "",
                                [booking.pk],
                                t0,
                                time.perf_counter(),
                            )
                        )
                    except (ValidationError, PermissionDenied) as error:
                        record(
                            Outcome(
                                "decide",
                                booking.space_id,
                                [],
                                False,
                                getattr(error, "code", "") or "denied",
                                [booking.pk],
                                t0,
                                time.perf_counter(),
                            )
                        )
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i, pk)) for i, pk in enumerate(clients)]
    threads += [threading.Thread(target=manager, args=(i, pk)) for i, pk in enumerate(managers)]
    for thread in threads:
        thread.start()
    for thread in threads[: len(clients)]:
        thread.join()
    storm_s = time.perf_counter() - began_at
    done.set()
    for thread in threads[len(clients) :]:
        thread.join()
    return check(spaces, outcomes, storm_s, errors, began_at)


def check(
    spaces: dict[str, Any],
    outcomes: list[Outcome],
    storm_s: float,
    errors: list[str],
    began_at: float,
) -> dict[str, Any]:
    """Count double bookings and lost requests from the table (see the module's docstring)."""
    from gongzhi.spaces.models import OCCUPYING, Booking, BookingStatus

    wall_origin = time.time() - (time.perf_counter() - began_at)  # perf_counter → epoch
    by_space = {space.pk: space for space in spaces.values()}
    rows = {
        b.pk: b
        for b in Booking.objects.in_community(next(iter(spaces.values())).community_id).filter(
            space__in=list(by_space)
        )
    }
    double = 0
    for space in by_space.values():
        occupying = sorted(
            (b.seat, b.starts_at, b.busy_until)
            for b in rows.values()
            if b.space_id == space.pk and b.status in OCCUPYING
        )
        for i, a in enumerate(occupying):
            for b in occupying[i + 1 :]:
                if b[0] != a[0] or b[1] >= a[2]:
                    break
                double += 1
        events = sorted([(s, 1) for _x, s, _e in occupying] + [(e, -1) for _x, _s, e in occupying])
        running = 0
        for _moment, change in events:
            running += change
            if running > space.seats:
                double += 1
    lost = 0
    decided = {o.ids[0] for o in outcomes if o.kind == "decide" and o.ok}
    for outcome in outcomes:
        if outcome.kind == "decide":
            continue
        if outcome.ok:
            if outcome.kind == "series":
                # a booked series has every occurrence, each a row of that series and no other
                lost += max(0, outcome.expected - len(outcome.ids))
                mine = {pk for pk, row in rows.items() if row.series_id == outcome.series}
                if mine != set(outcome.ids):
                    lost += 1
            for pk in outcome.ids:
                row = rows.get(pk)
                if row is None:
                    lost += 1
                elif row.status not in OCCUPYING and not (
                    pk in decided or row.status == BookingStatus.EXPIRED
                ):
                    lost += 1
            continue
        if outcome.code != "booking_taken" and not (
            outcome.kind == "series" and outcome.code == "series_none_free"
        ):
            continue
        space = by_space[outcome.space]
        moment_start = wall_origin + (outcome.began - began_at)
        moment_end = wall_origin + (outcome.ended - began_at)
        # taken: every range the refusal names (a single booking's, a series' conflicts) had
        # every seat occupied when it was refused
        for start, end in outcome.ranges:
            busy_end = end + timedelta(minutes=space.buffer_minutes)
            seats = {
                row.seat
                for row in rows.values()
                if row.space_id == space.pk
                and row.starts_at < busy_end
                and row.busy_until > start
                and row.created_at.timestamp() <= moment_end
                and (row.status in OCCUPYING or row.updated_at.timestamp() >= moment_start)
            }
            if len(seats) < space.seats:
                lost += 1
                break
    stored = sum(len(o.ids) for o in outcomes if o.ok and o.kind in ("book", "series", "request"))
    kinds: dict[str, int] = {}
    for outcome in outcomes:
        key = f"{outcome.kind}_{'ok' if outcome.ok else outcome.code or 'refused'}"
        kinds[key] = kinds.get(key, 0) + 1
    return {
        "storm_requests": len(outcomes),
        "storm_s": round(storm_s, 2),
        **{f"storm_{k}": v for k, v in sorted(kinds.items())},
        "storm_errors": len(errors),
        "storm_first_error": errors[0] if errors else "",
        "double_bookings": double,
        "lost_requests": lost,
        "bookings_per_s": round(stored / storm_s, 1),
        "requests_per_s": round(len(outcomes) / storm_s, 1),
    }


# --- Availability -------------------------------------------------------------------------------


def availability_scale(space: Any, resident_pk: int, args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.spaces import booking_selectors as selectors
    from gongzhi.spaces.models import Booking

    viewer = User.objects.get(pk=resident_pk)
    first = (
        Booking.objects.in_community(space.community_id).filter(space=space).earliest("starts_at")
    )
    today = timezone.localdate()
    span = (today - timezone.localtime(first.starts_at).date()).days
    weeks = [today] + [today - timedelta(days=span * k // 10) for k in range(1, 10)]
    weeks += [today + timedelta(days=7)]
    lines: dict[str, Any] = {}
    client = Client()
    health = timed([lambda: client.get("/healthz")], args.repeat)
    lines["healthz_p95_ms"] = round(health.p95_ms, 2)

    def grid(week: Any) -> Callable[[], Any]:
        return lambda: sum(len(d.slots) for d in selectors.availability(space, week, viewer).days)

    calls = [grid(w) for w in weeks]
    with CaptureQueriesContext(connection) as captured:
        calls[0]()
    lines["availability_queries"] = len(captured.captured_queries)
    sql = selectors.week_bookings(
        space,
        datetime.combine(today, datetime.min.time(), timezone.get_current_timezone()),
        datetime.combine(today, datetime.min.time(), timezone.get_current_timezone())
        + timedelta(days=7),
    ).explain()
    lines["availability_plan"] = (
        "booking_space_start"
        if "booking_space_start" in sql
        else ("seq_scan" if "Seq Scan" in sql or "SCAN" in sql else sql.split("\n")[0][:60])
    )
    lines["week_rows_now"] = selectors.week_bookings(
        space,
        datetime.combine(
            selectors.monday_of(today), datetime.min.time(), timezone.get_current_timezone()
        ),
        datetime.combine(
            selectors.monday_of(today), datetime.min.time(), timezone.get_current_timezone()
        )
        + timedelta(days=7),
    ).count()
    timing = timed(calls, args.repeat)
    lines["p50_availability_ms"] = round(timing.p50_ms, 2)
    lines["p95_availability_ms"] = round(timing.p95_ms, 2)
    lines["availability_vs_healthz"] = round(timing.p95_ms / health.p95_ms, 1)
    page = Client()
    page.force_login(viewer)
    url = reverse("spaces_week", kwargs={"slug": SLUG, "space_id": space.pk})

    def week_page(week: Any) -> Callable[[], Any]:
        return lambda: page.get(url, {"week": week.isoformat()})

    pages = [week_page(w) for w in weeks]
    status = pages[0]().status_code
    if status == 200:
        page_timing = timed(pages, args.repeat)
        lines["p95_week_page_ms"] = round(page_timing.p95_ms, 2)
        lines["week_page_vs_healthz"] = round(page_timing.p95_ms / health.p95_ms, 1)
    else:
        lines["week_page_status"] = status
    lines["goal_availability_under_100ms"] = "yes" if timing.p95_ms < GOAL_MS else "no"
    return lines


# --- Main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        url, facts = bench_database_url(args, SQLITE_NAME, PG_DATABASE)
    except PostgresUnavailable as exc:
        say(f"error: {exc}")
        return 2
    if args.rebuild:
        wipe_bench_database(url, args, SQLITE_NAME)
    setup(url, args)
    from django.db import connection

    lines: dict[str, Any] = {
        "database": connection.vendor,
        **facts,
        **machine(),
        "loadavg_start": "/".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    community, worker, people = community_and_people(args.clients)
    say("the grid's room ...")
    began = time.perf_counter()
    space = grid_space(community, worker, args.bookings, people)
    lines["grid_bookings"] = args.bookings
    lines["seed_s"] = round(time.perf_counter() - began, 1)
    say(f"the storm: {args.clients} clients (threads, own connections) ...")
    lines["storm_clients"] = args.clients
    lines["storm_mode"] = "threads_own_connections"
    lines.update(storm(args, community, worker, people))
    say("the availability grid ...")
    lines.update(availability_scale(space, people[0], args))
    say("SQLite's no-overlap trigger at 1,000 and 100,000 bookings ...")
    from bench import spaces_trigger

    lines.update(
        spaces_trigger.measure(
            argparse.Namespace(small=1_000, large=100_000, repeat=40, data_dir=args.data_dir)
        )
    )
    lines["loadavg_end"] = "/".join(f"{x:.1f}" for x in os.getloadavg())
    lines["bench_s"] = round(time.perf_counter() - started, 1)
    lines["python"] = platform.python_version()
    text = "\n".join(f"{key}={value}" for key, value in lines.items())
    print(text, flush=True)
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    (results_dir / f"spaces-{stamp}.txt").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
