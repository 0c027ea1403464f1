"""Pages of the deliberation hall. Parse, call a service or selector, render."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.models import Building, Grid
from gongzhi.core.pagination import paginate_by_ids
from gongzhi.core.selectors import community_get
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.forms import AnswerForm, CommentForm, ProposalForm
from gongzhi.deliberation.models import Category, Proposal, Status

PAGE_SIZE = 20


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


@require_GET
def proposal_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    order = request.GET.get("order", "new")
    status = request.GET.get("status", "")
    queryset = selectors.proposal_list(
        community=community,
        viewer=request.user,
        status=status,
        order=order,
        mine=request.GET.get("mine") == "1",
    )
    page = paginate_by_ids(queryset, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "deliberation/proposal_list.html",
        {
            "community": community,
            "page": page,
            "order": order,
            "status": status,
            "statuses": [s for s in Status if s not in (Status.DRAFT, Status.WITHDRAWN)],
            "can_create": rules.has_perm("deliberation.create_proposal", request.user, community),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    if not rules.has_perm("deliberation.create_proposal", request.user, community):
        messages.error(request, _("Join this community to raise a proposal."))
        return redirect("community_home", slug=slug)
    categories = list(Category.objects.in_community(community).order_by("name"))
    grids = list(Grid.objects.in_community(community).order_by("name"))
    buildings = list(Building.objects.in_community(community).order_by("name"))
    form = ProposalForm(_posted(request), categories=categories, grids=grids, buildings=buildings)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, _sep, place_id = (data.get("place") or "").partition(":")
        try:
            proposal = services.proposal_create(
                actor=request.user,
                community=community,
                title=data["title"],
                body=data["body"],
                category=next((c for c in categories if str(c.pk) == data["category"]), None),
                scope=data["scope"],
                grid=next((g for g in grids if kind == "grid" and str(g.pk) == place_id), None),
                building=next(
                    (b for b in buildings if kind == "building" and str(b.pk) == place_id), None
                ),
                publish=data["publish"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(
                request,
                _("Your proposal is published.") if data["publish"] else _("Saved as a draft."),
            )
            return redirect("proposal_detail", slug=slug, proposal_id=proposal.pk)
    return render(
        request, "deliberation/proposal_form.html", {"community": community, "form": form}
    )


@require_GET
def proposal_detail(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    proposal = selectors.proposal_get(
        community=community, viewer=request.user, proposal_id=proposal_id
    )
    user = request.user
    return render(
        request,
        "deliberation/proposal_detail.html",
        {
            "community": community,
            "proposal": proposal,
            "events": proposal.events.select_related("actor").all(),
            "threads": selectors.comment_threads(proposal),
            "revisions": proposal.revisions.count(),
            "i_support": selectors.supports(viewer=user, proposal=proposal),
            "can_support": rules.has_perm("deliberation.support_proposal", user, proposal),
            "can_comment": rules.has_perm("deliberation.comment", user, proposal),
            "can_answer": rules.has_perm("deliberation.answer_proposal", user, proposal),
            "comment_form": CommentForm(),
            "answer_form": AnswerForm(),
            "progress": min(100, round(100 * proposal.support_count / proposal.support_threshold))
            if proposal.support_threshold
            else 0,
        },
    )


def _act(request: HttpRequest, slug: str, proposal_id: int) -> tuple[Proposal, str]:
    community = community_get(slug=slug, user=request.user)
    proposal = selectors.proposal_get(
        community=community, viewer=request.user, proposal_id=proposal_id
    )
    return proposal, f"/c/{slug}/proposals/{proposal.pk}/"


@login_required
@require_POST
def proposal_support(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    proposal, back = _act(request, slug, proposal_id)
    try:
        if request.POST.get("withdraw") == "1":
            services.proposal_unsupport(actor=request.user, proposal=proposal)
            messages.success(request, _("Your support is withdrawn."))
        else:
            services.proposal_support(actor=request.user, proposal=proposal)
            messages.success(request, _("Thank you for your support."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect(back)


@login_required
@require_POST
def proposal_follow(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    proposal, back = _act(request, slug, proposal_id)
    services.proposal_follow(
        actor=request.user, proposal=proposal, follow=request.POST.get("follow") != "0"
    )
    return redirect(back)


@login_required
@require_POST
def comment_add(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    proposal, back = _act(request, slug, proposal_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment of at most 2000 characters."))
        return redirect(back)
    parent = None
    if form.cleaned_data.get("parent"):
        parent = proposal.comments.filter(pk=form.cleaned_data["parent"]).first()
        if parent is None:
            raise Http404
    try:
        comment = services.comment_add(
            actor=request.user, proposal=proposal, body=form.cleaned_data["body"], parent=parent
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(back)
    return redirect(f"{back}#comment-{comment.pk}")


@login_required
@require_POST
def proposal_answer(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    proposal, back = _act(request, slug, proposal_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        target = None
        if data.get("merged_into"):
            target = (
                Proposal.objects.in_community(proposal.community_id)
                .filter(pk=data["merged_into"])
                .first()
            )
        try:
            services.proposal_transition(
                actor=request.user,
                proposal=proposal,
                to=data["to"],
                reason=data["reason"],
                merged_into=target,
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("The decision is published on the proposal's timeline."))
    else:
        messages.error(request, _("Choose a decision."))
    return redirect(back)
