"""Awards' pages: my qualifications (renewed, expiring soon, the course that renews), an award
with its certificate PDF (the holder and staff only), the public verification page (masked
name; VALID / EXPIRED / REVOKED), a person's qualifications for staff (record from outside
training, revoke; never their own) and the holders of each qualification (staff only)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone, translation

from gongzhi.core import qualifications
from gongzhi.learning import award_selectors
from gongzhi.learning.models import Award, EnrolmentStatus
from gongzhi.learning.qualifications import grant_for_completion
from gongzhi.notifications.models import Notification
from tests.factories import member
from tests.learning.world import award_of, course_of, enrolment_of

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def client_for(user=None, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


def base(community) -> str:
    return f"/c/{community.slug}/learning"


@pytest.fixture
def granted(community, worker):
    holder = member(community, display_name="王小芳")
    course = course_of(community, worker, title="急救员培训", qualification="first_aid")
    enrolment = enrolment_of(course, holder, status=EnrolmentStatus.COMPLETED)
    award = grant_for_completion(actor=worker, enrolment=enrolment)
    assert award is not None
    return award


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_the_public_page_shows_the_facts_with_the_name_masked(community, granted):
    response = client_for().get(f"{base(community)}/qualifications/verify/{granted.token}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "王*芳" in page and "王小芳" not in page
    assert granted.number in page and "急救员培训" in page and "first aid" in page
    assert "VALID" in page and "REVOKED" not in page


def test_the_public_page_says_expired_and_revoked(community, worker, granted):
    url = f"{base(community)}/qualifications/verify/{granted.token}/"
    Award.objects.in_community(community).filter(pk=granted.pk).update(
        valid_from=date(2020, 1, 1), valid_until=date(2021, 12, 31)
    )
    page = client_for().get(url).content.decode()
    assert "EXPIRED" in page and "2021-12-31" in page
    response = client_for(worker).post(
        f"{base(community)}/awards/{granted.pk}/revoke/", {"reason": "证书信息有误"}
    )
    assert response.status_code == 302
    assert "REVOKED" in client_for().get(url).content.decode()


def test_an_unknown_token_or_an_outside_record_has_no_public_page(community, worker, resident):
    assert client_for().get(f"{base(community)}/qualifications/verify/nope/").status_code == 404
    outside = award_of(community, resident, "first_aid", evidence="红十字会", granted_by=worker)
    url = f"{base(community)}/qualifications/verify/{outside.token}/"
    assert client_for().get(url).status_code == 404


def test_the_holder_and_staff_download_the_pdf_nobody_else(community, worker, granted):
    url = f"{base(community)}/awards/{granted.pk}/pdf/"
    response = client_for(granted.person).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert granted.number in text and "王小芳" in text
    assert f"qualifications/verify/{granted.token}/" in text.replace("\n", "")
    assert client_for(worker).get(url).status_code == 200
    assert client_for(member(community)).get(url).status_code == 404
    assert client_for().get(url).status_code == 302  # to log in


def test_the_detail_page_shows_renewed_to_its_holder(community, worker, granted):
    later = grant_for_completion(
        actor=worker,
        enrolment=enrolment_of(
            course_of(community, worker, qualification="first_aid"),
            granted.person,
            status=EnrolmentStatus.COMPLETED,
        ),
    )
    assert later is not None
    page = client_for(granted.person).get(f"{base(community)}/awards/{later.pk}/")
    assert page.status_code == 200 and 'id="award-renewed"' in page.content.decode()
    first = client_for(granted.person).get(f"{base(community)}/awards/{granted.pk}/")
    assert 'id="award-renewed"' not in first.content.decode()
    assert (
        client_for(member(community)).get(f"{base(community)}/awards/{later.pk}/").status_code
        == 404
    )


@time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=SHANGHAI), tick=False)
def test_my_qualifications_say_expiring_soon_and_link_the_course_that_renews(community, worker):
    me = member(community)
    award_of(community, me, "first_aid", date(2024, 6, 20), date(2026, 6, 19), granted_by=worker)
    award_of(community, me, "chairing", date(2026, 1, 1), None, granted_by=worker)
    renewing = course_of(community, worker, title="急救复训", qualification="first_aid")
    page = client_for(me).get(f"{base(community)}/qualifications/mine/").content.decode()
    assert "first aid" in page and "2026-06-19" in page and "expires soon" in page
    assert f"/courses/{renewing.pk}/" in page and "急救复训" in page
    assert "does not expire" in page


def test_the_partials_render_from_their_selectors(community, worker, resident):
    award_of(community, resident, "mediation", granted_by=worker)
    mine = render_to_string(
        "learning/_mine_award.html",
        {"community": community, "mine_award": award_selectors.mine(community, resident)},
    )
    assert str(qualifications.label("mediation")) in mine  # in the active language
    with translation.override("en"):
        hub = render_to_string(
            "learning/_hub_award.html",
            {"community": community, "hub_award": award_selectors.hub(community, worker)},
        )
    assert "1 person holds it" in hub
    hub_resident = award_selectors.hub(community, resident)
    assert hub_resident["can_manage"] is False


def test_a_worker_records_an_outside_qualification_on_the_person_page(
    community, worker, resident, django_capture_on_commit_callbacks
):
    url = f"{base(community)}/people/{resident.pk}/qualifications/"
    assert client_for(worker).get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(worker).post(
            url,
            {"code": "first_aid", "valid_from": "2026-01-01", "evidence": "红十字会急救员证 No. 7"},
        )
    assert response.status_code == 302
    award = Award.objects.in_community(community).get(person=resident)
    assert award.evidence == "红十字会急救员证 No. 7" and award.valid_until is None
    assert Notification.objects.filter(user=resident, kind="qualification_held").exists()
    assert "红十字会急救员证 No. 7" in client_for(worker).get(url).content.decode()


def test_bad_input_on_the_person_page_is_explained_and_nothing_saved(community, worker, resident):
    url = f"{base(community)}/people/{resident.pk}/qualifications/"
    response = client_for(worker).post(
        url,
        {
            "code": "first_aid",
            "valid_from": "2026-01-01",
            "valid_until": "2025-01-01",
            "evidence": "证书",
        },
    )
    assert response.status_code == 200
    assert "cannot end before it starts" in response.content.decode()
    assert not Award.objects.in_community(community).exists()


def test_a_worker_cannot_record_their_own(community, worker):
    url = f"{base(community)}/people/{worker.pk}/qualifications/"
    page = client_for(worker).get(url).content.decode()
    assert "Nobody records their own qualification" in page
    response = client_for(worker).post(
        url, {"code": "first_aid", "valid_from": "2026-01-01", "evidence": "证书"}
    )
    assert "Nobody records their own qualification" in response.content.decode()
    assert not Award.objects.in_community(community).exists()


def test_staff_pages_are_hidden_from_residents(community, resident):
    other = member(community)
    award = award_of(community, other)
    assert client_for(resident).get(f"{base(community)}/qualifications/").status_code == 404
    url = f"{base(community)}/people/{other.pk}/qualifications/"
    assert client_for(resident).get(url).status_code == 404
    response = client_for(resident).post(
        f"{base(community)}/awards/{award.pk}/revoke/", {"reason": "x"}
    )
    assert response.status_code == 404
    award.refresh_from_db()
    assert award.revoked_at is None


def test_revoking_needs_a_reason_on_the_page(community, worker, resident):
    award = award_of(community, resident, granted_by=worker)
    response = client_for(worker).post(
        f"{base(community)}/awards/{award.pk}/revoke/", {"reason": ""}, follow=True
    )
    assert "Say why the qualification is revoked" in response.content.decode()
    award.refresh_from_db()
    assert award.revoked_at is None


def test_holders_of_a_qualification_for_staff(community, worker):
    holder = member(community, display_name="李四")
    award_of(community, holder, "mediation", granted_by=worker)
    lapsed = member(community, display_name="张三")
    today = timezone.localdate()
    award_of(
        community,
        lapsed,
        "mediation",
        today - timedelta(days=400),
        today - timedelta(days=2),
        granted_by=worker,
    )
    page = client_for(worker).get(f"{base(community)}/qualifications/?code=mediation")
    text = page.content.decode()
    assert page.status_code == 200 and "李四" in text and "张三" not in text
    answer = client_for(worker).get(f"{base(community)}/qualifications/")
    with translation.override(answer.headers["Content-Language"]):
        assert str(qualifications.label("mediation")) in answer.content.decode()


def test_chinese_pages_render(community, granted):
    page = client_for(granted.person, language="zh-hans").get(
        f"{base(community)}/awards/{granted.pk}/"
    )
    assert page.status_code == 200
