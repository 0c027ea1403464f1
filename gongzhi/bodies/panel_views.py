"""Pages of review panels, under /c/<slug>/bodies/panels/: the list, opening a panel,
volunteering (made for a phone), the panel's page with its portfolio, seed, draw, members,
space and assessment, and the files that let anyone repeat the draw."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.bodies import panel_selectors as selectors
from gongzhi.bodies import panels as services
from gongzhi.bodies.models import Panel
from gongzhi.bodies.panel_forms import (
    AnswerForm,
    AssessmentForm,
    DocumentForm,
    InviteForm,
    PanelForm,
    SeedForm,
    VolunteerForm,
)
from gongzhi.core.actions import Action, perform
from gongzhi.core.files import serve_upload
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.policies import membership_in
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.deliberation.urls import discussion_urls
from gongzhi.deliberation.views import discussion_context


def _panel(request: HttpRequest, slug: str, panel_id: int) -> Panel:
    community = community_get(slug=slug, user=request.user)
    return selectors.panel_get(community=community, panel_id=panel_id)


def _url(panel: Panel) -> str:
    return reverse("panel_detail", kwargs={"slug": panel.community.slug, "panel_id": panel.pk})


@require_GET
def panel_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    return render(
        request,
        "bodies/panel_list.html",
        {
            "community": community,
            "panels": selectors.panels_of(community),
            "can_manage": rules.has_perm("bodies.manage_panels", request.user, community),
        },
    )


def _create(actor: Any, community: Any, data: dict[str, Any]) -> Panel:
    return services.panel_create(actor=actor, community=community, **data)


@login_required
@require_http_methods(["GET", "POST"])
def panel_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="bodies.manage_panels")
    form = PanelForm(posted(request), community=community)
    if request.method == "POST" and form.is_valid():
        try:
            panel = _create(request_user(request), community, dict(form.cleaned_data))
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The pool is open: residents are told."))
            return redirect(_url(panel))
    return render(request, "bodies/panel_form.html", {"community": community, "form": form})


def _space(request: HttpRequest, panel: Panel) -> dict[str, Any]:
    """The panel's own space, for those who may read it."""
    user = request.user
    if not rules.has_perm(Panel.VIEW_PERMISSION, user, panel):
        return {"can_view_space": False}
    return {
        "can_view_space": True,
        "documents": selectors.documents_of(panel),
        "can_add_document": rules.has_perm("bodies.add_panel_document", user, panel),
        "document_form": DocumentForm(),
        "can_invite": rules.has_perm("bodies.invite_to_panel", user, panel),
        "invite_form": InviteForm(),
        **discussion_context(request, panel),
    }


