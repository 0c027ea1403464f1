"""Mediation's statistics page (/c/<slug>/mediation/statistics/): counts only, suppressed, for the
community's workers, the committee's head and the officials above it; ``?scope=street`` shows
the officials every community of the street together."""

from __future__ import annotations

import rules
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from gongzhi.core.selectors import community_get
from gongzhi.mediation import stats


@login_required
@require_GET
def statistics_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="mediation.view_statistics")
    street_allowed = rules.has_perm("mediation.view_street_statistics", request.user, community)
    scope = request.GET.get("scope", "community")
    if scope == "street":
        if not street_allowed:
            raise Http404
        result = stats.street_statistics(community.street)
    else:
        scope = "community"
        result = stats.community_statistics(community)
    return render(
        request,
        "mediation/stats.html",
        {
            "community": community,
            "result": result,
            "scope": scope,
            "street_allowed": street_allowed,
        },
    )


urlpatterns: list[URLPattern] = [
    path("statistics/", statistics_page, name="mediation_statistics"),
]
