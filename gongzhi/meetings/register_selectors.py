"""Reads of the decision register (决策登记, R6.2): who decided what, when, on what basis.

The rows (``core.RegisterEntry``) are written by each deciding service through
``core.decisions.register_decision``; here they are only read. Pages go by keyset, never by
offset or count: a cursor is the last row's ``(decided_on, id)``, and the next page is the rows
strictly before it in the order of the indexes ``register_by_date`` / ``register_by_body`` /
``register_by_kind`` (``community, [body_id | kind,] -decided_on, -id``). The condition repeats
``decided_on <= day`` on its own so that SQLite and PostgreSQL start the index scan at the
cursor instead of reading every newer row and discarding it: page 40,000 costs what page 1 does
(docs/performance.md, "Decision register").
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.decisions import decision_kind_registry
from gongzhi.core.models import Community, RegisterEntry

PER_PAGE = 25

#: What a basis link is, as a resident reads it.
BASIS_LABELS: dict[str, Any] = {
    "proposal": _("proposal"),
    "vote": _("vote"),
    "ballots": _("ballots"),
    "process": _("participatory budget"),
    "meeting": _("meeting"),
    "minutes": _("minutes"),
    "item": _("agenda item"),
    "document": _("document"),
    "body": _("body"),
    "panel": _("review panel"),
    "opinion": _("supervision opinion"),
    "decision": _("decision"),
    "activity": _("activity"),
}

_CURSOR = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.(\d{1,18})$")


@dataclass(frozen=True)
class Cursor:
    """A row's place in the register's order: ``(decided_on, id)``; ``2026-03-01.123``."""

    decided_on: date
    pk: int

    def __str__(self) -> str:
        return f"{self.decided_on.isoformat()}.{self.pk}"

    @classmethod
    def of(cls, entry: RegisterEntry) -> Cursor:
        return cls(entry.decided_on, entry.pk)

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """A cursor from a query string, or None for anything malformed."""
        match = _CURSOR.match((text or "").strip())
        if match is None:
            return None
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
        return cls(day, int(match[4]))


@dataclass(frozen=True)
class RegisterFilters:
    body_id: int | None = None
    kind: str = ""
    topic: str = ""
    since: date | None = None
    until: date | None = None
    #: words searched for in titles (each must appear)
    text: str = ""

    def query(self) -> dict[str, str]:
        """The filters as query-string parameters (for links that keep them)."""
        pairs = {
            "body": str(self.body_id) if self.body_id is not None else "",
            "kind": self.kind,
            "topic": self.topic,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
            "q": self.text,
        }
        return {key: value for key, value in pairs.items() if value}


@dataclass
class RegisterPage:
    rows: list[RegisterEntry]
    #: the cursor for the next newer page (None: this is the newest)
    newer: Cursor | None = None
    #: the cursor for the next older page (None: nothing older)
    older: Cursor | None = None
    filters: RegisterFilters = field(default_factory=RegisterFilters)
    #: a title search stopped at its budget: it looked through the rows back to (or, going
    #: newer, up to) this day; the "older" ("newer") link searches on
    searched_to: date | None = None


def entries(*, community_id: int, filters: RegisterFilters) -> QuerySet[RegisterEntry]:
    """The community's register rows matching ``filters``, newest first."""
    rows = RegisterEntry.objects.in_community(community_id)
    if filters.body_id is not None:
        rows = rows.filter(body_id=filters.body_id)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.topic:
        rows = rows.filter(topic=filters.topic)
    if filters.since is not None:
        rows = rows.filter(decided_on__gte=filters.since)
    if filters.until is not None:
        rows = rows.filter(decided_on__lte=filters.until)
    for word in _words(filters.text):
        rows = rows.filter(title__icontains=word)
    return rows.order_by("-decided_on", "-pk")


def _words(text: str) -> list[str]:
    return text.split()[:5]


def _older_than(cursor: Cursor, *, inclusive: bool = False) -> Q:
    # ``decided_on <= day`` alone bounds the index range; the OR picks the rows after the cursor.
    day, pk = cursor.decided_on, cursor.pk
    same_day = Q(decided_on=day, pk__lte=pk) if inclusive else Q(decided_on=day, pk__lt=pk)
    return Q(decided_on__lte=day) & (Q(decided_on__lt=day) | same_day)


def _newer_than(cursor: Cursor, *, inclusive: bool = False) -> Q:
    day, pk = cursor.decided_on, cursor.pk
    same_day = Q(decided_on=day, pk__gte=pk) if inclusive else Q(decided_on=day, pk__gt=pk)
    return Q(decided_on__gte=day) & (Q(decided_on__gt=day) | same_day)


#: A title search reads at most this many rows (of those the other filters leave) per page:
#: words inside Chinese titles have no index, so a rare word would read the whole register.
#: When the budget runs out before a page is full, the page says how far back it searched
#: and its "older" link searches on from there.
SEARCH_SCAN = 10_000


