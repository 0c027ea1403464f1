"""Pages of the cases part, under /c/<slug>/mediation/: home (my cases as a party, a mediator or
the committee's head; apply; for workers, register a walk-in and the committee), the case list,
one case (its header, then the proceedings part's section), the forms (apply, register a
walk-in, name the committee, accept a case, add a mediator), the parties' and mediators'
one-button answers, and the hotline's referral (offer, the reporter's consent).

A case answers 404 to everyone but its parties, its open mediators and the committee's head,
on every page and every POST: a forbidden case looks exactly like a missing one. A worker who
registers a walk-in lands on a page that says it was handed to the committee, with nothing of
its content."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.bodies.models import Body, BodyKind
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.mediation import selectors, services
from gongzhi.mediation.forms import (
    AcceptForm,
    ApplyForm,
    AssignForm,
    CommitteeForm,
    ReferralForm,
    RegisterForm,
)
from gongzhi.mediation.models import CONCLUDED, Case, CaseStatus, Party

PROCEEDINGS_TEMPLATE = "mediation/_case_proceedings.html"


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user)


def _case(request: HttpRequest, slug: str, case_id: int) -> Case:
    return selectors.case_get(
        community=_community(request, slug), user=request.user, case_id=case_id
    )


def _to_case(case: Case) -> HttpResponse:
    return redirect("mediation_case", slug=case.community.slug, case_id=case.pk)


def _proceedings(case: Case, user: Any) -> dict[str, Any]:
    """The proceedings part's section: its template if it exists, and the keys its
    ``proceeding_views.page_context(case, user)`` gives, if it has one."""
    try:
        get_template(PROCEEDINGS_TEMPLATE)
    except TemplateDoesNotExist:
        return {}
    context: dict[str, Any] = {"proceedings_template": PROCEEDINGS_TEMPLATE}
    try:
        module = importlib.import_module("gongzhi.mediation.proceeding_views")
    except ImportError:  # pragma: no cover - the part is always there
        return context
    page_context = getattr(module, "page_context", None)
    if page_context is not None:
        context.update(page_context(case, user))
    return context


@login_required
@require_GET
def home(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    user = request.user
    cases = selectors.case_list(community=community, user=user)
    return render(
        request,
        "mediation/home.html",
        {
            "community": community,
            "open_cases": list(cases.exclude(status__in=[s.value for s in CONCLUDED])[:50]),
            "concluded_count": cases.filter(status__in=[s.value for s in CONCLUDED]).count(),
            "committee": selectors.committee_of(community),
            "is_head": selectors.head_id(community.pk) == user.pk,
            "can_apply": rules.has_perm("mediation.apply", user, community),
            "can_register": rules.has_perm("mediation.register_case", user, community),
            "can_manage": rules.has_perm("mediation.manage_committee", user, community),
            "can_see_statistics": rules.has_perm("mediation.view_statistics", user, community),
        },
    )


@login_required
@require_GET
def case_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    status = request.GET.get("status", "open")
    if status not in ("open", "concluded", "all"):
        status = "open"
    cases = selectors.case_list(
        community=community, user=request.user, status="" if status == "all" else status
    )
    return render(
        request,
        "mediation/case_list.html",
        {
            "community": community,
            "cases": list(cases[:200]),
            "status": status,
            "filters": [
                ("open", _("Open")),
                ("concluded", _("Concluded")),
                ("all", _("All")),
            ],
        },
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    case = _case(request, slug, case_id)
    user = request.user
    roles = selectors.roles_on(case, user)
    parties = selectors.parties_of(case)
    assignments = selectors.assignments_of(case)
    own = next((p for p in parties if p.person_id == user.pk), None)
    is_open = case.status not in CONCLUDED
    context: dict[str, Any] = {
        "community": case.community,
        "case": case,
        "roles": roles,
        "parties": parties,
        "own_party": own,
        "open_assignments": [a for a in assignments if a.ended_at is None],
        "ended_assignments": [a for a in assignments if a.ended_at is not None]
        if roles.head
        else [],
        "is_open": is_open,
        "can_answer": is_open and own is not None and own.consented_at is None,
        "can_refuse_mediators": is_open and own is not None,
        "record_for": [
            p
            for p in parties
            if p.person_id is None and p.consented_at is None and p.refused_at is None
        ]
        if is_open and (roles.head or roles.mediator)
        else [],
        "can_accept": roles.head and case.status == CaseStatus.APPLIED,
        "can_assign": roles.head and case.status == CaseStatus.ACCEPTED,
    }
    context.update(_proceedings(case, user))
    return render(request, "mediation/case_detail.html", context)


def _form_page(
    request: HttpRequest,
    template: str,
    community: Community,
    form: forms.Form,
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        template,
        {"community": community, "form": form, **extra},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    if not rules.has_perm("mediation.apply", request.user, community):
        raise PermissionDenied
    form = ApplyForm(posted(request))
    if form.is_valid():
        try:
            case = services.case_apply(
                actor=request_user(request), community=community, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request,
                _("Your application is with the mediation committee. You will hear from it."),
            )
            return _to_case(case)
    return _form_page(
        request,
        "mediation/apply.html",
        community,
        form,
        committee=selectors.committee_of(community),
    )


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    if not rules.has_perm("mediation.register_case", request.user, community):
        raise PermissionDenied
    form = RegisterForm(posted(request))
    if form.is_valid():
        try:
            services.case_register(
                actor=request_user(request), community=community, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            # No case id in the redirect: the worker may not open it.
            return redirect("mediation_registered", slug=slug)
    return _form_page(request, "mediation/register.html", community, form)


@login_required
@require_GET
def registered(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    if not rules.has_perm("mediation.register_case", request.user, community):
        raise PermissionDenied
    return render(request, "mediation/register.html", {"community": community, "done": True})


def _committee_bodies(community: Community) -> list[tuple[int, str]]:
    bodies = Body.objects.in_community(community).filter(
        kind=BodyKind.MEDIATION_COMMITTEE, dissolved_at__isnull=True
    )
    return [(b.pk, b.name) for b in bodies.order_by("name")]


@login_required
@require_http_methods(["GET", "POST"])
def committee(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    user = request.user
    if not rules.has_perm("mediation.view_committee", user, community):
        raise PermissionDenied
    current = selectors.committee_of(community)
    can_manage = rules.has_perm("mediation.manage_committee", user, community)
    form = None
    if can_manage:
        initial = (
            {"body": current.body_id, "retention_days": current.retention_days} if current else None
        )
        form = CommitteeForm(posted(request), bodies=_committee_bodies(community), initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            try:
                head = member_by_phone(phone=data["head_phone"], community=community)
                services.committee_set(
                    actor=request_user(request),
                    community=community,
                    body=Body.objects.in_community(community).get(pk=data["body"]),
                    head=head,
                    retention_days=data["retention_days"],
                )
            except ValidationError as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, _("The mediation committee and its head are set."))
                return redirect("mediation_committee", slug=slug)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "mediation/committee.html",
        {
            "community": community,
            "committee": current,
            "form": form,
            "no_body": can_manage and not _committee_bodies(community),
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


# --- The head: accept a case, add a mediator ---------------------------------------------------


def _head_only(request: HttpRequest, case: Case) -> None:
    if not rules.has_perm("mediation.accept_case", request.user, case):
        raise PermissionDenied


def _head_form(
    request: HttpRequest,
    slug: str,
    case_id: int,
    form_class: type[AcceptForm] | type[AssignForm],
    run: Callable[[Any, Case, Any], Any],
    done: str,
    **labels: Any,
) -> HttpResponse:
    """The head's form on a case (accept it, add a mediator): the qualified people to choose
    from, the service ``run(actor, case, form)``, back to the case when it is done."""
    case = _case(request, slug, case_id)
    _head_only(request, case)
    form = form_class(posted(request), people=selectors.mediators_available(case.community))
    if form.is_valid():
        try:
            run(request_user(request), case, form)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, done)
            return _to_case(case)
    return _form_page(request, "mediation/assign.html", case.community, form, case=case, **labels)


@login_required
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    return _head_form(
        request,
        slug,
        case_id,
        AcceptForm,
        lambda actor, case, form: services.case_accept(
            actor=actor, case=case, mediators=form.chosen()
        ),
        _("The case is accepted; the parties are told."),
        title=gettext_lazy("Accept the case"),
        button=gettext_lazy("Accept and assign"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    return _head_form(
        request,
        slug,
        case_id,
        AssignForm,
        lambda actor, case, form: services.mediator_assign(
            actor=actor, case=case, mediator=form.chosen()
        ),
        _("The mediator is assigned."),
        title=gettext_lazy("Add a mediator"),
        button=gettext_lazy("Assign"),
    )


# --- One-button answers (POST, back to the case) ----------------------------------------------


def _act(
    request: HttpRequest,
    case: Case,
    run: Callable[[], Any],
    done: str,
    then: HttpResponse | None = None,
) -> HttpResponse:
    """Run a one-button answer; its refusal becomes a message on the case page. ``then``: where
    to go after success instead of the case."""
    try:
        run()
    except ValidationError as error:
        messages.error(request, error_text(error))
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You are not allowed to do this in mediation."))
    else:
        messages.success(request, done)
        if then is not None:
            return then
    return _to_case(case)


def _party_answering(request: HttpRequest, case: Case) -> Party | None:
    """The party without an account the head or a mediator answers for (``party`` posted)."""
    raw = request.POST.get("party", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    row = Party.objects.in_community(case.community_id).filter(case=case, pk=int(raw)).first()
    if row is None:
        raise Http404
    return row


def _answer(
    request: HttpRequest, slug: str, case_id: int, service: Callable[..., Any], done: str
) -> HttpResponse:
    """A party's answer to mediation (or the head's or a mediator's for a party without an
    account): ``service(actor=, case=, party=)``."""
    case = _case(request, slug, case_id)
    party = _party_answering(request, case)
    actor = request_user(request)
    return _act(request, case, lambda: service(actor=actor, case=case, party=party), done)


@login_required
@require_POST
def consent(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    return _answer(
        request, slug, case_id, services.party_consent, _("Agreement to mediation recorded.")
    )


@login_required
@require_POST
def refuse(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    return _answer(
        request,
        slug,
        case_id,
        services.party_refuse,
        _("Refusal recorded: the case will not be mediated."),
    )


def _assignment(request: HttpRequest, slug: str, assignment_id: int) -> Any:
    return selectors.assignment_get(
        community=_community(request, slug), user=request.user, assignment_id=assignment_id
    )


def _on_assignment(
    request: HttpRequest,
    slug: str,
    assignment_id: int,
    service: Callable[..., Any],
    done: str,
    then: HttpResponse | None = None,
) -> HttpResponse:
    """A party refuses a mediator, or the mediator declines: ``service(actor=, assignment=)``."""
    assignment = _assignment(request, slug, assignment_id)
    actor = request_user(request)
    return _act(
        request,
        assignment.case,
        lambda: service(actor=actor, assignment=assignment),
        done,
        then,
    )


@login_required
@require_POST
def mediator_refuse(request: HttpRequest, slug: str, assignment_id: int) -> HttpResponse:
    return _on_assignment(
        request,
        slug,
        assignment_id,
        services.mediator_refuse,
        _("The mediator is refused; the committee will choose another."),
    )


@login_required
@require_POST
def mediator_decline(request: HttpRequest, slug: str, assignment_id: int) -> HttpResponse:
    return _on_assignment(
        request,
        slug,
        assignment_id,
        services.mediator_decline,
        _("You have declined the case; the committee will choose another."),
        # They no longer see the case.
        then=redirect("mediation_home", slug=slug),
    )


# --- The hotline's referral ----------------------------------------------------------------------


def _ticket(community: Community, number: int) -> Any:
    from gongzhi.feedback.models import Ticket

    ticket = (
        Ticket.objects.in_community(community)
        .filter(number=number)
        .select_related("community", "category")
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


@login_required
@require_POST
def ticket_offer(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    community = _community(request, slug)
    ticket = _ticket(community, number)
    if not rules.has_perm("feedback.handle", request.user, ticket):
        raise Http404
    try:
        services.referral_offer(actor=request_user(request), ticket=ticket)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Mediation is offered; the reporter decides."))
    return redirect("hotline_ticket", slug, number)


@login_required
@require_http_methods(["GET", "POST"])
def ticket_refer(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    community = _community(request, slug)
    ticket = _ticket(community, number)
    if ticket.reporter_id != request.user.pk:
        raise Http404
    offered = services.referral_offered(ticket)
    form = ReferralForm(posted(request) if offered else None)
    if offered and form.is_valid():
        try:
            case = services.referral_consent(
                actor=request_user(request), ticket=ticket, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request,
                _("Your report is now with the mediation committee. You will hear from it."),
            )
            return _to_case(case)
    return _form_page(
        request,
        "mediation/apply.html",
        community,
        form,
        ticket=ticket,
        offered=offered,
        committee=selectors.committee_of(community),
    )


CASE = "cases/<int:case_id>/"
ASSIGNMENT = "assignments/<int:assignment_id>/"
TICKET = "tickets/<int:number>/"

urlpatterns: list[URLPattern] = [
    path("", home, name="mediation_home"),
    path("cases/", case_list, name="mediation_cases"),
    path(CASE, case_detail, name="mediation_case"),
    path("apply/", apply, name="mediation_apply"),
    path("register/", register, name="mediation_register"),
    path("registered/", registered, name="mediation_registered"),
    path("committee/", committee, name="mediation_committee"),
    path(f"{CASE}accept/", accept, name="mediation_accept"),
    path(f"{CASE}mediators/", assign, name="mediation_assign"),
    path(f"{CASE}consent/", consent, name="mediation_consent"),
    path(f"{CASE}refuse/", refuse, name="mediation_refuse"),
    path(f"{ASSIGNMENT}refuse/", mediator_refuse, name="mediation_mediator_refuse"),
    path(f"{ASSIGNMENT}decline/", mediator_decline, name="mediation_mediator_decline"),
    path(f"{TICKET}offer/", ticket_offer, name="mediation_ticket_offer"),
    path(f"{TICKET}refer/", ticket_refer, name="mediation_ticket_refer"),
]
