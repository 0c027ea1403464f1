"""Answering a survey on a phone (issue 14), in Debian's Chromium: in the age-friendly mode with
the page's script (skip logic as one taps, no sideways scroll, axe-core clean), and without
JavaScript (the post re-shows the page with the question the answers bring in, then stores)."""

from __future__ import annotations

import pytest

from gongzhi.surveys.models import Receipt, Response
from tests.e2e.a11y import axe_violations
from tests.e2e.test_journeys import assert_no_sideways_scroll, force_login, shot
from tests.factories import member
from tests.surveys.answering import open_survey

pytestmark = pytest.mark.browser


def fill_common(page) -> None:
    page.fill("#i-years", "12")
    page.check("input[name='trust__help'][value='4']")
    page.check("input[name='trust__trust'][value='5']")


def submit(page) -> None:
    with page.expect_navigation():
        page.locator("main form[data-survey-form] button[type=submit]").click()


def test_answering_on_a_phone_with_and_without_javascript(new_context, community, worker, e2e):
    survey, wave = open_survey(worker=worker, community=community)
    url = f"/c/{community.slug}/surveys/{survey.pk}/"

    elder = member(community, age_friendly=True)
    phone = new_context("phone")
    force_login(phone, elder, e2e)
    page = phone.new_page()
    page.goto(url)
    assert "af" in page.evaluate("() => Array.from(document.documentElement.classList)")
    assert_no_sideways_scroll(page)
    fill_common(page)
    assert page.locator("#q-landlord_ok").is_hidden()
    page.check("input[name='owner'][value='no']")
    assert page.locator("#q-landlord_ok").is_visible()  # skip logic, as one taps
    page.check("input[name='owner'][value='yes']")
    assert page.locator("#q-landlord_ok").is_hidden()
    assert not axe_violations(page), axe_violations(page)
    shot(page, "survey-answer-age-friendly-phone")
    submit(page)
    assert "/receipt/" in page.url
    code = Receipt.objects.in_community(community).get(person=elder).code
    assert code in page.locator("main").inner_text()
    phone.close()

    plain = member(community)
    no_script = new_context("phone", java_script_enabled=False)
    force_login(no_script, plain, e2e)
    page = no_script.new_page()
    page.goto(url)
    fill_common(page)
    page.check("input[name='owner'][value='no']")
    submit(page)
    # Nothing stored yet: the page comes back with the question the answer brought in.
    assert "/receipt/" not in page.url
    assert page.locator("#q-landlord_ok").is_visible()
    assert not Receipt.objects.in_community(community).filter(person=plain).exists()
    page.check("input[name='landlord_ok'][value='2']")
    submit(page)
    assert "/receipt/" in page.url
    assert Response.objects.in_community(community).filter(answers__landlord_ok="2").count() == 1
    no_script.close()
