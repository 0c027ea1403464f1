"""API routes of the certificate part, mounted at /api/v1/: a volunteer's own certificates, a
worker issuing one, the public verification of a certificate by its token, and the community's
published keys (JWK Set). Refusals are 400 with the service's code (``own_certificate``,
``no_hours``, ``issuer_missing``, ``bad_period``, ``id_not_masked``); a volunteer the caller may
not issue for is 404, as a missing one. The records export is a page (CSV/XLSX), not a route."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import rules
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import SessionAuth

from gongzhi.accounts.api import TokenAuth
from gongzhi.core.http import api_user
from gongzhi.core.selectors import community_get
from gongzhi.volunteering import certificate_selectors, certificates, selectors
from gongzhi.volunteering.models import Certificate, Volunteer

router = Router(tags=["volunteering"])

C = "/communities/{slug}/volunteering"


def _anyone(request: HttpRequest) -> Any:
    return AnonymousUser()


#: Verification and keys answer everyone: a certificate is checked without an account.
PUBLIC = [TokenAuth(), SessionAuth(), _anyone]


class CertificateOut(Schema):
    id: int
    number: str
    token: str = Field(..., description="The public token: the verification page's address.")
    holder_name: str
    period_from: date
    period_to: date
    credited_minutes: int
    hours: str
    content: str
    issuer_name: str
    responsible_name: str
    handler_name: str
    issued_on: date
    kid: str
    credential: str = Field(..., description="The signed credential (a vc+jwt, EdDSA).")
    revoked_at: datetime | None
    revoked_reason: str
    verify_url: str


class CertificateIssueIn(Schema):
    period_from: date
    period_to: date
    holder_id_masked: str = Field("", description="The ID number masked (110***1234), or empty.")


class VerificationOut(Schema):
    number: str
    holder: str = Field(..., description="The holder's name, masked (王*芳).")
    minutes: int
    hours: str
    period_from: date
    period_to: date
    content: str
    issuer: str
    responsible: str
    handler: str
    issued_on: date
    valid: bool = Field(..., description="False once revoked (hours it counted were reversed).")
    revoked_at: datetime | None
    revoked_reason: str
    kid: str
    credential: str


class JwkOut(Schema):
    kty: str
    crv: str
    x: str
    kid: str
    use: str
    alg: str


class JwksOut(Schema):
    keys: list[JwkOut]


def _out(request: HttpRequest, certificate: Certificate) -> dict[str, Any]:
    from gongzhi.volunteering import credentials

    return {
        "id": certificate.pk,
        "number": certificate.number,
        "token": str(certificate.token),
        "holder_name": certificate.holder_name,
        "period_from": certificate.period_from,
        "period_to": certificate.period_to,
        "credited_minutes": certificate.credited_minutes,
        "hours": credentials.hours_text(certificate.credited_minutes),
        "content": certificate.content,
        "issuer_name": certificate.issuer_name,
        "responsible_name": certificate.responsible_name,
        "handler_name": certificate.handler_name,
        "issued_on": certificate.issued_on,
        "kid": certificate.signing_key.kid,
        "credential": certificate.credential,
        "revoked_at": certificate.revoked_at,
        "revoked_reason": certificate.revoked_reason,
        "verify_url": request.build_absolute_uri(certificates.verify_path(certificate)),
    }


def _public_community(slug: str) -> Any:
    from gongzhi.core.models import Community

    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise Http404
    return community


@router.get(
    C + "/volunteers/me/certificates",
    response=list[CertificateOut],
    summary="My volunteer service certificates",
)
def my_certificates(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    volunteer = selectors.volunteer_for(user, community.pk)
    if volunteer is None:
        return []
    found = (
        Certificate.objects.in_community(community)
        .filter(volunteer=volunteer)
        .select_related("community", "signing_key")
        .order_by("-issued_at", "-pk")
    )
    return [_out(request, certificate) for certificate in found]


@router.post(
    C + "/volunteers/{volunteer_id}/certificates",
    response={201: CertificateOut},
    summary="Issue a volunteer service certificate (a community worker; never one's own)",
)
def certificate_issue(
    request: HttpRequest, slug: str, volunteer_id: int, payload: CertificateIssueIn
) -> Status[dict[str, Any]]:
    user = api_user(request)
    community = community_get(slug=slug, user=user)
    volunteer = (
        Volunteer.objects.in_community(community)
        .select_related("person", "community")
        .filter(pk=volunteer_id)
        .first()
    )
    if volunteer is None or not rules.has_perm("volunteering.issue_certificate", user, volunteer):
        raise Http404
    certificate = certificates.certificate_issue(
        actor=user,
        volunteer=volunteer,
        period_from=payload.period_from,
        period_to=payload.period_to,
        holder_id_masked=payload.holder_id_masked,
        site=request.build_absolute_uri("/").rstrip("/"),
    )
    return Status(201, _out(request, certificate))


@router.get(
    C + "/certificates/{token}",
    response=VerificationOut,
    auth=PUBLIC,
    summary="Check a certificate by its public token (anyone): its facts and whether revoked",
)
def certificate_verify(request: HttpRequest, slug: str, token: str) -> dict[str, Any]:
    community = _public_community(slug)
    certificate = certificate_selectors.certificate_by_token(community=community, token=token)
    return certificate_selectors.public_view(certificate)


@router.get(
    C + "/keys",
    response=JwksOut,
    auth=PUBLIC,
    summary="The community's certificate signing keys, as a JWK Set (active and retired)",
)
def signing_keys(request: HttpRequest, slug: str) -> dict[str, Any]:
    return certificate_selectors.jwks_of(_public_community(slug))
