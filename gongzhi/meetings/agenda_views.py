"""Agenda pages under /c/<slug>/meetings/: a meeting's agenda with its published versions and
what changed between them, the buttons of the agenda section on the meeting page (add an item,
put a proposal on the agenda, move, withdraw, add a document, publish) — one table of actions,
as the hotline's pages do — an item's edit form, its documents, and the proposals waiting for a
meeting across the community's bodies."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.bodies.models import Body
from gongzhi.core.actions import Action, perform
from gongzhi.core.files import serve_upload
from gongzhi.core.http import error_text, request_user
from gongzhi.core.selectors import community_get
from gongzhi.deliberation.models import Proposal
from gongzhi.meetings import agenda, agenda_selectors
from gongzhi.meetings.agenda_forms import (
    DocumentForm,
    ItemForm,
    MoveForm,
    ProposalForm,
    PublishForm,
    WithdrawForm,
)
from gongzhi.meetings.models import AgendaItem, Meeting


def _meeting(request: HttpRequest, slug: str, meeting_id: int) -> Meeting:
    community = community_get(slug=slug, user=request.user)
    return agenda_selectors.meeting_get(
        community=community, meeting_id=meeting_id, user=request.user
    )


def _back(meeting: Meeting) -> str:
    url = reverse(
        "meeting_detail", kwargs={"slug": meeting.community.slug, "meeting_id": meeting.pk}
    )
    return f"{url}#agenda"


def _item_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": data["title"],
        "description": data.get("description") or "",
        "presenter_name": data.get("presenter_name") or "",
        "minutes_allotted": data["minutes_allotted"],
        "decision_kind": data.get("decision_kind") or "",
        "amount_fen": None if data.get("amount") is None else int(data["amount"] * 100),
        "topic": data.get("topic") or "",
    }


def _proposal(meeting: Meeting, number: int) -> Proposal:
    found = Proposal.objects.in_community(meeting.community_id).filter(pk=number).first()
    if found is None:
        raise ValidationError(
            _("This community has no proposal number %(number)d.") % {"number": number},
            code="proposal_unknown",
        )
    return found


def _assign(user: Any, meeting: Meeting, data: dict[str, Any]) -> AgendaItem:
    return agenda.item_from_proposal(
        actor=user,
        meeting=meeting,
        proposal=_proposal(meeting, data["proposal"]),
        minutes_allotted=data["minutes_allotted"],
    )


#: The buttons of the agenda section about the whole agenda.
MEETING_ACTIONS: dict[str, Action[Meeting]] = {
    "add": Action(
        form=ItemForm,
        perm="meetings.add_item",
        act=lambda u, m, d: agenda.item_add(actor=u, meeting=m, **_item_fields(d)),
        done=gettext_lazy("The item is on the agenda."),
    ),
    "proposal": Action(
        form=ProposalForm,
        perm="meetings.run_meeting",
        act=_assign,
        done=gettext_lazy("The proposal is on the agenda."),
    ),
    "publish": Action(
        form=PublishForm,
        perm="meetings.run_meeting",
        act=lambda u, m, d: agenda.agenda_publish(actor=u, meeting=m, note=d.get("note") or ""),
        done=gettext_lazy("The agenda is published."),
    ),
}

#: The buttons of one item.
ITEM_ACTIONS: dict[str, Action[AgendaItem]] = {
    "move": Action(
        form=MoveForm,
        perm="meetings.run_meeting_item",
        act=lambda u, i, d: agenda.item_move(actor=u, item=i, position=d["position"]),
        done=gettext_lazy("The item is moved."),
    ),
    "withdraw": Action(
        form=WithdrawForm,
        form_required=False,
        perm="meetings.edit_item",
        act=lambda u, i, d: agenda.item_withdraw(actor=u, item=i, reason=d.get("reason") or ""),
        done=gettext_lazy("The item is withdrawn from the agenda."),
    ),
    "upload": Action(
        form=DocumentForm,
        perm="meetings.edit_item",
        act=lambda u, i, d: agenda.document_add(
            actor=u, item=i, file=d["file"], title=d.get("title") or ""
        ),
        invalid=gettext_lazy("Choose a file."),
        done=gettext_lazy("The document is added."),
    ),
}


@login_required
@require_POST
def agenda_act(request: HttpRequest, slug: str, meeting_id: int, act: str) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    kwargs = {"meeting": meeting} if act == "add" else None
    return perform(request, MEETING_ACTIONS[act], meeting, back=_back(meeting), form_kwargs=kwargs)


@login_required
@require_POST
def agenda_item_act(
    request: HttpRequest, slug: str, meeting_id: int, item_id: int, act: str
) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    item = agenda_selectors.item_get(meeting=meeting, item_id=item_id)
    return perform(request, ITEM_ACTIONS[act], item, back=_back(meeting))


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_edit(
    request: HttpRequest, slug: str, meeting_id: int, item_id: int
) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    item = agenda_selectors.item_get(meeting=meeting, item_id=item_id)
    if not rules.has_perm("meetings.edit_item", request.user, item):
        raise PermissionDenied
    initial = {
        "title": item.title,
        "description": item.description,
        "presenter_name": item.presenter_name,
        "minutes_allotted": item.minutes_allotted,
        "decision_kind": item.decision_kind,
        "amount": None if item.amount_fen is None else item.amount_fen / 100,
        "topic": item.topic,
    }
    form = ItemForm(request.POST or None, meeting=meeting, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            agenda.item_change(
                actor=request_user(request),
                item=item,
                presenter=item.presenter,
                **_item_fields(form.cleaned_data),
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The item is changed."))
            return redirect(_back(meeting))
    return render(
        request,
        "meetings/agenda_item_form.html",
        {"community": meeting.community, "meeting": meeting, "item": item, "form": form},
    )


@require_GET
def agenda_detail(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """The agenda on its own page (printable), with every published version and its changes."""
    meeting = _meeting(request, slug, meeting_id)
    context = agenda.page_context(meeting, request.user)
    context.update(
        {
            "community": meeting.community,
            "meeting": meeting,
            "history": agenda_selectors.history(meeting),
        }
    )
    return render(request, "meetings/agenda_detail.html", context)


@require_GET
def agenda_document(
    request: HttpRequest, slug: str, meeting_id: int, item_id: int, document_id: int
) -> FileResponse:
    """An item's document: for whoever may see the meeting once the item is published; before,
    for those who shape the agenda."""
    meeting = _meeting(request, slug, meeting_id)
    item = agenda_selectors.item_get(meeting=meeting, item_id=item_id)
    if not rules.has_perm("meetings.add_item", request.user, meeting) and (
        item.withdrawn_at is not None or item.pk not in agenda_selectors.published_item_ids(meeting)
    ):
        raise Http404
    document = agenda_selectors.document_get(item=item, document_id=document_id)
    cache = "public, max-age=3600" if meeting.public else "private, max-age=3600"
    return serve_upload(document, cache=cache)


@login_required
@require_GET
def agenda_waiting(request: HttpRequest, slug: str) -> HttpResponse:
    """Proposals on the council's agenda still waiting for a meeting, per body, with the
    meeting each is offered to (workers)."""
    community = community_get(slug=slug, user=request.user)
    if not rules.has_perm("meetings.assign_proposal", request.user, community):
        raise PermissionDenied
    bodies = Body.objects.in_community(community).filter(dissolved_at__isnull=True)
    rows = []
    for body in bodies.order_by("name"):
        waiting = agenda_selectors.waiting_proposals(body)
        if waiting:
            rows.append(
                {
                    "body": body,
                    "proposals": waiting,
                    "meeting": agenda_selectors.next_meeting_of(body),
                }
            )
    return render(request, "meetings/agenda_waiting.html", {"community": community, "rows": rows})


@login_required
@require_POST
def agenda_offer(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    """Put a waiting proposal on the agenda of the meeting it is offered to."""
    community = community_get(slug=slug, user=request.user)
    if not rules.has_perm("meetings.assign_proposal", request.user, community):
        raise PermissionDenied
    proposal = Proposal.objects.in_community(community).filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404
    try:
        item = agenda.proposal_offer(actor=request_user(request), proposal=proposal)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            _("The proposal is on the agenda of “%(meeting)s”.") % {"meeting": item.meeting.title},
        )
    return redirect("agenda_waiting", slug=slug)


M = "<int:meeting_id>/agenda/"
ITEM = f"{M}items/<int:item_id>/"

urlpatterns: list[URLPattern] = [
    path("proposals-waiting/", agenda_waiting, name="agenda_waiting"),
    path("proposals-waiting/<int:proposal_id>/offer/", agenda_offer, name="agenda_offer"),
    path(M, agenda_detail, name="agenda_detail"),
    # agenda_add, agenda_proposal, agenda_publish
    *(
        path(f"{M}{act}/", agenda_act, {"act": act}, name=f"agenda_{act}")
        for act in MEETING_ACTIONS
    ),
    path(f"{ITEM}edit/", agenda_item_edit, name="agenda_item_edit"),
    # agenda_item_move, agenda_item_withdraw, agenda_item_upload
    *(
        path(f"{ITEM}{act}/", agenda_item_act, {"act": act}, name=f"agenda_item_{act}")
        for act in ITEM_ACTIONS
    ),
    path(
        f"{ITEM}documents/<int:document_id>/",
        agenda_document,
        name="agenda_document",
    ),
]
