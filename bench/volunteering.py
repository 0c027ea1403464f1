"""`make bench-volunteering`: the volunteer sign-up storm and the hours ledger at scale (issue 17:
no overbooking under 400 concurrent sign-ups; a person's record and a team's totals p95 < 100 ms
at 100,000 volunteers and 5,000,000 ledger entries; the whole bench under 20 minutes).

1. Database: PostgreSQL by default (Debian's cluster on 127.0.0.1:5432, the database
   ``gongzhi_bench_volunteering``, created if missing, as bench/votes.py does), or any
   ``--database-url``; ``--sqlite`` for a SQLite file under var/bench-volunteering/ (comparison
   only: the storm's point is PostgreSQL). The seeded data is kept while it holds the asked
   numbers, so a second run only measures; ``--rebuild`` empties the bench's database (drops its
   schema: the ledger's rows cannot be deleted, triggers refuse it) and seeds it again.
2. Seed, in bulk: one community, a worker, ``--volunteers`` verified residents (100,000), each
   registered as a volunteer in one of 50 teams (the storm's clients get an API token each);
   2,000 activities; then ``--entries`` hours entries (5,000,000; one in 200 a reversal of the
   entry before it) over five years, skewed so that a few volunteers have thousands of entries
   and most a handful (volunteer ⌊n·u²⌋). On PostgreSQL all of it is INSERT … SELECT inside the
   database (the entries from ``generate_series``, their numbers hashed from the series number:
   the same data every run), the hours table's secondary indexes, unique constraints and
   foreign keys dropped for the load and made after it, then ``VACUUM (ANALYZE)`` of the hours
   table (the visibility map its index-only scans need) and ANALYZE. On SQLite (comparison
   only) the ORM and executemany (the append-only triggers only refuse UPDATE and DELETE).
3. The storm (``--rounds`` rounds, each on new shifts a day apart): gunicorn (production
   settings, DEBUG=0, ``--workers``, the task worker beside it as in production) on a loopback
   port; ``--clients`` threads (400), each with its own volunteer's token and connection, wait
   at a barrier and then all POST ``/api/v1/communities/{slug}/volunteering/shifts/{id}/signups``
   at once, client i to shift i mod ``--shifts`` (20 shifts of ``--capacity`` 10: 20 clients
   per shift, 10 places). Before it, in the same run and server, the same clients all GET
   ``/api/v1/me`` at once: the baseline. Then the database is checked against every answer:
   ``overbooked`` = places taken beyond a shift's capacity (summed); ``lost_signups`` = a 2xx
   answer with no sign-up stored (or stored with another status than answered), plus a refusal
   or a waiting-list answer for a shift that still has a free place at the end; ``errors`` =
   5xx and failed connections. ``signups_per_s`` = 2xx answers ÷ the wall time of the burst
   (median of the rounds), and its ratio to the baseline's requests per second.
4. Scale: in-process (django.test.Client, the server's own time, no network), ``--repeat``
   requests each after a warm-up, with the SQL query count: a volunteer's record (their hours,
   newest first, with totals) and a team's totals, through the ledger part's API routes and
   selectors; ``/healthz`` is measured the same way and each p95 is also printed as a ratio to
   it (compare ratios across machines, not milliseconds). Volunteers measured: a sample across
   the whole range and the one with the most entries; teams: all 50.

Prints ``key=value`` lines (also written to bench/results/volunteering-<time>.txt), among them
``overbooked=``, ``lost_signups=``, ``signups_per_s=``, ``p95_record_ms=`` and ``p95_team_ms=``.

    make bench-volunteering
    .venv/bin/python bench/volunteering.py --database-url postgres://gongzhi:gongzhi@127.0.0.1:5432/x
    .venv/bin/python bench/volunteering.py --quick          # 2,000 volunteers, 100,000 entries
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import secrets
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load import LOOPBACK, Timing, percentile, timed  # noqa: E402
from bench.server import Server  # noqa: E402
from bench.votes import (  # noqa: E402
    WORKER_PHONE,
    PostgresUnavailable,
    bench_database_url,
    machine,
    say,
    seed,
    wipe_bench_database,
)

SLUG = "bench-volunteering"
PG_DATABASE = "gongzhi_bench_volunteering"
GOAL_MS = 100.0
TEAMS = 50
ACTIVITIES = 2000
YEARS = 5
REVERSAL_EVERY = 200
TEAM_NAMES = ["环境", "治安巡逻", "邻里互助", "花园养护", "助老"]
API = "/api/v1/communities/" + SLUG + "/volunteering"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=5_000_000)
    parser.add_argument("--clients", type=int, default=400)
    parser.add_argument("--shifts", type=int, default=20)
    parser.add_argument("--capacity", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="storm rounds, new shifts each (3)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--repeat", type=int, default=40, help="timed requests per read (40)")
    parser.add_argument("--sample", type=int, default=40, help="volunteers whose record is read")
    parser.add_argument("--quick", action="store_true", help="2,000 volunteers, 100,000 entries")
    parser.add_argument("--rebuild", action="store_true", help="empty the database, seed again")
    parser.add_argument("--database-url", default="", help="default: PostgreSQL, " + PG_DATABASE)
    parser.add_argument("--sqlite", action="store_true", help="SQLite in --data-dir instead")
    parser.add_argument("--skip-storm", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench-volunteering")
    args = parser.parse_args(argv)
    if args.quick:
        args.volunteers, args.entries = 2_000, 100_000
        args.repeat, args.sample, args.rounds = 15, 15, 1
    if args.clients > args.volunteers:
        parser.error("--clients may not exceed --volunteers (each client is a volunteer)")
    args.data_dir = args.data_dir.resolve()
    return args


# --- Database and Django ----------------------------------------------------------------------


def setup(url: str, args: argparse.Namespace) -> dict[str, str]:
    """Django in this process against the bench's database (migrated), and the environment
    the server gets: the same database and keys, tasks in the database as in production."""
    os.environ["CREDENTIAL_KEY"] = secrets.token_urlsafe(40)
    from bench.django_setup import setup_django

    setup_django(url, args.data_dir)
    env = dict(os.environ)
    env.update(TASKS_BACKEND="database", ALLOWED_HOSTS=LOOPBACK, PYTHONDONTWRITEBYTECODE="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


# --- Seed ---------------------------------------------------------------------------------------


@dataclass
class World:
    community_id: int
    worker_id: int
    person_ids: list[int]  # residents, in phone order
    tokens: dict[int, str] = field(default_factory=dict)  # person id → raw token (storm clients)


def seeded() -> tuple[int, int]:
    """(volunteers, hours entries) already in the bench's community."""
    from gongzhi.core.models import Community
    from gongzhi.volunteering.models import HoursEntry, Volunteer

    community = Community.objects.filter(slug=SLUG).first()
    if community is None:
        return 0, 0
    return (
        Volunteer.objects.in_community(community).count(),
        HoursEntry.objects.in_community(community).count(),
    )


