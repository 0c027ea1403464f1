"""`make bench-learning`: a person's pathway on the leadership ladder and the workers' pipeline at
scale (issue 18: 100,000 residents with their acts; a person's pathway p95 < 100 ms and the
pipeline p95 < 300 ms; the whole bench well under 20 minutes).

1. Database: PostgreSQL by default (Debian's cluster on 127.0.0.1:5432, the database
   ``gongzhi_bench_learning``, created if missing, as bench/votes.py does), or any
   ``--database-url``; ``--sqlite`` for a SQLite file under var/bench-learning/ (comparison
   only). The seeded data is kept while it holds the asked number of residents, so a second run
   only measures; ``--rebuild`` drops the bench's schema (the hours ledger's rows cannot be
   deleted: triggers refuse it) and seeds again.
2. Seed, in bulk, the acts every rung of the ladder reads (deterministic: one random stream):
   one community, a worker, ``--residents`` verified residents (100,000); 70% of them took part
   (1 to 20 journal entries each of verbs with a rung on the participation ladder, a few of them
   done by the worker for them: 代办); 30% registered as volunteers in 50 teams, with confirmed
   services in the hours ledger (1 to 10 each), the first 50 leading a team (with the journal's
   ``team.leader_appointed``); 3% organised published activities (2 each); 1% chaired closed
   meetings of 20 councils (3 each), some also keeping minutes; 500 hold a term of office in a
   body; 200 train at 100 finished courses' sessions (600 sessions that took place, each
   with a learner's attendance: a session nobody came to trains nobody); 2,000 hold a
   qualification; 5% of the organisers and chairs opted out of the pipeline; 300 of them have
   an open invitation. Big tables are loaded through COPY on PostgreSQL and executemany on
   SQLite (every column from a model instance's defaults unless the row gives it), the rest
   through the ORM's bulk_create; then ANALYZE.
3. Scale: in-process (the server's own time, no network), ``--repeat`` calls each after a
   warm-up, with the SQL query count: ``pathway.pathway(community, person)`` for a sample of
   residents across the whole range and of each rung, and ``pathway.pipeline(community, …)``
   (the first page, a later page, each rung, each with the qualifications and invitations of the
   page's people). ``/healthz`` is measured the same way as the baseline and each p95 is also
   printed as a ratio to it (compare ratios across machines, not milliseconds).

Prints ``key=value`` lines (also written to bench/results/learning-<time>.txt), among them
``p95_pathway_ms=`` and ``p95_pipeline_ms=``, with ``pathway_vs_healthz=`` and
``pipeline_vs_healthz=``.

    make bench-learning
    .venv/bin/python bench/learning.py --database-url postgres://gongzhi:gongzhi@127.0.0.1:5432/x
    .venv/bin/python bench/learning.py --quick          # 5,000 residents
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load import timed  # noqa: E402
from bench.votes import (  # noqa: E402
    WORKER_PHONE,
    PostgresUnavailable,
    bench_database_url,
    machine,
    say,
    wipe_bench_database,
)

SLUG = "bench-learning"
PG_DATABASE = "gongzhi_bench_learning"
PATHWAY_GOAL_MS, PIPELINE_GOAL_MS = 100.0, 300.0
PHONE_PREFIX = "+86136"
YEARS = 3
TEAMS, COUNCILS, BODIES_WITH_TERMS, COURSES = 50, 20, 10, 100
SEATS = 50  # per body with terms: 10 bodies × 50 seats = 500 terms of office
TOOK_PART_VERBS = (
    "comment.added",
    "proposal.supported",
    "hotline.filed",
    "vote.cast",
    "notice.read_confirmed",
    "survey.answered",
    "meeting.registered",
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=60, help="timed calls per read (60)")
    parser.add_argument("--sample", type=int, default=40, help="residents whose pathway is read")
    parser.add_argument("--quick", action="store_true", help="5,000 residents")
    parser.add_argument("--rebuild", action="store_true", help="empty the database, seed again")
    parser.add_argument("--database-url", default="", help="default: PostgreSQL, " + PG_DATABASE)
    parser.add_argument("--sqlite", action="store_true", help="SQLite in --data-dir instead")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench-learning")
    args = parser.parse_args(argv)
    if args.quick:
        args.residents, args.repeat, args.sample = 5_000, 20, 15
    args.data_dir = args.data_dir.resolve()
    return args


# --- Database and Django ----------------------------------------------------------------------


def setup(url: str, args: argparse.Namespace) -> None:
    os.environ["CREDENTIAL_KEY"] = secrets.token_urlsafe(40)
    from bench.django_setup import setup_django

    setup_django(url, args.data_dir)


# --- Bulk loading -------------------------------------------------------------------------------


def load(model: Any, template: Any, varying: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` into ``model``'s table: each row gives the columns ``varying`` (by column
    name, e.g. "user_id"), every other column takes ``template``'s value (its defaults, as Django
    would save it). COPY on PostgreSQL, executemany on SQLite, in one transaction."""
    from django.db import connection, transaction

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    by_column = {f.column: f for f in fields}
    unknown = set(varying) - set(by_column)
    if unknown:
        raise ValueError(f"{model.__name__}: no column {sorted(unknown)}")
    position = {column: n for n, column in enumerate(varying)}
    constants = {
        f.column: _prep(f, f.pre_save(template, True), connection)
        for f in fields
        if f.column not in position
    }
    columns = [f.column for f in fields]

    def values(row: Sequence[Any]) -> list[Any]:
        return [
            _prep(by_column[c], row[position[c]], connection) if c in position else constants[c]
            for c in columns
        ]

    table = model._meta.db_table
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
                    count += 1
            return count
        marks = ", ".join("%s" for _ in columns)
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - ours
        batch: list[list[Any]] = []
        for row in rows:
            batch.append(values(row))
            count += 1
            if len(batch) == 20_000:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
    return count


