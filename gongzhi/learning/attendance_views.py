"""Pages of the attendance part, under /c/<slug>/learning/: a session's roll (the QR screen's
link, a present/absent toggle per learner, the session's stars), a course's results (per learner:
sessions attended and needed, assessment, decision; the finish button), the assessment form,
and a learner's rating form. A session, course or enrolment the viewer may not act on answers
404, as a missing one does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.selectors import community_get
from gongzhi.learning import attendance, attendance_selectors
from gongzhi.learning.attendance_forms import AssessmentForm, RatingForm
from gongzhi.learning.models import Assessment, Attendance, Enrolment, Rating


def _done(request: HttpRequest, call: Callable[[], Any], success: str) -> bool:
    try:
        call()
    except ValidationError as error:
        messages.error(request, error_text(error))
        return False
    messages.success(request, success)
    return True


# --- The roll ---------------------------------------------------------------------------------


@login_required
@require_GET
def session_roll(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    """The trainer's roll (phone first): one line per learner with a present toggle."""
    community = community_get(slug=slug, user=request.user)
    session = attendance_selectors.session_for_roll(community, request.user, session_id)
    lines = attendance_selectors.roll(session)
    return render(
        request,
        "learning/session_roll.html",
        {
            "community": community,
            "session": session,
            "course": session.course,
            "lines": lines,
            "present": sum(1 for line in lines if line.present),
            "rating": attendance_selectors.ratings_by_session(session.course).get(session.pk),
            "me": request.user.pk,
        },
    )


#: The roll's actions: (the service call, the message on success).
ROLL_ACTIONS: dict[str, tuple[Callable[..., Any], Any]] = {
    "present": (
        attendance.attendance_record,
        lambda name: _("%(name)s is marked present.") % {"name": name},
    ),
    "absent": (
        attendance.attendance_remove,
        lambda name: _("%(name)s is taken off the roll.") % {"name": name},
    ),
}


@login_required
@require_POST
def roll_mark(
    request: HttpRequest, slug: str, session_id: int, enrolment_id: int, action: str
) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    session = attendance_selectors.session_for_roll(community, request.user, session_id)
    if action not in ROLL_ACTIONS:
        raise Http404
    enrolment = (
        Enrolment.objects.in_community(community)
        .select_related("person")
        .filter(pk=enrolment_id, course_id=session.course_id)
        .first()
    )
    if enrolment is None:
        raise Http404
    call, success = ROLL_ACTIONS[action]
    actor = request_user(request)
    _done(
        request,
        lambda: call(actor=actor, session=session, enrolment=enrolment),
        success(enrolment.person),
    )
    return redirect("learning_session_roll", slug=community.slug, session_id=session.pk)


# --- Results, assessment, completion ------------------------------------------------------------


@login_required
@require_GET
def course_results(request: HttpRequest, slug: str, course_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    course = attendance_selectors.course_for_results(community, request.user, course_id)
    ratings = attendance_selectors.ratings_by_session(course)
    sessions = attendance_selectors.sessions_of(course)
    for session in sessions:
        session.rating = ratings.get(session.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "learning/course_results.html",
        {
            "community": community,
            "course": course,
            "results": attendance_selectors.results(course),
            "sessions": sessions,
            "me": request.user.pk,
        },
    )


def _back_to_results(enrolment_or_course: Any, community: Any) -> HttpResponse:
    course_id = getattr(enrolment_or_course, "course_id", None) or enrolment_or_course.pk
    return redirect("learning_course_results", slug=community.slug, course_id=course_id)


@login_required
@require_POST
def completion_decide(
    request: HttpRequest, slug: str, course_id: int, enrolment_id: int
) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    enrolment = attendance_selectors.enrolment_for_results(community, request.user, enrolment_id)
    if enrolment.course_id != course_id:
        raise Http404
    actor = request_user(request)
    _done(
        request,
        lambda: attendance.completion_decide(actor=actor, enrolment=enrolment),
        _("The decision on %(name)s is recorded.") % {"name": enrolment.person},
    )
    return _back_to_results(enrolment, community)


@login_required
@require_POST
def course_finish(request: HttpRequest, slug: str, course_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user)
    course = attendance_selectors.course_for_results(community, request.user, course_id)
    actor = request_user(request)
    try:
        finished = attendance.course_finish(actor=actor, course=course)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("The course is finished: %(completed)s completed, %(not)s did not complete.")
            % {"completed": finished.completed, "not": finished.not_completed},
        )
    return _back_to_results(course, community)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_form(request: HttpRequest, slug: str, enrolment_id: int) -> HttpResponse:
    """Mark a learner's assessment (changeable until their completion is decided)."""
    community = community_get(slug=slug, user=request.user)
    enrolment = attendance_selectors.enrolment_for_results(community, request.user, enrolment_id)
    current = Assessment.objects.in_community(community).filter(enrolment=enrolment).first()
    initial = {"passed": "yes" if current.passed else "no", "note": current.note} if current else {}
    form = AssessmentForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            attendance.assess(
                actor=request_user(request),
                enrolment=enrolment,
                passed=form.cleaned_data["passed"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request, _("The assessment of %(name)s is saved.") % {"name": enrolment.person}
            )
            return _back_to_results(enrolment, community)
    return render(
        request,
        "learning/assessment_form.html",
        {
            "community": community,
            "course": enrolment.course,
            "enrolment": enrolment,
            "current": current,
            "form": form,
            "own": enrolment.person_id == request.user.pk,
        },
    )


# --- Ratings ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rating_form(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    """A learner who attended the session rates it (once)."""
    community = community_get(slug=slug, user=request.user)
    session = attendance_selectors.session_for_learner(community, session_id)
    attended = (
        Attendance.objects.in_community(community)
        .filter(session=session, enrolment__person_id=request.user.pk)
        .exists()
    )
    if not attended:
        raise Http404
    mine = Rating.objects.in_community(community).filter(session=session, person_id=request.user.pk)
    form = RatingForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            attendance.rate(
                actor=request_user(request),
                session=session,
                stars=form.cleaned_data["stars"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("Thank you: your rating is saved."))
            return redirect("learning_me", slug=community.slug)
    return render(
        request,
        "learning/rating_form.html",
        {
            "community": community,
            "session": session,
            "course": session.course,
            "form": form,
            "rated": mine.first(),
        },
    )


S = "sessions/<int:session_id>/"
R = "courses/<int:course_id>/results/"

urlpatterns: list[URLPattern] = [
    path(f"{S}roll/", session_roll, name="learning_session_roll"),
    path(f"{S}roll/<int:enrolment_id>/<str:action>/", roll_mark, name="learning_roll_mark"),
    path(f"{S}rate/", rating_form, name="learning_session_rate"),
    path(R, course_results, name="learning_course_results"),
    path(f"{R}<int:enrolment_id>/decide/", completion_decide, name="learning_completion_decide"),
    path("courses/<int:course_id>/finish/", course_finish, name="learning_course_finish"),
    path("enrolments/<int:enrolment_id>/assessment/", assessment_form, name="learning_assessment"),
]
