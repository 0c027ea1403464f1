"""Volunteering's core pages under /c/<slug>/volunteering/: the home page (what volunteering
is, joining, each part's section), "my volunteering" (my registration and each part's
section), registering (oneself, or a resident by a worker: 代办), the staff's volunteer list
and a volunteer's page, the teams, and the community's volunteering settings.

The parts' sections come from their selectors: ``<part>_selectors.hub(community, viewer)`` and
``.mine(community, user, volunteer)`` give the context their partials read as ``hub_<part>`` /
``mine_<part>``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.files import serve_upload
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.models import Community
from gongzhi.core.pagination import paginate_by_ids
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.core.uploads import PHOTOS, check_upload
from gongzhi.volunteering import (
    aid_selectors,
    certificate_selectors,
    honour_selectors,
    ledger_selectors,
    selectors,
    services,
    shift_selectors,
)
from gongzhi.volunteering.forms import (
    JoinForm,
    PhoneForm,
    SettingsForm,
    TeamForm,
    VolunteerFilterForm,
    VolunteerForm,
)
from gongzhi.volunteering.hours import credited_minutes, hours_text
from gongzhi.volunteering.models import Team, Volunteer, VolunteeringSettings

#: Each part's section on the home page and on "my volunteering", in order.
PARTS = {
    "shift": shift_selectors,
    "ledger": ledger_selectors,
    "certificate": certificate_selectors,
    "honour": honour_selectors,
    "aid": aid_selectors,
}
#: The rounding rule's example: what these served minutes become.
EXAMPLE_MINUTES = (10, 14, 15, 44, 45, 60, 75, 100)
SEAL_MAX_BYTES = 5 * 1024 * 1024
PER_PAGE = 50


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user)


def _can(request: HttpRequest, perm: str, obj: Any) -> bool:
    return bool(rules.has_perm(f"volunteering.{perm}", request.user, obj))


def _staff(request: HttpRequest, slug: str) -> Community:
    community = _community(request, slug)
    if not _can(request, "manage", community):
        raise Http404
    return community


@require_GET
def home(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    volunteer = selectors.volunteer_for(request.user, community.pk)
    context: dict[str, Any] = {
        "community": community,
        "volunteer": volunteer,
        "counts": selectors.volunteer_counts(community),
        "can_join": volunteer is None and _can(request, "register", community),
        "can_manage": _can(request, "manage", community),
    }
    for name, part in PARTS.items():
        context[f"hub_{name}"] = part.hub(community, request.user)
    return render(request, "volunteering/home.html", context)


@login_required
@require_GET
def mine(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    volunteer = selectors.volunteer_for(user, community.pk)
    context: dict[str, Any] = {
        "community": community,
        "volunteer": volunteer,
        "teams": selectors.teams_of_volunteer(volunteer) if volunteer else [],
        "can_join": volunteer is None and _can(request, "register", community),
    }
    for name, part in PARTS.items():
        context[f"mine_{name}"] = part.mine(community, user, volunteer)
    return render(request, "volunteering/mine.html", context)


def _form_page(
    request: HttpRequest,
    community: Community,
    form: Any,
    title: Any,
    button: Any,
    back: str,
    back_label: Any,
    multipart: bool = False,
) -> HttpResponse:
    return render(
        request,
        "volunteering/volunteer_form.html",
        {
            "community": community,
            "form": form,
            "title": title,
            "button": button,
            "back": back,
            "back_label": back_label,
            "multipart": multipart,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _home_url(community: Community) -> str:
    from django.urls import reverse

    return reverse("volunteering_home", kwargs={"slug": community.slug})


@login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    actor = request_user(request)
    on_behalf = _can(request, "register_others", community)
    if not on_behalf and not _can(request, "register", community):
        raise PermissionDenied
    form = JoinForm(posted(request), on_behalf=on_behalf)
    if form.is_valid():
        phone = form.cleaned_data.get("phone", "")
        try:
            person = member_by_phone(phone=phone, community=community) if phone else None
            volunteer = services.volunteer_register(
                actor=actor,
                community=community,
                data=form.registration(),
                consent=form.cleaned_data["consent"],
                person=person,
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            if person is not None:
                messages.success(request, _("The resident is registered as a volunteer."))
                return redirect("volunteering_volunteer", slug=slug, volunteer_id=volunteer.pk)
            messages.success(request, _("Welcome: you are registered as a volunteer."))
            return redirect("volunteering_me", slug=slug)
    return _form_page(
        request,
        community,
        form,
        gettext_lazy("Register as a volunteer"),
        gettext_lazy("Register"),
        _home_url(community),
        gettext_lazy("Volunteering"),
    )


def _editable(request: HttpRequest, community: Community, volunteer_id: int | None) -> Volunteer:
    """The registration to change: one's own (no id), or any for staff (代办)."""
    if volunteer_id is None:
        volunteer = selectors.volunteer_for(request.user, community.pk)
        if volunteer is None:
            raise Http404
        return volunteer
    volunteer = selectors.volunteer_get(
        community=community, user=request.user, volunteer_id=volunteer_id
    )
    if volunteer.person_id != request.user.pk and not _can(request, "register_others", community):
        raise Http404
    return volunteer


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_edit(
    request: HttpRequest, slug: str, volunteer_id: int | None = None
) -> HttpResponse:
    community = _community(request, slug)
    volunteer = _editable(request, community, volunteer_id)
    form = VolunteerForm.of(volunteer, posted(request))
    if form.is_valid():
        try:
            services.volunteer_update(
                actor=request_user(request), volunteer=volunteer, data=form.registration()
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The registration is saved."))
            return _after_volunteer(request, community, volunteer)
    return _form_page(
        request,
        community,
        form,
        gettext_lazy("Change the registration"),
        gettext_lazy("Save"),
        _back_of(request, community, volunteer),
        gettext_lazy("Back"),
    )


def _back_of(request: HttpRequest, community: Community, volunteer: Volunteer) -> str:
    from django.urls import reverse

    if volunteer.person_id == request.user.pk:
        return reverse("volunteering_me", kwargs={"slug": community.slug})
    return reverse(
        "volunteering_volunteer", kwargs={"slug": community.slug, "volunteer_id": volunteer.pk}
    )


def _after_volunteer(request: HttpRequest, community: Community, volunteer: Volunteer) -> Any:
    return redirect(_back_of(request, community, volunteer))


@login_required
@require_POST
def volunteer_withdraw(
    request: HttpRequest, slug: str, volunteer_id: int | None = None
) -> HttpResponse:
    community = _community(request, slug)
    volunteer = _editable(request, community, volunteer_id)
    try:
        services.volunteer_withdraw(actor=request_user(request), volunteer=volunteer)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, _("The registration is withdrawn. The hours served stay on record.")
        )
    return _after_volunteer(request, community, volunteer)


