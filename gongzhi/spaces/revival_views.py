"""Idle-space revival's pages under /c/<slug>/spaces/idle/: the list (every member may follow
it), one idle space with its consultation, renovation and use against the promise, and the
worker's forms for each step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get
from gongzhi.spaces import revival, revival_selectors
from gongzhi.spaces.models import IdleSpace
from gongzhi.spaces.revival_forms import ConsultForm, DropForm, IdleForm, OpenForm, ProjectForm


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user, perm="spaces.view_spaces")


def _managing(request: HttpRequest, slug: str) -> Community:
    community = _community(request, slug)
    if not rules.has_perm("spaces.manage_spaces", request.user, community):
        raise Http404
    return community


def idle_url(idle: IdleSpace) -> str:
    return reverse("spaces_idle", kwargs={"slug": idle.community.slug, "idle_id": idle.pk})


@require_GET
def idle_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    return render(
        request,
        "spaces/idle_list.html",
        {
            "community": community,
            "idle_spaces": revival_selectors.idle_spaces(community)[:200],
            "opened_area": revival_selectors.opened_area(community),
            "may_manage": rules.has_perm("spaces.manage_spaces", request.user, community),
        },
    )


@require_GET
def idle_detail(request: HttpRequest, slug: str, idle_id: int) -> HttpResponse:
    community = _community(request, slug)
    idle = revival_selectors.idle_get(community, idle_id)
    refusal = revival.opening_refusal(idle)
    return render(
        request,
        "spaces/idle_detail.html",
        {
            "community": community,
            "idle": idle,
            "milestones": list(idle.project.milestones.order_by("due", "pk"))
            if idle.project
            else [],
            "use": revival_selectors.use_against_promise(idle),
            "may_manage": rules.has_perm("spaces.manage_spaces", request.user, community),
            "opening_refusal": error_text(refusal) if refusal is not None else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def idle_new(request: HttpRequest, slug: str) -> HttpResponse:
    community = _managing(request, slug)
    form = IdleForm(posted(request), community=community)
    if form.is_valid():
        try:
            idle = revival.record(
                actor=request_user(request), community=community, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The idle space is recorded."))
            return redirect(idle_url(idle))
    return _form_page(
        request,
        community,
        form,
        gettext_lazy("Record an idle space"),
        reverse("spaces_idle_list", kwargs={"slug": slug}),
    )


def _form_page(
    request: HttpRequest,
    community: Community,
    form: Form | None,
    title: Any,
    back: str,
    *,
    refused: ValidationError | None = None,
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        "spaces/idle_form.html",
        {
            "community": community,
            "form": form,
            "title": title,
            "back": back,
            "refused": error_text(refused) if refused is not None else "",
            **extra,
        },
    )


def _step_view(
    form_class: type[Form],
    title: Any,
    done: Any,
    act: Callable[..., IdleSpace],
    refusal: Callable[[IdleSpace], ValidationError | None] | None = None,
) -> Callable[..., HttpResponse]:
    """A worker's form for one step of an idle space: bind, call the service, report. Where
    ``refusal`` says the step cannot be taken yet, the page says why instead of the form."""

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, slug: str, idle_id: int) -> HttpResponse:
        community = _managing(request, slug)
        idle = revival_selectors.idle_get(community, idle_id)
        refused = refusal(idle) if refusal is not None else None
        if refused is not None:
            return _form_page(
                request, community, None, title, idle_url(idle), idle=idle, refused=refused
            )
        form = (
            form_class(posted(request))
            if form_class is DropForm
            else form_class(posted(request), community=community)  # type: ignore[call-arg]
        )
        if form.is_valid():
            try:
                act(actor=request_user(request), idle=idle, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, str(done))
                return redirect(idle_url(idle))
        return _form_page(request, community, form, title, idle_url(idle), idle=idle)

    return view


idle_consult = _step_view(
    ConsultForm,
    gettext_lazy("Link the consultation on its use"),
    gettext_lazy("The consultation is linked."),
    revival.consult,
)
idle_renovate = _step_view(
    ProjectForm,
    gettext_lazy("Link the renovation project"),
    gettext_lazy("The renovation project is linked."),
    revival.renovate,
)
idle_open = _step_view(
    OpenForm,
    gettext_lazy("Open it as a shared space"),
    gettext_lazy("It is open as a shared space."),
    revival.open_as,
    revival.opening_refusal,
)
idle_drop = _step_view(
    DropForm,
    gettext_lazy("Drop this idle space"),
    gettext_lazy("The idle space is dropped."),
    revival.drop,
)

IDLE = "idle/<int:idle_id>/"

urlpatterns: list[URLPattern] = [
    path("idle/", idle_list, name="spaces_idle_list"),
    path("idle/new/", idle_new, name="spaces_idle_new"),
    path(IDLE, idle_detail, name="spaces_idle"),
    path(f"{IDLE}consult/", idle_consult, name="spaces_idle_consult"),
    path(f"{IDLE}renovate/", idle_renovate, name="spaces_idle_renovate"),
    path(f"{IDLE}open/", idle_open, name="spaces_idle_open"),
    path(f"{IDLE}drop/", idle_drop, name="spaces_idle_drop"),
]
