"""`make bench`: how fast the community home page and the staff member list are at scale.

1. Times ``seed_demo`` for 3,000 residents on a fresh database (the issue asks for < 30 s).
2. Seeds 100,000 residents into a separate SQLite database under var/bench/ (kept and re-used
   while it holds that many; ``--rebuild`` seeds it again and times that too). The developer's
   demo database (var/gongzhi.sqlite3) is never touched.
3. Counts the SQL queries of every page in-process (django.test.Client with
   CaptureQueriesContext) against that database, and times them there without queueing.
4. Serves the project with gunicorn on a free loopback port (DEBUG=0) and drives each page with
   ``--clients`` HTTP clients in threads (keep-alive where the worker class allows it: sync
   workers close every connection), for ``--rounds`` rounds of at most
   ``--duration`` seconds (and ``--requests`` requests) per page.
5. Prints requests per second, p50 and p95 latency and queries per page, and each page's ratio
   to the /healthz baseline measured in the same run: these machines are noisy, so compare
   ratios, never absolute numbers. The ``key=value`` lines are also written to bench/results/.

The staff pages are requested as the demo community worker (+8613900000002), with a session
created server-side in the bench database: that user has a TOTP authenticator, which is all
StaffMfaRequiredMiddleware asks of a staff user.

    make bench                       # or: .venv/bin/python bench/run.py --help
    make bench BENCH_ARGS="--rebuild --rounds 5"
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load import Result, fetch, hammer  # noqa: E402
from bench.server import Server  # noqa: E402

WORKER_PHONE = "+8613900000002"  # the demo community worker, in the first community (xingfu)
WORKER_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
DEMO_MEMBERS_SQL = """
    SELECT COUNT(*) FROM core_membership m
    JOIN core_community c ON c.id = m.community_id
    JOIN core_street s ON s.id = c.street_id
    JOIN core_district d ON d.id = s.district_id
    WHERE d.slug = 'demo'
"""
#: seed_demo adds a few named accounts to the residents it is asked for.
SEED_EXTRA_MEMBERS = 30


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    staff: bool  # requested with the community worker's session cookie
    expect: str  # a regular expression the body must match ...
    expect_count: int = 1  # ... at least this many times
    baseline: bool = False


def pages_for(slug: str) -> list[Page]:
    return [
        Page("healthz", "/healthz", False, r"^ok$", baseline=True),
        Page("home", "/", False, rf'href="/c/{slug}/"', baseline=True),
        Page("community_home_anon", f"/c/{slug}/", False, r'href="/accounts/login/\?next='),
        Page("community_home", f"/c/{slug}/", True, rf'href="/c/{slug}/staff/members/"'),
        Page(
            "member_list",
            f"/c/{slug}/staff/members/",
            True,
            rf'href="/c/{slug}/staff/members/\d+/"',
            expect_count=50,  # a full first page: PAGE_SIZE in gongzhi/core/views.py
        ),
    ]


@dataclass
class PageStats:
    page: Page
    queries: int = 0
    server_ms: float = 0.0  # in-process, one request at a time: median wall time
    sql_ms: float = 0.0  # of which in cursor.execute
    slowest: list[tuple[float, str]] = field(default_factory=list)
    load: Result = field(default_factory=Result)
    round_rps: list[float] = field(default_factory=list)


# --- Set-up ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--residents", type=int, default=100_000, help="default 100000")
    parser.add_argument("--rebuild", action="store_true", help="seed the bench database again")
    parser.add_argument("--slug", default="xingfu", help="community to measure (the largest)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per page per round")
    parser.add_argument("--requests", type=int, default=20_000, help="max per page per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20, help="in-process requests per page")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="CONN_MAX_AGE for the server (default: the app's, 0)",
    )
    parser.add_argument(
        "--pages",
        default="",
        help="comma-separated subset of community_home_anon, community_home, member_list\n"
        "(the baselines healthz and home always run)",
    )
    parser.add_argument(
        "--skip-seed-timing", action="store_true", help="do not time seeding 3,000 residents"
    )
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args(argv)
    if min(args.clients, args.workers, args.threads, args.rounds, args.repeat) < 1:
        parser.error("--clients, --workers, --threads, --rounds and --repeat must be >= 1")
    return args


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def bench_env(args: argparse.Namespace, secret: str, database: Path) -> dict[str, str]:
    """The environment of every bench process: production-like, and only the bench's files."""
    inherited = {"DATABASE_URL", "REDIS_URL", "CONN_MAX_AGE", "DJANGO_SETTINGS_MODULE"}
    inherited |= {"JOURNAL_KEY", "VOTE_KEY", "SECRET_KEY", "GONGZHI_DEMO"}
    env = {key: value for key, value in os.environ.items() if key not in inherited}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",  # production's, with this run's own keys
        GONGZHI_DATA_DIR=str(args.data_dir),
        DATABASE_URL=sqlite_url(database),
        DEBUG="0",
        SECRET_KEY=secret,
        # Derived from this run's secret, so that every process of the run agrees on them.
        JOURNAL_KEY=secret + ":journal",
        VOTE_KEY=secret + ":votes",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        TASKS_BACKEND="immediate",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        PYTHONDONTWRITEBYTECODE="1",
    )
    if args.conn_max_age is not None:
        env["CONN_MAX_AGE"] = str(args.conn_max_age)
    return env


