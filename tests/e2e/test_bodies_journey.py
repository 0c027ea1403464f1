"""Browser journey of a review panel chosen by lot (issue 15), in Debian's Chromium.

A community worker opens a panel's pool through the form, with quotas on gender and a close time
a minute or two ahead; three residents volunteer on a phone, declaring their features with
consent (one of them in the age-friendly mode); once the close time has passed — real time, no
mocked clock — the worker closes the pool and the portfolio with its SHA-256 is published; the
supervisor (an English page) enters the public seed and the panel is drawn; a drawn member
publishes the assessment; the worker answers for the reviewed body.

Screenshots go to E2E_SHOTS_DIR (/tmp/e2e-shots by default; BODIES_SHOTS_DIR overrides it for
this module). The Content-Security-Policy watcher of ``new_context`` fails the journey on any
violation.
"""

from __future__ import annotations

import hashlib
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.bodies.models import Panel, PanelMember, PanelStatus, PoolEntry
from gongzhi.bodies.panels import published_bytes
from tests.bodies.bodies_world import council
from tests.e2e.test_journeys import (
    assert_no_sideways_scroll,
    force_login,
    html_classes,
    html_lang,
    shooter,
    submit,
)
from tests.factories import member

pytestmark = pytest.mark.browser

SHOTS = Path(
    os.environ.get("BODIES_SHOTS_DIR", os.environ.get("E2E_SHOTS_DIR", "/tmp/e2e-shots"))  # noqa: S108
)
shot = shooter(SHOTS)


def close_time() -> timezone.datetime:
    """The next whole minute at least 40 seconds away (the form takes minutes, as a worker
    types them), in the community's time."""
    soon = timezone.localtime() + timedelta(seconds=40)
    return soon.replace(second=0, microsecond=0) + timedelta(minutes=1)


