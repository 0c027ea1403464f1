"""`make bench-votes`: many concurrent clients cast ballots against gunicorn on PostgreSQL.

Prints ``votes_per_s=``, ``double_votes=`` and ``lost_votes=`` (each on its own line) among
other ``key=value`` lines, and writes them to bench/results/votes-*.txt. The issue's goal:
at least 300 votes/s on 2 cores, with 0 double and 0 lost votes.

1. PostgreSQL (Debian's cluster 15/main on 127.0.0.1:5432): started if it is not running (as
   root: ``pg_ctlcluster``), the role ``gongzhi`` created if missing, and the database
   ``gongzhi_bench_votes`` dropped and created again, migrated, ``createcachetable``. No other
   database is touched. If PostgreSQL cannot be started or reached, the run stops with status 2.
   ``--sqlite`` runs the same against a SQLite file under var/bench-votes/, for comparison only.
2. Seeds one community, ``--voters`` verified residents (2,000) with one API token each (bulk
   inserts) and a community worker, who sets up each vote through ``services.vote_create``
   (secret, one choice, 3 options).
3. For each worker class (``--worker-classes``: sync and gthread) and round, on a new vote:
   starts gunicorn (``gongzhi.wsgi``, DEBUG=0, ``--workers`` = 2 × cores) on a free loopback
   port, warms it up on a separate vote, measures two baselines (``/healthz`` and the
   authenticated ``GET /api/v1/me``) and then the load: ``--clients`` clients in
   ``--client-procs`` processes; every voter casts once; ``--burst-share`` of them send 2-5
   ballots at the same moment; ``--change-share`` change their ballot later (see
   bench/votes_load.py). Every response is recorded.
4. Checks the database after each load: ``double_votes`` = voters with more than one
   Participation or more than one CountedBallot in the vote (ballots are mapped back to voters
   with ``services._secret_slot`` and this run's VOTE_KEY, for this check only);
   ``lost_votes`` = voters whose CountedBallot is missing or is not a content the server had
   accepted from them in their last answered action (any of a concurrent burst's accepted
   contents counts). Also: every accepted ballot has one journal entry; the chain verifies.
5. ``votes_per_s`` = accepted ballots (HTTP 200) ÷ wall time of the load phase, of the faster
   worker class (median of its rounds). ``double_votes`` and ``lost_votes`` add up all loads.
6. Below the goal (or with ``--profile always``), times one ballot in-process step by step and
   under cProfile (bench/votes_profile.py), and with ``--probe`` runs one more load on a
   gunicorn whose workers time the journal lock (bench/votes_probe.py). During every load,
   pg_stat_activity is sampled to see what PostgreSQL's backends wait for.

    .venv/bin/python bench/votes.py                    # or: make bench-votes
    .venv/bin/python bench/votes.py --rounds 3 --probe
    .venv/bin/python bench/votes.py --sqlite           # comparison only
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import secrets
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load import LOOPBACK, Result, fetch, percentile  # noqa: E402
from bench.server import Server  # noqa: E402
from bench.votes_load import (  # noqa: E402
    NO_RESPONSE,
    NOT_SENT,
    PgSampler,
    Record,
    baseline,
    client_process,
    cpu_snapshot,
    make_plan,
    spread,
)
from bench.votes_profile import profile_ballots  # noqa: E402

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_ROLE = "gongzhi"
PG_PASSWORD = "gongzhi"  # noqa: S105 - the documented local development role
PG_DATABASE = "gongzhi_bench_votes"
SLUG = "bench-votes"
OPTIONS = ["方案甲", "方案乙", "方案丙"]
GOAL_VOTES_PER_S = 300
WORKER_PHONE = "+8613700000001"


class PostgresUnavailable(Exception):
    pass


def say(message: str) -> None:
    print(message, flush=True)


# --- Arguments ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--voters", type=int, default=2000, help="verified residents (2000)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument(
        "--client-procs",
        type=int,
        default=cores,
        help=f"processes the clients are spread over ({cores}: one per core)",
    )
    parser.add_argument(
        "--workers", type=int, default=2 * cores, help=f"gunicorn workers ({2 * cores})"
    )
    parser.add_argument(
        "--worker-classes",
        default="sync,gthread",
        help="gunicorn worker classes to compare, comma-separated (sync,gthread)",
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (4)")
    parser.add_argument("--rounds", type=int, default=2, help="loads per worker class (2)")
    parser.add_argument(
        "--burst-share", type=float, default=0.2, help="voters who send concurrent ballots (0.2)"
    )
    parser.add_argument("--max-burst", type=int, default=5, help="ballots in a burst: 2 to this")
    parser.add_argument(
        "--change-share", type=float, default=0.1, help="voters who change later (0.1)"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=120, help="deadline of one load phase (120)"
    )
    parser.add_argument(
        "--baseline-seconds", type=float, default=3, help="per baseline and load (3)"
    )
    parser.add_argument("--conn-max-age", type=int, default=60, help="CONN_MAX_AGE (60)")
    parser.add_argument(
        "--pg-options",
        default="",
        help="query string for DATABASE_URL, e.g. server_side_binding=true&prepare_threshold=1",
    )
    parser.add_argument(
        "--profile",
        choices=["auto", "always", "never"],
        default="auto",
        help="in-process profile of a ballot: auto = when under the goal",
    )
    parser.add_argument(
        "--probe",
        action="store_true",
        help="one more load (sync) on gunicorn workers that time the journal lock",
    )
    parser.add_argument(
        "--probe-profile",
        action="store_true",
        help="with --probe: also cProfile every ballot in the probe's workers (slows them)",
    )
    parser.add_argument("--no-sampler", action="store_true", help="do not sample pg_stat_activity")
    parser.add_argument(
        "--sqlite", action="store_true", help="SQLite instead of PostgreSQL (comparison only)"
    )
    parser.add_argument(
        "--app-root",
        type=Path,
        default=ROOT,
        help="serve the gongzhi package of another checkout (e.g. a patched copy)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the load plan")
    parser.add_argument("--label", default="", help="a name for this run in the results")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench-votes")
    args = parser.parse_args(argv)
    args.worker_classes = [c.strip() for c in args.worker_classes.split(",") if c.strip()]
    if not args.worker_classes or set(args.worker_classes) - {"sync", "gthread"}:
        parser.error("--worker-classes takes sync and/or gthread")
    if min(args.voters, args.clients, args.client_procs, args.workers, args.threads) < 1:
        parser.error("--voters, --clients, --client-procs, --workers, --threads must be >= 1")
    if args.rounds < 1 or not 2 <= args.max_burst <= 20:
        parser.error("--rounds must be >= 1 and --max-burst between 2 and 20")
    if args.voters < 40:
        parser.error("--voters must be at least 40")
    args.client_procs = min(args.client_procs, args.clients)
    args.data_dir = args.data_dir.resolve()
    args.app_root = args.app_root.resolve()
    return args


# --- The database ---------------------------------------------------------------------------------


def pg_accepting() -> bool:
    exe = shutil.which("pg_isready") or "/usr/lib/postgresql/15/bin/pg_isready"
    if Path(exe).exists():
        command = [exe, "-q", "-h", PG_HOST, "-p", str(PG_PORT), "-t", "3"]
        return subprocess.run(command, check=False).returncode == 0
    import socket

    try:
        socket.create_connection((PG_HOST, PG_PORT), timeout=3).close()
    except OSError:
        return False
    return True


def as_postgres(command: list[str]) -> list[str]:
    """``command`` run as the postgres system user (who may administer the local cluster)."""
    import getpass

    if getpass.getuser() == "postgres":
        return command
    if os.geteuid() == 0:
        if shutil.which("runuser"):
            return ["runuser", "-u", "postgres", "--", *command]
        return ["su", "postgres", "-c", shlex.join(command)]
    return ["sudo", "-n", "-u", "postgres", *command]


def psql(sql: str, database: str = "postgres") -> str:
    command = as_postgres(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-c", sql, database])
    try:
        done = subprocess.run(
            command, cwd="/", capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PostgresUnavailable(f"psql as postgres failed: {exc}") from exc
    if done.returncode:
        raise PostgresUnavailable(f"psql as postgres failed: {(done.stderr or done.stdout)[-500:]}")
    return done.stdout.strip()


def prepare_postgres(database: str = PG_DATABASE, keep: bool = False) -> tuple[str, dict[str, str]]:
    """Start the cluster if needed; (re)create the bench database (``keep``: create it only if
    it is missing); return its URL and facts."""
    if not pg_accepting():
        say("PostgreSQL is not accepting connections on 127.0.0.1:5432: starting it ...")
        command = ["pg_ctlcluster", "15", "main", "start"]
        if os.geteuid() != 0:
            command = as_postgres(command)
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresUnavailable(f"{' '.join(command)} failed: {exc}") from exc
        deadline = time.monotonic() + 30
        while not pg_accepting() and time.monotonic() < deadline:
            time.sleep(0.5)
        if not pg_accepting():
            raise PostgresUnavailable(
                f"{' '.join(command)} exited with {done.returncode}: "
                f"{(done.stderr or done.stdout).strip()[-500:]}"
            )
    psql(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gongzhi') THEN "
        "CREATE ROLE gongzhi LOGIN PASSWORD 'gongzhi'; END IF; END $$;"
    )
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'") == "1"  # noqa: S608 - our constant
    if not (keep and exists):
        psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        psql(f"CREATE DATABASE {database} OWNER {PG_ROLE}")
    url = f"postgres://{PG_ROLE}:{PG_PASSWORD}@{PG_HOST}:{PG_PORT}/{database}"
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            facts = {"postgres": str(conn.execute("SHOW server_version").fetchone()[0])}
            for name in ("synchronous_commit", "shared_buffers", "max_connections", "fsync"):
                facts[f"pg_{name}"] = str(conn.execute(f"SHOW {name}").fetchone()[0])
    except psycopg.Error as exc:
        raise PostgresUnavailable(f"cannot connect as {PG_ROLE} to {database}: {exc}") from exc
    facts["postgres"] = facts["postgres"].split()[0]
    return url, facts


def bench_database_url(args: Any, sqlite_name: str, pg_database: str) -> tuple[str, dict[str, str]]:
    """The bench's database: ``--database-url`` as given, ``--sqlite`` a file ``sqlite_name`` in
    its data directory, else ``pg_database`` on the local cluster (kept between runs)."""
    if args.database_url:
        return args.database_url, {}
    if args.sqlite:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{args.data_dir / sqlite_name}", {}
    return prepare_postgres(pg_database, keep=True)


def wipe_bench_database(url: str, args: Any, sqlite_name: str) -> None:
    """Empty the bench's database before Django starts (``--rebuild``)."""
    if url.startswith("sqlite"):
        database = args.data_dir / sqlite_name
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def prepare_sqlite(data_dir: Path) -> tuple[str, dict[str, str]]:
    import sqlite3

    database = data_dir / "votes.sqlite3"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{database}", {"sqlite": sqlite3.sqlite_version}


