"""Pages of hearings and round tables, under /c/<slug>/meetings/<id>/: the public page
(``hearing_detail``: speakers and their slots, the draw, the submissions, the response; a round
table's participants and agreed points), the organiser's set-up form, and one table of POST
steps (register to speak, enter the seed, submit, group, answer, publish, add a participant,
record a point), each answered back on the page (``core.actions``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.actions import Action, perform
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.policies import require
from gongzhi.core.selectors import community_get
from gongzhi.meetings import hearing_forms as hf
from gongzhi.meetings import hearing_selectors as selectors
from gongzhi.meetings import hearings
from gongzhi.meetings.models import (
    Hearing,
    Meeting,
    MeetingKind,
    ResponseGroup,
    Submission,
)

KINDS = (MeetingKind.HEARING, MeetingKind.CONSULTATION, MeetingKind.ROUND_TABLE)


def _meeting(request: HttpRequest, slug: str, meeting_id: int) -> Meeting:
    """The meeting if the visitor may see it and it is a hearing, consultation or round
    table; a forbidden one is as missing as a missing one."""
    community = community_get(slug=slug, user=request.user)
    meeting = (
        Meeting.objects.in_community(community)
        .select_related("community", "body")
        .filter(pk=meeting_id, kind__in=KINDS)
        .first()
    )
    if meeting is None or not rules.has_perm("meetings.view_meeting", request.user, meeting):
        raise Http404
    return meeting


def _meeting_url(meeting: Meeting) -> str | None:
    try:
        return reverse(
            "meeting_detail",
            kwargs={"slug": meeting.community.slug, "meeting_id": meeting.pk},
        )
    except NoReverseMatch:  # the meeting page is another part's; the hearing page stands alone
        return None


@require_GET
def hearing_detail(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    """听证会 / 圆桌会: the public page of a hearing, consultation or round table."""
    meeting = _meeting(request, slug, meeting_id)
    return render(
        request,
        "meetings/hearing_detail.html",
        {
            "community": meeting.community,
            "meeting": meeting,
            "meeting_url": _meeting_url(meeting),
            **hearings.page_context(meeting, request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hearing_setup(request: HttpRequest, slug: str, meeting_id: int) -> HttpResponse:
    meeting = _meeting(request, slug, meeting_id)
    require("meetings.manage_hearing", request.user, meeting)
    form = hf.HearingSetupForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            hearings.hearing_setup(
                actor=request_user(request), meeting=meeting, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The hearing is set up: residents can register to speak."))
            return redirect("hearing_detail", slug=slug, meeting_id=meeting.pk)
    return render(
        request,
        "meetings/hearing_setup.html",
        {"community": meeting.community, "meeting": meeting, "form": form},
        status=400 if form.is_bound else 200,
    )


# --- Steps (POST, then back to the page) -------------------------------------------------------


def _hearing(meeting: Meeting) -> Hearing:
    hearing = selectors.hearing_of(meeting)
    if hearing is None:
        raise ValidationError(_("This meeting has no hearing set up yet."), code="no_hearing")
    return hearing


def _submission(hearing: Hearing, submission_id: int) -> Submission:
    submission = (
        Submission.objects.in_community(hearing.community_id)
        .filter(hearing=hearing, pk=submission_id)
        .select_related("hearing__meeting")
        .first()
    )
    if submission is None:
        raise ValidationError(_("This hearing has no such submission."), code="other_hearing")
    return submission


def _group(hearing: Hearing, group_id: int | None) -> ResponseGroup | None:
    if group_id is None:
        return None
    group = (
        ResponseGroup.objects.in_community(hearing.community_id)
        .filter(hearing=hearing, pk=group_id)
        .select_related("hearing__meeting")
        .first()
    )
    if group is None:
        raise ValidationError(_("This hearing has no such group."), code="other_hearing")
    return group


def _group_submission(user: Any, meeting: Meeting, d: dict[str, Any]) -> Any:
    hearing = _hearing(meeting)
    return hearings.submission_group(
        actor=user,
        submission=_submission(hearing, d["submission"]),
        group=_group(hearing, d["group"]),
    )


def _answer(user: Any, meeting: Meeting, d: dict[str, Any]) -> Any:
    group = _group(_hearing(meeting), d["group"])
    assert group is not None
    return hearings.group_answer(actor=user, group=group, answer=d["answer"])


def _step(
    perm: str,
    form: type[forms.Form] | None,
    act: Callable[[Any, Meeting, dict[str, Any]], Any],
    done: Any,
) -> Action[Meeting]:
    return Action(
        act=act,
        done=done,
        form=form,
        perm=perm,
        denied=gettext_lazy("You are not allowed to do this at this meeting."),
    )


#: Each step the page posts: who may, the form that parses it, the service it calls.
STEPS: dict[str, Action[Meeting]] = {
    "speak": _step(
        "meetings.speak_at_hearing",
        hf.SpeakForm,
        lambda u, m, d: hearings.speaker_register(
            actor=u, hearing=_hearing(m), position_summary=d["position_summary"]
        ),
        gettext_lazy("You are registered to speak. You will see your slot here."),
    ),
    "draw": _step(
        "meetings.draw_speakers",
        hf.SeedForm,
        lambda u, m, d: hearings.speakers_draw(actor=u, hearing=_hearing(m), seed=d["seed"]),
        gettext_lazy("The speakers and their slots are settled."),
    ),
    "submit": _step(
        "meetings.submit_to_hearing",
        hf.SubmissionForm,
        lambda u, m, d: hearings.submission_make(actor=u, hearing=_hearing(m), text=d["text"]),
        gettext_lazy("Thank you: your submission is received and will be answered."),
    ),
    "group-new": _step(
        "meetings.manage_hearing",
        hf.GroupForm,
        lambda u, m, d: hearings.group_create(actor=u, hearing=_hearing(m), title=d["title"]),
        gettext_lazy("The group is added."),
    ),
    "group": _step(
        "meetings.manage_hearing",
        hf.GroupSubmissionForm,
        _group_submission,
        gettext_lazy("The submission's group is saved."),
    ),
    "answer": _step(
        "meetings.manage_hearing",
        hf.AnswerForm,
        _answer,
        gettext_lazy("The answer is saved. It is published with the response."),
    ),
    "publish": _step(
        "meetings.manage_hearing",
        None,
        lambda u, m, d: hearings.response_publish(actor=u, hearing=_hearing(m)),
        gettext_lazy("The response is published."),
    ),
    "participant": _step(
        "meetings.manage_hearing",
        hf.ParticipantForm,
        lambda u, m, d: hearings.participant_add(actor=u, meeting=m, **d),
        gettext_lazy("The participant is added."),
    ),
    "point": _step(
        "meetings.manage_hearing",
        hf.PointForm,
        lambda u, m, d: hearings.point_agree(actor=u, meeting=m, **d),
        gettext_lazy("The agreed point is recorded."),
    ),
}


@login_required
@require_POST
def hearing_step(request: HttpRequest, slug: str, meeting_id: int, name: str) -> HttpResponse:
    """One step on a hearing or round table (``STEPS[name]``); the outcome is shown on its page."""
    spec = STEPS.get(name)
    if spec is None:
        raise Http404
    meeting = _meeting(request, slug, meeting_id)
    back = reverse("hearing_detail", kwargs={"slug": slug, "meeting_id": meeting.pk})
    return perform(request, spec, meeting, back=back)


urlpatterns: list[URLPattern] = [
    path("<int:meeting_id>/hearing/", hearing_detail, name="hearing_detail"),
    path("<int:meeting_id>/hearing/setup/", hearing_setup, name="hearing_setup"),
    path("<int:meeting_id>/hearing/<slug:name>/", hearing_step, name="hearing_step"),
]
