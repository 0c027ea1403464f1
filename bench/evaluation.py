"""`make bench-evaluation`: the evaluation dashboard of a street of 20 communities, 100,000
residents and 2,000,000 journal entries over two years (issue 13's goal: dashboard p95 under
300 ms).

1. Database: SQLite in a temporary file (deleted afterwards unless ``--keep``), or the database
   ``DATABASE_URL`` names (PostgreSQL, or a SQLite file kept by an earlier run): a world of the
   same size left there by an earlier run is used again; a database holding another bench world
   is refused, never emptied.
2. Seed, at ``--scale`` (1 = the numbers above; the default 0.05 is a quick run): 20
   communities, each with 5 grids of buildings, households, a community worker and its share of
   the residents (memberships mostly verified, some during the two years, some never; 40 % gave
   the group consent, with groups and a year of birth), and its share of the journal: residents
   reading notices, commenting, supporting proposals, filing, rating hotline tickets, casting
   votes (binding or not) and budget ballots, sometimes through a worker acting for them; staff
   accepting and resolving tickets, answering proposals, publishing monthly accounts (with
   ``period_end``) and counting budgets (with ``funded_fen``) -- the verbs and data the
   indicators read. The entries are written with ``Activity.objects.bulk_create`` in chunks,
   with their ``seq`` but placeholder hashes: the hash chain is not this bench's subject (the
   journal's own bench and tests time and verify it), and ``journal.verify`` fails on it.
3. Rollups: ``services.refresh(community=...)`` for every community, timed one by one.
4. Dashboard: ``/c/<slug>/evaluation/`` as the community's worker, in-process with
   django.test.Client against the bench database (the server's own time, no network), after a
   warm-up, ``--repeat`` times (at least 50); the community's home page is the baseline page,
   measured the same way in the same run; ``/healthz`` too.
5. Recompute: ``services.journal_export`` of one community into a temporary directory, then
   ``manage.py indicators --from-export`` on it (in-process), timed; its lines are compared with
   ``manage.py indicators <slug>`` read from the database.

Prints ``key=value`` lines (also written to bench/results/evaluation-<time>.txt), among them
``refresh_s``, ``p95_dashboard_ms``, ``baseline_p95_ms``, ``ratio``, ``recompute_s``.

    make bench-evaluation                               # full scale, SQLite
    .venv/bin/python bench/evaluation.py --scale 0.05   # quick
    DATABASE_URL=postgres://... .venv/bin/python bench/evaluation.py --scale 1
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.django_setup import setup_django  # noqa: E402
from bench.proposals import Timing, timed_get  # noqa: E402
from bench.votes import say  # noqa: E402

PREFIX = "bench-eval"
GOAL_MS = 300.0
COMMUNITIES = 20
RESIDENTS = 100_000
ENTRIES = 2_000_000
DAYS = 730
GRIDS = 5
CHUNK = 5_000
PLACEHOLDER_HASH = "0" * 64

#: What residents do, and how often (relative weights): (kind, weight). A kind is a verb, or a
#: name below that makes one verb with its own targets and data.
RESIDENT_ACTS: list[tuple[str, int]] = [
    ("notice.read_confirmed", 18),
    ("checkin.recorded", 3),
    ("comment.added", 8),
    ("reaction.added", 6),
    ("statement.added", 1),
    ("statement.voted", 8),
    ("proposal.published", 1),
    ("proposal.supported", 5),
    ("hotline.filed", 6),
    ("hotline.rated", 3),
    ("vote.cast", 14),
    ("vote.changed", 1),
    ("budget.idea_submitted", 1),
    ("budget.commented", 2),
    ("budget.voted", 6),
]
#: What staff do in between.
#: Each step of a ticket has more chances than the step before it, so its queue drains (a draw
#: on an empty queue is skipped).
STAFF_ACTS: list[tuple[str, int]] = [
    ("hotline.accepted", 7),
    ("hotline.resolved", 8),
    ("hotline.noted", 2),
    ("proposal.status_changed", 1),
    ("notice.published", 1),
]
ANSWERS = ["accepted", "rejected", "implemented", "merged", "accepted", "rejected"]
WORKER_FOR_RESIDENT = 0.03  # share of residents' acts a worker records for them (代办)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--scale", type=float, default=0.05, help="share of 100,000 residents and 2M entries"
    )
    parser.add_argument("--repeat", type=int, default=60, help="timed requests per page (60)")
    parser.add_argument("--seed", type=int, default=13, help="random seed of the world")
    parser.add_argument(
        "--insert",
        choices=["raw", "orm"],
        default="raw",
        help="how the journal is written: COPY/executemany (raw) or bulk_create (orm)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file afterwards")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench-evaluation")
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 1:
        parser.error("--scale is between 0 and 1")
    if args.repeat < 50:
        parser.error("--repeat must be at least 50 (a p95 of fewer says little)")
    return args


# --- Django -------------------------------------------------------------------------------------


def database_facts() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"postgresql {cursor.fetchone()[0].split()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"sqlite {cursor.fetchone()[0]}"


# --- Seed ---------------------------------------------------------------------------------------


@dataclass
class World:
    community_ids: list[int] = field(default_factory=list)
    worker_ids: list[int] = field(default_factory=list)
    residents: int = 0
    entries: int = 0


def sizes(scale: float) -> tuple[int, int]:
    """Residents and journal entries of one community at ``scale``."""
    return round(RESIDENTS * scale / COMMUNITIES), round(ENTRIES * scale / COMMUNITIES)


def existing_world(scale: float) -> World | None:
    """The world an earlier run left in this database, if it has the asked size. Raises if the
    database holds a bench world of another size (the bench never empties a database)."""
    from gongzhi.core.models import Activity, Community, Membership, Role

    communities = list(Community.objects.filter(slug__startswith=PREFIX).order_by("pk"))
    if not communities:
        return None
    residents, entries = sizes(scale)
    held = Activity.objects.all_communities().filter(community__in=communities).count()
    if len(communities) != COMMUNITIES or held != entries * COMMUNITIES:
        raise SystemExit(
            f"this database holds a bench world of {len(communities)} communities and {held:,} "
            f"entries, not {COMMUNITIES} and {entries * COMMUNITIES:,}: use an empty database"
        )
    world = World(residents=residents, entries=entries)
    for community in communities:
        world.community_ids.append(community.pk)
        worker = (
            Membership.objects.in_community(community)
            .filter(role_grants__role=Role.COMMUNITY_WORKER)
            .values_list("user_id", flat=True)
            .first()
        )
        assert worker is not None
        world.worker_ids.append(worker)
    return world


def seed_people(index: int, community: Any, rng: random.Random, residents: int) -> list[int]:
    """The community's grids, buildings, households and residents; returns the residents' user
    ids, most active first (``journal_rows`` picks actors with a skew towards the front)."""
    from gongzhi.accounts.models import User
    from gongzhi.core.models import Building, Grid, Household, Membership, VerificationMethod

    now = datetime.now(UTC)
    start = now - timedelta(days=DAYS)
    grids = Grid.objects.bulk_create(
        [Grid(community=community, name=f"第{g + 1}网格") for g in range(GRIDS)]
    )
    per_grid = max(1, min(8, residents // (GRIDS * 100)))
    buildings = Building.objects.bulk_create(
        [
            Building(community=community, grid=grid, name=f"{g * per_grid + b + 1}号楼")
            for g, grid in enumerate(grids)
            for b in range(per_grid)
        ]
    )
    households = Household.objects.bulk_create(
        [
            Household(community=community, building=buildings[h % len(buildings)], unit=f"{h}室")
            for h in range(max(1, residents * 2 // 5))
        ],
        batch_size=2000,
    )
    users = User.objects.bulk_create(
        [
            User(
                phone=f"+86150{index:02d}{i:06d}",
                phone_verified=True,
                password="!",  # noqa: S106 - unusable: nobody logs in as these residents
                display_name=f"居民{index}-{i}",
            )
            for i in range(residents)
        ],
        batch_size=2000,
    )
    this_year = now.year
    memberships = []
    for user in users:
        roll = rng.random()
        if roll < 0.60:  # verified before the two years began
            verified: datetime | None = start - timedelta(days=rng.uniform(1, 900))
        elif roll < 0.85:  # verified during them
            verified = start + timedelta(days=rng.uniform(0, DAYS))
        else:
            verified = None
        consented = rng.random() < 0.4
        birth_year = rng.randint(this_year - 90, this_year - 18) if consented else None
        if birth_year is not None and rng.random() < 0.2:
            birth_year = None  # consented to the groups but gave no year
        old = birth_year is not None and this_year - birth_year >= 60
        memberships.append(
            Membership(
                community=community,
                user=user,
                household=rng.choice(households),
                joined_at=(verified or start) - timedelta(days=1),
                verified_at=verified,
                verification_method=VerificationMethod.IN_PERSON if verified else "",
                groups_consented_at=now - timedelta(days=rng.uniform(1, 300))
                if consented
                else None,
                is_elderly=consented and (old or (birth_year is None and rng.random() < 0.3)),
                has_disability=consented and rng.random() < 0.05,
                is_low_income=consented and rng.random() < 0.1,
                birth_year=birth_year,
            )
        )
    Membership.objects.bulk_create(memberships, batch_size=2000)
    ids = [user.pk for user in users]
    rng.shuffle(ids)
    return ids


def seed_worker(index: int, community: Any) -> int:
    from allauth.mfa.totp.internal.auth import TOTP

    from gongzhi.accounts.models import User
    from gongzhi.core.models import Membership, Role, RoleGrant, VerificationMethod

    worker = User.objects.create_user(f"+86151{index:08d}", display_name=f"压测社工{index}")
    TOTP.activate(worker, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")  # staff must have two factors
    membership = Membership.objects.in_community(community).create(
        user=worker,
        verified_at=datetime.now(UTC) - timedelta(days=DAYS + 30),
        verification_method=VerificationMethod.IN_PERSON,
    )
    RoleGrant.objects.in_community(community).create(
        membership=membership, role=Role.COMMUNITY_WORKER
    )
    return int(worker.pk)


def targets() -> dict[str, int]:
    """Content type ids of the journal's targets (the rows themselves need not exist: the
    indicators read ``"app.model:pk"`` strings)."""
    from django.contrib.contenttypes.models import ContentType

    from gongzhi.budgeting.models import Process
    from gongzhi.deliberation.models import Proposal
    from gongzhi.disclosure.models import Announcement, FinancePeriod
    from gongzhi.feedback.models import Ticket
    from gongzhi.voting.models import Vote

    models = {
        "ticket": Ticket,
        "proposal": Proposal,
        "process": Process,
        "period": FinancePeriod,
        "notice": Announcement,
        "vote": Vote,
    }
    return {name: ContentType.objects.get_for_model(model).pk for name, model in models.items()}


Row = tuple[int, datetime, int | None, int | None, str, int | None, str, dict[str, Any]]


def journal_rows(
    rng: random.Random, residents: list[int], worker: int, entries: int, types: dict[str, int]
) -> Any:
    """The community's journal in time order, as plain tuples (seq, at, actor, on_behalf_of,
    verb, target type, target id, data): ``entries`` of them over the last two years."""
    now = datetime.now(UTC)
    start = now - timedelta(days=DAYS)
    span = (now - start).total_seconds() - 60
    deck: list[tuple[bool, str]] = []
    for kind, weight in RESIDENT_ACTS:
        deck += [(True, kind)] * weight
    for kind, weight in STAFF_ACTS:
        deck += [(False, kind)] * weight
    tickets_open: deque[int] = deque()
    tickets_accepted: deque[int] = deque()
    tickets_resolved: deque[int] = deque()
    proposals_open: deque[int] = deque()
    next_ticket = next_proposal = 1
    month = ""
    process = 0
    n = len(residents)
    seq = 0

    def act(at: datetime, resident: bool, verb: str, ttype: str, tid: Any, data: Any) -> Row:
        nonlocal seq
        seq += 1
        actor: int | None = worker
        behalf = None
        if resident:
            person = residents[int(n * rng.random() ** 1.8)]  # a few do much, many little
            if rng.random() < WORKER_FOR_RESIDENT:
                behalf = person
            else:
                actor = person
        type_id = types.get(ttype) if ttype else None
        return (seq, at, actor, behalf, verb, type_id, str(tid) if ttype else "", data)

    while seq < entries:
        # Time moves with the entries written (a draw skipped on an empty queue takes none), so
        # the last entry falls just before now.
        at = start + timedelta(seconds=span * seq / entries)
        this_month = f"{at:%Y-%m}"
        if this_month != month:
            # Staff's monthly acts: the accounts of the month before, published as the month
            # begins -- one month in five a month late, more than 30 days after the period
            # ended; twice a year a budget is counted.
            month = this_month
            period_end = at.date().replace(day=1) - timedelta(days=1)
            if rng.random() < 0.2:
                period_end = period_end.replace(day=1) - timedelta(days=1)
            yield act(
                at,
                False,
                "finance.period_published",
                "period",
                seq + 1,
                {"period_end": period_end.isoformat()},
            )
            if at.month in (6, 12) and seq < entries:
                process += 1
                yield act(
                    at,
                    False,
                    "budget.counted",
                    "process",
                    process,
                    {"funded_fen": rng.randint(50, 400) * 100_000},
                )
            continue
        resident, kind = rng.choice(deck)
        data: dict[str, Any] = {}
        ttype, tid = "", 0
        if kind == "hotline.filed":
            ttype, tid = "ticket", next_ticket
            tickets_open.append(next_ticket)
            next_ticket += 1
        elif kind == "hotline.accepted":
            if not tickets_open:
                continue
            ttype, tid = "ticket", tickets_open.popleft()
            tickets_accepted.append(tid)
        elif kind == "hotline.resolved":
            if not tickets_accepted:
                continue
            ttype, tid = "ticket", tickets_accepted.popleft()
            if rng.random() < 0.7:
                tickets_resolved.append(tid)
        elif kind == "hotline.rated":
            if not tickets_resolved:
                continue
            ttype, tid = "ticket", tickets_resolved.popleft()
            data = {"satisfaction": rng.choices([1, 2, 3, 4, 5], [3, 5, 10, 30, 52])[0]}
        elif kind == "hotline.noted":
            ttype, tid = "ticket", rng.randint(1, next_ticket)
        elif kind == "proposal.published":
            ttype, tid = "proposal", next_proposal
            proposals_open.append(next_proposal)
            next_proposal += 1
        elif kind == "proposal.status_changed":
            if not proposals_open:
                continue
            ttype, tid = "proposal", proposals_open.popleft()
            data = {"from": "open", "to": rng.choice(ANSWERS)}
        elif kind in ("proposal.supported", "comment.added", "reaction.added"):
            ttype, tid = "proposal", rng.randint(1, next_proposal)
        elif kind in ("vote.cast", "vote.changed"):
            vote = seq * 50 // entries  # fifty votes over the two years, three in five binding
            ttype, tid = "vote", vote
            data = {"binding": vote % 5 < 3}
        elif kind.startswith("budget."):
            ttype, tid = "process", process + 1
        elif kind.startswith("notice."):
            ttype, tid = "notice", seq * 200 // entries
        yield act(at, resident, kind, ttype, tid, data)


def seed_journal_orm(community: Any, rows: Any) -> int:
    """Write the rows with ``Activity.objects.bulk_create``, ``CHUNK`` at a time (``--insert
    orm``). ``seq`` is set, the hashes are placeholders: the chain is not what this bench
    measures."""
    from django.db import transaction

    from gongzhi.core.models import Activity

    written = 0
    chunk: list[Activity] = []

    def flush() -> None:
        nonlocal written
        Activity.objects.bulk_create(chunk)
        written += len(chunk)
        chunk.clear()

    with transaction.atomic():
        for seq, at, actor, behalf, verb, ttype, tid, data in rows:
            chunk.append(
                Activity(
                    community=community,
                    seq=seq,
                    at=at,
                    actor_id=actor,
                    on_behalf_of_id=behalf,
                    verb=verb,
                    target_type_id=ttype,
                    target_id=tid,
                    data=data,
                    prev_hash=PLACEHOLDER_HASH,
                    hash=PLACEHOLDER_HASH,
                )
            )
            if len(chunk) >= CHUNK:
                flush()
        if chunk:
            flush()
    return written


#: The journal's columns, in the order ``seed_journal`` writes them.
COLUMNS = (
    "community",
    "seq",
    "at",
    "actor",
    "on_behalf_of",
    "verb",
    "target_type",
    "target_id",
    "data",
    "prev_hash",
    "hash",
)


def seed_journal(community: Any, rows: Any) -> int:
    """Write the rows as the database's bulk path takes them (``--insert raw``, the default):
    COPY on PostgreSQL, ``executemany`` of one prepared INSERT on SQLite, ``CHUNK`` rows at a
    time, in one transaction. The ORM's ``bulk_create`` (``--insert orm``) writes the same rows
    but spends six times longer building SQL than the database spends storing them: 2,000,000
    entries took about ten minutes that way. The table and column names come from the model.
    ``seq`` is set, the hashes are placeholders: the chain is not what this bench measures."""
    import json

    from django.db import connection, transaction

    from gongzhi.core.models import Activity

    meta = Activity._meta
    table = connection.ops.quote_name(meta.db_table)
    column = {f.name: f.column for f in meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(column[name]) for name in COLUMNS)
    cid = community.pk
    dumps = json.dumps
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3's own cursor
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for seq, at, actor, behalf, verb, ttype, tid, data in rows:
                    copy.write_row(
                        (
                            cid,
                            seq,
                            at,
                            actor,
                            behalf,
                            verb,
                            ttype,
                            tid,
                            dumps(data) if data else "{}",
                        )
                        + (PLACEHOLDER_HASH, PLACEHOLDER_HASH)
                    )
                    written += 1
            return written
        # Django keeps SQLite's datetimes as naive UTC text (``str()``); the rows' times are UTC.
        marks = ", ".join(["%s"] * len(COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - the model's names
        chunk: list[tuple[Any, ...]] = []
        for seq, at, actor, behalf, verb, ttype, tid, data in rows:
            chunk.append(
                (cid, seq, str(at.replace(tzinfo=None)), actor, behalf, verb, ttype, tid)
                + (dumps(data) if data else "{}",)
                + (PLACEHOLDER_HASH, PLACEHOLDER_HASH)
            )
            if len(chunk) >= CHUNK:
                cursor.executemany(sql, chunk)
                written += len(chunk)
                chunk.clear()
        if chunk:
            cursor.executemany(sql, chunk)
            written += len(chunk)
    return written


def seed_world(args: argparse.Namespace, lines: dict[str, Any]) -> World:
    from django.db import connection, transaction

    from gongzhi.core.models import Community, District, Street

    residents, entries = sizes(args.scale)
    world = World(residents=residents, entries=entries)
    rng = random.Random(args.seed)
    types = targets()
    began = time.perf_counter()
    people_s = journal_s = 0.0
    with transaction.atomic():
        district = District.objects.create(name="压测区", slug=PREFIX)
        street = Street.objects.create(district=district, name="评估压测街道", slug=PREFIX)
    for index in range(COMMUNITIES):
        step = time.perf_counter()
        with transaction.atomic():
            community = Community.objects.create(
                street=street, name=f"评估压测社区{index + 1}", slug=f"{PREFIX}-{index + 1:02d}"
            )
            worker = seed_worker(index, community)
            ids = seed_people(index, community, rng, residents)
        people_s += time.perf_counter() - step
        step = time.perf_counter()
        write = seed_journal_orm if args.insert == "orm" else seed_journal
        written = write(community, journal_rows(rng, ids, worker, entries, types))
        journal_s += time.perf_counter() - step
        world.community_ids.append(community.pk)
        world.worker_ids.append(worker)
        say(
            f"  {community.slug}: {residents:,} residents, {written:,} entries "
            f"({time.perf_counter() - began:.0f} s)"
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    lines["seed_people_s"] = round(people_s, 1)
    lines["seed_journal_s"] = round(journal_s, 1)
    lines["seed_entries_per_s"] = round(entries * COMMUNITIES / journal_s)
    return world


# --- Measuring ----------------------------------------------------------------------------------


def refresh_all(world: World, lines: dict[str, Any]) -> None:
    from gongzhi.core.models import Community
    from gongzhi.evaluation import services

    per: list[float] = []
    rows = 0
    for community in Community.objects.filter(pk__in=world.community_ids).order_by("pk"):
        began = time.perf_counter()
        rows += services.refresh(community=community)
        per.append(time.perf_counter() - began)
        lines[f"refresh_s_{community.slug.removeprefix(PREFIX + '-')}"] = round(per[-1], 2)
        say(f"  refreshed {community.slug} in {per[-1]:.1f} s")
    lines["refresh_s"] = round(sum(per), 1)
    lines["refresh_s_mean"] = round(sum(per) / len(per), 2)
    lines["refresh_s_max"] = round(max(per), 2)
    lines["indicator_rows"] = rows


def recompute(world: World, lines: dict[str, Any]) -> None:
    """Export one community's journal and recompute its indicators from the export alone, as a
    researcher would; check the lines equal those read from the database."""
    from django.core.management import call_command

    from gongzhi.core.models import Community
    from gongzhi.evaluation import services

    community = Community.objects.get(pk=world.community_ids[0])
    directory = Path(tempfile.mkdtemp(prefix="bench-eval-export-"))
    try:
        began = time.perf_counter()
        counts = services.journal_export(community, directory)
        exported = time.perf_counter() - began
        out = io.StringIO()
        began = time.perf_counter()
        call_command("indicators", from_export=str(directory), stdout=out)
        recomputed = time.perf_counter() - began
        size = sum(f.stat().st_size for f in directory.iterdir())
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    from_db = io.StringIO()
    call_command("indicators", community.slug, stdout=from_db)
    lines.update(
        export_s=round(exported, 2),
        indicators_from_export_s=round(recomputed, 2),
        recompute_s=round(exported + recomputed, 2),
        export_entries=counts["entries"],
        export_mb=round(size / 1e6, 1),
        recompute_matches_database="yes" if out.getvalue() == from_db.getvalue() else "no",
    )


def measure_pages(world: World, args: argparse.Namespace, lines: dict[str, Any]) -> None:
    from gongzhi.core.models import Community
    from gongzhi.wsgi import collect_like_a_server

    community = Community.objects.get(pk=world.community_ids[0])
    worker = world.worker_ids[0]
    collect_like_a_server()  # the garbage collector as gunicorn's workers run it (gongzhi/wsgi.py)
    pages = [
        ("healthz", "/healthz", "", None),
        ("baseline", f"/c/{community.slug}/", community.name, worker),
        ("dashboard", f"/c/{community.slug}/evaluation/", "ind-participation-rate", worker),
    ]
    timings: dict[str, Timing] = {}
    for name, path, expect, user in pages:
        timings[name] = timed_get(name, path, {}, expect, args.repeat, user)
        say(
            f"  {name:10} p50 {timings[name].p50_ms:7.1f} ms  p95 {timings[name].p95_ms:7.1f} ms"
            f"  {timings[name].queries:3} queries"
        )
    dashboard, baseline = timings["dashboard"], timings["baseline"]
    lines.update(
        dashboard_path=pages[2][1],
        p50_dashboard_ms=round(dashboard.p50_ms, 1),
        p95_dashboard_ms=round(dashboard.p95_ms, 1),
        dashboard_queries=dashboard.queries,
        baseline_path=pages[1][1],
        baseline_p95_ms=round(baseline.p95_ms, 1),
        baseline_queries=baseline.queries,
        ratio=round(dashboard.p95_ms / baseline.p95_ms, 2),
        healthz_p95_ms=round(timings["healthz"].p95_ms, 2),
        requests_per_page=args.repeat,
        goal_p95_under_300ms="yes" if dashboard.p95_ms < GOAL_MS else "no",
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    sqlite_file: Path | None = None
    if not url.startswith(("postgres", "sqlite")):
        handle, name = tempfile.mkstemp(prefix="bench-evaluation-", suffix=".sqlite3")
        os.close(handle)
        sqlite_file = Path(name)
        url = f"sqlite:///{sqlite_file}"
    try:
        setup_django(url, args.data_dir)
        lines: dict[str, Any] = {
            "scale": args.scale,
            "communities": COMMUNITIES,
            "database": database_facts(),
        }
        world = existing_world(args.scale)
        if world is None:
            residents, entries = sizes(args.scale)
            say(
                f"seeding {COMMUNITIES} communities: {residents * COMMUNITIES:,} residents, "
                f"{entries * COMMUNITIES:,} journal entries ..."
            )
            world = seed_world(args, lines)
        else:
            say("using the bench world already in this database")
        lines.update(
            residents=world.residents * COMMUNITIES,
            entries=world.entries * COMMUNITIES,
        )
        say("refreshing every community's rollups ...")
        refresh_all(world, lines)
        say("timing the dashboard ...")
        measure_pages(world, args, lines)
        say("exporting one community and recomputing from the export ...")
        recompute(world, lines)
        lines["machine"] = f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    finally:
        if sqlite_file is not None:
            from django.db import connections

            connections.close_all()
            if args.keep:
                say(f"kept {sqlite_file}")
            else:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
    text = "\n".join(f"{key}={value}" for key, value in lines.items())
    print(text, flush=True)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (results / f"evaluation-{stamp}.txt").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
