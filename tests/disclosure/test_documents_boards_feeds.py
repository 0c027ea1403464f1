"""Versioned documents (each edit a new version, older ones readable, a diff), the printable
notice board with its QR codes, and the RSS/Atom feeds: published things only."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gongzhi.accounts.services import api_token_create
from gongzhi.disclosure import selectors, services
from gongzhi.disclosure.models import BoardItem, Document, DocumentVersion, NoticeBoard
from tests.disclosure.helpers import approved, last_month


def _document(community, worker, publish=True, **kw):
    values = {"kind": "minutes", "title": "居民议事会纪要", "body": "一、加装电梯\n二、停车管理"}
    return services.document_create(
        actor=worker, community=community, publish=publish, **(values | kw)
    )


@pytest.mark.django_db
def test_every_edit_is_a_new_version_and_older_ones_stay(community, worker, client):
    document = _document(community, worker)
    with pytest.raises(ValidationError, match="Nothing changed"):
        services.document_revise(
            actor=worker,
            document=document,
            title=document.title,
            body="一、加装电梯\n二、停车管理",
            change_note="x",
        )
    with pytest.raises(ValidationError, match="what changed"):
        services.document_revise(
            actor=worker, document=document, title="t", body="b", change_note=""
        )
    services.document_revise(
        actor=worker,
        document=document,
        title="居民议事会纪要（修订）",
        body="一、加装电梯\n二、停车管理：夜间限停\n三、垃圾分类",
        change_note="补充第三项",
    )
    document.refresh_from_db()
    assert document.version_count == 2 and document.title == "居民议事会纪要（修订）"
    versions = list(selectors.versions_of(document))
    assert [v.number for v in versions] == [2, 1]
    assert versions[1].body == "一、加装电梯\n二、停车管理"
    diff = selectors.version_diff(versions[1], versions[0])
    assert ("-", "二、停车管理") in [(d.op, d.text) for d in diff]
    assert ("+", "三、垃圾分类") in [(d.op, d.text) for d in diff]
    old = client.get(reverse("document_version", args=[community.slug, document.pk, 1]))
    assert "二、停车管理" in old.content.decode() and "older version" in old.content.decode()
    page = client.get(
        reverse("document_diff", args=[community.slug, document.pk]) + "?from=1&to=2"
    ).content.decode()
    assert "<ins>三、垃圾分类</ins>" in page and "<del>二、停车管理</del>" in page


@pytest.mark.django_db
def test_drafts_are_for_staff_and_bad_documents_are_refused(community, worker, resident, client):
    draft = _document(community, worker, publish=False)
    client.force_login(resident)
    assert (
        client.get(reverse("document_detail", args=[community.slug, draft.pk])).status_code == 404
    )
    for changes, message in (
        ({"body": " "}, "Write the text"),
        ({"kind": "rumour"}, "listed kinds"),
        ({"title": ""}, "Give it a title"),
    ):
        with pytest.raises(ValidationError, match=message):
            _document(community, worker, **changes)
    assert Document.objects.in_community(community).count() == 1
    assert DocumentVersion.objects.in_community(community).count() == 1
    services.document_publish(actor=worker, document=draft)
    assert (
        client.get(reverse("document_detail", args=[community.slug, draft.pk])).status_code == 200
    )


@pytest.mark.django_db
def test_documents_api(community, worker, client):
    _t, token = api_token_create(user=worker, name="t")
    base = f"/api/v1/communities/{community.slug}/documents"
    created = client.post(
        base,
        json.dumps({"kind": "plan", "title": "三年规划", "body": "第一年", "publish": True}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert created.status_code == 201
    doc_id = created.json()["id"]
    revised = client.post(
        f"{base}/{doc_id}/versions",
        json.dumps({"title": "三年规划", "body": "第一年\n第二年", "change_note": "加第二年"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert revised.status_code == 201 and revised.json()["number"] == 2
    detail = client.get(f"{base}/{doc_id}").json()
    assert [v["number"] for v in detail["versions"]] == [2, 1]
    assert detail["versions"][1]["body"] == "第一年"
    assert client.get(base).json()["count"] == 1


@pytest.mark.django_db
def test_a_board_holds_published_items_and_prints_with_qr_codes(
    community, worker, approver, client
):
    notice = services.announcement_create(
        actor=worker,
        community=community,
        title="绿化招募",
        body="招募志愿者",
        category="activity",
        publish=True,
    )
    draft = services.announcement_create(
        actor=worker, community=community, title="草稿", body="x", category="general"
    )
    approved(community, worker, approver, total="1234.50")
    period = services.finance_period_create(
        actor=worker, community=community, kind="month", starts_on=last_month()
    )
    document = _document(community, worker)
    with pytest.raises(ValidationError, match="Only published items"):
        services.board_create(
            actor=worker, community=community, title="公示", announcements=[draft.pk]
        )
    with pytest.raises(ValidationError, match="Only published items"):
        services.board_create(actor=worker, community=community, title="公示", periods=[period.pk])
    with pytest.raises(ValidationError, match="at least one item"):
        services.board_create(actor=worker, community=community, title="公示")
    assert not NoticeBoard.objects.in_community(community).exists()
    services.finance_period_publish(actor=worker, period=period)
    board = services.board_create(
        actor=worker,
        community=community,
        title="本月公示",
        announcements=[notice.pk],
        periods=[period.pk],
        documents=[document.pk],
    )
    assert BoardItem.objects.in_community(community).filter(board=board).count() == 3
    response = client.get(reverse("board_detail", args=[community.slug, board.pk]))  # public
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="qr"') == 4  # three items and the board
    assert page.count('<svg role="img" viewBox="0 0 ') == 4  # scalable: whole when printed
    assert "-1234.50" in page and "绿化招募" in page and "居民议事会纪要" in page
    # The print rules are the board's own stylesheet (no inline <style> under the CSP).
    stylesheet = re.search(r'href="(/static/gongzhi/board\.css)"', page)
    assert stylesheet, "the board links its print stylesheet"
    css = b"".join(client.get(stylesheet.group(1)).streaming_content).decode()
    assert "@media print" in css and "size: A4" in css
    board_url = f"http://testserver/c/{community.slug}/notices/boards/{board.pk}/"
    assert board_url in page


@pytest.mark.django_db
def test_board_form_offers_only_published_items(community, worker, client):
    services.announcement_create(
        actor=worker, community=community, title="仅草稿", body="x", category="general"
    )
    client.force_login(worker)
    page = client.get(reverse("board_create", args=[community.slug])).content.decode()
    assert "仅草稿" not in page
    response = client.post(reverse("board_create", args=[community.slug]), {"title": "空"})
    assert response.status_code == 200 and "at least one item" in response.content.decode()


@pytest.mark.django_db
def test_feeds_carry_published_items_only(community, worker, approver, client):
    services.announcement_create(
        actor=worker,
        community=community,
        title="公开的通知",
        body="正文",
        category="general",
        publish=True,
    )
    services.announcement_create(
        actor=worker, community=community, title="未发布", body="正文", category="general"
    )
    _document(community, worker, title="议事规则", kind="policy")
    approved(community, worker, approver, kind="income", total="800")
    period = services.finance_period_create(
        actor=worker, community=community, kind="month", starts_on=last_month()
    )
    services.finance_period_publish(actor=worker, period=period)
    rss = client.get(reverse("notice_feed_rss", args=[community.slug]))
    assert rss["Content-Type"].startswith("application/rss+xml")
    titles = [e.text for e in ET.fromstring(rss.content).iter("title")]  # noqa: S314 - our own feed
    assert "公开的通知" in titles and "议事规则" in titles and "未发布" not in titles
    assert any("Finance report" in (t or "") for t in titles)
    assert "800.00" in rss.content.decode()
    atom = client.get(reverse("notice_feed_atom", args=[community.slug]))
    assert atom["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(atom.content).findall("a:entry", ns)  # noqa: S314 - our own feed
    assert len(entries) == 3
