"""Sending text messages through a pluggable backend (settings.SMS_BACKEND).

A backend has one method, ``send(message) -> SmsResult``; it never raises for a refused or failed
message, it says what happened, and ``notifications.services`` writes that to the delivery log
(``Delivery``) and schedules a retry when the failure is a passing one.

- ``AliyunSmsBackend`` sends through Alibaba Cloud SMS (阿里云短信服务, Dysmsapi ``SendSms``) with an
  approved signature (签名) and the approved template for each kind of message: the login code
  has its own verification-code template, every other message goes out through the generic
  notification template unless a kind has its own (settings ``SMS_ALIYUN_*``,
  docs/operations.md "Text messages (SMS)").
- The console backend prints (development and the demo, which show login codes there); the file
  backend writes one JSON line per message; the in-memory backend keeps an ``outbox`` for tests.

A message carries both its whole text (for backends that send free text) and its template
parameters (for providers that only send approved templates).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

#: The kind of the login and phone-verification code (the only one that needs a
#: verification-code template); every other kind is a notification kind or ``unknown_account``.
LOGIN_CODE = "login_code"
UNKNOWN_ACCOUNT = "unknown_account"
#: The settings key of the generic notification template.
NOTIFICATION = "notification"


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    kind: str
    text: str
    #: Template variables: ``{"code": …}`` for a login code, ``{"title": …}`` for the rest.
    params: Mapping[str, str] = field(default_factory=dict)
    #: Our reference for the message (the delivery's id), passed to providers that echo it back.
    reference: str = ""


@dataclass(frozen=True)
class SmsResult:
    ok: bool
    #: A failure worth trying again later (timeout, 5xx, throttling); permanent ones are not.
    transient: bool = False
    #: Requests made to the provider for this message, retries included.
    requests: int = 1
    template: str = ""
    request_id: str = ""
    biz_id: str = ""
    error_code: str = ""
    error_message: str = ""


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> SmsResult: ...


class ConsoleSmsBackend:
    def send(self, message: SmsMessage) -> SmsResult:
        sys.stdout.write(f"[SMS to {message.phone}] {message.text}\n")
        sys.stdout.flush()
        return SmsResult(ok=True)


_file_lock = threading.Lock()


class FileSmsBackend:
    def __init__(self, path: Path | None = None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, message: SmsMessage) -> SmsResult:
        self.path.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "phone": message.phone, "text": message.text},
            ensure_ascii=False,
        )
        with _file_lock, open(self.path / "outbox.jsonl", "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return SmsResult(ok=True)


class LocmemSmsBackend:
    """Keeps messages in ``outbox`` (a list shared by the process), like Django's locmem mail."""

    outbox: list[tuple[str, str]] = []

    def send(self, message: SmsMessage) -> SmsResult:
        LocmemSmsBackend.outbox.append((message.phone, message.text))
        return SmsResult(ok=True)


def get_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


# --- Alibaba Cloud SMS --------------------------------------------------------------------------
#
# Request signing follows Alibaba Cloud's "signature mechanism" for RPC-style APIs (signature
# version 1.0, HMAC-SHA1; help.aliyun.com, 签名机制 / "Signature mechanism"):
#   1. every parameter except Signature, sorted by name; names and values percent-encoded as
#      RFC 3986 says (A–Z a–z 0–9 - _ . ~ kept, space as %20, UTF-8 bytes as %XY), joined as
#      name=value with &: the canonicalized query string;
#   2. StringToSign = HTTPMethod & percentEncode("/") & percentEncode(canonicalized query);
#   3. Signature = Base64(HMAC-SHA1(key = AccessKeySecret + "&", StringToSign)).
# The documentation's worked example (DescribeRegions, secret "testsecret") is a test.
# SendSms itself: API version 2017-05-25, parameters PhoneNumbers, SignName, TemplateCode,
# TemplateParam (a JSON object), OutId; it answers {"Code": "OK", "BizId", "RequestId", …}.

ALIYUN_API_VERSION = "2017-05-25"