def _prep(field: Any, value: Any, connection: Any) -> Any:
    """A value as the column stores it; JSON as its text (COPY and SQLite both take that)."""
    if field.get_internal_type() == "JSONField":
        return json.dumps(value, ensure_ascii=False)
    return field.get_db_prep_save(value, connection)


# --- Seed ---------------------------------------------------------------------------------------


@dataclass
class Seeded:
    community_id: int
    worker_id: int
    residents: list[int]  # user ids, in phone order
    organisers: list[int]
    chairs: list[int]
    leaders: list[int]
    trainers: list[int]


def seeded_residents() -> int:
    from gongzhi.core.models import Community, Membership

    community = Community.objects.filter(slug=SLUG).first()
    if community is None:
        return 0
    return Membership.objects.in_community(community).count() - 1  # the worker


def _at(rng: random.Random, now: datetime) -> datetime:
    return now - timedelta(seconds=rng.randrange(YEARS * 365 * 86400))


def bench_community(slug: str, name: str, now: Any) -> tuple[Any, Any]:
    """A district, street and community for a bench (``name`` + 压测区/街道/社区) and its
    verified community worker (``WORKER_PHONE``), in one transaction."""
    from django.db import transaction

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

    with transaction.atomic():
        district = District.objects.create(name=f"{name}压测区", slug=slug)
        street = Street.objects.create(district=district, name=f"{name}压测街道", slug=slug)
        community = Community.objects.create(street=street, name=f"{name}压测社区", slug=slug)
        worker = User.objects.create_user(WORKER_PHONE, display_name="压测社工")
        membership = Membership.objects.in_community(community).create(
            user=worker, verified_at=now, verification_method=VerificationMethod.IN_PERSON
        )
        RoleGrant.objects.in_community(community).create(
            membership=membership, role=Role.COMMUNITY_WORKER
        )
    return community, worker


