"""Pages of how leadership spreads, under /c/<slug>/learning/: my invitation link, the public
landing page a neighbour opens from it (log in or sign up, then join), a newcomer naming who
brought them in, and the spread stats for staff."""

from __future__ import annotations

from urllib.parse import urlencode

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get
from gongzhi.learning import spread_selectors as selectors
from gongzhi.learning import spread_services as services
from gongzhi.learning.spread_forms import RecruitedByForm


def _community(request: HttpRequest, slug: str, perm: str = "core.view_community") -> Community:
    return community_get(slug=slug, user=request.user, perm=perm)


@login_required
@require_GET
def invite_link(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug, "learning.make_invite_link")
    user = request_user(request)
    link = selectors.live_link(community, user)
    url = (
        request.build_absolute_uri(reverse("learning_join", args=[community.slug, link.token]))
        if link
        else ""
    )
    return render(
        request,
        "learning/invite_link.html",
        {
            "community": community,
            "link": link,
            "url": url,
            "brought_in": selectors.joined_through(community, user),
        },
    )


@login_required
@require_POST
def invite_link_make(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug, "learning.make_invite_link")
    _link, made = services.invite_link_make(actor=request_user(request), community=community)
    if made:
        messages.success(request, _("Your invitation link is ready: share it with a neighbour."))
    return redirect("learning_invite", slug=community.slug)


@login_required
@require_POST
def invite_link_revoke(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug, "learning.make_invite_link")
    try:
        services.invite_link_revoke(actor=request_user(request), community=community)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Your invitation link is stopped: it lets nobody in now."))
    return redirect("learning_invite", slug=community.slug)


def _login_url(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': request.path})}"


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """Public: what the community is and who invites; log in or sign up (and come back here
    through ``next``), then join."""
    community = _community(request, slug)
    link = selectors.link_get(community, token)
    if link is None:
        raise Http404
    user = request.user
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(_login_url("account_login", request))
        try:
            services.join_by_link(actor=request_user(request), community=community, token=token)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect("learning_join", slug=community.slug, token=token)
        messages.success(
            request,
            _("Welcome to %(community)s. %(person)s will be glad you came.")
            % {"community": community.name, "person": str(link.owner)},
        )
        return redirect("community_home", slug=community.slug)
    # is_member is make_invite_link's rule: a member already has nothing to join
    is_member = bool(rules.has_perm("learning.make_invite_link", user, community))
    return render(
        request,
        "learning/join_landing.html",
        {
            "community": community,
            "inviter": link.owner,
            "own": user.is_authenticated and link.owner_id == user.pk,
            "is_member": is_member,
            "login_url": _login_url("account_login", request),
            "signup_url": _login_url("account_signup", request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recruited_by(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug, "learning.name_recruiter")
    user = request_user(request)
    form = RecruitedByForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.recruited_by_record(
                actor=user, community=community, phone=form.cleaned_data["phone"]
            )
        except ValidationError as exc:
            form.add_error("phone", error_text(exc))
        else:
            messages.success(request, _("Thank you: we noted who brought you in."))
            return redirect("learning_recruited_by", slug=community.slug)
    tie = services.recruiter_of(community, user)
    return render(
        request,
        "learning/spread_recruited_by.html",
        {
            "community": community,
            "form": form,
            "recruiter": tie.source if tie is not None else None,
            "may_name": tie is None and selectors.may_name(community, user),
            "days": services.NEWCOMER_DAYS,
        },
    )


@require_GET
def spread_stats(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug, "learning.view_spread")
    stats = selectors.spread_stats(community)
    return render(
        request,
        "learning/spread_stats.html",
        {
            "community": community,
            "stats": stats,
            "shared_percent": 100 * stats.concentration.shared_share,
            "top5_percent": 100 * stats.concentration.top5_share,
        },
    )


urlpatterns: list[URLPattern | URLResolver] = [
    path("invite/", invite_link, name="learning_invite"),
    path("invite/make/", invite_link_make, name="learning_invite_make"),
    path("invite/stop/", invite_link_revoke, name="learning_invite_revoke"),
    path("join/<str:token>/", join, name="learning_join"),
    path("recruited-by/", recruited_by, name="learning_recruited_by"),
    path("spread/", spread_stats, name="learning_spread"),
]