def insert_select(
    model: Any, template: Any, varying: dict[str, str], source: str, params: Sequence[Any] = ()
) -> int:
    """``INSERT INTO <model's table> SELECT … <source>``: one statement for many rows. Every
    column takes ``template``'s value (its defaults, as Django would save it) unless ``varying``
    gives it an SQL expression over ``source``'s columns. Returns the rows inserted."""
    from django.db import connection

    columns, values, constants = [], [], []
    for field_ in model._meta.concrete_fields:
        if field_.primary_key:
            continue
        columns.append(connection.ops.quote_name(field_.column))
        if field_.column in varying:
            values.append(varying[field_.column])
        else:
            values.append("%s")
            constants.append(field_.get_db_prep_save(field_.pre_save(template, True), connection))
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - ours
        f"SELECT {', '.join(values)} {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants, *params])
        return int(cursor.rowcount)


def seed_people(args: argparse.Namespace) -> None:
    """The community, its worker, residents each registered as a volunteer in one of the teams;
    the activities. On PostgreSQL the residents, memberships, volunteers and team memberships
    are one INSERT … SELECT each; the storm's clients get their tokens in world_of (only they
    need one). SQLite (comparison only) goes through the ORM, bench/votes.py's seed."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.core.models import (
        Community,
        District,
        Membership,
        Role,
        RoleGrant,
        Street,
        VerificationMethod,
    )
    from gongzhi.volunteering.models import (
        ActivityStatus,
        Team,
        TeamKind,
        TeamMember,
        Volunteer,
        VolunteerActivity,
    )

    began = time.perf_counter()
    now = timezone.now()
    postgres = connection.vendor == "postgresql"
    if postgres:
        with transaction.atomic():
            district = District.objects.create(name="压测区", slug=SLUG)
            street = Street.objects.create(district=district, name="压测街道", slug=SLUG)
            community = Community.objects.create(street=street, name="压测社区", slug=SLUG)
            worker_user = User.objects.create_user(WORKER_PHONE, display_name="压测社工")
            membership = Membership.objects.in_community(community).create(
                user=worker_user, verified_at=now, verification_method=VerificationMethod.IN_PERSON
            )
            RoleGrant.objects.in_community(community).create(
                membership=membership, role=Role.COMMUNITY_WORKER
            )
            insert_select(
                User,
                User(phone="-", phone_verified=True, password="!", display_name="-"),  # noqa: S106
                {"phone": "'+86139' || lpad(g::text, 8, '0')", "display_name": "'居民' || g"},
                "FROM generate_series(0, %s - 1) AS g",
                [args.volunteers],
            )
            residents = (
                f"FROM {User._meta.db_table} AS u "  # noqa: S608 - ours
                "WHERE u.phone LIKE '+86139%%' ORDER BY u.id"
            )
            insert_select(
                Membership,
                Membership(
                    community=community,
                    user=worker_user,
                    verified_at=now,
                    verified_by=worker_user,
                    verification_method=VerificationMethod.IN_PERSON,
                ),
                {"user_id": "u.id"},
                residents,
            )
        cid, worker = community.pk, worker_user.pk
    else:
        world = seed(args.volunteers, slug=SLUG)
        cid, worker = world.community_id, world.worker_id
    say(f"  {args.volunteers:,} residents ({time.perf_counter() - began:.0f} s)")
    kinds = list(TeamKind.values)
    with transaction.atomic():
        teams = Team.objects.bulk_create(
            [
                Team(
                    community_id=cid,
                    name=f"{TEAM_NAMES[n % len(TEAM_NAMES)]}服务队{n + 1}",
                    kind=kinds[n % len(kinds)],
                    created_by_id=worker,
                )
                for n in range(TEAMS)
            ]
        )
        template = Volunteer(
            community_id=cid,
            person_id=worker,
            skills=["环境"],
            emergency_name="家属",
            emergency_phone="+8613800000000",
            consent_at=now,
            created_at=now,
        )
        if postgres:
            insert_select(Volunteer, template, {"person_id": "u.id"}, residents)
            teams_sql = "ARRAY[" + ", ".join(str(int(team.pk)) for team in teams) + "]"
            insert_select(
                TeamMember,
                TeamMember(community_id=cid, team=teams[0], volunteer_id=0, leader=False),
                {
                    "team_id": f"({teams_sql})[1 + v.n %% {TEAMS}]",
                    "volunteer_id": "v.id",
                    "leader": f"v.n < {TEAMS}",
                    "appointed_by_id": f"CASE WHEN v.n < {TEAMS} THEN {int(worker)} END",
                },
                "FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n "  # noqa: S608
                f"FROM {Volunteer._meta.db_table} WHERE community_id = %s) AS v",
                [cid],
            )
        else:
            volunteers = Volunteer.objects.bulk_create(
                [
                    Volunteer(
                        community_id=cid,
                        person_id=person,
                        skills=["环境"],
                        emergency_name="家属",
                        emergency_phone="+8613800000000",
                        consent_at=now,
                        created_at=now,
                    )
                    for person in world.voter_ids
                ],
                batch_size=5000,
            )
            TeamMember.objects.bulk_create(
                [
                    TeamMember(
                        community_id=cid,
                        team=teams[n % TEAMS],
                        volunteer=volunteer,
                        leader=n < TEAMS,
                        appointed_by_id=worker if n < TEAMS else None,
                    )
                    for n, volunteer in enumerate(volunteers)
                ],
                batch_size=5000,
            )
        VolunteerActivity.objects.bulk_create(
            [
                VolunteerActivity(
                    community_id=cid,
                    title=f"{TEAM_NAMES[n % len(TEAM_NAMES)]}志愿服务 #{n}",
                    description="压测活动",
                    team=teams[n % TEAMS],
                    place="社区服务中心",
                    organiser_id=worker,
                    status=ActivityStatus.PUBLISHED,
                    created_by_id=worker,
                )
                for n in range(ACTIVITIES)
            ],
            batch_size=2000,
        )
    say(f"  volunteers, teams and activities ({time.perf_counter() - began:.0f} s)")


ENTRY_COLUMNS = [
    "id",
    "community_id",
    "kind",
    "volunteer_id",
    "activity_id",
    "team_id",
    "served_on",
    "started_at",
    "ended_at",
    "served_minutes",
    "credited_minutes",
    "reverses_id",
    "reason",
    "recorded_by_id",
    "confirmed_by_id",
    "created_at",
]


def entry_rows(
    count: int, first_id: int, cid: int, worker: int, volunteers: list[int], activities: list[Any]
) -> Iterator[tuple[Any, ...]]:
    """``count`` ledger rows (ids from ``first_id``): services, and every ``REVERSAL_EVERY``-th
    row a reversal of the row before it. Volunteers are drawn skewed (u² over the list)."""
    rng = random.Random(17)
    today = datetime.now(tz=UTC).date()
    span = YEARS * 365
    n_volunteers = len(volunteers)
    previous: tuple[Any, ...] | None = None
    for index in range(count):
        row_id = first_id + index
        if previous is not None and index % REVERSAL_EVERY == REVERSAL_EVERY - 1:
            p = previous
            yield (
                row_id, cid, "reversal", p[3], p[4], p[5], p[6], p[7], p[8],
                -p[9], -p[10], p[0], "更正：记录有误", worker, worker, p[15],
            )  # fmt: skip
            previous = None
            continue
        volunteer = volunteers[int(n_volunteers * rng.random() ** 2)]
        activity, team = activities[rng.randrange(len(activities))]
        day = today - timedelta(days=rng.randrange(span))
        served = rng.choice((45, 60, 90, 120, 150, 180, 240))
        credited = (served + 15) // 30 * 30
        start = datetime(day.year, day.month, day.day, 1 + rng.randrange(8), tzinfo=UTC)
        previous = (
            row_id, cid, "service", volunteer, activity, team, day, start,
            start + timedelta(minutes=served), served, credited, None, "", worker, worker,
            start + timedelta(hours=6),
        )  # fmt: skip
        yield previous


def seed_entries(args: argparse.Namespace) -> None:
    from django.db import connection, transaction

    from gongzhi.core.models import Community
    from gongzhi.volunteering.models import HoursEntry, Volunteer, VolunteerActivity

    community = Community.objects.get(slug=SLUG)
    worker = (
        VolunteerActivity.objects.in_community(community)
        .values_list("organiser_id", flat=True)
        .first()
    )
    assert worker is not None
    volunteers = list(
        Volunteer.objects.in_community(community).order_by("pk").values_list("pk", flat=True)
    )
    activities = list(
        VolunteerActivity.objects.in_community(community)
        .order_by("pk")
        .values_list("pk", "team_id")
    )
    have = HoursEntry.objects.in_community(community).count()
    missing = args.entries - have
    if missing <= 0:
        return
    top = HoursEntry.objects.all_communities().order_by("-pk").values_list("pk", flat=True)
    first_id = (top.first() or 0) + 1
    table = HoursEntry._meta.db_table
    began = time.perf_counter()
    if connection.vendor == "postgresql":
        load_entries_in_sql(missing, first_id, community.pk, worker, table)
        say(
            f"  {missing:,} ledger entries loaded and indexed ({time.perf_counter() - began:.0f} s)"
        )
        with connection.cursor() as cursor:
            # The visibility map, for the index-only scans of a team's totals (hours_by_team).
            cursor.execute(f"VACUUM (ANALYZE) {table}")
            cursor.execute("ANALYZE")
        say(f"  vacuumed and analysed ({time.perf_counter() - began:.0f} s)")
        return
    rows = entry_rows(missing, first_id, community.pk, worker, volunteers, activities)
    with transaction.atomic(), connection.cursor() as cursor:
        marks = ", ".join("%s" for _ in ENTRY_COLUMNS)
        sql = f"INSERT INTO {table} ({', '.join(ENTRY_COLUMNS)}) VALUES ({marks})"  # noqa: S608
        batch: list[tuple[Any, ...]] = []
        for n, row in enumerate(rows, start=1):
            batch.append(row)
            if len(batch) == 20_000:
                cursor.executemany(sql, batch)
                batch.clear()
            if n % 1_000_000 == 0:
                say(f"  {n:,} entries ({time.perf_counter() - began:.0f} s)")
        if batch:
            cursor.executemany(sql, batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    say(f"  {missing:,} ledger entries loaded ({time.perf_counter() - began:.0f} s)")


#: A uniform number in [0, 1) from the series number ``s`` and a stream ``k``: deterministic,
#: and the same for a reversal as for the service it reverses (both read ``s``).
UNIFORM = "((hashint8extended(q.s, {k}) & 4294967295)::float8 / 4294967296.0)"


def load_entries_in_sql(count: int, first_id: int, cid: int, worker: int, table: str) -> None:
    """PostgreSQL: the ``count`` ledger rows generated inside the database by one
    ``INSERT … SELECT … FROM generate_series``, with the table's secondary indexes, unique
    constraints and foreign keys dropped for the load and made again after it (each index built
    once, sorted; each foreign key validated by one query). The same ledger as entry_rows: row
    g's volunteer is the ⌊n·u²⌋-th (a few have thousands of entries, most a handful), and every
    ``REVERSAL_EVERY``-th row reverses the row before it (its values drawn from that row's g)."""
    from django.db import connection, transaction

    from gongzhi.volunteering.models import Volunteer, VolunteerActivity

    began = time.perf_counter()
    today = datetime.now(tz=UTC).date()
    served = "ARRAY[45, 60, 90, 120, 150, 180, 240]"
    u = [UNIFORM.format(k=k) for k in range(5)]
    rev = f"q.g %% {REVERSAL_EVERY} = {REVERSAL_EVERY - 1}"
    sign = f"(CASE WHEN {rev} THEN -1 ELSE 1 END)"
    start = "((r.day + make_interval(hours => r.hour)) AT TIME ZONE 'UTC')"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC",
            [table],
        )
        constraints = cursor.fetchall()  # unique ones first, foreign keys after
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = %s::regclass AND NOT indisprimary AND indexrelid NOT IN "
            "(SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_v ON COMMIT DROP AS SELECT "  # noqa: S608 - ours
            "(row_number() OVER (ORDER BY id) - 1)::int AS i, id "
            f"FROM {Volunteer._meta.db_table} WHERE community_id = %s",
            [cid],
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_a ON COMMIT DROP AS SELECT "  # noqa: S608 - ours
            "(row_number() OVER (ORDER BY id) - 1)::int AS i, id, team_id "
            f"FROM {VolunteerActivity._meta.db_table} WHERE community_id = %s",
            [cid],
        )
        cursor.execute("ANALYZE bench_v")
        cursor.execute("ANALYZE bench_a")
        cursor.execute("SELECT count(*) FROM bench_v")
        n_volunteers = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM bench_a")
        n_activities = cursor.fetchone()[0]
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(ENTRY_COLUMNS)}) "  # noqa: S608 - ours
            f"SELECT %(first)s + r.g, %(cid)s, "
            f"CASE WHEN r.rev THEN 'reversal' ELSE 'service' END, v.id, a.id, a.team_id, "
            f"r.day, {start}, {start} + r.served * interval '1 minute', "
            f"r.sign * r.served, r.sign * ((r.served + 15) / 30 * 30), "
            f"CASE WHEN r.rev THEN %(first)s + r.g - 1 END, "
            f"CASE WHEN r.rev THEN '更正：记录有误' ELSE '' END, %(worker)s, %(worker)s, "
            f"{start} + interval '6 hours' "
            "FROM (SELECT q.g, "
            f"{rev} AS rev, {sign} AS sign, "
            f"floor(%(nv)s * {u[0]} * {u[0]})::int AS vi, "
            f"floor(%(na)s * {u[1]})::int AS ai, "
            f"%(today)s::date - floor(%(span)s * {u[2]})::int AS day, "
            f"({served})[1 + floor(7 * {u[3]})::int] AS served, "
            f"1 + floor(8 * {u[4]})::int AS hour "
            "FROM (SELECT g, CASE WHEN "
            f"g %% {REVERSAL_EVERY} = {REVERSAL_EVERY - 1} THEN g - 1 ELSE g END AS s "
            "FROM generate_series(0::bigint, %(count)s - 1) AS g) AS q) AS r "
            "JOIN bench_v AS v ON v.i = r.vi JOIN bench_a AS a ON a.i = r.ai",
            {
                "first": first_id,
                "cid": cid,
                "worker": worker,
                "nv": n_volunteers,
                "na": n_activities,
                "today": today,
                "span": YEARS * 365,
                "count": count,
            },
        )
        say(f"  {cursor.rowcount:,} entries inserted ({time.perf_counter() - began:.0f} s)")
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - ours
            f"(SELECT max(id) FROM {table}))"
        )
        for _name, definition in indexes:
            cursor.execute(definition)
        say(f"  {len(indexes)} indexes built ({time.perf_counter() - began:.0f} s)")
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        say(f"  {len(constraints)} constraints back ({time.perf_counter() - began:.0f} s)")


