"""Pages of the certificate part: a worker issues a certificate from a volunteer's record; the
holder and staff see it and download its PDF; anyone checks it on its public page (the QR
code's target) or pastes a credential to check; the community's keys are public as a JWK Set;
staff export the records for the national system and rotate the signing key."""

from __future__ import annotations

import io
from typing import Any

import rules
import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.http import error_text, posted, request_user
from gongzhi.core.models import Community
from gongzhi.core.pdf import Heading, Image, Table, pdf_response, render_pdf
from gongzhi.core.selectors import community_get
from gongzhi.volunteering import certificate_selectors as selectors
from gongzhi.volunteering import certificates, credentials, records
from gongzhi.volunteering.certificate_forms import (
    CertificateIssueForm,
    CredentialCheckForm,
    RecordsExportForm,
)
from gongzhi.volunteering.models import Certificate, Volunteer


def _community(request: HttpRequest, slug: str) -> Community:
    return community_get(slug=slug, user=request.user)


def _public_community(slug: str) -> Community:
    """The community by its address, for the public pages (verification, keys): anyone."""
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise Http404
    return community


def _origin(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@login_required
@require_http_methods(["GET", "POST"])
def certificate_issue(request: HttpRequest, slug: str, volunteer_id: int) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    volunteer = (
        Volunteer.objects.in_community(community)
        .select_related("person")
        .filter(pk=volunteer_id)
        .first()
    )
    if volunteer is None or not rules.has_perm("volunteering.issue_certificate", user, volunteer):
        raise Http404
    form = CertificateIssueForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            certificate = certificates.certificate_issue(
                actor=user,
                volunteer=volunteer,
                period_from=form.cleaned_data["period_from"],
                period_to=form.cleaned_data["period_to"],
                holder_id_masked=form.cleaned_data["holder_id_masked"],
                site=_origin(request),
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request, _("Certificate %(number)s issued.") % {"number": certificate.number}
            )
            return redirect(
                "volunteering_certificate_detail", slug=slug, certificate_id=certificate.pk
            )
    return render(
        request,
        "volunteering/certificate_issue.html",
        {
            "community": community,
            "volunteer": volunteer,
            "form": form,
            "certificates": selectors.certificates_of(volunteer),
        },
    )


def _certificate(request: HttpRequest, slug: str, certificate_id: int) -> Certificate:
    community = _community(request, slug)
    return selectors.certificate_get(
        community=community, user=request.user, certificate_id=certificate_id
    )


@login_required
@require_GET
def certificate_detail(request: HttpRequest, slug: str, certificate_id: int) -> HttpResponse:
    certificate = _certificate(request, slug, certificate_id)
    return render(
        request,
        "volunteering/certificate_detail.html",
        {
            "community": certificate.community,
            "certificate": certificate,
            "public": selectors.public_view(certificate),
            "verify_url": request.build_absolute_uri(certificates.verify_path(certificate)),
        },
    )


def certificate_pdf_bytes(certificate: Certificate, verify_url: str) -> bytes:
    """The printed certificate: every field of 67号, the seal, a QR code to its public page."""
    hours = credentials.hours_text(certificate.credited_minutes)
    rows = [
        [_("Certificate number"), certificate.number],
        [pgettext("a person", "Volunteer"), certificate.holder_name],
        [_("ID number"), certificate.holder_id_masked or "—"],
        [
            _("Period of service"),
            f"{certificate.period_from.isoformat()} – {certificate.period_to.isoformat()}",
        ],
        [_("Hours of service"), hours],
        [_("Content of service"), certificate.content],
        [_("Issuing organisation"), certificate.issuer_name],
        [_("Person responsible"), certificate.responsible_name],
        [_("Handler"), certificate.handler_name],
        [_("Issued on"), certificate.issued_on.isoformat()],
    ]
    blocks: list[Any] = [
        _(
            "This is to certify that %(name)s took part in volunteer service from %(start)s to "
            "%(end)s, %(hours)s hours in total, as recorded and confirmed by the organisers."
        )
        % {
            "name": certificate.holder_name,
            "start": certificate.period_from.isoformat(),
            "end": certificate.period_to.isoformat(),
            "hours": hours,
        },
        Table(
            header=[pgettext("a line of a certificate", "Item"), _("Details")],
            rows=rows,
            widths=(1, 3),
        ),
    ]
    if certificate.revoked_at is not None:
        blocks.insert(0, Heading(_("REVOKED: hours it counted were reversed.")))
    seal = _seal_bytes(certificate)
    if seal:
        blocks.append(Image(seal, width=40, caption=certificate.issuer_name))
    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=4, border=2)
    blocks.append(
        Image(
            qr.getvalue(),
            width=32,
            caption=_("Scan to check this certificate: %(url)s") % {"url": verify_url},
        )
    )
    return render_pdf(_("Volunteer service certificate"), blocks, author=certificate.issuer_name)


