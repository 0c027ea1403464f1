"""A person's pathway on the leadership ladder and the workers' pipeline (R8.2), read from every
app's evidence (``core/leadership.py``: each app's manifest names its sources and its steps).

- ``pathway(community, person)``: where the person is (the highest rung their facts support,
  ``ladder.py``), what shows it under each of the six rungs, the next steps (the steps of the
  next two rungs, with their pages; for a step that leads to a role a community may make need a
  qualification, that qualification, whether the person holds it and the open courses that
  grant it) and the invitations they were sent.
- ``pipeline(community, …)``: the people who organised or chaired (rung 3 or 4) and do not yet
  lead (rung 5 or 6), never anyone who asked to stay off it, by rung then most recent act, a
  page at a time — with the qualifications they hold and their open invitations.
- ``leaders(community)``: everyone at rung 5 or more, with when they first got there (the
  spread part's statistics).

Only the sources of rung 3 and above are ever read for a whole community; each groups its
table by person over an index. The pipeline's page ranks the whole community in ONE SQL
statement (the sources' ``Evidence.rows`` joined by UNION ALL, grouped by person, filtered by
membership and opt-out, ordered and paged by the database) and then reads the evidence of the
page's people only, through the per-person path the pathway uses.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from operator import itemgetter
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from gongzhi.core import qualifications, requirements
from gongzhi.core.leadership import (
    CHAIRED,
    LEADS,
    ORGANISED,
    RUNG_LABELS,
    RUNGS,
    Evidence,
    Fact,
    Step,
    evidence_registry,
    step_registry,
)
from gongzhi.core.models import Membership, RoleRequirement
from gongzhi.learning import ladder
from gongzhi.learning.models import (
    Award,
    Course,
    CourseStatus,
    Invitation,
    InvitationStatus,
    PipelineOptOut,
)

PER_PAGE = 25
#: The highest page number asked for that is read as such (larger ones are the last page).
MAX_PAGE = 100_000
#: open courses suggested per qualification on a pathway
COURSES_PER_QUALIFICATION = 3


class Shown(NamedTuple):
    """One kind of evidence a person has, as the pathway shows it (a tuple: the pipeline makes
    thousands)."""

    code: str
    label: Any
    rung: int
    first_at: datetime
    last_at: datetime
    times: int


@dataclass(frozen=True)
class RungView:
    rung: int
    label: Any
    evidence: list[Shown]
    #: the person's own rung is this one
    current: bool

    @property
    def reached(self) -> bool:
        return bool(self.evidence)


@dataclass(frozen=True)
class NextStep:
    code: str
    rung: int
    label: Any
    url: str
    role: str = ""
    role_label: Any = ""
    #: the qualification the role needs (in force) or would usually need (suggested), or ""
    qualification: str = ""
    qualification_label: str = ""
    #: the community requires it for the role (from ``required_from``)
    required: bool = False
    required_from: date | None = None
    #: the person holds that qualification today
    held: bool = False
    #: open courses that grant it (only when the person does not hold it)
    courses: list[Course] = field(default_factory=list)


@dataclass(frozen=True)
class Pathway:
    person_id: int
    rung: int
    label: Any
    #: the six rungs, lowest first
    rungs: list[RungView]
    next_rung: int | None
    next_steps: list[NextStep]
    invitations: list[Invitation]
    opted_out: bool

    @property
    def open_invitations(self) -> list[Invitation]:
        return [i for i in self.invitations if i.status == InvitationStatus.SENT]


@dataclass(frozen=True)
class Candidate:
    """A person in the workers' pipeline."""

    user: Any
    rung: int
    label: Any
    #: the most recent act of rung 3 or above, and what it was
    last_at: datetime
    evidence: list[Shown]
    qualifications: list[str]
    open_invitations: list[Invitation]

    @property
    def qualification_labels(self) -> list[str]:
        return [qualifications.label(code) for code in self.qualifications]