def bench_env(args: argparse.Namespace, url: str, keys: dict[str, str]) -> dict[str, str]:
    """Every bench process's environment: production-like, the bench's database only."""
    inherited = {
        "DATABASE_URL",
        "REDIS_URL",
        "CONN_MAX_AGE",
        "DJANGO_SETTINGS_MODULE",
        "JOURNAL_KEY",
        "VOTE_KEY",
        "SECRET_KEY",
        "GONGZHI_STAFF_MFA_REQUIRED",
        "GONGZHI_DEMO",
    }
    env = {key: value for key, value in os.environ.items() if key not in inherited}
    paths = [str(args.app_path), os.environ.get("PYTHONPATH", "")]
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",  # production's, with this run's own keys
        GONGZHI_DATA_DIR=str(args.data_dir),
        DATABASE_URL=url,
        CONN_MAX_AGE=str(args.conn_max_age),
        DEBUG="0",
        ALLOWED_HOSTS=LOOPBACK,
        SECURE_SSL_REDIRECT="0",
        TASKS_BACKEND="database",
        GONGZHI_STAFF_MFA_REQUIRED="1",
        PYTHONPATH=os.pathsep.join(dict.fromkeys(p for p in paths if p)),
        PYTHONDONTWRITEBYTECODE="1",
        **keys,
    )
    return env


