"""Alibaba Cloud SMS: requests signed as the provider documents it, checked by a fake provider
that recomputes the signature from the AccessKey secret; approved templates per kind; quick
retries on passing failures and none on permanent ones; and what the delivery log holds."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.urls import reverse

from gongzhi.notifications.checks import aliyun_sms_configured
from gongzhi.notifications.masking import mask_email, mask_phone
from gongzhi.notifications.models import Delivery
from gongzhi.notifications.services import notify, preference_set
from gongzhi.notifications.sms import (
    AliyunSmsBackend,
    SmsMessage,
    percent_encode,
    rpc_signature,
    string_to_sign,
)
from tests.factories import UserFactory

ACCESS_KEY_ID = "LTAI-test-gongzhi"
ACCESS_KEY_SECRET = "test-secret/+=&中"  # characters that must survive the signing
SIGN_NAME = "共治社区"
LOGIN_TEMPLATE = "SMS_100000001"
NOTIFICATION_TEMPLATE = "SMS_100000002"
HOTLINE_TEMPLATE = "SMS_100000003"


# --- The documented example ------------------------------------------------------------------

# Alibaba Cloud's "signature mechanism" page signs this DescribeRegions request with the secret
# "testsecret" and prints the string to sign and the signature; ours must give the same.
DOC_PARAMS = {
    "Timestamp": "2016-02-23T12:46:24Z",
    "Format": "XML",
    "AccessKeyId": "testid",
    "Action": "DescribeRegions",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "Version": "2014-05-26",
    "SignatureVersion": "1.0",
}


def test_signature_matches_the_providers_documented_example():
    assert string_to_sign("GET", DOC_PARAMS) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
        "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
        "%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z"
        "%26Version%3D2014-05-26"
    )
    assert rpc_signature("GET", DOC_PARAMS, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_percent_encoding_follows_the_providers_rules():
    # Space is %20 (not +), * is encoded, ~ is not, UTF-8 bytes as %XY.
    assert percent_encode("a b*c~d/é") == "a%20b%2Ac~d%2F%C3%A9"
    assert percent_encode('{"code":"123456"}') == "%7B%22code%22%3A%22123456%22%7D"


# --- A fake provider ---------------------------------------------------------------------------


class FakeAliyun(ThreadingHTTPServer):
    """Answers SendSms as Alibaba Cloud does, after checking the request as it would: known
    AccessKey, signature recomputed from the secret, fresh timestamp, unused nonce. ``script``
    lists how to answer the next requests ("ok" once it is empty)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FakeAliyunHandler)
        self.secrets = {ACCESS_KEY_ID: ACCESS_KEY_SECRET}
        self.script: list[tuple[str, ...]] = []
        self.received: list[dict[str, str]] = []
        self.nonces: set[str] = set()
        self.lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up waiting (the timeout test) closed the connection

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