@dataclass(frozen=True)
class PipelinePage:
    candidates: list[Candidate]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


# --- Reading the evidence ---------------------------------------------------------------------


@cache
def _source(path: str) -> Any:
    return import_string(path)


def _evidence(min_rung: int = 1) -> list[tuple[str, Evidence]]:
    return sorted(
        ((code, ev) for code, ev in evidence_registry().items() if ev.rung >= min_rung),
        key=lambda item: (item[1].rung, item[1].order, item[0]),
    )


def evidence_of(
    community_id: int,
    user_ids: Collection[int] | None,
    *,
    min_rung: int = 1,
    max_rung: int = RUNGS[-1],
) -> dict[int, list[Shown]]:
    """``{user id: [Shown]}`` from every source of rung ``min_rung`` to ``max_rung``, for
    ``user_ids`` (the whole community when None: only ever asked with ``min_rung`` ≥ 3)."""
    found: dict[int, list[Shown]] = {}
    for code, ev in _evidence(min_rung):
        if ev.rung > max_rung:
            continue
        facts: Iterable[Fact] = _source(ev.source)(community_id, user_ids)
        for fact in facts:
            found.setdefault(fact.user_id, []).append(
                Shown(code, ev.label, ev.rung, fact.first_at, fact.last_at, fact.times)
            )
    return found


def _rung(shown: Iterable[Shown]) -> int:
    return ladder.rung_of((s.rung, s) for s in shown)


def standing(community: Any, person: Any) -> ladder.Standing:
    """A person's ``ladder.Standing`` (their rung, and the evidence under each rung)."""
    shown = evidence_of(community.pk, [person.pk]).get(person.pk, [])
    return ladder.standing((s.rung, s) for s in shown)


def rung_of(community: Any, person: Any) -> int:
    return standing(community, person).rung


def leaders(community: Any) -> dict[int, datetime]:
    """``{user id: first_at}``: everyone at rung 5 or above (leads a team or body, trains
    others), with the first time any of that evidence shows them there."""
    first: dict[int, datetime] = {}
    for user_id, shown in evidence_of(_pk(community), None, min_rung=LEADS).items():
        first[user_id] = min(s.first_at for s in shown)
    return first


def _pk(community: Any) -> int:
    return community if isinstance(community, int) else community.pk


# --- The pathway ------------------------------------------------------------------------------


def step_url(step: Step, slug: str) -> str:
    try:
        return reverse(step.url_name, kwargs={"slug": slug})
    except NoReverseMatch:
        return ""


def _steps_for(rung: int) -> list[int]:
    """The rungs whose steps a person at ``rung`` is shown: the next two (the top rung's own
    steps at the top, to keep going)."""
    above = [r for r in (rung + 1, rung + 2) if r in RUNGS]
    return above or [RUNGS[-1]]


