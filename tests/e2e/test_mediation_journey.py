"""Browser journey of a neighbour mediation case (issue 19, R5.5), in Debian's Chromium.

A resident (party A) asks for mediation on her phone, naming her upstairs neighbour (party B)
by his mobile number and the kind of dispute. The committee's head accepts the case and assigns
a qualified mediator; the neighbour, who reads English, finds the news in his inbox, opens the
case and agrees to mediation, while a community worker who is no party gets a 404 on the case's
address. The mediator records a session with its notes, which both parties confirm on their
phones. The mediator writes the agreement with its statutory content (the parties, the facts
and responsibilities, the rights and duties, how and by when it is performed); party A signs it
on her phone in the age-friendly mode, and a second tab she had left open on the agreement
tries to sign it again: a clear error, nothing saved. Party B signs in English, the mediator
signs, the head seals it for the committee; the PDF carries the agreement and the art. 33
notice (judicial confirmation within 30 days), and the case shows "agreed".

Screenshots go to E2E_SHOTS_DIR (/tmp/e2e-shots by default; MEDIATION_SHOTS_DIR overrides it
for this module). The Content-Security-Policy watcher of ``new_context`` fails the journey on
any violation.
"""

from __future__ import annotations

import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pypdf
import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import User
from gongzhi.core.models import Activity
from gongzhi.mediation.models import (
    Agreement,
    Assignment,
    Case,
    CaseStatus,
    Channel,
    Confirmation,
    DisputeKind,
    Side,
    Sitting,
)
from gongzhi.notifications.models import Notification
from tests.e2e.test_journeys import (
    ZH,
    assert_no_sideways_scroll,
    force_login,
    html_classes,
    html_lang,
    label,
    local_number,
    opened,
    shooter,
    submit,
)
from tests.factories import member
from tests.mediation.world import committee_of, mediator_of

pytestmark = pytest.mark.browser

SHOTS = Path(
    os.environ.get("MEDIATION_SHOTS_DIR", os.environ.get("E2E_SHOTS_DIR", "/tmp/e2e-shots"))  # noqa: S108
)
shot = shooter(SHOTS)
EN = "en"

SUMMARY = "楼上邻居每晚十一点后在家里敲打装修，孩子睡不好。希望他晚上十点后停工。"
NOTES = "双方到场。乙方承认夜间施工，同意调整时间；甲方同意白天施工不再投诉。"
FACTS = "乙方装修期间夜间施工，噪音影响甲方休息，乙方负主要责任。"
TERMS = "乙方每天晚十点后不再施工；甲方对白天正常施工不再投诉。"
PERFORMANCE = "自签署之日起履行，装修结束前由调解员回访一次。"


def said(language: str, msgid: str) -> str:
    """A message of the code as a page in ``language`` shows it."""
    return label(language, gettext_lazy(msgid))


