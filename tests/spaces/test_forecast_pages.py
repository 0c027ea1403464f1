"""The demand forecast page: who sees it (community workers all of it, a managing body's members
their spaces and no hotline, residents nothing), what it shows (the chart, the day-by-day table
with intervals, the recent actuals), the suggestions where demand fills the opening hours or the
hotline surges, the holiday calendar's end said plainly, and the day's cache."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from gongzhi.feedback import services as hotline
from gongzhi.feedback.models import Category, Ticket
from gongzhi.spaces import forecast_selectors
from gongzhi.spaces.models import Booking, BookingStatus
from tests.meetings.world import seated_council
from tests.spaces.world import space_of

HOURS = {"weekly": {d: [["09:00", "12:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}, "holidays": "usual"}  # fmt: skip
DAYS = 70


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _history(space, person, today: date) -> None:
    """Ten weeks: weekends full (three one-hour bookings of three open hours), weekdays one."""
    rows = []
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        for hour in (9, 10, 11) if day.weekday() >= 5 else (10,):
            rows.append(
                Booking(
                    community=space.community, space=space, person=person, booked_by=person,
                    starts_at=_at(day, hour), ends_at=_at(day, hour + 1),
                    busy_until=_at(day, hour + 1), status=BookingStatus.CONFIRMED, purpose="合唱",
                )
            )  # fmt: skip
    Booking.objects.bulk_create(rows)


def _tickets(community, worker, person, today: date) -> None:
    hotline.categories_install_defaults(community=community, actor=worker)
    noise = Category.objects.in_community(community).get(code="noise")
    dogs = Category.objects.in_community(community).get(code="dogs")
    rows, number = [], 0
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        for category, count in ((noise, 2), (dogs, 1 if back % 20 == 0 else 0)):
            for _n in range(count):
                number += 1
                rows.append(
                    Ticket(
                        community=community, number=number, text="吵", reporter=person,
                        category=category, created_at=_at(day, 20),
                    )
                )  # fmt: skip
    Ticket.objects.bulk_create(rows)


@pytest.fixture
def world(community, worker, resident):
    cache.clear()
    today = timezone.localdate()
    body, (manager,) = seated_council(community, worker, members=1, name="活动室管委会")
    room = space_of(community, worker, name="活动室", hours=HOURS, slot_minutes=60)
    hall = space_of(community, worker, name="大厅", hours=HOURS, managed_by_body=body)
    _history(room, resident, today)
    _history(hall, resident, today)
    _tickets(community, worker, resident, today)
    return {"room": room, "hall": hall, "manager": manager}


def _url(community) -> str:
    return reverse("spaces_forecast", kwargs={"slug": community.slug})


@pytest.mark.django_db
def test_a_worker_sees_every_space_and_the_hotline_with_intervals(client, community, worker, world):
    client.force_login(worker)
    page = client.get(_url(community))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-series="space-{world["room"].pk}"' in html
    assert f'data-series="space-{world["hall"].pk}"' in html
    assert 'data-series="category-noise"' in html
    assert "<svg" in html and 'role="img"' in html  # the chart, with the table behind it
    assert "80%" in html and "95%" in html
    series = page.context["spaces"][0]["series"]
    assert len(series.days) == 28 and len(series.recent) == 56
    assert all(d.lo95 <= d.lo80 <= d.point <= d.hi80 <= d.hi95 for d in series.days)
    # the category with a ticket every twenty days is too sparse to forecast, and says so
    assert page.context["sparse"]


@pytest.mark.django_db
def test_full_weekends_suggest_opening_longer_and_weekdays_do_not(client, community, worker, world):
    client.force_login(worker)
    page = client.get(_url(community))
    room = next(i["series"] for i in page.context["spaces"] if i["series"].label == "活动室")
    weekend = [d for d in room.days if d.day.weekday() >= 5]
    weekdays = [d for d in room.days if d.day.weekday() < 5]
    assert min(d.share or 0 for d in weekend) > 0.7
    assert max(d.share or 0 for d in weekdays) < 0.6
    assert len(room.suggestions) == 2  # Saturdays and Sundays, not the weekdays
    assert all("12:00" in str(text) for text in room.suggestions)  # when it closes now
    assert str(room.suggestions[0]) in page.content.decode()


@pytest.mark.django_db
def test_the_page_cached_for_a_chinese_reader_reads_in_english_for_an_english_one(
    client, community, worker, world
):
    """The page is computed once a day for every reader: its suggestions, notes and holiday
    names are worded when shown, not when computed (English readers were shown Chinese)."""
    with translation.override("zh-hans"):
        page = forecast_selectors.page_for(community)  # computed, and cached, in Chinese
        room = next(s for s in page.series if s.label == "活动室")
        assert "建议" in str(room.suggestions[0])
    client.force_login(worker)
    english = client.get(_url(community), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Consider opening 活动室 longer on Saturday evenings" in english
    assert "建议" not in english
    with translation.override("en"):
        assert str(room.suggestions[0]).startswith("Consider opening")
    holiday = forecast_selectors.Day(
        day=date(2026, 10, 1), point=0, lo80=0, hi80=0, lo95=0, hi95=0, is_holiday=True
    )
    with translation.override("en"):
        assert holiday.holiday == "National Day"
    with translation.override("zh-hans"):
        assert holiday.holiday == "国庆节"


@pytest.mark.django_db
def test_a_managing_body_sees_its_space_only_and_residents_nothing(
    client, community, resident, outsider, world
):
    client.force_login(world["manager"])
    page = client.get(_url(community))
    assert page.status_code == 200
    shown = [i["series"].space_id for i in page.context["spaces"]]
    assert shown == [world["hall"].pk]
    assert not page.context["hotline"]
    home = client.get(reverse("spaces_home", kwargs={"slug": community.slug}))
    assert _url(community) in home.content.decode()
    for person in (resident, outsider):
        client.force_login(person)
        assert client.get(_url(community)).status_code == 404
    client.force_login(resident)
    home = client.get(reverse("spaces_home", kwargs={"slug": community.slug}))
    assert _url(community) not in home.content.decode()


@pytest.mark.django_db
def test_computed_once_a_day(client, community, worker, world, monkeypatch):
    calls = []
    compute = forecast_selectors.compute

    def counted(*args, **kwargs):
        calls.append(1)
        return compute(*args, **kwargs)

    monkeypatch.setattr(forecast_selectors, "compute", counted)
    client.force_login(worker)
    client.get(_url(community))
    client.get(_url(community))
    assert len(calls) == 1
    # another day is another key
    forecast_selectors.page_for(community, today=timezone.localdate() + timedelta(days=1))
    assert len(calls) == 2


@pytest.mark.django_db
def test_past_the_holiday_calendar_the_page_says_so(community, worker):
    space_of(community, worker, name="活动室", hours=HOURS)
    page = forecast_selectors.compute(community, date(2099, 12, 20))
    assert page.uncovered == date(2099, 12, 20)
    covered = forecast_selectors.compute(community, date(2025, 3, 1))
    assert covered.uncovered is None


@pytest.mark.django_db
def test_a_hotline_surge_suggests_staffing(community, worker, resident):
    today = timezone.localdate()
    hotline.categories_install_defaults(community=community, actor=worker)
    noise = Category.objects.in_community(community).get(code="noise")
    rows = []
    for back in range(DAYS, 0, -1):  # two a day, then ten a day over the last two weeks
        day = today - timedelta(days=back)
        for n in range(10 if back <= 14 else 2):
            rows.append(
                Ticket(
                    community=community, number=len(rows) + 1, text="吵", reporter=resident,
                    category=noise, created_at=_at(day, 8 + n),
                )
            )  # fmt: skip
    Ticket.objects.bulk_create(rows)
    page = forecast_selectors.compute(community, today)
    (series,) = page.series
    assert series.suggestions and noise.name in str(series.suggestions[0])


def test_the_nightly_command_fills_the_cache_the_page_reads(community, worker):
    from io import StringIO

    from django.core.cache import cache
    from django.core.management import call_command
    from django.utils import timezone

    from gongzhi.spaces import forecast_selectors

    key = forecast_selectors._key(community, timezone.localdate())
    assert cache.get(key) is None
    out = StringIO()
    call_command("spaces_forecast", stdout=out)
    assert out.getvalue().startswith("communities=")
    assert cache.get(key) is not None