def world_of(args: argparse.Namespace) -> World:
    """The seeded community, its worker, and fresh tokens for the storm's volunteers."""
    from gongzhi.accounts.models import ApiToken, hash_token
    from gongzhi.core.models import Community
    from gongzhi.volunteering.models import Volunteer, VolunteerActivity

    community = Community.objects.get(slug=SLUG)
    worker = (
        VolunteerActivity.objects.in_community(community)
        .values_list("organiser_id", flat=True)
        .first()
    )
    people = list(
        Volunteer.objects.in_community(community)
        .order_by("pk")
        .values_list("person_id", flat=True)[: args.clients]
    )
    # Tokens are stored hashed: the storm's clients get new ones (the old stay valid).
    tokens = {person: ApiToken.new_raw_token() for person in people}
    ApiToken.objects.bulk_create(
        [
            ApiToken(user_id=person, name="storm", token_hash=hash_token(raw), hint=raw[:7])
            for person, raw in tokens.items()
        ],
        batch_size=2000,
    )
    assert worker is not None
    return World(community.pk, worker, people, tokens)


# --- The storm ----------------------------------------------------------------------------------


@dataclass
class Answer:
    person: int
    shift: int
    status: int  # 0: no answer
    body: dict[str, Any]
    seconds: float


def new_shifts(world: World, args: argparse.Namespace, round_no: int) -> list[int]:
    """``--shifts`` shifts of ``--capacity`` on a new published activity, ``round_no`` + 2 days
    ahead (a volunteer's shifts of different rounds never overlap)."""
    from django.utils import timezone

    from gongzhi.volunteering.models import ActivityStatus, Shift, VolunteerActivity

    stamp = datetime.now(tz=UTC).strftime("%H%M%S")
    activity = VolunteerActivity.objects.in_community(world.community_id).create(
        title=f"压测报名 {stamp} 第{round_no + 1}轮",
        description="报名压测",
        place="社区服务中心",
        organiser_id=world.worker_id,
        created_by_id=world.worker_id,
        status=ActivityStatus.PUBLISHED,
    )
    base = timezone.now().replace(second=0, microsecond=0) + timedelta(days=2 + round_no * 3)
    shifts = Shift.objects.bulk_create(
        [
            Shift(
                community_id=world.community_id,
                activity=activity,
                starts_at=base + timedelta(minutes=10 * n),
                ends_at=base + timedelta(minutes=10 * n, hours=2),
                capacity=args.capacity,
            )
            for n in range(args.shifts)
        ]
    )
    return [shift.pk for shift in shifts]


