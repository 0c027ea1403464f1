"""THE access matrix of mediation: every page and every API route of the app × every role.

The routes are enumerated, not listed: every URL pattern of ``gongzhi.mediation.urls`` and every
API operation under ``communities/{slug}/mediation``, so a route added later is in the matrix
without editing this file. Each route's parameters are filled from one real case that has
everything (an open mediator, a refused and a declined one, a session with a scan, a sealed
agreement with signatures, a follow-up, an attachment). A parameter this file does not know
fails the test, naming the route: add it to ``OBJECTS``.

- A route on a case (a parameter names a case or something of it): everyone but the case's
  parties, its open mediator and the committee's head gets a 404 (anonymous: the login page for
  pages, 401 in the API), for GET and POST alike, and exactly what a missing object gets. The
  case's page and its API answer 200 to each of those four.
- A route on no case (the home page, lists, forms, statistics): whatever anyone gets holds
  none of the case's number, texts or parties' names unless they are one of the four.
- The hotline side (``tickets/…``: a worker offers a referral) is about a ticket, not a case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from gongzhi.api import api
from gongzhi.core.models import Role
from gongzhi.mediation import urls
from gongzhi.mediation.models import (
    Agreement,
    Assignment,
    AssignmentEnd,
    Attachment,
    Confirmation,
    ConfirmVia,
    FollowUp,
    MediationCommittee,
    Performance,
    Side,
    Sitting,
)
from tests.conftest import TOTP_SECRET
from tests.factories import member
from tests.mediation.world import case_of, committee_of, mediator_of, party

pytestmark = pytest.mark.django_db

SUMMARY = "MATRIX-SUMMARY 楼上夜里拖动家具"
NOTES = "MATRIX-NOTES 双方到场陈述"
TERMS = "MATRIX-TERMS 晚十点后不拖动家具"
APPLICANT, RESPONDENT = "甲方MATRIX", "乙方MATRIX"
SECRETS = (SUMMARY, NOTES, TERMS, APPLICANT, RESPONDENT)
MISSING = 987654321
#: A route whose path starts so is about a hotline ticket, not a case.
HOTLINE = ("tickets/",)


def full_case(community: Any, worker: Any) -> dict[str, Any]:
    """A case with everything, and one user per role of the matrix."""
    committee = committee_of(community, worker)
    applicant = member(community, display_name=APPLICANT)
    respondent = member(community, display_name=RESPONDENT)
    mediator = mediator_of(community)
    case = case_of(community, applicant, respondent, mediator=mediator, summary=SUMMARY)
    refused, declined = mediator_of(community), mediator_of(community)
    now = timezone.now()
    Assignment.objects.in_community(community).create(
        case=case,
        mediator=refused,
        assigned_by=committee.head,
        ended_at=now,
        end_reason=AssignmentEnd.REFUSED,
        refused_by=party(case),
    )
    Assignment.objects.in_community(community).create(
        case=case,
        mediator=declined,
        assigned_by=committee.head,
        ended_at=now,
        end_reason=AssignmentEnd.CONFLICT,
    )
    sitting = Sitting.objects.in_community(community).create(
        case=case,
        held_at=now - timedelta(days=2),
        place="调解室",
        notes=NOTES,
        scan=ContentFile(b"%PDF-1.4 notes scan", name="scan.pdf"),
        recorded_by=mediator,
    )
    agreement = Agreement.objects.in_community(community).create(
        case=case,
        facts="事实",
        terms=TERMS,
        performance="当面道歉",
        perform_by=timezone.localdate() + timedelta(days=7),
        drafted_by=mediator,
        mediator_signed_at=now,
        mediator_signed_by=mediator,
        sealed_at=now,
        sealed_by=committee.head,
    )
    confirmations = [
        Confirmation.objects.in_community(community).create(
            party=party(case, side),
            agreement=agreement,
            via=ConfirmVia.PAPER,
            scan=ContentFile(b"%PDF-1.4 signature", name="sig.pdf"),
            recorded_by=mediator,
        )
        for side in (Side.APPLICANT, Side.RESPONDENT)
    ]
    follow_up = FollowUp.objects.in_community(community).create(
        case=case,
        visited_on=timezone.localdate(),
        performance=Performance.FULL,
        notes="回访",
        recorded_by=mediator,
    )
    attachment = Attachment.objects.in_community(community).create(
        case=case,
        name="照片.pdf",
        file=ContentFile(b"%PDF-1.4 photo", name="x.pdf"),
        uploaded_by=applicant,
    )
    return {
        "committee": committee,
        "case": case,
        "applicant": applicant,
        "respondent": respondent,
        "mediator": mediator,
        "refused": refused,
        "declined": declined,
        "head": committee.head,
        "objects": {
            "case": case.pk,
            "assignment": case.assignments.get(ended_at__isnull=True).pk,
            "sitting": sitting.pk,
            "agreement": agreement.pk,
            "confirmation": confirmations[0].pk,
            "follow_up": follow_up.pk,
            "attachment": attachment.pk,
            "party": party(case).pk,
        },
    }


#: A route parameter's name (without ``_id``) → the object of the case it names.
OBJECTS = ("case", "assignment", "sitting", "agreement", "confirmation", "follow_up", "attachment")
OBJECTS += ("party",)


@dataclass(frozen=True)
class Route:
    kind: str  # "page" | "api"
    methods: tuple[str, ...]
    path: str  # with {name} placeholders
    params: tuple[str, ...]

    def on_case(self) -> bool:
        return bool(self.params)

    def url(self, values: dict[str, int], slug: str) -> str:
        filled = re.sub(r"\{(\w+)\}", lambda m: str(values[m[1]]), self.path)
        filled = filled.replace("{slug}", slug)
        if self.kind == "page":
            return f"/c/{slug}/mediation/{filled}"
        return f"/api/v1/{filled.replace('__slug__', slug)}"


def _object_of(param: str, path: str) -> str:
    name = param.removesuffix("_id")
    if name not in OBJECTS:
        pytest.fail(f"the matrix does not know what {{{param}}} in {path!r} names: add to OBJECTS")
    return name


PAGE_PREFIX = "c/<slug:slug>/mediation/"
API_PREFIX = "communities/{slug}/mediation/"


def _mediation_view(view: Any) -> bool:
    return str(getattr(view, "__module__", "")).startswith("gongzhi.mediation")


def _walk(patterns: Any, prefix: str = "") -> Any:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def page_patterns() -> list[str]:
    """Every page the project's URL resolver serves from a mediation view (wherever it is
    mounted), as its path under ``/c/<slug>/mediation/``; one mounted elsewhere fails."""
    found = []
    for full, pattern in _walk(get_resolver().url_patterns):
        if not _mediation_view(pattern.callback):
            continue
        if not full.startswith(PAGE_PREFIX):
            pytest.fail(f"a mediation view is served outside /c/<slug>/mediation/: {full!r}")
        found.append(full.removeprefix(PAGE_PREFIX))
    return found


def _page_route(route: str) -> Route:
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    params = tuple(re.findall(r"\{(\w+)\}", path))
    return Route("page", ("GET", "POST"), path, params)


def page_routes() -> list[Route]:
    routes = []
    for route in page_patterns():
        if route.startswith(HOTLINE):
            continue
        made = _page_route(route)
        for param in made.params:
            _object_of(param, route)
        routes.append(made)
    return routes


def _api_operations() -> Any:
    """``(full path, operation)`` of every API operation of a mediation module, wherever its
    path is; one outside ``communities/{slug}/mediation/`` fails."""
    for bound in api._get_bound_routers():
        for path, view in bound.path_operations.items():
            full = "/".join(p.strip("/") for p in (bound.prefix, path) if p.strip("/"))
            for operation in view.operations:
                inside = full.startswith(API_PREFIX)
                if _mediation_view(operation.view_func) and not inside:
                    pytest.fail(f"a mediation API operation outside {API_PREFIX}: {full!r}")
                if inside:
                    yield full, operation


def _api_route(full: str, operation: Any) -> Route:
    full = full.replace("{slug}", "__slug__")
    return Route("api", tuple(operation.methods), full, tuple(re.findall(r"\{(\w+)\}", full)))


def api_routes() -> list[Route]:
    routes = []
    for full, operation in _api_operations():
        if full.removeprefix(API_PREFIX).startswith(HOTLINE):
            continue
        made = _api_route(full, operation)
        for param in made.params:
            _object_of(param, full)
        routes.append(made)
    return routes


def hotline_routes() -> list[Route]:
    """The referral's routes, about a hotline ticket (``{number}``)."""
    pages = [_page_route(r) for r in page_patterns() if r.startswith(HOTLINE)]
    apis = [
        _api_route(full, operation)
        for full, operation in _api_operations()
        if full.removeprefix(API_PREFIX).startswith(HOTLINE)
    ]
    return pages + apis


