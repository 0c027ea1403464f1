"""Browser journey of shared spaces (issue 20), in Debian's Chromium, every page in Chinese.

A resident opens the activity room's week on her phone, the day of the booking shown alone (the
day list), and books 10:00 from the free slot's link (the form comes filled in with the time);
the booking is confirmed. A second resident opens the same day on his phone in the age-friendly
mode and sees 10:00 taken (big buttons, no sideways scroll); he asks for the hall, which needs
approval, and his request holds 15:00. A community worker finds the request in the approvals
queue and approves it; the resident is told. A member of the old people's choir books its weekly
rehearsal for four weeks from that 10:00: the report lists the first week as taken, and the
choir books the three free weeks. Nobody checks in to the first resident's 10:00: twenty minutes
in, ``spaces_release`` releases it as a no-show, and her bookings say so.

Screenshots go to E2E_SHOTS_DIR/spaces (/tmp/e2e-shots/spaces by default). The
Content-Security-Policy watcher of ``new_context`` fails the journey on any violation; axe-core
checks the week and the approvals queue.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext

from gongzhi.accounts.models import User
from gongzhi.notifications.models import Notification
from gongzhi.spaces.models import Booking, BookingStatus
from tests.e2e.a11y import axe_violations
from tests.e2e.test_journeys import (
    assert_no_sideways_scroll,
    force_login,
    html_classes,
    html_lang,
    opened,
    shooter,
)
from tests.factories import member
from tests.meetings.world import seated_council
from tests.spaces.world import space_of

pytestmark = pytest.mark.browser

SHOTS = Path(
    os.environ.get(
        "SPACES_SHOTS_DIR",
        str(Path(os.environ.get("E2E_SHOTS_DIR", "/tmp/e2e-shots")) / "spaces"),  # noqa: S108
    )
)
shot = shooter(SHOTS)
ZH = "zh-hans"


def said(msgid: str) -> str:
    with translation.override(ZH):
        return gettext(msgid)


def assert_accessible(page) -> None:
    found = axe_violations(page)
    assert not found, "\n".join(found)


def slot(page, moment):
    return page.locator(f"li[data-slot='{timezone.localtime(moment).isoformat()}']")


def test_book_on_a_phone_see_it_taken_and_approve_a_hold(new_context, community, worker, e2e):
    slug = community.slug
    base = f"/c/{slug}/spaces"
    first = member(community, display_name="王小芳")
    second = member(community, display_name="周大伟")
    User.objects.filter(pk=worker.pk).update(display_name="李娜")
    room = space_of(community, worker, name="社区活动室", slot_minutes=60)
    hall = space_of(community, worker, name="多功能厅", slot_minutes=60, needs_approval=True)
    day = timezone.localdate() + timedelta(days=2)
    ten = datetime(day.year, day.month, day.day, 10, 0, tzinfo=timezone.get_current_timezone())
    three = ten.replace(hour=15)
    week = f"?week={day.isoformat()}&day={day.isoformat()}"

    # --- the first resident books 10:00 on her phone -------------------------------------------
    phone = opened(new_context, "phone")
    force_login(phone, first, e2e)
    mobile = phone.new_page()
    mobile.goto(f"{base}/{room.pk}/week/{week}")
    assert html_lang(mobile) == "zh-Hans"
    day_id = f"#day-{day.isoformat()}"
    assert mobile.locator(day_id).is_visible()
    other_day = (day + timedelta(days=1)) if day.weekday() < 6 else (day - timedelta(days=1))
    assert not mobile.locator(f"#day-{other_day.isoformat()}").is_visible()  # one day at a time
    assert slot(mobile, ten).get_attribute("data-state") == "free"
    assert_no_sideways_scroll(mobile)
    assert_accessible(mobile)
    shot(mobile, "spaces-01-week-phone-zh")
    with mobile.expect_navigation():
        slot(mobile, ten).locator("a").click()
    assert mobile.locator("#id_starts_at").input_value() == timezone.localtime(ten).strftime(
        "%Y-%m-%dT%H:%M"
    )
    mobile.fill("#id_purpose", "读书会")
    mobile.fill("#id_attendees", "8")
    shot(mobile, "spaces-02-book-form-phone")
    with mobile.expect_navigation():
        mobile.locator("main form button[value='book']").click()
    made = Booking.objects.in_community(community).get(space=room)
    assert (made.person_id, made.status, made.starts_at) == (first.pk, "confirmed", ten)
    shot(mobile, "spaces-03-mine-phone")

    # --- a second resident sees it taken, in the age-friendly mode, and asks for the hall -------
    User.objects.filter(pk=second.pk).update(age_friendly=True)
    other = opened(new_context, "phone")
    force_login(other, second, e2e)
    page = other.new_page()
    page.goto(f"{base}/{room.pk}/week/{week}")
    assert "af" in html_classes(page)
    assert slot(page, ten).get_attribute("data-state") == "taken"
    assert slot(page, ten + timedelta(hours=1)).get_attribute("data-state") == "free"
    assert_no_sideways_scroll(page)
    shot(page, "spaces-04-taken-phone-age-friendly")
    page.goto(f"{base}/{hall.pk}/week/{week}")
    with page.expect_navigation():
        slot(page, three).locator("a").click()
    page.fill("#id_purpose", "合唱排练")
    with page.expect_navigation():
        page.locator("main form button[value='book']").click()
    request = Booking.objects.in_community(community).get(space=hall)
    assert request.status == BookingStatus.PENDING and request.person_id == second.pk
    page.goto(f"{base}/{hall.pk}/week/{week}")
    assert slot(page, three).get_attribute("data-state") == "mine"
    assert_no_sideways_scroll(page)
    shot(page, "spaces-05-request-held-age-friendly")

    # --- the worker approves the hold -----------------------------------------------------------
    office = opened(new_context, "phone")
    force_login(office, worker, e2e)
    desk = office.new_page()
    desk.goto(f"{base}/")
    with desk.expect_navigation():
        desk.locator(f"#hub-booking a[href='{base}/approvals/']").click()
    card = desk.locator(f"li[data-request='{request.pk}']")
    assert "合唱排练" in card.inner_text()
    assert_accessible(desk)
    shot(desk, "spaces-06-approvals-phone")
    with desk.expect_navigation():
        card.locator("button[value='approve']").click()
    assert said("The request is approved.") in desk.locator("main").inner_text() or (
        said("The request is approved.") in desk.content()
    )
    request.refresh_from_db()
    assert request.status == BookingStatus.CONFIRMED and request.decided_by_id == worker.pk
    assert Notification.objects.filter(user=second, kind="space_booking").exists()
    shot(desk, "spaces-07-approved")

    # --- an organisation books a weekly series and gets a conflict report ----------------------
    body, (chair, _other) = seated_council(community, worker, members=2, name="老年合唱队")
    choir = opened(new_context, "phone")
    force_login(choir, chair, e2e)
    sheet = choir.new_page()
    sheet.goto(f"{base}/{room.pk}/series/")
    sheet.select_option("#id_body", str(body.pk))
    sheet.fill("#id_starts_at", timezone.localtime(ten).strftime("%Y-%m-%dT%H:%M"))
    sheet.fill("#id_minutes", "60")
    sheet.select_option("#id_often", "weekly")
    sheet.fill("#id_times", "4")
    sheet.fill("#id_purpose", "合唱排练")
    sheet.fill("#id_attendees", "20")
    with sheet.expect_navigation():
        sheet.locator("main form button[type=submit]").click()
    conflicts = sheet.locator("#conflicts li[data-conflict]")
    assert conflicts.count() == 1  # the first week's 10:00 is the first resident's
    assert_no_sideways_scroll(sheet)
    shot(sheet, "spaces-08-series-conflict-report")
    with sheet.expect_navigation():
        sheet.locator("main form button[name='book'][value='rest']").click()
    weekly = Booking.objects.in_community(community).filter(space=room, body=body)
    assert weekly.count() == 3 and all(b.series_id for b in weekly)
    assert {b.starts_at for b in weekly} == {ten + timedelta(weeks=w) for w in (1, 2, 3)}
    shot(sheet, "spaces-09-series-booked")

    # --- nobody checks in to the first resident's 10:00: it is released -------------------------
    with time_machine.travel(ten + timedelta(minutes=room.no_show_minutes + 5), tick=True):
        out = StringIO()
        call_command("spaces_release", stdout=out)
        assert "released=1" in out.getvalue()
        made.refresh_from_db()
        assert made.status == BookingStatus.RELEASED and made.no_show
        mobile.goto(f"{base}/mine/")
        row = mobile.locator(f"li[data-booking='{made.pk}'] [data-status]")
        assert row.get_attribute("data-status") == "released"
        assert_no_sideways_scroll(mobile)
        shot(mobile, "spaces-10-no-show-released")
