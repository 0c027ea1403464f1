"""Certificates (志愿服务证明, 民政部令第67号) and the keys that sign their credentials.

- ``signing_key_active`` gives the community's active Ed25519 key, made on first use;
  ``signing_key_rotate`` retires it and makes a new one. A retired key is never deleted: its
  public half stays in the community's published JWK Set (``keys.json``), so every certificate
  it signed still verifies. Private halves are stored only encrypted under
  ``settings.CREDENTIAL_KEY``, which lives outside the database (docs/operations.md).
- ``certificate_issue``: a worker (the handler, 经办人) certifies a volunteer's confirmed hours
  in a period; the number is allocated under a lock on the active key's row (one issuer at a
  time per community) and is unique in the database.
- ``on_entry_reversed``: the ledger calls it when it reverses an entry; every certificate that
  counted the entry is revoked, and its public page says so.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.masking import mask_name
from gongzhi.core.numbering import next_number, numbered_prefix
from gongzhi.core.policies import require
from gongzhi.volunteering import credentials
from gongzhi.volunteering.models import (
    Certificate,
    HoursEntry,
    HoursEntryKind,
    SigningKey,
    Volunteer,
)
from gongzhi.volunteering.selectors import settings_for

#: Pseudonymous subject ids: a volunteer is the same urn:uuid on every certificate of a
#: community, and the id says nothing about who they are.
SUBJECT_NAMESPACE = uuid.UUID("5b0b6a2e-0d4b-4f57-9a53-3f1d8b6f2c11")


def passphrase() -> bytes:
    return str(settings.CREDENTIAL_KEY).encode("utf-8")


def site_origin(site: str = "") -> str:
    """``https://host`` the credential's URLs start with: the request's origin when a page or
    the API issues, else the first configured host name."""
    if site:
        return site.rstrip("/")
    hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", "")]
    return f"https://{hosts[0] if hosts else 'localhost'}"


def issuer_url(community: Any, site: str = "") -> str:
    return f"{site_origin(site)}/c/{community.slug}/volunteering/"


def verify_path(certificate: Certificate) -> str:
    return reverse(
        "volunteering_certificate_verify",
        kwargs={"slug": certificate.community.slug, "token": certificate.token},
    )


def _new_key(community: Any, by: Any) -> SigningKey:
    pair = credentials.generate(passphrase())
    return SigningKey.objects.create(
        community=community,
        kid=pair.kid,
        public_key=pair.public_pem,
        private_key=pair.private_pem,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )


def _active(community: Any) -> SigningKey | None:
    return SigningKey.objects.in_community(community).filter(retired_at__isnull=True).first()


def signing_key_active(community: Any, *, by: Any = None) -> SigningKey:
    """The community's active signing key; the first is made on demand (two first issuers at
    once: the database's one-active-key constraint keeps one, the other reads it)."""
    found = _active(community)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return _new_key(community, by)
    except IntegrityError:
        found = _active(community)
        if found is None:
            raise
        return found


def signing_key_rotate(*, actor: Any, community: Any) -> SigningKey:
    """Retire the active key (it stays published) and sign from now on with a new one."""
    require(
        "volunteering.rotate_signing_key",
        actor,
        community,
        _("Only a community worker may rotate the key that signs certificates."),
    )
    with transaction.atomic():
        signing_key_active(community, by=actor)
        old = (
            SigningKey.objects.in_community(community)
            .select_for_update()
            .get(retired_at__isnull=True)
        )
        old.retired_at = timezone.now()
        old.save(update_fields=["retired_at"])
        new = _new_key(community, actor)
        journal.record(
            community=community,
            actor=actor,
            verb="signing_key.rotated",
            target=new,
            data={"retired": old.kid, "kid": new.kid},
        )
    return new


# --- issuing -----------------------------------------------------------------------------------


def counted_entries(volunteer: Volunteer, period_from: date, period_to: date) -> Any:
    """The service entries a certificate for the period counts: served in it, not reversed."""
    return HoursEntry.objects.in_community(volunteer.community_id).filter(
        volunteer=volunteer,
        kind=HoursEntryKind.SERVICE,
        served_on__gte=period_from,
        served_on__lte=period_to,
        reversed_by__isnull=True,
    )


def _next_number(community: Any, year: int) -> str:
    return next_number(
        Certificate.objects.in_community(community), numbered_prefix(community.slug, year)
    )


def subject_id(volunteer: Volunteer) -> str:
    return f"urn:uuid:{uuid.uuid5(SUBJECT_NAMESPACE, f'{volunteer.community_id}:{volunteer.pk}')}"


def _name_of(user: Any) -> str:
    return (getattr(user, "display_name", "") or str(user)).strip()[:60]