def next_steps(
    community: Any, person: Any, rung: int, *, today: date | None = None
) -> list[NextStep]:
    """The steps of the next rungs, with what the roles they lead to need."""
    today = today or timezone.localdate()
    wanted = _steps_for(rung)
    steps = sorted(
        ((code, step) for code, step in step_registry().items() if step.rung in wanted),
        key=lambda item: (item[1].rung, item[1].order, item[0]),
    )
    roles = {step.role for _code, step in steps if step.role}
    requirables = requirements.registry() if roles else {}
    in_force: dict[str, RoleRequirement] = {}
    if roles:
        for found in RoleRequirement.objects.in_community(community).filter(
            role__in=roles, turned_off_at__isnull=True
        ):
            in_force[found.role] = found
    needed: dict[str, str] = {}
    for role in roles:
        in_effect = in_force.get(role)
        code = (
            in_effect.qualification
            if in_effect
            else getattr(requirables.get(role), "suggested", "")
        )
        if code:
            needed[role] = code
    codes = sorted(set(needed.values()))
    lacking = set(qualifications.missing(person, codes, today)) if codes else set()
    courses: dict[str, list[Course]] = {}
    if lacking:
        for course in (
            Course.objects.in_community(community)
            .filter(status=CourseStatus.OPEN, qualification__in=sorted(lacking))
            .order_by("enrol_until", "-published_at", "pk")
        ):
            bucket = courses.setdefault(course.qualification, [])
            if len(bucket) < COURSES_PER_QUALIFICATION:
                bucket.append(course)
    shown = []
    for code, step in steps:
        requirement = in_force.get(step.role)
        qualification = needed.get(step.role, "")
        requirable = requirables.get(step.role)
        shown.append(
            NextStep(
                code=code,
                rung=step.rung,
                label=step.label,
                url=step_url(step, community.slug),
                role=step.role,
                role_label=getattr(requirable, "label", "") if step.role else "",
                qualification=qualification,
                qualification_label=qualifications.label(qualification) if qualification else "",
                required=requirement is not None,
                required_from=requirement.applies_from if requirement else None,
                held=bool(qualification) and qualification not in lacking,
                courses=courses.get(qualification, []) if qualification in lacking else [],
            )
        )
    return shown


def pathway(community: Any, person: Any) -> Pathway:
    """``person``'s pathway in ``community``: their rung, the six rungs with their evidence,
    the next steps and their invitations."""
    shown = evidence_of(community.pk, [person.pk]).get(person.pk, [])
    rung = _rung(shown)
    rungs = [
        RungView(
            rung=r,
            label=RUNG_LABELS[r],
            evidence=[s for s in shown if s.rung == r],
            current=r == rung,
        )
        for r in RUNGS
    ]
    invitations = list(
        Invitation.objects.in_community(community)
        .filter(person=person)
        .select_related("invited_by")
        .order_by("-created_at", "-pk")[:20]
    )
    label_steps(invitations)
    return Pathway(
        person_id=person.pk,
        rung=rung,
        label=RUNG_LABELS[rung],
        rungs=rungs,
        next_rung=ladder.next_rung(rung),
        next_steps=next_steps(community, person, rung),
        invitations=invitations,
        opted_out=PipelineOptOut.objects.in_community(community).filter(person=person).exists(),
    )


def label_steps(invitations: Iterable[Invitation]) -> None:
    """Give each invitation ``step_label``: what its reader reads for its step."""
    steps = step_registry()
    for invitation in invitations:
        step = steps.get(invitation.step)
        invitation.step_label = step.label if step is not None else invitation.step  # type: ignore[attr-defined]


# --- The pipeline -----------------------------------------------------------------------------


def pipeline_people(
    community: Any,
    *,
    min_rung: int = ORGANISED,
    rung: int | None = None,
    grid: int | None = None,
) -> list[tuple[int, int, datetime, list[Shown]]]:
    """``[(user id, rung, last act, evidence)]`` of everyone in the pipeline, in its order (by
    rung, highest first, then the most recent act): rung ``min_rung`` to 4, not yet at 5 or
    above, a member now (of ``grid`` when given), never anyone who opted out."""
    community_id = _pk(community)
    min_rung = max(min_rung, ORGANISED)
    shown_by = evidence_of(community_id, None, min_rung=min_rung)
    people: dict[int, tuple[int, datetime, list[Shown]]] = {}
    for user_id, shown in shown_by.items():
        top = _rung(shown)
        if top > CHAIRED or (rung is not None and top != rung):
            continue
        people[user_id] = (top, max(s.last_at for s in shown), shown)
    if not people:
        return []
    opted_out = set(
        PipelineOptOut.objects.in_community(community_id).values_list("person_id", flat=True)
    )
    members = Membership.objects.in_community(community_id).filter(user__is_active=True)
    if grid is not None:
        members = members.filter(household__building__grid_id=grid)
    wanted = sorted(u for u in people if u not in opted_out)
    kept: set[int] = set()
    if connection.vendor == "postgresql":
        # One array parameter, not thousands: no client-side splitting, one plan.
        hit = RawSQL('"core_membership"."user_id" = ANY(%s)', (wanted,), BooleanField())
        kept.update(members.alias(hit=hit).filter(hit=True).values_list("user_id", flat=True))
    else:
        # SQLite bounds the parameters of a statement: a chunk at a time.
        size = connection.features.max_query_params or len(wanted) or 1
        for start in range(0, len(wanted), size):
            chunk = wanted[start : start + size]
            kept.update(members.filter(user_id__in=chunk).values_list("user_id", flat=True))
    # By rung, highest first, then the most recent act, then the person: three stable sorts,
    # since an aware datetime's timestamp() is costly at thousands of rows.
    ordered = sorted((u, *people[u]) for u in kept)
    ordered.sort(key=itemgetter(2), reverse=True)
    ordered.sort(key=itemgetter(1), reverse=True)
    return ordered


