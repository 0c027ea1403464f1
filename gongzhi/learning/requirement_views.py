"""Pages of the requirements part, under /c/<slug>/learning/requirements/ (community workers
and from above): every role a community may make require a qualification, with the one usually
asked for, whether it is on (from when), the holders kept without it, and the forms to turn a
requirement on (the qualification, the day) or off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core import requirements
from gongzhi.core.http import error_text, request_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get
from gongzhi.learning import requirement_selectors as selectors
from gongzhi.learning.requirement_forms import RequirementOnForm


def _staff_community(request: HttpRequest, slug: str) -> Community:
    community = community_get(slug=slug, user=request.user)
    if not selectors.can_manage(request.user, community):
        raise Http404
    return community


def _form_id(role: str) -> str:
    return "id_" + role.replace(".", "_") + "_%s"


@login_required
@require_http_methods(["GET", "POST"])
def requirement_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = _staff_community(request, slug)
    user = request_user(request)
    rows = selectors.rows(community)
    bound: RequirementOnForm | None = None
    if request.method == "POST":
        role = request.POST.get("role", "")
        bound = RequirementOnForm(request.POST, role=role, auto_id=_form_id(role))
        if bound.is_valid():
            data = bound.cleaned_data
            try:
                requirements.turn_on(
                    actor=user,
                    community=community,
                    role=data["role"],
                    qualification=data["qualification"],
                    applies_from=data["applies_from"],
                )
            except (ValidationError, PermissionDenied) as error:
                bound.add_error(None, error_text(error))
            else:
                messages.success(
                    request,
                    _("From %(day)s, “%(role)s” needs the qualification.")
                    % {
                        "day": data["applies_from"].isoformat(),
                        "role": requirements.label_of(data["role"]),
                    },
                )
                return redirect("learning_requirements", slug=slug)
        rows = selectors.rows(community)  # another worker may have turned it on meanwhile
    forms: list[tuple[selectors.RoleRow, RequirementOnForm | None]] = []
    for row in rows:
        mine = bound is not None and bound.data.get("role") == row.role
        if row.requirement is not None:
            if mine and bound is not None:
                messages.error(request, " ".join(str(e) for e in bound.non_field_errors()))
            forms.append((row, None))
        elif mine:
            forms.append((row, bound))
        else:
            blank = RequirementOnForm(
                role=row.role, suggested=row.suggested, auto_id=_form_id(row.role)
            )
            forms.append((row, blank))
    if bound is not None and bound.data.get("role") not in {row.role for row in rows}:
        messages.error(request, _("No app declares this role."))
    return render(
        request,
        "learning/requirement_list.html",
        {"community": community, "rows": forms},
        status=400 if bound is not None else 200,
    )


@login_required
@require_POST
def requirement_off(request: HttpRequest, slug: str, requirement_id: int) -> HttpResponse:
    community = _staff_community(request, slug)
    user = request_user(request)
    requirement = selectors.requirement_get(
        community=community, user=user, requirement_id=requirement_id
    )
    try:
        requirements.turn_off(actor=user, requirement=requirement)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("“%(role)s” no longer needs a qualification.")
            % {"role": requirements.label_of(requirement.role)},
        )
    return redirect("learning_requirements", slug=slug)


urlpatterns: list[URLPattern | URLResolver] = [
    path("requirements/", requirement_list, name="learning_requirements"),
    path(
        "requirements/<int:requirement_id>/off/", requirement_off, name="learning_requirement_off"
    ),
]
