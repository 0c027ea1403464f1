"""The request boundary (core.boundary): control characters refused, bidirectional controls
removed, ZWJ and CRLF kept, for pages and the API alike; oversized and unreadable bodies answered
with 413 and 400 instead of a server error."""

from __future__ import annotations

import io
import json
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from gongzhi.accounts.services import api_token_create
from gongzhi.core.boundary import SUSPECT, _json_suspect, check_request
from gongzhi.deliberation.models import Proposal

BAD = ["\x00", "\x01", "\x1b", "\x7f", "\x85"]
FORM = "application/x-www-form-urlencoded"
FAMILY = "👨\u200d👩\u200d👧"  # one emoji: three people joined by ZWJ
REFUSED = (
    "Some of the text sent contains invisible control characters, which cannot be saved. They "
    "often come with text pasted from another program: type that part again and send it once "
    "more."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def token(resident):
    return api_token_create(user=resident, name="phone app")[1]


def api_create(client, community, token, payload, *, raw=None, **headers):
    return client.post(
        f"/api/v1/communities/{community.slug}/proposals",
        raw if raw is not None else json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **headers,
    )


def page_create(client, community, title, body="路灯坏了", files=(), **headers):
    """The proposal form: multipart, as a browser sends it (it has a file field)."""
    return client.post(
        reverse("proposal_create", args=[community.slug]),
        {"title": title, "body": body, "scope": "community", "publish": "on", "attachments": files},
        HTTP_ACCEPT_LANGUAGE="en",
        **headers,
    )


# --- refused -----------------------------------------------------------------------------------


@pytest.mark.parametrize("char", BAD)
@pytest.mark.django_db
def test_a_control_character_in_the_api_is_refused_and_nothing_is_saved(
    client, community, token, char
):
    response = api_create(
        client, community, token, {"title": f"修{char}路灯", "body": "b"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_characters", "message": REFUSED}
    # The same character written raw (UTF-8) rather than as a \u escape.
    raw = json.dumps({"title": "t", "body": f"a{char}b"}, ensure_ascii=False).encode()
    assert api_create(client, community, token, None, raw=raw).status_code == 400
    # In a key, and deep inside.
    nested = {"title": "t", "body": "b", "extra": [{f"k{char}": 1}]}
    assert api_create(client, community, token, nested).status_code == 400
    assert not Proposal.objects.in_community(community).exists()


@pytest.mark.parametrize("char", BAD)
@pytest.mark.django_db
def test_a_control_character_in_a_multipart_page_form_is_refused(client, community, resident, char):
    client.force_login(resident)
    referer = reverse("proposal_create", args=[community.slug])
    response = page_create(
        client, community, f"修{char}路灯", HTTP_REFERER=f"http://testserver{referer}"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "invisible control characters" in page and "Nothing was saved." in page
    assert f'href="http://testserver{referer}"' in page  # a way back to the form
    assert not Proposal.objects.in_community(community).exists()


@pytest.mark.parametrize("char", BAD)
@pytest.mark.django_db
def test_a_control_character_in_an_urlencoded_page_form_is_refused(client, resident, char):
    client.force_login(resident)
    before = resident.display_name
    body = urlencode({"display_name": f"王{char}", "email": "", "language": "en"})
    response = client.post(reverse("profile"), body, content_type=FORM, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "invisible control characters" in response.content.decode()
    assert f'href="{reverse("home")}"' in response.content.decode()  # no referer: home
    resident.refresh_from_db()
    assert resident.display_name == before and resident.language != "en"


@pytest.mark.django_db
def test_a_control_character_in_the_query_string_or_the_path_is_refused(client, community):
    url = f"/api/v1/communities/{community.slug}/proposals"
    assert client.get(url, {"status": "open\x00"}).json()["code"] == "invalid_characters"
    assert client.get(url + "?status=%c2%85").status_code == 400
    assert client.get(f"/api/v1/communities/{community.slug}%00/proposals").status_code == 400
    page = client.get(reverse("proposal_list", args=[community.slug]), {"q": "a\x01"})
    assert page.status_code == 400 and "<html" in page.content.decode()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.django_db
def test_the_refusal_is_in_the_callers_language(client, community, token, language):
    response = api_create(
        client, community, token, {"title": "\x00", "body": "b"}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response["Content-Language"] == language
    with translation.override(language):
        assert response.json()["message"] == gettext(REFUSED)


# --- cleaned and kept --------------------------------------------------------------------------


@pytest.mark.django_db
def test_bidi_controls_are_stripped_and_zwj_crlf_and_tab_kept_in_the_api(client, community, token):
    payload = {"title": f"\u202e修路灯\u2066 {FAMILY}", "body": "第一行\r\n第二行\t完"}
    response = api_create(client, community, token, payload)
    assert response.status_code == 201, response.content
    proposal = Proposal.objects.in_community(community).get()
    assert proposal.title == f"修路灯 {FAMILY}"
    assert proposal.body == "第一行\r\n第二行\t完"


@pytest.mark.django_db
def test_bidi_controls_are_stripped_from_a_multipart_page_form(client, community, resident):
    client.force_login(resident)
    response = page_create(client, community, f"修\u202e路灯{FAMILY}", body="一\r\n二")
    assert response.status_code == 302
    proposal = Proposal.objects.in_community(community).get()
    assert (proposal.title, proposal.body) == (f"修路灯{FAMILY}", "一\r\n二")


@pytest.mark.django_db
def test_bidi_controls_are_stripped_from_an_urlencoded_form_and_the_query(client, resident):
    client.force_login(resident)
    body = urlencode({"display_name": "王\u202e大妈\u2069", "email": "", "language": "en"})
    assert client.post(reverse("profile"), body, content_type=FORM).status_code == 302
    resident.refresh_from_db()
    assert resident.display_name == "王大妈"
    request = RequestFactory().get("/anything", {"q": "a\u202eb", "n": "1"})
    check_request(request)
    assert request.GET["q"] == "ab" and request.GET["n"] == "1"
    assert request.META["QUERY_STRING"] == "q=ab&n=1"


def test_json_is_rewritten_only_in_its_strings():
    body = (
        '{"a\\u202eb": [1.10, 1e400, {"c": "x\\u2067y", "d": "\\\\u202e"}], '
        '"e": "\u200d", "f": "\u202a"}'
    ).encode()
    request = RequestFactory().post("/api/v1/x", body, content_type="application/json")
    check_request(request)
    cleaned = request.body.decode()
    # Numbers keep their spelling; an escaped backslash followed by "u202e" is text, not a
    # control; ZWJ stays.
    assert cleaned == '{"ab": [1.10, 1e400, {"c": "xy", "d": "\\\\u202e"}], "e": "\u200d", "f": ""}'
    assert json.loads(request.body) == json.loads(cleaned)


def test_a_clean_request_is_scanned_not_copied():
    body = json.dumps({"choice": 3, "note": "第一行\r\n“引号”—…"}, ensure_ascii=False).encode()
    request = RequestFactory().post("/api/v1/v", body, content_type="application/json")
    original = request.body
    check_request(request)
    assert request.body is original
    form = RequestFactory().post("/c/x/", urlencode({"t": "“好”\r\n"}), content_type=FORM)
    original = form.body
    check_request(form)
    assert form.body is original


SUSPECTS = "\x00\x01\x08\x0c\x1b\x7f\x85\x9f\u202a\u202e\u2066\u2069"


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        st.one_of(
            st.characters(exclude_categories=("Cs",)), st.sampled_from(SUSPECTS + "\u200d“”…\\")
        )
    ),
    ascii_only=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-16", "utf-32"]),
)
def test_the_json_scan_misses_nothing(text, ascii_only, encoding):
    body = json.dumps({text: [1.5, {"x": text}]}, ensure_ascii=ascii_only).encode(encoding)
    if SUSPECT.search(text):
        assert _json_suspect(body)


def test_utf16_json_is_checked_too():
    body = json.dumps({"title": "a\u202eb", "n": 1}).encode("utf-16")
    request = RequestFactory().post("/api/v1/x", body, content_type="application/json")
    check_request(request)
    assert json.loads(request.body) == {"title": "ab", "n": 1}


# --- bodies Django cannot take -----------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.django_db
def test_an_oversized_body_is_413_on_the_api(client, community, token, settings, language):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_create(
        client, community, token, {"title": "t", "body": "x" * 2000}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert response["Content-Language"] == language
    with translation.override(language):
        expected = gettext(
            "What was sent is too large: at most %(mb)s MB at once. Send less, or smaller "
            "files, and try again."
        ) % {"mb": f"{1000 / 2**20:g}"}
    assert response.json()["message"] == expected
    assert not Proposal.objects.in_community(community).exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.django_db
def test_a_multipart_body_without_a_boundary_is_400_on_the_api(client, community, token, language):
    response = client.generic(
        "POST",
        f"/api/v1/communities/{community.slug}/tickets/1/photos",
        b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\nb\r\n--x--\r\n",
        content_type="multipart/form-data",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"
    assert response["Content-Language"] == language
    with translation.override(language):
        expected = gettext(
            "What was sent could not be read as a form. Reload the page and try again."
        )
    assert response.json()["message"] == expected


@pytest.mark.django_db
def test_oversized_and_broken_bodies_on_pages(client, community, resident, settings):
    client.force_login(resident)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    url = reverse("proposal_create", args=[community.slug])
    big = urlencode({"title": "t", "body": "x" * 2000})
    response = client.post(url, big, content_type=FORM, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    page = response.content.decode()
    assert "Too much sent at once" in page and "at most" in page and "<html" in page
    broken = client.generic("POST", url, b"garbage", content_type="multipart/form-data")
    assert broken.status_code == 400 and "<html" in broken.content.decode()
    # Multipart field data over the limit (files are not counted) is refused as well.
    response = page_create(client, community, "t", body="x" * 2000)
    assert response.status_code == 413
    # A file larger than the limit is not field data: it reaches the form.
    photo = SimpleUploadedFile("a.pdf", b"%PDF-" + b"x" * 5000 + b"%%EOF", "application/pdf")
    response = page_create(client, community, "修路灯", files=[photo])
    assert response.status_code == 302
    assert not Proposal.objects.in_community(community).exclude(title="修路灯").exists()


def test_too_many_fields_is_400_not_500(settings):
    from gongzhi.core.boundary import RequestBoundaryMiddleware

    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    request = RequestFactory().post(
        "/api/v1/x", urlencode({f"f{i}": "\u202e" for i in range(10)}), content_type=FORM
    )
    response = RequestBoundaryMiddleware(lambda r: None)(request)  # type: ignore[arg-type]
    assert response.status_code == 400
    assert json.load(io.BytesIO(response.content))["code"] == "malformed_request"


@pytest.mark.django_db
def test_open311_clients_get_the_refusal_in_their_own_format(client):
    data = {"service_code": "x", "description": "灯\x00坏了"}
    response = client.post("/open311/v2/requests.json", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": REFUSED}]
    response = client.post("/open311/v2/requests.xml", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response["Content-Type"].startswith("text/xml")
    assert b"<errors><error><code>400</code><description>Some of the text" in response.content
