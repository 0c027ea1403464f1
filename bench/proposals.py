"""`make bench-proposals`: the proposal index and a proposal page at 100,000 proposals and
1,000,000 comments (issue 6's goal: p95 server time under 100 ms, bounded queries, and a last
page as fast as the first).

1. Database: PostgreSQL by default (the database `gongzhi_bench_proposals`, created and seeded
   once and kept while it holds the asked numbers; ``--rebuild`` seeds it again), or SQLite with
   ``--sqlite`` (var/bench-proposals/). Nothing else is touched.
2. Seed: one community with 2,000 verified residents, 8 categories, ``--proposals`` proposals
   (most gathering support, some answered) and ``--comments`` comments: five "hot" proposals
   hold ``--hot-comments`` each, the rest share the remainder; a third of the comments are
   replies, and some carry reactions.
3. Measure in-process with django.test.Client, which is the server's own time without a network
   or a queue: each page ``--repeat`` times after a warm-up, as a visitor and as a logged-in
   resident, with its SQL query count. ``/healthz`` is measured the same way in the same run, and
   each page's p95 is also printed as a ratio to it (these machines are noisy).

Prints ``key=value`` lines (also written to bench/results/proposals-<time>.txt): per page
``<page>_p50_ms``, ``<page>_p95_ms``, ``<page>_queries`` and ``<page>_vs_healthz``; then
``max_p95_ms``, ``max_queries`` and ``goal_p95_under_100ms=yes|no``.

    make bench-proposals
    .venv/bin/python bench/proposals.py --sqlite --proposals 20000 --comments 200000
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.django_setup import setup_django  # noqa: E402
from bench.votes import PostgresUnavailable, prepare_postgres, say, seed  # noqa: E402

SLUG = "bench-proposals"
DATABASE = "gongzhi_bench_proposals"
HOT = 5
GOAL_MS = 100.0
CATEGORIES = ["环境卫生", "停车", "绿化", "安全", "养老", "儿童", "文化活动", "物业"]
WORDS = "电梯 停车 绿化 路灯 垃圾分类 健身器材 老人 儿童 快递柜 充电桩 噪音 漏水".split()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--hot-comments", type=int, default=10_000, help="on each hot proposal")
    parser.add_argument("--residents", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=40, help="timed requests per page (40)")
    parser.add_argument("--rebuild", action="store_true", help="seed the database again")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench-proposals")
    return parser.parse_args(argv)


# --- Database and seed ----------------------------------------------------------------------


def database_url(args: argparse.Namespace) -> tuple[str, dict[str, str]]:
    if args.sqlite:
        import sqlite3

        args.data_dir.mkdir(parents=True, exist_ok=True)
        database = args.data_dir / "proposals.sqlite3"
        if args.rebuild:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{database}", {"database": f"sqlite {sqlite3.sqlite_version}"}
    url, facts = prepare_postgres(DATABASE, keep=not args.rebuild)
    return url, {"database": f"postgresql {facts['postgres']}"}


def seeded_counts() -> tuple[int, int]:
    from gongzhi.core.models import Community
    from gongzhi.deliberation.models import Comment, Proposal

    community = Community.objects.filter(slug=SLUG).first()
    if community is None:
        return 0, 0
    return (
        Proposal.objects.in_community(community).count(),
        Comment.objects.in_community(community).count(),
    )


def seed_hall(args: argparse.Namespace) -> float:
    """Residents, proposals, comments and reactions, in bulk. Returns the seconds it took."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from gongzhi.core.models import Community
    from gongzhi.deliberation.models import (
        Category,
        Comment,
        Proposal,
        Reaction,
        ReactionKind,
        Status,
    )

    began = time.perf_counter()
    rng = random.Random(6)
    seeded = seed(args.residents, slug=SLUG)
    community = Community.objects.get(pk=seeded.community_id)
    authors = seeded.voter_ids
    start = datetime(2024, 1, 1, tzinfo=UTC)
    span = (datetime(2026, 11, 1, tzinfo=UTC) - start).total_seconds()
    statuses = [Status.GATHERING] * 16 + [
        Status.THRESHOLD_REACHED,
        Status.UNDER_REVIEW,
        Status.ACCEPTED,
        Status.REJECTED,
        Status.IMPLEMENTED,
        Status.DRAFT,
    ]
    with transaction.atomic():
        categories = Category.objects.bulk_create(
            [Category(community=community, name=name) for name in CATEGORIES]
        )
        proposal_ids: list[int] = []
        created: list[datetime] = []
        batch: list[Proposal] = []
        for index in range(args.proposals):
            at = start + timedelta(seconds=span * index / args.proposals)
            # The hot ones (the last few) are open for support, as busy proposals are.
            hot_one = index >= args.proposals - HOT
            status = Status.GATHERING if hot_one else rng.choice(statuses)
            batch.append(
                Proposal(
                    community=community,
                    author_id=rng.choice(authors),
                    title=f"{rng.choice(WORDS)}{rng.choice(WORDS)}的建议 #{index}",
                    body="".join(rng.choices(WORDS, k=30)),
                    category=rng.choice(categories),
                    status=status,
                    support_count=rng.randrange(0, 200),
                    support_threshold=100,
                    created_at=at,
                    published_at=None if status == Status.DRAFT else at,
                    updated_at=at,
                )
            )
            if len(batch) == 5000:
                proposal_ids += [p.pk for p in Proposal.objects.bulk_create(batch)]
                created += [p.created_at for p in batch]
                batch = []
        if batch:
            proposal_ids += [p.pk for p in Proposal.objects.bulk_create(batch)]
            created += [p.created_at for p in batch]
        say(f"  {len(proposal_ids):,} proposals ({time.perf_counter() - began:.0f} s)")

        hot = proposal_ids[-HOT:]
        rest = args.comments - HOT * args.hot_comments
        per_proposal = [rest // (len(proposal_ids) - HOT)] * (len(proposal_ids) - HOT)
        for i in range(rest - sum(per_proposal)):
            per_proposal[i] += 1
        counts = dict(zip(proposal_ids[:-HOT], per_proposal, strict=True))
        counts.update({pk: args.hot_comments for pk in hot})
        when = dict(zip(proposal_ids, created, strict=True))

        # Top-level comments first (their ids are needed for replies), then replies.
        on_proposal = ContentType.objects.get_for_model(Proposal)
        written = 0
        top_level: dict[int, list[int]] = {}
        pending: list[Comment] = []

        def flush() -> list[Comment]:
            nonlocal pending, written
            done = Comment.objects.bulk_create(pending, batch_size=5000)
            written += len(done)
            pending = []
            return done

        for pk, n in counts.items():
            for i in range(n - n // 3):
                pending.append(
                    Comment(
                        community=community,
                        subject_type=on_proposal,
                        subject_id=pk,
                        author_id=rng.choice(authors),
                        body="".join(rng.choices(WORDS, k=8)),
                        created_at=when[pk] + timedelta(minutes=i + 1),
                    )
                )
            if len(pending) >= 20000:
                for comment in flush():
                    top_level.setdefault(comment.subject_id, []).append(comment.pk)
        for comment in flush():
            top_level.setdefault(comment.subject_id, []).append(comment.pk)
        say(f"  {written:,} top-level comments ({time.perf_counter() - began:.0f} s)")
        for pk, n in counts.items():
            parents = top_level.get(pk)
            if not parents:
                continue
            for i in range(n // 3):
                pending.append(
                    Comment(
                        community=community,
                        subject_type=on_proposal,
                        subject_id=pk,
                        parent_id=rng.choice(parents),
                        author_id=rng.choice(authors),
                        body="同意，" + "".join(rng.choices(WORDS, k=5)),
                        created_at=when[pk] + timedelta(days=1, minutes=i),
                    )
                )
            if len(pending) >= 20000:
                flush()
        flush()
        say(f"  {written:,} comments ({time.perf_counter() - began:.0f} s)")

        # Reactions on the hot proposals' first threads: the page counts them.
        kinds = list(ReactionKind)
        reactions = [
            Reaction(community=community, comment_id=comment_id, user_id=user_id, kind=kind)
            for pk in hot
            for comment_id in top_level[pk][:60]
            for user_id in rng.sample(authors, 5)
            for kind in [rng.choice(kinds)]
        ]
        Reaction.objects.bulk_create(reactions, batch_size=5000, ignore_conflicts=True)
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does to a table that has settled: statistics and the visibility map
        # (which lets a count read the index alone).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - began


# --- Measuring ------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    path: str
    params: dict[str, Any]
    as_resident: bool
    expect: str  # text the page must contain: a sign that it showed the right rows


@dataclass
class Timing:
    p50_ms: float
    p95_ms: float
    queries: int


def pages() -> list[Page]:
    from django.db.models import Count

    from gongzhi.core.models import Community
    from gongzhi.deliberation.models import Comment, Proposal, Status
    from gongzhi.deliberation.selectors import THREADS_PER_PAGE

    community = Community.objects.get(slug=SLUG)
    proposals = Proposal.objects.in_community(community).exclude(
        status__in=[Status.DRAFT, Status.WITHDRAWN]
    )
    shown = proposals.count()
    last = -(-shown // 20)
    oldest = proposals.order_by("published_at", "pk").first()
    newest = proposals.order_by("-published_at", "-pk").first()
    least = proposals.order_by("support_count", "pk").first()
    assert oldest and newest and least
    comments = Comment.objects.in_community(community)
    busiest = (
        comments.filter(parent__isnull=True)
        .values("subject_id")  # every comment here is on a proposal
        .annotate(n=Count("pk"))
        .order_by("-n", "subject_id")
        .first()
    )
    assert busiest is not None
    hot_id, hot_threads = busiest["subject_id"], busiest["n"]
    hot_total = comments.filter(subject_id=hot_id).count()
    hot_last = -(-hot_threads // THREADS_PER_PAGE)
    typical = proposals.order_by("pk")[shown // 2]
    base = f"/c/{SLUG}/proposals/"
    api = f"/api/v1/communities/{SLUG}/proposals"
    return [
        Page("index_first", base, {}, False, newest.title),
        Page("index_first_resident", base, {}, True, newest.title),
        Page("index_middle", base, {"page": last // 2}, False, "proposals"),
        Page("index_last", base, {"page": last}, False, oldest.title),
        Page("index_support_last", base, {"order": "support", "page": last}, False, least.title),
        Page("index_status", base, {"status": "accepted", "page": 2}, False, "proposals"),
        Page("proposal_typical", f"{base}{typical.pk}/", {}, False, typical.title),
        Page("proposal_typical_resident", f"{base}{typical.pk}/", {}, True, typical.title),
        Page("proposal_hot", f"{base}{hot_id}/", {}, True, "comment-"),
        Page("proposal_hot_last_page", f"{base}{hot_id}/", {"page": hot_last}, True, "comment-"),
        Page("api_index_last", api, {"limit": 20, "offset": shown - 20}, False, oldest.title),
        Page(
            "api_comments_hot_last",
            f"{api}/{hot_id}/comments",
            {"limit": 50, "offset": hot_total - 50},
            False,
            '"body"',
        ),
    ]


def measure(page: Page, repeat: int, resident_id: int) -> Timing:
    user_id = resident_id if page.as_resident else None
    return timed_get(page.name, page.path, page.params, page.expect, repeat, user_id)


def timed_get(
    name: str, path: str, params: dict[str, Any], expect: str, repeat: int, user_id: int | None
) -> Timing:
    """GET ``path`` in-process (the server's own time), logged in as ``user_id`` if given:
    three warm-up requests, a check that the page shows ``expect``, its SQL query count, then
    ``repeat`` timed requests (also used by bench/tickets.py)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gongzhi.accounts.models import User

    client = Client()
    if user_id is not None:
        client.force_login(User.objects.get(pk=user_id))
    for _ in range(3):  # warm-up: imports, templates, the database's cache
        response = client.get(path, params)
    body = response.content.decode()
    if response.status_code != 200 or expect not in body:
        raise RuntimeError(f"{name}: {response.status_code}, {expect!r} not in page")
    with CaptureQueriesContext(connection) as captured:
        client.get(path, params)
    queries = len(captured.captured_queries)  # now: the next request clears the log
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        client.get(path, params)
        times.append(time.perf_counter() - began)
    times.sort()
    return Timing(
        p50_ms=statistics.median(times) * 1000,
        p95_ms=times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000,
        queries=queries,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        url, facts = database_url(args)
    except PostgresUnavailable as exc:
        say(f"bench-proposals: PostgreSQL is not available: {exc}")
        return 2
    setup_django(url, args.data_dir)
    lines: dict[str, Any] = {}
    proposals, comments = seeded_counts()
    if (proposals, comments) != (args.proposals, args.comments):
        if proposals or comments:
            from django.core.management import call_command
            from django.db import connections

            say("the bench database holds other numbers: seeding it again")
            connections.close_all()
            database_url(argparse.Namespace(**{**vars(args), "rebuild": True}))
            call_command("migrate", "--noinput", verbosity=0)
            call_command("createcachetable", verbosity=0)
        say(f"seeding {args.proposals:,} proposals and {args.comments:,} comments ...")
        lines["seed_s"] = round(seed_hall(args), 1)
    from gongzhi.accounts.models import User

    resident_id = User.objects.filter(phone__startswith="+86139").order_by("pk").first().pk
    healthz = measure(Page("healthz", "/healthz", {}, False, ""), args.repeat, resident_id)
    lines.update(
        proposals=args.proposals,
        comments=args.comments,
        healthz_p50_ms=round(healthz.p50_ms, 2),
        healthz_p95_ms=round(healthz.p95_ms, 2),
    )
    worst, most = 0.0, 0
    for page in pages():
        timing = measure(page, args.repeat, resident_id)
        say(
            f"  {page.name:28} p50 {timing.p50_ms:7.1f} ms  p95 {timing.p95_ms:7.1f} ms  "
            f"{timing.queries:3} queries"
        )
        lines[f"{page.name}_p50_ms"] = round(timing.p50_ms, 1)
        lines[f"{page.name}_p95_ms"] = round(timing.p95_ms, 1)
        lines[f"{page.name}_queries"] = timing.queries
        lines[f"{page.name}_vs_healthz"] = round(timing.p95_ms / healthz.p95_ms, 1)
        worst, most = max(worst, timing.p95_ms), max(most, timing.queries)
    lines.update(
        max_p95_ms=round(worst, 1),
        max_queries=most,
        goal_p95_under_100ms="yes" if worst < GOAL_MS else "no",
        machine=f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        **facts,
    )
    text = "\n".join(f"{key}={value}" for key, value in lines.items())
    print(text, flush=True)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (results / f"proposals-{stamp}.txt").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