def _expected_signature(method: str, params: dict[str, str], secret: str) -> str:
    """The provider's side, written from its documentation, apart from the code under test."""

    def enc(value: str) -> str:
        return quote(value.encode("utf-8"), safe="-_.~")

    canonical = "&".join(f"{enc(k)}={enc(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{enc('/')}&{enc(canonical)}"
    mac = hmac.new((secret + "&").encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


class FakeAliyunHandler(BaseHTTPRequestHandler):
    server: FakeAliyun

    def log_message(self, format: str, *args: object) -> None:  # keep the test output quiet
        pass

    def _answer(self, status: int, body: dict[str, str]) -> None:
        raw = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        pairs = parse_qsl(self.rfile.read(length).decode("ascii"), keep_blank_values=True)
        params = dict(pairs)
        request_id = str(uuid.uuid4()).upper()
        assert len(params) == len(pairs), "a parameter was sent twice"
        signature = params.pop("Signature", "")
        secret = self.server.secrets.get(params.get("AccessKeyId", ""))
        if secret is None:
            return self._answer(
                404, {"Code": "InvalidAccessKeyId.NotFound", "RequestId": request_id}
            )
        when = datetime.strptime(params.get("Timestamp", "") + "+0000", "%Y-%m-%dT%H:%M:%SZ%z")
        with self.server.lock:
            replayed = params.get("SignatureNonce", "") in self.server.nonces
            self.server.nonces.add(params.get("SignatureNonce", ""))
        if (
            params.get("SignatureMethod") != "HMAC-SHA1"
            or params.get("SignatureVersion") != "1.0"
            or replayed
            or abs(when - datetime.now(UTC)) > timedelta(minutes=15)
            or not hmac.compare_digest(signature, _expected_signature(self.command, params, secret))
        ):
            return self._answer(
                400,
                {
                    "Code": "SignatureDoesNotMatch",
                    "Message": "Specified signature is not matched with our calculation.",
                    "RequestId": request_id,
                },
            )
        assert params["Action"] == "SendSms" and params["Version"] == "2017-05-25"
        with self.server.lock:
            self.server.received.append(params)
            step = self.server.script.pop(0) if self.server.script else ("ok",)
        if step[0] == "ok":
            return self._answer(
                200,
                {
                    "Code": "OK",
                    "Message": "OK",
                    "BizId": f"9006197469364984{len(self.server.received):02d}^0",
                    "RequestId": request_id,
                },
            )
        if step[0] == "throttle":  # the per-number flow control, answered with HTTP 200
            return self._answer(
                200,
                {
                    "Code": "isv.BUSINESS_LIMIT_CONTROL",
                    "Message": "触发分钟级流控Permits:1",
                    "RequestId": request_id,
                },
            )
        if step[0] == "throttle_user":  # the platform's own throttling, an HTTP error
            return self._answer(
                400,
                {
                    "Code": "Throttling.User",
                    "Message": "Request was denied due to user flow control.",
                    "RequestId": request_id,
                },
            )
        if step[0] == "503":
            return self._answer(503, {"Code": "ServiceUnavailable", "RequestId": request_id})
        if step[0] == "slow":
            time.sleep(float(step[1]))
            return self._answer(200, {"Code": "OK", "BizId": "late^0", "RequestId": request_id})
        return self._answer(200, {"Code": step[0], "Message": step[1], "RequestId": request_id})


@pytest.fixture
def aliyun(settings) -> Iterator[FakeAliyun]:
    server = FakeAliyun()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "gongzhi.notifications.sms.AliyunSmsBackend"
    settings.SMS_ALIYUN_ENDPOINT = server.endpoint
    settings.SMS_ALIYUN_ACCESS_KEY_ID = ACCESS_KEY_ID
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = ACCESS_KEY_SECRET
    settings.SMS_ALIYUN_SIGN_NAME = SIGN_NAME
    settings.SMS_ALIYUN_TEMPLATES = {
        "login_code": LOGIN_TEMPLATE,
        "notification": NOTIFICATION_TEMPLATE,
        "hotline_ticket_update": HOTLINE_TEMPLATE,
    }
    settings.SMS_ALIYUN_TIMEOUT = 2
    settings.SMS_ALIYUN_ATTEMPTS = 3
    settings.SMS_ALIYUN_BACKOFF = 0.01
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _sms_user(**fields):
    user = UserFactory(email="", **fields)
    preference_set(user=user, kind="announcement", channel="sms", enabled=True)
    preference_set(user=user, kind="hotline_ticket_update", channel="sms", enabled=True)
    return user


def _announce(user, kind: str = "announcement", title: str = "停水通知：明天 8:00–12:00") -> None:
    with transaction.atomic():
        notify(users=[user], kind=kind, title=title)


# --- Login codes -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_code_goes_out_through_the_verification_template(client, resident, aliyun):
    response = client.post(reverse("account_request_login_code"), {"phone": resident.phone})
    assert response.status_code == 302
    [sent] = aliyun.received
    assert sent["PhoneNumbers"] == resident.phone
    assert sent["SignName"] == SIGN_NAME
    assert sent["TemplateCode"] == LOGIN_TEMPLATE
    code = json.loads(sent["TemplateParam"])["code"]
    assert re.fullmatch(r"\d{6}", code)

    # The code the provider delivered logs the person in.
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == resident.pk

    log = Delivery.objects.get()
    assert (log.channel, log.kind, log.status) == ("sms", "login_code", "sent")
    assert log.user == resident
    assert log.template == LOGIN_TEMPLATE
    assert log.biz_id.endswith("^0") and log.request_id
    assert (log.attempts, log.provider_requests) == (1, 1)
    assert log.recipient_masked == mask_phone(resident.phone)
    # Neither the code nor the full number is kept.
    assert log.recipient == "" and resident.phone not in log.recipient_masked
    row = json.dumps(Delivery.objects.values().get(), default=str)
    assert code not in row


@pytest.mark.django_db
def test_login_code_is_retried_at_once_when_throttled(client, resident, aliyun):
    aliyun.script = [("throttle_user",)]
    client.post(reverse("account_request_login_code"), {"phone": resident.phone})
    assert len(aliyun.received) == 2
    assert aliyun.received[0]["SignatureNonce"] != aliyun.received[1]["SignatureNonce"]
    log = Delivery.objects.get()
    assert (log.status, log.provider_requests, log.error_code) == ("sent", 2, "")


@pytest.mark.django_db
def test_login_code_refused_for_good_is_logged_not_retried(client, resident, aliyun):
    aliyun.script = [("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")]
    response = client.post(reverse("account_request_login_code"), {"phone": resident.phone})
    assert response.status_code == 302  # the person sees the same page; staff see the log
    assert len(aliyun.received) == 1
    log = Delivery.objects.get()
    assert log.status == "failed"
    assert (log.error_code, log.error_message) == ("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
    assert not log.can_retry  # the code is not kept, so it cannot be sent again from the log


# --- Notifications -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_notification_uses_the_notification_template_and_is_logged(aliyun):
    user = _sms_user()
    _announce(user)
    [sent] = aliyun.received
    assert sent["TemplateCode"] == NOTIFICATION_TEMPLATE
    assert json.loads(sent["TemplateParam"]) == {"title": "停水通知：明天 8:00–12:00"}
    delivery = Delivery.objects.get()
    assert sent["OutId"] == f"gz-{delivery.pk}"
    assert delivery.status == "sent" and delivery.sent_at is not None
    assert delivery.biz_id == "900619746936498401^0"
    assert (delivery.attempts, delivery.provider_requests) == (1, 1)
    # Once sent, what only a retry needed is gone; the masked number stays in the log.
    assert (delivery.recipient, delivery.body, delivery.params) == ("", "", {})
    assert delivery.recipient_masked == mask_phone(user.phone)


@pytest.mark.django_db(transaction=True)
def test_a_kind_with_its_own_template_uses_it(aliyun):
    user = _sms_user()
    _announce(user, kind="hotline_ticket_update", title="您反映的路灯问题已办结")
    assert aliyun.received[0]["TemplateCode"] == HOTLINE_TEMPLATE


@pytest.mark.django_db(transaction=True)
def test_long_titles_are_cut_to_what_the_provider_accepts(aliyun, settings):
    user = _sms_user()
    _announce(user, title="关" * 80)
    assert json.loads(aliyun.received[0]["TemplateParam"])["title"] == "关" * 35


@pytest.mark.django_db(transaction=True)
def test_throttling_then_success(aliyun):
    aliyun.script = [("throttle",)]
    user = _sms_user()
    _announce(user)
    assert len(aliyun.received) == 2
    delivery = Delivery.objects.get()
    assert delivery.status == "sent"
    assert (delivery.attempts, delivery.provider_requests) == (1, 2)
    assert delivery.biz_id == "900619746936498402^0"


@pytest.mark.django_db(transaction=True)
def test_server_error_and_timeout_are_retried(aliyun, settings):
    settings.SMS_ALIYUN_TIMEOUT = 1.0  # generous: a loaded test machine must not time out the rest
    aliyun.script = [("503",), ("slow", "3.0")]
    user = _sms_user()
    _announce(user)
    assert len(aliyun.received) == 3
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.provider_requests) == ("sent", 3)


@pytest.mark.django_db(transaction=True)
def test_permanent_error_is_not_retried(aliyun):
    aliyun.script = [("isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)")]
    user = _sms_user()
    _announce(user)
    assert len(aliyun.received) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.error_code == "isv.SMS_TEMPLATE_ILLEGAL"
    assert delivery.error_message == "模板不合法(不存在或被拉黑)"
    assert (delivery.attempts, delivery.provider_requests) == (1, 1)
    assert delivery.next_attempt_at is None
    assert delivery.can_retry  # staff can send it again once the template is approved


@pytest.mark.django_db(transaction=True)
def test_throttling_that_lasts_leaves_the_delivery_waiting(aliyun):
    aliyun.script = [("throttle",)] * 3
    user = _sms_user()
    _announce(user)
    assert len(aliyun.received) == 3
    delivery = Delivery.objects.get()
    assert delivery.status == "pending"
    assert delivery.error_code == "isv.BUSINESS_LIMIT_CONTROL"
    assert delivery.next_attempt_at is not None and delivery.recipient == user.phone


@pytest.mark.django_db(transaction=True)
def test_the_fake_provider_refuses_a_wrong_secret(aliyun, settings):
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "not-the-secret"
    user = _sms_user()
    _announce(user)
    assert aliyun.received == []  # refused before it is "sent"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.error_code) == ("failed", "SignatureDoesNotMatch")


@pytest.mark.django_db
def test_no_request_without_an_approved_template(aliyun, settings):
    settings.SMS_ALIYUN_TEMPLATES = {"notification": NOTIFICATION_TEMPLATE}
    result = AliyunSmsBackend().send(
        SmsMessage(phone="+8613800138000", kind="login_code", text="", params={"code": "1"})
    )
    assert (result.ok, result.requests, result.error_code) == (False, 0, "gongzhi.NO_TEMPLATE")
    assert aliyun.received == []


def test_quick_retries_pause_longer_each_time(settings):
    pauses: list[float] = []
    backend = AliyunSmsBackend(
        endpoint="http://127.0.0.1:9/",  # the discard port: nothing answers
        access_key_id="id",
        access_key_secret="secret",
        sign_name=SIGN_NAME,
        templates={"notification": NOTIFICATION_TEMPLATE},
        timeout=0.5,
        attempts=4,
        backoff=1.5,
        sleep=pauses.append,
    )
    result = backend.send(SmsMessage(phone="+8613800138000", kind="x", text="", params={}))
    assert (result.ok, result.transient, result.requests) == (False, True, 4)
    assert result.error_code in {"network", "timeout"}
    assert pauses == [1.5, 3.0, 6.0]


def test_endpoint_must_be_https(settings):
    with pytest.raises(ImproperlyConfigured):
        AliyunSmsBackend(
            endpoint="http://dysmsapi.aliyuncs.com/",
            access_key_id="id",
            access_key_secret="secret",
            sign_name=SIGN_NAME,
        )


def test_system_check_names_what_is_missing(settings):
    settings.SMS_BACKEND = "gongzhi.notifications.sms.AliyunSmsBackend"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = ""
    settings.SMS_ALIYUN_TEMPLATES = {"login_code": LOGIN_TEMPLATE, "notification": ""}
    problems = aliyun_sms_configured()
    assert {p.id for p in problems} == {"notifications.E001", "notifications.E002"}
    assert all(p.level == checks.ERROR for p in problems)
    settings.SMS_BACKEND = "gongzhi.notifications.sms.LocmemSmsBackend"
    assert aliyun_sms_configured() == []


def test_masking():
    assert mask_phone("+8613800138000") == "+86 138****8000"
    assert mask_phone("+85291234567") == "+852****4567"
    assert mask_email("wang.fang@example.org") == "w***@example.org"
