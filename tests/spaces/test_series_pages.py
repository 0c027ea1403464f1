"""The series-and-draws pages: a repeating booking from the form through the conflict report to
booked (the rest, or nothing), its page and cancellations; a draw opened, asked for, its list
published at the close, drawn by a manager who did not ask; who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import Role
from gongzhi.spaces import draws
from gongzhi.spaces import series as services
from gongzhi.spaces.models import Booking, DrawRound, Series
from tests.api_world import staff
from tests.factories import member
from tests.spaces.world import at, booking_of, space_of

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _form(start, **extra):
    return {
        "starts_at": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
        "minutes": "90",
        "often": "weekly",
        "times": "4",
        "rrule": "",
        "exdates": "",
        "purpose": "合唱团排练",
        "attendees": "12",
        **extra,
    }


def test_the_form_leads_to_the_report_then_books_the_rest(community, resident):
    space = space_of(community)
    start = at(2, hour=19)
    booking_of(space, member(community), start + timedelta(weeks=1))
    client = client_for(resident)
    url = reverse("spaces_series_new", args=[community.slug, space.pk])
    assert client.get(url).status_code == 200
    report = client.post(url, _form(start))
    assert report.status_code == 200
    page = report.content.decode()
    assert 'data-conflict="booking_taken"' in page
    assert "Book the 3 free times" in page
    assert Series.objects.count() == 0
    booked = client.post(url, {**_form(start), "book": "rest"})
    row = Series.objects.get()
    assert booked.status_code == 302
    assert booked["Location"] == reverse("spaces_series", args=[community.slug, row.pk])
    assert Booking.objects.filter(series=row).count() == 3
    detail = client.get(booked["Location"]).content.decode()
    assert "合唱团排练" in detail and detail.count('data-status="confirmed"') == 3
    mine = client.get(reverse("spaces_mine", args=[community.slug])).content.decode()
    assert f'data-series="{row.pk}"' in mine


def test_bad_rules_are_shown_on_the_form_and_nothing_is_saved(community, resident):
    space = space_of(community)
    client = client_for(resident)
    url = reverse("spaces_series_new", args=[community.slug, space.pk])
    endless = client.post(url, _form(at(2), often="rule", rrule="FREQ=WEEKLY"))
    assert endless.status_code == 400
    assert "must end" in endless.content.decode()
    too_long = client.post(url, _form(at(2), often="rule", rrule="FREQ=DAILY;COUNT=400"))
    assert too_long.status_code == 400 and "at most 1 year" in too_long.content.decode()
    bad_day = client.post(url, _form(at(2), exdates="2026-13-01"))
    assert bad_day.status_code == 400
    assert Series.objects.count() == 0 and Booking.objects.count() == 0


def test_cancel_one_time_and_the_rest_from_the_series_page(community, resident):
    space = space_of(community)
    outcome = services.series_book(
        actor=resident,
        space=space,
        rrule="FREQ=WEEKLY;COUNT=3",
        starts_at=at(2),
        minutes=60,
        purpose="书法",
    )
    client = client_for(resident)
    row = outcome.series
    first = outcome.booked[0]
    client.post(reverse("spaces_occurrence_cancel", args=[community.slug, row.pk, first.pk]))
    first.refresh_from_db()
    assert first.status == "cancelled"
    client.post(reverse("spaces_series_cancel", args=[community.slug, row.pk]), {"reason": ""})
    assert set(Booking.objects.filter(series=row).values_list("status", flat=True)) == {"cancelled"}


def test_a_series_is_seen_by_its_person_and_the_managers_only(community, resident, worker):
    space = space_of(community)
    outcome = services.series_book(
        actor=resident,
        space=space,
        rrule="FREQ=WEEKLY;COUNT=2",
        starts_at=at(2),
        minutes=60,
        purpose="书法",
    )
    url = reverse("spaces_series", args=[community.slug, outcome.series.pk])
    assert client_for(member(community)).get(url).status_code == 404
    assert client_for(worker).get(url).status_code == 200
    assert client_for(resident).get(url).status_code == 200


def test_a_space_without_repeating_bookings_says_so(community, resident):
    space = space_of(community, series_allowed=False)
    response = client_for(resident).get(
        reverse("spaces_series_new", args=[community.slug, space.pk])
    )
    assert response.status_code == 302


def test_a_draw_from_opening_to_the_published_result(community, worker, resident):
    space = space_of(community)
    manager = client_for(worker)
    new = reverse("spaces_draw_new", args=[community.slug, space.pk])
    assert client_for(resident).get(new).status_code == 404
    start = at(4, hour=19)
    opened = manager.post(
        new,
        {
            "starts_at": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": timezone.localtime(at(2, hour=12)).strftime("%Y-%m-%dT%H:%M"),
            "seed_rule": "福彩3D开奖号码",
        },
    )
    draw = DrawRound.objects.get()
    assert opened.status_code == 302
    page_url = reverse("spaces_draw", args=[community.slug, draw.pk])
    ask = client_for(resident).post(
        reverse("spaces_draw_ask", args=[community.slug, draw.pk]), {"purpose": "生日会"}
    )
    assert ask.status_code == 302
    neighbour = member(community, display_name="张三丰")
    draws.draw_request(actor=neighbour, draw=draw, purpose="聚会")
    before = client_for(resident).get(page_url).content.decode()
    assert 'id="published"' not in before and 'data-outcome="waiting"' in before
    list_url = reverse("spaces_draw_list", args=[community.slug, draw.pk])
    assert client_for(resident).get(list_url).status_code == 404
    DrawRound.objects.filter(pk=draw.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    closed = client_for(resident).get(page_url).content.decode()
    assert 'id="published"' in closed and "张*丰" in closed
    assert 'id="seed"' not in closed
    text = client_for(resident).get(list_url)
    assert text.content.decode().count("\n") == 2
    assert 'id="seed"' in manager.get(page_url).content.decode()
    drawn = manager.post(
        reverse("spaces_draw_run", args=[community.slug, draw.pk]), {"seed": "2026 123 "}
    )
    assert drawn.status_code == 302
    draw.refresh_from_db()
    assert draw.seed == "2026 123 "  # kept exactly as typed
    result = client_for(resident).get(page_url).content.decode()
    assert result.count('data-outcome="won"') >= 1
    assert "python -m gongzhi.core.lottery" in result


def test_a_manager_who_asked_cannot_type_the_seed(community, worker):
    space = space_of(community)
    other = staff(community, Role.COMMUNITY_WORKER)
    draw = draws.draw_open(
        actor=worker,
        space=space,
        starts_at=at(4, hour=19),
        ends_at=at(4, hour=21),
        closes_at=timezone.now() + timedelta(hours=1),
        seed_rule="开奖号码",
    )
    draws.draw_request(actor=other, draw=draw, purpose="聚会")
    DrawRound.objects.filter(pk=draw.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    page = client_for(other).get(reverse("spaces_draw", args=[community.slug, draw.pk]))
    assert 'id="seed"' not in page.content.decode()
    refused = client_for(other).post(
        reverse("spaces_draw_run", args=[community.slug, draw.pk]), {"seed": "x"}
    )
    assert refused.status_code == 400
    draw.refresh_from_db()
    assert draw.status == "open"


def test_the_home_page_shows_draws_and_repeating_links(community, worker, resident):
    space = space_of(community)
    draws.draw_open(
        actor=worker,
        space=space,
        starts_at=at(4, hour=19),
        ends_at=at(4, hour=21),
        closes_at=timezone.now() + timedelta(hours=1),
        seed_rule="开奖号码",
    )
    page = client_for(resident).get(reverse("spaces_home", args=[community.slug])).content
    text = page.decode()
    assert 'id="hub-series"' in text
    assert reverse("spaces_series_new", args=[community.slug, space.pk]) in text
    assert reverse("spaces_draw_new", args=[community.slug, space.pk]) not in text
    staff = client_for(worker).get(reverse("spaces_home", args=[community.slug])).content.decode()
    assert reverse("spaces_draw_new", args=[community.slug, space.pk]) in staff


def test_another_communitys_series_and_draws_are_not_found(community, other_community, resident):
    space = space_of(other_community, name="别处")
    outsider = client_for(resident)
    assert (
        outsider.get(
            reverse("spaces_series_new", args=[other_community.slug, space.pk])
        ).status_code
        == 404
    )
    assert (
        outsider.get(reverse("spaces_series_new", args=[community.slug, space.pk])).status_code
        == 404
    )


def test_the_series_calendar_shows_exactly_the_times_booked(community, resident):
    import icalendar
    import recurring_ical_events

    space = space_of(community)
    start = at(2, hour=19)
    booking_of(space, member(community), start + timedelta(weeks=1))
    outcome = services.series_book(
        actor=resident,
        space=space,
        rrule="FREQ=WEEKLY;COUNT=5",
        starts_at=start,
        minutes=60,
        purpose="书法",
        book_rest=True,
    )
    services.occurrence_cancel(actor=resident, booking=outcome.booked[2])
    response = client_for(resident).get(
        reverse("spaces_series_calendar", args=[community.slug, outcome.series.pk])
    )
    assert response["Content-Type"].startswith("text/calendar")
    feed = icalendar.Calendar.from_ical(response.content)
    shown = sorted(
        event.decoded("dtstart")
        for event in recurring_ical_events.of(feed).between(
            start - timedelta(days=1), start + timedelta(days=60)
        )
    )
    booked = Booking.objects.filter(series=outcome.series, status="confirmed")
    assert shown == sorted(booked.values_list("starts_at", flat=True))
    assert len(shown) == 3


def test_a_manager_approves_a_whole_series_from_its_page(community, resident, worker):
    space = space_of(community, needs_approval=True)
    outcome = services.series_book(
        actor=resident,
        space=space,
        rrule="FREQ=WEEKLY;COUNT=3",
        starts_at=at(2),
        minutes=60,
        purpose="书法",
    )
    url = reverse("spaces_series", args=[community.slug, outcome.series.pk])
    assert 'id="decide"' not in client_for(resident).get(url).content.decode()
    manager = client_for(worker)
    assert 'id="decide"' in manager.get(url).content.decode()
    manager.post(
        reverse("spaces_series_decide", args=[community.slug, outcome.series.pk]),
        {"approve": "1", "reason": ""},
    )
    statuses = set(Booking.objects.filter(series=outcome.series).values_list("status", flat=True))
    assert statuses == {"confirmed"}


def test_the_draw_page_and_my_bookings_do_not_grow_queries_with_rows(community, worker, resident):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    space = space_of(community, seats=2)

    def draw_with(count, day):
        draw = draws.draw_open(
            actor=worker,
            space=space,
            starts_at=at(day, hour=19),
            ends_at=at(day, hour=21),
            closes_at=timezone.now() + timedelta(hours=1),
            seed_rule="开奖号码",
        )
        for _ in range(count):
            draws.draw_request(actor=member(community), draw=draw, purpose="聚会")
        draws.draw_request(actor=resident, draw=draw, purpose="聚会")
        DrawRound.objects.filter(pk=draw.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
        return draw

    client = client_for(resident)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small, large = draw_with(2, 4), draw_with(12, 5)
    assert queries(reverse("spaces_draw", args=[community.slug, large.pk])) == queries(
        reverse("spaces_draw", args=[community.slug, small.pk])
    )
    mine = reverse("spaces_mine", args=[community.slug])
    before = queries(mine)
    for day in (6, 7, 8):
        services.series_book(
            actor=resident,
            space=space,
            rrule="FREQ=WEEKLY;COUNT=2",
            starts_at=at(day, hour=8),
            minutes=60,
            purpose="书法",
        )
    assert queries(mine) <= before + 2  # S1's list of my bookings may add its own reads


def test_the_reports_button_reposts_the_same_request(community, resident):
    import re

    space = space_of(community)
    start = at(2, hour=19)
    booking_of(space, member(community), start + timedelta(weeks=1))
    client = client_for(resident)
    url = reverse("spaces_series_new", args=[community.slug, space.pk])
    page = client.post(url, _form(start, exdates="")).content.decode()
    form = page[page.index('name="book"') - 3000 : page.index('name="book"')]
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    assert hidden["often"] == "weekly" and hidden["times"] == "4"
    booked = client.post(url, {**hidden, "book": "rest"})
    assert booked.status_code == 302
    assert Booking.objects.filter(series__isnull=False).count() == 3


def test_a_member_of_an_organisation_books_for_it_from_the_form(community, worker, resident):
    from tests.spaces.test_series import _body_with

    chair = member(community)
    body = _body_with(community, worker, chair)
    space = space_of(community)
    url = reverse("spaces_series_new", args=[community.slug, space.pk])
    assert 'name="body"' not in client_for(resident).get(url).content.decode()
    client = client_for(chair)
    assert 'name="body"' in client.get(url).content.decode()
    done = client.post(url, {**_form(at(2, hour=19)), "body": str(body.pk), "book": "all"})
    assert done.status_code == 302
    assert Series.objects.get().body_id == body.pk
    assert set(Booking.objects.values_list("body_id", flat=True)) == {body.pk}


def test_a_bodys_member_may_open_draws_for_the_spaces_it_manages_only(community, worker):
    from gongzhi.spaces import series_selectors
    from tests.spaces.test_series import _body_with

    chair = member(community)
    body = _body_with(community, worker, chair)
    theirs = space_of(community, name="老年活动室", managed_by_body=body)
    other = space_of(community, name="大厅")
    assert series_selectors.managed_spaces(community, chair) == [theirs]
    assert set(series_selectors.managed_spaces(community, worker)) == {theirs, other}
    assert series_selectors.managed_spaces(community, member(community)) == []
    page = client_for(chair).get(reverse("spaces_home", args=[community.slug])).content.decode()
    assert reverse("spaces_draw_new", args=[community.slug, theirs.pk]) in page
    assert reverse("spaces_draw_new", args=[community.slug, other.pk]) not in page


def test_a_request_is_withdrawn_and_a_draw_cancelled_from_the_draws_page(client, community):
    from gongzhi.spaces.models import DrawRequest, DrawStatus

    worker = staff(community, Role.COMMUNITY_WORKER)
    resident = member(community)
    space = space_of(community, worker)
    draw = draws.draw_open(
        actor=worker,
        space=space,
        starts_at=at(3),
        ends_at=at(3) + timedelta(hours=2),
        closes_at=timezone.now() + timedelta(hours=1),
        seed_rule="12月5日福彩3D开奖号码",
    )
    draws.draw_request(actor=resident, draw=draw, purpose="合唱")
    client.force_login(resident)
    answer = client.post(reverse("spaces_draw_withdraw", args=[community.slug, draw.pk]))
    assert answer.status_code == 302
    assert DrawRequest.objects.get().outcome == "withdrawn"
    # the resident cannot cancel the draw; its manager can, saying why
    assert (
        client.post(reverse("spaces_draw_cancel", args=[community.slug, draw.pk])).status_code
        == 404
    )
    client.force_login(worker)
    url = reverse("spaces_draw_cancel", args=[community.slug, draw.pk])
    assert client.post(url).status_code == 302  # no reason: refused on the page
    assert DrawRound.objects.get().status == DrawStatus.OPEN
    assert client.post(url, {"reason": "场地维修"}).status_code == 302
    assert DrawRound.objects.get().status == DrawStatus.CANCELLED
