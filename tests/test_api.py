"""The JSON API: tokens, errors with stable codes in the caller's language, scoping, the schema."""

from __future__ import annotations

import json

import pytest

from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.services import api_token_create, api_token_revoke
from gongzhi.core.management.commands.export_openapi import OPENAPI_PATH, render_openapi
from gongzhi.core.models import Membership, Role
from tests.factories import member


def auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def resident_token(resident):
    return api_token_create(user=resident, name="phone app")[1]


@pytest.fixture
def worker_token(worker):
    return api_token_create(user=worker, name="office")[1]


@pytest.mark.django_db
def test_me(client, resident, resident_token, community):
    response = client.get("/api/v1/me", **auth(resident_token))
    assert response.status_code == 200
    body = response.json()
    assert body["phone"] == resident.phone
    assert body["memberships"] == [
        {
            "community": community.slug,
            "community_name": community.name,
            "verified": True,
            "roles": ["resident", "verified_resident"],
        }
    ]


@pytest.mark.django_db
def test_token_is_stored_hashed(resident):
    token, raw = api_token_create(user=resident, name="x")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.token_hash, stored.hint) and stored.token_hash != raw


@pytest.mark.parametrize(
    "header", ["Bearer gz_not-a-real-token", "Bearer ", "Token abc", "Bearer " + "x" * 500]
)
@pytest.mark.django_db
def test_bad_tokens_get_a_json_401(client, header):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthenticated",
        "message": "Log in, or send a valid API token.",
    }


@pytest.mark.django_db
def test_revoked_token_stops_working(client, resident):
    token, raw = api_token_create(user=resident, name="x")
    assert client.get("/api/v1/me", **auth(raw)).status_code == 200
    assert api_token_revoke(user=resident, token_id=token.pk)
    assert client.get("/api/v1/me", **auth(raw)).status_code == 401