def manage(env: dict[str, str], root: Path, *command: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"manage.py {' '.join(command)} failed ({done.returncode})")


def app_path(args: argparse.Namespace) -> Path:
    """Where the served code is imported from: the repository itself, or for ``--app-root`` a
    directory of links to that checkout's gongzhi/ and manage.py beside this bench/, so that
    the server, ``manage.py``, this process and the client processes all find both."""
    if args.app_root == ROOT:
        return ROOT
    shim = args.data_dir / "app"
    shim.mkdir(parents=True, exist_ok=True)
    links = {
        "gongzhi": args.app_root / "gongzhi",
        "manage.py": args.app_root / "manage.py",
        "bench": ROOT / "bench",
    }
    for name, target in links.items():
        link = shim / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)
    return shim


def setup_django(env: dict[str, str], path: Path) -> None:
    if path != ROOT:  # seed and profile with the served checkout's code too
        sys.path.insert(0, str(path))
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


# --- Seeding --------------------------------------------------------------------------------------


@dataclass
class Seeded:
    community_id: int
    worker_id: int
    voter_ids: list[int]
    tokens: list[str]


def seed(voters: int, slug: str = SLUG) -> Seeded:
    from django.db import transaction
    from django.utils import timezone

    from gongzhi.accounts.models import ApiToken, User, hash_token
    from gongzhi.core.models import (
        Community,
        District,
        Membership,
        Role,
        RoleGrant,
        Street,
        VerificationMethod,
    )

    now = timezone.now()
    with transaction.atomic():
        district = District.objects.create(name="压测区", slug=slug)
        street = Street.objects.create(district=district, name="压测街道", slug=slug)
        community = Community.objects.create(street=street, name="压测社区", slug=slug)
        worker = User.objects.create_user(WORKER_PHONE, display_name="压测社工")
        membership = Membership.objects.in_community(community).create(
            user=worker, verified_at=now, verification_method=VerificationMethod.IN_PERSON
        )
        RoleGrant.objects.in_community(community).create(
            membership=membership, role=Role.COMMUNITY_WORKER
        )
        users = User.objects.bulk_create(
            [
                User(
                    phone=f"+86139{index:08d}",
                    phone_verified=True,
                    password="!",  # noqa: S106 - unusable: these residents vote with tokens
                    display_name=f"居民{index}",
                )
                for index in range(voters)
            ],
            batch_size=2000,
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    community=community,
                    user=user,
                    verified_at=now,
                    verified_by=worker,
                    verification_method=VerificationMethod.IN_PERSON,
                )
                for user in users
            ],
            batch_size=2000,
        )
        tokens = [ApiToken.new_raw_token() for _ in users]
        ApiToken.objects.bulk_create(
            [
                ApiToken(user=user, name="bench", token_hash=hash_token(raw), hint=raw[:7])
                for user, raw in zip(users, tokens, strict=True)
            ],
            batch_size=2000,
        )
    return Seeded(community.pk, worker.pk, [user.pk for user in users], tokens)


def new_vote(seeded: Seeded, title: str) -> tuple[int, list[int]]:
    """A secret single-choice vote with 3 options, set up by the community worker."""
    from django.db import connections
    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.core.models import Community
    from gongzhi.voting import services
    from gongzhi.voting.models import Kind, Method, Option

    now = timezone.now()
    vote = services.vote_create(
        actor=User.objects.get(pk=seeded.worker_id),
        community=Community.objects.get(pk=seeded.community_id),
        title=title,
        options=OPTIONS,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=7),
        secret=True,
        method=Method.SINGLE,
        kind=Kind.POLL,
    )
    options = list(
        Option.objects.in_community(seeded.community_id)
        .filter(vote=vote)
        .values_list("pk", flat=True)
    )
    connections.close_all()
    return vote.pk, options


def reset_tokens(seeded: Seeded) -> None:
    """Every load starts alike: a token's first use in a minute also writes last_used_at."""
    from django.db import connections

    from gongzhi.accounts.models import ApiToken

    ApiToken.objects.filter(user_id__in=seeded.voter_ids).update(last_used_at=None)
    connections.close_all()


def ballot_path(vote_id: int) -> str:
    return f"/api/v1/communities/{SLUG}/votes/{vote_id}/ballot"


# --- Checking the database ------------------------------------------------------------------------


