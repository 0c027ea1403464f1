"""Pages of the drafting part, under /c/<slug>/covenants/: the list (in force, being drafted), a
covenant's page (its phases as a timeline, the text, then each other part's section), an article
of the round's current text (each paragraph a tap target that preselects the consultation
forms, no JavaScript), the versions, one version's whole text with where each change came from,
the diff of two versions, and the drafters' forms (a new covenant, the draft, the dates,
abandoning a round, a review)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.bodies.models import Body
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.models import Building, Community
from gongzhi.core.selectors import community_get
from gongzhi.covenants import policies, selectors, services
from gongzhi.covenants import text as covtext
from gongzhi.covenants.forms import AbandonForm, CovenantForm, DatesForm, DiffForm, DraftForm
from gongzhi.covenants.models import Covenant, Round, RoundStatus

#: The other parts' sections on a covenant's page, in order: ``<part>_selectors.detail(covenant,
#: viewer)`` gives ``detail_<part>``, which ``covenants/_detail_<part>.html`` reads.
PARTS = ("consult", "revision", "adoption")


def _part_function(part: str, name: str) -> Callable[..., Any] | None:
    module_name = f"gongzhi.covenants.{part}_selectors"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:
            return None
        raise
    function = getattr(module, name, None)
    return function if callable(function) else None


def _has_template(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def parts_context(covenant: Covenant, viewer: Any) -> tuple[dict[str, Any], list[str]]:
    """``({"detail_<part>": context}, [partials])`` of the parts that have landed."""
    context: dict[str, Any] = {}
    templates: list[str] = []
    for part in PARTS:
        function = _part_function(part, "detail")
        template = f"covenants/_detail_{part}.html"
        if function is None or not _has_template(template):
            continue
        context[f"detail_{part}"] = function(covenant, viewer)
        templates.append(template)
    return context, templates


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user)


def _covenant(request: HttpRequest, slug: str, covenant_id: int) -> Covenant:
    return selectors.covenant_get(
        community=_community(request, slug), user=request.user, covenant_id=covenant_id
    )


def _round(request: HttpRequest, slug: str, round_id: int) -> Round:
    return selectors.round_get(
        community=_community(request, slug), user=request.user, round_id=round_id
    )


def _drafter(request: HttpRequest, obj: Any) -> None:
    """Drafters' pages: anyone else gets the same 404 as for a missing page."""
    if not policies.can_draft(request.user, obj):
        raise Http404


def _draftable_bodies(user: Any, community: Community) -> list[tuple[int, str]]:
    bodies = Body.objects.in_community(community).filter(dissolved_at__isnull=True)
    return [(b.pk, b.name) for b in bodies.order_by("name") if policies.can_draft(user, b)]