def messages_of(page) -> str:
    """The success and error boxes after a POST."""
    return page.locator("main .messages").inner_text()


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_a_case_from_application_to_an_agreement_both_parties_confirmed(
    new_context, community, worker, e2e
):
    slug = community.slug
    base = f"/c/{slug}/mediation"
    committee = committee_of(community, worker)
    head = committee.head
    mediator = mediator_of(community)
    applicant = member(community, display_name="王芳")
    neighbour = member(community, display_name="Li Wei", language=EN)

    # --- 1. party A applies on her phone --------------------------------------------------
    phone_a = opened(new_context, "phone")
    force_login(phone_a, applicant, e2e)
    page_a = phone_a.new_page()
    page_a.goto(f"{base}/")
    assert html_lang(page_a) == "zh-Hans"
    assert_no_sideways_scroll(page_a)
    shot(page_a, "mediation-01-home-phone-zh")
    with page_a.expect_navigation():
        page_a.locator("#apply").click()
    page_a.locator(f"input[name=kind][value={DisputeKind.NOISE}]").check()
    page_a.fill("#id_summary", SUMMARY)
    page_a.fill("#id_respondent_phone", local_number(neighbour.phone))
    assert_no_sideways_scroll(page_a)
    shot(page_a, "mediation-02-apply-phone-zh")
    with page_a.expect_navigation():
        page_a.locator("#apply-submit").click()
    case = Case.objects.in_community(community).get()
    case_url = f"{base}/cases/{case.pk}/"
    assert page_a.url.endswith(case_url)
    assert (case.kind, case.channel, case.status) == (
        DisputeKind.NOISE,
        Channel.APPLICATION,
        CaseStatus.APPLIED,
    )
    parties = {p.side: p for p in case.parties.all()}
    assert parties[Side.APPLICANT].person_id == applicant.pk
    assert parties[Side.RESPONDENT].person_id == neighbour.pk
    assert said(
        ZH, "Your application is with the mediation committee. You will hear from it."
    ) in messages_of(page_a)
    assert page_a.locator("#case-summary").inner_text().strip() == SUMMARY
    assert_no_sideways_scroll(page_a)
    shot(page_a, "mediation-03-applied-phone-zh")

    # --- 2. the head accepts the case and assigns the mediator ----------------------------
    desk = opened(new_context, "desktop")
    force_login(desk, head, e2e)
    page_h = desk.new_page()
    page_h.goto(f"{base}/")
    with page_h.expect_navigation():
        page_h.locator(f"main a[href='{case_url}']").first.click()
    assert page_h.locator("#case-summary").inner_text().strip() == SUMMARY
    with page_h.expect_navigation():
        page_h.locator("#accept").click()
    page_h.locator(f"input[name=mediators][value='{mediator.pk}']").check()
    shot(page_h, "mediation-04-accept-desktop-zh")
    with page_h.expect_navigation():
        page_h.locator("main form[method=post] button[type=submit]").click()
    assert page_h.url.endswith(case_url)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.due_on is not None
    [assignment] = Assignment.objects.in_community(community).filter(case=case)
    assert assignment.mediator_id == mediator.pk and assignment.ended_at is None
    assert said(ZH, "The case is accepted; the parties are told.") in messages_of(page_h)
    shot(page_h, "mediation-05-accepted-desktop-zh")

    # Party B was told: content-free news with the case's address, in his inbox (English).
    news = Notification.objects.filter(user=neighbour, kind="mediation_case")
    assert news.count() >= 1 and {n.url for n in news} == {case_url}
    assert all(n.params == {} for n in news)
    phone_b = opened(new_context, "phone")
    force_login(phone_b, neighbour, e2e)
    page_b = phone_b.new_page()
    page_b.goto("/inbox/")
    assert html_lang(page_b) == EN
    inbox_text = page_b.locator("main").inner_text()
    for secret in (SUMMARY, case.number, applicant.display_name):
        assert secret not in inbox_text
    assert_no_sideways_scroll(page_b)
    shot(page_b, "mediation-06-inbox-phone-en")
    with page_b.expect_navigation():
        page_b.locator(f"main a[href='{case_url}']").first.click()
    assert page_b.locator("#case-summary").inner_text().strip() == SUMMARY
    submit(page_b, f"{case_url}consent/")
    assert said(EN, "Agreement to mediation recorded.") in messages_of(page_b)
    assert case.parties.get(side=Side.RESPONDENT).consented_at is not None
    assert_no_sideways_scroll(page_b)
    shot(page_b, "mediation-07-consented-phone-en")

    # A community worker who is in no part of the case: the same 404 as a missing case.
    office = opened(new_context, "desktop")
    force_login(office, worker, e2e)
    page_w = office.new_page()
    response = page_w.goto(case_url)
    assert response is not None and response.status == 404
    assert SUMMARY not in page_w.content()

    # --- 3. the mediator records a session; both parties confirm its notes ----------------
    mediation_desk = opened(new_context, "desktop")
    force_login(mediation_desk, mediator, e2e)
    page_m = mediation_desk.new_page()
    page_m.goto(case_url)
    with page_m.expect_navigation():
        page_m.locator(f"main a[href='{case_url}sittings/new/']").click()
    held_at = timezone.localtime(timezone.now() - timedelta(hours=2))
    page_m.fill("#id_held_at", held_at.strftime("%Y-%m-%dT%H:%M"))
    page_m.fill("#id_place", "社区调解室")
    page_m.fill("#id_notes", NOTES)
    shot(page_m, "mediation-08-session-desktop-zh")
    with page_m.expect_navigation():
        page_m.locator("main form[method=post] button[type=submit]").click()
    [sitting] = Sitting.objects.in_community(community).filter(case=case)
    assert sitting.notes == NOTES and sitting.recorded_by_id == mediator.pk
    assert said(ZH, "The session is recorded.") in messages_of(page_m)

    confirm_notes = f"{base}/sittings/{sitting.pk}/confirm/"
    for page, language, name in ((page_a, ZH, "zh"), (page_b, EN, "en")):
        page.goto(case_url)
        assert NOTES in page.locator(f"#sitting-{sitting.pk}").inner_text()
        submit(page, confirm_notes)
        assert said(language, "You confirmed the notes of the session.") in messages_of(page)
        assert page.locator(f"main form[action='{confirm_notes}']").count() == 0
        assert_no_sideways_scroll(page)
        shot(page, f"mediation-09-notes-confirmed-phone-{name}")
    confirmed = Confirmation.objects.in_community(community).filter(sitting=sitting)
    assert sorted(c.party.side for c in confirmed) == sorted([Side.APPLICANT, Side.RESPONDENT])

    # --- 4. the agreement: written, signed by both parties and the mediator, sealed -------
    page_m.goto(case_url)
    with page_m.expect_navigation():
        page_m.locator(f"main a[href='{case_url}agreement/edit/']").click()
    perform_by = timezone.localdate() + timedelta(days=30)
    page_m.fill("#id_facts", FACTS)
    page_m.fill("#id_terms", TERMS)
    page_m.fill("#id_performance", PERFORMANCE)
    page_m.fill("#id_perform_by", perform_by.isoformat())
    shot(page_m, "mediation-10-agreement-form-desktop-zh")
    with page_m.expect_navigation():
        page_m.locator("main form[method=post] button[type=submit]").click()
    agreement = Agreement.objects.in_community(community).get(case=case)
    assert (agreement.facts, agreement.terms, agreement.performance, agreement.perform_by) == (
        FACTS,
        TERMS,
        PERFORMANCE,
        perform_by,
    )
    agreement_url = f"{case_url}agreement/"
    sign = f"{base}/agreements/{agreement.pk}/sign/"

    # Party A reads and signs it on her phone, with large text; a second tab stays open on
    # the agreement as it was before she signed.
    User.objects.filter(pk=applicant.pk).update(age_friendly=True)
    stale = phone_a.new_page()
    stale.goto(agreement_url)
    page_a.goto(agreement_url)
    assert "af" in html_classes(page_a)
    article = page_a.locator("#agreement").inner_text()
    for text in (FACTS, TERMS, PERFORMANCE, perform_by.isoformat(), "王芳", "Li Wei"):
        assert text in article, text
    assert_no_sideways_scroll(page_a)
    shot(page_a, "mediation-11-agreement-phone-age-friendly")
    submit(page_a, sign)
    assert said(ZH, "You signed the agreement.") in messages_of(page_a)
    assert_no_sideways_scroll(page_a)
    shot(page_a, "mediation-12-signed-phone-age-friendly")

    def signed_sides() -> list[str]:
        rows = Confirmation.objects.in_community(community).filter(agreement=agreement)
        return sorted(rows.values_list("party__side", flat=True))

    assert signed_sides() == [Side.APPLICANT]

    # --- 5. bad input: the old tab signs again → a clear error, nothing saved -------------
    journal_before = Activity.objects.in_community(community).count()
    news_before = Notification.objects.filter(kind="mediation_case").count()
    submit(stale, sign)
    assert (
        said(ZH, "The agreement is already signed for this party.")
        in stale.locator("main .messages .error").inner_text()
    )
    assert stale.locator("main .messages .success").count() == 0
    assert_no_sideways_scroll(stale)
    shot(stale, "mediation-13-signed-twice-refused-phone-age-friendly")
    assert signed_sides() == [Side.APPLICANT]
    assert Activity.objects.in_community(community).count() == journal_before
    assert Notification.objects.filter(kind="mediation_case").count() == news_before
    User.objects.filter(pk=applicant.pk).update(age_friendly=False)

    # Party B signs in English.
    page_b.goto(agreement_url)
    assert html_lang(page_b) == EN
    assert TERMS in page_b.locator("#agreement").inner_text()
    submit(page_b, sign)
    assert said(EN, "You signed the agreement.") in messages_of(page_b)
    assert_no_sideways_scroll(page_b)
    shot(page_b, "mediation-14-signed-phone-en")
    assert signed_sides() == sorted([Side.APPLICANT, Side.RESPONDENT])

    # The mediator signs, the head seals for the committee.
    page_m.goto(agreement_url)
    with page_m.expect_navigation():
        page_m.locator("#mediator-sign").click()
    assert said(ZH, "You signed the agreement as the mediator.") in messages_of(page_m)
    page_h.goto(agreement_url)
    shot(page_h, "mediation-15-ready-to-seal-desktop-zh")
    with page_h.expect_navigation():
        page_h.locator("#seal").click()
    assert said(
        ZH, "The agreement is sealed: the case is concluded with an agreement."
    ) in messages_of(page_h)
    agreement.refresh_from_db()
    case.refresh_from_db()
    assert agreement.mediator_signed_by_id == mediator.pk
    assert agreement.sealed_by_id == head.pk and agreement.sealed_at is not None
    assert case.status == CaseStatus.AGREED and case.concluded_at is not None

    # The case shows its outcome to the parties.
    for page, language, name in ((page_a, ZH, "zh"), (page_b, EN, "en")):
        page.goto(case_url)
        status = page.locator("#case-status")
        assert status.inner_text().strip() == label(language, CaseStatus.AGREED.label)
        assert "ok" in (status.get_attribute("class") or "").split()
        assert_no_sideways_scroll(page)
        shot(page, f"mediation-16-agreed-phone-{name}")

    # The agreement's PDF, as party A's phone downloads it.
    pdf = phone_a.request.get(f"{base}/agreements/{agreement.pk}/print.pdf")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.body()))
    text = squeezed("".join(p.extract_text() for p in reader.pages))
    for content in (case.number, FACTS, TERMS, PERFORMANCE, perform_by.isoformat()):
        assert squeezed(content) in text, content
    notice = (
        "Under article 33 of the People's Mediation Law, the parties may, within 30 days of "
        "this agreement taking effect, jointly apply to the people's court for judicial "
        "confirmation of it."
    )
    assert squeezed(said(ZH, notice)) in text
    # Anyone outside the case gets a 404 for the PDF too.
    assert office.request.get(f"{base}/agreements/{agreement.pk}/print.pdf").status == 404
