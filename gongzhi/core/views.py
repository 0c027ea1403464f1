"""Community pages and the staff console. Views parse, call a service or selector, render."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core import selectors, services
from gongzhi.core.exports import spreadsheet_safe
from gongzhi.core.forms import (
    ROLE_LABELS,
    GroupFlagsForm,
    HouseholdCodesForm,
    JournalFilterForm,
    LetterCodeForm,
    MemberFilterForm,
    RegisterOnBehalfForm,
    RoleForm,
    RosterUploadForm,
)
from gongzhi.core.home import console_links, home_tiles, overview_columns
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.manifests import verb_areas
from gongzhi.core.models import Building, Community, Household, Membership, Role
from gongzhi.core.natural import naturally_sorted
from gongzhi.core.pagination import paginate_by_ids
from gongzhi.core.policies import Access, access_of, roles_grantable
from gongzhi.core.roster import RosterFileError, rejected_message

PAGE_SIZE = 50


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    access = access_of(request.user)
    communities = Community.objects.select_related("street").order_by("street__name", "name")
    mine = [c for c in communities if c.pk in access.member_of]
    managed = [
        (community, *_relation_to(access, community))
        for community in selectors.communities_managed_by(request.user)
    ]
    return render(
        request,
        "core/home.html",
        {"communities": communities, "mine": mine, "managed": managed},
    )


def _relation_to(access: Access, community: Community) -> tuple[str, str]:
    """(key, label): what a person who serves a community is to it, its worker, an official
    overseeing it, or the platform's administrator; never "resident", which they may not be."""
    if Role.COMMUNITY_WORKER in access.roles.get(community.pk, set()):
        return "worker", str(ROLE_LABELS[Role.COMMUNITY_WORKER])
    if community.pk in access.overseen:
        return "overseen", _("overseen by you")
    return "admin", _("platform administrator")


