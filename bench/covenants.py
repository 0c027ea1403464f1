"""`make bench-covenants`: a covenant's article page at scale (issue 19: a covenant of 200
articles with 10,000 comments and 2,000 amendments; article pages p95 < 100 ms).

1. Database: PostgreSQL by default (Debian's cluster on 127.0.0.1:5432, the database
   ``gongzhi_bench_covenants``, created if missing, as bench/votes.py does), or any
   ``--database-url``; ``--sqlite`` for a SQLite file under var/bench-covenants/ (comparison
   only). The seeded data is kept while it holds the asked covenant, so a second run only
   measures; ``--rebuild`` drops the bench's schema and seeds again.
2. Seed, in bulk and straight into the tables (deterministic: one random stream): one community,
   a worker, ``--residents`` verified residents (2,000), a drafting body, and a covenant in
   public consultation whose draft has ``--articles`` articles (200) of 1 to 5 paragraphs;
   ``--comments`` comments (10,000) and ``--amendments`` amendments (2,000), both spread over
   the articles unevenly (the first articles draw the most, as the contested ones do: the
   heaviest article holds about a tenth of them), a third of the comments on a paragraph;
   300 amendments supported (1 to 40 supporters each, ``supporters_count`` as the rows say) and
   200 decided by the drafting body (accepted ones with their sequence, the others rejected),
   each with a public reason. Big tables go through COPY on PostgreSQL and executemany on
   SQLite (bench/learning.py's ``load``), then ANALYZE.
3. Scale: in-process (the server's own time, no network), ``--repeat`` GETs of the article
   page ``/c/<slug>/covenants/<id>/articles/<key>/`` as a verified resident (Django's test
   Client, logged in), round robin over ``--sample`` articles (40: the heaviest ones and a
   spread over the rest), after a warm-up, with the SQL queries of one page; the queries of
   every sampled article are counted too (``article_queries_min``/``_max``: equal when the page
   reads a fixed number of queries whatever the article holds). Until the page exists the bench
   times what it will read, the drafting part's ``selectors.article_page`` and the consultation
   part's ``consult_selectors.article_context`` (``article_measured=selectors``); ``--selectors``
   times them even once the page exists, to tell the reads from the rendering.
   ``/healthz`` is measured the same way as the baseline and the p95 is also printed as a ratio
   to it (compare ratios across machines, not milliseconds).

Prints ``key=value`` lines (also written to bench/results/covenants-<time>.txt), among them
``p95_article_ms=``, ``article_queries=``, ``article_vs_healthz=`` and
``goal_article_under_100ms=yes|no``.

    make bench-covenants
    .venv/bin/python bench/covenants.py --database-url postgres://gongzhi:gongzhi@127.0.0.1:5432/x
    .venv/bin/python bench/covenants.py --quick          # 40 articles, 1,000 comments
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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

SLUG = "bench-covenants"
PG_DATABASE = "gongzhi_bench_covenants"
SQLITE_NAME = "covenants.sqlite3"
ARTICLE_GOAL_MS = 100.0
PHONE_PREFIX = "+86135"
SUPPORTED, DECIDED = 300, 200
HEAVIEST = 10  # the sample's heaviest articles (the rest spread over the text)
TOPICS = ("宠物", "噪音", "停车", "公共空间", "垃圾分类", "装修", "绿化", "邻里互助")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--residents", type=int, default=2_000)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--amendments", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=200, help="timed pages (200)")
    parser.add_argument("--sample", type=int, default=40, help="articles read round robin (40)")
    parser.add_argument(
        "--selectors",
        action="store_true",
        help="time only what the page reads (its selectors), not the page",
    )
    parser.add_argument("--quick", action="store_true", help="40 articles, 1,000 comments")
    parser.add_argument("--rebuild", action="store_true", help="empty the database, seed again")
    parser.add_argument("--database-url", default="", help="default: PostgreSQL, " + PG_DATABASE)
    parser.add_argument("--sqlite", action="store_true", help="SQLite in --data-dir instead")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "var" / "bench-covenants")
    args = parser.parse_args(argv)
    if args.quick:
        args.residents, args.articles, args.comments, args.amendments = 500, 40, 1_000, 400
        args.repeat, args.sample = 60, 20
    args.data_dir = args.data_dir.resolve()
    return args


def setup(url: str, args: argparse.Namespace) -> None:
    os.environ["CREDENTIAL_KEY"] = secrets.token_urlsafe(40)
    os.environ["MEDIATION_KEY"] = secrets.token_urlsafe(40)
    from bench.django_setup import setup_django

    setup_django(url, args.data_dir)


# --- Seed ---------------------------------------------------------------------------------------


@dataclass
class Seeded:
    community_id: int
    covenant_id: int
    round_id: int
    resident_id: int  # the verified resident who reads the pages
    articles: list[tuple[int, int]]  # (key, comments on it), in position order


def seeded_covenant(args: argparse.Namespace) -> int | None:
    """How many articles the bench's covenant has (None: nothing seeded yet)."""
    from gongzhi.core.models import Community
    from gongzhi.covenants.models import Article, Covenant

    community = Community.objects.filter(slug=SLUG).first()
    if community is None:
        return None
    covenant = Covenant.objects.in_community(community).first()
    if covenant is None:
        return None
    return Article.objects.in_community(community).filter(version__covenant=covenant).count()