@pytest.mark.django_db
def test_errors_follow_the_callers_language(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    zh = client.get(
        "/api/v1/me", HTTP_AUTHORIZATION="Bearer gz_bad", HTTP_ACCEPT_LANGUAGE="zh-CN"
    ).json()
    en = client.get(
        "/api/v1/me", HTTP_AUTHORIZATION="Bearer gz_bad", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert zh["code"] == en["code"] == "unauthenticated"
    assert zh["message"] != en["message"]


@pytest.mark.django_db
def test_validation_errors_change_nothing(client, resident, resident_token):
    response = client.patch(
        "/api/v1/me",
        data=json.dumps({"display_name": "", "language": "fr"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **auth(resident_token),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "display_name_invalid"
    resident.refresh_from_db()
    assert resident.display_name


@pytest.mark.django_db
def test_malformed_body_is_422_with_fields(client, resident_token, community):
    response = client.post(
        f"/api/v1/communities/{community.slug}/verify",
        data=json.dumps({"wrong": 1}),
        content_type="application/json",
        **auth(resident_token),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request" and body["fields"][0]["field"] == "code"


@pytest.mark.django_db
def test_member_list_is_for_staff_only(client, community, resident_token, worker_token):
    for _ in range(3):
        member(community)
    url = f"/api/v1/communities/{community.slug}/memberships"
    denied = client.get(url, **auth(resident_token))
    missing = client.get("/api/v1/communities/nope/memberships", **auth(resident_token))
    assert denied.status_code == missing.status_code == 404
    assert denied.json() == missing.json()
    allowed = client.get(url, **auth(worker_token))
    assert allowed.status_code == 200
    assert allowed.json()["count"] == Membership.objects.in_community(community).count()


@pytest.mark.django_db
def test_member_list_query_count_does_not_grow_with_members(
    client, community, worker_token, django_assert_max_num_queries
):
    for i in range(30):
        member(community, Role.VOLUNTEER if i % 2 else None)
    with django_assert_max_num_queries(12):
        response = client.get(
            f"/api/v1/communities/{community.slug}/memberships?limit=100", **auth(worker_token)
        )
    assert len(response.json()["items"]) == 31  # 30 and the worker


@pytest.mark.django_db
def test_worker_grants_a_role_through_the_api(client, community, resident, worker_token):
    membership = Membership.objects.in_community(community).get(user=resident)
    url = f"/api/v1/communities/{community.slug}/memberships/{membership.pk}/roles"
    response = client.post(
        url,
        data=json.dumps({"role": "mediator"}),
        content_type="application/json",
        **auth(worker_token),
    )
    assert response.status_code == 200
    assert "mediator" in response.json()["roles"]
    bad = client.post(
        url,
        data=json.dumps({"role": "emperor"}),
        content_type="application/json",
        **auth(worker_token),
    )
    assert bad.status_code == 422


@pytest.mark.django_db
def test_communities_are_public(client, community):
    response = client.get("/api/v1/communities")
    assert response.status_code == 200
    assert community.slug in [c["slug"] for c in response.json()["items"]]


@pytest.mark.django_db
def test_session_auth_also_works(client, resident):
    client.force_login(resident)
    assert client.get("/api/v1/me").json()["id"] == resident.pk


def test_committed_openapi_document_is_current():
    assert OPENAPI_PATH.read_text(encoding="utf-8") == render_openapi(), (
        "docs/openapi.json is stale: run `make openapi`"
    )


@pytest.mark.django_db
def test_json_is_utf8_not_escaped(client, community):
    response = client.get(f"/api/v1/communities/{community.slug}")
    assert response["Content-Type"].startswith("application/json")
    assert community.name.encode() in response.content


@pytest.mark.django_db
def test_unsafe_request_without_credentials_gets_a_stable_code(client, resident):
    client_with_csrf = client.__class__(enforce_csrf_checks=True)
    client_with_csrf.force_login(resident)
    response = client_with_csrf.patch("/api/v1/me", data="{}", content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


@pytest.mark.django_db
def test_malformed_json_and_unknown_paths_answer_in_the_api_format(client, resident_token):
    bad = client.patch(
        "/api/v1/me", data="{not json", content_type="application/json", **auth(resident_token)
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_json"
    missing = client.get("/api/v1/no/such/thing")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


@pytest.mark.django_db
def test_absurd_pagination_is_refused_not_a_500(client, community):
    response = client.get("/api/v1/communities?offset=100000000000000000000")
    assert response.status_code == 422
    assert client.get("/api/v1/communities?limit=100000").status_code == 422


@pytest.mark.django_db
def test_letter_code_guessing_is_limited_in_the_api_too(client, community, unverified):
    token = api_token_create(user=unverified, name="t")[1]
    url = f"/api/v1/communities/{community.slug}/verify"
    body = json.dumps({"code": "AAAA-AAAA"})
    codes = [
        client.post(url, data=body, content_type="application/json", **auth(token)).json()["code"]
        for _ in range(6)
    ]
    assert codes == ["code_invalid"] * 5 + ["too_many_tries"]


@pytest.mark.django_db
def test_api_docs_use_no_cdn(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in page and "unpkg" not in page


@pytest.mark.django_db
def test_token_use_is_noted_and_written_in_batches(
    client, resident, resident_token, community, monkeypatch
):
    import time

    from django.utils import timezone

    from gongzhi.accounts import services as account_services
    from gongzhi.accounts.models import ApiToken

    monkeypatch.setattr(account_services, "_last_used", {})  # uses noted by earlier tests
    monkeypatch.setattr(account_services, "_last_flushed", time.monotonic())  # a flush just now
    auth = {"HTTP_AUTHORIZATION": f"Bearer {resident_token}"}
    assert client.get("/api/v1/me", **auth).status_code == 200
    token = ApiToken.objects.get(user=resident)
    assert token.last_used_at is None  # noted in memory, not yet written
    assert account_services.last_used_flush() == 1
    token.refresh_from_db()
    assert token.last_used_at is not None
    client.force_login(resident)
    page = client.get("/profile/tokens/")
    shown = timezone.localtime(token.last_used_at).strftime("%Y-%m-%d %H:%M")
    assert shown in page.content.decode()


@pytest.mark.django_db
def test_a_budget_reads_with_its_phase_and_grid(client, community, worker):
    """It answered 500 for everyone: the schema resolved grid and phase from a dict."""
    from tests.budgeting.helpers import make_process, project

    process = make_process(community, worker, "voting")
    project(process, 1000, "长椅")
    response = client.get(f"/api/v1/communities/{community.slug}/budgets/{process.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["phase"] == "voting" and body["grid"] is None
    assert [idea["title"] for idea in body["ideas"]] == ["长椅"]
