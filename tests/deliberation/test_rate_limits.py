"""Limits per person against spam and floods, counted in the real (database) cache."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.services import api_token_create
from gongzhi.core import ratelimit
from gongzhi.deliberation import services
from gongzhi.deliberation.models import Comment, Flag, FlagReason, Proposal
from tests.factories import member


@pytest.fixture(autouse=True)
def noon(monkeypatch):
    """Noon in Beijing: no test's acts straddle the start of a new window by chance."""
    now = time.time()
    fixed = now - now % 86400 + 4 * 3600 + 1
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: fixed))
    return fixed


def limit(action: str) -> int:
    return services.RATE_LIMITS[action][0]


@pytest.mark.django_db
def test_five_proposals_a_day_then_refused_and_nothing_made(community, resident, small_threshold):
    assert limit("proposal") == 5
    for i in range(5):
        services.proposal_create(actor=resident, community=community, title=f"提案{i}", body="b")
    with pytest.raises(ValidationError) as caught:
        services.proposal_create(actor=resident, community=community, title="第六个", body="b")
    assert caught.value.code == "rate_limited"
    assert "at most 5 proposals a day" in caught.value.messages[0]
    assert Proposal.objects.in_community(community).count() == 5
    # Another resident is not held back by the first one's limit.
    services.proposal_create(actor=member(community), community=community, title="t", body="b")


@pytest.mark.django_db
def test_invalid_proposals_do_not_use_up_the_limit(community, resident, small_threshold):
    for _ in range(10):
        with pytest.raises(ValidationError):
            services.proposal_create(actor=resident, community=community, title="", body="b")
    services.proposal_create(actor=resident, community=community, title="t", body="b")


@pytest.mark.django_db
def test_proposals_raised_on_behalf_count_for_the_resident(
    community, resident, worker, small_threshold
):
    for i in range(5):
        services.proposal_create(
            actor=worker, on_behalf_of=resident, community=community, title=f"{i}", body="b"
        )
    with pytest.raises(ValidationError) as caught:
        services.proposal_create(actor=resident, community=community, title="t", body="b")
    assert caught.value.code == "rate_limited"
    other = member(community)  # the worker can still help the next resident
    services.proposal_create(
        actor=worker, on_behalf_of=other, community=community, title="t", body="b"
    )


@pytest.mark.django_db
def test_ten_comments_in_ten_minutes_then_a_pause(monkeypatch, noon, community, proposal):
    assert services.RATE_LIMITS["comment"] == (10, 600)
    talker = member(community)
    for i in range(10):
        services.comment_add(actor=talker, subject=proposal, body=f"第{i}条")
    with pytest.raises(ValidationError) as caught:
        services.comment_add(actor=talker, subject=proposal, body="刷屏")
    assert caught.value.code == "rate_limited"
    assert Comment.objects.in_community(community).filter(author=talker).count() == 10
    # Ten minutes on, a new window begins and the talker may speak again.
    later = noon + 600
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: later))
    services.comment_add(actor=talker, subject=proposal, body="十分钟后")


@pytest.mark.django_db
def test_a_days_count_outlives_the_caches_default_timeout(community, resident, small_threshold):
    """Django's database cache sets the default timeout (300 s) on every ``incr``; the count
    must still be kept for the whole day, or the daily limit would be a five-minute one."""
    services.proposal_create(actor=resident, community=community, title="t", body="b")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT expires FROM gongzhi_cache WHERE cache_key LIKE %s",
            [f"%gz:rate:proposal:{resident.pk}:%"],
        )
        [(expires,)] = cursor.fetchall()
    if isinstance(expires, str):
        expires = datetime.fromisoformat(expires)
    if timezone.is_naive(expires):
        expires = timezone.make_aware(expires, UTC)
    assert expires > timezone.now() + timedelta(hours=1)


@pytest.mark.django_db
def test_twenty_flags_a_day(community, proposal, writer):
    assert limit("flag") == 20
    comments = [
        Comment.objects.in_community(community).create(subject=proposal, author=writer, body=str(i))
        for i in range(21)
    ]
    for comment in comments:
        comment.subject = proposal
    flagger = member(community)
    for comment in comments[:20]:
        services.flag_add(actor=flagger, item=comment, reason=FlagReason.SPAM)
    with pytest.raises(ValidationError) as caught:
        services.flag_add(actor=flagger, item=comments[20], reason=FlagReason.SPAM)
    assert caught.value.code == "rate_limited"
    assert Flag.objects.in_community(community).count() == 20


@pytest.mark.django_db
def test_the_limit_reaches_the_page_and_the_api(client, community, proposal):
    talker = member(community)
    for i in range(10):
        services.comment_add(actor=talker, subject=proposal, body=f"{i}")
    client.force_login(talker)
    response = client.post(
        reverse("comment_add", args=[community.slug, proposal.pk]),
        {"body": "第十一条"},
        follow=True,
    )
    assert "at most 10 comments in ten minutes" in response.content.decode()
    _t, token = api_token_create(user=talker, name="t")
    api = client.post(
        f"/api/v1/communities/{community.slug}/proposals/{proposal.pk}/comments",
        data=json.dumps({"body": "第十二条"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert (api.status_code, api.json()["code"]) == (429, "rate_limited")
    assert Comment.objects.in_community(community).filter(author=talker).count() == 10