def _weights(n: int, rng: random.Random) -> list[float]:
    """Uneven shares of ``n`` articles: the first ones draw the most (Zipf-like), with noise."""
    return [(1.0 / (k + 1) ** 0.8) * (0.5 + rng.random()) for k in range(n)]


def seed(args: argparse.Namespace) -> dict[str, float]:
    """The covenant, its draft, comments, amendments, supports and decisions (see the module's
    docstring). Returns the seconds each stage took."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.bodies.models import Body, BodyKind
    from gongzhi.core.models import (
        Membership,
        VerificationMethod,
    )
    from gongzhi.covenants.models import (
        Amendment,
        AmendmentKind,
        AmendmentStatus,
        Article,
        Comment,
        Covenant,
        Paragraph,
        Round,
        RoundKind,
        Scope,
        Support,
        Version,
        VersionKind,
    )

    rng = random.Random(19)
    now = timezone.now()
    times: dict[str, float] = {}
    began = time.perf_counter()

    def lap(name: str) -> None:
        times[name] = round(time.perf_counter() - began - sum(times.values()), 1)
        say(f"  {name}: {times[name]:.1f} s")

    community, worker = bench_community(SLUG, "公约", now)
    cid, wid = community.pk, worker.pk
    load(
        User,
        User(phone="-", phone_verified=True, password="!", display_name="-"),  # noqa: S106
        ["phone", "display_name"],
        ((f"{PHONE_PREFIX}{i:08d}", f"居民{i}") for i in range(args.residents)),
    )
    residents = list(
        User.objects.filter(phone__startswith=PHONE_PREFIX)
        .order_by("phone")
        .values_list("pk", flat=True)
    )
    year_ago = now - timedelta(days=365)
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
        ((u, year_ago, year_ago) for u in residents),
    )
    lap(f"residents ({len(residents):,})")

    # The covenant, its draft (articles of 1 to 5 paragraphs, keys from one counter) and its
    # round, in public consultation.
    with transaction.atomic():
        body = Body.objects.in_community(cid).create(
            kind=BodyKind.COUNCIL, name="居民议事会", created_by_id=wid
        )
        covenant = Covenant.objects.in_community(cid).create(
            title="幸福社区居民公约",
            summary="宠物、噪音、停车、公共空间、垃圾分类",
            scope=Scope.COMMUNITY,
            drafting_body=body,
            created_by_id=wid,
        )
        draft = Version.objects.in_community(cid).create(
            covenant=covenant, number=1, kind=VersionKind.DRAFT, created_by_id=wid
        )
        key = 1
        articles: list[Article] = []
        shapes: list[tuple[int, list[int]]] = []  # (article key, paragraph keys)
        for position in range(1, args.articles + 1):
            topic = TOPICS[(position - 1) % len(TOPICS)]
            articles.append(
                Article(
                    community_id=cid,
                    version=draft,
                    position=position,
                    key=key,
                    heading=f"{topic}（{position}）",
                )
            )
            paragraph_keys = list(range(key + 1, key + 2 + rng.randrange(5)))
            shapes.append((key, paragraph_keys))
            key = paragraph_keys[-1] + 1
        Article.objects.bulk_create(articles, batch_size=2000)
        article_ids = dict(
            Article.objects.in_community(cid).filter(version=draft).values_list("key", "pk")
        )
        Paragraph.objects.bulk_create(
            [
                Paragraph(
                    community_id=cid,
                    article_id=article_ids[a_key],
                    position=n,
                    key=p_key,
                    text=f"{TOPICS[a_key % len(TOPICS)]}方面，居民应当遵守本条的约定，"
                    f"共同维护小区的秩序与环境，互谅互让，文明相处（{p_key}）。",
                )
                for a_key, p_keys in shapes
                for n, p_key in enumerate(p_keys, start=1)
            ],
            batch_size=2000,
        )
        covenant.next_key = key
        covenant.save(update_fields=["next_key"])
        day = timedelta(days=1)
        round_ = Round.objects.in_community(cid).create(
            covenant=covenant,
            number=1,
            kind=RoundKind.DRAFTING,
            draft=draft,
            drafting_starts=now - 30 * day,
            consultation_starts=now - 20 * day,
            revision_starts=now + 20 * day,
            revision_ends=now + 40 * day,
            created_by_id=wid,
        )
        draft.round = round_
        draft.save(update_fields=["round"])
    lap(f"covenant ({args.articles} articles, {key - 1 - args.articles} paragraphs)")

    weights = _weights(len(shapes), rng)
    consultation_began = now - 20 * day

    def comments() -> Iterable[tuple[Any, ...]]:
        targets = rng.choices(range(len(shapes)), weights=weights, k=args.comments)
        for n, index in enumerate(targets):
            a_key, p_keys = shapes[index]
            on_paragraph = rng.random() < 1 / 3
            yield (
                round_.pk,
                a_key,
                rng.choice(p_keys) if on_paragraph else None,
                residents[rng.randrange(len(residents))],
                f"意见{n}：建议把{TOPICS[a_key % len(TOPICS)]}的要求写得更具体，便于大家遵守。",
                consultation_began + timedelta(seconds=rng.randrange(20 * 86400)),
            )

    written = load(
        Comment,
        Comment(community=community, round=round_, article_key=0, author=worker, text="-"),
        ["round_id", "article_key", "paragraph_key", "author_id", "text", "created_at"],
        comments(),
    )
    lap(f"comments ({written:,})")

    # Amendments: mostly replacing a paragraph, some inserting or deleting; 300 supported and
    # 200 decided by the drafting body (accepted ones take the next sequence).
    kinds = (
        [AmendmentKind.REPLACE] * 6
        + [AmendmentKind.INSERT_PARAGRAPH] * 2
        + [AmendmentKind.DELETE_PARAGRAPH, AmendmentKind.INSERT_ARTICLE]
    )
    targets = rng.choices(range(len(shapes)), weights=weights, k=args.amendments)
    chosen = rng.sample(range(args.amendments), min(args.amendments, SUPPORTED + DECIDED))
    supported = set(chosen[:SUPPORTED])
    decided = chosen[SUPPORTED:]
    accepted = {n: s for s, n in enumerate(sorted(decided[: len(decided) * 3 // 5]), start=1)}
    supporters: dict[int, list[int]] = {
        n: rng.sample(residents, min(len(residents), 1 + int(40 * rng.random() ** 2)))
        for n in sorted(supported)
    }

    def amendments() -> Iterable[tuple[Any, ...]]:
        decided_set = set(decided)
        for n, index in enumerate(targets):
            a_key, p_keys = shapes[index]
            kind = kinds[rng.randrange(len(kinds))]
            p_key = rng.choice(p_keys) if kind != AmendmentKind.INSERT_ARTICLE else None
            status, sequence, reason, decided_at = AmendmentStatus.PROPOSED, None, "", None
            if n in accepted:
                status, sequence = AmendmentStatus.ACCEPTED, accepted[n]
                reason = "议事会讨论后认为修改更清楚，予以采纳。"
            elif n in decided_set:
                status, reason = AmendmentStatus.REJECTED, "原文已有相同要求，不予采纳。"
            if reason:
                decided_at = now - timedelta(hours=rng.randrange(1, 200))
            yield (
                round_.pk,
                n + 1,
                kind,
                a_key,
                p_key,
                f"新增条款{n}" if kind == AmendmentKind.INSERT_ARTICLE else "",
                ""
                if kind == AmendmentKind.DELETE_PARAGRAPH
                else f"修正案{n + 1}：建议改为更明确的表述。",
                "原文不够清楚，执行时容易引起邻里矛盾。",
                residents[rng.randrange(len(residents))],
                consultation_began + timedelta(seconds=rng.randrange(20 * 86400)),
                status,
                sequence,
                reason,
                wid if reason else None,
                decided_at,
                len(supporters.get(n, ())),
            )

    proposed = load(
        Amendment,
        Amendment(
            community=community,
            round=round_,
            number=0,
            kind=AmendmentKind.REPLACE,
            reason="-",
            author=worker,
        ),
        [
            "round_id",
            "number",
            "kind",
            "article_key",
            "paragraph_key",
            "heading",
            "text",
            "reason",
            "author_id",
            "created_at",
            "status",
            "sequence",
            "decision_reason",
            "decided_by_id",
            "decided_at",
            "supporters_count",
        ],
        amendments(),
    )
    numbers = dict(
        Amendment.objects.in_community(cid).filter(round=round_).values_list("number", "pk")
    )
    backed = load(
        Support,
        Support(community=community, amendment_id=0, person=worker),
        ["amendment_id", "person_id"],
        ((numbers[n + 1], person) for n, people in supporters.items() for person in people),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    lap(
        f"amendments ({proposed:,}: {len(supported)} supported by {backed:,} supports, "
        f"{len(decided)} decided, {len(accepted)} accepted) and ANALYZE"
    )
    return times


def seeded_world() -> Seeded:
    from django.db.models import Count

    from gongzhi.accounts.models import User
    from gongzhi.core.models import Community
    from gongzhi.covenants.models import Article, Comment, Covenant, Round

    community = Community.objects.get(slug=SLUG)
    cid = community.pk
    covenant = Covenant.objects.in_community(cid).get()
    round_ = Round.objects.in_community(cid).get(covenant=covenant)
    counts = dict(
        Comment.objects.in_community(cid)
        .filter(round=round_)
        .values("article_key")
        .annotate(n=Count("pk"))
        .values_list("article_key", "n")
    )
    keys = list(
        Article.objects.in_community(cid)
        .filter(version_id=round_.draft_id)
        .order_by("position")
        .values_list("key", flat=True)
    )
    resident = User.objects.filter(phone__startswith=PHONE_PREFIX).order_by("phone").first()
    assert resident is not None
    return Seeded(
        community_id=cid,
        covenant_id=covenant.pk,
        round_id=round_.pk,
        resident_id=resident.pk,
        articles=[(key, counts.get(key, 0)) for key in keys],
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


def sample_keys(world: Seeded, size: int) -> list[int]:
    """The heaviest articles (most comments), then a spread over the rest of the text."""
    by_weight = sorted(world.articles, key=lambda a: -a[1])
    heavy = [key for key, _n in by_weight[: min(HEAVIEST, size)]]
    rest = [key for key, _n in world.articles if key not in heavy]
    step = max(1, len(rest) // max(1, size - len(heavy)))
    return heavy + rest[::step][: size - len(heavy)]


def page_reader(world: Seeded) -> Callable[[int], Callable[[], Any]] | None:
    """GETs of the article page as a verified resident, or None while the page does not exist
    (its URL does not resolve, or it does not answer 200)."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from gongzhi.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=world.resident_id))

    def url(key: int) -> str:
        return reverse(
            "covenants_article",
            kwargs={"slug": SLUG, "covenant_id": world.covenant_id, "key": key},
        )

    try:
        probe = client.get(url(world.articles[0][0]))
    except NoReverseMatch:
        return None
    if probe.status_code != 200:
        say(f"  the article page answered HTTP {probe.status_code}: timing the selectors")
        return None

    def read(key: int) -> Callable[[], Any]:
        path = url(key)

        def call() -> Any:
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: HTTP {response.status_code}")
            return response

        return call

    return read


