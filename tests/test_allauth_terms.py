"""allauth's pages speak our words: an account is 账号 and two-factor login 双重验证 on every page,
allauth's own included (its catalogue's 帐户, 帐号 and 账户 are overridden in ours, from
gongzhi/accounts/allauth_terms.py)."""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse
from django.utils.translation import gettext

from gongzhi.accounts.allauth_terms import ALLAUTH_TERMS
from tests.conftest import TOTP_SECRET

PASSWORD = "correct horse battery"  # tests.factories' password for everyone
OTHER_WORDS = re.compile("帐户|帐号|账户|双因素|两步验证")


def other_words(page: str) -> list[str]:
    return sorted(set(OTHER_WORDS.findall(page)))


def reauthenticate(client) -> None:
    """The password again, as allauth asks before a change to one's two-factor login."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def test_every_term_is_one_of_allauths_msgids():
    """A msgid not byte for byte allauth's overrides nothing: it translates in no catalogue."""
    assert len(ALLAUTH_TERMS) == len(set(ALLAUTH_TERMS))
    assert [term for term in ALLAUTH_TERMS if gettext(term) == term] == []


@pytest.mark.django_db
def test_login_page(client):
    page = client.get(reverse("account_login"))
    assert page.status_code == 200
    assert other_words(page.content.decode()) == []


@pytest.mark.django_db
def test_the_second_step_of_a_staff_login(client, worker):
    login = client.post(reverse("account_login"), {"login": worker.phone, "password": PASSWORD})
    assert login["Location"] == reverse("mfa_authenticate")
    page = client.get(reverse("mfa_authenticate"))
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    assert other_words(page.content.decode()) == []


@pytest.mark.django_db
def test_setting_up_two_factor(client, resident):
    client.post(reverse("account_login"), {"login": resident.phone, "password": PASSWORD})
    reauthenticate(client)
    pages = {
        name: client.get(reverse(name))
        for name in ("mfa_index", "mfa_activate_totp", "account_email")
    }
    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 200)
    assert {
        name: other_words(page.content.decode()) for name, page in pages.items()
    } == dict.fromkeys(pages, [])
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    assert "data:image/svg+xml" in page  # the set-up form itself, with its QR code


@pytest.mark.django_db
def test_turning_off_two_factor_and_recovery_codes(client, worker):
    client.post(reverse("account_login"), {"login": worker.phone, "password": PASSWORD})
    if 30 - time.time() % 30 < 5:  # do not send a code that expires on the way (a loaded CI)
        time.sleep(5.1)
    code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
    client.post(reverse("mfa_authenticate"), {"code": code})
    reauthenticate(client)
    names = ("mfa_index", "mfa_deactivate_totp", "mfa_generate_recovery_codes")
    pages = {name: client.get(reverse(name)) for name in names}
    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(names, 200)
    words = {name: other_words(page.content.decode()) for name, page in pages.items()}
    assert words == dict.fromkeys(names, [])


@pytest.mark.django_db
def test_reauthentication(client, resident):
    client.force_login(resident)  # no recent login: a sensitive page asks for the password
    page = client.get(reverse("mfa_activate_totp"), follow=True)
    assert page.redirect_chain and 'name="password"' in page.content.decode()
    assert other_words(page.content.decode()) == []