def _compiled(queryset: Any) -> tuple[str, tuple[Any, ...]]:
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return sql, tuple(params)


def _ranked_sql(
    community_id: int, *, min_rung: int, rung: int | None, grid: int | None
) -> tuple[str, tuple[Any, ...]] | None:
    """The pipeline as one SQL statement (``uid, rung, last_at, total`` rows, in the pipeline's
    order, to be paged with LIMIT/OFFSET), or None when a source of rung 3–4 offers no
    ``rows`` (the pipeline then ranks in Python). Sources of rung 5 or above without ``rows``
    are read in Python: their people are left out by id."""
    parts: list[str] = []
    params: list[Any] = []
    leaders_ids: set[int] = set()
    for _code, ev in _evidence(min_rung):
        if not ev.rows:
            if ev.rung <= CHAIRED:
                return None
            leaders_ids.update(f.user_id for f in _source(ev.source)(community_id, None))
            continue
        for queryset in _source(ev.rows)(community_id):
            sql, found = _compiled(queryset)
            # Only compiled QuerySets and integers are spliced in; values stay parameters.
            parts.append(f"SELECT uid, {int(ev.rung)} AS rung, last_at FROM ({sql}) AS part")  # noqa: S608
            params.extend(found)
    if not parts:
        return None
    members = Membership.objects.in_community(community_id).filter(user__is_active=True)
    if grid is not None:
        members = members.filter(household__building__grid_id=grid)
    members_sql, members_params = _compiled(members.order_by().values("user_id"))
    out_sql, out_params = _compiled(
        PipelineOptOut.objects.in_community(community_id)
        .filter(person_id__isnull=False)
        .order_by()
        .values("person_id")
    )
    where = [f"facts.uid IN ({members_sql})", f"facts.uid NOT IN ({out_sql})"]
    where_params: list[Any] = [*members_params, *out_params]
    if leaders_ids:
        if connection.vendor == "postgresql":
            where.append("NOT (facts.uid = ANY(%s))")
            where_params.append(sorted(leaders_ids))
        else:
            # One JSON parameter, not thousands (SQLite bounds a statement's parameters).
            where.append("facts.uid NOT IN (SELECT value FROM json_each(%s))")
            where_params.append(json.dumps(sorted(leaders_ids)))
    having = ["MAX(facts.rung) <= %s"]
    having_params: list[Any] = [CHAIRED]
    if rung is not None:
        having.append("MAX(facts.rung) = %s")
        having_params.append(rung)
    sql = (
        "SELECT facts.uid, MAX(facts.rung) AS top, MAX(facts.last_at) AS latest,"  # noqa: S608
        " COUNT(*) OVER () AS total"
        f" FROM ({' UNION ALL '.join(parts)}) AS facts"
        f" WHERE facts.uid IS NOT NULL AND {' AND '.join(where)}"
        f" GROUP BY facts.uid HAVING {' AND '.join(having)}"
        " ORDER BY top DESC, latest DESC, facts.uid"
    )
    return sql, (*params, *where_params, *having_params)