def _form_page(
    request: HttpRequest,
    community: Community,
    form: forms.Form,
    title: Any,
    *,
    covenant: Covenant | None = None,
    round: Round | None = None,  # noqa: A002
    button: Any = None,
    template: str = "covenants/round_form.html",
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "community": community,
            "covenant": covenant,
            "round": round,
            "round_phase": selectors.current_phase(round) if round is not None else "",
            "form": form,
            "title": title,
            "button": button or gettext_lazy("Save"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Reading ------------------------------------------------------------------------------------


@require_GET
def covenant_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    lists = selectors.covenant_lists(community=community, user=request.user)
    can_create = request.user.is_authenticated and bool(_draftable_bodies(request.user, community))
    return render(
        request,
        "covenants/list.html",
        {"community": community, "lists": lists, "can_create": can_create},
    )


@require_GET
def covenant_detail(request: HttpRequest, slug: str, covenant_id: int) -> HttpResponse:
    covenant = _covenant(request, slug, covenant_id)
    round_ = selectors.latest_round(covenant)
    parts, templates = parts_context(covenant, request.user)
    current = selectors.round_version(round_) if round_ is not None else None
    can_draft = policies.can_draft(request.user, covenant)
    phase = selectors.current_phase(round_) if round_ is not None else ""
    return render(
        request,
        "covenants/detail.html",
        {
            "community": covenant.community,
            "covenant": covenant,
            "round": round_,
            "phase": phase,
            "timeline": selectors.timeline(round_) if round_ is not None else [],
            "version": current,
            "articles": selectors.numbered(selectors.version_text(current)) if current else [],
            "can_draft": can_draft,
            "can_edit_draft": can_draft and phase == "drafting",
            "can_reschedule": can_draft
            and round_ is not None
            and round_.status == RoundStatus.OPEN,
            "can_review": can_draft
            and covenant.in_force_id is not None
            and (round_ is None or round_.status not in selectors.UNDER_WAY),
            "part_templates": templates,
            **parts,
        },
    )


@require_GET
def article(request: HttpRequest, slug: str, covenant_id: int, key: int) -> HttpResponse:
    covenant = _covenant(request, slug, covenant_id)
    round_ = selectors.latest_round(covenant)
    if round_ is None:
        raise Http404
    round_.covenant = covenant
    round_.community = covenant.community
    page = selectors.article_page(round_, key)
    chosen = request.GET.get("p")
    paragraph_key = int(chosen) if chosen and chosen.isdigit() else None
    context: dict[str, Any] = {
        "community": covenant.community,
        "covenant": covenant,
        "round": round_,
        "phase": selectors.current_phase(round_),
        "page": page,
        "paragraph_key": paragraph_key,
    }
    article_context = _part_function("consult", "article_context")
    if article_context is not None and _has_template("covenants/_article_consult.html"):
        context["consult"] = article_context(
            round_, key, request.user, paragraph_key, request.GET.get("page", 1)
        )
    return render(request, "covenants/article.html", context)


@require_GET
def versions(request: HttpRequest, slug: str, covenant_id: int) -> HttpResponse:
    covenant = _covenant(request, slug, covenant_id)
    listed = selectors.versions_of(covenant)
    return render(
        request,
        "covenants/versions.html",
        {
            "community": covenant.community,
            "covenant": covenant,
            "versions": listed,
            "default_diff": selectors.default_diff_numbers(listed),
        },
    )


@require_GET
def version(request: HttpRequest, slug: str, covenant_id: int, number: int) -> HttpResponse:
    covenant = _covenant(request, slug, covenant_id)
    shown = selectors.version_get(covenant, number)
    text = selectors.version_text(shown)
    return render(
        request,
        "covenants/version.html",
        {
            "community": covenant.community,
            "covenant": covenant,
            "version": shown,
            "preamble": text.preamble,
            "articles": selectors.numbered(text),
            "origins": selectors.origins_of(text, covenant.community_id),
        },
    )


@require_GET
def diff(request: HttpRequest, slug: str, covenant_id: int) -> HttpResponse:
    covenant = _covenant(request, slug, covenant_id)
    listed = selectors.versions_of(covenant)
    numbers = [v.number for v in listed]
    default = selectors.default_diff_numbers(listed)
    initial = {"from": default[0], "to": default[1]} if default else {}
    form = DiffForm(
        request.GET if "from" in request.GET else None, numbers=numbers, initial=initial
    )
    compared = None
    chosen = default
    if form.is_bound:
        chosen = (form.cleaned_data["from"], form.cleaned_data["to"]) if form.is_valid() else None
    if chosen is not None:
        by_number = {v.number: v for v in listed}
        compared = selectors.diff_between(by_number[chosen[0]], by_number[chosen[1]])
    return render(
        request,
        "covenants/diff.html",
        {
            "community": covenant.community,
            "covenant": covenant,
            "form": form,
            "compared": compared,
            "origins": selectors.diff_origins(compared, covenant.community_id) if compared else {},
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Drafting -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def covenant_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    bodies = _draftable_bodies(request.user, community)
    if not bodies:
        raise Http404
    buildings = [(b.pk, b.name) for b in Building.objects.in_community(community).order_by("name")]
    form = CovenantForm(posted(request), bodies=bodies, buildings=buildings)
    if form.is_valid():
        data = form.cleaned_data
        building = (
            Building.objects.in_community(community).get(pk=data["building"])
            if data["building"]
            else None
        )
        try:
            covenant = services.covenant_create(
                actor=request_user(request),
                community=community,
                title=data["title"],
                summary=data["summary"],
                scope=data["scope"],
                building=building,
                drafting_body=Body.objects.in_community(community).get(pk=data["drafting_body"]),
                owners_matter=data["owners_matter"],
                plain_text=data["plain_text"],
                dates=form.dates(),
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The covenant's draft is saved."))
            return redirect("covenants_detail", slug=slug, covenant_id=covenant.pk)
    return _form_page(
        request,
        community,
        form,
        gettext_lazy("Draft a covenant"),
        button=gettext_lazy("Save the draft"),
        template="covenants/create.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_edit(request: HttpRequest, slug: str, covenant_id: int) -> HttpResponse:
    covenant = _covenant(request, slug, covenant_id)
    _drafter(request, covenant)
    round_ = selectors.latest_round(covenant)
    if round_ is None:
        raise Http404
    round_.covenant = covenant
    text = selectors.version_text(round_.draft)
    form = DraftForm(posted(request), initial={"plain_text": covtext.render_plain(text)})
    if form.is_valid():
        try:
            services.draft_replace(
                actor=request_user(request),
                round=round_,
                plain_text=form.cleaned_data["plain_text"],
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("covenants_detail", slug=slug, covenant_id=covenant.pk)
    return render(
        request,
        "covenants/draft_edit.html",
        {
            "community": covenant.community,
            "covenant": covenant,
            "round": round_,
            "phase": selectors.current_phase(round_),
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_schedule(request: HttpRequest, slug: str, round_id: int) -> HttpResponse:
    round_ = _round(request, slug, round_id)
    _drafter(request, round_)
    form = DatesForm.of(round_, posted(request))
    if form.is_valid():
        try:
            services.round_reschedule(actor=request_user(request), round=round_, dates=form.dates())
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The dates are saved."))
            return redirect("covenants_detail", slug=slug, covenant_id=round_.covenant_id)
    return _form_page(
        request,
        round_.covenant.community,
        form,
        gettext_lazy("Change the dates"),
        covenant=round_.covenant,
        round=round_,
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_abandon(request: HttpRequest, slug: str, round_id: int) -> HttpResponse:
    round_ = _round(request, slug, round_id)
    _drafter(request, round_)
    form = AbandonForm(posted(request))
    if form.is_valid():
        try:
            services.round_abandon(
                actor=request_user(request), round=round_, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The round is abandoned."))
            return redirect("covenants_detail", slug=slug, covenant_id=round_.covenant_id)
    return _form_page(
        request,
        round_.covenant.community,
        form,
        gettext_lazy("Abandon this round"),
        covenant=round_.covenant,
        round=round_,
        button=gettext_lazy("Abandon the round"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_start(request: HttpRequest, slug: str, covenant_id: int) -> HttpResponse:
    covenant = _covenant(request, slug, covenant_id)
    _drafter(request, covenant)
    form = DatesForm(posted(request))
    if form.is_valid():
        try:
            services.review_start(
                actor=request_user(request), covenant=covenant, dates=form.dates()
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request, _("The review has started: its draft is a copy of the text in force.")
            )
            return redirect("covenants_detail", slug=slug, covenant_id=covenant.pk)
    return _form_page(
        request,
        covenant.community,
        form,
        gettext_lazy("Start a review"),
        covenant=covenant,
        button=gettext_lazy("Start the review"),
    )


urlpatterns: list[URLPattern] = [
    path("", covenant_list, name="covenants_list"),
    path("new/", covenant_create, name="covenants_create"),
    path("<int:covenant_id>/", covenant_detail, name="covenants_detail"),
    path("<int:covenant_id>/draft/", draft_edit, name="covenants_draft_edit"),
    path("<int:covenant_id>/review/", review_start, name="covenants_review"),
    path("<int:covenant_id>/articles/<int:key>/", article, name="covenants_article"),
    path("<int:covenant_id>/versions/", versions, name="covenants_versions"),
    path("<int:covenant_id>/versions/<int:number>/", version, name="covenants_version"),
    path("<int:covenant_id>/diff/", diff, name="covenants_diff"),
    path("rounds/<int:round_id>/schedule/", round_schedule, name="covenants_round_schedule"),
    path("rounds/<int:round_id>/abandon/", round_abandon, name="covenants_round_abandon"),
]
