"""Pages of the minutes part, under /c/<slug>/meetings/: a meeting's minutes (the same part the
meeting page includes) with its buttons, the printable PDF, and the public list of follow-ups.

Every POST is a step of one table (``core.actions``): who may, the form, the service."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.bodies.models import Body
from gongzhi.core.actions import Action, perform
from gongzhi.core.pagination import paginate_by_ids
from gongzhi.core.pdf import pdf_response, render_pdf
from gongzhi.core.policies import is_community_worker, is_platform_admin
from gongzhi.core.selectors import community_get
from gongzhi.meetings import minutes as services
from gongzhi.meetings import minutes_selectors as selectors
from gongzhi.meetings.minutes_forms import (
    ActionForm,
    ActionUpdateForm,
    CorrectionForm,
    MinutesTextForm,
    ResolveForm,
)
from gongzhi.meetings.models import (
    ActionItem,
    ItemDecision,
    Meeting,
    Minutes,
    MinutesResponse,
    ResponseKind,
)

PAGE_SIZE = 50


def _page_url(meeting: Meeting) -> str:
    return reverse("minutes_detail", args=[meeting.community.slug, meeting.pk])


@require_GET
def minutes_detail(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    meeting = selectors.meeting_for_minutes(
        community=community, viewer=request.user, meeting_id=meeting_id
    )
    context: dict[str, Any] = {"community": community, "meeting": meeting}
    context.update(services.page_context(meeting, request.user))
    context.update(
        {
            "minutes_text_form": MinutesTextForm(
                initial={"text": context["minutes_part"].minutes.text}
            )
            if context["minutes_part"].minutes is not None
            else None,
            "correction_form": CorrectionForm(),
            "resolve_form": ResolveForm(),
            "action_form": ActionForm(),
        }
    )
    return render(request, "meetings/minutes_page.html", context)


@require_GET
def minutes_pdf(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    meeting = selectors.meeting_for_minutes(
        community=community, viewer=request.user, meeting_id=meeting_id
    )
    part = selectors.minutes_view(meeting=meeting, viewer=request.user)
    if part.minutes is None or not part.readable:
        raise Http404
    title = str(_("Minutes: %(title)s") % {"title": meeting.title})
    content = render_pdf(title, selectors.pdf_blocks(part.minutes), author=meeting.body.name)
    return pdf_response(content, filename=f"{title}.pdf")


MEETING_STEPS: dict[str, Action[Meeting]] = {
    "draft": Action(
        act=lambda user, meeting, data: services.minutes_draft(actor=user, meeting=meeting),
        perm="meetings.run_minutes",
        done=_("The minutes are drafted from the agenda and the roll call: check and edit them."),
    ),
}

MINUTES_STEPS: dict[str, Action[Minutes]] = {
    "edit": Action(
        act=lambda user, minutes, data: services.minutes_edit(
            actor=user, minutes=minutes, text=data["text"]
        ),
        form=MinutesTextForm,
        perm="meetings.run_minutes",
        done=_("The draft is saved."),
    ),
    "circulate": Action(
        act=lambda user, minutes, data: services.minutes_circulate(actor=user, minutes=minutes),
        perm="meetings.run_minutes",
        done=_("The minutes are sent to the members present."),
    ),
    "confirm": Action(
        act=lambda user, minutes, data: services.minutes_respond(
            actor=user, minutes=minutes, kind=ResponseKind.CONFIRM
        ),
        done=_("You confirmed the minutes."),
    ),
    "correct": Action(
        act=lambda user, minutes, data: services.minutes_respond(
            actor=user, minutes=minutes, kind=ResponseKind.CORRECTION, text=data["text"]
        ),
        form=CorrectionForm,
        done=_("Your correction is on record; the secretary will deal with it."),
    ),
}


def _minutes_of(meeting: Meeting) -> Minutes:
    minutes = Minutes.objects.in_community(meeting.community_id).filter(meeting=meeting).first()
    if minutes is None:
        raise Http404
    minutes.meeting = meeting
    return minutes


@login_required
@require_POST
def minutes_step(request: HttpRequest, slug: str, meeting_id: int, step: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    meeting = selectors.meeting_for_minutes(
        community=community, viewer=request.user, meeting_id=meeting_id
    )
    back = _page_url(meeting)
    if step in MEETING_STEPS:
        return perform(request, MEETING_STEPS[step], meeting, back=back)
    if step in MINUTES_STEPS:
        return perform(request, MINUTES_STEPS[step], _minutes_of(meeting), back=back)
    raise Http404


RESOLVE = Action[MinutesResponse](
    act=lambda user, response, data: services.minutes_resolve(
        actor=user, response=response, resolution=data["resolution"], text=data.get("text", "")
    ),
    form=ResolveForm,
    done=_("The correction is dealt with."),
)


@login_required
@require_POST
def minutes_resolve(
    request: HttpRequest, slug: str, meeting_id: int, response_id: int
) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    meeting = selectors.meeting_for_minutes(
        community=community, viewer=request.user, meeting_id=meeting_id
    )
    response = selectors.response_get(minutes=_minutes_of(meeting), response_id=response_id)
    return perform(request, RESOLVE, response, back=_page_url(meeting))


@login_required
@require_POST
def action_create(
    request: HttpRequest, slug: str, meeting_id: int, decision_id: int
) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    meeting = selectors.meeting_for_minutes(
        community=community, viewer=request.user, meeting_id=meeting_id
    )
    decision = selectors.decision_get(meeting=meeting, decision_id=decision_id)
    step = Action[ItemDecision](
        act=lambda user, decision, data: services.action_create(
            actor=user,
            decision=decision,
            title=data["title"],
            owner_name=data["owner_name"],
            due_on=data["due_on"],
        ),
        form=ActionForm,
        perm="meetings.run_minutes",
        done=_("The follow-up is set."),
    )
    return perform(request, step, decision, back=_page_url(meeting))


@require_GET
def action_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    status = request.GET.get("status", "")
    status = status if status in selectors.ACTION_FILTERS else ""
    body: Body | None = None
    if request.GET.get("body", "").isdigit():
        body = Body.objects.in_community(community).filter(pk=int(request.GET["body"])).first()
    page = paginate_by_ids(
        selectors.action_list(
            community=community,
            viewer=request.user,
            status=status,
            body_id=body.pk if body is not None else None,
        ),
        request.GET.get("page"),
        PAGE_SIZE,
    )
    return render(
        request,
        "meetings/minutes_actions.html",
        {
            "community": community,
            "page": page,
            "status": status,
            "filters": selectors.ACTION_FILTERS,
            "body": body,
            "bodies": Body.objects.in_community(community).order_by("name"),
            "update_form": ActionUpdateForm(),
            "can_update_any": bool(is_community_worker(request.user, community))
            or bool(is_platform_admin(request.user, community)),
        },
    )


UPDATE = Action[ActionItem](
    act=lambda user, action, data: services.action_update(
        actor=user, action=action, status=data["status"], note=data["note"]
    ),
    form=ActionUpdateForm,
    perm="meetings.update_action",
    denied=_("Only the follow-up's owner or a community worker updates it."),
    done=_("The follow-up is updated."),
)


@login_required
@require_POST
def action_update(request: HttpRequest, slug: str, action_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    action = selectors.action_get(community=community, viewer=request.user, action_id=action_id)
    return perform(request, UPDATE, action, back=reverse("action_list", args=[community.slug]))


urlpatterns: list[URLPattern] = [
    path("<int:meeting_id>/minutes/", minutes_detail, name="minutes_detail"),
    path("<int:meeting_id>/minutes.pdf", minutes_pdf, name="minutes_pdf"),
    path("<int:meeting_id>/minutes/<slug:step>/", minutes_step, name="minutes_step"),
    path(
        "<int:meeting_id>/minutes/corrections/<int:response_id>/resolve/",
        minutes_resolve,
        name="minutes_resolve",
    ),
    path(
        "<int:meeting_id>/decisions/<int:decision_id>/actions/",
        action_create,
        name="action_create",
    ),
    path("actions/", action_list, name="action_list"),
    path("actions/<int:action_id>/update/", action_update, name="action_update"),
]
