"""Learning's core pages under /c/<slug>/learning/: the home page (open courses by topic and each
part's section), "my learning" (my enrolments and each part's section), and the courses: a
course's page, proposing and changing one, its sessions, trainers, materials and enrolled list.

The parts' sections come from their selectors: ``<part>_selectors.hub(community, viewer)`` and
``.mine(community, user)`` give the context their partials ``learning/_hub_<part>.html`` and
``learning/_mine_<part>.html`` read as ``hub_<part>`` / ``mine_<part>``. A part that has not
landed yet (no selector function or no partial) is skipped."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import rules
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from gongzhi.core.http import request_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get
from gongzhi.learning import selectors

#: The other parts' sections on the learning home and on "my learning", in order.
PARTS = ("attendance", "award", "requirement", "ladder", "spread")


def _part_function(part: str, name: str) -> Callable[..., Any] | None:
    try:
        module = importlib.import_module(f"gongzhi.learning.{part}_selectors")
    except ModuleNotFoundError as error:
        if error.name == f"gongzhi.learning.{part}_selectors":
            return None
        raise
    function = getattr(module, name, None)
    return function if callable(function) else None


def _has_template(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def parts_context(kind: str, *args: Any) -> tuple[dict[str, Any], list[str]]:
    """``({"<kind>_<part>": context}, [partial templates])`` of the parts that have landed."""
    context: dict[str, Any] = {}
    templates: list[str] = []
    for part in PARTS:
        function = _part_function(part, kind)
        template = f"learning/_{kind}_{part}.html"
        if function is None or not _has_template(template):
            continue
        context[f"{kind}_{part}"] = function(*args)
        templates.append(template)
    return context, templates


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user)


def _can(request: HttpRequest, perm: str, obj: Any) -> bool:
    return bool(rules.has_perm(f"learning.{perm}", request.user, obj))


def _staff(request: HttpRequest, slug: str) -> Community:
    community = _community(request, slug)
    if not _can(request, "manage", community):
        raise Http404
    return community


@require_GET
def home(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    parts, templates = parts_context("hub", community, request.user)
    return render(
        request,
        "learning/home.html",
        {
            "community": community,
            "hub": selectors.hub(community, request.user),
            "hub_templates": templates,
            **parts,
        },
    )


@login_required
@require_GET
def mine(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    parts, templates = parts_context("mine", community, user)
    return render(
        request,
        "learning/mine.html",
        {
            "community": community,
            "mine": selectors.mine(community, user),
            "mine_templates": templates,
            **parts,
        },
    )


@require_GET
def course_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    return render(
        request,
        "learning/course_list.html",
        {
            "community": community,
            "courses": selectors.course_list(community, request.user).select_related(None)[:200],
        },
    )


@require_GET
def course_detail(request: HttpRequest, slug: str, course_id: int) -> HttpResponse:
    community = _community(request, slug)
    course = selectors.course_get(community=community, user=request.user, course_id=course_id)
    enrolment = selectors.enrolment_of(course, request.user)
    return render(
        request,
        "learning/course_detail.html",
        {
            "community": community,
            "course": course,
            "sessions": selectors.sessions_of(course),
            "trainers": selectors.trainers_of(course),
            "materials": selectors.materials_of(course),
            "places_left": selectors.places_left(course),
            "enrolment": enrolment,
            "waiting_position": selectors.waiting_position(enrolment),
            "can_run": _can(request, "run_course", course),
            "can_edit": _can(request, "edit_course", course),
            "can_manage": _can(request, "manage", community),
            "can_enrol": _can(request, "enrol", community),
        },
    )


C = "courses/<int:course_id>/"

urlpatterns: list[URLPattern] = [
    path("", home, name="learning_home"),
    path("me/", mine, name="learning_me"),
    path("courses/", course_list, name="learning_courses"),
    path(C, course_detail, name="learning_course"),
]