@login_required
@require_GET
def volunteer_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = _staff(request, slug)
    teams = selectors.teams_of(community)
    form = VolunteerFilterForm(request.GET or None, teams=teams)
    team, skill = None, ""
    if form.is_bound and form.is_valid():
        team_id = form.cleaned_data["team"]
        team = next((t for t in teams if t.pk == team_id), None)
        skill = form.cleaned_data["skill"]
    queryset = selectors.volunteer_list(community=community, team=team, skill=skill)
    page = paginate_by_ids(queryset, request.GET.get("page"), PER_PAGE)
    return render(
        request,
        "volunteering/volunteer_list.html",
        {"community": community, "form": form, "page": page},
    )


@login_required
@require_GET
def volunteer_detail(request: HttpRequest, slug: str, volunteer_id: int) -> HttpResponse:
    community = _community(request, slug)
    volunteer = selectors.volunteer_get(
        community=community, user=request.user, volunteer_id=volunteer_id
    )
    return render(
        request,
        "volunteering/volunteer_detail.html",
        {
            "community": community,
            "volunteer": volunteer,
            "teams": selectors.teams_of_volunteer(volunteer),
            # Staff (and the person) see the star level; only a worker may issue a certificate.
            "star": honour_selectors.star_for(volunteer),
            "can_issue": _can(request, "issue_certificate", volunteer)
            and volunteer.person_id != request.user.pk,
            "can_edit": volunteer.withdrawn_at is None
            and (
                volunteer.person_id == request.user.pk
                or _can(request, "register_others", community)
            ),
        },
    )


