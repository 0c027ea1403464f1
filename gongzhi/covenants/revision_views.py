"""Pages of the revision part, under /c/<slug>/covenants/: a round's revision (every amendment
by article, with its supporters and the drafting body's decision; closed article-by-article
votes are settled on reading), the body's decision on one amendment, sending contested
amendments to votes, and consolidating the text. A round or amendment the visitor may not read
answers 404, as a missing one; the forms are for those who act for the drafting body."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.selectors import community_get
from gongzhi.covenants import revision_selectors as selectors
from gongzhi.covenants import revision_services as services
from gongzhi.covenants.models import Amendment, AmendmentStatus, Round
from gongzhi.covenants.revision_forms import DecideForm, ToVoteForm
from gongzhi.covenants.selectors import round_get


def _round(request: HttpRequest, slug: str, round_id: int) -> Round:
    community = community_get(slug=slug, user=request.user)
    return round_get(community=community, user=request.user, round_id=round_id)


def _allowed(request: HttpRequest, perm: str, obj: Any) -> None:
    if not rules.has_perm(perm, request.user, obj):
        raise Http404


@require_GET
def revision(request: HttpRequest, slug: str, round_id: int) -> HttpResponse:
    """Every amendment of the round by article, the decisions, and the body's actions."""
    round_ = _round(request, slug, round_id)
    services.votes_settle(round_)
    return render(
        request,
        "covenants/revision.html",
        {
            "community": round_.covenant.community,
            "covenant": round_.covenant,
            "round": round_,
            "revision": selectors.revision_of(round_, request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, slug: str, amendment_id: int) -> HttpResponse:
    """The drafting body's decision on one amendment, with its reason and vote."""
    community = community_get(slug=slug, user=request.user)
    amendment = selectors.amendment_get(
        community=community, user=request.user, amendment_id=amendment_id
    )
    round_ = amendment.round
    _allowed(request, "covenants.decide_amendments", round_)
    form = DecideForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            decided = services.amendment_decide(
                actor=request_user(request), amendment=amendment, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            if decided.status == AmendmentStatus.ACCEPTED:
                messages.success(request, _("The amendment is accepted."))
            else:
                messages.success(request, _("The amendment is rejected."))
            return redirect("covenants_revision", slug=slug, round_id=round_.pk)
    return render(
        request,
        "covenants/decide_form.html",
        {
            "community": community,
            "covenant": round_.covenant,
            "round": round_,
            "amendment": amendment,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def to_vote(request: HttpRequest, slug: str, round_id: int) -> HttpResponse:
    """Put contested amendments to article-by-article votes (a worker acting for the body)."""
    round_ = _round(request, slug, round_id)
    _allowed(request, "covenants.send_to_vote", round_)
    proposed = list(
        Amendment.objects.in_community(round_.community_id)
        .filter(round=round_, status=AmendmentStatus.PROPOSED)
        .order_by("number")
    )
    form = ToVoteForm(posted(request), amendments=proposed)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.amendments_to_vote(
                actor=request_user(request),
                round=round_,
                amendment_ids=data["amendments"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The amendments are put to votes."))
            return redirect("covenants_revision", slug=slug, round_id=round_.pk)
    return render(
        request,
        "covenants/to_vote_form.html",
        {
            "community": round_.covenant.community,
            "covenant": round_.covenant,
            "round": round_,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def consolidate(request: HttpRequest, slug: str, round_id: int) -> HttpResponse:
    """Consolidate the round's text from the accepted amendments."""
    round_ = _round(request, slug, round_id)
    _allowed(request, "covenants.decide_amendments", round_)
    try:
        version = services.consolidate(actor=request_user(request), round=round_)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect("covenants_revision", slug=slug, round_id=round_.pk)
    messages.success(request, _("The text is consolidated from the accepted amendments."))
    return redirect(
        "covenants_version", slug=slug, covenant_id=round_.covenant_id, number=version.number
    )


urlpatterns: list[URLPattern] = [
    path("rounds/<int:round_id>/revision/", revision, name="covenants_revision"),
    path("revision/amendments/<int:amendment_id>/", decide, name="covenants_decide"),
    path("rounds/<int:round_id>/to-vote/", to_vote, name="covenants_to_vote"),
    path("rounds/<int:round_id>/consolidate/", consolidate, name="covenants_consolidate"),
]