def _role_tags(membership) -> list[tuple[str, str]]:
    """(value, label) pairs, the verified-resident tag first."""
    if membership is None:
        return []
    roles = membership.role_set()
    order = [Role.VERIFIED_RESIDENT, Role.RESIDENT]
    first = [r.value for r in order if r.value in roles][:1]
    rest = sorted(
        (r for r in roles if r not in first and r != Role.RESIDENT),
        key=lambda r: str(ROLE_LABELS[r]),
    )
    return [(r, str(ROLE_LABELS[r])) for r in first + rest]


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def community_home(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get(slug=slug, user=request.user)
    membership = selectors.membership_of(user=request.user, community=community)
    return render(
        request,
        "core/community_home.html",
        {
            "community": community,
            "membership": membership,
            "roles": _role_tags(membership),
            "overseen": community.pk in access_of(request.user).overseen,
            "stats": selectors.community_stats(community),
            "tiles": home_tiles(community=community, user=request.user),
            "console": console_links(community=community, user=request.user),
        },
    )


@login_required
@require_POST
def community_join(request: HttpRequest, slug: str) -> HttpResponse:
    user = request_user(request)
    community = selectors.community_get(slug=slug, user=user)
    services.membership_join(actor=user, community=community)
    messages.success(request, _("Welcome to %(community)s.") % {"community": community.name})
    return redirect("community_home", slug=community.slug)


@login_required
@require_http_methods(["GET", "POST"])
def verify_with_code(request: HttpRequest, slug: str) -> HttpResponse:
    user = request_user(request)
    community = selectors.community_get(slug=slug, user=user)
    form = LetterCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_verify_with_code(
                actor=user, community=community, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_error("code", exc.messages[0])
        else:
            messages.success(request, _("Thank you: you are now a verified resident."))
            return redirect("community_home", slug=community.slug)
    return render(request, "core/verify_code.html", {"community": community, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def my_participation(request: HttpRequest, slug: str) -> HttpResponse:
    user = request_user(request)
    community = selectors.community_get(slug=slug, user=user)
    membership = selectors.membership_of(user=user, community=community)
    groups_form = None
    if membership is not None:
        initial = {
            "consent": membership.groups_consented_at is not None,
            "is_elderly": membership.is_elderly,
            "has_disability": membership.has_disability,
            "is_low_income": membership.is_low_income,
            "birth_year": membership.birth_year,
        }
        groups_form = GroupFlagsForm(posted(request), initial=initial)
        if request.method == "POST" and groups_form.is_valid():
            services.membership_set_groups(
                actor=user,
                community=community,
                membership=membership,
                **groups_form.cleaned_data,
            )
            messages.success(request, _("Saved."))
            return redirect("my_participation", slug=community.slug)
    page = Paginator(
        selectors.participation_record(user=user, community=community), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "core/my_participation.html",
        {
            "community": community,
            "membership": membership,
            "page": page,
            "groups_form": groups_form,
        },
    )


# --- Staff console --------------------------------------------------------------------------


@login_required
@require_GET
def member_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get(slug=slug, user=request.user, perm="core.view_members")
    form = MemberFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.member_list(
        community=community,
        viewer=request.user,
        query=filters.get("q", ""),
        status=filters.get("status", ""),
        role=filters.get("role", ""),
    )
    if request.GET.get("format") == "csv":
        return _members_csv(community, queryset)
    page = paginate_by_ids(queryset, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "core/staff/member_list.html",
        {
            "community": community,
            "form": form,
            "page": page,
            "stats": selectors.community_stats(community),
        },
    )


def _members_csv(community: Community, queryset) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="members-{community.slug}.csv"'
    response.write("\ufeff")  # Excel needs the BOM to read UTF-8
    writer = csv.writer(response)
    writer.writerow([_("Name"), _("Phone"), _("Building"), _("Unit"), _("Verified"), _("Roles")])
    for m in queryset.iterator(chunk_size=2000):
        household = m.household
        writer.writerow(
            spreadsheet_safe(
                [
                    m.user.display_name,
                    m.user.phone.removeprefix(
                        "+86"
                    ),  # as workers dial it; "+" would read as a formula
                    household.building.name if household else "",
                    household.unit if household else "",
                    m.verified_at.date().isoformat() if m.verified_at else "",
                    " ".join(sorted(str(ROLE_LABELS[r]) for r in m.role_set())),
                ]
            )
        )
    return response


def _held_roles(membership: Membership) -> list[str]:
    """Each role held now; one from a term of office says until when (it ends by itself)."""
    derived = membership.role_set() & {Role.RESIDENT.value, Role.VERIFIED_RESIDENT.value}
    held = {str(ROLE_LABELS[r]) for r in derived}
    now = timezone.now()
    for grant in membership.role_grants.all():
        if not grant.in_force(now):
            continue
        label = str(ROLE_LABELS[grant.role])
        if grant.valid_until is not None:
            until = timezone.localdate(grant.valid_until - timedelta(seconds=1))
            label = _("%(role)s (until %(date)s, by a term of office)") % {
                "role": label,
                "date": until.isoformat(),
            }
        held.add(label)
    return sorted(held)


@login_required
@require_http_methods(["GET", "POST"])
def member_detail(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    user = request_user(request)
    community = selectors.community_get(slug=slug, user=user, perm="core.view_members")
    membership = selectors.membership_get(
        community=community, user=user, membership_id=membership_id
    )
    offered = roles_grantable(user, community, membership)
    role_form = RoleForm(
        request.POST if request.POST.get("action") in {"grant", "revoke"} else None,
        offered=offered,
    )
    groups_form = GroupFlagsForm(
        request.POST if request.POST.get("action") == "groups" else None,
        initial={
            "consent": membership.groups_consented_at is not None,
            "is_elderly": membership.is_elderly,
            "has_disability": membership.has_disability,
            "is_low_income": membership.is_low_income,
            "birth_year": membership.birth_year,
        },
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "verify":
            try:
                services.membership_verify_in_person(
                    actor=user, community=community, membership=membership
                )
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("Verified in person."))
            return redirect("member_detail", slug=slug, membership_id=membership.pk)
        if action in {"grant", "revoke"} and role_form.is_valid():
            service = services.role_grant if action == "grant" else services.role_revoke
            try:
                service(
                    actor=user,
                    community=community,
                    membership=membership,
                    role=role_form.cleaned_data["role"],
                )
            except ValidationError as exc:
                role_form.add_error("role", error_text(exc))
                status = 400
            else:
                messages.success(request, _("Roles updated."))
                return redirect("member_detail", slug=slug, membership_id=membership.pk)
        if action == "groups" and groups_form.is_valid():
            services.membership_set_groups(
                actor=user,
                community=community,
                membership=membership,
                **groups_form.cleaned_data,
            )
            messages.success(request, _("Saved on the resident's behalf."))
            return redirect("member_detail", slug=slug, membership_id=membership.pk)
    return render(
        request,
        "core/staff/member_detail.html",
        {
            "community": community,
            "membership": membership,
            "roles": _held_roles(membership),
            "role_form": role_form if offered else None,
            "role_refusal": "" if offered else " ".join(map(str, role_form.errors.get("role", []))),
            "own_membership": membership.user_id == user.pk,
            "groups_form": groups_form,
            "record": selectors.describe_entries(
                list(
                    selectors.journal(
                        community=community,
                        viewer=user,
                        filters=selectors.JournalFilter(person=membership),
                    )[:20]
                )
            ),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def roster_upload(request: HttpRequest, slug: str) -> HttpResponse:
    user = request_user(request)
    community = selectors.community_get(slug=slug, user=user, perm="core.import_roster")
    form = RosterUploadForm(posted(request), request.FILES if request.method == "POST" else None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.roster_import(
                actor=user,
                community=community,
                filename=upload.name,
                content=upload.read(settings.ROSTER_MAX_BYTES + 1),
            )
        except RosterFileError as exc:
            form.add_error("file", str(exc))
        except services.RosterRejected as exc:
            row_errors = exc.errors
            form.add_error(None, rejected_message(len(exc.errors)))
        else:
            messages.success(
                request,
                ngettext(
                    "Roster imported: %(created)d new, %(updated)d updated, "
                    "%(verified)d resident verified now.",
                    "Roster imported: %(created)d new, %(updated)d updated, "
                    "%(verified)d residents verified now.",
                    result.verified_now,
                )
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "verified": result.verified_now,
                },
            )
            return redirect("roster_upload", slug=slug)
    return render(
        request,
        "core/staff/roster_upload.html",
        {"community": community, "form": form, "row_errors": row_errors},
        status=400 if row_errors or (request.method == "POST" and form.errors) else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def register_on_behalf(request: HttpRequest, slug: str) -> HttpResponse:
    user = request_user(request)
    community = selectors.community_get(slug=slug, user=user, perm="core.act_on_behalf")
    form = RegisterOnBehalfForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.resident_register_on_behalf(
                actor=user,
                community=community,
                phone=data["phone"],
                display_name=data["display_name"],
                building_name=data["building"],
                unit=data["unit"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(
                request,
                _("Registered and verified. They can log in with a code sent to their phone."),
            )
            return redirect("member_detail", slug=slug, membership_id=membership.pk)
    return render(
        request, "core/staff/register_on_behalf.html", {"community": community, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_codes(request: HttpRequest, slug: str) -> HttpResponse:
    user = request_user(request)
    community = selectors.community_get(slug=slug, user=user, perm="core.verify_member")
    buildings = naturally_sorted(Building.objects.in_community(community), key=lambda b: b.name)
    form = HouseholdCodesForm(posted(request), buildings=buildings)
    if request.method == "POST" and form.is_valid():
        building = next(b for b in buildings if str(b.pk) == form.cleaned_data["building"])
        households = naturally_sorted(
            Household.objects.in_community(community).filter(building=building),
            key=lambda h: h.unit,
        )
        letters = services.household_codes_issue(
            actor=user,
            community=community,
            households=households,
            valid_days=form.cleaned_data["valid_days"],
        )
        return render(
            request,
            "core/staff/household_letters.html",
            {"community": community, "letters": letters},
        )
    return render(
        request, "core/staff/household_codes.html", {"community": community, "form": form}
    )


@login_required
@require_GET
def audit_trail(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get(slug=slug, user=request.user, perm="core.view_audit_trail")
    form = JournalFilterForm(
        request.GET or None,
        areas=verb_areas(),
        targets=selectors.journal_target_kinds(community),
    )
    data = form.cleaned_data if form.is_valid() else {}
    person = None
    if request.GET.get("person", "").isdigit():
        person = (
            Membership.objects.in_community(community)
            .select_related("user")
            .filter(pk=int(request.GET["person"]))
            .first()
        )
    filters = selectors.JournalFilter(person=person, **data)
    page = paginate_by_ids(
        selectors.journal(community=community, viewer=request.user, filters=filters),
        request.GET.get("page"),
        PAGE_SIZE,
    )
    selectors.describe_entries(list(page.object_list))  # the page's rows, described in place
    return render(
        request,
        "core/staff/audit_trail.html",
        {"community": community, "page": page, "form": form, "person": person},
    )


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    rows = selectors.communities_overview(request.user)
    if not rows and not access_of(request.user).overseen and not request.user.is_superuser:
        from django.http import Http404

        raise Http404
    columns = overview_columns([r["community"] for r in rows])
    for r in rows:
        r["cells"] = [column.cell(r["community"]) for column in columns]
        r["labelled"] = list(zip(columns, r["cells"], strict=True))  # a phone's stacked rows
    return render(
        request,
        "core/overview.html",
        {"rows": rows, "columns": columns, "oversights": selectors.oversight_of(request.user)},
    )