def _seal_bytes(certificate: Certificate) -> bytes:
    if not certificate.seal:
        return b""
    from django.core.files.storage import default_storage

    try:
        with default_storage.open(certificate.seal, "rb") as seal:
            data: bytes = seal.read()
    except OSError:
        return b""
    # fpdf2 draws PNG and JPEG; anything else is left off rather than failing the download.
    return data if data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff" else b""


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, slug: str, certificate_id: int) -> HttpResponse:
    certificate = _certificate(request, slug, certificate_id)
    verify_url = request.build_absolute_uri(certificates.verify_path(certificate))
    return pdf_response(
        certificate_pdf_bytes(certificate, verify_url),
        filename=f"志愿服务证明-{certificate.number}.pdf",
        inline=False,
    )


@require_GET
def certificate_verify(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    community = _public_community(slug)
    certificate = selectors.certificate_by_token(community=community, token=token)
    return render(
        request,
        "volunteering/verify.html",
        {
            "community": community,
            "public": selectors.public_view(certificate),
            "keys_url": request.build_absolute_uri(f"/c/{community.slug}/volunteering/keys.json"),
            "form": CredentialCheckForm(initial={"credential": certificate.credential}),
        },
    )


@require_http_methods(["GET", "POST"])
def credential_check(request: HttpRequest, slug: str) -> HttpResponse:
    """Paste a credential: its signature checked against the community's published keys."""
    community = _public_community(slug)
    form = CredentialCheckForm(posted(request))
    result: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            payload = credentials.verify(
                form.cleaned_data["credential"], selectors.jwks_of(community)
            )
        except credentials.CredentialError:
            result = {"valid": False}
        else:
            token = str(payload.get("jti", "")).removeprefix("urn:uuid:")
            found = None
            try:
                found = selectors.certificate_by_token(community=community, token=token)
            except Http404:
                pass
            result = {
                "valid": True,
                "subject": payload.get("credentialSubject", {}),
                "certificate": selectors.public_view(found) if found else None,
                "kid": credentials.header(form.cleaned_data["credential"]).get("kid"),
            }
    return render(
        request,
        "volunteering/verify_check.html",
        {"community": community, "form": form, "result": result},
    )


@require_GET
def signing_keys_json(request: HttpRequest, slug: str) -> HttpResponse:
    community = _public_community(slug)
    response = JsonResponse(selectors.jwks_of(community))
    response["Access-Control-Allow-Origin"] = "*"  # public keys: anyone's verifier may fetch them
    response["Cache-Control"] = "public, max-age=300"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def signing_keys_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    if not rules.has_perm("volunteering.rotate_signing_key", user, community):
        raise Http404
    if request.method == "POST":
        new = certificates.signing_key_rotate(actor=user, community=community)
        messages.success(
            request,
            _("A new key signs certificates from now on (%(kid)s). The old one stays published.")
            % {"kid": new.kid[:12]},
        )
        return redirect("volunteering_signing_keys", slug=slug)
    return render(
        request,
        "volunteering/certificate_keys.html",
        {
            "community": community,
            "keys": selectors.signing_keys(community),
            "keys_url": request.build_absolute_uri(f"/c/{community.slug}/volunteering/keys.json"),
        },
    )


@login_required
@require_GET
def records_export_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    user = request_user(request)
    if not rules.has_perm("volunteering.export_records", user, community):
        raise Http404
    form = RecordsExportForm(request.GET or None)
    if request.GET and form.is_valid():
        data = form.cleaned_data
        return records.records_export(
            actor=user,
            community=community,
            fmt=data["format"],
            table=data["table"] or "volunteers",
            period_from=data["period_from"],
            period_to=data["period_to"],
        )
    return render(
        request, "volunteering/records_export.html", {"community": community, "form": form}
    )


urlpatterns: list[URLPattern] = [
    path(
        "volunteers/<int:volunteer_id>/certificates/new/",
        certificate_issue,
        name="volunteering_certificate_issue",
    ),
    path(
        "certificates/<int:certificate_id>/",
        certificate_detail,
        name="volunteering_certificate_detail",
    ),
    path(
        "certificates/<int:certificate_id>/pdf/",
        certificate_pdf,
        name="volunteering_certificate_pdf",
    ),
    path(
        "certificates/verify/<str:token>/",
        certificate_verify,
        name="volunteering_certificate_verify",
    ),
    path("certificates/check/", credential_check, name="volunteering_credential_check"),
    path("keys.json", signing_keys_json, name="volunteering_keys_json"),
    path("signing-keys/", signing_keys_page, name="volunteering_signing_keys"),
    path("records/", records_export_page, name="volunteering_records_export"),
]