@dataclass
class Check:
    accepted: int = 0  # HTTP 200 responses
    voters_accepted: int = 0  # voters with at least one
    double_votes: int = 0
    double_participations: int = 0
    double_ballots: int = 0
    lost_votes: int = 0
    lost_examples: list[str] = field(default_factory=list)
    ambiguous_voters: int = 0  # with a request that got no response in their last action
    unconfirmed_ballots: int = 0  # counted, but the voter never had a 200
    unknown_slots: int = 0  # ballots whose slot maps to no bench voter
    participations: int = 0
    ballots: int = 0
    tally_ballots: int = 0
    tally_matches: bool = False
    journal_entries: int = 0


def check_vote(seeded: Seeded, vote_id: int, records: list[Record]) -> Check:
    from django.db import connections
    from django.db.models import Count

    from gongzhi.accounts.models import User
    from gongzhi.core.models import Activity
    from gongzhi.voting import services
    from gongzhi.voting.models import CountedBallot, Participation, Vote

    community = seeded.community_id
    vote = Vote.objects.in_community(community).get(pk=vote_id)
    check = Check()

    # What each voter had accepted, by action; and requests whose outcome is unknown.
    accepted: dict[int, dict[int, set[tuple[int, ...]]]] = {}
    unknown: dict[int, dict[int, set[tuple[int, ...]]]] = {}
    for voter, seq, _kind, content, status, _latency, _code in records:
        if status == 200:
            check.accepted += 1
            accepted.setdefault(voter, {}).setdefault(seq, set()).add(tuple(sorted(content)))
        elif status == NO_RESPONSE:
            unknown.setdefault(voter, {}).setdefault(seq, set()).add(tuple(sorted(content)))
    check.voters_accepted = len(accepted)

    voter_of_slot = {
        services._secret_slot(vote, User(pk=user_id)): index
        for index, user_id in enumerate(seeded.voter_ids)
    }
    index_of_user = {user_id: index for index, user_id in enumerate(seeded.voter_ids)}

    participations = Counter(
        dict(
            Participation.objects.in_community(community)
            .filter(vote=vote)
            .values("voter_id")
            .annotate(n=Count("id"))
            .values_list("voter_id", "n")
        )
    )
    check.participations = sum(participations.values())
    rows = list(
        CountedBallot.objects.in_community(community)
        .filter(vote=vote)
        .values_list("slot", "content")
    )
    check.ballots = len(rows)
    ballots_per_voter: Counter[int] = Counter()
    content_of: dict[int, tuple[int, ...]] = {}
    for slot, content in rows:
        index = voter_of_slot.get(slot)
        if index is None:
            check.unknown_slots += 1
            continue
        ballots_per_voter[index] += 1
        content_of[index] = tuple(sorted(content))

    doubled = {index_of_user[u] for u, n in participations.items() if n > 1}
    check.double_participations = len(doubled)
    double_ballots = {index for index, n in ballots_per_voter.items() if n > 1}
    check.double_ballots = len(double_ballots)
    check.double_votes = len(doubled | double_ballots)

    for voter, by_seq in accepted.items():
        last = max(by_seq)
        acceptable = set(by_seq[last])
        later_unknown = {
            c for seq, contents in unknown.get(voter, {}).items() if seq >= last for c in contents
        }
        if later_unknown:
            check.ambiguous_voters += 1
            acceptable |= later_unknown
        counted = content_of.get(voter)
        if counted is None or counted not in acceptable:
            check.lost_votes += 1
            if len(check.lost_examples) < 5:
                check.lost_examples.append(
                    f"voter {voter}: accepted {sorted(acceptable)}, counted {counted}"
                )
    check.unconfirmed_ballots = len(set(content_of) - set(accepted))

    result = services.results(vote)
    check.tally_ballots = result.ballots
    expected = Counter(option for content in content_of.values() for option in content)
    check.tally_matches = result.ballots == len(rows) and all(
        result.counts.get(option, 0) == expected.get(option, 0) for option in result.counts
    )
    check.journal_entries = (
        Activity.objects.in_community(community)
        .filter(verb__in=["vote.cast", "vote.changed"], target_id=str(vote.pk))
        .count()
    )
    connections.close_all()
    return check


def journal_ok(seeded: Seeded) -> bool:
    from django.db import connections

    from gongzhi.core import journal
    from gongzhi.core.models import Community

    community = Community.objects.get(pk=seeded.community_id)
    # The task worker chains entries about a second after their acts: wait for it, then verify.
    deadline = time.monotonic() + 60
    while journal.pending_count(community) and time.monotonic() < deadline:
        time.sleep(0.2)
    pending = journal.pending_count(community)
    if pending:
        say(f"JOURNAL: {pending} entries still pending after 60 s")
    broken = journal.verify(community)
    connections.close_all()
    if pending:
        return False
    if broken is not None:
        say(f"JOURNAL BROKEN at #{broken.seq}: {broken.reason}")
    return broken is None


# --- One load -------------------------------------------------------------------------------------


@dataclass
class Load:
    worker_class: str
    round_no: int
    vote_id: int = 0
    requests: int = 0
    accepted: int = 0
    wall: float = 0.0
    votes_per_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    healthz: Result = field(default_factory=Result)
    me: Result = field(default_factory=Result)
    client_cpu: float = 0.0
    healthz_client_cpu: float = 0.0  # the clients' CPU seconds per /healthz request
    cpu: dict[str, float] = field(default_factory=dict)
    sampler: dict[str, float] = field(default_factory=dict)
    sampler_errors: list[str] = field(default_factory=list)
    server_log_errors: int = 0
    stale_retries: int = 0
    hung_threads: int = 0
    check: Check = field(default_factory=Check)

    @property
    def server_errors(self) -> int:
        """Responses 5xx, requests without a response, and errors the server logged."""
        failed = sum(
            n for key, n in self.statuses.items() if key.startswith("5") or key == "no_response"
        )
        return failed + self.server_log_errors