def test_the_enumeration_finds_the_routes_of_every_part():
    pages, apis = page_routes(), api_routes()
    assert any(r.path == "statistics/" for r in pages)
    assert any(r.path.endswith("mediation/statistics") for r in apis)
    assert all(not r.path.startswith(HOTLINE) for r in pages)
    # Every pattern the app declares is found through the project's resolver.
    assert len(page_patterns()) == len(urls.urlpatterns)
    assert {r.kind for r in hotline_routes()} == {"page", "api"}


@pytest.fixture
def world(community, other_community, worker, supervisor, official, admin_user):
    made = full_case(community, worker)
    elsewhere = member(other_community, Role.COMMUNITY_WORKER)
    TOTP.activate(elsewhere, TOTP_SECRET)  # staff have a second factor, as the fixtures' do
    other_head = committee_of(other_community, elsewhere).head
    roles = {
        "anonymous": None,
        "resident": member(community),
        "unverified": member(community, verified=False),
        "worker": worker,
        "supervisor": supervisor,
        "street official": official,
        "platform admin": admin_user,
        "other community's worker": elsewhere,
        "other community's committee head": other_head,
        "a party": made["applicant"],
        "the other party": made["respondent"],
        "an assigned mediator": made["mediator"],
        "a refused mediator": made["refused"],
        "a declined mediator": made["declined"],
        "the head": made["head"],
        "a mediator not on the case": mediator_of(community),
    }
    assert MediationCommittee.objects.in_community(community).get().head == made["head"]
    return {**made, "roles": roles}