def certificate_issue(
    *,
    actor: Any,
    volunteer: Volunteer,
    period_from: date,
    period_to: date,
    holder_id_masked: str = "",
    site: str = "",
) -> Certificate:
    """Certify ``volunteer``'s confirmed hours served from ``period_from`` to ``period_to``."""
    require(
        "volunteering.issue_certificate",
        actor,
        volunteer,
        _("Only a community worker may issue volunteer service certificates."),
    )
    if volunteer.person_id == actor.pk:
        raise ValidationError(
            _("Nobody issues a certificate for their own hours: ask another worker."),
            code="own_certificate",
        )
    if period_to < period_from:
        raise ValidationError(_("The period ends before it starts."), code="bad_period")
    if holder_id_masked and "*" not in holder_id_masked:
        raise ValidationError(
            _("Give the ID number masked (for example 110***********1234), never in full."),
            code="id_not_masked",
        )
    rules = settings_for(volunteer.community_id)
    if not rules.issuer_name.strip() or not rules.responsible_name.strip():
        raise ValidationError(
            _(
                "Name the issuing organisation and the person responsible in the volunteering "
                "settings before issuing certificates."
            ),
            code="issuer_missing",
        )
    community = volunteer.community
    with transaction.atomic():
        active = signing_key_active(community, by=actor)
        # The lock serialises issuing in the community: numbers are allocated one at a time.
        key = SigningKey.objects.in_community(community).select_for_update().get(pk=active.pk)
        if key.retired_at is not None:  # rotated meanwhile
            key = (
                SigningKey.objects.in_community(community)
                .select_for_update()
                .get(retired_at__isnull=True)
            )
        entries = list(
            counted_entries(volunteer, period_from, period_to).select_related("activity")
        )
        minutes = sum(entry.credited_minutes for entry in entries)
        if minutes <= 0:
            raise ValidationError(
                _("%(name)s has no confirmed hours between %(start)s and %(end)s.")
                % {"name": _name_of(volunteer.person), "start": period_from, "end": period_to},
                code="no_hours",
            )
        titles = sorted({entry.activity.title for entry in entries})
        now = timezone.now()
        certificate = Certificate(
            community=community,
            number=_next_number(community, timezone.localdate(now).year),
            volunteer=volunteer,
            holder_name=_name_of(volunteer.person),
            holder_id_masked=holder_id_masked.strip(),
            period_from=period_from,
            period_to=period_to,
            credited_minutes=minutes,
            content="；".join(titles),
            issuer_name=rules.issuer_name.strip(),
            responsible_name=rules.responsible_name.strip(),
            handler=actor,
            handler_name=_name_of(actor),
            seal=rules.seal.name if rules.seal else "",
            issued_on=timezone.localdate(now),
            issued_at=now,
            signing_key=key,
        )
        facts = credentials.CertificateFacts(
            token=str(certificate.token),
            number=certificate.number,
            issuer_url=issuer_url(community, site),
            issuer_name=certificate.issuer_name,
            subject_id=subject_id(volunteer),
            holder_name=mask_name(certificate.holder_name),
            holder_id_masked=certificate.holder_id_masked,
            credited_minutes=minutes,
            period_from=period_from,
            period_to=period_to,
            content=certificate.content,
            responsible_name=certificate.responsible_name,
            handler_name=certificate.handler_name,
            issued_at=now,
            status_url=site_origin(site) + verify_path(certificate),
        )
        certificate.credential = credentials.sign(
            credentials.claims(facts), key.private_key, passphrase(), key.kid
        )
        certificate.save()
        certificate.entries.set(entries)
        journal.record(
            community=community,
            actor=actor,
            verb="certificate.issued",
            target=certificate,
            data={"number": certificate.number, "minutes": minutes, "kid": key.kid},
        )
        _notify(certificate, "issued")
    return certificate


def _notify(certificate: Certificate, message: str, **params: Any) -> None:
    from gongzhi.core.notify import send

    person = certificate.volunteer.person
    url = reverse(
        "volunteering_certificate_detail",
        kwargs={"slug": certificate.community.slug, "certificate_id": certificate.pk},
    )
    transaction.on_commit(
        lambda: send(
            users=[person],
            community=certificate.community,
            kind="volunteer_certificate",
            message=message,
            params={"number": certificate.number, **params},
            url=url,
        )
    )


def on_entry_reversed(*, entry: Any, reversal: Any) -> None:
    """Called by ``ledger.hours_reverse`` inside its transaction: a certificate that counted
    ``entry`` is revoked (its verification page says so)."""
    counted = (
        Certificate.objects.in_community(entry.community_id)
        .select_for_update(of=("self",))
        .filter(entries=entry, revoked_at__isnull=True)
        .select_related("community", "volunteer__person")
    )
    for certificate in counted:
        certificate.revoked_at = timezone.now()
        certificate.revoked_reason = (reversal.reason or "")[:300]
        certificate.save(update_fields=["revoked_at", "revoked_reason"])
        journal.record(
            community=certificate.community,
            actor=getattr(reversal, "confirmed_by", None),
            verb="certificate.revoked",
            target=certificate,
            data={"number": certificate.number, "entry": entry.pk, "reversal": reversal.pk},
        )
        _notify(certificate, "revoked", reason=certificate.revoked_reason)


def credited_total(certificate: Certificate) -> int:
    """The minutes of the entries a certificate counted (equal to its own figure at issue)."""
    return int(certificate.entries.aggregate(total=Sum("credited_minutes"))["total"] or 0)
