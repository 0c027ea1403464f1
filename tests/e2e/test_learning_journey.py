"""Browser journey of a resident's training and first step towards leading (issue 18), in
Debian's Chromium.

A community worker has the chairing course ("会议主持与协商议事", qualification "chairing", two
evening sessions, a resident trainer) open. A resident who once organised a volunteer activity
(rung 3 of the ladder, built directly with the volunteering builders) enrols in it on their
phone from the learning home, the course's page in the age-friendly mode. On each session's day
the trainer goes from the learning home to the session's roll and shows the rotating check-in
code (core's screen); the resident opens the address the code carries (read back from the QR
modules with segno, as the meetings journey does) and is on the roll. On the second day a
check-in carrying the first session's code is refused with a clear message and records nothing.
After the last session the learner can neither open the course's results nor forge a decision;
the trainer finds the course on the learning home ("sessions over: decide and finish") and
decides their completion on its results page, which grants the qualification. The resident sees
it on "my learning" and, on their pathway, the next step (chairing a meeting, "you hold it").
A community worker finds them in the pipeline of people ready to lead (a neighbour who also
organised an activity but asked, on their own pathway, not to be listed is not there) and
invites them to chair a meeting ("meetings.chair"); the resident accepts from "my learning".
Every page is in Chinese, and every browser a phone (the trainer holds theirs up to show the
code; the worker looks at the pipeline on theirs).

The clock is moved with ``time_machine`` (the server thread's clock too): enrolment the day
before the first session, scans five minutes after 19:00 on the first day and ten minutes
before 19:00 a week later (scanning opens 30 minutes early), the decision after 21:00.

Screenshots go to E2E_SHOTS_DIR/learning (/tmp/e2e-shots/learning by default;
LEARNING_SHOTS_DIR overrides it). The Content-Security-Policy watcher of ``new_context`` fails
the journey on any violation; axe-core (WCAG 2.2 AA) checks the enrolled course page, the roll,
the results, my learning, the pathway, the pipeline and the invitation.
"""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import segno
import time_machine
from django.utils import timezone, translation
from django.utils.translation import gettext

from gongzhi.accounts.models import User
from gongzhi.core import checkin
from gongzhi.core.models import CheckIn
from gongzhi.learning.models import (
    Attendance,
    Award,
    Connection,
    ConnectionKind,
    CourseSession,
    Enrolment,
    EnrolmentStatus,
    Invitation,
    InvitationStatus,
    PipelineOptOut,
    TrainerKind,
)
from tests.e2e.a11y import axe_violations
from tests.e2e.test_journeys import (
    PATH_D,
    assert_no_sideways_scroll,
    force_login,
    html_classes,
    html_lang,
    opened,
    shooter,
    submit,
)
from tests.factories import member
from tests.learning.world import course_of, trainer_of
from tests.volunteering.world import activity_of

pytestmark = pytest.mark.browser

SHOTS = Path(
    os.environ.get(
        "LEARNING_SHOTS_DIR",
        str(Path(os.environ.get("E2E_SHOTS_DIR", "/tmp/e2e-shots")) / "learning"),  # noqa: S108
    )
)
shot = shooter(SHOTS)
ZH = "zh-hans"
BEIJING = ZoneInfo("Asia/Shanghai")


def said(msgid: str) -> str:
    """A message as a page in Chinese shows it."""
    with translation.override(ZH):
        return gettext(msgid)


def main_text(page) -> str:
    return page.locator("main").inner_text()


def assert_accessible(page) -> None:
    found = axe_violations(page)
    assert not found, "\n".join(found)


def scan_address_on_screen(page, session: CourseSession, base_url: str) -> str:
    """The address the QR code on the check-in screen carries (each code valid now is encoded
    again and compared with the screen's QR modules, as the meetings journey does)."""
    shown = page.locator("main svg.qr path").first.get_attribute("d")
    assert shown, "the check-in screen shows no QR code"
    step = checkin.time_step()
    for candidate in (step, step - 1, step + 1):
        address = base_url + checkin.scan_url(session, checkin.code_for(session, candidate))
        svg = segno.make(address, error="m").svg_inline(
            scale=8, svgclass="qr", lineclass=None, omitsize=True
        )
        match = PATH_D.search(svg)
        assert match is not None
        if match.group(1) == shown:
            return address
    raise AssertionError("the QR code on the screen is none of the session's current codes")


