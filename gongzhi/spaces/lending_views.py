"""Pages of attendance and lending, under /c/<slug>/spaces/: a space's desk (the door's QR
code, a day's bookings with their check-in, release and fee; recording a fee paid), a
resident's appeal against a no-show and the managers' queue of appeals, and the things lent out
(the list, an item with its loans, lending to a resident by phone number, taking back, adding
and changing items). A space, booking, appeal, item or loan the viewer may not act on answers
404, as a missing one does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.models import Community
from gongzhi.core.selectors import community_get, member_by_phone
from gongzhi.spaces import attendance, lending
from gongzhi.spaces import lending_selectors as selectors
from gongzhi.spaces.lending_forms import AppealDecideForm, AppealForm, LendForm, ResourceForm
from gongzhi.spaces.models import Resource


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user, perm="spaces.view_spaces")


def _done(request: HttpRequest, call: Callable[[], Any], success: str) -> bool:
    try:
        call()
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
        return False
    messages.success(request, success)
    return True


# --- The desk: check-in and fees ---------------------------------------------------------------


def _day(request: HttpRequest) -> date:
    """The day asked for, or today for none, a bad one or one out of reach (0001-01-01 and
    9999-12-31 overflowed the day's bounds into a 500)."""
    from gongzhi.spaces.booking_selectors import parse_day

    return parse_day(request.GET.get("day")) or timezone.localdate()


@login_required
@require_GET
def desk(request: HttpRequest, slug: str, space_id: int) -> HttpResponse:
    """A space's desk for its managers: the door's QR code and one day's bookings."""
    community = _community(request, slug)
    space = selectors.space_for_desk(community, request.user, space_id)
    day = _day(request)
    user = request_user(request)
    bookings = list(selectors.desk(space, day))
    return render(
        request,
        "spaces/checkin_desk.html",
        {
            "community": community,
            "space": space,
            "day": day,
            "previous": day.fromordinal(day.toordinal() - 1),
            "next": day.fromordinal(day.toordinal() + 1),
            "bookings": bookings,
            "counts": selectors.checked_in_count(space, day),
            "fees": selectors.fees_to_collect(space, timezone.now()),
            "may_take_fee": attendance.may_take_fee_on(user, space),
            "me": user.pk,
        },
    )


@login_required
@require_POST
def fee_paid(request: HttpRequest, slug: str, booking_id: int) -> HttpResponse:
    community = _community(request, slug)
    booking = selectors.booking_for_manager(community, request.user, booking_id)
    actor = request_user(request)
    _done(
        request,
        lambda: attendance.fee_record_paid(actor=actor, booking=booking),
        _(
            "The fee of %(fee)s yuan is recorded: its income entry waits for a second person's "
            "approval in the finance ledger."
        )
        % {"fee": booking.fee},
    )
    day = timezone.localdate(booking.starts_at).isoformat()
    url = reverse("spaces_desk", kwargs={"slug": community.slug, "space_id": booking.space_id})
    return redirect(f"{url}?day={day}")


# --- Appeals ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def appeal_form(request: HttpRequest, slug: str, booking_id: int) -> HttpResponse:
    """A resident appeals their own no-show."""
    community = _community(request, slug)
    booking = selectors.booking_for_appeal(community, request.user, booking_id)
    existing = getattr(booking, "appeal", None)  # the reverse one-to-one, or None
    form = AppealForm(posted(request))
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            attendance.appeal_submit(
                actor=request_user(request), booking=booking, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request, _("Your appeal is sent; the space's managers will answer it.")
            )
            return redirect("spaces_mine", slug=community.slug)
    return render(
        request,
        "spaces/appeal_form.html",
        {"community": community, "booking": booking, "appeal": existing, "form": form},
    )


@login_required
@require_GET
def appeals(request: HttpRequest, slug: str) -> HttpResponse:
    """The managers' queue of open appeals against no-shows."""
    community = _community(request, slug)
    if not selectors.manages_any(community, request.user):
        raise Http404
    return render(
        request,
        "spaces/appeals.html",
        {
            "community": community,
            "appeals": selectors.appeals_for(community, request.user),
            "me": request.user.pk,
        },
    )


@login_required
@require_POST
def appeal_decide(request: HttpRequest, slug: str, appeal_id: int) -> HttpResponse:
    community = _community(request, slug)
    appeal = selectors.appeal_for_manager(community, request.user, appeal_id)
    form = AppealDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether the no-show stands."))
        return redirect("spaces_appeals", slug=community.slug)
    actor = request_user(request)
    overturn = form.cleaned_data["overturn"]
    _done(
        request,
        lambda: attendance.appeal_decide(
            actor=actor, appeal=appeal, overturn=overturn, answer=form.cleaned_data["answer"]
        ),
        _("The no-show is withdrawn.") if overturn else _("The no-show stands."),
    )
    return redirect("spaces_appeals", slug=community.slug)


# --- Things lent out -------------------------------------------------------------------------


@require_GET
def resources(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    may_manage = lending.may_manage_resources(request.user, community)
    items = list(selectors.resources(community, active_only=not may_manage))
    for item in items:
        item.left = selectors.left_of(item)  # type: ignore[attr-defined]
    return render(
        request,
        "spaces/resources.html",
        {"community": community, "resources": items, "may_manage": may_manage},
    )


def _resource_fields(form: ResourceForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "kind": data["kind"],
        "quantity": data["quantity"],
        "loan_days": data["loan_days"],
        "note": data["note"],
        "kept_at": data["kept_at"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def resource_form(request: HttpRequest, slug: str, resource_id: int | None = None) -> HttpResponse:
    """Add an item, or change one (community workers)."""
    community = _community(request, slug)
    if not lending.may_manage_resources(request.user, community):
        raise Http404
    resource: Resource | None = None
    initial: dict[str, Any] = {}
    if resource_id is not None:
        resource = selectors.resource_get(community, resource_id, request.user)
        initial = {
            "name": resource.name,
            "kind": resource.kind,
            "quantity": resource.quantity,
            "loan_days": resource.loan_days,
            "kept_at": resource.kept_at_id,
            "note": resource.note,
            "active": resource.active,
        }
    form = ResourceForm(posted(request), initial=initial, community=community)
    if request.method == "POST" and form.is_valid():
        actor = request_user(request)
        try:
            if resource is None:
                saved = lending.resource_create(
                    actor=actor, community=community, **_resource_fields(form)
                )
            else:
                saved = lending.resource_update(
                    actor=actor,
                    resource=resource,
                    active=form.cleaned_data["active"],
                    **_resource_fields(form),
                )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": saved.name})
            return redirect("spaces_resource", slug=community.slug, resource_id=saved.pk)
    return render(
        request,
        "spaces/resources_form.html",
        {"community": community, "resource": resource, "form": form},
    )


def _resource_page(
    request: HttpRequest, community: Community, resource: Resource, lend_form: LendForm
) -> HttpResponse:
    may_lend = lending.may_lend(request.user, resource)
    return render(
        request,
        "spaces/resources_detail.html",
        {
            "community": community,
            "resource": resource,
            "left": selectors.left_of(resource),
            "may_lend": may_lend,
            "may_manage": lending.may_manage_resources(request.user, community),
            "loans": list(selectors.loans_of(resource)) if may_lend else [],
            "today": timezone.localdate(),
            "form": lend_form,
            "me": request.user.pk,
        },
        status=400 if lend_form.errors else 200,
    )


@require_GET
def resource_detail(request: HttpRequest, slug: str, resource_id: int) -> HttpResponse:
    community = _community(request, slug)
    resource = selectors.resource_get(community, resource_id, request.user)
    return _resource_page(request, community, resource, LendForm())


@login_required
@require_POST
def loan_lend(request: HttpRequest, slug: str, resource_id: int) -> HttpResponse:
    """Lend the item to a resident found by phone number."""
    community = _community(request, slug)
    resource = selectors.resource_get(community, resource_id, request.user)
    if not lending.may_lend(request.user, resource):
        raise Http404
    form = LendForm(request.POST)
    if form.is_valid():
        try:
            borrower = member_by_phone(phone=form.cleaned_data["phone"], community=community)
            lending.loan_lend(
                actor=request_user(request),
                resource=resource,
                borrower=borrower,
                count=form.cleaned_data["count"],
                due_on=form.cleaned_data["due_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request,
                _("%(count)d × %(name)s lent to %(person)s.")
                % {"count": form.cleaned_data["count"], "name": resource.name, "person": borrower},
            )
            return redirect("spaces_resource", slug=community.slug, resource_id=resource.pk)
    fresh = selectors.resource_get(community, resource_id, request.user)
    return _resource_page(request, community, fresh, form)


@login_required
@require_POST
def loan_return(request: HttpRequest, slug: str, loan_id: int) -> HttpResponse:
    community = _community(request, slug)
    loan = selectors.loan_for_lender(community, request.user, loan_id)
    actor = request_user(request)
    _done(
        request,
        lambda: lending.loan_return(actor=actor, loan=loan),
        _("%(name)s is back.") % {"name": loan.resource.name},
    )
    return redirect("spaces_resource", slug=community.slug, resource_id=loan.resource_id)


urlpatterns: list[URLPattern] = [
    path("<int:space_id>/desk/", desk, name="spaces_desk"),
    path("bookings/<int:booking_id>/fee/", fee_paid, name="spaces_fee_paid"),
    path("bookings/<int:booking_id>/appeal/", appeal_form, name="spaces_appeal"),
    path("appeals/", appeals, name="spaces_appeals"),
    path("appeals/<int:appeal_id>/decide/", appeal_decide, name="spaces_appeal_decide"),
    path("resources/", resources, name="spaces_resources"),
    path("resources/new/", resource_form, name="spaces_resource_new"),
    path("resources/<int:resource_id>/", resource_detail, name="spaces_resource"),
    path("resources/<int:resource_id>/edit/", resource_form, name="spaces_resource_edit"),
    path("resources/<int:resource_id>/lend/", loan_lend, name="spaces_loan_lend"),
    path("loans/<int:loan_id>/return/", loan_return, name="spaces_loan_return"),
]
