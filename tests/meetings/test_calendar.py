"""Calendar feeds of meetings, read back as a calendar app reads them: parsed with ``icalendar``
and expanded with ``recurring-ical-events``; the cache and ETag; the secret personal address;
the pages that advertise a feed; the printable month."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.accounts import services as account_services
from gongzhi.core import ical
from gongzhi.core.models import CalendarFeed
from gongzhi.meetings.models import (
    Invitation,
    InvitationKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Registration,
    RegistrationStatus,
    Series,
)
from tests.factories import member
from tests.meetings.world import meeting_of, seated_council

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
FAR = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def expanded(cal: icalendar.Calendar) -> list[tuple[datetime, str]]:
    """Every occurrence a calendar app shows: (start in Beijing time, summary)."""
    return sorted(
        (event.decoded("dtstart").astimezone(SHANGHAI), str(event["summary"]))
        for event in recurring_ical_events.of(cal).between(*FAR)
        if str(event.get("status", "")) != "CANCELLED"
    )


def advertised(html: str) -> list[str]:
    """The feeds a page advertises: its <link rel="alternate" type="text/calendar"> hrefs."""
    return re.findall(r'<link rel="alternate"\s+type="text/calendar"\s+href="([^"]+)"', html)


def feed_url(community) -> str:
    return reverse("community_calendar", kwargs={"slug": community.slug})


def weekly_series(body, by, *, count=6, public=True, title="每周议事会") -> Series:
    """A weekly series at 19:30 Beijing time, every occurrence materialised, as
    meeting_create(rrule=...) makes it."""
    local = timezone.localtime(timezone.now() + timedelta(days=7), SHANGHAI)
    first = local.replace(hour=19, minute=30, second=0, microsecond=0)
    series = Series.objects.create(
        community=body.community,
        body=body,
        title=title,
        kind=MeetingKind.ORDINARY,
        rrule=f"FREQ=WEEKLY;COUNT={count}",
        first_starts_at=first,
        duration_minutes=90,
        place="社区活动室",
        public=public,
        created_by=by,
    )
    for week in range(count):
        start = first + timedelta(weeks=week)
        Meeting.objects.create(
            community=body.community,
            body=body,
            series=series,
            recurrence_id=start,
            kind=MeetingKind.ORDINARY,
            title=title,
            starts_at=start,
            ends_at=start + timedelta(minutes=90),
            place="社区活动室",
            public=public,
            created_by=by,
        )
    return series


def occurrences(series: Series) -> list[Meeting]:
    return list(
        Meeting.objects.in_community(series.community).filter(series=series).order_by("starts_at")
    )


# --- The community's feed ----------------------------------------------------------------------


def test_the_community_feed_holds_public_meetings_of_the_last_year_and_the_future(
    client, community, worker
):
    body, _people = seated_council(community, worker)
    upcoming = meeting_of(body, worker, title="三季度议事会")
    recent = meeting_of(body, worker, starts_in=-timedelta(days=300), title="去年冬季议事会")
    meeting_of(body, worker, starts_in=-timedelta(days=400), title="太久以前")
    meeting_of(body, worker, starts_in=timedelta(days=3), title="闭门会议", public=False)
    cal = parse(client.get(feed_url(community)))
    assert str(cal["x-wr-timezone"]) == "Asia/Shanghai"
    by_uid = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(by_uid) == {f"meeting-{upcoming.pk}@gongzhi", f"meeting-{recent.pk}@gongzhi"}
    event = by_uid[f"meeting-{upcoming.pk}@gongzhi"]
    assert event.decoded("dtstart") == upcoming.starts_at.astimezone(UTC)
    assert event["dtstart"].to_ical().endswith(b"Z")  # written in UTC
    assert str(event["location"]) == "社区活动室" and str(event["status"]) == "CONFIRMED"
    assert str(event["url"]).endswith(
        reverse("meeting_detail", kwargs={"slug": community.slug, "meeting_id": upcoming.pk})
    )
    assert body.name in str(event["description"])


def test_a_cancelled_meeting_stays_in_the_feed_as_cancelled_with_a_higher_sequence(
    client, community, worker
):
    body, _people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    Meeting.objects.in_community(community).filter(pk=meeting.pk).update(
        status=MeetingStatus.CANCELLED, sequence=1, updated_at=timezone.now()
    )
    (event,) = parse(client.get(feed_url(community))).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1
    assert expanded(parse(client.get(feed_url(community)))) == []


def test_a_series_is_one_event_with_its_rule_cancellations_and_a_moved_occurrence(
    client, community, worker
):
    body, _people = seated_council(community, worker)
    series = weekly_series(body, worker)
    meetings = occurrences(series)
    cancelled, moved, retitled = meetings[1], meetings[3], meetings[4]
    cancelled.status, cancelled.sequence = MeetingStatus.CANCELLED, 1
    cancelled.save()
    moved.starts_at += timedelta(days=1, hours=-10)
    moved.ends_at += timedelta(days=1, hours=-10)
    moved.sequence = 1
    moved.save()
    retitled.title, retitled.sequence = "每周议事会（预算专题）", 2
    retitled.save()

    cal = parse(client.get(feed_url(community)))
    events = cal.walk("VEVENT")
    assert {str(e["uid"]) for e in events} == {f"series-{series.pk}@gongzhi"}
    (master,) = [e for e in events if "rrule" in e]
    assert master["rrule"]["COUNT"] == [6] and master["rrule"]["FREQ"] == ["WEEKLY"]
    excluded = master["exdate"] if isinstance(master["exdate"], list) else [master["exdate"]]
    assert [d.dt for x in excluded for d in x.dts] == [cancelled.recurrence_id]
    overrides = {e.decoded("recurrence-id"): e for e in events if "recurrence-id" in e}
    assert set(overrides) == {moved.recurrence_id, retitled.recurrence_id}
    assert int(overrides[retitled.recurrence_id]["sequence"]) == 2

    # what the phone shows is exactly the meetings that will take place
    live = [m for m in occurrences(series) if m.status != MeetingStatus.CANCELLED]
    assert expanded(cal) == [(m.starts_at.astimezone(SHANGHAI), m.title) for m in live]


def test_a_whole_series_cancelled_is_one_cancelled_event(client, community, worker):
    body, _people = seated_council(community, worker)
    series = weekly_series(body, worker, count=3)
    Meeting.objects.in_community(community).filter(series=series).update(
        status=MeetingStatus.CANCELLED, sequence=1
    )
    Series.objects.in_community(community).filter(pk=series.pk).update(
        sequence=1, updated_at=timezone.now()
    )
    (event,) = parse(client.get(feed_url(community))).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1


# --- Cache and ETag ----------------------------------------------------------------------------


def test_an_unchanged_feed_answers_304_and_a_changed_meeting_changes_it(
    client, community, worker, django_assert_max_num_queries
):
    body, _people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    first = client.get(feed_url(community))
    etag = first["ETag"]
    assert etag.startswith('"') and first["Cache-Control"] == "public, no-cache"
    with django_assert_max_num_queries(2):  # the community, the feed's (count, last change)
        again = client.get(feed_url(community), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and again.content == b""
    with django_assert_max_num_queries(3):  # ... and the cached feed
        cached = client.get(feed_url(community))
    assert cached.content == first.content

    meeting.place, meeting.sequence, meeting.updated_at = "党群服务中心", 1, timezone.now()
    meeting.save()
    changed = client.get(feed_url(community), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    (event,) = parse(changed).walk("VEVENT")
    assert str(event["location"]) == "党群服务中心" and int(event["sequence"]) == 1

    meeting_of(body, worker, starts_in=timedelta(days=40), title="新会议")  # a new row
    assert client.get(feed_url(community), HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200


# --- A body's feed -----------------------------------------------------------------------------


def test_a_body_feed_holds_that_bodys_public_meetings_only(client, community, worker):
    body, _people = seated_council(community, worker)
    other, _ = seated_council(community, worker, name="业主委员会")
    mine = meeting_of(body, worker)
    meeting_of(other, worker, title="业委会例会")
    url = reverse("body_calendar", kwargs={"slug": community.slug, "body_id": body.pk})
    (event,) = parse(client.get(url)).walk("VEVENT")
    assert str(event["uid"]) == f"meeting-{mine.pk}@gongzhi"
    assert (
        client.get(
            reverse("body_calendar", kwargs={"slug": community.slug, "body_id": 99999})
        ).status_code
        == 404
    )


# --- A person's feed ---------------------------------------------------------------------------


def test_a_members_feed_holds_their_bodys_closed_meetings_and_what_they_signed_up_for(
    client, community, worker
):
    body, people = seated_council(community, worker)
    other, _ = seated_council(community, worker, name="业主委员会")
    closed = meeting_of(body, worker, public=False, title="闭门会议")
    someone_elses = meeting_of(other, worker, public=False, title="业委会闭门会")
    series = weekly_series(other, worker, count=4, title="业委会开放日")
    one_sitting = occurrences(series)[2]
    Registration.objects.create(
        community=community,
        meeting=one_sitting,
        person=people[0],
        status=RegistrationStatus.REGISTERED,
    )
    guest_at = meeting_of(other, worker, starts_in=timedelta(days=20), title="听证会")
    Invitation.objects.create(
        community=community, meeting=guest_at, person=people[0], kind=InvitationKind.GUEST
    )
    token = ical.calendar_feed_issue(person=people[0]).token
    response = client.get(reverse("person_calendar", kwargs={"token": token}))
    assert response["Cache-Control"] == "private, no-cache"
    cal = parse(response)
    uids = {str(e["uid"]) for e in cal.walk("VEVENT")}
    # one sitting of a series they do not follow is a single event, not the whole series
    assert uids == {
        f"meeting-{closed.pk}@gongzhi",
        f"meeting-{one_sitting.pk}@gongzhi",
        f"meeting-{guest_at.pk}@gongzhi",
    }
    assert someone_elses.pk not in {int(u.split("-")[1].split("@")[0]) for u in uids}
    # a resident who sits nowhere sees none of the closed meetings
    outsider = ical.calendar_feed_issue(person=member(community)).token
    assert (
        parse(client.get(reverse("person_calendar", kwargs={"token": outsider}))).walk("VEVENT")
        == []
    )


def test_the_feed_address_is_a_secret_token_that_can_be_renewed_and_revoked(
    client, community, resident
):
    client.force_login(resident)
    page = reverse("calendar_subscribe")
    assert client.get(page).status_code == 200
    client.post(page, {"action": "issue"})
    first = CalendarFeed.objects.get(person=resident).token
    response = client.get(page)
    assert first in response.content.decode() and "webcal://" in response.content.decode()
    client.post(page, {"action": "issue"})
    second = CalendarFeed.objects.get(person=resident).token
    client.logout()  # calendar apps have no session
    assert client.get(reverse("person_calendar", kwargs={"token": first})).status_code == 404
    assert client.get(reverse("person_calendar", kwargs={"token": second})).status_code == 200
    client.force_login(resident)
    client.post(page, {"action": "revoke"})
    client.logout()
    assert client.get(reverse("person_calendar", kwargs={"token": second})).status_code == 404


def test_an_api_token_does_not_open_a_calendar_and_the_page_needs_a_login(client, resident):
    _token, secret = account_services.api_token_create(user=resident, name="脚本")
    assert client.get(reverse("person_calendar", kwargs={"token": secret})).status_code == 404
    assert client.get(reverse("calendar_subscribe")).status_code == 302


# --- Pages that advertise a feed, and the printable month -------------------------------------


def test_the_community_home_advertises_its_feed(client, community):
    html = client.get(reverse("community_home", kwargs={"slug": community.slug})).content.decode()
    assert advertised(html) == [feed_url(community)]


def test_the_printable_month_shows_the_meetings_a_visitor_may_see(client, community, worker):
    body, _people = seated_council(community, worker)
    start = timezone.localtime(timezone.now() + timedelta(days=10), SHANGHAI)
    public = meeting_of(body, worker, title="公开议事会")
    meeting_of(body, worker, title="闭门会议", public=False)
    url = reverse(
        "meeting_month", kwargs={"slug": community.slug, "year": start.year, "month": start.month}
    )
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "公开议事会" in html and "闭门会议" not in html
    assert advertised(html) == [feed_url(community)]
    assert (
        reverse("meeting_detail", kwargs={"slug": community.slug, "meeting_id": public.pk}) in html
    )
    Meeting.objects.in_community(community).filter(pk=public.pk).update(
        status=MeetingStatus.CANCELLED
    )
    assert gettext("cancelled") in client.get(url).content.decode()
    bad = reverse("meeting_month", kwargs={"slug": community.slug, "year": 2026, "month": 13})
    assert client.get(bad).status_code == 404


def test_the_body_page_the_meetings_list_and_a_meeting_advertise_a_feed(client, community, worker):
    body, _people = seated_council(community, worker)
    meeting = meeting_of(body, worker)
    body_feed = reverse("body_calendar", kwargs={"slug": community.slug, "body_id": body.pk})
    pages = {
        reverse("body_detail", kwargs={"slug": community.slug, "body_id": body.pk}): body_feed,
        reverse("meeting_list", kwargs={"slug": community.slug}): feed_url(community),
        reverse(
            "meeting_detail", kwargs={"slug": community.slug, "meeting_id": meeting.pk}
        ): body_feed,
    }
    client.force_login(worker)  # the bodies' pages are for the community's people
    for page, feed in pages.items():
        response = client.get(page)
        assert response.status_code == 200, page
        assert advertised(response.content.decode()) == [feed]
