"""Logging in: phone + one-time code, phone + password, rate limits, and staff two-factor."""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from gongzhi.accounts.models import User
from tests.conftest import TOTP_SECRET


def _code(sms_outbox) -> str:
    match = re.search(r"\b(\d{6})\b", sms_outbox[-1][1])
    assert match, sms_outbox[-1]
    return match.group(1)


def _request_code(client, phone: str):
    return client.post(reverse("account_request_login_code"), {"phone": phone})


@pytest.mark.django_db
def test_phone_code_login(client, resident, sms_outbox):
    local = resident.phone.removeprefix("+86")
    response = _request_code(client, f"{local[:3]} {local[3:7]} {local[7:]}")  # as people type it
    assert response.status_code == 302
    assert sms_outbox and sms_outbox[-1][0] == resident.phone
    response = client.post(reverse("account_confirm_login_code"), {"code": _code(sms_outbox)})
    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 200
    assert int(client.session["_auth_user_id"]) == resident.pk


@pytest.mark.django_db
def test_wrong_code_does_not_log_in(client, resident, sms_outbox):
    _request_code(client, resident.phone)
    response = client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_code_expires(client, resident, sms_outbox, settings):
    _request_code(client, resident.phone)
    code = _code(sms_outbox)
    settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 0  # every code issued is now past its time
    time.sleep(1.1)
    client.post(reverse("account_confirm_login_code"), {"code": code})
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_malformed_phone_gets_a_clear_error(client):
    response = client.post(
        reverse("account_request_login_code"), {"phone": "12345"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "valid mobile phone number" in response.content.decode()


@pytest.mark.django_db
def test_malformed_phone_error_in_chinese(client):
    response = client.post(reverse("account_request_login_code"), {"phone": "abc"})
    assert response.status_code == 200
    assert "请输入有效的手机号码" in response.content.decode()


@pytest.mark.django_db
def test_code_sending_is_rate_limited(client, resident, sms_outbox):
    _request_code(client, resident.phone)
    client.cookies.clear()
    response = _request_code(client, resident.phone)
    assert len(sms_outbox) == 1
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_login(client, resident):
    response = client.post(
        reverse("account_login"),
        {"login": resident.phone.removeprefix("+86"), "password": "correct horse battery"},
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == resident.pk


@pytest.mark.django_db
def test_failed_logins_are_rate_limited(client, resident):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": resident.phone, "password": "wrong"})
    response = client.post(
        reverse("account_login"), {"login": resident.phone, "password": "correct horse battery"}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


@pytest.mark.django_db
def test_staff_without_totp_must_set_it_up(client, community):
    from gongzhi.core.models import Role
    from tests.factories import member

    worker = member(community, Role.COMMUNITY_WORKER)
    client.force_login(worker)
    response = client.get(reverse("member_list", args=[community.slug]))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_staff_login_asks_for_the_second_factor(client, worker, community):
    response = client.post(
        reverse("account_login"), {"login": worker.phone, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("member_list", args=[community.slug])).status_code == 200


@pytest.mark.django_db
def test_signup_with_phone_then_verify_code(client, sms_outbox):
    response = client.post(
        reverse("account_signup"),
        {
            "phone": "13912345678",
            "display_name": "赵小红",
            "password1": "a-Long-passphrase-2026",
            "password2": "a-Long-passphrase-2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(phone="+8613912345678")
    assert user.display_name == "赵小红"
    assert not user.phone_verified
    response = client.post(reverse("account_verify_phone"), {"code": _code(sms_outbox)})
    user.refresh_from_db()
    assert user.phone_verified


@pytest.mark.django_db
def test_staff_without_totp_cannot_use_the_api_by_session(client, community):
    from gongzhi.core.models import Role
    from tests.factories import member

    worker = member(community, Role.COMMUNITY_WORKER)
    client.force_login(worker)
    response = client.get(f"/api/v1/communities/{community.slug}/memberships")
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


@pytest.mark.django_db
def test_failed_logins_of_other_numbers_do_not_lock_out_a_resident(client, resident):
    for i in range(6):
        client.post(reverse("account_login"), {"login": f"1390000{i:04d}", "password": "wrong"})
    client.cookies.clear()
    client.post(
        reverse("account_login"), {"login": resident.phone, "password": "correct horse battery"}
    )
    assert int(client.session["_auth_user_id"]) == resident.pk


@pytest.mark.django_db
def test_staff_token_without_totp_is_refused(client, community):
    from gongzhi.accounts.services import api_token_create
    from gongzhi.core.models import Role
    from tests.factories import member

    worker = member(community, Role.COMMUNITY_WORKER)
    _token, raw = api_token_create(user=worker, name="made before the role")
    response = client.get(
        f"/api/v1/communities/{community.slug}/memberships", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


@pytest.mark.django_db
def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
