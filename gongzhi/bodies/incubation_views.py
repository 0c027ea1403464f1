"""Pages of incubation under /c/<slug>/bodies/organisations/: the community's organisations
by stage and their growth over the years (社区组织), proposing one, an organisation's page, and
its acts (join, mentor, stage, support, annual report) as a table of POST steps."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.bodies import incubation
from gongzhi.bodies.incubation_forms import (
    MentorForm,
    ProposeForm,
    ReportForm,
    StageForm,
    SupportForm,
)
from gongzhi.bodies.models import Incubation
from gongzhi.core.actions import Action, perform
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.selectors import community_get, member_by_phone

VIEW = "bodies.view_organisations"


@login_required
@require_GET
def organisation_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=VIEW)
    return render(
        request,
        "bodies/incubation_list.html",
        {
            "community": community,
            "by_stage": incubation.organisations_by_stage(community),
            "growth": incubation.growth(community),
            "can_propose": rules.has_perm("bodies.propose_organisation", request.user, community),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_propose(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="bodies.propose_organisation")
    form = ProposeForm(posted(request))
    if form.is_valid():
        try:
            proposed = incubation.organisation_propose(
                actor=request_user(request), community=community, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            return redirect("incubation_detail", slug=slug, body_id=proposed.body_id)
    return render(request, "bodies/incubation_propose.html", {"community": community, "form": form})


@login_required
@require_GET
def organisation_detail(request: HttpRequest, slug: str, body_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=VIEW)
    item = incubation.organisation_get(community=community, body_id=body_id)
    user = request.user
    steer = rules.has_perm("bodies.steer_organisation", user, item)
    return render(
        request,
        "bodies/incubation_detail.html",
        {
            "community": community,
            "item": item,
            "founders": incubation.founders_of(item),
            "may_join": item.stage in incubation.FOUNDING_STAGES
            and rules.has_perm("bodies.join_organisation", user, item),
            "may_steer": steer,
            "may_report": item.stage in incubation.REPORTING_STAGES
            and rules.has_perm("bodies.report_organisation", user, item),
            "mentor_form": MentorForm() if steer else None,
            "stage_form": StageForm(stage=item.stage) if steer else None,
            "support_form": SupportForm() if steer else None,
            "report_form": ReportForm(),
        },
    )


def _mentor(user: Any, item: Incubation, data: dict[str, Any]) -> Incubation:
    mentor = member_by_phone(phone=data["phone"], community=item.community)
    return incubation.mentor_assign(actor=user, incubation=item, mentor=mentor)


def _step(act: Any, done: Any, form: Any = None) -> Action[Incubation]:
    return Action(
        act=act,
        done=done,
        form=form,
        perm=VIEW,
        denied=gettext_lazy("You are not allowed to do this for this organisation."),
    )


#: The acts an organisation's page posts; the services check who may and refuse with reasons.
STEPS: dict[str, Action[Incubation]] = {
    "join": _step(
        lambda u, i, d: incubation.founder_join(actor=u, incubation=i),
        gettext_lazy("You are one of the founders now."),
    ),
    "mentor": _step(_mentor, gettext_lazy("The mentor is assigned."), MentorForm),
    "stage": _step(
        lambda u, i, d: incubation.stage_move(
            actor=u, incubation=i, to=d["to"], note=d["note"], filing_number=d["filing_number"]
        ),
        gettext_lazy("The organisation has moved to its new stage."),
        StageForm,
    ),
    "support": _step(
        lambda u, i, d: incubation.support_give(
            actor=u,
            incubation=i,
            kind=d["kind"],
            description=d["description"],
            given_on=d["given_on"],
            amount=d["amount"],
        ),
        gettext_lazy("The support is recorded."),
        SupportForm,
    ),
    "report": _step(
        lambda u, i, d: incubation.report_submit(actor=u, incubation=i, **d),
        gettext_lazy("The annual report is submitted. Thank you."),
        ReportForm,
    ),
}


@login_required
@require_POST
def organisation_act(request: HttpRequest, slug: str, body_id: int, step: str) -> HttpResponse:
    """One act on an organisation (``STEPS[step]``); its outcome is shown on its page."""
    spec = STEPS.get(step)
    community = community_get(slug=slug, user=request.user, perm=VIEW)
    item = incubation.organisation_get(community=community, body_id=body_id)
    back = reverse("incubation_detail", kwargs={"slug": slug, "body_id": body_id})
    if spec is None:
        return redirect(back)
    return perform(request, spec, item, back=back)


urlpatterns: list[URLPattern] = [
    path("organisations/", organisation_list, name="incubation_list"),
    path("organisations/propose/", organisation_propose, name="incubation_propose"),
    path("organisations/<int:body_id>/", organisation_detail, name="incubation_detail"),
    path("organisations/<int:body_id>/<slug:step>/", organisation_act, name="incubation_act"),
]