def manage(env: dict[str, str], *command: str) -> float:
    """Run ``manage.py command`` in a child process; return its wall-clock seconds."""
    began = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise RuntimeError(f"manage.py {' '.join(command)} failed ({completed.returncode})")
    return time.perf_counter() - began


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def sqlite_copy(source: Path, target: Path) -> None:
    remove_sqlite(target)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def demo_members(database: Path) -> int:
    if not database.exists():
        return 0
    try:
        with closing(sqlite3.connect(database)) as conn:
            return int(conn.execute(DEMO_MEMBERS_SQL).fetchone()[0])
    except sqlite3.Error:
        return 0


def say(message: str) -> None:
    print(message, flush=True)


def prepare(args: argparse.Namespace, secret: str) -> dict[str, Any]:
    """Migrate an empty template, time the small seed, (re)build or re-use the big database."""
    data_dir: Path = args.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    empty = data_dir / "empty.sqlite3"
    database = data_dir / "gongzhi.sqlite3"
    record_path = data_dir / "seed.json"
    info: dict[str, Any] = {}

    env_empty = bench_env(args, secret, empty)
    manage(env_empty, "compile_catalogues")
    say("migrating an empty template database ...")
    manage(env_empty, "migrate", "--noinput", "-v0")
    manage(env_empty, "createcachetable")

    if not args.skip_seed_timing:
        scratch = data_dir / "seed-3000.sqlite3"
        sqlite_copy(empty, scratch)
        say("timing seed_demo --residents 3000 on a fresh database ...")
        try:
            seconds = manage(
                bench_env(args, secret, scratch),
                *("seed_demo", "--residents", "3000", "--force", "--quiet"),
            )
        finally:
            remove_sqlite(scratch)
        info["seed_3000_seconds"] = round(seconds, 2)

    members = demo_members(database)
    wanted = args.residents
    reuse = not args.rebuild and wanted <= members <= wanted + SEED_EXTRA_MEMBERS
    record: dict[str, Any] = {}
    if record_path.exists():
        try:
            record = json.loads(record_path.read_text())
        except ValueError:
            record = {}
    env = bench_env(args, secret, database)
    if reuse:
        say(f"re-using {database} ({members:,} demo members; --rebuild to seed it again)")
        manage(env, "migrate", "--noinput", "-v0")  # new migrations apply to the old data
        manage(env, "createcachetable")
        recorded = record.get("residents") == wanted and "seconds" in record
        if recorded and f"seed_{wanted}_seconds" not in info:
            info[f"seed_{wanted}_seconds"] = record["seconds"]
            info[f"seed_{wanted}_source"] = "recorded " + str(record.get("built_at", "earlier"))
    else:
        sqlite_copy(empty, database)
        say(f"seeding {wanted:,} residents into {database} (takes a while) ...")
        seconds = manage(env, "seed_demo", "--residents", str(wanted), "--force", "--quiet")
        members = demo_members(database)
        record = {
            "residents": wanted,
            "members": members,
            "seconds": round(seconds, 2),
            "built_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        record_path.write_text(json.dumps(record, indent=2) + "\n")
        info[f"seed_{wanted}_seconds"] = record["seconds"]
        info[f"seed_{wanted}_source"] = "this_run"
    info["bench_demo_members"] = members
    say("collecting static files (DEBUG=0 serves them from the manifest) ...")
    manage(env, "collectstatic", "--noinput", "-v0")
    missing = missing_static(data_dir / "static" / "staticfiles.json")
    if missing:
        raise SystemExit(
            "templates use static files that collectstatic did not collect: "
            + ", ".join(missing)
            + "\nWith DEBUG=0 every page that uses them answers 500: fix that first."
        )
    return info


def missing_static(manifest: Path) -> list[str]:
    """Static paths named in the project's templates that are not in the manifest."""
    collected = set(json.loads(manifest.read_text()).get("paths", {}))
    named: set[str] = set()
    for template in (ROOT / "gongzhi").glob("**/templates/**/*.html"):
        named.update(re.findall(r"{%\s*static\s+['\"]([^'\"]+)['\"]", template.read_text()))
    return sorted(named - collected)


# --- In-process: sessions, query counts, server time ------------------------------------------


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    for key in ("REDIS_URL", "CONN_MAX_AGE"):
        if key not in env:
            os.environ.pop(key, None)
    import django

    django.setup()


def create_worker_session() -> str:
    """A logged-in session for the demo community worker, made server-side."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from gongzhi.accounts.models import User

    user = User.objects.get(phone=WORKER_PHONE)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = WORKER_BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    assert store.session_key
    return store.session_key


def delete_session(session_key: str) -> None:
    from importlib import import_module

    from django.conf import settings
    from django.db import connections

    import_module(settings.SESSION_ENGINE).SessionStore(session_key).delete()
    connections.close_all()


def community_members(slug: str) -> int:
    from gongzhi.core.models import Community, Membership

    community = Community.objects.get(slug=slug)
    return Membership.objects.in_community(community).count()


class SqlTimer:
    """connection.execute_wrapper: how long each statement spends in cursor.execute."""

    def __init__(self) -> None:
        self.entries: list[tuple[float, str]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.entries.append((time.perf_counter() - began, sql))


def check_body(page: Page, status: int, body: bytes) -> None:
    text = body.decode("utf-8", errors="replace")
    found = len(re.findall(page.expect, text))
    if status != 200 or found < page.expect_count:
        raise RuntimeError(
            f"{page.name} ({page.path}) answered {status} and matched {page.expect!r} "
            f"{found} times (wanted {page.expect_count}): not the page to measure.\n{text[:400]}"
        )


def measure_in_process(pages: list[Page], session_key: str, repeat: int) -> dict[str, PageStats]:
    from django.conf import settings
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    stats: dict[str, PageStats] = {}
    for page in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        if page.staff:
            client.cookies[settings.SESSION_COOKIE_NAME] = session_key
        for _ in range(3):
            response = client.get(page.path)
            check_body(page, response.status_code, response.content)
        counts, walls, sql_totals = [], [], []
        per_statement: list[list[float]] = []
        statements: list[str] = []
        for _ in range(repeat):
            timer = SqlTimer()
            with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
                began = time.perf_counter()
                response = client.get(page.path)
                walls.append(time.perf_counter() - began)
            check_body(page, response.status_code, response.content)
            counts.append(len(captured.captured_queries))
            sql_totals.append(sum(seconds for seconds, _sql in timer.entries))
            if not statements:
                statements = [sql for _seconds, sql in timer.entries]
                per_statement = [[] for _ in statements]
            if len(timer.entries) == len(statements):
                for index, (seconds, _sql) in enumerate(timer.entries):
                    per_statement[index].append(seconds)
        if len(set(counts)) != 1:
            say(f"  note: {page.name} ran {sorted(set(counts))} queries on different requests")
        slowest = sorted(
            (
                (statistics.median(times) * 1000, sql)
                for times, sql in zip(per_statement, statements, strict=True)
            ),
            reverse=True,
        )[:3]
        stats[page.name] = PageStats(
            page=page,
            queries=max(counts),
            server_ms=statistics.median(walls) * 1000,
            sql_ms=statistics.median(sql_totals) * 1000,
            slowest=slowest,
        )
    connections.close_all()
    return stats


# --- Over HTTP ------------------------------------------------------------------------------


def headers_for(page: Page, session_key: str) -> dict[str, str]:
    headers = {"Host": "127.0.0.1", "Accept": "text/html", "User-Agent": "gongzhi-bench"}
    if page.staff:
        from django.conf import settings

        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={session_key}"
    return headers


def drive(
    args: argparse.Namespace, server: Server, stats: dict[str, PageStats], session_key: str
) -> None:
    pages = [s.page for s in stats.values()]
    for page in pages:  # the served page is the one measured in-process, not a redirect
        status, body, _headers = fetch(server.port, page.path, headers_for(page, session_key))
        check_body(page, status, body)
    say(f"warming up {args.workers} gunicorn workers ...")
    for page in pages:
        hammer(
            server.port,
            page.path,
            headers_for(page, session_key),
            clients=args.clients,
            requests=args.clients * 4,
            duration=30,
        )
    for round_no in range(args.rounds):
        # Rotate the order every round, so that a slow spell of the machine hits every page.
        shift = round_no % len(pages)
        for page in pages[shift:] + pages[:shift]:
            result = hammer(
                server.port,
                page.path,
                headers_for(page, session_key),
                clients=args.clients,
                requests=args.requests,
                duration=args.duration,
            )
            stats[page.name].load.merge(result)
            stats[page.name].round_rps.append(result.rps)
            say(
                f"  round {round_no + 1}/{args.rounds} {page.name:<20} {result.rps:8.1f} req/s "
                f"p50 {result.percentile_ms(50):7.1f} ms  ({result.requests} requests"
                f"{', ' + str(len(result.errors)) + ' errors' if result.errors else ''})"
            )


# --- Report ---------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram_gib = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    import django

    return {
        "nproc": os.cpu_count() or 0,
        "cpu": cpu or "unknown",
        "ram_gib": round(ram_gib, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "django": django.get_version(),
        "gunicorn": gunicorn_version(),
    }


def gunicorn_version() -> str:
    try:
        from importlib.metadata import version

        return version("gunicorn")
    except Exception:  # noqa: BLE001 - a missing version is only a missing label
        return "unknown"


def fmt(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def report(
    args: argparse.Namespace, info: dict[str, Any], stats: dict[str, PageStats]
) -> tuple[list[str], bool]:
    base = stats["healthz"]
    base_p50 = base.load.percentile_ms(50)
    home = stats["home"]
    lines = [
        "",
        f"gongzhi bench: {info['bench_demo_members']:,} demo members, "
        f"{info['bench_community_members']:,} in /c/{args.slug}/; gunicorn {args.workers}x"
        f"{args.worker_class}"
        + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
        + f", {args.clients} clients, {args.rounds} rounds x {args.duration:g} s per page",
        f"machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB, Python "
        f"{info['python']}, SQLite {info['sqlite']}, Django {info['django']}, gunicorn "
        f"{info['gunicorn']}",
        "",
        f"{'page':<20} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7} {'SQL ms':>7} "
        f"{'alone ms':>8} {'p50/healthz':>11} {'req/s per round':>22}",
    ]
    ok = True
    for s in stats.values():
        p50 = s.load.percentile_ms(50)
        rounds = " / ".join(f"{r:.0f}" for r in s.round_rps)
        lines.append(
            f"{s.page.name:<20} {s.load.rps:8.1f} {fmt(p50):>8} "
            f"{fmt(s.load.percentile_ms(95)):>8} {s.queries:>7} {fmt(s.sql_ms):>7} "
            f"{fmt(s.server_ms):>8} {p50 / base_p50:>11.1f} {rounds:>22}"
        )
    lines += [
        "",
        "req/s, p50, p95: over HTTP under load. queries, SQL ms, alone ms: in-process, one",
        "request at a time (median; SQL ms is the time inside cursor.execute). p50/healthz:",
        "the page's p50 over the /healthz p50 of this run; compare ratios, not absolute numbers.",
        "",
        "slowest statements (in-process, median ms):",
    ]
    for s in stats.values():
        for ms, sql in s.slowest:
            if ms >= 1:
                lines.append(f"  {s.page.name:<20} {ms:6.1f}  {' '.join(sql.split())[:110]}")
    for key in dict.fromkeys(("seed_3000_seconds", f"seed_{args.residents}_seconds")):
        if key in info:
            source = info.get(key.replace("_seconds", "_source"), "this_run")
            lines.append(f"{key.replace('_', ' ')}: {info[key]} ({source})")

    values: dict[str, Any] = {
        "nproc": info["nproc"],
        "cpu": info["cpu"].replace(" ", "_"),
        "python": info["python"],
        "sqlite": info["sqlite"],
        "django": info["django"],
        "gunicorn": info["gunicorn"],
        "bench_residents": args.residents,
        "bench_demo_members": info["bench_demo_members"],
        "bench_community_members": info["bench_community_members"],
        "bench_clients": args.clients,
        "bench_workers": args.workers,
        "bench_worker_class": args.worker_class,
        "bench_rounds": args.rounds,
        "bench_duration_s": args.duration,
    }
    for key in dict.fromkeys(("seed_3000_seconds", f"seed_{args.residents}_seconds")):
        if key in info:
            values[key] = info[key]
    if f"seed_{args.residents}_source" in info:
        values[f"seed_{args.residents}_source"] = info[f"seed_{args.residents}_source"].split()[0]
    for name, s in stats.items():
        p50 = s.load.percentile_ms(50)
        values[f"{name}_rps"] = round(s.load.rps, 1)
        values[f"{name}_p50_ms"] = round(p50, 2)
        values[f"{name}_p95_ms"] = round(s.load.percentile_ms(95), 2)
        values[f"{name}_queries"] = s.queries
        values[f"{name}_sql_ms"] = round(s.sql_ms, 2)
        values[f"{name}_alone_ms"] = round(s.server_ms, 2)
        values[f"{name}_requests"] = s.load.requests
        values[f"{name}_errors"] = len(s.load.errors)
        if name != "healthz":
            # p50 ratio: how many times as long as the baseline; rps ratio: share of its rate.
            values[f"{name}_vs_healthz"] = round(p50 / base_p50, 2)
            values[f"{name}_rps_vs_healthz"] = round(s.load.rps / base.load.rps, 3)
        if name not in {"healthz", "home"}:
            values[f"{name}_vs_home"] = round(p50 / home.load.percentile_ms(50), 2)
        if not s.load.latencies or len(s.load.errors) > 0.01 * s.load.requests:
            ok = False
            lines.append(
                f"ERROR: {name}: {len(s.load.errors)} errors, e.g. {s.load.errors[:3]} "
                f"(server log: {args.data_dir / 'gunicorn.log'})"
            )
    if "seed_3000_seconds" in info:
        values["seed_3000_under_30s"] = "yes" if info["seed_3000_seconds"] < 30 else "no"
    lines.append("")
    lines += [f"{key}={value}" for key, value in values.items()]
    return lines, ok


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.data_dir = args.data_dir.resolve()
    # SIGTERM ends the run like Ctrl-C does: through the `finally` blocks that stop the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    secret = secrets.token_urlsafe(50)  # this run's: its sessions die with it
    info = prepare(args, secret)
    env = bench_env(args, secret, args.data_dir / "gongzhi.sqlite3")
    setup_django(env)
    info.update(machine())
    info["bench_community_members"] = community_members(args.slug)

    pages = pages_for(args.slug)
    if args.pages:
        wanted = {name.strip() for name in args.pages.split(",")}
        unknown = wanted - {p.name for p in pages}
        if unknown:
            raise SystemExit(f"unknown pages: {', '.join(sorted(unknown))}")
        pages = [p for p in pages if p.baseline or p.name in wanted]

    session_key = create_worker_session()
    try:
        say(f"counting queries in-process ({args.repeat} requests per page) ...")
        stats = measure_in_process(pages, session_key, args.repeat)
        say("starting gunicorn ...")
        server = Server(
            root=ROOT,
            env=env,
            log_path=args.data_dir / "gunicorn.log",
            workers=args.workers,
            worker_class=args.worker_class,
            threads=args.threads,
        )
        with server:
            say(f"gunicorn is answering on 127.0.0.1:{server.port}")
            drive(args, server, stats, session_key)
        say("gunicorn stopped")
    finally:
        delete_session(session_key)

    lines, ok = report(args, info, stats)
    print("\n".join(lines), flush=True)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    keyed = "\n".join(line for line in lines if re.match(r"^\w+=", line)) + "\n"
    (results / f"{stamp}.txt").write_text("\n".join(lines) + "\n")
    (results / "latest.txt").write_text(keyed)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
