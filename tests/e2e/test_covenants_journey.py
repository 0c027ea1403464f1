"""Browser journey of a community covenant (issue 19), in Debian's Chromium, on a real server.

A resident opens the covenant on a phone during the public consultation, taps a paragraph of
the noise article, comments on it and proposes to replace its text (with a reason); a second
resident supports the amendment on their phone. The revision begins (the round's phase dates
are moved by a row update, as the passing of the consultation's end would do), and a member of
the drafting body, on a desktop in English, accepts the amendment with a public reason and the
body's vote, then consolidates the text: the consolidated version shows the new paragraph with
its origin (amendment 1), and "what changed" marks it as changed against the draft.

The revision ends (the dates move again) and a community worker puts the consolidated text to
its ratification vote through the adoption page (the voting app's vote, created the way the
app does it). Both residents vote yes on their phones; the rest of the electorate votes yes
through the voting services, and the vote's close passes (a row update of ``closes_at``). The
adoption page reads the result (the covenant is adopted), the worker submits it for filing, the
street official receives the filing through the service (officials log in with a second factor
this journey is not about) and the worker publishes it: the covenant is in force. A resident
downloads the printed PDF, which holds the amended words, and confirms for their household.

Phone pages are checked for sideways scroll. Screenshots go to E2E_SHOTS_DIR (/tmp/e2e-shots by
default; COVENANTS_SHOTS_DIR overrides it for this module). The Content-Security-Policy watcher
of ``new_context`` fails the journey on any violation.
"""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pypdf
import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from gongzhi.accounts.models import User
from gongzhi.covenants import adoption_services as adoption
from gongzhi.covenants.models import (
    Acknowledgement,
    Amendment,
    AmendmentStatus,
    Comment,
    Covenant,
    Round,
    RoundStatus,
    Support,
)
from gongzhi.voting import services as voting
from gongzhi.voting.models import Participation, Vote
from tests.covenants.adoption_world import resident_of
from tests.covenants.revision_world import covenant_in
from tests.covenants.world import current_round, dates_for, keys
from tests.e2e.test_journeys import (
    assert_no_sideways_scroll,
    force_login,
    html_lang,
    opened,
    shooter,
    submit,
)

pytestmark = pytest.mark.browser

SHOTS = Path(
    os.environ.get("COVENANTS_SHOTS_DIR", os.environ.get("E2E_SHOTS_DIR", "/tmp/e2e-shots"))  # noqa: S108
)
shot = shooter(SHOTS)
ZH = "zh-hans"
#: The noise article's paragraph as the resident proposes to rewrite it (GB2312 level 1 only,
#: so the printed PDF's font holds every character).
AMENDED = "晚九时至早七时不得装修，晚十时后不得大声喧哗。"
AMENDED_WORDS = "晚九时至早七时不得装修"


def said(language: str, msgid: str) -> str:
    """A message as a page in ``language`` shows it."""
    with translation.override(language):
        return gettext(msgid)


def main_text(page) -> str:
    return page.locator("main").inner_text()


def phase_now(round_: Round, phase: str) -> None:
    """Move the round's dated phases so that ``phase`` is current, as time passing would."""
    Round.objects.in_community(round_.community_id).filter(pk=round_.pk).update(**dates_for(phase))