def burst(
    port: int,
    requests: Sequence[tuple[int, int, str, str, bytes | None]],
    workers: int,
) -> tuple[list[Answer], float]:
    """Every request (person, shift, method, path, body) from its own thread and connection, all
    released at once; returns the answers and the wall time from release to the last answer."""
    answers: list[Answer | None] = [None] * len(requests)
    ready = threading.Barrier(len(requests) + 1)

    def client(index: int) -> None:
        person, shift, method, path, body = requests[index]
        headers = {"Authorization": f"Bearer {TOKENS[person]}", "Host": LOOPBACK}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn = http.client.HTTPConnection(LOOPBACK, port, timeout=120)
        status, began = 0, 0.0
        parsed: dict[str, Any] = {}
        try:
            ready.wait()
            began = time.perf_counter()
            conn.connect()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            status = response.status
            try:
                parsed = json.loads(raw) if raw else {}
            except ValueError:
                parsed = {"raw": raw[:200].decode(errors="replace")}
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as exc:
            parsed = {"error": type(exc).__name__}
        finally:
            conn.close()
        answers[index] = Answer(person, shift, status, parsed, time.perf_counter() - began)

    threads = [
        threading.Thread(target=client, args=(i,), daemon=True) for i in range(len(requests))
    ]
    for thread in threads:
        thread.start()
    ready.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - began
    done = [a for a in answers if a is not None]
    return done, elapsed


