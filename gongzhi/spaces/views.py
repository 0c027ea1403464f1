"""Spaces' core pages under /c/<slug>/spaces/: the home page (the catalogue and each part's
section) and "my bookings" (mine and each part's section).

The parts' sections come from their selectors, as in learning: ``<part>_selectors.hub(community,
viewer)`` and ``.mine(community, user)`` give the context their partials
``spaces/_hub_<part>.html`` and ``spaces/_mine_<part>.html`` read as ``hub_<part>`` /
``mine_<part>``. A part that has not landed yet is skipped."""

from __future__ import annotations

import importlib
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from gongzhi.core.http import request_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get
from gongzhi.spaces import selectors

#: the parts whose sections the home page and "my bookings" gather, in order
PARTS = ("booking", "series", "lending", "revival")


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user, perm="spaces.view_spaces")


def parts_context(kind: str, community: Community, user: Any) -> tuple[dict, list[str]]:
    context: dict[str, Any] = {}
    templates: list[str] = []
    for part in PARTS:
        try:
            module = importlib.import_module(f"gongzhi.spaces.{part}_selectors")
        except ModuleNotFoundError:
            continue
        build = getattr(module, kind, None)
        template = f"spaces/_{kind}_{part}.html"
        if build is None:
            continue
        try:
            get_template(template)
        except TemplateDoesNotExist:
            continue
        context[f"{kind}_{part}"] = build(community, user)
        templates.append(template)
    return context, templates


@require_GET
def home(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    parts, templates = parts_context("hub", community, request.user)
    return render(
        request,
        "spaces/home.html",
        {
            "community": community,
            "spaces": selectors.catalogue(community, request.user),
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
        "spaces/mine.html",
        {
            "community": community,
            "bookings": selectors.my_bookings(community, user),
            "mine_templates": templates,
            **parts,
        },
    )


urlpatterns: list[URLPattern] = [
    path("", home, name="spaces_home"),
    path("mine/", mine, name="spaces_mine"),
]