def make_server(
    args: argparse.Namespace, env: dict[str, str], worker_class: str, probe: bool = False
) -> Server:
    class BenchServer(Server):
        def command(self) -> list[str]:
            command = super().command()
            if probe:
                command[command.index("gongzhi.wsgi:application")] = "bench.votes_probe:application"
            return command

    return BenchServer(
        root=args.app_path,
        env=env,
        log_path=args.data_dir / f"gunicorn-{worker_class}{'-probe' if probe else ''}.log",
        workers=args.workers,
        worker_class=worker_class,
        threads=args.threads,
        task_worker=True,
    )


def server_log_errors(server: Server) -> int:
    try:
        text = server.log_path.read_text(errors="replace")
    except OSError:
        return 0
    return len(
        re.findall(r"Internal Server Error|Traceback \(most recent call last\)|\[ERROR\]", text)
    )


def warm_up(args: argparse.Namespace, seeded: Seeded, server: Server) -> None:
    """Each worker imports, connects and caches on a vote of its own, not the measured one."""
    vote_id, options = new_vote(seeded, "预热")
    plan = make_plan(
        voters=min(len(seeded.tokens), 20 * args.workers),
        clients=args.clients,
        options=options,
        rng=random.Random(0),
        burst_share=0.2,
        change_share=0.2,
        max_burst=3,
    )
    run_clients(args, server.port, ballot_path(vote_id), plan, seeded.tokens)


def run_clients(
    args: argparse.Namespace,
    port: int,
    path: str,
    plan: list[list[Any]],
    tokens: list[str],
    server_pgid: int | None = None,
    sampler: Any = None,
) -> Any:
    per_process = []
    for index in range(args.client_procs):
        scripts = plan[index :: args.client_procs]
        needed = {action.voter for script in scripts for action in script}
        per_process.append(
            (port, path, scripts, {v: tokens[v] for v in needed}, args.max_seconds, 60.0)
        )
    return spread(
        client_process,
        per_process,
        timeout=args.max_seconds + 180,
        snapshot=(lambda: cpu_snapshot(server_pgid)) if server_pgid is not None else None,
        during=sampler,
    )


def run_load(
    args: argparse.Namespace,
    env: dict[str, str],
    url: str,
    seeded: Seeded,
    worker_class: str,
    round_no: int,
    *,
    probe: bool = False,
) -> Load:
    load = Load(worker_class, round_no)
    load.vote_id, options = new_vote(seeded, f"压测投票 {worker_class} 第{round_no}轮")
    if probe:  # the probe times only the measured vote's ballots, not the warm-up's
        env = {**env, "GONGZHI_BENCH_PROBE_PATH": ballot_path(load.vote_id)}
    server = make_server(args, env, worker_class, probe=probe)
    with server:
        assert server.process is not None
        pgid = server.process.pid  # gunicorn runs in its own process group (bench/server.py)
        warm_up(args, seeded, server)
        headers = [
            {
                "Host": LOOPBACK,
                "Authorization": f"Bearer {seeded.tokens[-1 - i]}",
                "Accept": "application/json",
            }
            for i in range(args.client_procs)
        ]
        status, body, _ = fetch(server.port, "/api/v1/me", headers[0])
        if status != 200:
            raise RuntimeError(f"GET /api/v1/me answered {status}: {body[:300]!r}")
        plain = [{"Host": LOOPBACK} for _ in range(args.client_procs)]
        for path, hdrs, attr in (("/healthz", plain, "healthz"), ("/api/v1/me", headers, "me")):
            result, cpu = baseline(
                server.port,
                path,
                hdrs,
                clients=args.clients,
                duration=args.baseline_seconds,
                requests=100_000,
            )
            setattr(load, attr, result)
            if attr == "healthz":
                load.healthz_client_cpu = cpu / max(1, result.requests)

        reset_tokens(seeded)
        plan = make_plan(
            voters=len(seeded.tokens),
            clients=args.clients,
            options=options,
            rng=random.Random(args.seed * 1000 + round_no),
            burst_share=args.burst_share,
            change_share=args.change_share,
            max_burst=args.max_burst,
        )
        sampler = None
        if not args.sqlite and not args.no_sampler:
            sampler = PgSampler(url)
        ran = run_clients(
            args,
            server.port,
            ballot_path(load.vote_id),
            plan,
            seeded.tokens,
            server_pgid=pgid,
            sampler=sampler,
        )
        if sampler is not None:
            load.sampler = sampler.means()
            load.sampler_errors = sampler.errors
    load.server_log_errors = server_log_errors(server)

    records: list[Record] = [r for output in ran.outputs for r in output["records"]]
    load.wall = ran.wall
    load.client_cpu = ran.cpu
    load.cpu = ran.stats
    load.stale_retries = sum(o["stale_retries"] for o in ran.outputs)
    load.hung_threads = sum(o["hung_threads"] for o in ran.outputs)
    for _voter, _seq, _kind, _content, status, latency, code in records:
        if status == NOT_SENT:
            load.statuses["not_sent"] += 1
            continue
        load.requests += 1
        if status == NO_RESPONSE:
            load.statuses["no_response"] += 1
        elif status == 200:
            load.accepted += 1
            load.latencies.append(latency)
            load.statuses["200"] += 1
        else:
            load.statuses[f"{status} {code}"] += 1
    load.votes_per_s = load.accepted / load.wall if load.wall else 0.0
    load.check = check_vote(seeded, load.vote_id, records)
    return load