#: person id → raw token, for the storm's client threads
TOKENS: dict[int, str] = {}


@dataclass
class Check:
    ok: int = 0
    registered: int = 0
    waitlisted: int = 0
    refused: int = 0
    errors: int = 0
    overbooked: int = 0
    lost: int = 0
    lost_detail: list[str] = field(default_factory=list)
    refusals: dict[str, int] = field(default_factory=dict)


def check_storm(answers: list[Answer], shift_ids: list[int], capacity: int) -> Check:
    from gongzhi.volunteering.models import SignUp, SignUpStatus

    check = Check()
    stored = {
        (person, shift): status
        for person, shift, status in SignUp.objects.all_communities()
        .filter(shift_id__in=shift_ids)
        .values_list("volunteer__person_id", "shift_id", "status")
    }
    taken: dict[int, int] = dict.fromkeys(shift_ids, 0)
    for (_person, shift), status in stored.items():
        if status == SignUpStatus.REGISTERED:
            taken[shift] += 1
    free = {shift for shift, n in taken.items() if n < capacity}
    check.overbooked = sum(max(0, n - capacity) for n in taken.values())
    for answer in answers:
        key = (answer.person, answer.shift)
        if 200 <= answer.status < 300:
            check.ok += 1
            said = answer.body.get("status")
            if said == SignUpStatus.REGISTERED:
                check.registered += 1
            elif said == SignUpStatus.WAITLISTED:
                check.waitlisted += 1
            if stored.get(key) != said:
                check.lost += 1
                check.lost_detail.append(f"answered {said}, stored {stored.get(key)}")
            elif said == SignUpStatus.WAITLISTED and answer.shift in free:
                check.lost += 1
                check.lost_detail.append("waitlisted while a place stayed free")
        elif answer.status in (400, 403, 404, 409, 422):
            check.refused += 1
            code = str(answer.body.get("code", answer.status))
            check.refusals[code] = check.refusals.get(code, 0) + 1
            if answer.shift in free:
                check.lost += 1
                check.lost_detail.append(f"refused ({code}) while a place stayed free")
        else:
            check.errors += 1
            if answer.shift in free:
                check.lost += 1
                check.lost_detail.append(f"no answer ({answer.status}) while a place stayed free")
    return check