VIEWERS = ("a party", "the other party", "an assigned mediator", "the head")


def _ask(client: Any, route: Route, method: str, url: str) -> Any:
    if method == "GET":
        return client.get(url)
    if route.kind == "api":
        return client.generic(method, url, "{}", content_type="application/json")
    return client.post(url, {})


def _missing(values: dict[str, int]) -> dict[str, int]:
    return {name: MISSING for name in values}


def _values(route: Route, objects: dict[str, int]) -> dict[str, int]:
    return {param: objects[_object_of(param, route.path)] for param in route.params}


def test_every_case_route_is_a_404_for_everyone_but_parties_mediators_and_the_head(
    client, world, community
):
    routes = [r for r in page_routes() + api_routes() if r.on_case()]
    assert routes, "no route on a case: the matrix would check nothing"
    problems: list[str] = []
    for role, user in world["roles"].items():
        if role in VIEWERS:
            continue
        client.logout()
        if user is not None:
            client.force_login(user)
        for route in routes:
            values = _values(route, world["objects"])
            url = route.url(values, community.slug)
            absent = route.url(_missing(values), community.slug)
            for method in route.methods:
                answer = _ask(client, route, method, url)
                status = answer.status_code
                if route.kind == "page" and status == 405:
                    continue  # the method is not served: nothing is looked up
                if role == "anonymous" and route.kind == "page":
                    ok = status == 404 or (status == 302 and "login" in answer["Location"])
                elif role == "anonymous":
                    ok = status == 401
                elif method == "GET" or route.kind == "page":
                    ok = status == 404
                else:
                    # An API body is checked before the handler runs: the answer must be the
                    # missing object's, whatever it is, and never a success.
                    other = _ask(client, route, method, absent)
                    ok = (
                        status == 404
                        or (status < 200 or status >= 300)
                        and (status, answer.content) == (other.status_code, other.content)
                    )
                if not ok:
                    problems.append(f"{role}: {method} {url} -> {status}")
                text = answer.content.decode(errors="replace")
                leaked = [s for s in SECRETS if s in text]
                if leaked:
                    problems.append(f"{role}: {method} {url} shows {leaked}")
    assert problems == [], "\n".join(problems)


def test_the_case_opens_for_its_parties_mediator_and_head(client, world, community):
    case = world["case"]
    problems = []
    for role in VIEWERS:
        client.force_login(world["roles"][role])
        for url in (
            f"/c/{community.slug}/mediation/cases/{case.pk}/",
            f"/api/v1/communities/{community.slug}/mediation/cases/{case.pk}",
        ):
            status = client.get(url).status_code
            if status != 200:
                problems.append(f"{role}: GET {url} -> {status}")
    assert problems == [], "\n".join(problems)


