"""Pages of partners (共建单位): the community's page of partners and their services (its
members rate them there), the staff's agreement pages, and the street's view across its
communities (``street_partners``, routed in gongzhi/urls.py at /streets/<id>/partners/)."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.bodies import partners
from gongzhi.bodies.models import Agreement
from gongzhi.bodies.partner_forms import (
    AgreementForm,
    ContributionForm,
    PartnerForm,
    RatingForm,
    ServiceForm,
)
from gongzhi.core.files import serve_upload
from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.models import Street
from gongzhi.core.selectors import community_get
from gongzhi.disclosure.money import yuan

# --- The community's page -------------------------------------------------------------------


@login_required
@require_GET
def partner_list(request: HttpRequest, slug: str) -> HttpResponse:
    """共建单位与服务: the partners working with the community and what they offer."""
    community = community_get(slug=slug, user=request.user, perm="bodies.view_partners")
    can_manage = rules.has_perm("bodies.manage_partners", request.user, community)
    rows = partners.community_agreements(community=community, in_force_only=not can_manage)
    mine = partners.my_ratings(community=community, user=request.user)
    for row in rows:
        for service, _summary in row.services:
            service.my_rating = mine.get(service.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "bodies/partner_list.html",
        {
            "community": community,
            "rows": rows,
            "can_rate": rules.has_perm("bodies.rate_partner_service", request.user, community),
            "can_manage": can_manage,
            "min_ratings": partners.min_ratings(),
        },
    )


@login_required
@require_POST
def partner_service_rate(request: HttpRequest, slug: str, service_id: int) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="bodies.view_partners")
    service = partners.service_get(community=community, service_id=service_id)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the service from 1 to 5 stars."))
        return redirect("partner_list", slug=slug)
    try:
        partners.service_rate(actor=request_user(request), service=service, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Thank you: your rating is saved."))
    return redirect("partner_list", slug=slug)


# --- Agreements (staff) ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def partner_agreement_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_get(slug=slug, user=request.user, perm="bodies.manage_partners")
    form = AgreementForm(
        posted(request),
        request.FILES or None,
        partners=partners.partner_choices(community=community),
    )
    if request.method == "POST" and form.is_valid():
        try:
            agreement = partners.agreement_sign(
                actor=request_user(request), community=community, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The agreement is recorded."))
            return redirect("partner_agreement_detail", slug=slug, agreement_id=agreement.pk)
    return render(
        request, "bodies/partner_agreement_form.html", {"community": community, "form": form}
    )


def _staff_agreement(request: HttpRequest, slug: str, agreement_id: int) -> Agreement:
    community = community_get(slug=slug, user=request.user, perm="bodies.manage_partners")
    return partners.agreement_get(community=community, agreement_id=agreement_id)


def _agreement_page(request: HttpRequest, agreement: Agreement, **forms: Any) -> HttpResponse:
    community = agreement.community
    rows = partners.community_agreements(community=community, in_force_only=False)
    row = next(r for r in rows if r.agreement.pk == agreement.pk)
    can_contribute = rules.has_perm("bodies.record_contribution", request.user, community)
    comments = partners.service_comments(agreement=agreement)
    for service, _summary in row.services:
        service.comments = comments.get(service.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "bodies/partner_agreement_detail.html",
        {
            "community": community,
            "row": row,
            "agreement": agreement,
            "contributions": [
                (c, yuan(c.value_fen))
                for c in partners.agreement_contributions(agreement=agreement)
            ],
            "service_form": forms.get("service_form") or ServiceForm(),
            "contribution_form": (forms.get("contribution_form") or ContributionForm())
            if can_contribute
            else None,
        },
        status=400 if forms else 200,
    )


@login_required
@require_GET
def partner_agreement_detail(request: HttpRequest, slug: str, agreement_id: int) -> HttpResponse:
    return _agreement_page(request, _staff_agreement(request, slug, agreement_id))


@login_required
@require_POST
def partner_service_create(request: HttpRequest, slug: str, agreement_id: int) -> HttpResponse:
    agreement = _staff_agreement(request, slug, agreement_id)
    form = ServiceForm(request.POST)
    if form.is_valid():
        try:
            partners.service_add(
                actor=request_user(request), agreement=agreement, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The service is added."))
            return redirect("partner_agreement_detail", slug=slug, agreement_id=agreement.pk)
    return _agreement_page(request, agreement, service_form=form)


@login_required
@require_POST
def partner_contribution_create(request: HttpRequest, slug: str, agreement_id: int) -> HttpResponse:
    agreement = _staff_agreement(request, slug, agreement_id)
    form = ContributionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            partners.contribution_record(
                actor=request_user(request),
                community=agreement.community,
                agreement=agreement,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The contribution is recorded."))
            return redirect("partner_agreement_detail", slug=slug, agreement_id=agreement.pk)
    return _agreement_page(request, agreement, contribution_form=form)


class _Document:
    """An agreement's PDF as ``serve_upload`` reads a stored upload (only PDFs are accepted)."""

    content_type = "application/pdf"

    def __init__(self, agreement: Agreement) -> None:
        self.file = agreement.document
        self.name = agreement.document_name


@login_required
@require_GET
def partner_agreement_document(request: HttpRequest, slug: str, agreement_id: int) -> FileResponse:
    community = community_get(slug=slug, user=request.user, perm="bodies.view_partner_document")
    agreement = partners.agreement_get(community=community, agreement_id=agreement_id)
    if not agreement.document:
        raise Http404
    return serve_upload(_Document(agreement), download=True)


# --- The street's view ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def street_partners(request: HttpRequest, street_id: int) -> HttpResponse:
    """The street's partners across its communities; its officials register new ones here."""
    street = get_object_or_404(Street, pk=street_id)
    if not rules.has_perm("bodies.view_street_partners", request.user, street):
        raise Http404
    form = PartnerForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            partners.partner_create(actor=request_user(request), street=street, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("The partner is registered."))
            return redirect("street_partners", street_id=street.pk)
    rows = partners.street_partners(street=street)
    return render(
        request,
        "bodies/partner_street.html",
        {
            "street": street,
            "rows": [(row, yuan(row.money_fen)) for row in rows],
            "form": form,
            "min_ratings": partners.min_ratings(),
        },
    )


urlpatterns: list[URLPattern] = [
    path("partners/", partner_list, name="partner_list"),
    path(
        "partners/services/<int:service_id>/rate/",
        partner_service_rate,
        name="partner_service_rate",
    ),
    path("partners/agreements/new/", partner_agreement_create, name="partner_agreement_create"),
    path(
        "partners/agreements/<int:agreement_id>/",
        partner_agreement_detail,
        name="partner_agreement_detail",
    ),
    path(
        "partners/agreements/<int:agreement_id>/services/",
        partner_service_create,
        name="partner_service_create",
    ),
    path(
        "partners/agreements/<int:agreement_id>/contributions/",
        partner_contribution_create,
        name="partner_contribution_create",
    ),
    path(
        "partners/agreements/<int:agreement_id>/document/",
        partner_agreement_document,
        name="partner_agreement_document",
    ),
]