def test_worker_opens_pool_residents_volunteer_supervisor_draws_panel_assesses_body_answers(
    new_context, community, worker, supervisor, e2e
):
    slug = community.slug
    base = f"/c/{slug}/bodies/panels/"
    body = council(community, worker, name="业主委员会")

    # --- the worker opens the pool ---------------------------------------------------------
    desk = new_context("desktop", accept_downloads=True)
    force_login(desk, worker, e2e)
    page = desk.new_page()
    page.goto(base)
    with page.expect_navigation():
        page.locator(f"main a[href='{base}new/']").first.click()
    closes = close_time()
    page.fill("#id_title", "小区停车改造方案居民评议")
    page.fill("#id_description", "评议业委会提出的停车位重新划线方案。")
    page.select_option("#id_reviewed_body", str(body.pk))
    page.fill("#id_seats", "2")
    page.check("input[name=features][value=gender]")
    page.check("input[name=features][value=age_band]")
    page.fill("#id_quotas", "gender,female,1,1\ngender,male,1,1")
    page.fill("#id_pool_closes_at", closes.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ends_on", (timezone.localdate() + timedelta(days=30)).isoformat())
    page.fill("#id_answer_days", "14")
    shot(page, "bodies-01-open-pool-zh")
    with page.expect_navigation():
        page.locator("main form:has(#id_title) button[type=submit]").click()
    panel = Panel.objects.in_community(community).get()
    detail = f"{base}{panel.pk}/"
    assert page.url.endswith(detail)
    assert panel.status == PanelStatus.POOL_OPEN and panel.pool_closes_at == closes

    # --- three residents volunteer on their phones -----------------------------------------
    declared = [("female", "60-74"), ("male", "30-44"), ("female", "45-59")]
    residents = []
    for number, (gender, age) in enumerate(declared):
        resident = member(community, age_friendly=number == 2)
        residents.append(resident)
        phone = new_context("phone")
        force_login(phone, resident, e2e)
        mobile = phone.new_page()
        mobile.goto(detail)
        assert html_lang(mobile) == "zh-Hans"
        with mobile.expect_navigation():
            mobile.locator("#volunteer-link").click()
        mobile.select_option("#id_gender", gender)
        mobile.select_option("#id_age_band", age)
        assert_no_sideways_scroll(mobile)
        if number == 0:
            shot(mobile, "bodies-02-volunteer-phone-zh")
        # Without consent nothing is saved, and the page says why.
        with mobile.expect_navigation():
            mobile.locator("#volunteer-form button[type=submit]").click()
        assert (
            not PoolEntry.objects.in_community(community).filter(membership__user=resident).exists()
        )
        mobile.select_option("#id_gender", gender)
        mobile.select_option("#id_age_band", age)
        mobile.check("#id_consent")
        if number == 2:
            shot(mobile, "bodies-03-volunteer-phone-age-friendly")
        with mobile.expect_navigation():
            mobile.locator("#volunteer-form button[type=submit]").click()
        assert mobile.url.endswith(detail)
        entry = PoolEntry.objects.in_community(community).get(membership__user=resident)
        assert entry.features == {"gender": gender, "age_band": age}
        assert entry.pseudonym in mobile.locator("#my-pseudonym").inner_text()
        assert_no_sideways_scroll(mobile)
        if number == 2:
            assert "af" in html_classes(mobile)  # the age-friendly mode's class
        phone.close()

    # --- the pool closes (real time), the worker publishes the portfolio -------------------
    wait = (panel.pool_closes_at - timezone.now()).total_seconds()
    assert 0 < wait < 130, wait
    time.sleep(wait + 1)
    page.goto(detail)
    submit(page, f"{detail}close/")
    panel.refresh_from_db()
    assert panel.status == PanelStatus.PUBLISHED
    sha = page.locator("#portfolio-sha256").inner_text().strip()
    assert sha == panel.portfolio_sha256
    assert hashlib.sha256(published_bytes(panel)).hexdigest() == sha
    # The male volunteer is on every possible panel; the two women have one chance in two.
    chances = page.locator("#chances").inner_text()
    assert "1.0000" in chances and "0.5000" in chances
    with page.expect_download() as download:
        page.locator(f"a[href='{detail}portfolio.json']").click()
    assert hashlib.sha256(Path(download.value.path()).read_bytes()).hexdigest() == sha
    shot(page, "bodies-04-portfolio-published-zh")

    # --- the supervisor enters the public seed (an English page) ---------------------------
    User.objects.filter(pk=supervisor.pk).update(language="en")
    eyes = new_context("desktop")
    force_login(eyes, supervisor, e2e)
    watch = eyes.new_page()
    watch.goto(detail)
    assert html_lang(watch) == "en"
    watch.fill("#id_seed", "03 17 22 38 41 09")
    shot(watch, "bodies-05-seed-en")
    submit(watch, f"{detail}seed/")
    panel.refresh_from_db()
    assert panel.status == PanelStatus.DRAWN and panel.seed == "03 17 22 38 41 09"
    assert watch.locator("#panel-seed").inner_text().strip() == panel.seed
    drawn = list(
        PanelMember.objects.in_community(community)
        .filter(panel=panel, user__isnull=False)
        .select_related("user")
    )
    assert len(drawn) == 2
    members_text = watch.locator("#members").inner_text()
    assert all(m.user.display_name in members_text for m in drawn)
    assert residents[1].pk in {m.user_id for m in drawn}  # the only man: always drawn
    shot(watch, "bodies-06-drawn-en")

    # --- a drawn member publishes the assessment -------------------------------------------
    reviewer: User = drawn[0].user
    seat = new_context("phone")
    force_login(seat, reviewer, e2e)
    mine = seat.new_page()
    mine.goto(detail)
    mine.fill("#id_text", "方案可行，但请保留消防通道并在施工前公示。")
    shot(mine, "bodies-07a-assess-form-phone-zh")
    submit(mine, f"{detail}assess/")
    panel.refresh_from_db()
    assert panel.status == PanelStatus.ASSESSED
    assert "消防通道" in mine.locator("#assessment").inner_text()
    assert_no_sideways_scroll(mine)
    shot(mine, "bodies-07-assessment-phone-zh")

    # --- the reviewed body answers (the worker, for it) ------------------------------------
    page.goto(detail)
    page.fill("#id_text", "采纳评议意见：保留消防通道，施工方案下周在公示栏公示。")
    submit(page, f"{detail}answer/")
    panel.refresh_from_db()
    assert panel.status == PanelStatus.ANSWERED and panel.answered_by == worker
    assert "采纳评议意见" in page.locator("#answer").inner_text()
    shot(page, "bodies-08-answered-zh")
