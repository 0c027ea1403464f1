"""Learning's core pages under /c/<slug>/learning/: the home page (open courses by topic and each
part's section), "my learning" (my enrolments and each part's section), and the courses: a
course's page, proposing and changing one, its sessions, trainers, materials and enrolled list.

The parts' sections come from their selectors: ``<part>_selectors.hub(community, viewer)`` and
``.mine(community, user)`` give the context their partials ``learning/_hub_<part>.html`` and
``learning/_mine_<part>.html`` read as ``hub_<part>`` / ``mine_<part>``. A part that has not
landed yet (no selector function or no partial) is skipped."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.files import serve_upload
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.core.uploads import DOCUMENTS, PHOTOS, check_upload
from gongzhi.learning import selectors, services
from gongzhi.learning.forms import (
    MATERIAL_MAX_BYTES,
    CourseForm,
    EnrolForm,
    MaterialForm,
    SessionForm,
    TrainerForm,
)
from gongzhi.learning.models import Course, CourseSession, Material, Trainer

#: The other parts' sections on the learning home and on "my learning", in order.
PARTS = ("attendance", "award", "requirement", "ladder", "spread")


def _part_function(part: str, name: str) -> Callable[..., Any] | None:
    try:
        module = importlib.import_module(f"gongzhi.learning.{part}_selectors")
    except ModuleNotFoundError as error:
        if error.name == f"gongzhi.learning.{part}_selectors":
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


def parts_context(kind: str, *args: Any) -> tuple[dict[str, Any], list[str]]:
    """``({"<kind>_<part>": context}, [partial templates])`` of the parts that have landed."""
    context: dict[str, Any] = {}
    templates: list[str] = []
    for part in PARTS:
        function = _part_function(part, kind)
        template = f"learning/_{kind}_{part}.html"
        if function is None or not _has_template(template):
            continue
        context[f"{kind}_{part}"] = function(*args)
        templates.append(template)
    return context, templates


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user)


def _can(request: HttpRequest, perm: str, obj: Any) -> bool:
    return bool(rules.has_perm(f"learning.{perm}", request.user, obj))


def _staff(request: HttpRequest, slug: str) -> Community:
    community = _community(request, slug)
    if not _can(request, "manage", community):
        raise Http404
    return community


@require_GET
def home(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    parts, templates = parts_context("hub", community, request.user)
    return render(
        request,
        "learning/home.html",
        {
            "community": community,
            "hub": selectors.hub(community, request.user),
            "hub_templates": templates,
            **parts,
        },
    )


@login_required
@require_GET
def mine(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    parts, templates = parts_context("mine", community, user)
    return render(
        request,
        "learning/mine.html",
        {
            "community": community,
            "mine": selectors.mine(community, user),
            "mine_templates": templates,
            **parts,
        },
    )


@require_GET
def course_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    return render(
        request,
        "learning/course_list.html",
        {
            "community": community,
            "courses": selectors.course_list(community, request.user).select_related(None)[:200],
        },
    )


def _course(request: HttpRequest, slug: str, course_id: int, perm: str = "") -> Course:
    """The course as ``request.user`` may see it; with ``perm``, only if they hold it (else the
    same 404 as a missing course)."""
    community = _community(request, slug)
    course = selectors.course_get(community=community, user=request.user, course_id=course_id)
    if perm and not _can(request, perm, course):
        raise Http404
    return course


def _course_url(course: Course) -> str:
    return reverse(
        "learning_course", kwargs={"slug": course.community.slug, "course_id": course.pk}
    )


@require_GET
def course_detail(request: HttpRequest, slug: str, course_id: int) -> HttpResponse:
    course = _course(request, slug, course_id)
    community = course.community
    enrolment = selectors.enrolment_of(course, request.user)
    can_manage = _can(request, "manage", community)
    return render(
        request,
        "learning/course_detail.html",
        {
            "community": community,
            "course": course,
            "sessions": selectors.sessions_of(course),
            "trainers": selectors.trainers_of(course),
            "materials": selectors.materials_of(course),
            "places_left": selectors.places_left(course),
            "enrolment": enrolment,
            "active": enrolment is not None and enrolment.status in selectors.ACTIVE,
            "waiting_position": selectors.waiting_position(enrolment),
            "closed": services.enrolment_closed(course),
            "can_run": _can(request, "run_course", course),
            "can_edit": _can(request, "edit_course", course),
            "can_manage": can_manage,
            "can_enrol": _can(request, "enrol", community),
            "enrol_form": EnrolForm(),
            "behalf_form": EnrolForm(on_behalf=True) if can_manage else None,
        },
    )


def _form_page(
    request: HttpRequest,
    template: str,
    community: Community,
    form: Any,
    title: Any,
    back: str,
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        template,
        {"community": community, "form": form, "title": title, "back": back, **extra},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    if not _can(request, "create_course", community):
        raise Http404
    form = CourseForm(posted(request))
    if form.is_valid():
        try:
            course = services.course_create(
                actor=request_user(request), community=community, **form.course_fields()
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The course is saved as a draft: add its sessions."))
            return redirect(_course_url(course))
    manage = _can(request, "manage", community)
    return _form_page(
        request,
        "learning/course_form.html",
        community,
        form,
        gettext_lazy("New course") if manage else gettext_lazy("Propose a course"),
        reverse("learning_home", kwargs={"slug": slug}),
        proposal=not manage,
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, slug: str, course_id: int) -> HttpResponse:
    course = _course(request, slug, course_id, "edit_course")
    form = CourseForm.of(course, posted(request))
    if form.is_valid():
        try:
            services.course_update(
                actor=request_user(request), course=course, **form.course_fields()
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The course is changed."))
            return redirect(_course_url(course))
    return _form_page(
        request,
        "learning/course_form.html",
        course.community,
        form,
        gettext_lazy("Change the course"),
        _course_url(course),
        course=course,
    )


def _act(request: HttpRequest, course: Course, run: Callable[[], Any], done: str) -> Any:
    try:
        run()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return redirect(_course_url(course))


@login_required
@require_POST
def course_publish(request: HttpRequest, slug: str, course_id: int) -> HttpResponse:
    course = _course(request, slug, course_id, "manage")
    actor = request_user(request)
    return _act(
        request,
        course,
        lambda: services.course_publish(actor=actor, course=course),
        _("The course is open for enrolment."),
    )


@login_required
@require_POST
def course_cancel(request: HttpRequest, slug: str, course_id: int) -> HttpResponse:
    course = _course(request, slug, course_id, "manage")
    actor = request_user(request)
    reason = request.POST.get("reason", "")
    return _act(
        request,
        course,
        lambda: services.course_cancel(actor=actor, course=course, reason=reason),
        _("The course is cancelled; those enrolled are told."),
    )


def _member(community: Community, phone: str) -> Any:
    return member_by_phone(phone=phone, community=community) if phone else None


@login_required
@require_POST
def enrol(request: HttpRequest, slug: str, course_id: int) -> HttpResponse:
    course = _course(request, slug, course_id)
    community = course.community
    actor = request_user(request)
    on_behalf = bool(request.POST.get("phone")) and _can(request, "manage", community)
    form = EnrolForm(request.POST, on_behalf=on_behalf)
    if not form.is_valid():
        messages.error(request, _("Check the phone numbers."))
        return redirect(_course_url(course))
    try:
        person = _member(community, form.cleaned_data.get("phone", ""))
        recruited_by = _member(community, form.cleaned_data.get("recruited_by", ""))
        enrolment = services.enrol(
            actor=actor, course=course, person=person, recruited_by=recruited_by
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(_course_url(course))
    waiting = enrolment.status == "waitlisted"
    if person is not None:
        done = (
            _("The resident is on the waiting list.") if waiting else _("The resident is enrolled.")
        )
    else:
        done = (
            _("The course is full: you are on the waiting list.")
            if waiting
            else _("You are enrolled.")
        )
    messages.success(request, done)
    return redirect(_course_url(course))


@login_required
@require_POST
def enrolment_cancel(
    request: HttpRequest, slug: str, course_id: int, enrolment_id: int
) -> HttpResponse:
    course = _course(request, slug, course_id)
    enrolment = selectors.enrolment_get(community=course.community, enrolment_id=enrolment_id)
    if enrolment.course_id != course.pk or not _can(request, "cancel_enrolment", enrolment):
        raise Http404
    actor = request_user(request)
    return _act(
        request,
        course,
        lambda: services.enrolment_cancel(actor=actor, enrolment=enrolment),
        _("The enrolment is cancelled."),
    )


@login_required
@require_GET
def course_enrolled(request: HttpRequest, slug: str, course_id: int) -> HttpResponse:
    course = _course(request, slug, course_id, "run_course")
    return render(
        request,
        "learning/course_enrolled.html",
        {
            "community": course.community,
            "course": course,
            "enrolments": selectors.enrolments_of_course(course),
            "can_manage": _can(request, "manage", course.community),
        },
    )


# --- Sessions -----------------------------------------------------------------------------


def _session(course: Course, session_id: int) -> CourseSession:
    session = (
        CourseSession.objects.in_community(course.community_id)
        .filter(course=course, pk=session_id)
        .first()
    )
    if session is None:
        raise Http404
    session.course = course
    return session


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(
    request: HttpRequest, slug: str, course_id: int, session_id: int | None = None
) -> HttpResponse:
    course = _course(request, slug, course_id, "run_course")
    trainers = selectors.trainers_of(course)
    session = _session(course, session_id) if session_id is not None else None
    data = posted(request)
    form = (
        SessionForm.of(session, trainers, data)
        if session is not None
        else SessionForm(data, trainers=trainers)
    )
    if form.is_valid():
        fields = form.cleaned_data
        trainer = next((t.person for t in trainers if t.person_id == fields["trainer"]), None)
        values = {
            "starts_at": fields["starts_at"],
            "ends_at": fields["ends_at"],
            "place": fields["place"],
            "title": fields["title"],
            "trainer": trainer,
        }
        try:
            actor = request_user(request)
            if session is None:
                services.session_add(actor=actor, course=course, **values)
            else:
                services.session_update(actor=actor, session=session, **values)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The session is saved."))
            return redirect(_course_url(course))
    return _form_page(
        request,
        "learning/session_form.html",
        course.community,
        form,
        gettext_lazy("Add a session") if session is None else gettext_lazy("Change the session"),
        _course_url(course),
        course=course,
        session=session,
    )


@login_required
@require_POST
def session_cancel(
    request: HttpRequest, slug: str, course_id: int, session_id: int
) -> HttpResponse:
    course = _course(request, slug, course_id, "run_course")
    session = _session(course, session_id)
    actor = request_user(request)
    return _act(
        request,
        course,
        lambda: services.session_cancel(actor=actor, session=session),
        _("The session is cancelled; those enrolled are told."),
    )


# --- Trainers -----------------------------------------------------------------------------


def _partners(community: Community) -> list[Any]:
    from gongzhi.bodies.models import Partner

    return list(Partner.objects.filter(street_id=community.street_id).order_by("name", "pk"))


@login_required
@require_http_methods(["GET", "POST"])
def course_trainers(request: HttpRequest, slug: str, course_id: int) -> HttpResponse:
    course = _course(request, slug, course_id, "manage")
    community = course.community
    partners = _partners(community)
    form = TrainerForm(posted(request), partners=partners)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.trainer_add(
                actor=request_user(request),
                course=course,
                person=member_by_phone(phone=data["phone"], community=community),
                kind=data["kind"],
                partner=next((p for p in partners if p.pk == data["partner"]), None),
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The trainer is added."))
            return redirect("learning_course_trainers", slug=slug, course_id=course.pk)
    return _form_page(
        request,
        "learning/course_trainers.html",
        community,
        form,
        gettext_lazy("Trainers"),
        _course_url(course),
        course=course,
        trainers=selectors.trainers_of(course),
    )


@login_required
@require_POST
def trainer_remove(
    request: HttpRequest, slug: str, course_id: int, trainer_id: int
) -> HttpResponse:
    course = _course(request, slug, course_id, "manage")
    trainer = (
        Trainer.objects.in_community(course.community_id)
        .filter(course=course, pk=trainer_id)
        .first()
    )
    if trainer is None:
        raise Http404
    trainer.course = course
    actor = request_user(request)
    try:
        services.trainer_remove(actor=actor, trainer=trainer)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The trainer is removed."))
    return redirect("learning_course_trainers", slug=slug, course_id=course.pk)


# --- Materials ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def material_add(request: HttpRequest, slug: str, course_id: int) -> HttpResponse:
    course = _course(request, slug, course_id, "run_course")
    form = MaterialForm(posted(request), request.FILES or None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            upload = (
                check_upload(data["file"], kinds=DOCUMENTS | PHOTOS, max_bytes=MATERIAL_MAX_BYTES)
                if data.get("file")
                else None
            )
            services.material_add(
                actor=request_user(request),
                course=course,
                title=data["title"],
                link=data["link"],
                upload=upload,
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The material is added."))
            return redirect(_course_url(course))
    return _form_page(
        request,
        "learning/material_form.html",
        course.community,
        form,
        gettext_lazy("Add course material"),
        _course_url(course),
        course=course,
    )


def _material(course: Course, material_id: int) -> Material:
    material = (
        Material.objects.in_community(course.community_id)
        .filter(course=course, pk=material_id)
        .first()
    )
    if material is None:
        raise Http404
    material.course = course
    return material


@login_required
@require_POST
def material_remove(
    request: HttpRequest, slug: str, course_id: int, material_id: int
) -> HttpResponse:
    course = _course(request, slug, course_id, "run_course")
    material = _material(course, material_id)
    actor = request_user(request)
    return _act(
        request,
        course,
        lambda: services.material_remove(actor=actor, material=material),
        _("The material is removed."),
    )


class _MaterialFile:
    """A material's file as ``core.files.serve_upload`` serves it: its type from the extension
    ``core.uploads`` gave it when it was checked."""

    TYPES = {
        ".pdf": "application/pdf",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".webp": "image/webp",
    }

    def __init__(self, material: Material) -> None:
        self.file = material.file
        self.name = material.file.name.rsplit("/", 1)[-1]
        self.content_type = self.TYPES.get("." + self.name.rsplit(".", 1)[-1].lower(), "")


@login_required
@require_GET
def material_file(
    request: HttpRequest, slug: str, course_id: int, material_id: int
) -> FileResponse:
    course = _course(request, slug, course_id)
    material = _material(course, material_id)
    if not material.file or not _can(request, "view_material_file", material):
        raise Http404
    served = _MaterialFile(material)
    if not served.content_type:
        raise Http404
    return serve_upload(served, download=served.content_type == "application/pdf")


C = "courses/<int:course_id>/"

urlpatterns: list[URLPattern] = [
    path("", home, name="learning_home"),
    path("me/", mine, name="learning_me"),
    path("courses/", course_list, name="learning_courses"),
    path("courses/new/", course_create, name="learning_course_create"),
    path(C, course_detail, name="learning_course"),
    path(f"{C}edit/", course_edit, name="learning_course_edit"),
    path(f"{C}publish/", course_publish, name="learning_course_publish"),
    path(f"{C}cancel/", course_cancel, name="learning_course_cancel"),
    path(f"{C}enrol/", enrol, name="learning_enrol"),
    path(f"{C}enrolled/", course_enrolled, name="learning_course_enrolled"),
    path(
        f"{C}enrolments/<int:enrolment_id>/cancel/",
        enrolment_cancel,
        name="learning_enrolment_cancel",
    ),
    path(f"{C}sessions/new/", session_edit, name="learning_session_add"),
    path(f"{C}sessions/<int:session_id>/edit/", session_edit, name="learning_session_edit"),
    path(f"{C}sessions/<int:session_id>/cancel/", session_cancel, name="learning_session_cancel"),
    path(f"{C}trainers/", course_trainers, name="learning_course_trainers"),
    path(f"{C}trainers/<int:trainer_id>/remove/", trainer_remove, name="learning_trainer_remove"),
    path(f"{C}materials/new/", material_add, name="learning_material_add"),
    path(
        f"{C}materials/<int:material_id>/remove/",
        material_remove,
        name="learning_material_remove",
    ),
    path(f"{C}materials/<int:material_id>/", material_file, name="learning_material_file"),
]
