"""Pages of the hotline (接诉即办), under /c/<slug>/hotline/. Parse, call a service or a selector,
render. Every page works without JavaScript and on a phone-sized screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.models import User
from gongzhi.core.actions import Action, perform
from gongzhi.core.files import serve_upload
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.models import Community
from gongzhi.core.pagination import paginate_by_ids
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.feedback import policies, selectors, services
from gongzhi.feedback.forms import (
    AssignForm,
    CategoryForm,
    DepartmentForm,
    FileForForm,
    HandlerForm,
    MergeForm,
    NoteForm,
    RatingForm,
    ReasonForm,
    RecategoriseForm,
    ResolveForm,
    TicketForm,
)
from gongzhi.feedback.models import Routing, Status, Ticket

PAGE_SIZE = 20


@require_GET
def home(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    user = request.user
    return render(
        request,
        "feedback/home.html",
        {
            "community": community,
            "can_file": rules.has_perm("feedback.file", user, community),
            "can_queue": rules.has_perm("feedback.view_queue", user, community),
            "can_manage": rules.has_perm("feedback.manage", user, community),
            "can_stats": rules.has_perm("feedback.view_stats", user, community),
            "open_public": selectors.public_tickets(community=community)
            .filter(status__in=[Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS])
            .count(),
        },
    )


def _file_page_context(community: Community, user: Any, form: TicketForm, **extra: Any) -> dict:
    return {
        "community": community,
        "form": form,
        "for_form": extra.pop("for_form", None),
        "similar": extra.pop("similar", []),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def file(request: HttpRequest, slug: str) -> HttpResponse:
    """File a ticket. A first POST that resembles an open public ticket nearby shows it ("is this
    the same problem?"): the resident follows it, or files theirs anyway."""
    user = request_user(request)
    community = community_get(slug=slug, user=user)
    can_file_for = rules.has_perm("core.act_on_behalf", user, community)
    if not (rules.has_perm("feedback.file", user, community) or can_file_for):
        raise PermissionDenied(_("Only members of this community can report problems here."))
    form = TicketForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        community=community,
    )
    for_form = FileForForm(posted(request), prefix="for") if can_file_for else None
    similar: list[selectors.Similar] = []
    resident: User | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        raw_phone = request.POST.get("for-phone", "").strip() if can_file_for else ""
        try:
            if raw_phone:
                resident = member_by_phone(phone=raw_phone, community=community)
            if not data["file_anyway"]:
                similar = selectors.similar_tickets(
                    community=community,
                    text=data["text"],
                    building=data["building"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    public_only=not policies.oversee_hotline(user, community),
                )
            if not similar:
                ticket = services.ticket_file(
                    actor=user,
                    community=community,
                    text=data["text"],
                    category=data["category"] or None,
                    building=data["building"],
                    unit=data["unit"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    is_public=data["is_public"],
                    contact=data["contact"],
                    photos=data.get("photos") or [],
                    on_behalf_of=resident,
                )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            if not similar:
                messages.success(
                    request,
                    _("Your report %(ref)s is received. You will be told of every step.")
                    % {"ref": ticket.reference},
                )
                return redirect("hotline_ticket", slug=slug, number=ticket.number)
            # Shown once: the next submission files the ticket.
            resubmitted = request.POST.copy()  # the form's data
            resubmitted["file_anyway"] = "on"
            form.data = resubmitted
            if data.get("photos"):
                messages.info(request, _("Please choose your photos again if you file your own."))
    return render(
        request,
        "feedback/file.html",
        _file_page_context(
            community,
            user,
            form,
            for_form=for_form,
            similar=similar,
            # Filing for a resident: following would make the worker the follower, not them.
            on_behalf=resident is not None,
        ),
    )


@login_required
@require_GET
def mine(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    page = paginate_by_ids(
        selectors.my_tickets(community=community, user=request.user),
        request.GET.get("page"),
        PAGE_SIZE,
    )
    return render(
        request,
        "feedback/list.html",
        {"community": community, "page": page, "heading": _("My reports"), "which": "mine"},
    )


@require_GET
def public(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    status = request.GET.get("status", "")
    page = paginate_by_ids(
        selectors.public_tickets(community=community, status=status),
        request.GET.get("page"),
        PAGE_SIZE,
    )
    return render(
        request,
        "feedback/list.html",
        {
            "community": community,
            "page": page,
            "heading": _("Problems reported in public"),
            "which": "public",
            "statuses": Status.choices,
            "status": status,
        },
    )


@login_required
@require_GET
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="feedback.view_queue")
    name = request.GET.get("q", "open")
    if name not in selectors.QUEUES:
        name = "open"
    page = paginate_by_ids(
        selectors.queue(community=community, user=request.user, name=name),
        request.GET.get("page"),
        PAGE_SIZE,
    )
    return render(
        request,
        "feedback/queue.html",
        {
            "community": community,
            "page": page,
            "queue": name,
            "queues": [
                ("triage", _("Triage")),
                ("unassigned", _("Unassigned")),
                ("mine", _("Mine")),
                ("overdue", _("Overdue")),
                ("open", _("All open")),
                ("all", _("All")),
            ],
            "can_manage": rules.has_perm("feedback.manage", request.user, community),
            "categories": selectors.categories(community=community) if name == "triage" else [],
        },
    )


@require_GET
def ticket(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    item = selectors.ticket_get(community=community, number=number, user=request.user)
    user = request.user
    details = rules.has_perm("feedback.view_details", user, item)
    manage = rules.has_perm("feedback.manage", user, item)
    handle = rules.has_perm("feedback.handle", user, item)
    context: dict[str, Any] = {
        "community": community,
        "ticket": item,
        "details": details,
        "events": selectors.timeline(ticket=item, user=user),
        "photos": selectors.photos_of(ticket=item) if details else [],
        "followers": selectors.follower_count(ticket=item),
        "following": selectors.is_following(ticket=item, user=user),
        "can_follow": item.is_open and rules.has_perm("feedback.follow", user, item),
        "manage": manage,
        "handle": handle,
        "can_rate": rules.has_perm("feedback.rate", user, item),
        "can_reopen": item.status in (Status.RESOLVED, Status.CLOSED)
        and item.duplicate_of_id is None
        and rules.has_perm("feedback.reopen", user, item),
        "rating": getattr(item, "rating", None) if item.status == Status.CLOSED else None,
        "now": item.overdue(),
        "can_view_target": item.duplicate_of is not None
        and rules.has_perm("feedback.view_ticket", user, item.duplicate_of),
    }
    if context["can_rate"]:
        context["rating_form"] = RatingForm()
    if context["can_reopen"]:
        context["reopen_form"] = ReasonForm()
    if handle:
        context["resolve_form"] = ResolveForm()
        context["note_form"] = NoteForm(auto_id="note-%s")
    if manage:
        context["recategorise_form"] = RecategoriseForm(
            community=community, initial={"category": item.category_id}
        )
        context["assign_form"] = AssignForm(
            community=community,
            handlers=selectors.handlers(community=community),
            initial={"department": item.department_id, "assignee": item.assignee_id},
        )
        context["merge_form"] = MergeForm()
        context["close_form"] = NoteForm(auto_id="close-%s")
        if item.is_open:
            context["merge_suggestions"] = selectors.similar_tickets(
                community=community,
                text=item.text,
                building=item.building,
                latitude=item.latitude,
                longitude=item.longitude,
                exclude=item,
            )
    if details and item.routing in (Routing.AUTO, Routing.TRIAGE) and item.predicted_category:
        context["prediction"] = (item.predicted_category, item.confidence)
    return render(request, "feedback/ticket.html", context)


@require_GET
def photo(request: HttpRequest, slug: str, number: int, photo_id: int) -> FileResponse:
    community = community_get(slug=slug, user=request.user)
    item = selectors.ticket_get(
        community=community, number=number, user=request.user, perm="feedback.view_details"
    )
    return serve_upload(selectors.photo_get(ticket=item, photo_id=photo_id))


# --- Steps (POST, then back to the ticket) -----------------------------------------------------


def _assign(user: Any, t: Ticket, d: dict[str, Any]) -> Any:
    assignee = User.objects.filter(pk=int(d["assignee"])).first() if d["assignee"] else None
    return services.ticket_assign(
        actor=user, ticket=t, department=d["department"], assignee=assignee, note=d["note"]
    )


def _merge(user: Any, t: Ticket, d: dict[str, Any]) -> Any:
    target = Ticket.objects.in_community(t.community_id).filter(number=d["into"]).first()
    if target is None:
        raise ValidationError(
            _("There is no ticket #%(n)s in this community.") % {"n": d["into"]},
            code="merge_target",
        )
    return services.ticket_merge(actor=user, ticket=t, into=target)


def _step(
    perm: str,
    form: type[forms.Form] | None,
    act: Callable[[Any, Ticket, dict[str, Any]], Any],
    done: Any,
) -> Action[Ticket]:
    return Action(
        act=act,
        done=done,
        form=form,
        perm=perm,
        denied=gettext_lazy("You are not allowed to do this on the hotline."),
    )


#: Each step a ticket page posts: who may, the form that parses it, the service it calls.
STEPS: dict[str, Action[Ticket]] = {
    "follow": _step(
        "feedback.follow",
        None,
        lambda u, t, d: services.ticket_follow(actor=u, ticket=t),
        gettext_lazy("You follow this problem now: you will be told of every step."),
    ),
    "recategorise": _step(
        "feedback.manage",
        RecategoriseForm,
        lambda u, t, d: services.ticket_recategorise(actor=u, ticket=t, category=d["category"]),
        gettext_lazy("The category is saved. The router learns from it."),
    ),
    "assign": _step(
        "feedback.manage", AssignForm, _assign, gettext_lazy("The ticket is assigned.")
    ),
    "accept": _step(
        "feedback.handle",
        NoteForm,
        lambda u, t, d: services.ticket_accept(actor=u, ticket=t, note=d["note"]),
        gettext_lazy("The ticket is accepted."),
    ),
    "start": _step(
        "feedback.handle",
        NoteForm,
        lambda u, t, d: services.ticket_start(actor=u, ticket=t, note=d["note"]),
        gettext_lazy("Work on the ticket has started."),
    ),
    "resolve": _step(
        "feedback.handle",
        ResolveForm,
        lambda u, t, d: services.ticket_resolve(actor=u, ticket=t, note=d["note"]),
        gettext_lazy("The ticket is resolved. The resident is asked to rate it."),
    ),
    "note": _step(
        "feedback.handle",
        NoteForm,
        lambda u, t, d: services.ticket_note(
            actor=u, ticket=t, note=d["note"], public=d.get("public", False)
        ),
        gettext_lazy("The note is added."),
    ),
    "close": _step(
        "feedback.manage",
        NoteForm,
        lambda u, t, d: services.ticket_close(actor=u, ticket=t, note=d["note"]),
        gettext_lazy("The ticket is closed."),
    ),
    "reopen": _step(
        "feedback.reopen",
        ReasonForm,
        lambda u, t, d: services.ticket_reopen(actor=u, ticket=t, reason=d["reason"]),
        gettext_lazy("The ticket is reopened."),
    ),
    "rate": _step(
        "feedback.rate",
        RatingForm,
        lambda u, t, d: services.ticket_rate(
            actor=u,
            ticket=t,
            solved=d["solved"],
            satisfaction=d["satisfaction"],
            comment=d["comment"],
        ),
        gettext_lazy("Thank you for your rating."),
    ),
    "merge": _step(
        "feedback.manage",
        MergeForm,
        _merge,
        gettext_lazy("The ticket is merged: its reporters follow the other ticket now."),
    ),
}


@login_required
@require_POST
def step(request: HttpRequest, slug: str, number: int, name: str) -> HttpResponse:
    """One step on a ticket (``STEPS[name]``); its outcome is shown on the ticket's page."""
    spec = STEPS[name]
    community = community_get(slug=slug, user=request.user)
    item = selectors.ticket_get(community=community, number=number, user=request.user)
    kwargs: dict[str, Any] = {}
    if spec.form in (RecategoriseForm, AssignForm):
        kwargs["community"] = community
    if spec.form is AssignForm:
        kwargs["handlers"] = selectors.handlers(community=community)
    return perform(
        request,
        spec,
        item,
        back=reverse("hotline_ticket", kwargs={"slug": slug, "number": number}),
        form_kwargs=kwargs,
        extra={"public": request.POST.get("public") == "1"},
    )


# --- Categories and departments (staff) ----------------------------------------------------------


def _settings_page(request: HttpRequest, community: Community, **forms_in: Any) -> HttpResponse:
    forms_out = {
        "category_form": CategoryForm(community=community),
        "department_form": DepartmentForm(),
        "handler_form": HandlerForm(community=community),
        **forms_in,
    }
    return render(
        request,
        "feedback/settings.html",
        {
            "community": community,
            "categories": selectors.categories(community=community, active=False),
            "departments": selectors.departments(community=community),
            "handlers": selectors.handlers(community=community),
            **forms_out,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hotline_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Categories with their deadlines and default departments; departments and handlers."""
    user = request_user(request)
    community = community_get(slug=slug, user=user, perm="feedback.manage")
    if request.method == "GET":
        return _settings_page(request, community)
    what = request.POST.get("what")
    try:
        if what == "category":
            form: forms.BaseForm = CategoryForm(request.POST, community=community)
            if not form.is_valid():
                return _settings_page(request, community, category_form=form)
            data = dict(form.cleaned_data)
            services.category_create(
                actor=user,
                community=community,
                code=data.pop("code"),
                name=data.pop("name"),
                **data,
            )
            messages.success(request, _("The category is added."))
        elif what == "department":
            form = DepartmentForm(request.POST)
            if not form.is_valid():
                return _settings_page(request, community, department_form=form)
            services.department_create(
                actor=user, community=community, name=form.cleaned_data["name"]
            )
            messages.success(request, _("The department is added."))
        elif what in ("handler", "remove_handler"):
            form = HandlerForm(request.POST, community=community)
            if not form.is_valid():
                return _settings_page(request, community, handler_form=form)
            person = member_by_phone(phone=form.cleaned_data["phone"], community=community)
            department = form.cleaned_data["department"]
            if what == "handler":
                services.handler_add(actor=user, department=department, user=person)
                messages.success(request, _("The handler is added."))
            else:
                services.handler_remove(actor=user, department=department, user=person)
                messages.success(request, _("The handler is removed."))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("hotline_settings", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    user = request_user(request)
    community = community_get(slug=slug, user=user, perm="feedback.manage")
    category = selectors.category_get(community=community, code=code)
    form = CategoryForm(posted(request), instance=category, community=community)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "code"}
        try:
            services.category_update(actor=user, category=category, **data)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The category is saved."))
            return redirect("hotline_settings", slug=slug)
    return render(
        request,
        "feedback/category_form.html",
        {"community": community, "form": form, "category": category},
    )
