"""core/checkin.py: the rotating QR code, its window, one presence per person, and its pages."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext

from gongzhi.budgeting.models import Process
from gongzhi.core import checkin
from gongzhi.core.models import Activity, CheckIn
from tests.budgeting.helpers import make_process
from tests.factories import member

# The start of a 30-second step, so that offsets below land in known steps.
T0 = datetime.fromtimestamp(1_780_000_020, tz=UTC)
EXPIRED = "This code has expired or belongs to another event. Scan the code on the screen again."


@pytest.fixture
def meeting(community, worker):
    # A budgeting process stands in for a meeting: any registered tenant model is a target.
    checkin.register(Process)
    yield make_process(community, worker)
    checkin.unregister(Process)


def at(seconds: float):
    return time_machine.travel(T0 + timedelta(seconds=seconds), tick=False)


def test_codes_change_every_30_seconds_and_differ_between_events():
    assert T0.timestamp() % checkin.STEP_SECONDS == 0

    class Fake:
        pk = 1
        _meta = Process._meta

    one, two = Fake(), Fake()
    two.pk = 2
    with at(0):
        first = checkin.current_code(one)
        assert checkin.seconds_left() == 30
    with at(29.9):
        assert checkin.current_code(one) == first and checkin.seconds_left() == 1
    with at(30):
        assert checkin.current_code(one) != first
    assert checkin.code_for(one, 5) != checkin.code_for(two, 5)
    assert len(first) == checkin.CODE_LENGTH


@pytest.mark.django_db
def test_the_current_code_records_a_member_once_and_journals_it(meeting, resident):
    with at(0):
        code = checkin.current_code(meeting)
    with at(10):
        row, created = checkin.checkin_record(actor=resident, target=meeting, code=code)
        again, created_again = checkin.checkin_record(actor=resident, target=meeting, code=code)
    assert created and not created_again and again == row
    assert row.community_id == meeting.community_id and row.at == T0 + timedelta(seconds=10)
    assert list(checkin.present(meeting)) == [row]
    assert (
        Activity.objects.in_community(meeting.community)
        .filter(verb="checkin.recorded", actor=resident, target_id=str(meeting.pk))
        .count()
        == 1
    )


@pytest.mark.django_db
def test_a_screenshot_works_for_someone_else_only_within_the_window(meeting, resident, community):
    neighbour, late = member(community), member(community)
    with at(0):
        code = checkin.current_code(meeting)
    with at(59):  # the previous step: still accepted
        assert checkin.checkin_record(actor=neighbour, target=meeting, code=code)[1]
    with at(60), pytest.raises(ValidationError) as caught:  # two steps on: refused
        checkin.checkin_record(actor=late, target=meeting, code=code)
    assert caught.value.code == "checkin_code"
    assert caught.value.messages == [gettext(EXPIRED)]
    assert checkin.present(meeting).count() == 1


@pytest.mark.django_db
def test_another_events_code_or_a_made_up_one_is_refused(meeting, community, worker, resident):
    other = make_process(community, worker)
    with at(0):
        for code in (checkin.current_code(other), "0" * checkin.CODE_LENGTH, ""):
            with pytest.raises(ValidationError):
                checkin.checkin_record(actor=resident, target=meeting, code=code)
    assert not checkin.present(meeting).exists()


@pytest.mark.django_db
def test_someone_outside_the_community_cannot_check_in(meeting, outsider):
    with at(0), pytest.raises(PermissionDenied):
        checkin.checkin_record(actor=outsider, target=meeting, code=checkin.current_code(meeting))


@pytest.mark.django_db
def test_the_database_holds_one_row_per_person_and_target(meeting, resident):
    with at(0):
        row, _created = checkin.checkin_record(
            actor=resident, target=meeting, code=checkin.current_code(meeting)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.in_community(meeting.community).create(
            target_type=row.target_type, target_id=row.target_id, person=resident
        )


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_record_one_presence(meeting, resident):
    with at(0):
        code = checkin.current_code(meeting)
    results: list[bool] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def scan() -> None:
        try:
            start.wait()
            results.append(
                checkin.checkin_record(actor=resident, target=meeting, code=code, now=T0)[1]
            )
        except BaseException as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    with at(5):
        threads = [threading.Thread(target=scan) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert sorted(results) == [False, True]
    assert checkin.present(meeting).count() == 1


@pytest.mark.django_db
def test_the_screen_shows_a_refreshing_qr_code_to_staff_only(client, meeting, worker, resident):
    url = f"/checkin/budgeting.process/{meeting.pk}/"
    client.force_login(resident)
    assert client.get(url).status_code == 404
    client.force_login(worker)
    with at(12):
        response = client.get(url)
        code = checkin.current_code(meeting)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<meta http-equiv="refresh" content="19">' in body
    assert "<svg" in body
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)  # no inline script: CSP forbids it
    assert code not in body  # only inside the QR code's modules, not as text to copy
    assert client.get("/checkin/core.grid/1/").status_code == 404  # not a registered target


@pytest.mark.django_db
def test_scanning_confirms_with_one_tap_and_a_stale_code_says_so(client, meeting, resident):
    with at(0):
        code = checkin.current_code(meeting)
    url = f"/checkin/budgeting.process/{meeting.pk}/{code}/"
    client.force_login(resident)
    with at(3):
        page = client.get(url)
        assert page.status_code == 200 and b'method="post"' in page.content
        assert not checkin.present(meeting).exists()  # a GET records nothing
        done = client.post(url)
    assert done.status_code == 200
    assert gettext("You are checked in.") in done.content.decode()
    assert checkin.present(meeting).get().person == resident
    with at(75):
        assert gettext(EXPIRED) in client.get(url).content.decode()
        assert client.post(url).status_code == 400
    client.logout()
    assert client.get(url).status_code == 302  # to the login page, then back here
