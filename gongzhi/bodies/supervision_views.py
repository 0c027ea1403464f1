"""The supervision committee's pages, under /c/<slug>/bodies/: its dashboard and the lists
behind its numbers (``supervision/…``), and supervision opinions (``opinions/…``: a public list,
one opinion with its answer, raising one from a decision or a journal entry)."""

from __future__ import annotations

from datetime import date
from typing import Any

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.bodies import supervision
from gongzhi.bodies.models import Decision, Opinion
from gongzhi.bodies.supervision_forms import AnswerForm, OpinionForm
from gongzhi.core.actions import Action, perform
from gongzhi.core.http import error_text, request_user
from gongzhi.core.models import Activity, Community
from gongzhi.core.pagination import paginate_by_ids
from gongzhi.core.selectors import community_get

PAGE_SIZE = 30
WATCH = "bodies.view_supervision"


@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=WATCH)
    board = supervision.dashboard(community=community, viewer=request.user)
    return render(
        request, "bodies/supervision_dashboard.html", {"community": community, "board": board}
    )


@require_GET
def decision_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=WATCH)
    since = request.GET.get("since", "")
    day = _date_or_none(since)
    page = paginate_by_ids(
        supervision.decisions(community=community, since=day), request.GET.get("page"), PAGE_SIZE
    )
    return render(
        request,
        "bodies/supervision_decisions.html",
        {"community": community, "page": page, "since": day},
    )


@require_GET
def project_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=WATCH)
    show = request.GET.get("show", "all")
    show = show if show in supervision.PROJECT_FILTERS else "all"
    projects = list(supervision.funded_projects(community=community, show=show))
    return render(
        request,
        "bodies/supervision_projects.html",
        {
            "community": community,
            "projects": projects,
            "show": show,
            "filters": supervision.PROJECT_FILTERS,
        },
    )


@require_GET
def period_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm=WATCH)
    periods = list(supervision.unpublished_periods(community=community))
    return render(
        request, "bodies/supervision_periods.html", {"community": community, "periods": periods}
    )


# --- Opinions ---------------------------------------------------------------------------------


@require_GET
def opinion_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    status = request.GET.get("status", "")
    status = status if status in supervision.STATUSES else ""
    page = paginate_by_ids(
        supervision.opinion_list(community=community, viewer=request.user, status=status),
        request.GET.get("page"),
        PAGE_SIZE,
    )
    return render(
        request,
        "bodies/supervision_opinion_list.html",
        {
            "community": community,
            "page": page,
            "status": status,
            "statuses": supervision.STATUSES,
            "can_raise": rules.has_perm("bodies.raise_opinion", request.user, community),
            "today": timezone.localdate(),
        },
    )


@require_GET
def opinion_detail(request: HttpRequest, slug: str, opinion_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    opinion = supervision.opinion_get(
        community=community, viewer=request.user, opinion_id=opinion_id
    )
    can_answer = (
        opinion.answered_at is None
        and opinion.raised_by_id != request.user.pk
        and rules.has_perm("bodies.answer_opinion", request.user, opinion)
    )
    return render(
        request,
        "bodies/supervision_opinion.html",
        {
            "community": community,
            "opinion": opinion,
            "overdue": supervision.is_overdue(opinion),
            "on_time": supervision.answered_on_time(opinion),
            "answer_form": AnswerForm() if can_answer else None,
        },
    )


ANSWER = Action[Opinion](
    act=lambda user, opinion, data: supervision.opinion_answer(
        actor=user, opinion=opinion, answer=data["answer"]
    ),
    form=AnswerForm,
    perm="bodies.answer_opinion",
    done=_("The answer is published."),
)


@login_required
@require_POST
def opinion_answer(request: HttpRequest, slug: str, opinion_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    opinion = supervision.opinion_get(
        community=community, viewer=request.user, opinion_id=opinion_id
    )
    return perform(request, ANSWER, opinion, back=supervision.opinion_url(opinion))


def _date_or_none(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _subject_of(community: Community, request: HttpRequest) -> dict[str, Any]:
    """The decision or journal entry named by ``?decision=`` or ``?activity=`` (the form's
    hidden fields on a post), with the body and the subject it suggests."""
    data = request.POST if request.method == "POST" else request.GET
    found: dict[str, Any] = {"decision": None, "activity": None, "initial": {}}
    decision_id, activity_id = data.get("decision", ""), data.get("activity", "")
    if decision_id.isdigit():
        decision = (
            Decision.objects.in_community(community)
            .select_related("body")
            .filter(pk=int(decision_id))
            .first()
        )
        if decision is not None:
            found["decision"] = decision
            found["initial"] = {"body": decision.body_id, "subject": decision.title}
    elif activity_id.isdigit():
        activity = (
            Activity.objects.in_community(community)
            .select_related("target_type", "community")
            .filter(pk=int(activity_id))
            .first()
        )
        if activity is not None:
            found["activity"] = activity
            found["initial"] = {"subject": supervision.describe_activity(activity)}
    return found


@login_required
@require_http_methods(["GET", "POST"])
def opinion_raise(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="bodies.raise_opinion")
    subject = _subject_of(community, request)
    form = OpinionForm(request.POST or None, community=community, initial=subject["initial"])
    if request.method == "POST" and form.is_valid():
        try:
            opinion = supervision.opinion_raise(
                actor=request_user(request),
                community=community,
                decision=subject["decision"],
                activity=subject["activity"],
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            return redirect(supervision.opinion_url(opinion))
    return render(
        request,
        "bodies/supervision_opinion_form.html",
        {"community": community, "form": form, **subject},
    )


urlpatterns: list[URLPattern] = [
    path("supervision/", dashboard, name="supervision_dashboard"),
    path("supervision/decisions/", decision_list, name="supervision_decisions"),
    path("supervision/projects/", project_list, name="supervision_projects"),
    path("supervision/periods/", period_list, name="supervision_periods"),
    path("opinions/", opinion_list, name="opinion_list"),
    path("opinions/new/", opinion_raise, name="opinion_raise"),
    path("opinions/<int:opinion_id>/", opinion_detail, name="opinion_detail"),
    path("opinions/<int:opinion_id>/answer/", opinion_answer, name="opinion_answer"),
]
