"""One resident cannot flood a consultation: at most ten comments in ten minutes and twenty
amendments a day (core.ratelimit, counted in the real database cache); beyond that a clear,
translated refusal (429 in the API) and nothing saved. A worker writing for a resident (代办)
counts towards the resident; a refused comment counts for nothing."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gongzhi.accounts.services import api_token_create
from gongzhi.core import ratelimit
from gongzhi.core.models import Activity
from gongzhi.covenants import consult_services as services
from gongzhi.covenants.models import Amendment, Comment
from tests.covenants.world import covenant_of, current_round, keys
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def noon(monkeypatch):
    """Noon in Beijing: no test's acts straddle the start of a new window by chance."""
    now = time.time()
    fixed = now - now % 86400 + 4 * 3600 + 1
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: fixed))
    return fixed


@pytest.fixture
def round_(community, worker):
    return current_round(covenant_of(community, worker))


def _comment(actor, round_, text="意见", **kw):
    article = keys(round_.draft)[0][0]
    return services.comment_add(actor=actor, round=round_, article_key=article, text=text, **kw)


def _amend(actor, round_, n, **kw):
    paragraph = keys(round_.draft)[0][1][0]
    return services.amendment_propose(
        actor=actor,
        round=round_,
        kind="replace",
        paragraph_key=paragraph,
        text=f"新条文{n}",
        reason="更清楚。",
        **kw,
    )


def test_ten_comments_in_ten_minutes_then_a_pause(monkeypatch, noon, community, round_):
    assert services.RATE_LIMITS["comment"] == (10, 600)
    talker = member(community)
    for i in range(10):
        _comment(talker, round_, f"第{i}条")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        _comment(talker, round_, "刷屏")
    assert caught.value.code == "rate_limited"
    assert "at most 10 comments in ten minutes" in caught.value.messages[0]
    assert Comment.objects.in_community(community).filter(author=talker).count() == 10
    assert Activity.objects.in_community(community).filter(verb="covenant.commented").count() == 10
    # Another resident is not held back; ten minutes on, the talker may speak again.
    _comment(member(community), round_)
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: noon + 600))
    _comment(talker, round_, "十分钟后")


def test_refused_comments_do_not_use_up_the_limit(community, round_):
    talker = member(community)
    for _ in range(12):
        with pytest.raises(ValidationError):
            _comment(talker, round_, "  ")
    for i in range(10):
        _comment(talker, round_, f"第{i}条")


def test_comments_written_down_for_a_resident_count_for_the_resident(community, worker, round_):
    resident = member(community)
    for i in range(10):
        _comment(worker, round_, f"代{i}", on_behalf_of=resident)
    with pytest.raises(ValidationError) as caught:
        _comment(resident, round_)
    assert caught.value.code == "rate_limited"
    _comment(worker, round_, on_behalf_of=member(community))  # the next resident's


def test_twenty_amendments_a_day(community, round_):
    assert services.RATE_LIMITS["amendment"] == (20, 24 * 3600)
    author = member(community)
    for n in range(20):
        _amend(author, round_, n)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        _amend(author, round_, 20)
    assert caught.value.code == "rate_limited"
    assert "at most 20 amendments a day" in caught.value.messages[0]
    assert Amendment.objects.in_community(community).filter(author=author).count() == 20
    _amend(member(community), round_, 21)


def test_the_limit_reaches_the_page_and_the_api(community, round_):
    talker = member(community)
    for i in range(10):
        _comment(talker, round_, f"第{i}条")
    article = keys(round_.draft)[0][0]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(talker)
    page = client.post(
        reverse("covenants_comment", args=[community.slug, round_.pk, article]),
        {"paragraph": "", "text": "第十一条"},
    )
    assert page.status_code == 400
    assert "at most 10 comments in ten minutes" in page.content.decode()
    _t, token = api_token_create(user=talker, name="t")
    api = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {token}")
    base = f"/api/v1/communities/{community.slug}/covenants/rounds/{round_.pk}"
    response = api.post(
        f"{base}/comments",
        json.dumps({"article": article, "text": "第十二条"}),
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (429, "rate_limited")
    assert Comment.objects.in_community(community).filter(author=talker).count() == 10
    author = member(community)
    for n in range(20):
        _amend(author, round_, n)
    _t, token = api_token_create(user=author, name="t")
    response = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Bearer {token}").post(
        f"{base}/amendments",
        json.dumps(
            {
                "kind": "replace",
                "paragraph": keys(round_.draft)[0][1][0],
                "text": "再改",
                "reason": "理由",
            }
        ),
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (429, "rate_limited")
    assert "at most 20 amendments a day" in response.json()["message"]
    assert Amendment.objects.in_community(community).filter(author=author).count() == 20