# --- Report ---------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    from importlib.metadata import version

    import django

    return {
        "nproc": os.cpu_count() or 0,
        "cpu": cpu or "unknown",
        "ram_gib": round(ram, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": version("gunicorn"),
    }


def app_commit(app_root: Path) -> str:
    """The served checkout's commit, "-dirty" if its gongzhi/ has changes; "none" outside git."""

    def git(*command: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(app_root), *command], capture_output=True, text=True, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    if git("rev-parse", "--show-toplevel") != str(app_root):
        return "none"
    commit = git("rev-parse", "--short", "HEAD") or "none"
    return commit + ("-dirty" if git("status", "--porcelain", "--", "gongzhi") else "")


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def load_line(load: Load) -> str:
    lat = sorted(load.latencies)
    return (
        f"  {load.worker_class:<7} round {load.round_no}: {load.votes_per_s:6.1f} votes/s "
        f"({load.accepted} accepted of {load.requests} in {load.wall:.1f} s), "
        f"p50 {ms(percentile(lat, 50))} ms, p95 {ms(percentile(lat, 95))} ms; "
        f"healthz {load.healthz.rps:.0f}/s, me {load.me.rps:.0f}/s; "
        f"double {load.check.double_votes}, lost {load.check.lost_votes}"
    )


def summarise(
    args: argparse.Namespace,
    info: dict[str, Any],
    loads: list[Load],
    journal_verified: bool,
) -> tuple[list[str], dict[str, Any], str]:
    by_class: dict[str, list[Load]] = {}
    for load in loads:
        by_class.setdefault(load.worker_class, []).append(load)
    medians = {
        cls: statistics.median(load.votes_per_s for load in group)
        for cls, group in by_class.items()
    }
    best = max(medians, key=medians.__getitem__)
    values: dict[str, Any] = {}
    lines: list[str] = []
    for cls, group in by_class.items():
        lat = sorted(x for load in group for x in load.latencies)
        healthz = statistics.median(load.healthz.rps for load in group)
        me = statistics.median(load.me.rps for load in group)
        wall = sum(load.wall for load in group)
        cpu = {k: sum(load.cpu.get(k, 0.0) for load in group) for k in group[0].cpu}
        capacity = (cpu.get("machine_all") or wall * info["nproc"]) or 1.0
        sampled = {
            key: statistics.mean(load.sampler.get(key, 0.0) for load in group)
            for key in group[0].sampler
        }
        values.update(
            {
                f"{cls}_votes_per_s": round(medians[cls], 1),
                f"{cls}_votes_per_s_rounds": "/".join(f"{x.votes_per_s:.0f}" for x in group),
                f"{cls}_p50_ms": ms(percentile(lat, 50)),
                f"{cls}_p95_ms": ms(percentile(lat, 95)),
                f"{cls}_healthz_rps": round(healthz, 1),
                f"{cls}_me_rps": round(me, 1),
                f"{cls}_votes_vs_healthz": round(medians[cls] / healthz, 3) if healthz else "nan",
                f"{cls}_votes_vs_me": round(medians[cls] / me, 3) if me else "nan",
                f"{cls}_server_errors": sum(load.server_errors for load in group),
                f"{cls}_double_votes": sum(load.check.double_votes for load in group),
                f"{cls}_lost_votes": sum(load.check.lost_votes for load in group),
                # Shares of the machine's CPU time during the load phases (2 cores = 1.0).
                f"{cls}_cpu_busy_share": round(cpu.get("machine_busy", 0) / capacity, 3),
                f"{cls}_cpu_steal_share": round(cpu.get("machine_steal", 0) / capacity, 3),
                f"{cls}_cpu_gunicorn_share": round(cpu.get("gunicorn", 0) / capacity, 3),
                f"{cls}_cpu_postgres_share": round(cpu.get("postgres", 0) / capacity, 3),
                f"{cls}_cpu_clients_share": round(
                    sum(load.client_cpu for load in group) / capacity, 3
                ),
                f"{cls}_client_cpu_ms_per_request": round(
                    1000
                    * sum(load.client_cpu for load in group)
                    / max(1, sum(load.requests for load in group)),
                    3,
                ),
                f"{cls}_client_cpu_ms_per_healthz": round(
                    1000 * statistics.median(load.healthz_client_cpu for load in group), 3
                ),
                f"{cls}_server_cpu_ms_per_vote": round(
                    1000 * cpu.get("gunicorn", 0) / max(1, sum(x.accepted for x in group)), 2
                ),
                f"{cls}_postgres_cpu_ms_per_vote": round(
                    1000 * cpu.get("postgres", 0) / max(1, sum(x.accepted for x in group)), 2
                ),
            }
        )
        for key, value in sampled.items():
            values[f"{cls}_pg_{key}"] = round(value, 3)
        if sampled.get("journal_lock_wait") is not None and medians[cls]:
            # Little's law: waiting backends on average = arrival rate x average wait.
            values[f"{cls}_journal_wait_ms_est"] = round(
                1000 * sampled["journal_lock_wait"] / medians[cls], 2
            )
        for load in group:
            lines.append(load_line(load))

    best_group = by_class[best]
    lat = sorted(x for load in best_group for x in load.latencies)
    healthz = statistics.median(load.healthz.rps for load in best_group)
    statuses: Counter[str] = Counter()
    for load in loads:
        statuses.update(load.statuses)
    checks = [load.check for load in loads]
    headline: dict[str, Any] = {
        "votes_per_s": round(medians[best], 1),
        "double_votes": sum(c.double_votes for c in checks),
        "lost_votes": sum(c.lost_votes for c in checks),
    }
    values = {
        **headline,
        "worker_class": best,
        "database": "sqlite-COMPARISON-ONLY" if args.sqlite else "postgresql",
        "healthz_rps": round(healthz, 1),
        "me_rps": round(statistics.median(load.me.rps for load in best_group), 1),
        "votes_vs_healthz": round(medians[best] / healthz, 3) if healthz else "nan",
        "p50_ms": ms(percentile(lat, 50)),
        "p95_ms": ms(percentile(lat, 95)),
        "p99_ms": ms(percentile(lat, 99)),
        "server_errors": sum(load.server_errors for load in loads),
        "goal_300_votes_per_s": "yes" if medians[best] >= GOAL_VOTES_PER_S else "no",
        **values,
        "loads": len(loads),
        "requests": sum(load.requests for load in loads),
        "accepted": sum(load.accepted for load in loads),
        "responses": " ".join(f"{k.replace(' ', ':')}={v}" for k, v in sorted(statuses.items())),
        "double_participations": sum(c.double_participations for c in checks),
        "double_ballots": sum(c.double_ballots for c in checks),
        "ambiguous_voters": sum(c.ambiguous_voters for c in checks),
        "unconfirmed_ballots": sum(c.unconfirmed_ballots for c in checks),
        "unknown_slots": sum(c.unknown_slots for c in checks),
        "tally_matches": "yes" if all(c.tally_matches for c in checks) else "no",
        "journal_entries_match": "yes"
        if all(c.journal_entries == c.accepted for c in checks)
        else "no",
        "journal_verified": "yes" if journal_verified else "no",
        "stale_retries": sum(load.stale_retries for load in loads),
        "voters": args.voters,
        "clients": args.clients,
        "client_procs": args.client_procs,
        "workers": args.workers,
        "threads": args.threads,
        "rounds": args.rounds,
        "burst_share": args.burst_share,
        "change_share": args.change_share,
        "conn_max_age": args.conn_max_age,
        "pg_options": args.pg_options or "none",
        **{key: (str(v).replace(" ", "_")) for key, v in info.items()},
    }
    if args.app_root != ROOT:
        values["app_root"] = str(args.app_root)
    if args.label:
        values["label"] = re.sub(r"\s+", "_", args.label)
    for load in loads:
        for example in load.check.lost_examples:
            lines.append(f"  LOST ({load.worker_class} round {load.round_no}): {example}")
        for error in load.sampler_errors:
            lines.append(f"  note: pg_stat_activity sampler failed: {error}")
        if load.hung_threads:
            lines.append(f"  WARNING: {load.hung_threads} client threads did not finish")
    return lines, values, best


def print_profile(summary: dict[str, Any], text_path: Path) -> list[str]:
    lines = [
        "",
        f"one ballot in-process, no other load (median of {summary['ballots']}): "
        f"{summary['wall_ms']:.2f} ms (app CPU {summary['cpu_ms']:.2f} ms), "
        f"{summary['queries']:.0f} queries, SQL {summary['sql_ms']:.2f} ms",
        f"{'step':<42} {'ms':>7} {'CPU ms':>7} {'queries':>7} {'SQL ms':>7}",
    ]
    for name, step_ms, cpu_ms, queries, sql_ms in summary["steps"]:
        lines.append(f"{name:<42} {step_ms:7.2f} {cpu_ms:7.2f} {queries:7.0f} {sql_ms:7.2f}")
    hold = summary["journal_hold_ms"]
    lines += [
        f"journal lock held per ballot (FOR UPDATE → COMMIT): {hold:.2f} ms median, "
        f"{summary['journal_hold_p95_ms']:.2f} ms p95 → at most {1000 / hold:.0f} ballots/s "
        "per community with no CPU contention"
        if hold
        else "journal lock: not seen",
        "gongzhi functions by cumulative time per ballot (cProfile, "
        f"{summary['profiled']} ballots; details in {text_path}):",
    ]
    lines += [f"  {ms_:7.2f} ms  {name}" for name, ms_ in summary["top_cumulative"][:10]]
    return lines


def probe_lines(data_dir: Path) -> tuple[list[str], dict[str, Any]]:
    data: dict[str, list[float]] = {}
    for path in data_dir.glob("probe-*.json"):
        for key, values in json.loads(path.read_text()).items():
            data.setdefault(key, []).extend(values)
    if not data.get("request_s"):
        return ["probe: no data (did the workers write probe-*.json?)"], {}
    out: dict[str, Any] = {}
    lines = ["", "probe run (sync workers timing themselves; not the measured numbers):"]
    for key in ("request_s", "sql_s", "journal_wait_s", "journal_hold_s"):
        ordered = sorted(data.get(key, []))
        if not ordered:
            continue
        name = key.removesuffix("_s")
        out[f"probe_{name}_p50_ms"] = ms(percentile(ordered, 50))
        out[f"probe_{name}_p95_ms"] = ms(percentile(ordered, 95))
        out[f"probe_{name}_mean_ms"] = round(1000 * statistics.mean(ordered), 2)
        lines.append(
            f"  {name:<13} p50 {ms(percentile(ordered, 50)):7.1f} ms  "
            f"p95 {ms(percentile(ordered, 95)):7.1f} ms  mean {1000 * statistics.mean(ordered):7.2f} ms"
        )
    if data.get("journal_hold_s"):
        mean_hold = statistics.mean(data["journal_hold_s"])
        out["probe_journal_cap_votes_per_s"] = round(1 / mean_hold, 1)
        lines.append(
            f"  the journal lock allows at most 1 / mean hold = {1 / mean_hold:.0f} ballots/s "
            "in one community at this load"
        )
    if data.get("queries"):
        out["probe_queries_per_ballot"] = statistics.median(data["queries"])
    return lines, out


# --- Main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # DEBUG=0 serves static files with WhiteNoise, which warns about a missing directory; the
    # API needs none of them, so an empty one will do (no collectstatic).
    (args.data_dir / "static").mkdir(parents=True, exist_ok=True)
    for stale in args.data_dir.glob("probe-*"):
        stale.unlink()
    try:
        url, db_facts = prepare_sqlite(args.data_dir) if args.sqlite else prepare_postgres()
    except PostgresUnavailable as exc:
        banner = "*" * 78
        sys.stderr.write(
            f"\n{banner}\n*** PostgreSQL IS NOT AVAILABLE: the vote benchmark did not run.\n"
            f"*** {exc}\n*** Start it (as root: pg_ctlcluster 15 main start) or run with "
            f"--sqlite for a comparison on SQLite.\n{banner}\n"
        )
        return 2
    if args.sqlite:
        say("*** --sqlite: a comparison on SQLite, NOT the PostgreSQL measurement ***")
    keys = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "JOURNAL_KEY": secrets.token_urlsafe(50),
        "VOTE_KEY": secrets.token_urlsafe(50),
    }
    args.app_path = app_path(args)
    served_url = f"{url}?{args.pg_options}" if args.pg_options and not args.sqlite else url
    env = bench_env(args, served_url, keys)
    say(f"migrating {'the SQLite file' if args.sqlite else PG_DATABASE} ...")
    began = time.perf_counter()
    manage(env, args.app_path, "migrate", "--noinput", "-v0")
    manage(env, args.app_path, "createcachetable")
    say(f"  {time.perf_counter() - began:.1f} s")
    setup_django(env, args.app_path)
    say(f"seeding {args.voters:,} verified residents with API tokens ...")
    began = time.perf_counter()
    seeded = seed(args.voters)
    say(f"  {time.perf_counter() - began:.1f} s")

    info = {"commit": app_commit(args.app_root), **machine(), **db_facts}
    loads: list[Load] = []
    for round_no in range(1, args.rounds + 1):
        for worker_class in args.worker_classes:
            say(
                f"load: gunicorn {args.workers} x {worker_class}"
                + (f" ({args.threads} threads)" if worker_class == "gthread" else "")
                + f", {args.clients} clients in {args.client_procs} processes, round {round_no}"
            )
            load = run_load(args, env, url, seeded, worker_class, round_no)
            say(load_line(load))
            loads.append(load)
    verified = journal_ok(seeded)
    lines, values, best = summarise(args, info, loads, verified)

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    extra: list[str] = []
    run_profile = args.profile == "always" or (
        args.profile == "auto" and values["votes_per_s"] < GOAL_VOTES_PER_S
    )
    if run_profile:
        say("profiling one ballot in-process ...")
        vote_id, options = new_vote(seeded, "剖析")
        reset_tokens(seeded)
        count = min(300, (len(seeded.tokens) - 10) // 2)
        text_path = results / f"votes-{stamp}-profile.txt"
        summary = profile_ballots(
            path=ballot_path(vote_id),
            tokens=seeded.tokens,
            option_ids=options,
            count=count,
            out=text_path,
        )
        extra += print_profile(summary, text_path)
        values.update(
            {
                "inprocess_ballot_ms": round(summary["wall_ms"], 2),
                "inprocess_ballot_cpu_ms": round(summary["cpu_ms"], 2),
                "inprocess_queries": summary["queries"],
                "inprocess_sql_ms": round(summary["sql_ms"], 2),
                "inprocess_journal_hold_ms": round(summary["journal_hold_ms"], 2),
            }
        )
    if args.probe:
        say("probe: one more load on sync workers that time themselves ...")
        probe_env = {
            **env,
            "GONGZHI_BENCH_PROBE_DIR": str(args.data_dir),
            "GONGZHI_BENCH_PROBE_PROFILE": "1" if args.probe_profile else "0",
        }
        probe_load = run_load(args, probe_env, url, seeded, "sync", 0, probe=True)
        say(load_line(probe_load).replace("round 0", "probe  "))
        more, probe_values = probe_lines(args.data_dir)
        extra += more
        values.update(probe_values)
        values["probe_votes_per_s"] = round(probe_load.votes_per_s, 1)
        values["probe_double_votes"] = probe_load.check.double_votes
        values["probe_lost_votes"] = probe_load.check.lost_votes
        profiles = sorted(args.data_dir.glob("probe-*.prof"))
        if profiles:
            import io
            import pstats

            stream = io.StringIO()
            stats = pstats.Stats(*map(str, profiles), stream=stream)
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(25)
            probe_text = results / f"votes-{stamp}-probe-profile.txt"
            probe_text.write_text(stream.getvalue())
            extra.append(f"  cProfile of the probe's workers (wall time): {probe_text}")

    header = [
        "",
        f"gongzhi bench-votes: {args.voters:,} voters, {args.clients} clients in "
        f"{args.client_procs} processes, gunicorn {args.workers} workers "
        f"({', '.join(args.worker_classes)}), {args.rounds} round(s) each, "
        f"{'SQLite (COMPARISON ONLY)' if args.sqlite else 'PostgreSQL ' + info['postgres']}",
        f"machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB, Python "
        f"{info['python']}, Django {info['django']}, gunicorn {info['gunicorn']}",
        "",
        *lines,
        f"faster worker class: {best}",
        *extra,
        "",
    ]
    keyed = [f"{key}={value}" for key, value in values.items()]
    print("\n".join(header + keyed), flush=True)
    (results / f"votes-{stamp}.txt").write_text("\n".join(header + keyed) + "\n")
    (results / "votes-latest.txt").write_text("\n".join(keyed) + "\n")
    ok = values["double_votes"] == 0 and values["lost_votes"] == 0 and verified
    ok = ok and not values.get("probe_double_votes") and not values.get("probe_lost_votes")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