def seed(args: argparse.Namespace) -> dict[str, float]:
    """Everything the ladder's sources read (see the module's docstring). Returns the seconds
    each stage took."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.bodies.models import Body, BodyKind, ChosenBy, Mandate, Position
    from gongzhi.core.models import (
        Activity,
        Membership,
        VerificationMethod,
    )
    from gongzhi.learning.models import (
        Attendance,
        Award,
        Course,
        CourseSession,
        CourseStatus,
        Enrolment,
        EnrolmentStatus,
        Invitation,
        PipelineOptOut,
        Topic,
        Trainer,
        TrainerKind,
    )
    from gongzhi.meetings.models import Meeting, MeetingKind, MeetingStatus
    from gongzhi.volunteering.models import (
        ActivityStatus,
        HoursEntry,
        HoursEntryKind,
        Team,
        TeamKind,
        TeamMember,
        Volunteer,
        VolunteerActivity,
    )

    rng = random.Random(18)
    now = timezone.now()
    n = args.residents
    times: dict[str, float] = {}
    began = time.perf_counter()

    def lap(name: str) -> None:
        times[name] = round(time.perf_counter() - began - sum(times.values()), 1)
        say(f"  {name}: {times[name]:.1f} s")

    community, worker = bench_community(SLUG, "学习", now)
    cid, wid = community.pk, worker.pk
    load(
        User,
        User(phone="-", phone_verified=True, password="!", display_name="-"),  # noqa: S106
        ["phone", "display_name"],
        ((f"{PHONE_PREFIX}{i:08d}", f"居民{i}") for i in range(n)),
    )
    residents = list(
        User.objects.filter(phone__startswith=PHONE_PREFIX)
        .order_by("phone")
        .values_list("pk", flat=True)
    )
    load(
        Membership,
        Membership(
            community=community,
            user=worker,
            verified_at=now,
            verified_by=worker,
            verification_method=VerificationMethod.IN_PERSON,
        ),
        ["user_id", "joined_at", "verified_at"],
        (
            (u, now - timedelta(days=YEARS * 365), now - timedelta(days=YEARS * 365))
            for u in residents
        ),
    )
    lap("residents")

    # Rung 1: took part (the journal, unchained: the sources read actor/on_behalf_of and at).
    def took_part() -> Iterable[tuple[Any, ...]]:
        for user in residents:
            if rng.random() >= 0.7:
                continue
            for _ in range(1 + int(20 * rng.random() ** 3)):
                verb = TOOK_PART_VERBS[rng.randrange(len(TOOK_PART_VERBS))]
                behalf = rng.random() < 0.05  # a worker did it for them (代办)
                yield (
                    wid if behalf else user,
                    user if behalf else None,
                    verb,
                    _at(rng, now),
                )

    journal = Activity(community=community, actor=worker, verb="-", data={})
    entries = load(Activity, journal, ["actor_id", "on_behalf_of_id", "verb", "at"], took_part())
    lap(f"journal ({entries:,} acts of taking part)")

    # Rung 2 and 5: volunteers, teams (the first 50 volunteers lead one), confirmed services.
    with transaction.atomic():
        teams = Team.objects.bulk_create(
            [
                Team(
                    community_id=cid,
                    name=f"服务队{t + 1}",
                    kind=TeamKind.values[t % len(TeamKind.values)],
                    created_by_id=wid,
                )
                for t in range(TEAMS)
            ]
        )
    volunteer_people = [u for u in residents if rng.random() < 0.3]
    load(
        Volunteer,
        Volunteer(community=community, person=worker, consent_at=now, created_at=now),
        ["person_id"],
        ((u,) for u in volunteer_people),
    )
    volunteers = list(
        Volunteer.objects.in_community(cid).order_by("pk").values_list("pk", "person_id")
    )
    load(
        TeamMember,
        TeamMember(community=community, team=teams[0], volunteer_id=0),
        ["team_id", "volunteer_id", "leader", "appointed_by_id"],
        (
            (teams[k % TEAMS].pk, vid, k < TEAMS, wid if k < TEAMS else None)
            for k, (vid, _person) in enumerate(volunteers)
        ),
    )
    team_type = ContentType.objects.get_for_model(TeamMember)
    load(
        Activity,
        Activity(community=community, actor=worker, verb="team.leader_appointed", data={}),
        ["target_type_id", "target_id", "data", "at"],
        (
            (team_type.pk, str(k), {"team": teams[k].pk, "volunteer": vid}, _at(rng, now))
            for k, (vid, _person) in enumerate(volunteers[:TEAMS])
        ),
    )
    # Rung 3: organisers of published activities (2 each); the services are in these activities.
    organisers = rng.sample(residents, max(1, n * 3 // 100))
    load(
        VolunteerActivity,
        VolunteerActivity(
            community=community,
            title="-",
            description="压测活动",
            place="社区服务中心",
            organiser=worker,
            status=ActivityStatus.PUBLISHED,
            created_by=worker,
        ),
        ["title", "team_id", "organiser_id", "created_at"],
        (
            (f"志愿服务 {k}-{j}", teams[k % TEAMS].pk, u, _at(rng, now))
            for k, u in enumerate(organisers)
            for j in range(2)
        ),
    )
    activities = list(
        VolunteerActivity.objects.in_community(cid).order_by("pk").values_list("pk", "team_id")
    )

    def services() -> Iterable[tuple[Any, ...]]:
        for vid, _person in volunteers:
            for _ in range(1 + int(10 * rng.random() ** 2)):
                activity, team = activities[rng.randrange(len(activities))]
                started = _at(rng, now)
                minutes = rng.choice((60, 90, 120))
                yield (
                    vid,
                    activity,
                    team,
                    started.date(),
                    started,
                    started + timedelta(minutes=minutes),
                    minutes,
                    minutes,
                    started + timedelta(hours=6),
                )

    hours = load(
        HoursEntry,
        HoursEntry(
            community=community,
            kind=HoursEntryKind.SERVICE,
            served_on=now.date(),
            served_minutes=0,
            credited_minutes=0,
            recorded_by=worker,
            confirmed_by=worker,
        ),
        [
            "volunteer_id",
            "activity_id",
            "team_id",
            "served_on",
            "started_at",
            "ended_at",
            "served_minutes",
            "credited_minutes",
            "created_at",
        ],
        services(),
    )
    lap(f"volunteering ({len(volunteers):,} volunteers, {hours:,} services)")

    # Rung 4 and 5: councils whose meetings residents chaired; terms of office in bodies.
    with transaction.atomic():
        councils = Body.objects.bulk_create(
            [
                Body(
                    community_id=cid, kind=BodyKind.values[0], name=f"议事会{b}", created_by_id=wid
                )
                for b in range(COUNCILS + BODIES_WITH_TERMS)
            ]
        )
        positions = Position.objects.bulk_create(
            [
                Position(community_id=cid, body=body, title="委员", seats=SEATS)
                for body in councils[COUNCILS:]
            ]
        )
    chairs = rng.sample(residents, max(1, n // 100))
    kinds = MeetingKind.values

    def meetings() -> Iterable[tuple[Any, ...]]:
        for k, user in enumerate(chairs):
            for _ in range(3):
                starts = _at(rng, now - timedelta(days=1))
                yield (
                    councils[k % COUNCILS].pk,
                    kinds[0],
                    f"议事会会议 {k}",
                    starts,
                    starts + timedelta(hours=2),
                    user,
                    starts,
                    starts + timedelta(hours=2),
                )

    held = load(
        Meeting,
        Meeting(
            community=community,
            body=councils[0],
            kind=kinds[0],
            title="-",
            starts_at=now,
            ends_at=now,
            status=MeetingStatus.CLOSED,
            created_by=worker,
        ),
        ["body_id", "kind", "title", "starts_at", "ends_at", "chair_id", "opened_at", "closed_at"],
        meetings(),
    )
    memberships = dict(Membership.objects.in_community(cid).values_list("user_id", "pk"))
    leaders = rng.sample(residents, min(len(residents), BODIES_WITH_TERMS * SEATS))
    today = now.date()
    with transaction.atomic():
        Mandate.objects.bulk_create(
            [
                Mandate(
                    community_id=cid,
                    body=positions[k // SEATS].body,
                    position=positions[k // SEATS],
                    seat=k % SEATS + 1,
                    membership_id=memberships[user],
                    chosen_by=ChosenBy.APPOINTMENT,
                    recorded_by_id=wid,
                    starts_on=today - timedelta(days=rng.randrange(1, 700)),
                    ends_on=today + timedelta(days=rng.randrange(30, 700)),
                )
                for k, user in enumerate(leaders)
            ],
            batch_size=2000,
        )
    lap(f"meetings and bodies ({held:,} meetings chaired, {len(leaders)} terms)")

    # Rung 6: trainers of finished courses' sessions that took place.
    trainers = rng.sample(residents, min(len(residents), 2 * COURSES))
    topics = Topic.values
    with transaction.atomic():
        courses = Course.objects.bulk_create(
            [
                Course(
                    community_id=cid,
                    title=f"培训课程 {c}",
                    topic=topics[c % len(topics)],
                    qualification="chairing" if c % 2 else "mediation",
                    valid_months=24,
                    capacity=30,
                    status=CourseStatus.FINISHED,
                    created_by_id=wid,
                )
                for c in range(COURSES)
            ]
        )
        Trainer.objects.bulk_create(
            [
                Trainer(
                    community_id=cid,
                    course=courses[k % COURSES],
                    person_id=user,
                    kind=TrainerKind.RESIDENT,
                    added_by_id=wid,
                )
                for k, user in enumerate(trainers)
            ]
        )
        sessions = []
        for k in range(6 * COURSES):
            starts = _at(rng, now - timedelta(days=1))
            sessions.append(
                CourseSession(
                    community_id=cid,
                    course=courses[k % COURSES],
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    place="社区活动室",
                    trainer_id=trainers[(k % COURSES) + COURSES * (k // COURSES % 2)],
                )
            )
        CourseSession.objects.bulk_create(sessions, batch_size=2000)
        # A session trained somebody only if a learner came: one learner a course (not one of
        # its trainers), at every session.
        trained = set(trainers)
        learners = [u for u in residents if u not in trained][:COURSES]
        enrolments = Enrolment.objects.bulk_create(
            [
                Enrolment(
                    community_id=cid,
                    course=course,
                    person_id=learners[c % len(learners)],
                    status=EnrolmentStatus.COMPLETED,
                )
                for c, course in enumerate(courses)
            ]
        )
        Attendance.objects.bulk_create(
            [
                Attendance(
                    community_id=cid,
                    session=session,
                    enrolment=enrolments[k % COURSES],
                    arrived_at=session.starts_at,
                    recorded_by_id=wid,
                )
                for k, session in enumerate(sessions)
            ],
            batch_size=2000,
        )
        # Qualifications held (the pipeline shows them), opt-outs and open invitations.
        holders = rng.sample(residents, min(len(residents), 2000))
        Award.objects.bulk_create(
            [
                Award(
                    community_id=cid,
                    person_id=user,
                    qualification=("chairing", "mediation", "first_aid", "leadership")[k % 4],
                    valid_from=today - timedelta(days=rng.randrange(1, 700)),
                    valid_until=today + timedelta(days=rng.randrange(1, 700)),
                    granted_by_id=wid,
                )
                for k, user in enumerate(holders)
            ],
            batch_size=2000,
        )
        middle = sorted(set(organisers) | set(chairs))
        PipelineOptOut.objects.bulk_create(
            [
                PipelineOptOut(community_id=cid, person_id=user)
                for user in rng.sample(middle, len(middle) // 20)
            ]
        )
        Invitation.objects.bulk_create(
            [
                Invitation(
                    community_id=cid, person_id=user, step="meetings.chair", invited_by_id=wid
                )
                for user in rng.sample(middle, min(300, len(middle)))
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    lap("learning (courses, sessions, attendance, awards, opt-outs, invitations) and ANALYZE")
    return times


def seeded_world() -> Seeded:
    from gongzhi.bodies.models import Mandate
    from gongzhi.core.models import Community
    from gongzhi.learning.models import Trainer
    from gongzhi.meetings.models import Meeting
    from gongzhi.volunteering.models import VolunteerActivity

    community = Community.objects.get(slug=SLUG)
    cid = community.pk
    from gongzhi.accounts.models import User

    worker = User.objects.get(phone=WORKER_PHONE)
    residents = list(
        User.objects.filter(phone__startswith=PHONE_PREFIX)
        .order_by("phone")
        .values_list("pk", flat=True)
    )

    def distinct(queryset: Any, column: str) -> list[int]:
        return sorted(set(queryset.values_list(column, flat=True)))

    return Seeded(
        community_id=cid,
        worker_id=worker.pk,
        residents=residents,
        organisers=distinct(VolunteerActivity.objects.in_community(cid), "organiser_id"),
        chairs=distinct(Meeting.objects.in_community(cid), "chair_id"),
        leaders=distinct(Mandate.objects.in_community(cid), "membership__user_id"),
        trainers=distinct(Trainer.objects.in_community(cid), "person_id"),
    )


# --- Scale --------------------------------------------------------------------------------------


def healthz() -> Callable[[], Any]:
    from django.test import Client

    client = Client()

    def call() -> Any:
        response = client.get("/healthz")
        if response.status_code != 200:
            raise RuntimeError(f"/healthz: HTTP {response.status_code}")
        return response

    return call


def scale(world: Seeded, args: argparse.Namespace) -> dict[str, Any]:
    from gongzhi.accounts.models import User
    from gongzhi.core.models import Community
    from gongzhi.learning import pathway

    community = Community.objects.get(pk=world.community_id)
    rng = random.Random(23)
    lines: dict[str, Any] = {}
    health = timed([healthz()], args.repeat)
    lines["healthz_p95_ms"] = round(health.p95_ms, 2)
    # A sample across the whole range, and people of each rung from 3 up.
    ids = rng.sample(world.residents, min(args.sample, len(world.residents)))
    for group in (world.organisers, world.chairs, world.leaders, world.trainers):
        ids += rng.sample(group, min(5, len(group)))
    people = list(User.objects.filter(pk__in=ids))

    def pathway_of(person: Any) -> Callable[[], Any]:
        return lambda: pathway.pathway(community, person)

    first = pathway.pipeline(community)
    pages = max(1, first.pages)
    say(f"  pipeline: {first.total:,} people, {pages} pages")

    def pipeline_call(**kwargs: Any) -> Callable[[], Any]:
        return lambda: pathway.pipeline(community, **kwargs)

    reads = {
        "pathway": [pathway_of(p) for p in people],
        "pipeline": [
            pipeline_call(),
            pipeline_call(page=max(1, pages // 2)),
            pipeline_call(page=pages),
            pipeline_call(rung=3),
            pipeline_call(rung=4),
        ],
    }
    lines["pipeline_people"] = first.total
    lines["pipeline_pages"] = pages
    for name, calls in reads.items():
        timing = timed(calls, max(args.repeat, len(calls)))
        say(
            f"  {name:10} p50 {timing.p50_ms:8.1f} ms  p95 {timing.p95_ms:8.1f} ms  "
            f"{timing.queries:3} queries"
        )
        lines[f"{name}_p50_ms"] = round(timing.p50_ms, 2)
        lines[f"{name}_queries"] = timing.queries
        lines[f"{name}_vs_healthz"] = round(timing.p95_ms / health.p95_ms, 1)
        lines[f"p95_{name}_ms"] = round(timing.p95_ms, 1)
    lines["goal_pathway_under_100ms"] = "yes" if lines["p95_pathway_ms"] < PATHWAY_GOAL_MS else "no"
    lines["goal_pipeline_under_300ms"] = (
        "yes" if lines["p95_pipeline_ms"] < PIPELINE_GOAL_MS else "no"
    )
    return lines


# --- Main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        url, facts = bench_database_url(args, "learning.sqlite3", PG_DATABASE)
    except PostgresUnavailable as exc:
        say(f"error: {exc}")
        return 2
    if args.rebuild:
        wipe_bench_database(url, args, "learning.sqlite3")
    setup(url, args)
    from django.db import connection

    lines: dict[str, Any] = {
        "database": connection.vendor,
        **facts,
        **machine(),
        "loadavg_start": "/".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    have = seeded_residents()
    if have and have != args.residents:
        say(f"the bench's database holds {have:,} residents: run with --rebuild")
        return 2
    if not have:
        say(f"seeding {args.residents:,} residents and their acts ...")
        began = time.perf_counter()
        seed(args)
        lines["load_s"] = round(time.perf_counter() - began, 1)
    world = seeded_world()
    from gongzhi.core.models import Activity
    from gongzhi.volunteering.models import HoursEntry

    lines.update(
        residents=len(world.residents),
        journal_entries=Activity.objects.in_community(world.community_id).count(),
        hours_entries=HoursEntry.objects.in_community(world.community_id).count(),
        organisers=len(world.organisers),
        chairs=len(world.chairs),
        office_holders=len(world.leaders),
        trainers=len(world.trainers),
    )
    say("a person's pathway and the workers' pipeline ...")
    lines.update(scale(world, args))
    lines["loadavg_end"] = "/".join(f"{x:.1f}" for x in os.getloadavg())
    lines["bench_s"] = round(time.perf_counter() - started, 1)
    lines["python"] = platform.python_version()
    text = "\n".join(f"{key}={value}" for key, value in lines.items())
    print(text, flush=True)
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    (results_dir / f"learning-{stamp}.txt").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