#: Codes that say "not now" rather than "never": the platform's throttling and system errors,
#: and the per-number flow control (1 code a minute, a few an hour), which a later try passes.
ALIYUN_TRANSIENT_CODES = frozenset(
    {
        "isp.SYSTEM_ERROR",
        "isp.GATEWAY_ERROR",
        "isv.BUSINESS_LIMIT_CONTROL",
        "ServiceUnavailable",
        "InternalError",
        "RequestTimeout",
    }
)


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding as Alibaba Cloud's signature needs it (space is %20, ``~`` kept,
    ``*`` encoded) — what ``quote`` does with nothing marked safe."""
    return urllib.parse.quote(value, safe="")


def canonicalized_query(params: Mapping[str, str]) -> str:
    return "&".join(
        f"{percent_encode(name)}={percent_encode(params[name])}" for name in sorted(params)
    )


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    return "&".join(
        [method.upper(), percent_encode("/"), percent_encode(canonicalized_query(params))]
    )


def rpc_signature(method: str, params: Mapping[str, str], access_key_secret: str) -> str:
    """The ``Signature`` of an RPC-style request (signature version 1.0, HMAC-SHA1)."""
    digest = hmac.new(
        f"{access_key_secret}&".encode(),
        string_to_sign(method, params).encode(),
        hashlib.sha1,
    ).digest()
    return base64.b64encode(digest).decode()


def is_transient_aliyun_error(code: str, status: int) -> bool:
    return (
        status >= 500
        or status == 429
        or code in ALIYUN_TRANSIENT_CODES
        or code.startswith("Throttling")
    )


def _check_endpoint(endpoint: str) -> str:
    """HTTPS, or plain HTTP to this machine (the tests' fake provider); nothing else."""
    parts = urllib.parse.urlsplit(endpoint)
    loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise ImproperlyConfigured(
            f"SMS_ALIYUN_ENDPOINT must be an https:// address, not {endpoint!r}"
        )
    return endpoint


class AliyunSmsBackend:
    """Alibaba Cloud SMS (阿里云短信服务): ``SendSms`` over HTTPS, signed with the AccessKey.

    Each kind of message goes out through its approved template (``SMS_ALIYUN_TEMPLATES``): the
    login code through the verification-code template (variable ``${code}``), the rest through
    the kind's own template if it has one, else the generic notification template (variable
    ``${title}``). A passing failure (timeout, 5xx, throttling) is retried here a few times with
    a doubling pause (``SMS_ALIYUN_ATTEMPTS``, ``SMS_ALIYUN_BACKOFF``), so that a login code
    arrives while its owner waits; a permanent one (bad number, template not approved) is not.
    """

    def __init__(
        self,
        *,
        endpoint: str | None = None,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        sign_name: str | None = None,
        templates: Mapping[str, str] | None = None,
        region: str | None = None,
        timeout: float | None = None,
        attempts: int | None = None,
        backoff: float | None = None,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        self.endpoint = _check_endpoint(endpoint or settings.SMS_ALIYUN_ENDPOINT)
        self.access_key_id = access_key_id or settings.SMS_ALIYUN_ACCESS_KEY_ID
        self.access_key_secret = access_key_secret or settings.SMS_ALIYUN_ACCESS_KEY_SECRET
        self.sign_name = sign_name or settings.SMS_ALIYUN_SIGN_NAME
        self.templates = dict(templates if templates is not None else settings.SMS_ALIYUN_TEMPLATES)
        self.region = region or settings.SMS_ALIYUN_REGION
        self.timeout = timeout if timeout is not None else settings.SMS_ALIYUN_TIMEOUT
        self.attempts = max(1, attempts if attempts is not None else settings.SMS_ALIYUN_ATTEMPTS)
        self.backoff = backoff if backoff is not None else settings.SMS_ALIYUN_BACKOFF
        self.sleep = sleep
        if not (self.access_key_id and self.access_key_secret and self.sign_name):
            raise ImproperlyConfigured(
                "AliyunSmsBackend needs SMS_ALIYUN_ACCESS_KEY_ID, SMS_ALIYUN_ACCESS_KEY_SECRET "
                "and SMS_ALIYUN_SIGN_NAME"
            )

    def template_for(self, kind: str) -> str:
        if kind == LOGIN_CODE:
            # A code through a notification template breaks the provider's rules: no fallback.
            return self.templates.get(LOGIN_CODE, "")
        return self.templates.get(kind) or self.templates.get(NOTIFICATION, "")

    def send(self, message: SmsMessage) -> SmsResult:
        template = self.template_for(message.kind)
        if not template:
            return SmsResult(
                ok=False,
                requests=0,
                error_code="gongzhi.NO_TEMPLATE",
                error_message=f"no approved template is configured for {message.kind!r}",
            )
        limit = settings.SMS_ALIYUN_PARAM_MAX_LENGTH
        params = {name: str(value)[:limit] for name, value in message.params.items()}
        result = SmsResult(ok=False)
        for attempt in range(1, self.attempts + 1):
            result = self._send_once(message, template, params)
            result = replace(result, requests=attempt)
            if result.ok or not result.transient or attempt == self.attempts:
                break
            self.sleep(self.backoff * 2 ** (attempt - 1))
        return result

    def signed_body(self, message: SmsMessage, template: str, params: Mapping[str, str]) -> str:
        query = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": ALIYUN_API_VERSION,
            "PhoneNumbers": message.phone,
            "SignName": self.sign_name,
            "TemplateCode": template,
        }
        if params:
            query["TemplateParam"] = json.dumps(dict(params), ensure_ascii=False)
        if message.reference:
            query["OutId"] = message.reference
        query["Signature"] = rpc_signature("POST", query, self.access_key_secret)
        return canonicalized_query(query)

    def _send_once(
        self, message: SmsMessage, template: str, params: Mapping[str, str]
    ) -> SmsResult:
        body = self.signed_body(message, template, params).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.endpoint,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Accept": "application/json",
            },
        )
        status = 200
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            # Alibaba Cloud answers platform errors (signature, throttling) with a 4xx or 5xx
            # and the same JSON body as a business error.
            status = error.code
            raw = error.read()
        except OSError as error:  # URLError, a refused connection, a timeout (while reading too)
            reason = getattr(error, "reason", error)
            timed_out = isinstance(reason, TimeoutError)
            return SmsResult(
                ok=False,
                transient=True,
                template=template,
                error_code="timeout" if timed_out else "network",
                error_message=str(reason)[:500],
            )
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        code = str(answer.get("Code", "") or f"HTTP {status}")
        said = str(answer.get("Message", "") or raw[:200].decode("utf-8", "replace"))
        ok = status == 200 and code == "OK"
        return SmsResult(
            ok=ok,
            transient=not ok and is_transient_aliyun_error(code, status),
            template=template,
            request_id=str(answer.get("RequestId", ""))[:100],
            biz_id=str(answer.get("BizId", ""))[:100],
            error_code="" if ok else code[:100],
            error_message="" if ok else said[:500],
        )