def selector_reader(world: Seeded) -> Callable[[int], Callable[[], Any]]:
    """What the page reads, through the parts' selectors (the drafting part's article, the
    consultation part's comments, amendments and forms, where they exist)."""
    import importlib

    from gongzhi.accounts.models import User
    from gongzhi.covenants.models import Round

    viewer = User.objects.get(pk=world.resident_id)
    round_ = Round.objects.in_community(world.community_id).get(pk=world.round_id)
    reads: list[Callable[[int], Any]] = []
    for module_name, name in (
        ("gongzhi.covenants.selectors", "article_page"),
        ("gongzhi.covenants.consult_selectors", "article_context"),
    ):
        try:
            function = getattr(importlib.import_module(module_name), name)
        except (ImportError, AttributeError):
            continue
        reads.append(_selector_call(function, round_, viewer if name != "article_page" else None))
    if not reads:
        raise SystemExit("neither the article page nor its selectors exist yet")

    def read(key: int) -> Callable[[], Any]:
        return lambda: [r(key) for r in reads]

    return read


def _selector_call(function: Any, round_: Any, viewer: Any) -> Callable[[int], Any]:
    """``function(round, key)`` (the article), or ``function(round, key, viewer)`` (its
    consultation part, read as a template would)."""

    def call(key: int) -> Any:
        if viewer is None:
            return function(round_, key)
        return _render_context(function(round_, key, viewer))

    return call


