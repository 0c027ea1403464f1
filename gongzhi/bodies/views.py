"""Bodies pages under /c/<slug>/bodies/: the community's bodies, one body (members today with
their position and how they were chosen, past members, the charter in force and its versions
with what changed, decisions), and the staff forms — one table of steps (who may, the form,
the service), as the hotline's pages do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.bodies import policies, selectors, services
from gongzhi.bodies.forms import (
    AmendForm,
    BodyForm,
    DecisionForm,
    MandateEndForm,
    MandateForm,
    PositionForm,
)
from gongzhi.bodies.models import Body, Mandate
from gongzhi.core.http import posted, request_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get

VIEW = "bodies.view_bodies"


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user, perm=VIEW)


@login_required
@require_GET
def body_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    return render(
        request,
        "bodies/body_list.html",
        {
            "community": community,
            "bodies": selectors.bodies_of(community),
            "can_manage": policies.can_manage(request.user, community),
        },
    )


@login_required
@require_GET
def body_detail(request: HttpRequest, slug: str, body_id: int) -> HttpResponse:
    community = _community(request, slug)
    body = selectors.body_get(community=community, body_id=body_id)
    charter = selectors.charter_in_force(body=body)
    decisions = list(selectors.decisions_of(body).select_related("charter")[:50])
    for decision in decisions:
        decision.kind_label = selectors.kind_label(decision.kind)  # type: ignore[attr-defined]
        if decision.amount_fen is not None:
            decision.amount_yuan = f"{decision.amount_fen / 100:,.2f}"  # type: ignore[attr-defined]
    return render(
        request,
        "bodies/body_detail.html",
        {
            "community": community,
            "body": body,
            "members": selectors.members_of(body),
            "positions": selectors.positions_of(body),
            "charter": charter,
            "powers": selectors.charter_powers(charter) if charter else [],
            "versions": selectors.charter_versions(body),
            "decisions": decisions,
            "can_manage": policies.can_manage(request.user, community),
            "can_record": policies.can_record_decision(request.user, body),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def body_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    if not policies.can_manage(request.user, community):
        raise PermissionDenied
    form = BodyForm(posted(request))
    if form.is_valid():
        try:
            body = services.body_create(
                actor=request_user(request),
                community=community,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                purpose=form.cleaned_data["purpose"],
                charter=form.charter_in(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The body is set up with its charter."))
            return redirect("body_detail", slug=slug, body_id=body.pk)
    return _form_page(request, community, None, form, gettext_lazy("Set up a body"))


def _form_page(
    request: HttpRequest,
    community: Community,
    body: Body | None,
    form: forms.Form,
    title: Any,
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        "bodies/body_form.html",
        {"community": community, "body": body, "form": form, "title": title, **extra},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Steps on one body: who may (checked by the service), the form, the service ---------------


@dataclass(frozen=True)
class Step:
    title: Any
    make_form: Callable[[Body, Any, Any], forms.Form]
    run: Callable[[Any, Body, Any, Any], Any]
    done: Any
    may: Callable[[Any, Body], bool]


def _mandate(body: Body, kwargs: dict[str, Any]) -> Mandate:
    return selectors.mandate_get(body=body, mandate_id=int(kwargs["mandate_id"]))


def _add_position(actor: Any, body: Body, form: Any, _kw: Any) -> Any:
    return services.position_add(actor=actor, body=body, **form.cleaned_data)


def _start_mandate(actor: Any, body: Body, form: Any, _kw: Any) -> Any:
    data = dict(form.cleaned_data)
    return services.mandate_start(actor=actor, **data)


def _end_mandate(actor: Any, body: Body, form: Any, kw: Any) -> Any:
    return services.mandate_end(
        actor=actor, mandate=_mandate(body, kw), reason=form.cleaned_data["reason"]
    )


def _record_decision(actor: Any, body: Body, form: Any, _kw: Any) -> Any:
    return services.decision_record(actor=actor, body=body, **form.decision())


def _amend(actor: Any, body: Body, form: Any, _kw: Any) -> Any:
    return services.charter_amend(
        actor=actor, body=body, charter=form.charter_in(), **form.counts()
    )


def _manages(user: Any, body: Body) -> bool:
    """Staff reach the forms; the service refuses a worker what only those above may do."""
    return policies.can_manage(user, body.community)


STEPS = {
    "position": Step(
        gettext_lazy("Add a position"),
        lambda body, data, kw: PositionForm(data),
        _add_position,
        gettext_lazy("The position is added."),
        _manages,
    ),
    "term": Step(
        gettext_lazy("Record a term of office"),
        lambda body, data, kw: MandateForm(data, body=body),
        _start_mandate,
        gettext_lazy("The term of office is recorded."),
        _manages,
    ),
    "end": Step(
        gettext_lazy("End a term early"),
        lambda body, data, kw: MandateEndForm(data),
        _end_mandate,
        gettext_lazy("The term has ended; its role ends now."),
        _manages,
    ),
    "decision": Step(
        gettext_lazy("Record a decision"),
        lambda body, data, kw: DecisionForm(data),
        _record_decision,
        gettext_lazy("The decision is recorded."),
        policies.can_record_decision,
    ),
    "amend": Step(
        gettext_lazy("Amend the charter"),
        lambda body, data, kw: AmendForm(data, charter=selectors.charter_in_force(body=body)),
        _amend,
        gettext_lazy("The new version of the charter is adopted."),
        policies.can_record_decision,
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def body_step(request: HttpRequest, slug: str, body_id: int, step: str, **kw: Any) -> HttpResponse:
    community = _community(request, slug)
    body = selectors.body_get(community=community, body_id=body_id)
    action = STEPS[step]
    if not action.may(request.user, body):
        raise PermissionDenied
    mandate = _mandate(body, kw) if "mandate_id" in kw else None
    form = action.make_form(body, posted(request), kw)
    if form.is_valid():
        try:
            action.run(request_user(request), body, form, kw)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, str(action.done))
            return redirect("body_detail", slug=slug, body_id=body.pk)
    return _form_page(request, community, body, form, action.title, mandate=mandate)


B = "<int:body_id>/"

urlpatterns = [
    path("", body_list, name="body_list"),
    path("new/", body_create, name="body_create"),
    path(B, body_detail, name="body_detail"),
    path(f"{B}positions/new/", body_step, {"step": "position"}, name="body_position_add"),
    path(f"{B}terms/new/", body_step, {"step": "term"}, name="body_mandate_start"),
    path(f"{B}terms/<int:mandate_id>/end/", body_step, {"step": "end"}, name="body_mandate_end"),
    path(f"{B}decisions/new/", body_step, {"step": "decision"}, name="body_decision_record"),
    path(f"{B}charter/amend/", body_step, {"step": "amend"}, name="body_charter_amend"),
]
