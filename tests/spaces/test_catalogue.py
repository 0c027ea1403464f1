"""The catalogue's services (catalogue.py): a community worker sets a space up, changes it, opens
and closes it, journalled; nobody else may; bad input is refused with a clear, translated error
and a stable code, and nothing is saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext

from gongzhi.bodies.models import Body
from gongzhi.core.models import Activity
from gongzhi.spaces import booking, catalogue, selectors
from gongzhi.spaces.models import Booking, Space, SpaceKind, SpaceStatus
from tests.api_world import png
from tests.factories import member
from tests.spaces.world import at, booking_of, space_of

pytestmark = pytest.mark.django_db


def _codes(error: ValidationError) -> list[str]:
    return [e.code for e in error.error_list]


def _create(community, actor, **extra):
    fields = {"name": "二楼活动室", "kind": SpaceKind.ROOM, "capacity": 30, **extra}
    return catalogue.space_create(actor=actor, community=community, **fields)


def _verbs(community) -> list[str]:
    return list(
        Activity.objects.in_community(community).order_by("pk").values_list("verb", flat=True)
    )


def test_a_worker_sets_up_a_draft_space_journalled(community, worker):
    space = _create(community, worker, step_free=True, fee=Decimal("20.00"))
    assert space.status == SpaceStatus.DRAFT
    assert space.created_by == worker
    assert space.step_free and space.fee == Decimal("20.00")
    entry = Activity.objects.in_community(community).get(verb="space.created")
    assert entry.actor == worker
    assert entry.data["name"] == "二楼活动室"


@pytest.mark.parametrize("who", ["resident", "supervisor", "outsider"])
def test_nobody_but_a_worker_sets_up_a_space(community, request, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        _create(community, actor)
    assert not Space.objects.in_community(community).exists()


def test_a_name_already_taken_is_refused(community, worker):
    _create(community, worker)
    with pytest.raises(ValidationError) as error:
        _create(community, worker, name=" 二楼活动室 ")
    assert _codes(error.value) == ["space_name_taken"]
    assert Space.objects.in_community(community).count() == 1


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"name": "  "}, "space_name"),
        ({"seats": 40, "capacity": 20}, "space_seats"),
        ({"slot_minutes": 60, "max_minutes": 30}, "space_lengths"),
        ({"hours": "{not json"}, "space_hours"),
        ({"hours": "[1, 2]"}, "space_hours"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_nothing_saved(community, worker, extra, code):
    with pytest.raises(ValidationError) as error:
        _create(community, worker, **extra)
    assert _codes(error.value) == [code]
    assert error.value.messages[0]  # a sentence, not just a code
    assert not Space.objects.in_community(community).exists()
    assert "space.created" not in _verbs(community)


def test_the_manager_is_one_body_of_this_community(community, other_community, worker):
    mine = Body.objects.in_community(community).create(name="老年协会", created_by=worker)
    theirs = Body.objects.in_community(other_community).create(name="外社区", created_by=worker)
    with pytest.raises(ValidationError) as error:
        _create(community, worker, managed_by_body=theirs)
    assert _codes(error.value) == ["space_manager_unknown"]
    space = _create(community, worker, managed_by_body=mine)
    assert selectors.manager_name(space) == "老年协会"


def test_changes_are_journalled_with_the_fields_changed(community, worker):
    space = _create(community, worker)
    changed = catalogue.space_update(
        actor=worker, space=space, needs_approval=True, max_minutes=120, name="二楼活动室"
    )
    assert changed.needs_approval and changed.max_minutes == 120
    entry = Activity.objects.in_community(community).get(verb="space.updated")
    assert entry.data["changed"] == ["max_minutes", "needs_approval"]


def test_a_resident_cannot_change_a_space(community, worker, resident):
    space = _create(community, worker)
    with pytest.raises(PermissionDenied):
        catalogue.space_update(actor=resident, space=space, name="我的房间")
    space.refresh_from_db()
    assert space.name == "二楼活动室"


def test_a_space_opens_and_closes_and_the_booking_engine_follows(community, worker, resident):
    space = _create(community, worker)
    space = catalogue.space_open(actor=worker, space=space)
    assert space.status == SpaceStatus.OPEN
    with pytest.raises(ValidationError) as error:
        catalogue.space_open(actor=worker, space=space)
    assert _codes(error.value) == ["space_status_unchanged"]
    kept = booking_of(space, resident, at(days=3))
    space = catalogue.space_close(actor=worker, space=space, reason="装修")
    assert space.status == SpaceStatus.CLOSED
    entry = Activity.objects.in_community(community).get(verb="space.closed")
    assert entry.data == {"reason": "装修", "bookings_ahead": 1}
    kept.refresh_from_db()
    assert kept.status == "confirmed"  # closing stops new bookings only
    with pytest.raises(ValidationError):
        booking.book(
            actor=resident,
            space=space,
            starts_at=at(days=4),
            ends_at=at(days=4, hour=11),
            purpose="读书会",
        )
    assert Booking.objects.in_community(community).count() == 1


def test_a_photo_is_checked_and_stored_a_document_refused(community, worker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    space = _create(community, worker, photo=png())
    assert space.photo.name.endswith(".png")
    not_a_photo = SimpleUploadedFile("plan.png", b"%PDF-1.4 nothing", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        catalogue.space_update(actor=worker, space=space, photo=not_a_photo)
    assert _codes(error.value) == ["upload_type"]
    space = catalogue.space_update(actor=worker, space=space, remove_photo=True)
    assert not space.photo


def test_rules_in_words_say_who_how_long_and_the_fee_collected_in_person(community):
    space = space_of(
        community,
        max_minutes=90,
        advance_days=14,
        buffer_minutes=15,
        quota=2,
        needs_approval=True,
        fee=Decimal("30.00"),
    )
    lines = selectors.rules_in_words(space)
    text = " ".join(lines)
    assert gettext("verified residents") in text
    assert "1 h 30 min" in text or "1小时30分钟" in text or "90" in text
    assert "14" in text and "30.00" in text
    fee = gettext("Fee: %(fee)s yuan, collected in person (no online payment).") % {
        "fee": Decimal("30.00")
    }
    assert fee in lines


def test_catalogue_shows_open_spaces_and_drafts_only_to_workers(community, worker, resident):
    space_of(community, name="开放的")
    space_of(community, name="草稿", status=SpaceStatus.DRAFT)
    assert [s.name for s in selectors.catalogue(community, resident)] == ["开放的"]
    assert {s.name for s in selectors.catalogue(community, worker)} == {"开放的", "草稿"}


def test_my_bookings_split_upcoming_and_past(community, resident):
    space = space_of(community)
    soon = booking_of(space, resident, at(days=1))
    gone = booking_of(space, resident, at(days=-2))
    other = booking_of(space, member(community), at(days=1, hour=14))
    mine = selectors.my_bookings(community, resident)
    assert mine.upcoming == [soon]
    assert mine.past == [gone]
    assert other not in mine.upcoming


def test_hours_typed_as_text_are_stored_as_hours_json_and_told_in_words(community, worker):
    space = _create(
        community,
        worker,
        hours="mon-fri 08:30-12:00, 14:00-21:00\nsat 09:00-17:00\nholidays closed",
    )
    assert space.hours["weekly"]["mon"] == [["08:30", "12:00"], ["14:00", "21:00"]]
    assert "sun" not in space.hours["weekly"]
    words = selectors.opening(space)
    assert words["set"] is True
    assert len(words["week"]) == 3  # mon-fri, sat, sun
    assert words["today"]
    bad = "mon-fri 12:00-08:00"
    with pytest.raises(ValidationError) as error:
        catalogue.space_update(actor=worker, space=space, hours=bad)
    assert _codes(error.value) == ["space_hours"]
    space.refresh_from_db()
    assert space.hours["weekly"]["sat"] == [["09:00", "17:00"]]


@pytest.mark.parametrize(
    ("who", "open_", "draft", "manage"),
    [
        ("resident", True, False, False),
        ("unverified", True, False, False),
        ("worker", True, True, True),
        ("supervisor", True, False, False),
        ("outsider", False, False, False),
        ("body_member", True, True, False),
    ],
)
def test_who_sees_and_manages_a_space(community, worker, request, who, open_, draft, manage):
    """A closed space is seen as an open one (its bookers still need its address and rules);
    a draft only by workers and its managing body."""
    import rules

    from tests.meetings.world import seated_council

    body, people = seated_council(community, worker)
    viewer = people[0] if who == "body_member" else request.getfixturevalue(who)
    shown = space_of(community, name="开放", managed_by_body=body)
    prepared = space_of(community, name="筹备", status=SpaceStatus.DRAFT, managed_by_body=body)
    closed = space_of(community, name="关闭", status=SpaceStatus.CLOSED)
    assert rules.has_perm("spaces.view_space", viewer, shown) is open_
    assert rules.has_perm("spaces.view_space", viewer, prepared) is draft
    assert rules.has_perm("spaces.view_space", viewer, closed) is open_
    assert rules.has_perm("spaces.manage_spaces", viewer, shown) is manage
