"""Signed credentials for volunteer service certificates: Ed25519 keys, a W3C Verifiable
Credential shaped as an Open Badges 3.0 ``OpenBadgeCredential``, signed as a JWT.

No database and no settings: callers pass the passphrase (``settings.CREDENTIAL_KEY``) that
encrypts private keys, and the public keys to verify against.

Sources:
- W3C Verifiable Credentials Data Model 2.0 (``@context`` ``https://www.w3.org/ns/credentials/v2``,
  ``validFrom``, ``credentialStatus``) and *Securing Verifiable Credentials using JOSE and COSE*
  (VC-JOSE-COSE): the payload of the JWS is the credential itself, header ``typ`` ``vc+jwt``,
  ``cty`` ``vc``; the registered JWT claims ``iss``, ``sub``, ``jti``, ``nbf``, ``iat`` repeat
  the credential's issuer, subject, id and validity so plain JWT libraries check them too.
- 1EdTech Open Badges 3.0: ``OpenBadgeCredential``, issuer ``Profile``, ``AchievementSubject``
  with an ``Achievement``.
- RFC 8037 (Ed25519 as an ``OKP`` JWK, algorithm ``EdDSA``) and RFC 7638 (the key id is the
  key's JWK thumbprint, so the same key always has the same id).
- 民政部令第67号《志愿服务记录与证明出具办法》: a certificate states the volunteer's identity,
  the hours and content of service, the issuing organisation, the person responsible and the
  handler, a number and a date; they are carried in ``credentialSubject``.

Command line: ``python -m gongzhi.volunteering.credentials verify TOKEN_FILE --jwks JWKS_FILE``
prints ``valid=1 kid=… number=…`` or ``valid=0 error=…`` (exit status 1).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "EdDSA"
MEDIA_TYPE = "vc+jwt"  # the JOSE header typ of VC-JOSE-COSE
CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
ACHIEVEMENT_NAME = "志愿服务证明"


class CredentialError(Exception):
    """A credential that does not verify (bad signature, unknown key, malformed)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# --- keys --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPair:
    kid: str
    public_pem: str
    #: PKCS#8, encrypted under the passphrase
    private_pem: str


def generate(passphrase: bytes) -> KeyPair:
    """A new Ed25519 key; its private half encrypted under ``passphrase``."""
    if not passphrase:
        raise ValueError("a passphrase is needed to encrypt the private key")
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    ).decode("ascii")
    public_pem = _public_pem(private.public_key())
    return KeyPair(kid=thumbprint(public_pem), public_pem=public_pem, private_pem=private_pem)


def _public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def _raw_public(public_pem: str) -> bytes:
    public = serialization.load_pem_public_key(public_pem.encode("ascii"))
    if not isinstance(public, Ed25519PublicKey):
        raise CredentialError("not an Ed25519 public key")
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def load_private(private_pem: str, passphrase: bytes) -> Ed25519PrivateKey:
    """The private key; a wrong or missing passphrase raises ``ValueError`` or ``TypeError``."""
    private = serialization.load_pem_private_key(private_pem.encode("ascii"), password=passphrase)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return private


def thumbprint(public_pem: str) -> str:
    """RFC 7638: SHA-256 over the JWK's required members in lexicographic order."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": _b64(_raw_public(public_pem))}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode("ascii")
    return _b64(hashlib.sha256(canonical).digest())


def jwk(public_pem: str, kid: str) -> dict[str, str]:
    """The public key as a JWK (RFC 8037), for publishing."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64(_raw_public(public_pem)),
        "kid": kid,
        "use": "sig",
        "alg": ALGORITHM,
    }


def jwks(keys: Iterable[tuple[str, str]]) -> dict[str, list[dict[str, str]]]:
    """A JWK Set of ``(public_pem, kid)`` pairs: every key that ever signed, retired ones too."""
    return {"keys": [jwk(public_pem, kid) for public_pem, kid in keys]}


# --- the credential ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateFacts:
    """What a 志愿服务证明 states (67号), as the credential carries it."""

    token: str  # the certificate's UUID: the credential's id is urn:uuid:<token>
    number: str
    issuer_url: str  # the community's volunteering address (https), the issuer's id
    issuer_name: str
    subject_id: str  # a stable pseudonymous id of the volunteer (urn:uuid:…)
    holder_name: str  # masked, as printed
    holder_id_masked: str
    credited_minutes: int
    period_from: date
    period_to: date
    content: str
    responsible_name: str
    handler_name: str
    issued_at: datetime
    status_url: str  # the public verification page


