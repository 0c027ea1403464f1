"""Browser journey of surveys (issue 14), in Debian's Chromium: a community worker builds a survey
from the scale library and opens a round; residents answer it anonymously on a phone; the worker
reads Cronbach's α with its interval beside the score, and — once a second round is answered —
the before/after; then prints the report and downloads its PDF.

Three residents answer through the browser; the rest of each round's answers go through the same
service the answering page calls (``services.response_submit``), since α's interval needs more
answers than a journey should type. Screenshots go to E2E_SHOTS_DIR (zh, en, age-friendly,
phone). Checked on the way: no sideways scrolling, axe-core at zero WCAG A/AA violations, and the
Content-Security-Policy watcher."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from gongzhi.surveys import scales, services
from gongzhi.surveys.models import Receipt, Response, Survey, Wave
from tests.e2e.a11y import axe_violations, small_targets
from tests.e2e.test_journeys import assert_no_sideways_scroll, force_login, html_lang, shot
from tests.factories import member

pytestmark = pytest.mark.browser

SCALE = "collective_efficacy@1"


def answer_through_service(wave: Wave, people, *, shift: float, seed: int) -> None:
    """Residents' answers stored by the answering page's own service: one latent level per
    person, every item near it, so the items hang together as a real scale's do."""
    rng = np.random.default_rng(seed)
    definition = services.definition_of(wave.survey)
    grids = [q for q in definition.questions() if q.scale == SCALE]
    reverse = {item.key for item in scales.get(SCALE).items if item.reverse}

    def choice(level: float, key: str) -> str:
        value = 3 + level + rng.normal(0, 0.5)
        return str(int(np.clip(round(6 - value if key in reverse else value), 1, 5)))

    for person in people:
        level = rng.normal(0, 0.9) + shift
        answers = {
            grid.name: {row.name: choice(level, row.name) for row in grid.rows} for grid in grids
        }
        services.response_submit(actor=person, wave=wave, answers=answers)