def test_comment_amend_on_phone_accept_consolidate_ratify_print_acknowledge(
    new_context, community, worker, official, e2e
):
    slug = community.slug
    covenant, drafters = covenant_in(community, worker, phase="consultation")
    round_ = current_round(covenant)
    noise_key, (noise_para,) = keys(round_.draft)[1]
    drafter = drafters[0]
    User.objects.filter(pk=drafter.pk).update(language="en")
    alice = resident_of(community)
    bob = resident_of(community)
    base = f"/c/{slug}/covenants"

    # --- 1. a resident comments and proposes an amendment on a phone --------------------------
    phone = opened(new_context, "phone")
    force_login(phone, alice, e2e)
    page = phone.new_page()
    page.goto(f"{base}/{covenant.pk}/")
    assert html_lang(page).lower() == ZH
    assert_no_sideways_scroll(page)
    shot(page, "covenants-01-covenant-phone-zh")
    with page.expect_navigation():
        page.locator(f"main a[href='{base}/{covenant.pk}/articles/{noise_key}/']").first.tap()
    assert_no_sideways_scroll(page)
    # Tapping the paragraph chooses it for both forms below the article.
    with page.expect_navigation():
        page.locator(f"#p-{noise_para} a.paragraph").tap()
    assert f"p={noise_para}" in page.url
    assert page.locator(f"#p-{noise_para}").get_attribute("class") == "chosen"
    assert page.locator("#consult-paragraph").is_visible()
    comment_form = page.locator("#comment-form")
    assert comment_form.locator("select[name=paragraph]").input_value() == str(noise_para)
    comment_form.locator("textarea[name=text]").fill("晚上十点以后广场舞的音响也要管一管。")
    assert_no_sideways_scroll(page)
    shot(page, "covenants-02-paragraph-tapped-phone-zh")
    with page.expect_navigation():
        comment_form.locator("button[type=submit]").tap()
    assert said(ZH, "Thank you: your comment is published.") in main_text(page)
    comment = Comment.objects.in_community(community).get(round=round_, author=alice)
    assert (comment.article_key, comment.paragraph_key) == (noise_key, noise_para)
    assert "广场舞" in page.locator("#comment-list").inner_text()

    amend = page.locator("#amendment-form")
    assert amend.is_visible()  # the paragraph is still chosen: the amendment form is open
    assert amend.locator("input[name=kind][value=replace]").is_checked()
    assert amend.locator("select[name=paragraph]").input_value() == str(noise_para)
    amend.locator("textarea[name=text]").fill(AMENDED)
    amend.locator("textarea[name=reason]").fill("装修噪音影响老人和孩子休息，应提前到晚九时。")
    assert_no_sideways_scroll(page)
    shot(page, "covenants-03-amendment-form-phone-zh")
    with page.expect_navigation():
        amend.locator("button[type=submit]").tap()
    amendment = Amendment.objects.in_community(community).get(round=round_, author=alice)
    assert page.url.endswith(f"{base}/amendments/{amendment.pk}/")
    assert (amendment.article_key, amendment.paragraph_key) == (noise_key, noise_para)
    assert said(ZH, "Your amendment is proposed: others can support it now.") in main_text(page)
    assert_no_sideways_scroll(page)
    shot(page, "covenants-04-amendment-proposed-phone-zh")

    # A second resident supports it on their phone.
    bobs = opened(new_context, "phone")
    force_login(bobs, bob, e2e)
    support_page = bobs.new_page()
    support_page.goto(f"{base}/amendments/{amendment.pk}/")
    assert_no_sideways_scroll(support_page)
    with support_page.expect_navigation():
        support_page.locator("#support-form button[type=submit]").tap()
    assert said(ZH, "You support this amendment.") in main_text(support_page)
    assert Support.objects.in_community(community).filter(amendment=amendment, person=bob).exists()
    shot(support_page, "covenants-05-amendment-supported-phone-zh")

    # --- 2. the revision: the drafting body accepts it (desktop, English) --------------------
    phase_now(round_, "revision")
    desk = opened(new_context, "desktop")
    force_login(desk, drafter, e2e)
    body_page = desk.new_page()
    body_page.goto(f"{base}/rounds/{round_.pk}/revision/")
    assert html_lang(body_page) == "en"
    with body_page.expect_navigation():
        body_page.locator(f"main a[href='{base}/revision/amendments/{amendment.pk}/']").click()
    body_page.locator("input[name=accept][value=yes]").check()
    body_page.locator("textarea[name=reason]").fill(
        "Building work at night disturbs older residents and children; the evening limit moves "
        "to 9 pm."
    )
    body_page.locator("input[name=present]").fill("3")
    body_page.locator("input[name=votes_for]").fill("3")
    shot(body_page, "covenants-06-decide-desktop-en")
    with body_page.expect_navigation():
        body_page.locator("main form button[type=submit]").click()
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.ACCEPTED
    assert amendment.decision_reason.startswith("Building work at night")
    assert said("en", "The amendment is accepted.") in main_text(body_page)
    assert (
        "Building work at night" in body_page.locator(f"#amendment-{amendment.number}").inner_text()
    )
    submit(body_page, f"{base}/rounds/{round_.pk}/consolidate/")
    round_.refresh_from_db()
    consolidated = round_.consolidated
    assert consolidated is not None
    assert body_page.url.endswith(f"{base}/{covenant.pk}/versions/{consolidated.number}/")

    # --- 3. the consolidated text and what changed --------------------------------------------
    changed = body_page.locator("main li", has_text=AMENDED)
    assert changed.count() == 1
    origin = changed.locator(f"a[href='{base}/amendments/{amendment.pk}/']")
    assert origin.count() == 1 and "1" in origin.inner_text()
    shot(body_page, "covenants-07-consolidated-desktop-en")
    body_page.goto(f"{base}/{covenant.pk}/diff/")
    marked = body_page.locator(".covenant-diff li.change-changed")
    assert marked.count() == 1
    assert any("九" in text for text in marked.locator("ins").all_inner_texts())
    assert any("十" in text for text in marked.locator("del").all_inner_texts())
    assert marked.locator(f"a[href='{base}/amendments/{amendment.pk}/']").count() == 1
    shot(body_page, "covenants-08-diff-desktop-en")
    # The resident sees the same on the phone.
    page.goto(f"{base}/{covenant.pk}/diff/")
    assert page.locator(".covenant-diff li.change-changed").count() == 1
    assert_no_sideways_scroll(page)
    shot(page, "covenants-09-diff-phone-zh")

    # --- 4. ratification through the voting app -----------------------------------------------
    phase_now(round_, "ratification")
    office = opened(new_context, "desktop")
    force_login(office, worker, e2e)
    desk_page = office.new_page()
    desk_page.goto(f"{base}/{covenant.pk}/adoption/")
    with desk_page.expect_navigation():
        desk_page.locator(f"main a[href='{base}/rounds/{round_.pk}/ratify/']").click()
    assert desk_page.locator("input[name=electorate][value=verified]").is_checked()
    shot(desk_page, "covenants-10-ratify-form-desktop-zh")
    with desk_page.expect_navigation():
        desk_page.locator("main form button[type=submit]").click()
    assert said(ZH, "The covenant is put to its ratification vote.") in main_text(desk_page)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.RATIFYING
    vote = round_.ratification_vote
    assert vote is not None

    for context in (phone, bobs):
        ballot = context.pages[0]
        ballot.goto(f"/c/{slug}/votes/{vote.pk}/")
        assert_no_sideways_scroll(ballot)
        ballot.locator("#c-yes").check()
        submit(ballot, f"/c/{slug}/votes/{vote.pk}/ballot/")
        assert_no_sideways_scroll(ballot)
    shot(page, "covenants-11-ratification-ballot-phone-zh")
    voted = set(
        Participation.objects.in_community(community)
        .filter(vote=vote)
        .values_list("voter_id", flat=True)
    )
    assert {alice.pk, bob.pk} <= voted
    for voter in voting._electorate_users(vote):
        if voter.pk not in voted:
            voting.ballot_cast(actor=voter, vote=vote, content="yes")
    # The vote's close passes.
    Vote.objects.in_community(community).filter(pk=vote.pk).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )

    desk_page.goto(f"{base}/{covenant.pk}/adoption/")  # reads the closed vote's result
    round_.refresh_from_db()
    assert round_.status == RoundStatus.RATIFIED
    submit(desk_page, f"{base}/rounds/{round_.pk}/filing/")
    round_.refresh_from_db()
    assert round_.filing_submitted_by_id == worker.pk
    adoption.filing_receive(actor=official, round=round_, reference="街备〔2026〕19号")
    desk_page.goto(f"{base}/{covenant.pk}/adoption/")
    submit(desk_page, f"{base}/rounds/{round_.pk}/publish/")
    round_.refresh_from_db()
    assert round_.status == RoundStatus.IN_FORCE and round_.published_at is not None
    status = main_text(desk_page)
    assert said(ZH, "In force") in status and "街备〔2026〕19号" in status
    shot(desk_page, "covenants-12-in-force-desktop-zh")
    assert Covenant.objects.in_community(community).get(pk=covenant.pk).in_force_id == (
        consolidated.pk
    )

    # --- 5. the print and the household's confirmation ----------------------------------------
    page.goto(f"{base}/{covenant.pk}/")
    assert said(ZH, "In force") in main_text(page)
    assert_no_sideways_scroll(page)
    shot(page, "covenants-13-in-force-phone-zh")
    page.goto(f"{base}/{covenant.pk}/articles/{noise_key}/")
    assert AMENDED in page.locator("#article-text").inner_text()
    assert page.locator("#consult-paragraph, #comment-form").count() == 0
    printed = phone.request.get(f"{base}/{covenant.pk}/print.pdf")
    assert printed.status == 200
    assert printed.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(printed.body()))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert AMENDED_WORDS in text
    assert "装修或大声喧哗" not in text  # the draft's wording is gone

    page.goto(f"{base}/{covenant.pk}/adoption/")
    with page.expect_navigation():
        page.locator(f"main a[href='{base}/{covenant.pk}/acknowledge/']").tap()
    assert_no_sideways_scroll(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.tap()
    assert said(ZH, "Thank you: your household's confirmation is recorded.") in main_text(page)
    assert Acknowledgement.objects.in_community(community).filter(person=alice).count() == 1
    assert_no_sideways_scroll(page)
    shot(page, "covenants-14-acknowledged-phone-zh")