def _ranked_page(
    community_id: int,
    *,
    min_rung: int,
    rung: int | None,
    grid: int | None,
    page: int,
    per_page: int,
) -> tuple[list[int], int, int] | None:
    """``(user ids of the page, page number, total)`` from the database, or None (``_ranked_sql``)."""
    ranked = _ranked_sql(community_id, min_rung=min_rung, rung=rung, grid=grid)
    if ranked is None:
        return None
    sql, params = ranked
    number = max(1, min(page, MAX_PAGE))  # a page past the end is the last one
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s OFFSET %s", (*params, per_page, (number - 1) * per_page))
        rows = cursor.fetchall()
        if rows:
            return [row[0] for row in rows], number, int(rows[0][3])
        if number == 1:
            return [], 1, 0
        # Past the last page: the last page it is.
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS ranked", params)  # noqa: S608
        total = int(cursor.fetchone()[0])
        number = max(1, -(-total // per_page))
        cursor.execute(f"{sql} LIMIT %s OFFSET %s", (*params, per_page, (number - 1) * per_page))
        return [row[0] for row in cursor.fetchall()], number, total


def pipeline(
    community: Any,
    *,
    min_rung: int = ORGANISED,
    rung: int | None = None,
    grid: int | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    today: date | None = None,
) -> PipelinePage:
    """One page of the pipeline (``pipeline_people``) with each person, the qualifications
    they hold today and their open invitations."""
    today = today or timezone.localdate()
    community_id = _pk(community)
    min_rung = max(min_rung, ORGANISED)
    ranked = _ranked_page(
        community_id, min_rung=min_rung, rung=rung, grid=grid, page=page, per_page=per_page
    )
    rows: list[tuple[int, int, datetime, list[Shown]]]
    if ranked is None:
        everyone = pipeline_people(community, min_rung=min_rung, rung=rung, grid=grid)
        total = len(everyone)
        pages = max(1, -(-total // per_page))
        number = min(max(1, page), pages, MAX_PAGE)
        rows = everyone[(number - 1) * per_page : number * per_page]
    else:
        # The page's people only, through the pathway's per-person reads (none of them is at
        # rung 5 or above: those sources need not be read).
        page_ids, number, total = ranked
        shown_by = evidence_of(community_id, page_ids, min_rung=min_rung, max_rung=CHAIRED)
        rows = [
            (user_id, _rung(shown), max(s.last_at for s in shown), shown)
            for user_id in page_ids
            if (shown := shown_by.get(user_id))
        ]
    ids = [row[0] for row in rows]
    users = get_user_model().objects.in_bulk(ids)
    held: dict[int, list[str]] = {}
    invitations: dict[int, list[Invitation]] = {}
    if ids:
        awards = (
            Award.objects.in_community(community)
            .filter(person_id__in=ids, revoked_at__isnull=True, valid_from__lte=today)
            .exclude(valid_until__lt=today)
            .order_by("qualification")
            .values_list("person_id", "qualification")
        )
        for person_id, code in awards:
            codes = held.setdefault(person_id, [])
            if code not in codes:
                codes.append(code)
        for invitation in (
            Invitation.objects.in_community(community)
            .filter(person_id__in=ids, status=InvitationStatus.SENT)
            .order_by("-created_at", "-pk")
        ):
            invitations.setdefault(invitation.person_id, []).append(invitation)
        label_steps(i for found in invitations.values() for i in found)
    candidates = [
        Candidate(
            user=users[user_id],
            rung=top,
            label=RUNG_LABELS[top],
            last_at=last_at,
            evidence=shown,
            qualifications=held.get(user_id, []),
            open_invitations=invitations.get(user_id, []),
        )
        for user_id, top, last_at, shown in rows
        if user_id in users
    ]
    return PipelinePage(candidates=candidates, number=number, per_page=per_page, total=total)