def storm(args: argparse.Namespace, world: World, env: dict[str, str]) -> dict[str, Any]:
    from django.db import connections

    TOKENS.update(world.tokens)
    people = world.person_ids[: args.clients]
    lines: dict[str, Any] = {}
    rates, baselines = [], []
    total = Check()
    latencies: list[float] = []
    log = args.data_dir / "storm-gunicorn.log"
    server = Server(
        root=ROOT,
        env=env,
        log_path=log,
        workers=args.workers,
        worker_class="sync",
        threads=1,
        task_worker=True,
    )
    with server:
        me = [(person, 0, "GET", "/api/v1/me", None) for person in people]
        burst(server.port, me[: min(40, len(me))], args.workers)  # warm-up
        for round_no in range(args.rounds):
            shift_ids = new_shifts(world, args, round_no)
            connections.close_all()
            answers, elapsed = burst(server.port, me, args.workers)
            good = sum(1 for a in answers if a.status == 200)
            baselines.append(good / elapsed if elapsed else 0.0)
            requests = [
                (
                    person,
                    shift_ids[i % len(shift_ids)],
                    "POST",
                    f"{API}/shifts/{shift_ids[i % len(shift_ids)]}/signups",
                    b"{}",
                )
                for i, person in enumerate(people)
            ]
            answers, elapsed = burst(server.port, requests, args.workers)
            check = check_storm(answers, shift_ids, args.capacity)
            rates.append(check.ok / elapsed if elapsed else 0.0)
            latencies.extend(a.seconds for a in answers if 200 <= a.status < 300)
            say(
                f"  round {round_no + 1}: {check.ok} answered 2xx ({check.registered} registered, "
                f"{check.waitlisted} waitlisted), {check.refused} refused {check.refusals or ''}, "
                f"{check.errors} errors, overbooked {check.overbooked}, lost {check.lost} "
                f"in {elapsed:.2f} s; baseline {baselines[-1]:.0f} GET/s"
            )
            for detail in check.lost_detail[:5]:
                say(f"    lost: {detail}")
            for name in ("ok", "registered", "waitlisted", "refused", "errors"):
                setattr(total, name, getattr(total, name) + getattr(check, name))
            total.overbooked += check.overbooked
            total.lost += check.lost
    ordered = sorted(latencies)
    rate, base = statistics.median(rates), statistics.median(baselines)
    lines.update(
        storm_clients=len(people),
        storm_shifts=args.shifts,
        storm_capacity=args.capacity,
        storm_rounds=args.rounds,
        storm_workers=args.workers,
        signups_answered=total.ok,
        signups_registered=total.registered,
        signups_waitlisted=total.waitlisted,
        signups_refused=total.refused,
        storm_errors=total.errors,
        signup_p50_ms=round(percentile(ordered, 50) * 1000, 1),
        signup_p95_ms=round(percentile(ordered, 95) * 1000, 1),
        signups_per_s_rounds="/".join(f"{r:.0f}" for r in rates),
        baseline_me_per_s=round(base, 1),
        signups_vs_baseline=round(rate / base, 2) if base else "-",
        overbooked=total.overbooked,
        lost_signups=total.lost,
        signups_per_s=round(rate, 1),
    )
    return lines


