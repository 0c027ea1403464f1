"""The drafting part's pages: the list, a covenant's page with its timeline and text, the article
page (tap targets, a fixed number of queries), versions, a version with where changes came
from, the diff with <ins>/<del>, and the drafters' forms (a new covenant, the draft, the dates,
abandoning, a review) — 404 for those who may not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.covenants.models import Covenant, Paragraph, Round, Version
from tests.covenants.world import (
    amendment_of,
    comment_of,
    covenant_of,
    current_round,
    write_version,
)
from tests.factories import member

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def url(name, community, *args):
    return reverse(name, args=[community.slug, *args])


def when(days: int) -> str:
    return timezone.localtime(timezone.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_the_list_and_a_covenants_page(community, worker, resident):
    covenant = covenant_of(community, worker, phase="consultation", summary="宠物、噪音和停车")
    page = client_for(resident).get(url("covenants_list", community))
    assert page.status_code == 200
    assert "幸福社区居民公约" in page.text
    assert "Draft a covenant" not in page.text

    page = client_for(resident).get(url("covenants_detail", community, covenant.pk))
    assert page.status_code == 200
    text = page.text
    assert 'aria-current="step"' in text
    assert "第一条 宠物" in text and "第三条 停车" in text
    draft = current_round(covenant).draft
    first = draft.articles.get(position=1)
    assert url("covenants_article", community, covenant.pk, first.key) in text
    assert "Edit the draft" not in text and "Change the dates" not in text

    page = client_for(worker).get(url("covenants_detail", community, covenant.pk))
    assert "Change the dates" in page.text
    assert "Edit the draft" not in page.text  # the consultation has begun


def test_strangers_do_not_read_covenants(community, other_community, worker):
    covenant = covenant_of(community, worker)
    stranger = member(other_community)
    assert (
        client_for(stranger).get(url("covenants_detail", community, covenant.pk)).status_code == 404
    )
    assert (
        client_for(stranger).get(url("covenants_versions", community, covenant.pk)).status_code
        == 404
    )


def test_the_article_page_makes_each_paragraph_a_tap_target(community, worker, resident):
    covenant = covenant_of(community, worker, phase="consultation")
    draft = current_round(covenant).draft
    article = draft.articles.get(position=1)
    paragraphs = list(article.paragraphs.order_by("position"))
    page = client_for(resident).get(
        url("covenants_article", community, covenant.pk, article.key), {"p": paragraphs[1].key}
    )
    assert page.status_code == 200
    text = page.text
    assert "第一条" in text
    for paragraph in paragraphs:
        assert f'id="p-{paragraph.key}"' in text
        assert f'href="?p={paragraph.key}#consult"' in text
    assert 'aria-current="true"' in text
    # The next article, and no previous one.
    second = draft.articles.get(position=2)
    assert url("covenants_article", community, covenant.pk, second.key) in text
    assert 'rel="prev"' not in text
    assert (
        client_for(resident).get(url("covenants_article", community, covenant.pk, 999)).status_code
        == 404
    )


def _article_queries(client, community, covenant, key) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("covenants_article", community, covenant.pk, key)).status_code == 200
    return len(queries)


def test_the_article_page_reads_a_fixed_number_of_queries(community, worker, resident):
    small = covenant_of(community, worker, title="小公约")
    big = covenant_of(
        community,
        worker,
        body=small.drafting_body,
        title="大公约",
        articles=[(f"第{n}项", [f"款{n}-{m}" for m in range(5)]) for n in range(40)],
    )
    client = client_for(resident)
    keys = {}
    for covenant in (small, big):
        round_ = current_round(covenant)
        article = round_.draft.articles.get(position=2)
        keys[covenant.pk] = article.key
        paragraph = article.paragraphs.first()
        n = 3 if covenant is small else 60
        for _ in range(n):
            comment_of(round_, article_key=article.key, paragraph_key=paragraph.key)
        for _ in range(n // 3):
            amendment_of(round_, article_key=article.key, paragraph_key=paragraph.key, text="新")
    _article_queries(client, community, small, keys[small.pk])  # warm caches
    assert _article_queries(client, community, small, keys[small.pk]) == _article_queries(
        client, community, big, keys[big.pk]
    )


def consolidated(covenant, worker):
    """A consolidated version whose first paragraph came from an amendment."""
    round_ = current_round(covenant)
    amendment = amendment_of(round_, paragraph_key=2, text="遛狗须牵绳，及时清理粪便，违者劝导。")
    version = write_version(
        covenant,
        [
            ("宠物", ["遛狗须牵绳，及时清理粪便，违者劝导。", "犬只须依法登记并接种疫苗。"]),
            ("噪音", ["晚十时至早七时不得装修或大声喧哗。"]),
        ],
        kind="consolidated",
        round=round_,
        based_on=round_.draft,
    )
    # Line the keys up with the draft's, as a consolidation keeps them.
    draft_keys = {
        p.position: p.key
        for p in Paragraph.objects.in_community(covenant.community_id).filter(
            article__version=round_.draft, article__position=1
        )
    }
    for p in Paragraph.objects.in_community(covenant.community_id).filter(
        article__version=version, article__position=1
    ):
        p.key = draft_keys[p.position]
        p.origin = amendment if p.position == 1 else None
        p.save()
    version.articles.filter(position=1).update(key=round_.draft.articles.get(position=1).key)
    Round.objects.in_community(covenant.community_id).filter(pk=round_.pk).update(
        consolidated=version
    )
    return version, amendment


def test_versions_a_version_and_the_diff(community, worker, resident):
    covenant = covenant_of(community, worker, phase="revision")
    version, amendment = consolidated(covenant, worker)
    client = client_for(resident)

    page = client.get(url("covenants_versions", community, covenant.pk))
    assert page.status_code == 200
    assert "Version 1" in page.text and "Version 2" in page.text

    page = client.get(url("covenants_version", community, covenant.pk, 2))
    assert page.status_code == 200
    assert "第一条" in page.text and "第二条" in page.text
    assert f"from amendment {amendment.number}" in page.text
    assert reverse("covenants_amendment", args=[community.slug, amendment.pk]) in page.text
    assert client.get(url("covenants_version", community, covenant.pk, 9)).status_code == 404

    page = client.get(url("covenants_diff", community, covenant.pk))  # previous → latest
    assert page.status_code == 200
    text = page.text
    assert "<del>" in text and "<ins>" in text
    assert "<ins>，违者劝导</ins>" in text
    assert "new article" in text and "article deleted" in text  # 噪音 and 停车 got fresh keys
    assert (
        client.get(url("covenants_diff", community, covenant.pk), {"from": 1, "to": 7}).status_code
        == 400
    )


def test_the_article_page_shows_the_consolidated_text_once_it_exists(community, worker, resident):
    covenant = covenant_of(community, worker, phase="revision")
    version, _amendment = consolidated(covenant, worker)
    key = version.articles.get(position=1).key
    page = client_for(resident).get(url("covenants_article", community, covenant.pk, key))
    assert "违者劝导" in page.text


# --- Drafters' forms ----------------------------------------------------------------------------


def test_a_worker_drafts_a_covenant_from_the_form(community, worker):
    from tests.covenants.world import drafting_body

    body = drafting_body(community, worker)
    client = client_for(worker)
    assert client.get(url("covenants_create", community)).status_code == 200
    form = {
        "title": "幸福社区居民公约",
        "summary": "宠物、噪音",
        "drafting_body": body.pk,
        "scope": "community",
        "plain_text": "第一条 宠物\n遛狗须牵绳。\n第二条 噪音\n晚十时后不得喧哗。",
        "consultation_starts": when(3),
        "revision_starts": when(10),
        "revision_ends": when(15),
    }
    bad = client.post(url("covenants_create", community), {**form, "plain_text": "没有条文"})
    assert bad.status_code == 400
    assert "The draft has no article" in bad.text
    assert not Covenant.objects.in_community(community).exists()
    done = client.post(url("covenants_create", community), form)
    covenant = Covenant.objects.in_community(community).get()
    assert done.status_code == 302
    assert done["Location"] == url("covenants_detail", community, covenant.pk)
    assert current_round(covenant).draft.articles.count() == 2


def test_residents_do_not_reach_the_drafters_forms(community, worker, resident):
    covenant = covenant_of(community, worker, phase="drafting")
    round_ = current_round(covenant)
    client = client_for(resident)
    for address in (
        url("covenants_create", community),
        url("covenants_draft_edit", community, covenant.pk),
        url("covenants_review", community, covenant.pk),
        reverse("covenants_round_schedule", args=[community.slug, round_.pk]),
        reverse("covenants_round_abandon", args=[community.slug, round_.pk]),
    ):
        assert client.get(address).status_code == 404, address
        assert client.post(address, {}).status_code == 404, address


def test_edit_the_draft_reschedule_and_abandon(community, worker):
    covenant = covenant_of(community, worker, phase="drafting")
    round_ = current_round(covenant)
    client = client_for(worker)
    page = client.get(url("covenants_draft_edit", community, covenant.pk))
    assert "第一条 宠物\n遛狗须牵绳" in page.text
    done = client.post(
        url("covenants_draft_edit", community, covenant.pk),
        {"plain_text": "第一条 宠物\n遛狗须牵绳。\n第二条 垃圾分类\n按时投放。"},
    )
    assert done.status_code == 302
    assert [a.heading for a in round_.draft.articles.order_by("position")] == ["宠物", "垃圾分类"]

    schedule = reverse("covenants_round_schedule", args=[community.slug, round_.pk])
    assert client.get(schedule).status_code == 200
    fresh = Round.objects.in_community(community).get(pk=round_.pk)
    form = {
        "drafting_starts": timezone.localtime(fresh.drafting_starts).strftime("%Y-%m-%dT%H:%M"),
        "consultation_starts": when(7),
        "revision_starts": when(12),
        "revision_ends": when(20),
    }
    assert client.post(schedule, form).status_code == 302
    fresh = Round.objects.in_community(community).get(pk=round_.pk)
    assert fresh.drafting_starts == round_.drafting_starts
    assert fresh.consultation_starts > round_.consultation_starts
    bad = client.post(schedule, {**form, "revision_starts": when(6)})
    assert bad.status_code == 400

    abandon = reverse("covenants_round_abandon", args=[community.slug, round_.pk])
    assert client.post(abandon, {"reason": "   "}).status_code == 400
    assert client.post(abandon, {"reason": "另行起草"}).status_code == 302
    assert Round.objects.in_community(community).get(pk=round_.pk).status == "abandoned"
    page = client.get(url("covenants_detail", community, covenant.pk))
    assert "另行起草" in page.text


def test_a_review_from_the_page(community, worker):
    covenant = covenant_of(community, worker, phase="ratification")
    round_ = current_round(covenant)
    Version.objects.in_community(community).filter(pk=round_.draft_id).update(kind="adopted")
    Round.objects.in_community(community).filter(pk=round_.pk).update(status="in_force")
    covenant.in_force = round_.draft
    covenant.save()
    client = client_for(worker)
    page = client.get(url("covenants_detail", community, covenant.pk))
    assert url("covenants_review", community, covenant.pk) in page.text
    done = client.post(
        url("covenants_review", community, covenant.pk),
        {"consultation_starts": when(3), "revision_starts": when(10), "revision_ends": when(15)},
    )
    assert done.status_code == 302
    assert current_round(covenant).kind == "review"


# --- The API ------------------------------------------------------------------------------------


def api(user, method, path, body=None):
    from gongzhi.accounts.services import api_token_create

    token = api_token_create(user=user, name="t")[1]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "POST":
        return client.post(path, body or {}, content_type="application/json", **headers)
    return client.get(path, body or {}, **headers)


def api_path(community, rest=""):
    return f"/api/v1/communities/{community.slug}/covenants{rest}"


def test_the_api_reads_a_covenant_its_version_and_diff(
    community, worker, resident, other_community
):
    covenant = covenant_of(community, worker, phase="revision")
    consolidated(covenant, worker)
    detail = api(resident, "GET", api_path(community, f"/{covenant.pk}")).json()
    assert detail["phase"] == "revision"
    assert detail["round"]["consolidated_version"] == 2
    assert [v["kind"] for v in detail["versions"]] == ["draft", "consolidated"]

    version = api(resident, "GET", api_path(community, f"/{covenant.pk}/versions/2")).json()
    first = version["articles"][0]
    assert (first["label"], first["heading"]) == ("第一条", "宠物")
    assert first["paragraphs"][0]["origin"] is not None

    diff = api(resident, "GET", api_path(community, f"/{covenant.pk}/diff"), {"from": 1, "to": 2})
    data = diff.json()
    assert (data["from_version"], data["to_version"]) == (1, 2)
    assert data["paragraphs"]["changed"] == 1
    changed = data["changes"][0]["paragraphs"][0]
    assert {"tag": "insert", "text": "，违者劝导"} in changed["segments"]
    listed = api(resident, "GET", api_path(community)).json()
    assert [c["id"] for c in listed] == [covenant.pk]

    stranger = member(other_community)
    assert api(stranger, "GET", api_path(community, f"/{covenant.pk}")).status_code == 404


def test_the_api_refuses_with_codes(community, worker, resident):
    from tests.covenants.world import drafting_body

    body = drafting_body(community, worker)
    payload = {
        "title": "公约",
        "drafting_body": body.pk,
        "plain_text": "第一条 宠物\n遛狗须牵绳。",
        "consultation_starts": (timezone.now() + timedelta(days=2)).isoformat(),
        "revision_starts": (timezone.now() + timedelta(days=9)).isoformat(),
        "revision_ends": (timezone.now() + timedelta(days=12)).isoformat(),
    }
    assert api(resident, "POST", api_path(community), payload).status_code == 403
    refused = api(worker, "POST", api_path(community), {**payload, "plain_text": "无条文"})
    assert (refused.status_code, refused.json()["code"]) == (400, "empty_text")
    assert not Covenant.objects.in_community(community).exists()

    covenant = covenant_of(community, worker, body=body, phase="consultation")
    round_ = current_round(covenant)
    refused = api(
        worker,
        "POST",
        api_path(community, f"/rounds/{round_.pk}/draft"),
        {"plain_text": "第一条 x\ny"},
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "drafting_over")
    dates_only = {
        k: payload[k] for k in ("consultation_starts", "revision_starts", "revision_ends")
    }
    refused = api(worker, "POST", api_path(community, f"/{covenant.pk}/rounds"), dates_only)
    assert (refused.status_code, refused.json()["code"]) == (400, "not_in_force")
