"""Honours pages under /c/<slug>/volunteering/: the public honours page (approved recognition
lists, names in alphabetical order, never hours; recent thanks to volunteers who allow it),
proposing a list (workers), one list with the body's steps (approve with the vote, reject with
a reason, withdraw), thanking a volunteer, and a volunteer's own honours (their star level,
the lists naming them, the notes thanking them, each of which they may hide)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.bodies.models import Body
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get
from gongzhi.volunteering import honour_policies, honours
from gongzhi.volunteering import honour_selectors as selectors
from gongzhi.volunteering.honour_forms import (
    ApproveForm,
    ConfirmForm,
    RecognitionForm,
    RejectForm,
    ThanksForm,
)
from gongzhi.volunteering.models import RecognitionList, RecognitionStatus
from gongzhi.volunteering.selectors import volunteer_for


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user)


def _form_page(
    request: HttpRequest,
    community: Community,
    form: forms.Form,
    title: Any,
    button: Any,
    *,
    recognition: RecognitionList | None = None,
    template: str = "volunteering/honour_form.html",
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "community": community,
            "recognition": recognition,
            "form": form,
            "title": title,
            "button": button,
            **extra,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
def honours_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    viewer = request.user
    return render(
        request,
        "volunteering/honour_list.html",
        {
            "community": community,
            "lists": selectors.approved_lists(community),
            "pending": selectors.pending_lists(community, viewer),
            "thanks": selectors.public_thanks(community),
            "can_propose": viewer.is_authenticated
            and honour_policies.can("propose_recognition", viewer, community),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recognition_propose(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    actor = request_user(request)
    if not honour_policies.can("propose_recognition", actor, community):
        raise PermissionDenied
    bodies = selectors.bodies_to_decide(community)
    form = RecognitionForm(
        posted(request), bodies=bodies, volunteers=selectors.eligible_volunteers(community)
    )
    if form.is_valid():
        data = form.cleaned_data
        body = Body.objects.in_community(community).get(pk=data["body"])
        try:
            recognition = honours.recognition_propose(
                actor=actor,
                community=community,
                body=body,
                year=data["year"],
                title=data["title"],
                citation=data["citation"],
                entries=form.entries(),
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The list is proposed; the body's members are told."))
            return redirect(
                "volunteering_recognition_detail", slug=slug, recognition_id=recognition.pk
            )
    return _form_page(
        request,
        community,
        form,
        gettext_lazy("Propose a recognition list"),
        gettext_lazy("Propose"),
        template="volunteering/recognition_form.html",
        has_bodies=bool(bodies),
    )


def _recognition(request: HttpRequest, slug: str, recognition_id: int) -> RecognitionList:
    return selectors.recognition_get(
        community=_community(request, slug), viewer=request.user, recognition_id=recognition_id
    )


@require_GET
def recognition_detail(request: HttpRequest, slug: str, recognition_id: int) -> HttpResponse:
    recognition = _recognition(request, slug, recognition_id)
    viewer = request.user
    proposed = recognition.status == RecognitionStatus.PROPOSED
    return render(
        request,
        "volunteering/recognition_detail.html",
        {
            "community": recognition.community,
            "recognition": recognition,
            "named": selectors.entries_shown(recognition, viewer),
            "can_decide": proposed
            and honour_policies.can("decide_recognition", viewer, recognition)
            and recognition.proposed_by_id != viewer.pk,
            "can_withdraw": proposed
            and honour_policies.can("withdraw_recognition", viewer, recognition),
        },
    )


# --- Steps on one list: who may (the service checks too), the form, the service -------------


@dataclass(frozen=True)
class Step:
    perm: str
    title: Any
    make_form: Callable[[Any], forms.Form]
    run: Callable[[Any, RecognitionList, Any], Any]
    done: Any
    button: Any


def _approve(actor: Any, recognition: RecognitionList, form: Any) -> Any:
    return honours.recognition_decide(
        actor=actor, recognition=recognition, approve=True, **form.cleaned_data
    )


def _reject(actor: Any, recognition: RecognitionList, form: Any) -> Any:
    return honours.recognition_decide(
        actor=actor, recognition=recognition, approve=False, reason=form.cleaned_data["reason"]
    )


def _withdraw(actor: Any, recognition: RecognitionList, form: Any) -> Any:
    return honours.recognition_withdraw(actor=actor, recognition=recognition)


STEPS = {
    "approve": Step(
        "decide_recognition",
        gettext_lazy("Record the body's approval"),
        ApproveForm,
        _approve,
        gettext_lazy("The approval is recorded: the list is public."),
        gettext_lazy("Record the approval"),
    ),
    "reject": Step(
        "decide_recognition",
        gettext_lazy("Record that the body does not approve it"),
        RejectForm,
        _reject,
        gettext_lazy("The decision is recorded."),
        gettext_lazy("Record the decision"),
    ),
    "withdraw": Step(
        "withdraw_recognition",
        gettext_lazy("Withdraw the list"),
        ConfirmForm,
        _withdraw,
        gettext_lazy("The list is withdrawn."),
        gettext_lazy("Withdraw it"),
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def recognition_step(
    request: HttpRequest, slug: str, recognition_id: int, step: str
) -> HttpResponse:
    recognition = _recognition(request, slug, recognition_id)
    action = STEPS.get(step)
    if action is None:
        raise Http404
    if not honour_policies.can(action.perm, request.user, recognition):
        raise PermissionDenied
    form = action.make_form(posted(request))
    if form.is_valid():
        try:
            action.run(request_user(request), recognition, form)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, str(action.done))
            return redirect(
                "volunteering_recognition_detail", slug=slug, recognition_id=recognition.pk
            )
    return _form_page(
        request,
        recognition.community,
        form,
        action.title,
        action.button,
        recognition=recognition,
    )


# --- Thanks -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def thank(request: HttpRequest, slug: str, volunteer_id: int) -> HttpResponse:
    community = _community(request, slug)
    actor = request_user(request)
    if not honour_policies.can("thank", actor, community):
        raise PermissionDenied
    volunteer = selectors.volunteer_to_thank(community=community, volunteer_id=volunteer_id)
    form = ThanksForm(posted(request), activities=selectors.activities_served(volunteer))
    if form.is_valid():
        try:
            honours.thanks_send(
                actor=actor,
                volunteer=volunteer,
                text=form.cleaned_data["text"],
                activity=form.chosen_activity(),
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("Thank you: your note is sent."))
            return redirect("volunteering_honours", slug=slug)
    return _form_page(
        request,
        community,
        form,
        gettext_lazy("Thank %(name)s") % {"name": str(volunteer.person)},
        gettext_lazy("Send my thanks"),
        template="volunteering/thanks_form.html",
    )


@login_required
@require_GET
def my_honours(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    volunteer = volunteer_for(request.user, community.pk)
    context: dict[str, Any] = {"community": community, "volunteer": volunteer}
    if volunteer is not None:
        context.update(
            {
                "star": selectors.star_for(volunteer),
                "recognitions": selectors.recognitions_of(volunteer),
                "thanks": selectors.thanks_of(volunteer, include_hidden=True),
            }
        )
    return render(request, "volunteering/honour_mine.html", context)


@login_required
@require_POST
def thanks_hide(request: HttpRequest, slug: str, note_id: int) -> HttpResponse:
    community = _community(request, slug)
    actor = request_user(request)
    note = selectors.note_get(community=community, viewer=actor, note_id=note_id)
    honours.thanks_hide(actor=actor, note=note)
    messages.success(request, _("The note is hidden."))
    if note.volunteer.person_id == actor.pk:
        return redirect("volunteering_my_honours", slug=slug)
    return redirect("volunteering_honours", slug=slug)


urlpatterns: list[URLPattern] = [
    path("honours/", honours_page, name="volunteering_honours"),
    path("honours/new/", recognition_propose, name="volunteering_recognition_propose"),
    path(
        "honours/<int:recognition_id>/",
        recognition_detail,
        name="volunteering_recognition_detail",
    ),
    path(
        "honours/<int:recognition_id>/<str:step>/",
        recognition_step,
        name="volunteering_recognition_step",
    ),
    path("volunteers/<int:volunteer_id>/thanks/", thank, name="volunteering_thank"),
    path("me/honours/", my_honours, name="volunteering_my_honours"),
    path("me/thanks/<int:note_id>/hide/", thanks_hide, name="volunteering_thanks_hide"),
]