# --- Teams --------------------------------------------------------------------------------


@require_GET
def team_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    return render(
        request,
        "volunteering/team_list.html",
        {
            "community": community,
            "teams": selectors.teams_of(community),
            "can_manage": _can(request, "manage", community),
        },
    )


def _team(request: HttpRequest, slug: str, team_id: int) -> Team:
    return selectors.team_get(community=_community(request, slug), team_id=team_id)


@require_GET
def team_detail(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    team = _team(request, slug, team_id)
    community = team.community
    members = selectors.team_members(team)
    can_manage = _can(request, "manage", community)
    leads = any(m.leader and m.volunteer.person_id == request.user.pk for m in members)
    volunteer = selectors.volunteer_for(request.user, community.pk)
    mine = next((m for m in members if volunteer and m.volunteer_id == volunteer.pk), None)
    return render(
        request,
        "volunteering/team_detail.html",
        {
            "community": community,
            "team": team,
            "leaders": [m for m in members if m.leader],
            "member_count": len(members),
            "members": members if (can_manage or leads) else None,
            "can_manage": can_manage,
            "can_join": volunteer is not None and mine is None and team.closed_at is None,
            "can_see_hours": _can(request, "view_team_hours", team),
            "mine": mine,
        },
    )


def _team_form_page(
    request: HttpRequest, community: Community, form: Any, title: Any, back: str
) -> HttpResponse:
    return _form_page(
        request, community, form, title, gettext_lazy("Save"), back, gettext_lazy("Back")
    )


def _partner(community: Community, partner_id: int | None) -> Any:
    if partner_id is None:
        return None
    return next((p for p in services.partners_of(community) if p.pk == partner_id), None)


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = _staff(request, slug)
    form = TeamForm(posted(request), partners=services.partners_of(community))
    if form.is_valid():
        data = form.cleaned_data
        try:
            team = services.team_create(
                actor=request_user(request),
                community=community,
                name=data["name"],
                kind=data["kind"],
                description=data["description"],
                partner=_partner(community, data["partner"]),
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The team is set up."))
            return redirect("volunteering_team", slug=slug, team_id=team.pk)
    from django.urls import reverse

    return _team_form_page(
        request,
        community,
        form,
        gettext_lazy("Set up a volunteer team"),
        reverse("volunteering_teams", kwargs={"slug": slug}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    community = _staff(request, slug)
    team = selectors.team_get(community=community, team_id=team_id)
    initial = {
        "name": team.name,
        "kind": team.kind,
        "description": team.description,
        "partner": team.partner_id,
    }
    form = TeamForm(posted(request), partners=services.partners_of(community), initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.team_update(
                actor=request_user(request),
                team=team,
                name=data["name"],
                kind=data["kind"],
                description=data["description"],
                partner=_partner(community, data["partner"]),
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The team is changed."))
            return redirect("volunteering_team", slug=slug, team_id=team.pk)
    return _team_form_page(
        request, community, form, gettext_lazy("Change the team"), team_url(team)
    )


def team_url(team: Team) -> str:
    from django.urls import reverse

    return reverse("volunteering_team", kwargs={"slug": team.community.slug, "team_id": team.pk})


def _team_act(request: HttpRequest, team: Team, run: Callable[[], Any], done: str) -> Any:
    try:
        run()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return redirect(team_url(team))


@login_required
@require_POST
def team_close(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    community = _staff(request, slug)
    team = selectors.team_get(community=community, team_id=team_id)
    actor = request_user(request)
    return _team_act(
        request,
        team,
        lambda: services.team_close(actor=actor, team=team),
        _("The team is closed."),
    )


@login_required
@require_POST
def team_join(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    team = _team(request, slug, team_id)
    actor = request_user(request)
    volunteer = selectors.volunteer_for(actor, team.community_id)
    if volunteer is None:
        messages.error(request, _("Register as a volunteer first."))
        return redirect("volunteering_join", slug=slug)
    return _team_act(
        request,
        team,
        lambda: services.team_join(actor=actor, team=team, volunteer=volunteer),
        _("You joined the team."),
    )


def _member(team: Team, volunteer_id: int) -> Volunteer:
    volunteer = Volunteer.objects.in_community(team.community_id).filter(pk=volunteer_id).first()
    if volunteer is None:
        raise Http404
    return volunteer


@login_required
@require_POST
def team_leave(request: HttpRequest, slug: str, team_id: int, volunteer_id: int) -> HttpResponse:
    team = _team(request, slug, team_id)
    actor = request_user(request)
    volunteer = _member(team, volunteer_id)
    if volunteer.person_id != actor.pk and not _can(request, "manage", team.community):
        raise Http404
    return _team_act(
        request,
        team,
        lambda: services.team_leave(actor=actor, team=team, volunteer=volunteer),
        _("The place in the team has ended."),
    )


@login_required
@require_POST
def team_leader_remove(
    request: HttpRequest, slug: str, team_id: int, volunteer_id: int
) -> HttpResponse:
    community = _staff(request, slug)
    team = selectors.team_get(community=community, team_id=team_id)
    volunteer = _member(team, volunteer_id)
    actor = request_user(request)
    return _team_act(
        request,
        team,
        lambda: services.team_leader_remove(actor=actor, team=team, volunteer=volunteer),
        _("They are no longer a leader of the team."),
    )


def _by_phone(community: Community, phone: str) -> Volunteer:
    person = member_by_phone(phone=phone, community=community)
    volunteer = selectors.volunteer_for(person, community.pk)
    if volunteer is None:
        raise ValidationError(
            _("This member is not registered as a volunteer."), code="not_volunteer"
        )
    return volunteer


TEAM_STEPS = {
    "add": (
        gettext_lazy("Add a volunteer to the team"),
        services.team_join,
        gettext_lazy("The volunteer is in the team."),
    ),
    "leader": (
        gettext_lazy("Appoint a team leader"),
        services.team_leader_appoint,
        gettext_lazy("The leader is appointed."),
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def team_step(request: HttpRequest, slug: str, team_id: int, step: str) -> HttpResponse:
    community = _staff(request, slug)
    team = selectors.team_get(community=community, team_id=team_id)
    title, run, done = TEAM_STEPS[step]
    form = PhoneForm(posted(request))
    if form.is_valid():
        try:
            volunteer = _by_phone(community, form.cleaned_data["phone"])
            run(actor=request_user(request), team=team, volunteer=volunteer)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, str(done))
            return redirect(team_url(team))
    return _form_page(
        request, community, form, title, gettext_lazy("Save"), team_url(team), team.name
    )


# --- Settings -----------------------------------------------------------------------------


def rounding_examples(unit: int, threshold: int) -> list[dict[str, Any]]:
    """What the example served minutes become under the rule (the settings page's table)."""
    rows = []
    for minutes in EXAMPLE_MINUTES:
        credited = credited_minutes(minutes, unit, threshold)
        rows.append({"served": minutes, "credited": credited, "hours": hours_text(credited)})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = _staff(request, slug)
    saved = selectors.settings_for(community.pk)
    form = SettingsForm.of(saved, posted(request), request.FILES or None)
    unit, threshold = saved.unit_minutes, saved.threshold_minutes
    if form.is_valid():
        data = form.cleaned_data
        if 0 <= data["threshold_minutes"] <= data["unit_minutes"]:
            unit, threshold = data["unit_minutes"], data["threshold_minutes"]
        if "preview" not in request.POST:
            try:
                seal = (
                    check_upload(data["seal"], kinds=PHOTOS, max_bytes=SEAL_MAX_BYTES)
                    if data.get("seal")
                    else None
                )
                services.settings_update(
                    actor=request_user(request),
                    community=community,
                    unit_minutes=data["unit_minutes"],
                    threshold_minutes=data["threshold_minutes"],
                    star_hours=data["star_hours"],
                    issuer_name=data["issuer_name"],
                    responsible_name=data["responsible_name"],
                    timebank_floor_minutes=data["timebank_floor_minutes"],
                    timebank_ceiling_minutes=data["timebank_ceiling_minutes"],
                    timebank_starting_minutes=data["timebank_starting_minutes"],
                    seal=seal,
                    remove_seal=data["remove_seal"],
                )
            except ValidationError as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, _("The volunteering settings are saved."))
                return redirect("volunteering_settings", slug=slug)
    return render(
        request,
        "volunteering/settings.html",
        {
            "community": community,
            "form": form,
            "saved": saved,
            "examples": rounding_examples(unit, threshold),
            "unit": unit,
            "threshold": threshold,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


class _Seal:
    """The settings' seal as ``core.files.serve_upload`` serves it."""

    TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".webp": "image/webp"}

    def __init__(self, saved: VolunteeringSettings) -> None:
        self.file = saved.seal
        self.name = saved.seal.name.rsplit("/", 1)[-1]
        self.content_type = self.TYPES.get("." + self.name.rsplit(".", 1)[-1].lower(), "")


@login_required
@require_GET
def seal_image(request: HttpRequest, slug: str) -> FileResponse:
    community = _staff(request, slug)
    saved = selectors.settings_for(community.pk)
    if not saved.seal:
        raise Http404
    seal = _Seal(saved)
    if not seal.content_type:
        raise Http404
    return serve_upload(seal)


V = "volunteers/<int:volunteer_id>/"
T = "teams/<int:team_id>/"

urlpatterns: list[URLPattern] = [
    path("", home, name="volunteering_home"),
    path("me/", mine, name="volunteering_me"),
    path("me/edit/", volunteer_edit, name="volunteering_me_edit"),
    path("me/withdraw/", volunteer_withdraw, name="volunteering_me_withdraw"),
    path("join/", join, name="volunteering_join"),
    path("volunteers/", volunteer_list, name="volunteering_volunteers"),
    path(V, volunteer_detail, name="volunteering_volunteer"),
    path(f"{V}edit/", volunteer_edit, name="volunteering_volunteer_edit"),
    path(f"{V}withdraw/", volunteer_withdraw, name="volunteering_volunteer_withdraw"),
    path("teams/", team_list, name="volunteering_teams"),
    path("teams/new/", team_create, name="volunteering_team_create"),
    path(T, team_detail, name="volunteering_team"),
    path(f"{T}edit/", team_edit, name="volunteering_team_edit"),
    path(f"{T}close/", team_close, name="volunteering_team_close"),
    path(f"{T}join/", team_join, name="volunteering_team_join"),
    path(f"{T}add/", team_step, {"step": "add"}, name="volunteering_team_add"),
    path(f"{T}leaders/", team_step, {"step": "leader"}, name="volunteering_team_leader"),
    path(f"{T}members/<int:volunteer_id>/leave/", team_leave, name="volunteering_team_leave"),
    path(
        f"{T}leaders/<int:volunteer_id>/remove/",
        team_leader_remove,
        name="volunteering_team_leader_remove",
    ),
    path("settings/", settings_page, name="volunteering_settings"),
    path("settings/seal/", seal_image, name="volunteering_seal"),
]
