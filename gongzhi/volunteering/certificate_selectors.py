"""Reads of the certificate part that pages and the API share.

``hub`` and ``mine`` feed the volunteering home page and a volunteer's own page (views.py,
owned by the core part): each returns the context its partial
(``volunteering/_hub_certificate.html``, ``volunteering/_mine_certificate.html``) reads as
``hub_certificate`` / ``mine_certificate``."""

from __future__ import annotations

import uuid
from typing import Any

import rules
from django.http import Http404

from gongzhi.core.masking import mask_name
from gongzhi.volunteering import credentials
from gongzhi.volunteering.models import Certificate, SigningKey, Volunteer


def hub(community: Any, viewer: Any) -> dict[str, Any]:
    """What the volunteering home page shows of this part to ``viewer`` (may be anonymous):
    everyone, how to check a certificate; staff, the records export and the signing keys."""
    return {
        "can_export": rules.has_perm("volunteering.export_records", viewer, community),
        "can_rotate": rules.has_perm("volunteering.rotate_signing_key", viewer, community),
    }


def mine(community: Any, user: Any, volunteer: Any) -> dict[str, Any]:
    """What a person's own volunteering page shows of this part (``volunteer`` may be None)."""
    if volunteer is None:
        return {"certificates": []}
    return {"certificates": certificates_of(volunteer)}


def certificates_of(volunteer: Volunteer) -> list[Certificate]:
    """A volunteer's certificates, newest first (revoked ones too: they say so)."""
    return list(
        Certificate.objects.in_community(volunteer.community_id)
        .filter(volunteer=volunteer)
        .order_by("-issued_at", "-pk")
    )


def certificate_get(*, community: Any, user: Any, certificate_id: int) -> Certificate:
    """A certificate for its holder and staff (``view_certificate``); else 404, as missing."""
    certificate = (
        Certificate.objects.in_community(community)
        .select_related("community", "volunteer__person", "signing_key")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None or not rules.has_perm(
        "volunteering.view_certificate", user, certificate
    ):
        raise Http404
    return certificate


def certificate_by_token(*, community: Any, token: Any) -> Certificate:
    """The certificate whose public token this is (the QR code's), or 404."""
    try:
        value = uuid.UUID(str(token))
    except ValueError as error:
        raise Http404 from error
    certificate = (
        Certificate.objects.in_community(community)
        .select_related("community", "signing_key")
        .filter(token=value)
        .first()
    )
    if certificate is None:
        raise Http404
    return certificate


def jwks_of(community: Any) -> dict[str, list[dict[str, str]]]:
    """The community's JWK Set: every signing key it ever had, active and retired."""
    keys = SigningKey.objects.in_community(community).order_by("created_at", "pk")
    return credentials.jwks(keys.values_list("public_key", "kid"))


def signing_keys(community: Any) -> list[SigningKey]:
    return list(SigningKey.objects.in_community(community).order_by("-created_at", "-pk"))


def public_view(certificate: Certificate) -> dict[str, Any]:
    """What the public verification page and API show: the holder's name masked."""
    return {
        "number": certificate.number,
        "holder": mask_name(certificate.holder_name),
        "minutes": certificate.credited_minutes,
        "hours": credentials.hours_text(certificate.credited_minutes),
        "period_from": certificate.period_from,
        "period_to": certificate.period_to,
        "content": certificate.content,
        "issuer": certificate.issuer_name,
        "responsible": certificate.responsible_name,
        "handler": certificate.handler_name,
        "issued_on": certificate.issued_on,
        "valid": certificate.revoked_at is None,
        "revoked_at": certificate.revoked_at,
        "revoked_reason": certificate.revoked_reason,
        "kid": certificate.signing_key.kid,
        "credential": certificate.credential,
    }
