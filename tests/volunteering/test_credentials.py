"""credentials.py: keys, the credential's shape, signing and verifying — checked against a
second JOSE library (joserfc) that sees only the published public key."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from joserfc import jwt as joserfc_jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from gongzhi.core.masking import mask_name
from gongzhi.volunteering import credentials

PASS = b"tests-passphrase"
ROOT = Path(__file__).resolve().parent.parent.parent


def _facts(**changes: object) -> credentials.CertificateFacts:
    values: dict[str, object] = {
        "token": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        "number": "GARDEN-2026-000001",
        "issuer_url": "https://gongzhi.example.org/c/garden/volunteering/",
        "issuer_name": "花园社区居民委员会",
        "subject_id": "urn:uuid:6f1c0f52-1a0f-5f0e-9b0a-3c1e4b8d2a11",
        "holder_name": "王*芳",
        "holder_id_masked": "110***********1234",
        "credited_minutes": 750,
        "period_from": date(2026, 1, 1),
        "period_to": date(2026, 6, 30),
        "content": "周末花园除草；助老陪诊",
        "responsible_name": "李主任",
        "handler_name": "张社工",
        "issued_at": datetime(2026, 7, 1, 9, 30, tzinfo=UTC),
        "status_url": "https://gongzhi.example.org/c/garden/volunteering/certificates/verify/x/",
    }
    values.update(changes)
    return credentials.CertificateFacts(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def key() -> credentials.KeyPair:
    return credentials.generate(PASS)


@pytest.fixture(scope="module")
def token(key: credentials.KeyPair) -> str:
    return credentials.sign(credentials.claims(_facts()), key.private_pem, PASS, key.kid)


def _public_set(*keys: credentials.KeyPair) -> dict:
    return credentials.jwks((k.public_pem, k.kid) for k in keys)


def _joserfc_claims(token: str, key_set: dict) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc marks "EdDSA" deprecated by RFC 9864's names
        return dict(
            joserfc_jwt.decode(token, KeySet.import_key_set(key_set), algorithms=["EdDSA"]).claims
        )


def _with_payload(token: str, payload: dict) -> str:
    """The token with another payload under the original header and signature."""
    head, _body, signature = token.split(".")
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{head}.{body}.{signature}"


def test_the_credential_verifies_with_joserfc_from_the_public_jwk_alone(key, token):
    key_set = _public_set(key)
    assert set(key_set["keys"][0]) == {"kty", "crv", "x", "kid", "use", "alg"}  # no "d"
    claims = _joserfc_claims(token, key_set)
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert claims["jti"] == claims["id"] == "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    assert claims["iss"] == claims["issuer"]["id"]
    subject = claims["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"]["name"] == "志愿服务证明"
    assert subject["name"] == "王*芳"
    assert subject["serviceHours"] == "12.5" and subject["serviceMinutes"] == 750
    assert subject["servicePeriod"] == {"from": "2026-01-01", "to": "2026-06-30"}
    assert subject["certificateNumber"] == "GARDEN-2026-000001"
    assert (subject["personResponsible"], subject["handler"]) == ("李主任", "张社工")
    assert claims["credentialStatus"]["id"].endswith("/verify/x/")
    assert credentials.header(token) == {
        "alg": "EdDSA",
        "typ": "vc+jwt",
        "cty": "vc",
        "kid": key.kid,
    }
    assert credentials.verify(token, key_set) == claims


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _paths(v, (*prefix, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _paths(v, (*prefix, i))]
    return [prefix]


def _changed(value: object) -> object:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    return f"{value}x"


def test_changing_any_field_of_the_payload_fails_both_libraries(key, token):
    key_set = _public_set(key)
    payload = credentials.verify(token, key_set)
    paths = _paths(payload)
    assert len(paths) > 25
    for path in paths:
        tampered = json.loads(json.dumps(payload))
        holder = tampered
        for step in path[:-1]:
            holder = holder[step]
        holder[path[-1]] = _changed(holder[path[-1]])
        forged = _with_payload(token, tampered)
        with pytest.raises(credentials.CredentialError):
            credentials.verify(forged, key_set)
        with pytest.raises(JoseError):
            _joserfc_claims(forged, key_set)


def test_another_key_or_an_unknown_kid_fails(key, token):
    other = credentials.generate(PASS)
    wrong = {"keys": [{**_public_set(other)["keys"][0], "kid": key.kid}]}
    with pytest.raises(credentials.CredentialError):
        credentials.verify(token, wrong)
    with pytest.raises(credentials.CredentialError, match="no published key"):
        credentials.verify(token, _public_set(other))
    with pytest.raises(credentials.CredentialError):
        credentials.verify("not.a.jwt", _public_set(key))


def test_a_rotated_set_still_verifies_old_credentials(key, token):
    new = credentials.generate(PASS)
    newer = credentials.sign(
        credentials.claims(_facts(number="N-2")), new.private_pem, PASS, new.kid
    )
    both = _public_set(key, new)
    assert credentials.verify(token, both)["credentialSubject"]["certificateNumber"].startswith(
        "GARDEN"
    )
    assert credentials.header(newer)["kid"] == new.kid != key.kid
    assert _joserfc_claims(newer, both)["credentialSubject"]["certificateNumber"] == "N-2"


def test_the_private_key_is_encrypted_and_needs_the_passphrase(key):
    assert "ENCRYPTED PRIVATE KEY" in key.private_pem
    with pytest.raises((TypeError, ValueError)):
        credentials.load_private(key.private_pem, b"another passphrase")
    with pytest.raises((TypeError, ValueError)):
        credentials.load_private(key.private_pem, None)  # type: ignore[arg-type]
    assert credentials.load_private(key.private_pem, PASS)
    with pytest.raises(ValueError):
        credentials.generate(b"")


def test_the_key_id_is_the_rfc7638_thumbprint(key):
    assert key.kid == credentials.thumbprint(key.public_pem)
    assert len(key.kid) == 43  # SHA-256, base64url without padding


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王芳", "王*"),
        ("王小芳", "王*芳"),
        ("欧阳小芳", "欧**芳"),
        ("李", "李"),
        ("Alice", "A***e"),
    ],
)
def test_names_are_masked_as_printed(name, masked):
    assert mask_name(name) == masked


def test_the_command_line_verifies_offline(key, token, tmp_path):
    (tmp_path / "token.jwt").write_text(token + "\n")
    (tmp_path / "keys.json").write_text(json.dumps(_public_set(key)))
    command = [sys.executable, "-m", "gongzhi.volunteering.credentials", "verify"]
    ok = subprocess.run(
        [*command, str(tmp_path / "token.jwt"), "--jwks", str(tmp_path / "keys.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == f"valid=1 kid={key.kid} number=GARDEN-2026-000001"

    (tmp_path / "forged.jwt").write_text(token[:-4] + "AAAA")
    bad = subprocess.run(
        [*command, str(tmp_path / "forged.jwt"), "--jwks", str(tmp_path / "keys.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1
    assert bad.stdout.startswith("valid=0 error=")
