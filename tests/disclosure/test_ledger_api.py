"""The ledger in the API: staff enter JSON then attach the voucher, a second person approves,
corrections; the public reads published periods only; two approvals at once (real threads on
the live server: one wins); and the permission matrix of disclosure (public, resident, worker,
supervisor, official, outsider)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
import rules
from django.contrib.auth.models import AnonymousUser

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity
from gongzhi.disclosure import services
from gongzhi.disclosure.models import EntryStatus, LedgerEntry
from tests.disclosure.helpers import last_month, pdf, record, second_worker


def _auth(user):
    _t, raw = api_token_create(user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.django_db
def test_enter_attach_approve_publish_and_read_in_public(community, worker, approver, client):
    base = f"/api/v1/communities/{community.slug}/ledger"
    as_worker, as_approver = _auth(worker), _auth(approver)
    day = (last_month() + timedelta(days=4)).isoformat()
    entry = {
        "kind": "expenditure",
        "occurred_on": day,
        "counterparty": "五金店",
        "description": "更换楼道灯泡",
        "total": "86.40",
        "lines": [
            {"category": "maintenance", "amount": "80.00"},
            {"category": "office", "amount": "6.4"},
        ],
    }
    unbalanced = _post(client, f"{base}/entries", entry | {"total": "90"}, as_worker)
    assert unbalanced.status_code == 400 and unbalanced.json()["code"] == "unbalanced"
    unknown = _post(
        client,
        f"{base}/entries",
        entry | {"lines": [{"category": "bonus", "amount": "86.40"}]},
        as_worker,
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_category"
    assert not LedgerEntry.objects.in_community(community).exists()
    created = _post(client, f"{base}/entries", entry, as_worker)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["total"] == "86.40" and body["status"] == "pending" and body["voucher"] is False
    entry_id = body["id"]
    no_voucher = client.post(f"{base}/entries/{entry_id}/approve", **as_approver)
    assert no_voucher.status_code == 400 and no_voucher.json()["code"] == "no_voucher"
    attached = client.post(f"{base}/entries/{entry_id}/voucher", {"file": pdf()}, **as_worker)
    assert attached.status_code == 201 and attached.json()["voucher"] is True
    same = client.post(f"{base}/entries/{entry_id}/approve", **as_worker)
    assert same.status_code == 400 and same.json()["code"] == "same_person"
    ok = client.post(f"{base}/entries/{entry_id}/approve", **as_approver)
    assert ok.status_code == 200 and ok.json()["approved_by"] == approver.display_name

    period = _post(
        client,
        f"{base}/periods",
        {"kind": "month", "starts_on": last_month().isoformat()},
        as_worker,
    )
    assert period.status_code == 201
    period_id = period.json()["id"]
    assert client.get(f"{base}/periods").json()["count"] == 0  # anonymous: not yet
    assert client.get(f"{base}/periods/{period_id}").status_code == 404
    assert client.get(f"{base}/entries").json()["count"] == 0
    published = client.post(f"{base}/periods/{period_id}/publish", **as_worker)
    assert published.status_code == 200
    report = client.get(f"{base}/periods/{period_id}").json()
    assert report["total_expenditure"] == "86.40" and report["closing_balance"] == "-86.40"
    assert [r["category"] for r in report["expenditure"]] == ["maintenance", "office"]
    public = client.get(f"{base}/entries").json()
    assert [e["id"] for e in public["items"]] == [entry_id]

    corrected = _post(
        client,
        f"{base}/entries/{entry_id}/correct",
        {
            "reason": "灯泡退了一个",
            "replacement": entry
            | {
                "occurred_on": None,
                "total": "80.00",
                "lines": [{"category": "maintenance", "amount": "80"}],
            },
        },
        as_worker,
    )
    assert corrected.status_code == 422  # occurred_on null is not a date: nothing saved
    assert LedgerEntry.objects.in_community(community).count() == 1
    corrected = _post(
        client,
        f"{base}/entries/{entry_id}/correct",
        {
            "reason": "灯泡退了一个",
            "replacement": entry
            | {
                "occurred_on": str(services.timezone.localdate()),
                "total": "80.00",
                "lines": [{"category": "maintenance", "amount": "80"}],
            },
        },
        as_worker,
    )
    assert corrected.status_code == 201, corrected.json()
    out = corrected.json()
    assert out["reversal"]["total"] == "-86.40" and out["reversal"]["reverses"] == entry_id
    assert out["replacement"]["total"] == "80.00" and out["replacement"]["replaces"] == entry_id


@pytest.mark.django_db
def test_residents_cannot_write_through_the_api(community, resident, worker, client):
    base = f"/api/v1/communities/{community.slug}/ledger"
    entry = record(community, worker)
    as_resident = _auth(resident)
    assert client.post(f"{base}/entries/{entry.pk}/approve", **as_resident).status_code == 404
    denied = _post(
        client,
        f"{base}/periods",
        {"kind": "month", "starts_on": last_month().isoformat()},
        as_resident,
    )
    assert denied.status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_one_wins(live_server, community, worker):
    first, second = second_worker(community), second_worker(community)
    entry = record(community, worker)
    url = f"{live_server.url}/api/v1/communities/{community.slug}/ledger/entries/{entry.pk}/approve"
    tokens = [api_token_create(user=u, name="t")[1] for u in (first, second)]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def approve(token: str) -> None:
        request = urllib.request.Request(
            url, data=b"", method="POST", headers={"Authorization": f"Bearer {token}"}
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [threading.Thread(target=approve, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 400]
    entry = LedgerEntry.objects.in_community(community).get()
    assert entry.status == EntryStatus.APPROVED and entry.approved_by in (first, second)
    assert Activity.objects.filter(community=community, verb="finance.entry_approved").count() == 1


# --- The permission matrix --------------------------------------------------------------------

PERMS = (
    "disclosure.view",
    "disclosure.view_drafts",
    "disclosure.manage",
    "disclosure.confirm_read",
    "disclosure.view_unread",
    "disclosure.view_ledger_drafts",
    "disclosure.approve_entry",
)
MATRIX = {
    #           view  drafts manage confirm unread ledger approve
    "anonymous": (1, 0, 0, 0, 0, 0, 0),
    "outsider": (1, 0, 0, 0, 0, 0, 0),
    "unverified": (1, 0, 0, 1, 0, 0, 0),
    "resident": (1, 0, 0, 1, 0, 0, 0),
    "supervisor": (1, 0, 0, 1, 0, 1, 1),
    "worker": (1, 1, 1, 1, 1, 1, 1),
    "official": (1, 1, 0, 0, 1, 1, 0),
    "admin_user": (1, 1, 1, 0, 1, 1, 1),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(MATRIX))
def test_permission_matrix(request, community, other_community, role):
    user = AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)
    expected = dict(zip(PERMS, (bool(x) for x in MATRIX[role]), strict=True))
    assert {p: rules.has_perm(p, user, community) for p in PERMS} == expected
    # Nothing but reading carries over to another community (admins excepted).
    if role != "admin_user":
        elsewhere = {p for p in PERMS if rules.has_perm(p, user, other_community)}
        assert elsewhere == {"disclosure.view"}


@pytest.mark.django_db
def test_public_entry_list_query_count(
    community, worker, approver, client, django_assert_max_num_queries
):
    from tests.disclosure.helpers import approved

    for i in range(12):
        approved(community, worker, approver, total=str(20 + i))
    period = services.finance_period_create(
        actor=worker, community=community, kind="month", starts_on=last_month()
    )
    services.finance_period_publish(actor=worker, period=period)
    with django_assert_max_num_queries(6):
        response = client.get(f"/api/v1/communities/{community.slug}/ledger/entries")
    assert response.json()["count"] == 12
    assert all(len(e["lines"]) == 1 for e in response.json()["items"])