@require_GET
def panel_detail(request: HttpRequest, slug: str, panel_id: int) -> HttpResponse:
    panel = _panel(request, slug, panel_id)
    user = request.user
    context = {
        "community": panel.community,
        "panel": panel,
        "quotas": [
            (services.FEATURES[q.feature].label, services.value_label(q.feature, q.value), q)
            for q in selectors.quotas_of(panel)
        ],
        "pool_size": selectors.pool_size(panel),
        "chances": selectors.probabilities(panel),
        "mine": selectors.my_entry(panel, user),
        "members": selectors.members_of(panel),
        "command": selectors.repeat_command(panel) if panel.seed else "",
        "due_on": services.answer_due_on(panel),
        "can_volunteer": rules.has_perm("bodies.volunteer_panel", user, panel),
        "can_close": rules.has_perm("bodies.close_panel_pool", user, panel),
        "can_seed": panel.status == "published"
        and rules.has_perm("bodies.enter_panel_seed", user, panel),
        "seed_form": SeedForm(),
        "can_assess": rules.has_perm("bodies.assess_panel", user, panel),
        "assessment_form": AssessmentForm(),
        "can_answer": rules.has_perm("bodies.answer_panel", user, panel),
        "answer_form": AnswerForm(),
        **_space(request, panel),
    }
    return render(request, "bodies/panel_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def panel_volunteer(request: HttpRequest, slug: str, panel_id: int) -> HttpResponse:
    panel = _panel(request, slug, panel_id)
    membership = membership_in(request.user, panel.community_id)
    grid = services.household_grid(membership) if membership is not None else ""
    form = VolunteerForm(posted(request), panel=panel, grid=grid)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.pool_join(
                actor=request_user(request),
                panel=panel,
                features={name: data.get(name, "") for name in panel.features},
                consent=bool(data.get("consent")),
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(
                request,
                _("You are in the pool. Your pseudonym is %(pseudonym)s.")
                % {"pseudonym": entry.pseudonym},
            )
            return redirect(_url(panel))
    return render(
        request,
        "bodies/panel_volunteer.html",
        {"community": panel.community, "panel": panel, "form": form},
    )


def _invite(user: Any, panel: Panel, data: dict[str, Any]) -> Any:
    phone = data.pop("phone", "")
    invited = member_by_phone(phone=phone, community=panel.community) if phone else None
    return services.member_invite(actor=user, panel=panel, user=invited, **data)


#: The buttons of a panel's page: the form, the service, what to say.
ACTIONS: dict[str, Action[Panel]] = {
    "withdraw": Action(
        act=lambda u, p, d: services.pool_withdraw(actor=u, panel=p),
        done=gettext_lazy("You have left the pool."),
    ),
    "close": Action(
        act=lambda u, p, d: services.pool_close(actor=u, panel=p),
        done=gettext_lazy("The pool is closed and the portfolio of panels is published."),
    ),
    "seed": Action(
        form=SeedForm,
        act=lambda u, p, d: services.seed_enter(actor=u, panel=p, seed=d["seed"]),
        invalid=gettext_lazy("Type the public seed exactly as it was announced."),
        done=gettext_lazy("The seed is entered and the panel is drawn."),
    ),
    "invite": Action(
        form=InviteForm,
        act=_invite,
        done=gettext_lazy("The invited member is on the panel."),
    ),
    "upload": Action(
        form=DocumentForm,
        act=lambda u, p, d: services.document_add(actor=u, panel=p, **d),
        invalid=gettext_lazy("Give a title and choose a file."),
        done=gettext_lazy("The document is added."),
    ),
    "assess": Action(
        form=AssessmentForm,
        act=lambda u, p, d: services.assessment_publish(actor=u, panel=p, text=d["text"]),
        done=gettext_lazy("The assessment is published."),
    ),
    "answer": Action(
        form=AnswerForm,
        act=lambda u, p, d: services.panel_answer(actor=u, panel=p, text=d["text"]),
        done=gettext_lazy("The answer is published."),
    ),
}


@login_required
@require_POST
def panel_act(request: HttpRequest, slug: str, panel_id: int, act: str) -> HttpResponse:
    panel = _panel(request, slug, panel_id)
    return perform(request, ACTIONS[act], panel, back=_url(panel))


def _download(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def panel_portfolio(request: HttpRequest, slug: str, panel_id: int) -> HttpResponse:
    """The exact published bytes: their SHA-256 is the one on the page."""
    panel = _panel(request, slug, panel_id)
    if not panel.portfolio_sha256:
        return redirect(_url(panel))
    content = services.published_bytes(panel)
    return _download(content, f"panel-{panel.pk}-portfolio.json", "application/json")


@require_GET
def panel_pool_csv(request: HttpRequest, slug: str, panel_id: int) -> HttpResponse:
    panel = _panel(request, slug, panel_id)
    if not panel.portfolio_sha256:
        return redirect(_url(panel))
    return _download(selectors.pool_csv(panel), selectors.pool_file(panel), "text/csv")


@require_GET
def panel_quotas_csv(request: HttpRequest, slug: str, panel_id: int) -> HttpResponse:
    panel = _panel(request, slug, panel_id)
    return _download(selectors.quotas_csv(panel), selectors.quotas_file(panel), "text/csv")


@login_required
@require_GET
def panel_document(
    request: HttpRequest, slug: str, panel_id: int, document_id: int
) -> FileResponse:
    community = community_get(slug=slug, user=request.user)
    panel = selectors.panel_space_get(community=community, panel_id=panel_id, viewer=request.user)
    return serve_upload(selectors.document_get(panel, document_id), cache="private, max-age=3600")


def panel_subject(request: HttpRequest, slug: str, panel_id: int) -> Panel:
    """A panel as the subject of its closed discussion (``deliberation.urls.discussion_urls``)."""
    community = community_get(slug=slug, user=request.user)
    return selectors.panel_space_get(community=community, panel_id=panel_id, viewer=request.user)


P = "panels/<int:panel_id>/"
urlpatterns: list[URLPattern] = [
    path("panels/", panel_list, name="panel_list"),
    path("panels/new/", panel_create, name="panel_create"),
    path(P, panel_detail, name="panel_detail"),
    path(f"{P}volunteer/", panel_volunteer, name="panel_volunteer"),
    path(f"{P}portfolio.json", panel_portfolio, name="panel_portfolio"),
    path(f"{P}pool.csv", panel_pool_csv, name="panel_pool_csv"),
    path(f"{P}quotas.csv", panel_quotas_csv, name="panel_quotas_csv"),
    path(f"{P}documents/<int:document_id>/", panel_document, name="panel_document"),
    # panel_withdraw, panel_close, panel_seed, panel_invite, panel_upload, panel_assess,
    # panel_answer
    *(path(f"{P}{act}/", panel_act, {"act": act}, name=f"panel_{act}") for act in ACTIONS),
    *discussion_urls(P, panel_subject, "panel_comment"),
]
