"""Announcements: categories and pinning, publishing that notifies members, important notices
with read confirmations and the staff's list of who has not read them (with the phone and
household a worker needs), the pages and the API, and bad input that saves nothing."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity, Membership
from gongzhi.disclosure import selectors, services
from gongzhi.disclosure.models import Announcement, ReadConfirmation
from gongzhi.notifications.models import Notification
from tests.factories import HouseholdFactory, member


def _notice(community, worker, **kw):
    values = {"title": "停水通知", "body": "本周六9点至12点停水。", "category": "service"}
    return services.announcement_create(actor=worker, community=community, **(values | kw))


@pytest.mark.django_db
def test_publishing_notifies_every_member_in_their_language(community, worker, resident):
    draft = _notice(community, worker)
    assert not Notification.objects.filter(user=resident).exists()
    services.announcement_publish(actor=worker, announcement=draft)
    note = Notification.objects.get(user=resident)
    assert note.kind == "notice_published" and "停水通知" in note.title
    assert note.url == reverse("notice_detail", args=[community.slug, draft.pk])
    with pytest.raises(ValidationError, match="already published"):
        services.announcement_publish(actor=worker, announcement=draft)
    verbs = set(Activity.objects.filter(community=community).values_list("verb", flat=True))
    assert {"notice.created", "notice.published"} <= verbs


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Give it a title"),
        ({"body": ""}, "Write the text"),
        ({"body": "字" * 20001}, "too long"),
        ({"title": "题" * 201}, "too long"),
        ({"category": "gossip"}, "listed categories"),
    ],
)
def test_bad_announcements_are_refused_and_nothing_saved(community, worker, changes, message):
    with pytest.raises(ValidationError, match=message):
        _notice(community, worker, publish=True, **changes)
    assert not Announcement.objects.in_community(community).exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_only_community_workers_write(community, resident, official, supervisor):
    for user in (resident, official, supervisor):
        with pytest.raises(PermissionDenied):
            _notice(community, user)


@pytest.mark.django_db
def test_pinned_first_drafts_hidden_from_residents(community, worker, resident):
    old = _notice(community, worker, title="旧通知", publish=True)
    _notice(community, worker, title="新通知", publish=True)
    _notice(community, worker, title="草稿")
    services.announcement_pin(actor=worker, announcement=old, pinned=True)
    shown = [a.title for a in selectors.announcement_list(community=community, user=resident)]
    assert shown == ["旧通知", "新通知"]
    staff = [a.title for a in selectors.announcement_list(community=community, user=worker)]
    assert "草稿" in staff


@pytest.mark.django_db
def test_important_notice_read_confirmation_and_who_has_not_read(
    community, worker, resident, client
):
    household = HouseholdFactory(community=community, building__community=community)
    late = member(community, display_name="王奶奶")
    Membership.objects.in_community(community).filter(user=late).update(household=household)
    notice = _notice(community, worker, important=True, publish=True)
    assert Notification.objects.get(user=late).kind == "notice_important"
    assert services.announcement_confirm_read(actor=resident, announcement=notice) is True
    assert services.announcement_confirm_read(actor=resident, announcement=notice) is False
    assert ReadConfirmation.objects.in_community(community).count() == 1
    counts = selectors.read_counts(announcement=notice)
    members = Membership.objects.in_community(community).count()
    assert (counts.members, counts.confirmed, counts.unread) == (members, 1, members - 1)
    unread = [m.user for m in selectors.unread_members(announcement=notice)]
    assert late in unread and resident not in unread

    url = reverse("notice_unread", args=[community.slug, notice.pk])
    client.force_login(resident)
    assert client.get(url).status_code == 404  # staff only: phone numbers
    client.force_login(worker)
    page = client.get(url).content.decode()
    assert "王奶奶" in page and late.phone in page and household.unit in page
    assert household.building.name in page
    assert resident.display_name not in page


@pytest.mark.django_db
def test_confirming_is_for_members_and_important_notices(community, worker, outsider):
    ordinary = _notice(community, worker, publish=True)
    important = _notice(community, worker, important=True, publish=True)
    with pytest.raises(PermissionDenied):
        services.announcement_confirm_read(actor=outsider, announcement=important)
    with pytest.raises(ValidationError, match="does not ask"):
        services.announcement_confirm_read(actor=worker, announcement=ordinary)


@pytest.mark.django_db
def test_pages_list_filter_detail_and_confirm(community, worker, resident, client):
    notice = _notice(community, worker, important=True, publish=True, category="safety")
    _notice(community, worker, title="活动报名", category="activity", publish=True)
    response = client.get(reverse("notice_list", args=[community.slug]) + "?category=safety")
    assert "停水通知" in response.content.decode() and "活动报名" not in response.content.decode()
    client.force_login(resident)
    url = reverse("notice_detail", args=[community.slug, notice.pk])
    assert "I have read this notice" in client.get(url).content.decode()
    client.post(reverse("notice_confirm", args=[community.slug, notice.pk]))
    assert 'id="confirmed"' in client.get(url).content.decode()
    client.force_login(worker)
    form = client.post(
        reverse("notice_create", args=[community.slug]),
        {"title": "", "body": "x", "category": "general", "publish": "on"},
    )
    assert form.status_code == 200 and Announcement.objects.in_community(community).count() == 2


@pytest.mark.django_db
def test_notice_list_query_count(
    community, worker, resident, client, django_assert_max_num_queries
):
    for i in range(25):
        _notice(community, worker, title=f"通知{i}", publish=True)
    client.force_login(resident)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("notice_list", args=[community.slug]))
    assert response.content.decode().count("data-announcement=") == 20


@pytest.mark.django_db
def test_api_list_detail_create_confirm_unread(community, worker, resident, client):
    _t, worker_token = api_token_create(user=worker, name="t")
    _t, resident_token = api_token_create(user=resident, name="t")
    base = f"/api/v1/communities/{community.slug}/announcements"
    bad = client.post(
        base,
        json.dumps({"title": "t", "body": "b", "category": "nope", "publish": True}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {worker_token}",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "unknown_category"
    created = client.post(
        base,
        json.dumps(
            {
                "title": "消防演练",
                "body": "周五下午",
                "category": "safety",
                "important": True,
                "publish": True,
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {worker_token}",
    )
    assert created.status_code == 201
    notice_id = created.json()["id"]
    forbidden = client.post(
        base,
        json.dumps({"title": "x", "body": "y", "category": "general"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {resident_token}",
    )
    assert forbidden.status_code == 403
    listed = client.get(base)  # anonymous
    assert [a["title"] for a in listed.json()["items"]] == ["消防演练"]
    confirm = client.post(
        f"{base}/{notice_id}/confirm", HTTP_AUTHORIZATION=f"Bearer {resident_token}"
    )
    assert confirm.json() == {"confirmed": True, "first_time": True}
    mine = client.get(f"{base}/{notice_id}", HTTP_AUTHORIZATION=f"Bearer {resident_token}")
    assert mine.json()["read_by_me"] is True
    unread = client.get(f"{base}/{notice_id}/unread", HTTP_AUTHORIZATION=f"Bearer {worker_token}")
    body = unread.json()
    assert body["confirmed"] == 1 and body["unread"] == body["members"] - 1
    assert worker.phone in [m["phone"] for m in body["not_yet_read"]]
    assert (
        client.get(
            f"{base}/{notice_id}/unread", HTTP_AUTHORIZATION=f"Bearer {resident_token}"
        ).status_code
        == 404
    )
