"""Pages of the leadership ladder, under /c/<slug>/learning/: my pathway (the six steps, where I
am, my evidence, next steps, the pipeline switch), the workers' pipeline with its filter and the
invitation form, and an invitation's page (accept, decline, withdraw: one table of actions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.leadership import RUNG_LABELS, step_registry
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get
from gongzhi.learning import ladder_selectors as selectors
from gongzhi.learning import ladder_services as services
from gongzhi.learning import pathway as pathways
from gongzhi.learning.ladder_forms import InviteForm, PipelineFilterForm
from gongzhi.learning.models import Invitation


def _community(request: HttpRequest, slug: str, perm: str = "core.view_community") -> Community:
    return community_get(slug=slug, user=request.user, perm=perm)


@login_required
@require_GET
def pathway_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug, "learning.view_pathway")
    path_ = pathways.pathway(community, request_user(request))
    return render(
        request,
        "learning/pathway.html",
        {
            "community": community,
            "pathway": path_,
            # the top rung first: a ladder is climbed upwards
            "rungs": list(reversed(path_.rungs)),
        },
    )


@login_required
@require_POST
def pathway_choice(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug, "learning.pipeline_choice")
    listed = request.POST.get("listed") == "1"
    services.pipeline_choice(actor=request_user(request), community=community, listed=listed)
    if listed:
        messages.success(request, _("Workers may now invite you to lead."))
    else:
        messages.success(request, _("You are off the list: workers will not invite you to lead."))
    return redirect("learning_pathway", slug=community.slug)


@login_required
@require_GET
def pipeline_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug, "learning.view_pipeline")
    form = PipelineFilterForm(request.GET or None, grids=selectors.grid_choices(community))
    filters: dict[str, Any] = {}
    number = 1
    if form.is_bound and form.is_valid():
        filters = {"rung": form.cleaned_data["rung"], "grid": form.cleaned_data["grid"]}
        number = form.cleaned_data["page"] or 1
    page = pathways.pipeline(community, page=number, **filters)
    query = {k: v for k, v in filters.items() if v is not None}

    def page_url(number: int) -> str:
        return "?" + urlencode({**query, "page": number})

    return render(
        request,
        "learning/pipeline.html",
        {
            "community": community,
            "form": form,
            "page": page,
            "previous_url": page_url(page.number - 1) if page.has_previous else "",
            "next_url": page_url(page.number + 1) if page.has_next else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_new(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    community = _community(request, slug, "learning.invite")
    person = selectors.member_get(community=community, user_id=user_id)
    rung = pathways.rung_of(community, person)
    form = InviteForm(
        posted(request),
        steps=selectors.step_choices(),
        initial={"step": selectors.first_step_above(rung)},
    )
    if form.is_bound and form.is_valid():
        try:
            invitation = services.invitation_send(
                actor=request_user(request),
                community=community,
                person=person,
                step=form.cleaned_data["step"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The invitation is sent."))
            return redirect("learning_invitation", slug=community.slug, invitation_id=invitation.pk)
    return render(
        request,
        "learning/invitation_form.html",
        {
            "community": community,
            "person": person,
            "rung": rung,
            "rung_label": RUNG_LABELS[rung],
            "opted_out": services.opted_out(community, person),
            "form": form,
        },
    )


@login_required
@require_GET
def invitation_page(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    invitation = selectors.invitation_get(
        community=community, user=user, invitation_id=invitation_id
    )
    step_url = ""
    step = step_registry().get(invitation.step)
    if step is not None:
        step_url = pathways.step_url(step, community.slug)
    return render(
        request,
        "learning/invitation_detail.html",
        {
            "community": community,
            "invitation": invitation,
            "step_label": services.step_label(invitation.step),
            "step_url": step_url,
            "is_invited": invitation.person_id == user.pk,
            "actions": [name for name, act in ACTIONS.items() if act.allowed(user, invitation)],
        },
    )


class _Action:
    def __init__(
        self, perm: str, run: Callable[[Any, Invitation], Invitation], done: Callable[[], str]
    ) -> None:
        self.perm, self.run, self.done = perm, run, done

    def allowed(self, user: Any, invitation: Invitation) -> bool:
        from rules import has_perm

        return invitation.status == "sent" and bool(has_perm(self.perm, user, invitation))


#: What a person may do with an invitation: who may, the service, what they are told.
ACTIONS: dict[str, _Action] = {
    "accept": _Action(
        "learning.answer_invitation",
        lambda actor, inv: services.invitation_answer(actor=actor, invitation=inv, accept=True),
        lambda: _("Thank you! The invitation is accepted: the page below is where to start."),
    ),
    "decline": _Action(
        "learning.answer_invitation",
        lambda actor, inv: services.invitation_answer(actor=actor, invitation=inv, accept=False),
        lambda: _("The invitation is declined. Thank you for answering."),
    ),
    "withdraw": _Action(
        "learning.withdraw_invitation",
        lambda actor, inv: services.invitation_withdraw(actor=actor, invitation=inv),
        lambda: _("The invitation is withdrawn."),
    ),
}


@login_required
@require_POST
def invitation_act(
    request: HttpRequest, slug: str, invitation_id: int, action: str
) -> HttpResponse:
    act = ACTIONS.get(action)
    if act is None:
        raise Http404
    community = _community(request, slug)
    user = request_user(request)
    invitation = selectors.invitation_get(
        community=community, user=user, invitation_id=invitation_id
    )
    try:
        act.run(user, invitation)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, act.done())
    return redirect("learning_invitation", slug=community.slug, invitation_id=invitation.pk)


urlpatterns: list[URLPattern | URLResolver] = [
    path("pathway/", pathway_page, name="learning_pathway"),
    path("pathway/choice/", pathway_choice, name="learning_pipeline_choice"),
    path("pipeline/", pipeline_page, name="learning_pipeline"),
    path("pipeline/<int:user_id>/invite/", invitation_new, name="learning_invitation_new"),
    path("invitations/<int:invitation_id>/", invitation_page, name="learning_invitation"),
    path(
        "invitations/<int:invitation_id>/<slug:action>/",
        invitation_act,
        name="learning_invitation_act",
    ),
]