def _render_context(context: dict[str, Any]) -> dict[str, Any]:
    """Read what the context holds lazily (the comments' page, the forms), as a template would."""
    comments = context.get("comments")
    for name in ("items", "comments", "object_list"):
        if comments is not None and hasattr(comments, name):
            list(getattr(comments, name))
            break
    return context


def scale(world: Seeded, args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lines: dict[str, Any] = {}
    health = timed([healthz()], args.repeat)
    lines["healthz_p95_ms"] = round(health.p95_ms, 2)
    keys = sample_keys(world, args.sample)
    weights = dict(world.articles)
    lines["sample_articles"] = len(keys)
    lines["sample_comments_max"] = max(weights[k] for k in keys)
    lines["sample_comments_min"] = min(weights[k] for k in keys)
    read = None if args.selectors else page_reader(world)
    lines["article_measured"] = "page" if read is not None else "selectors"
    if read is None:
        read = selector_reader(world)
    calls = [read(key) for key in keys]
    per_article = []
    for call in calls:
        call()  # warm
        with CaptureQueriesContext(connection) as captured:
            call()
        per_article.append(len(captured.captured_queries))
    timing = timed(calls, max(args.repeat, len(calls)))
    say(
        f"  article ({lines['article_measured']}) p50 {timing.p50_ms:8.1f} ms  "
        f"p95 {timing.p95_ms:8.1f} ms  {min(per_article)}-{max(per_article)} queries "
        "over the sample"
    )
    lines["article_p50_ms"] = round(timing.p50_ms, 2)
    # The queries of one page, counted for each sampled article (the Client's request can
    # leave timed()'s own count of its first call empty).
    lines["article_queries"] = max(per_article)
    lines["article_queries_min"] = min(per_article)
    lines["article_queries_max"] = max(per_article)
    lines["article_vs_healthz"] = round(timing.p95_ms / health.p95_ms, 1)
    lines["p95_article_ms"] = round(timing.p95_ms, 1)
    lines["goal_article_under_100ms"] = "yes" if timing.p95_ms < ARTICLE_GOAL_MS else "no"
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
    have = seeded_covenant(args)
    if have is not None and have != args.articles:
        say(f"the bench's covenant has {have:,} articles: run with --rebuild")
        return 2
    if have is None:
        say(
            f"seeding a covenant of {args.articles} articles, {args.comments:,} comments and "
            f"{args.amendments:,} amendments ..."
        )
        began = time.perf_counter()
        seed(args)
        lines["load_s"] = round(time.perf_counter() - began, 1)
    world = seeded_world()
    from gongzhi.covenants.models import Amendment, Comment, Paragraph, Support

    cid = world.community_id
    lines.update(
        articles=len(world.articles),
        paragraphs=Paragraph.objects.in_community(cid).count(),
        comments=Comment.objects.in_community(cid).count(),
        amendments=Amendment.objects.in_community(cid).count(),
        amendments_supported=Amendment.objects.in_community(cid)
        .filter(supporters_count__gt=0)
        .count(),
        supports=Support.objects.in_community(cid).count(),
        amendments_decided=Amendment.objects.in_community(cid)
        .exclude(decided_at__isnull=True)
        .count(),
        heaviest_article_comments=max(n for _key, n in world.articles),
    )
    say("the article page ...")
    lines.update(scale(world, args))
    lines["loadavg_end"] = "/".join(f"{x:.1f}" for x in os.getloadavg())
    lines["bench_s"] = round(time.perf_counter() - started, 1)
    lines["python"] = platform.python_version()
    text = "\n".join(f"{key}={value}" for key, value in lines.items())
    print(text, flush=True)
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    (results_dir / f"covenants-{stamp}.txt").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
