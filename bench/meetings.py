"""`make bench-meetings`: the meetings' calendar feed at 10,000 meetings over 20 years and the
decision register's pages at 1,000,000 decisions (issue 16's goals: feed p95 < 300 ms, register
pages p95 < 150 ms).

1. Database: SQLite under var/bench-meetings/ by default (nothing to start: it runs from a fresh
   clone), or any ``--database-url`` (e.g. PostgreSQL). It is seeded once and kept while it holds
   the asked numbers; ``--rebuild`` seeds it again. The developer's databases are never touched.
2. Seed, in bulk: one community with five bodies; ``--meetings`` public meetings spread over 20
   years (15 past, 5 ahead), of which ``--series`` weekly series of 20 sittings each (one sitting
   per series cancelled, one moved) and the rest single meetings (one in twenty cancelled); and
   ``--decisions`` rows of the decision register over the same 20 years (bodies, kinds, topics,
   titles with words to search).
3. Measure in-process with django.test.Client, the server's own time without a network or a
   queue, each page ``--repeat`` times after a warm-up, with its SQL query count:
   - the community's feed as a calendar app polls it: served from the cache (``ical_warm``),
     answered 304 to ``If-None-Match`` (``ical_304``), and built from scratch after a change
     (``ical_cold``: the cache is emptied before each request, so every request builds it);
   - a body's feed and the printable month;
   - the register: first page, a page a million rows deep (keyset cursor), filtered by body, by
     kind, by period, and a search in titles.
   ``/healthz`` is measured the same way in the same run: each page's p95 is also printed as a
   ratio to it (these machines are noisy; compare ratios across machines, not milliseconds).

Prints ``key=value`` lines (also written to bench/results/meetings-<time>.txt), ending with
``p95_ical_ms=`` (the warm feed: what a subscribed phone gets), ``p95_ical_cold_ms=``,
``p95_register_ms=`` (the slowest register page), their ratios to /healthz and the goals.

    make bench-meetings
    .venv/bin/python bench/meetings.py --database-url postgres://gongzhi:gongzhi@127.0.0.1:5432/x
    .venv/bin/python bench/meetings.py --meetings 2000 --decisions 100000 --repeat 10
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.django_setup import setup_django  # noqa: E402
from bench.votes import say, seed  # noqa: E402

SLUG = "bench-meetings"
ICAL_GOAL_MS = 300.0
REGISTER_GOAL_MS = 150.0
BODIES = ["居民议事会", "居民代表会议", "业主大会", "业主委员会", "监督委员会"]
WORDS = "电梯 停车 绿化 路灯 垃圾分类 健身器材 养老 儿童 快递柜 充电桩 噪音 漏水 预算 物业".split()
TOPICS = ["环境", "交通", "养老", "安全", "文化", "物业", ""]
SERIES_LENGTH = 20


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--series", type=int, default=150, help="weekly series of 20 (150)")
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40, help="timed requests per page (40)")
    parser.add_argument("--cold-repeat", type=int, default=10, help="cold feed builds (10)")
    parser.add_argument("--rebuild", action="store_true", help="seed the database again")
    parser.add_argument("--database-url", default="", help="default: SQLite in --data-dir")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench-meetings")
    return parser.parse_args(argv)


def database_url(args: argparse.Namespace) -> str:
    if args.database_url:
        return args.database_url
    args.data_dir.mkdir(parents=True, exist_ok=True)
    database = args.data_dir / "meetings.sqlite3"
    if args.rebuild:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{database}"


# --- Seed -----------------------------------------------------------------------------------


def seeded_counts() -> tuple[int, int]:
    from gongzhi.core.models import Community, RegisterEntry
    from gongzhi.meetings.models import Meeting

    community = Community.objects.filter(slug=SLUG).first()
    if community is None:
        return 0, 0
    return (
        Meeting.objects.in_community(community).count(),
        RegisterEntry.objects.in_community(community).count(),
    )


def seed_meetings(args: argparse.Namespace) -> float:
    from django.db import transaction
    from django.utils import timezone

    from gongzhi.bodies.models import Body, BodyKind
    from gongzhi.core.models import Community
    from gongzhi.meetings.models import Meeting, MeetingKind, MeetingStatus, Series

    began = time.perf_counter()
    rng = random.Random(16)
    seeded = seed(50, slug=SLUG)
    community = Community.objects.get(pk=seeded.community_id)
    worker = seeded.worker_id
    now = timezone.now().replace(second=0, microsecond=0)
    first_day = now - timedelta(days=15 * 365)
    span_days = 20 * 365
    with transaction.atomic():
        bodies = [
            Body.objects.in_community(community).create(
                kind=BodyKind.COUNCIL, name=name, purpose="压测", created_by_id=worker
            )
            for name in BODIES
        ]
        meetings: list[Meeting] = []
        in_series = min(args.series * SERIES_LENGTH, args.meetings)
        for number in range(in_series // SERIES_LENGTH):
            body = bodies[number % len(bodies)]
            start = first_day + timedelta(days=rng.randrange(span_days - 150), hours=11, minutes=30)
            title = f"{body.name}周例会 #{number}"
            series = Series.objects.in_community(community).create(
                body=body,
                title=title,
                kind=MeetingKind.ORDINARY,
                rrule=f"FREQ=WEEKLY;COUNT={SERIES_LENGTH}",
                first_starts_at=start,
                duration_minutes=90,
                place="社区活动室",
                public=True,
                created_by_id=worker,
                updated_at=start - timedelta(days=7),
            )
            for week in range(SERIES_LENGTH):
                at = start + timedelta(weeks=week)
                meeting = Meeting(
                    community=community,
                    body=body,
                    series=series,
                    recurrence_id=at,
                    kind=MeetingKind.ORDINARY,
                    title=title,
                    starts_at=at,
                    ends_at=at + timedelta(minutes=90),
                    place="社区活动室",
                    public=True,
                    created_by_id=worker,
                    updated_at=at - timedelta(days=7),
                )
                if week == 5:  # cancelled
                    meeting.status, meeting.sequence = MeetingStatus.CANCELLED, 1
                elif week == 9:  # moved a day later, in the morning
                    meeting.starts_at += timedelta(days=1, hours=-10)
                    meeting.ends_at += timedelta(days=1, hours=-10)
                    meeting.sequence = 1
                meetings.append(meeting)
        for number in range(args.meetings - len(meetings)):
            body = bodies[number % len(bodies)]
            at = first_day + timedelta(days=rng.randrange(span_days), hours=rng.choice([1, 6, 11]))
            meetings.append(
                Meeting(
                    community=community,
                    body=body,
                    kind=rng.choice([MeetingKind.ORDINARY] * 6 + [MeetingKind.HEARING]),
                    title=f"{rng.choice(WORDS)}{rng.choice(WORDS)}议事会 #{number}",
                    description="议题：" + "、".join(rng.sample(WORDS, 3)),
                    starts_at=at,
                    ends_at=at + timedelta(hours=2),
                    place="社区服务中心二楼",
                    public=True,
                    status=MeetingStatus.CANCELLED if number % 20 == 0 else MeetingStatus.SCHEDULED,
                    sequence=1 if number % 20 == 0 else 0,
                    created_by_id=worker,
                    updated_at=min(at, now) - timedelta(days=7),
                )
            )
        Meeting.objects.bulk_create(meetings, batch_size=2000)
    say(f"  {len(meetings):,} meetings ({time.perf_counter() - began:.0f} s)")
    seed_register(args, community, bodies, rng)
    say(f"  {args.decisions:,} register rows ({time.perf_counter() - began:.0f} s)")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return time.perf_counter() - began


def seed_register(args: argparse.Namespace, community: Any, bodies: list[Any], rng: Any) -> None:
    """A million register rows: each a row of its own (source ids need no source here: the
    register reads only its index row and links to the source's page)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from gongzhi.core.decisions import decision_kind_registry
    from gongzhi.core.models import RegisterEntry
    from gongzhi.meetings.models import Meeting

    kinds = list(decision_kind_registry()) or ["decision"]
    source = ContentType.objects.get_for_model(Meeting)
    start = date.today() - timedelta(days=20 * 365)  # noqa: DTZ011 - a spread of days
    recorded = timezone.now()
    basis = json.dumps([{"kind": "meeting", "title": "议事会", "url": f"/c/{SLUG}/meetings/"}])
    table = RegisterEntry._meta.db_table
    columns = (
        "community_id, kind, body_id, body_name, decided_on, title, topic, url, basis, "
        "source_type_id, source_id, recorded_at"
    )
    # Plain executemany: Django's bulk_create on SQLite sends 80-odd rows a statement (999
    # parameters) and builds a model per row, ten times slower at a million rows.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 12)})"  # noqa: S608
    rows: list[tuple[Any, ...]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for number in range(args.decisions):
            body = rng.choice([*bodies, None])
            rows.append(
                (
                    community.pk,
                    rng.choice(kinds),
                    body.pk if body else None,
                    body.name if body else "",
                    start + timedelta(days=number * 20 * 365 // args.decisions),
                    f"关于{rng.choice(WORDS)}{rng.choice(WORDS)}的决定 #{number}",
                    rng.choice(TOPICS),
                    f"/c/{SLUG}/meetings/{number}/",
                    basis,
                    source.pk,
                    number + 1,
                    recorded,
                )
            )
            if len(rows) == 20_000:
                cursor.executemany(sql, rows)
                rows = []
        if rows:
            cursor.executemany(sql, rows)


# --- Measuring ------------------------------------------------------------------------------


@dataclass
class Timing:
    p50_ms: float
    p95_ms: float
    queries: int
    status: int


def timed(
    path: str,
    *,
    params: dict[str, Any] | None = None,
    expect: str = "",
    repeat: int,
    headers: dict[str, str] | None = None,
    status: int = 200,
    before_each: Callable[[], None] | None = None,
) -> Timing:
    """GET ``path`` in-process: three warm-up requests, a check of the status and that the body
    shows ``expect``, the SQL query count, then ``repeat`` timed requests."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers=headers or {})
    params = params or {}
    for _ in range(3):
        if before_each:
            before_each()
        response = client.get(path, params)
    if response.status_code != status or expect not in response.content.decode():
        raise RuntimeError(f"{path} {params}: {response.status_code}, {expect!r} not in page")
    if before_each:
        before_each()
    with CaptureQueriesContext(connection) as captured:
        client.get(path, params)
    queries = len(captured.captured_queries)
    times = []
    for _ in range(repeat):
        if before_each:
            before_each()
        began = time.perf_counter()
        client.get(path, params)
        times.append(time.perf_counter() - began)
    times.sort()
    return Timing(
        p50_ms=statistics.median(times) * 1000,
        p95_ms=times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000,
        queries=queries,
        status=status,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = database_url(args)
    setup_django(url, args.data_dir)
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    lines: dict[str, Any] = {}
    counts = seeded_counts()
    if counts != (args.meetings, args.decisions):
        if counts != (0, 0):
            if args.database_url:
                say("bench-meetings: that database holds other numbers; give an empty one")
                return 2
            say("the bench database holds other numbers: seeding it again")
            connection.close()
            url = database_url(argparse.Namespace(**{**vars(args), "rebuild": True}))
            from django.core.management import call_command

            call_command("migrate", "--noinput", verbosity=0)
            call_command("createcachetable", verbosity=0)
        say(f"seeding {args.meetings:,} meetings and {args.decisions:,} decisions ...")
        lines["seed_s"] = round(seed_meetings(args), 1)

    from gongzhi.bodies.models import Body
    from gongzhi.core.models import Community, RegisterEntry
    from gongzhi.meetings import calendar

    community = Community.objects.get(slug=SLUG)
    body = Body.objects.in_community(community).order_by("pk").first()
    assert body is not None
    feed = f"/c/{SLUG}/meetings/calendar.ics"
    etag = Client().get(feed)["ETag"]
    in_window = calendar.community_scope(community).filter(ends_at__gte=calendar.window_start())
    entries = RegisterEntry.objects.in_community(community)
    middle = entries.order_by("-decided_on", "-pk")[entries.count() // 2]
    newest = entries.order_by("-decided_on", "-pk").first()
    assert newest is not None
    since = middle.decided_on - timedelta(days=60)
    register = f"/c/{SLUG}/decisions/"
    month = datetime.now(tz=UTC).date()
    pages: list[tuple[str, str, dict[str, Any]]] = [
        ("healthz", "/healthz", {"expect": "ok"}),
        ("ical_warm", feed, {"expect": "BEGIN:VEVENT"}),
        ("ical_304", feed, {"headers": {"If-None-Match": etag}, "status": 304}),
        (
            "ical_cold",
            feed,
            {"expect": "BEGIN:VEVENT", "before_each": cache.clear, "cold": True},
        ),
        ("ical_body", f"/c/{SLUG}/meetings/bodies/{body.pk}/calendar.ics", {"expect": "VEVENT"}),
        ("month", f"/c/{SLUG}/meetings/month/{month.year}-{month.month}/", {"expect": "<table"}),
        ("register_first", register, {"expect": newest.title}),
        (
            "register_deep",
            register,
            {"params": {"before": f"{middle.decided_on.isoformat()}.{middle.pk}"}},
        ),
        ("register_body", register, {"params": {"body": body.pk}}),
        ("register_kind", register, {"params": {"kind": middle.kind}}),
        (
            "register_period",
            register,
            {"params": {"from": since.isoformat(), "to": middle.decided_on.isoformat()}},
        ),
        ("register_search", register, {"params": {"q": "电梯 停车"}}),
        (
            "register_body_deep",
            register,
            {"params": {"body": body.pk, "before": f"{middle.decided_on.isoformat()}.{middle.pk}"}},
        ),
    ]
    lines.update(
        meetings=args.meetings,
        meetings_in_feed_window=in_window.count(),
        decisions=args.decisions,
        database=connection.vendor,
        python=platform.python_version(),
        feed_bytes=len(Client().get(feed).content),
    )
    results: dict[str, Timing] = {}
    for name, path, options in pages:
        options = dict(options)
        cold = options.pop("cold", False)
        repeat = args.cold_repeat if cold else args.repeat
        timing = timed(path, repeat=repeat, **options)
        results[name] = timing
        say(
            f"  {name:20} p50 {timing.p50_ms:8.1f} ms  p95 {timing.p95_ms:8.1f} ms  "
            f"{timing.queries:3} queries"
        )
        lines[f"{name}_p50_ms"] = round(timing.p50_ms, 2)
        lines[f"{name}_p95_ms"] = round(timing.p95_ms, 2)
        lines[f"{name}_queries"] = timing.queries
    baseline = results["healthz"].p95_ms
    for name, timing in results.items():
        if name != "healthz":
            lines[f"{name}_vs_healthz"] = round(timing.p95_ms / baseline, 1)
    register_p95 = max(t.p95_ms for n, t in results.items() if n.startswith("register_"))
    lines["p95_ical_ms"] = round(results["ical_warm"].p95_ms, 1)
    lines["p95_ical_cold_ms"] = round(results["ical_cold"].p95_ms, 1)
    lines["p95_register_ms"] = round(register_p95, 1)
    lines["ical_vs_healthz"] = round(results["ical_warm"].p95_ms / baseline, 1)
    lines["ical_cold_vs_healthz"] = round(results["ical_cold"].p95_ms / baseline, 1)
    lines["register_vs_healthz"] = round(register_p95 / baseline, 1)
    lines["goal_ical_under_300ms"] = "yes" if results["ical_warm"].p95_ms < ICAL_GOAL_MS else "no"
    lines["goal_ical_cold_under_300ms"] = (
        "yes" if results["ical_cold"].p95_ms < ICAL_GOAL_MS else "no"
    )
    lines["goal_register_under_150ms"] = "yes" if register_p95 < REGISTER_GOAL_MS else "no"
    text = "\n".join(f"{key}={value}" for key, value in lines.items())
    print(text, flush=True)
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    (results_dir / f"meetings-{stamp}.txt").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