def test_every_get_route_on_a_case_opens_for_someone_on_it(client, world, community):
    """A route on a case that nobody on it can open is a route the matrix proves nothing about:
    its 404s could be the route's own failure."""
    routes = [r for r in page_routes() + api_routes() if r.on_case() and "GET" in r.methods]
    problems = []
    for route in routes:
        url = route.url(_values(route, world["objects"]), community.slug)
        answers = []
        for role in VIEWERS:
            client.force_login(world["roles"][role])
            answers.append(client.get(url).status_code)
        if all(status == 404 for status in answers):
            problems.append(f"GET {url} -> {answers} for {VIEWERS}")
    assert problems == [], "\n".join(problems)


def test_routes_on_no_case_show_nothing_of_it_to_anyone_else(client, world, community):
    routes = [r for r in page_routes() + api_routes() if not r.on_case() and "GET" in r.methods]
    number = world["case"].number
    problems = []
    for role, user in world["roles"].items():
        if role in VIEWERS:
            continue
        client.logout()
        if user is not None:
            client.force_login(user)
        for route in routes:
            url = route.url({}, community.slug)
            answer = client.get(url)
            text = answer.content.decode(errors="replace")
            leaked = [s for s in (*SECRETS, number) if s in text]
            if leaked:
                problems.append(f"{role}: GET {url} ({answer.status_code}) shows {leaked}")
    assert problems == [], "\n".join(problems)


def _login(client: Any, user: Any) -> None:
    client.logout()
    if user is not None:
        client.force_login(user)


def _refused(client: Any, route: Route, method: str, url: str, absent: str, anonymous: bool):
    """``(answer, refused like a missing object?)``."""
    answer = _ask(client, route, method, url)
    status = answer.status_code
    if route.kind == "page" and status == 405:
        return answer, True
    if anonymous:
        if route.kind == "page":
            return answer, status == 404 or (status == 302 and "login" in answer["Location"])
        return answer, status == 401
    if status == 404:
        return answer, True
    other = _ask(client, route, method, absent)
    same = (status, answer.content) == (other.status_code, other.content)
    return answer, route.kind == "api" and method != "GET" and not 200 <= status < 300 and same


def test_a_case_is_not_reached_through_another_community(client, world, community, other_community):
    """IDOR between communities: the case's own ids under another community's address are a
    404 for everyone, its viewers and the other community's head and worker included."""
    routes = [r for r in page_routes() + api_routes() if r.on_case()]
    problems = []
    for role, user in world["roles"].items():
        _login(client, user)
        for route in routes:
            values = _values(route, world["objects"])
            url = route.url(values, other_community.slug)
            absent = route.url(_missing(values), other_community.slug)
            for method in route.methods:
                answer, ok = _refused(client, route, method, url, absent, user is None)
                if not ok:
                    problems.append(f"{role}: {method} {url} -> {answer.status_code}")
                text = answer.content.decode(errors="replace")
                if [s for s in SECRETS if s in text]:
                    problems.append(f"{role}: {method} {url} shows the case")
    assert problems == [], "\n".join(problems)


def test_the_referral_routes_answer_only_the_tickets_handlers_and_reporter(
    client, world, community
):
    """The hotline side: offering mediation on a ticket is its handlers' (``feedback.handle``),
    agreeing to it its reporter's; for anyone else each route is the missing ticket's 404."""
    import rules

    from gongzhi.feedback import services as hotline

    hotline.categories_install_defaults(community=community)
    reporter = world["roles"]["resident"]
    ticket = hotline.ticket_file(
        actor=reporter, community=community, text="楼上漏水", category="neighbour_dispute"
    )
    routes = hotline_routes()
    assert routes
    problems = []
    for role, user in world["roles"].items():
        _login(client, user)
        for route in routes:
            offering = "offer" in route.path
            if user is None:
                allowed = False
            elif offering:
                allowed = rules.has_perm("feedback.handle", user, ticket)
            else:
                allowed = user.pk == reporter.pk
            url = route.url({"number": ticket.number}, community.slug)
            absent = route.url({"number": MISSING}, community.slug)
            for method in route.methods:
                if allowed:
                    continue  # what they may do is the referral tests' (test_intake.py)
                answer, ok = _refused(client, route, method, url, absent, user is None)
                if not ok:
                    problems.append(f"{role}: {method} {url} -> {answer.status_code}")
    assert problems == [], "\n".join(problems)