def click_and_wait(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def test_worker_builds_from_the_library_residents_answer_worker_reads_alpha_and_change(
    new_context, community, worker, e2e
):
    slug = community.slug
    base = f"/c/{slug}/surveys/"

    # --- the worker builds the survey from the scale library -------------------------------
    desk = new_context("desktop", accept_downloads=True)
    desk.set_default_timeout(60_000)
    force_login(desk, worker, e2e)
    page = desk.new_page()
    page.goto(base)
    click_and_wait(page, f"main a[href='{base}new/']")
    page.fill("#id_title", "邻里关系调查")
    page.fill("#id_description", "了解大家对邻里互助的看法，约五分钟。")
    click_and_wait(page, f"main form[action='{base}new/'] button[type=submit]")
    survey = Survey.objects.in_community(community).get()
    assert survey.anonymous
    build = f"{base}{survey.pk}/build/"
    assert page.url.endswith(build)
    click_and_wait(page, f"main a[href='{base}scales/?survey={survey.pk}']")
    assert_no_sideways_scroll(page)
    card = page.locator("#scale-collective_efficacy")
    assert "Sampson" in card.inner_text()
    assert not axe_violations(page), axe_violations(page)
    shot(page, "survey-01-scale-library-zh")
    with page.expect_navigation():
        card.locator(f"form[action='{base}scales/add/'] button[type=submit]").click()
    assert page.url.endswith(build)
    survey.refresh_from_db()
    grids = [q for q in services.definition_of(survey).questions() if q.scale == SCALE]
    assert sum(len(g.rows) for g in grids) == 10
    assert page.locator(f"#item-{grids[0].name}").is_visible()
    assert not axe_violations(page), axe_violations(page)

    # A question of the worker's own in a new section, and one asked only after a "yes".
    click_and_wait(page, f"main a[href='{base}{survey.pk}/build/question/?section=new']")
    page.fill("#id_section-label_zh", "参与意愿")
    page.select_option("#id_kind", "select_one")
    page.fill("#id_label_zh", "您愿意参加邻里互助活动吗？")
    page.fill("#id_label_en", "Would you join neighbourly help?")
    page.fill("#id_name", "join")
    page.fill("#id_choices", "愿意 | Yes\n不愿意 | No")
    page.uncheck("#id_required")
    assert not axe_violations(page), axe_violations(page)
    shot(page, "survey-02a-question-form-zh")
    click_and_wait(page, "main form button[type=submit]")
    section = services.definition_of(Survey.objects.in_community(community).get()).sections[-1]
    click_and_wait(page, f"main a[href='{base}{survey.pk}/build/question/?section={section.name}']")
    page.select_option("#id_kind", "text")
    page.fill("#id_label_zh", "您愿意做些什么？")
    page.fill("#id_name", "how")
    page.uncheck("#id_required")
    click_and_wait(page, "main form button[type=submit]")
    click_and_wait(page, f"main a[href='{base}{survey.pk}/build/logic/how/']")
    page.select_option("#id_earlier", "join")
    page.select_option("#id_op", "=")
    page.fill("#id_value", "1")
    assert not axe_violations(page), axe_violations(page)
    click_and_wait(page, "main form button[type=submit]")
    survey.refresh_from_db()
    assert services.definition_of(survey).question("how").relevant == "${join} = '1'"
    assert_no_sideways_scroll(page)
    assert not small_targets(page, 44), small_targets(page, 44)
    shot(page, "survey-02-builder-zh")
    click_and_wait(page, f"main a[href='{base}{survey.pk}/build/preview/']")
    assert page.locator(f"[data-question='{grids[0].name}']").is_visible()
    assert page.locator("form[data-survey-form] button[type=submit]").count() == 0

    # Open the survey and its first round (from now on the questions are frozen).
    page.goto(f"{base}{survey.pk}/waves/")
    click_and_wait(page, f"main form[action='{base}{survey.pk}/open/'] button[type=submit]")
    now = timezone.localtime()
    page.fill("#id_label", "基线")
    page.fill("#id_opens_at", (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_closes_at", (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    click_and_wait(page, "main form:has(#id_label) button[type=submit]")
    first = Wave.objects.in_community(community).get(survey=survey)
    page.goto(build)
    assert page.locator("#read-only-note").is_visible()

    # --- three residents answer on their phones, anonymously -------------------------------
    residents = [member(community) for _i in range(3)]
    for number, resident in enumerate(residents):
        phone = new_context("phone")
        force_login(phone, resident, e2e)
        mine = phone.new_page()
        mine.goto(f"{base}{survey.pk}/")
        assert html_lang(mine) == "zh-Hans"
        assert_no_sideways_scroll(mine)
        for grid in grids:
            for row in grid.rows:
                mine.check(f"input[name='{grid.name}__{row.name}'][value='{4 - number % 2}']")
        if number == 0:
            # The follow-up question appears only once "yes" is chosen (skip logic).
            assert mine.locator("#q-how").is_hidden()
            mine.check("input[name='join'][value='1']")
            assert mine.locator("#q-how").is_visible()
            mine.fill("#i-how", "帮老人买菜")
        if number == 0:
            assert not axe_violations(mine), axe_violations(mine)
            shot(mine, "survey-03-answer-phone")
        click_and_wait(mine, "main form[data-survey-form] button[type=submit]")
        assert "/receipt/" in mine.url
        if number == 0:
            shot(mine, "survey-04-receipt-phone")
        phone.close()
    assert Receipt.objects.in_community(community).filter(wave=first).count() == 3
    assert Response.objects.in_community(community).filter(answers__how="帮老人买菜").count() == 1
    # Anonymous: the answers carry no person.
    assert not Response.objects.in_community(community).filter(person__isnull=False).exists()
    others = [member(community) for _i in range(17)]
    first.refresh_from_db()
    answer_through_service(first, others, shift=0.0, seed=1)

    # --- the round is sealed while it runs; the worker ends it, then reads α ----------------
    results = f"{base}{survey.pk}/results/"
    page.goto(results)
    assert page.locator(".score-table").count() == 0  # an open round's answers are not read
    page.goto(f"{base}{survey.pk}/waves/{first.pk}/")
    click_and_wait(page, f"main form[action$='/waves/{first.pk}/end/'] button[type=submit]")
    first.refresh_from_db()
    assert first.closed
    page.goto(results)
    assert_no_sideways_scroll(page)
    table = page.locator(".score-table").first
    ci = table.locator("tbody tr").first.locator(".score-alpha-ci").inner_text()
    assert "–" in ci, ci
    alpha = float(table.locator("tbody tr").first.locator(".score-alpha").inner_text())
    low, high = (float(x) for x in ci.split("–"))
    assert low < alpha < high
    assert page.locator("#before-after").count() == 0
    assert not axe_violations(page), axe_violations(page)
    shot(page, "survey-05-results-one-round-zh")

    # --- a second round (the first has closed), answered by the same twenty --------------
    page.goto(f"{base}{survey.pk}/waves/")
    now = timezone.localtime()
    page.fill("#id_label", "回访")
    # The next minute: the first round ended a moment ago, and rounds may not overlap.
    page.fill("#id_opens_at", (now + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_closes_at", (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    click_and_wait(page, "main form:has(#id_label) button[type=submit]")
    second = Wave.objects.in_community(community).get(survey=survey, position=2)
    Wave.objects.in_community(community).filter(pk=second.pk).update(opens_at=timezone.now())
    second.refresh_from_db()
    answer_through_service(second, [*residents, *others], shift=0.7, seed=2)
    services.wave_end(actor=worker, wave=second)

    page.goto(results)
    change = page.locator("#before-after")
    assert change.is_visible()
    difference = float(change.locator(".change-diff").first.inner_text())
    assert difference > 0
    assert page.locator("#change-sentence").inner_text().strip()
    assert_no_sideways_scroll(page)
    assert not axe_violations(page), axe_violations(page)
    shot(page, "survey-06-results-before-after-zh")

    # The same page in English, in the age-friendly mode, and on a phone.
    click_and_wait(page, "header button[name=language][value=en]")
    assert html_lang(page) == "en"
    assert page.locator("#before-after").is_visible()
    shot(page, "survey-07-results-en")
    click_and_wait(page, "header button[name=language][value=zh-hans]")
    click_and_wait(page, "header .prefs button[name=enabled][value='1']")
    assert_no_sideways_scroll(page)
    shot(page, "survey-08-results-age-friendly")
    click_and_wait(page, "header .prefs button[name=enabled][value='0']")
    small = new_context("phone", accept_downloads=True)
    small.set_default_timeout(60_000)
    force_login(small, worker, e2e)
    mobile = small.new_page()
    mobile.goto(results)
    assert_no_sideways_scroll(mobile)
    assert not small_targets(mobile, 44), small_targets(mobile, 44)
    mobile.goto(build)
    assert_no_sideways_scroll(mobile)
    assert not small_targets(mobile, 44), small_targets(mobile, 44)
    shot(mobile, "survey-09a-builder-phone")
    mobile.goto(results)
    shot(mobile, "survey-09-results-phone")

    # --- the printable report, printed and downloaded as a PDF -----------------------------
    click_and_wait(page, f"main a[href^='{base}{survey.pk}/results/report/']")
    assert_no_sideways_scroll(page)
    assert page.locator("#before-after").is_visible()
    assert not axe_violations(page), axe_violations(page)
    shot(page, "survey-10-report")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator("[data-print]").is_hidden()
    printed = page.pdf(format="A4", print_background=True)
    assert printed.startswith(b"%PDF") and len(printed) > 10_000
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.locator(f"main a[href^='{base}{survey.pk}/results/report.pdf']").first.click()
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as pdf:
        content = pdf.read()
    assert content.startswith(b"%PDF-") and len(content) > 5_000