def register_page(
    *,
    community_id: int,
    filters: RegisterFilters,
    before: Cursor | None = None,
    after: Cursor | None = None,
    per_page: int = PER_PAGE,
    search_scan: int = SEARCH_SCAN,
) -> RegisterPage:
    """One page of the register: the newest rows, or those older than ``before``, or those
    newer than ``after`` (a "newer" link). At most two queries: with words to search, the
    first finds where the search budget ends (an index-only read of ``search_scan`` rows)."""
    rows = entries(community_id=community_id, filters=filters)
    plain = entries(community_id=community_id, filters=replace(filters, text=""))
    searching = bool(_words(filters.text))
    if after is not None:
        rows, plain = rows.filter(_newer_than(after)), plain.filter(_newer_than(after))
        bound = _bound(plain.order_by("decided_on", "pk"), search_scan) if searching else None
        if bound is not None:
            rows = rows.filter(_older_than(bound, inclusive=True))
        found = list(rows.order_by("decided_on", "pk")[: per_page + 1])
        page = found[:per_page][::-1]
        newer = Cursor.of(page[0]) if len(found) > per_page else bound
        return RegisterPage(
            rows=page,
            newer=newer,
            older=Cursor.of(page[-1]) if page else after,
            filters=filters,
            searched_to=bound.decided_on if bound is not None and newer == bound else None,
        )
    if before is not None:
        rows, plain = rows.filter(_older_than(before)), plain.filter(_older_than(before))
    bound = _bound(plain, search_scan) if searching else None
    if bound is not None:
        rows = rows.filter(_newer_than(bound, inclusive=True))
    found = list(rows[: per_page + 1])
    page = found[:per_page]
    older = Cursor.of(page[-1]) if len(found) > per_page else bound
    return RegisterPage(
        rows=page,
        newer=(Cursor.of(page[0]) if page else before) if before is not None else None,
        older=older,
        filters=filters,
        searched_to=bound.decided_on if bound is not None and older == bound else None,
    )


def _bound(ordered: QuerySet[RegisterEntry], scan: int) -> Cursor | None:
    """The ``scan``-th row of ``ordered`` (an index-only read), or None when there are fewer."""
    last = ordered.values_list("decided_on", "pk")[scan - 1 : scan]
    for day, pk in last:
        return Cursor(day, pk)
    return None


def kind_choices() -> list[tuple[str, Any]]:
    """Every decision kind a row may have, as ``(code, label)``."""
    return [(code, kind.label) for code, kind in decision_kind_registry().items()]


def kind_label(code: str) -> Any:
    kind = decision_kind_registry().get(code)
    return kind.label if kind is not None else code


def body_choices(community: Community) -> list[tuple[int, str]]:
    """The community's bodies (dissolved ones too: their decisions stay in the register)."""
    from gongzhi.bodies.models import Body

    return list(Body.objects.in_community(community).order_by("name").values_list("pk", "name"))


def basis_links(entry: RegisterEntry) -> list[dict[str, Any]]:
    """The row's basis links with a label for their kind and a turnout where one is known."""
    links = []
    for item in entry.basis or []:
        if not isinstance(item, dict):
            continue
        link = dict(item)
        link["label"] = BASIS_LABELS.get(str(item.get("kind")), item.get("kind"))
        turnout = item.get("turnout")
        link["turnout_percent"] = (
            round(float(turnout) * 100, 1) if isinstance(turnout, int | float) else None
        )
        links.append(link)
    return links


def feed_entries(*, community_id: int, limit: int = 50) -> list[RegisterEntry]:
    """The newest rows for the Atom feed (newest first; decided_on, then recorded)."""
    return list(
        RegisterEntry.objects.in_community(community_id).order_by("-decided_on", "-pk")[:limit]
    )


def register_bulk_create(
    *,
    community: Community,
    count: int,
    body_ids: list[tuple[int, str]] | None = None,
    kinds: list[str] | None = None,
    topics: list[str] | None = None,
    first_day: date | None = None,
    days: int = 20 * 365,
    batch_size: int = 5000,
    seed: int = 0,
) -> int:
    """For benchmarks only: ``count`` register rows spread over ``days`` days from
    ``first_day``, by the given bodies (``(id, name)``), kinds and topics, in batches of
    ``batch_size`` (``bulk_create``; no service, no journal). Their source is no real row: each
    points at ``core.RegisterEntry`` with an id above 10**12, unique per row, so the
    once-per-source constraint holds and no real decision is shadowed. Returns how many."""
    from django.contrib.contenttypes.models import ContentType

    rng = random.Random(seed)  # noqa: S311 - repeatable benchmark data, not a secret
    source_type = ContentType.objects.get_for_model(RegisterEntry)
    start = first_day or timezone.localdate() - timedelta(days=days)
    bodies = body_ids or [(0, "")]
    kinds = kinds or ["appoint_member", "answer_proposals", "binding_vote", "budget_results"]
    topics = topics or ["", "环境", "停车", "养老", "安全"]
    highest = (
        RegisterEntry.objects.all_communities()
        .filter(source_type=source_type)
        .aggregate(highest=Max("source_id"))["highest"]
    )
    base = max(10**12, (highest or 0) + 1)
    made = 0
    while made < count:
        batch = []
        for i in range(made, min(count, made + batch_size)):
            body_id, body_name = rng.choice(bodies)
            kind = rng.choice(kinds)
            batch.append(
                RegisterEntry(
                    community=community,
                    kind=kind,
                    body_id=body_id or None,
                    body_name=body_name,
                    decided_on=start + timedelta(days=rng.randrange(days)),
                    title=f"决定 {i}: {rng.choice(['修缮', '绿化', '停车', '预算', '选举'])}",
                    topic=rng.choice(topics),
                    url=f"/c/{community.slug}/decisions/",
                    basis=[],
                    source_type=source_type,
                    source_id=base + i,
                )
            )
        RegisterEntry.objects.bulk_create(batch, batch_size=batch_size)
        made += len(batch)
    return made
