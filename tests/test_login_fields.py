"""The phone-first login, sign-up and code-login fields, and the favicon browsers ask for.

A phone offers the number it saved only for a field marked ``autocomplete=username``; the number
pad comes up for ``inputmode=tel``. The login field also takes an e-mail address, so it keeps the
full keyboard there.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.utils.translation import gettext

pytestmark = pytest.mark.django_db


class _Fields(HTMLParser):
    """Every <input>'s attributes by id, and every <label for=…>'s text."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.labels: dict[str, str] = {}
        self._label_for: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("id"):
            self.inputs[str(attributes["id"])] = attributes
        elif tag == "label":
            self._label_for = attributes.get("for")
            if self._label_for:
                self.labels[self._label_for] = ""

    def handle_data(self, data):
        if self._label_for:
            self.labels[self._label_for] += data

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_for = None


def _fields(client, url: str) -> _Fields:
    response = client.get(url)
    assert response.status_code == 200
    parser = _Fields()
    parser.feed(response.content.decode())
    return parser


def test_login_field_names_the_phone_first_and_asks_for_the_saved_account(client):
    page = _fields(client, "/accounts/login/")
    login = page.inputs["id_login"]
    assert login["autocomplete"] == "username"
    assert login["type"] == "text"  # an e-mail address still needs the full keyboard
    assert "inputmode" not in login
    label = page.labels["id_login"]
    assert gettext("Mobile phone number or e-mail") in label
    assert page.inputs["id_password"]["autocomplete"] == "current-password"


@pytest.mark.parametrize("url", ["/accounts/signup/", "/accounts/login/code/"])
def test_own_phone_fields_offer_the_saved_number_on_the_number_pad(client, url):
    phone = _fields(client, url).inputs["id_phone"]
    assert phone["autocomplete"] == "username"
    assert phone["inputmode"] == "tel"
    # ``username`` is not a valid autofill token on type=tel (HTML autofill; axe's
    # autocomplete-valid rule), so the field is a text input with the number pad.
    assert phone["type"] == "text"


def test_the_login_field_still_takes_a_phone_number_as_people_write_it(client, resident):
    local = resident.phone.removeprefix("+86")
    response = client.post(
        "/accounts/login/",
        {"login": f"{local[:3]} {local[3:7]} {local[7:]}", "password": "correct horse battery"},
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == resident.pk


def test_favicon_is_linked_and_answers(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page and "favicon.ico" in page
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content if icon.streaming else [icon.content])[:4] == (
        b"\x00\x00\x01\x00"  # the ICO header
    )