def hours_text(minutes: int) -> str:
    """Minutes as hours with one decimal ("12.5"): half hours are the ledger's unit."""
    return f"{minutes / 60:.1f}"


def claims(facts: CertificateFacts) -> dict[str, Any]:
    """The JWT payload: the credential itself (VC-JOSE-COSE) plus the registered claims."""
    valid_from = facts.issued_at.replace(microsecond=0)
    credential_id = f"urn:uuid:{facts.token}"
    return {
        "@context": CONTEXTS,
        "id": credential_id,
        "type": TYPES,
        "name": ACHIEVEMENT_NAME,
        "issuer": {"id": facts.issuer_url, "type": ["Profile"], "name": facts.issuer_name},
        "validFrom": valid_from.isoformat(),
        "credentialSubject": {
            "id": facts.subject_id,
            "type": ["AchievementSubject"],
            "name": facts.holder_name,
            "identifier": facts.holder_id_masked,
            "achievement": {
                "id": f"{facts.issuer_url}#volunteer-service",
                "type": ["Achievement"],
                "name": ACHIEVEMENT_NAME,
                "description": (
                    f"{facts.issuer_name} 证明其于 {facts.period_from.isoformat()} 至 "
                    f"{facts.period_to.isoformat()} 参加志愿服务 {hours_text(facts.credited_minutes)}"
                    " 小时。"
                ),
                "criteria": {
                    "narrative": (
                        "按《志愿服务记录与证明出具办法》（民政部令第67号），"
                        "依据经组织者确认的志愿服务记录出具。"
                    )
                },
            },
            "certificateNumber": facts.number,
            "serviceHours": hours_text(facts.credited_minutes),
            "serviceMinutes": facts.credited_minutes,
            "servicePeriod": {
                "from": facts.period_from.isoformat(),
                "to": facts.period_to.isoformat(),
            },
            "serviceContent": facts.content,
            "personResponsible": facts.responsible_name,
            "handler": facts.handler_name,
        },
        "credentialStatus": {
            "id": facts.status_url,
            "type": "VolunteerCertificateStatusPage",
        },
        "iss": facts.issuer_url,
        "sub": facts.subject_id,
        "jti": credential_id,
        "nbf": int(valid_from.timestamp()),
        "iat": int(valid_from.timestamp()),
    }


def sign(payload: Mapping[str, Any], private_pem: str, passphrase: bytes, kid: str) -> str:
    """The compact JWS of ``payload``, signed with the (encrypted) private key."""
    private = load_private(private_pem, passphrase)
    return jwt.encode(
        dict(payload),
        private,
        algorithm=ALGORITHM,
        headers={"kid": kid, "typ": MEDIA_TYPE, "cty": "vc"},
    )


def header(token: str) -> dict[str, Any]:
    try:
        return dict(jwt.get_unverified_header(token.strip()))
    except jwt.PyJWTError as error:
        raise CredentialError(str(error)) from error


def verify(token: str, key_set: Mapping[str, Any]) -> dict[str, Any]:
    """The payload of ``token`` if its signature verifies under the key of ``key_set`` (a JWK
    Set) its header names; ``CredentialError`` otherwise."""
    token = token.strip()
    kid = header(token).get("kid")
    matching = [key for key in key_set.get("keys", []) if key.get("kid") == kid]
    if not kid or not matching:
        raise CredentialError(f"no published key with kid {kid!r}")
    try:
        key = jwt.PyJWK(matching[0], algorithm=ALGORITHM)
        payload = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            options={"require": ["iss", "jti", "nbf"], "verify_aud": False},
        )
    except jwt.PyJWTError as error:
        raise CredentialError(str(error)) from error
    if payload.get("type") != TYPES or "credentialSubject" not in payload:
        raise CredentialError("not a volunteer service credential")
    return dict(payload)


# --- command line ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gongzhi.volunteering.credentials",
        description="Verify a volunteer service certificate's credential offline.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("verify", help="verify a credential (a JWT) against a JWK Set")
    check.add_argument("token_file", help="file holding the credential (compact JWT)")
    check.add_argument("--jwks", required=True, help="the community's keys.json")
    args = parser.parse_args(argv)

    try:
        with open(args.token_file, encoding="utf-8") as token_file:
            token = token_file.read().strip()
        with open(args.jwks, encoding="utf-8") as jwks_file:
            key_set = json.load(jwks_file)
        payload = verify(token, key_set)
    except (OSError, ValueError, CredentialError) as error:
        print(f"valid=0 error={error}")
        return 1
    number = payload["credentialSubject"].get("certificateNumber", "")
    print(f"valid=1 kid={header(token)['kid']} number={number}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