# --- Scale --------------------------------------------------------------------------------------


def get(client: Any, path: str, **headers: str) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code} {response.content[:300]!r}")
        return response

    return call


def record_reads(world: World, args: argparse.Namespace) -> dict[str, list[Callable[[], Any]]]:
    """The reads to time: a volunteer's record and a team's totals, through the ledger part's
    API and its selectors (whichever of them exist in this checkout)."""
    from django.db.models import Count
    from django.test import Client

    from gongzhi.accounts.models import ApiToken, hash_token
    from gongzhi.volunteering import ledger_selectors
    from gongzhi.volunteering.models import HoursEntry, Team, TeamMember, Volunteer

    cid = world.community_id
    rng = random.Random(23)
    volunteers = list(Volunteer.objects.in_community(cid).order_by("pk"))
    sample = rng.sample(volunteers, min(args.sample, len(volunteers)))
    busiest = (
        HoursEntry.objects.in_community(cid)
        .values("volunteer")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest is not None:
        sample.append(next(v for v in volunteers if v.pk == busiest["volunteer"]))
    teams = list(Team.objects.in_community(cid).order_by("pk"))
    reads: dict[str, list[Callable[[], Any]]] = {}
    client = Client()
    tokens = {}
    for volunteer in sample:
        raw = ApiToken.new_raw_token()
        ApiToken.objects.create(
            user_id=volunteer.person_id, name="scale", token_hash=hash_token(raw), hint=raw[:7]
        )
        tokens[volunteer.pk] = raw
    if _routed(f"{API}/volunteers/me/hours"):
        reads["api_record"] = [
            get(client, f"{API}/volunteers/me/hours", Authorization=f"Bearer {tokens[v.pk]}")
            for v in sample
        ]
    if teams and _routed(f"{API}/teams/{teams[0].pk}/hours"):
        # Read by each team's leader (staff would need a second factor for the API).
        leaders = dict(
            TeamMember.objects.in_community(cid)
            .filter(leader=True, left_at__isnull=True)
            .values_list("team_id", "volunteer__person_id")
        )
        leader_tokens = {}
        for team in teams:
            raw = ApiToken.new_raw_token()
            ApiToken.objects.create(
                user_id=leaders[team.pk], name="scale", token_hash=hash_token(raw), hint=raw[:7]
            )
            leader_tokens[team.pk] = raw
        reads["api_team"] = [
            get(client, f"{API}/teams/{t.pk}/hours", Authorization=f"Bearer {leader_tokens[t.pk]}")
            for t in teams
        ]
    record_of = getattr(ledger_selectors, "record_of", None)
    if callable(record_of):
        reads["selector_record"] = [_page(record_of, v) for v in sample]
    team_totals = next(
        (
            getattr(ledger_selectors, name)
            for name in ("team_totals", "totals_for_team", "team_total")
            if callable(getattr(ledger_selectors, name, None))
        ),
        None,
    )
    if team_totals is not None:
        reads["selector_team"] = [_call(team_totals, t) for t in teams]
    # The ledger's reads as the spec states them, written here: what any selector must beat.
    reads["sql_record"] = [_sql_record(v) for v in sample]
    reads["sql_team"] = [_sql_team(t) for t in teams]
    return reads


def _routed(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def _page(record_of: Callable[..., Any], volunteer: Any) -> Callable[[], Any]:
    def call() -> Any:
        result = record_of(volunteer)
        return list(result[:20]) if hasattr(result, "__getitem__") else result

    return call


def _call(function: Callable[..., Any], obj: Any) -> Callable[[], Any]:
    return lambda: function(obj)


def _sql_record(volunteer: Any) -> Callable[[], Any]:
    """A volunteer's totals (credited and served, all time) and their newest 20 entries."""
    from django.db.models import Sum

    from gongzhi.volunteering.models import HoursEntry

    def call() -> Any:
        entries = HoursEntry.objects.in_community(volunteer.community_id).filter(
            volunteer=volunteer
        )
        totals = entries.aggregate(credited=Sum("credited_minutes"), served=Sum("served_minutes"))
        page = list(
            entries.select_related("activity")
            .order_by("-served_on", "-pk")[:20]
            .values("pk", "served_on", "credited_minutes", "activity__title", "kind")
        )
        return totals, page

    return call


def _sql_team(team: Any) -> Callable[[], Any]:
    """A team's totals: all time, and this year."""
    from django.db.models import Count, Sum

    from gongzhi.volunteering.models import HoursEntry

    def call() -> Any:
        entries = HoursEntry.objects.in_community(team.community_id).filter(team=team)
        year = datetime.now(tz=UTC).date().replace(month=1, day=1)
        return (
            entries.aggregate(
                credited=Sum("credited_minutes"), n=Count("volunteer", distinct=True)
            ),
            entries.filter(served_on__gte=year).aggregate(credited=Sum("credited_minutes")),
        )

    return call


def scale(world: World, args: argparse.Namespace) -> dict[str, Any]:
    from django.test import Client

    lines: dict[str, Any] = {}
    health = timed([get(Client(), "/healthz")], args.repeat)
    lines["healthz_p95_ms"] = round(health.p95_ms, 2)
    results: dict[str, Timing] = {}
    for name, calls in record_reads(world, args).items():
        timing = timed(calls, max(args.repeat, len(calls)))
        results[name] = timing
        say(
            f"  {name:16} p50 {timing.p50_ms:8.1f} ms  p95 {timing.p95_ms:8.1f} ms  "
            f"{timing.queries:3} queries"
        )
        lines[f"{name}_p50_ms"] = round(timing.p50_ms, 2)
        lines[f"{name}_p95_ms"] = round(timing.p95_ms, 2)
        lines[f"{name}_queries"] = timing.queries
        lines[f"{name}_vs_healthz"] = round(timing.p95_ms / health.p95_ms, 1)
    # The headline: the API's read where the ledger part has one, else its selector, else SQL.
    for label, names in (
        ("record", ("api_record", "selector_record", "sql_record")),
        ("team", ("api_team", "selector_team", "sql_team")),
    ):
        chosen = next(n for n in names if n in results)
        lines[f"p95_{label}_from"] = chosen
        lines[f"p95_{label}_ms"] = round(results[chosen].p95_ms, 1)
        lines[f"goal_{label}_under_100ms"] = "yes" if results[chosen].p95_ms < GOAL_MS else "no"
    return lines


# --- Main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        url, facts = bench_database_url(args, "volunteering.sqlite3", PG_DATABASE)
    except PostgresUnavailable as exc:
        say(f"error: {exc}")
        return 2
    if args.rebuild:
        wipe_bench_database(url, args, "volunteering.sqlite3")
    env = setup(url, args)
    from django.db import connection

    lines: dict[str, Any] = {
        "database": connection.vendor,
        **facts,
        **machine(),
        "loadavg_start": "/".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    have_volunteers, have_entries = seeded()
    if have_volunteers and have_volunteers != args.volunteers:
        say(f"the bench's database holds {have_volunteers:,} volunteers: run with --rebuild")
        return 2
    if not have_volunteers:
        say(f"seeding {args.volunteers:,} volunteers ...")
        seed_people(args)
    if have_entries < args.entries and not args.skip_scale:
        say(f"loading {args.entries - have_entries:,} ledger entries ...")
        began = time.perf_counter()
        seed_entries(args)
        lines["load_s"] = round(time.perf_counter() - began, 1)
    world = world_of(args)
    from gongzhi.volunteering.models import HoursEntry

    lines.update(
        volunteers=args.volunteers,
        entries=HoursEntry.objects.in_community(world.community_id).count(),
    )
    if not args.skip_storm:
        say(f"sign-up storm: {args.clients} clients, {args.shifts} shifts of {args.capacity} ...")
        lines.update(storm(args, world, env))
    if not args.skip_scale:
        say("a volunteer's record and a team's totals ...")
        lines.update(scale(world, args))
    lines["loadavg_end"] = "/".join(f"{x:.1f}" for x in os.getloadavg())
    lines["bench_s"] = round(time.perf_counter() - started, 1)
    lines["python"] = platform.python_version()
    text = "\n".join(f"{key}={value}" for key, value in lines.items())
    print(text, flush=True)
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    (results_dir / f"volunteering-{stamp}.txt").write_text(text + "\n")
    failed = lines.get("overbooked", 0) or lines.get("lost_signups", 0)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