def screen_of(session: CourseSession) -> str:
    return f"/checkin/learning.coursesession/{session.pk}/"


def test_enrol_on_a_phone_check_in_complete_see_the_next_step_and_accept_to_chair(
    new_context, community, worker, e2e
):
    slug = community.slug
    base = f"/c/{slug}/learning"
    resident = member(community, display_name="王小芳")
    trainer = member(community, display_name="陈秀兰")
    neighbour = member(community, display_name="周大伟")
    User.objects.filter(pk=worker.pk).update(display_name="李娜")

    today = timezone.localdate(timezone.now())
    setup_day = datetime.combine(today + timedelta(days=1), time(9, 0), tzinfo=BEIJING)
    first_day = (setup_day + timedelta(days=1)).replace(hour=19)
    second_day = first_day + timedelta(days=7)
    with time_machine.travel(setup_day, tick=True) as clock:
        # Both once organised a volunteer activity: rung 3 ("organised"), ready to be asked.
        activity_of(community, resident, title="楼道清洁日", place="3号楼")
        activity_of(community, neighbour, title="旧物交换集市", place="社区广场")
        course = course_of(
            community,
            worker,
            title="会议主持与协商议事",
            description="如何主持居民议事会：议程、发言规则、达成共识。",
            qualification="chairing",
            capacity=12,
        )
        trainer_of(course, trainer, kind=TrainerKind.RESIDENT)
        sessions = [
            CourseSession.objects.in_community(community).create(
                course=course,
                title=title,
                starts_at=day,
                ends_at=day + timedelta(hours=2),
                place="社区活动室",
                trainer=trainer,
            )
            for title, day in (("第一讲：议程与规则", first_day), ("第二讲：模拟议事", second_day))
        ]
        course_url = f"{base}/courses/{course.pk}/"
        results_url = f"{course_url}results/"

        # --- the resident finds the course on the learning home, on their phone --------------
        phone = opened(new_context, "phone")
        force_login(phone, resident, e2e)
        mobile = phone.new_page()
        mobile.goto(f"{base}/")
        assert html_lang(mobile) == "zh-Hans"
        open_courses = mobile.locator("main section[aria-labelledby='open-heading']")
        assert "会议主持与协商议事" in open_courses.inner_text()
        assert_no_sideways_scroll(mobile)
        shot(mobile, "learning-01-home-phone-zh")

        # --- … and enrols in the age-friendly mode ------------------------------------------
        User.objects.filter(pk=resident.pk).update(age_friendly=True)
        with mobile.expect_navigation():
            open_courses.locator(f"a[href='{course_url}']").click()
        assert "af" in html_classes(mobile)
        assert_no_sideways_scroll(mobile)
        shot(mobile, "learning-02-course-phone-age-friendly")
        submit(mobile, f"{course_url}enrol/")
        assert said("You are enrolled.") in main_text(mobile)
        assert "enrolled" == mobile.locator("#enrolment [data-status]").get_attribute("data-status")
        assert_no_sideways_scroll(mobile)
        assert_accessible(mobile)
        shot(mobile, "learning-03-enrolled-phone-age-friendly")
        User.objects.filter(pk=resident.pk).update(age_friendly=False)
        enrolment = Enrolment.objects.in_community(community).get(course=course, person=resident)
        assert enrolment.status == EnrolmentStatus.ENROLLED

        # --- each session: the trainer shows the code, the resident opens its address --------
        # The trainer holds up their own phone: every screenshot is phone-sized.
        trainer_phone = opened(new_context, "phone")
        force_login(trainer_phone, trainer, e2e)
        lectern = trainer_phone.new_page()

        def show_code(session: CourseSession) -> None:
            """The trainer goes from the learning home to the session's roll and its screen."""
            roll_url = f"{base}/sessions/{session.pk}/roll/"
            lectern.goto(f"{base}/")
            with lectern.expect_navigation():
                lectern.locator(f"#hub-attendance a[href='{roll_url}']").click()
            assert_no_sideways_scroll(lectern)
            with lectern.expect_navigation():
                lectern.locator(f"main a[href='{screen_of(session)}']").click()

        def scan(session: CourseSession, number: int) -> None:
            address = scan_address_on_screen(lectern, session, e2e)
            mobile.goto(address)
            assert html_lang(mobile) == "zh-Hans"
            with mobile.expect_navigation():
                mobile.locator("main form[method=post] button[type=submit]").click()
            assert mobile.locator("main .success").count() == 1, main_text(mobile)
            row = Attendance.objects.in_community(community).get(
                session=session, enrolment=enrolment
            )
            assert row.recorded_by_id == resident.pk
            arrived = timezone.localtime(row.arrived_at).strftime("%H:%M")
            assert (
                said("You are on the roll of this session since %(arrived)s.")
                % {"arrived": arrived}
                in mobile.locator("main .success").inner_text()
            )
            assert_no_sideways_scroll(mobile)
            shot(mobile, f"learning-0{number}-checked-in-phone-zh")

        first, second = sessions
        clock.move_to(first_day + timedelta(minutes=5))
        show_code(first)
        assert_no_sideways_scroll(lectern)
        shot(lectern, "learning-04-checkin-screen-phone-zh")
        scan(first, 5)
        lectern.goto(f"{base}/sessions/{first.pk}/roll/")
        assert lectern.locator(f"#roll-{enrolment.pk}").get_attribute("data-present") == "yes"
        assert_no_sideways_scroll(lectern)
        assert_accessible(lectern)
        shot(lectern, "learning-05b-roll-phone-zh")

        # A week later, a check-in with the first session's code is refused and records nothing
        # (the first session's screen, still open on the trainer's laptop, shows its code).
        clock.move_to(second_day - timedelta(minutes=10))
        lectern.goto(screen_of(first))
        old_code = scan_address_on_screen(lectern, first, e2e).rstrip("/").rsplit("/", 1)[-1]
        mobile.goto(e2e + checkin.scan_url(second, old_code))
        refusal = mobile.locator("main [role=alert]").inner_text()
        assert (
            said(
                "This code has expired or belongs to another event. Scan the code on the screen again."
            )
            in refusal
        )
        assert mobile.locator("main form[method=post] button[type=submit]").count() == 0
        assert_no_sideways_scroll(mobile)
        shot(mobile, "learning-06-other-session-code-refused-phone-zh")
        assert not Attendance.objects.in_community(community).filter(session=second).exists()
        assert not CheckIn.objects.in_community(community).filter(target_id=second.pk).exists()

        show_code(second)
        scan(second, 7)
        present = Attendance.objects.in_community(community).filter(enrolment=enrolment)
        assert sorted(present.values_list("session_id", flat=True)) == [first.pk, second.pk]

        # --- after the last session: the learner cannot decide; the trainer does -------------
        clock.move_to(second_day + timedelta(hours=2, minutes=30))
        mobile.goto(course_url)
        token = mobile.locator("main input[name=csrfmiddlewaretoken]").first.input_value()
        assert mobile.goto(results_url).status == 404
        forged = phone.request.post(
            f"{e2e}{results_url}{enrolment.pk}/decide/",
            form={"csrfmiddlewaretoken": token},
            headers={"Referer": e2e + course_url},
            fail_on_status_code=False,
        )
        assert forged.status == 404
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.ENROLLED
        assert not Award.objects.in_community(community).filter(person=resident).exists()

        # The trainer finds the course whose sessions are over on the learning home.
        lectern.goto(f"{base}/")
        with lectern.expect_navigation():
            lectern.locator(f"#hub-attendance a[href='{results_url}']").click()
        card = lectern.locator(f"#result-{enrolment.pk}")
        assert (
            said("Attended %(attended)s of %(held)s sessions (%(needed)s needed)")
            % {"attended": 2, "held": 2, "needed": 2}
            in card.inner_text()
        )
        assert_no_sideways_scroll(lectern)
        shot(lectern, "learning-08-results-to-decide-phone-zh")
        submit(lectern, f"{results_url}{enrolment.pk}/decide/")
        assert said("The decision on %(name)s is recorded.") % {"name": "王小芳"} in main_text(
            lectern
        )
        assert card.get_attribute("data-status") == "completed"
        assert_no_sideways_scroll(lectern)
        assert_accessible(lectern)
        shot(lectern, "learning-09-results-decided-phone-zh")
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.COMPLETED
        assert enrolment.decided_by_id == trainer.pk
        award = Award.objects.in_community(community).get(person=resident)
        assert award.qualification == "chairing" and award.revoked_at is None
        assert (
            Connection.objects.in_community(community)
            .filter(source=trainer, target=resident, kind=ConnectionKind.TRAINED)
            .exists()
        )

        # --- the resident sees the qualification, then the next step on their pathway --------
        clock.move_to(second_day + timedelta(days=1, hours=-9))
        mobile.goto(f"{base}/me/")
        held = mobile.locator("#mine-qualifications").inner_text()
        assert said("chairing and facilitating meetings") in held
        assert_no_sideways_scroll(mobile)
        assert_accessible(mobile)
        shot(mobile, "learning-10-my-learning-phone-zh")

        mobile.goto(f"{base}/pathway/")
        assert "current" in (
            mobile.locator("main .ladder [data-rung='3']").get_attribute("class") or ""
        )
        chair = mobile.locator("main .next-steps li").filter(
            has_text=said("Chair a meeting of a body")
        )
        assert chair.count() == 1, main_text(mobile)
        assert said("you hold it") in chair.inner_text()
        assert_no_sideways_scroll(mobile)
        assert_accessible(mobile)
        shot(mobile, "learning-11-pathway-phone-zh")

        # --- the neighbour asks, on their own pathway, not to be listed -------------------------
        other_phone = opened(new_context, "phone")
        force_login(other_phone, neighbour, e2e)
        theirs = other_phone.new_page()
        theirs.goto(f"{base}/pathway/")
        submit(theirs, f"{base}/pathway/choice/")
        assert said("You are off the list: workers will not invite you to lead.") in main_text(
            theirs
        )
        assert_no_sideways_scroll(theirs)
        assert PipelineOptOut.objects.in_community(community).filter(person=neighbour).exists()

        # --- a community worker finds the resident in the pipeline and invites them ----------
        office = opened(new_context, "phone")
        force_login(office, worker, e2e)
        page = office.new_page()
        page.goto(f"{base}/pipeline/")
        candidate = page.locator(f"main li.card[data-person='{resident.pk}']")
        assert candidate.count() == 1, main_text(page)
        assert said("chairing and facilitating meetings") in candidate.inner_text()
        assert page.locator(f"main [data-person='{neighbour.pk}']").count() == 0
        assert "周大伟" not in main_text(page)
        assert_no_sideways_scroll(page)
        assert_accessible(page)
        shot(page, "learning-12-pipeline-phone-zh")
        with page.expect_navigation():
            candidate.locator(f"a[href='{base}/pipeline/{resident.pk}/invite/']").click()
        page.select_option("#id_step", "meetings.chair")
        page.fill("#id_message", "下个月的居民议事会，想请你来主持。")
        assert_no_sideways_scroll(page)
        shot(page, "learning-13-invite-phone-zh")
        with page.expect_navigation():
            page.locator("main form[method=post] button[type=submit]").click()
        assert said("The invitation is sent.") in main_text(page)
        invitation = Invitation.objects.in_community(community).get(person=resident)
        assert invitation.step == "meetings.chair" and invitation.invited_by_id == worker.pk
        assert invitation.status == InvitationStatus.SENT

        # --- the resident accepts, from "my learning" ----------------------------------------
        mobile.goto(f"{base}/me/")
        invitation_url = f"{base}/invitations/{invitation.pk}/"
        with mobile.expect_navigation():
            mobile.locator(f"#mine-ladder a[href='{invitation_url}']").click()
        assert "下个月的居民议事会" in main_text(mobile) and "李娜" in main_text(mobile)
        assert_no_sideways_scroll(mobile)
        assert_accessible(mobile)
        shot(mobile, "learning-14-invitation-phone-zh")
        submit(mobile, f"{invitation_url}accept/")
        assert said(
            "Thank you! The invitation is accepted: the page below is where to start."
        ) in main_text(mobile)
        assert mobile.locator("main [data-status]").first.get_attribute("data-status") == (
            "accepted"
        )
        # The invitation page links where to act: the meetings.
        start = mobile.locator("main a").filter(has_text=said("Where to start"))
        assert start.count() == 1 and "/meetings" in (start.get_attribute("href") or "")
        assert_no_sideways_scroll(mobile)
        shot(mobile, "learning-15-invitation-accepted-phone-zh")
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.ACCEPTED
        assert (
            Connection.objects.in_community(community)
            .filter(source=worker, target=resident, kind=ConnectionKind.INVITED)
            .exists()
        )
