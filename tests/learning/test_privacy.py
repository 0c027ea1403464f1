"""What learning holds about a person: the copy holds it (and nothing of another person); an
erasure keeps the record of training (qualifications, decided enrolments, attendance, stars,
assessment marks), pointing at the tombstone, and deletes what only served the person."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from gongzhi.accounts import services as account_services
from gongzhi.core.privacy import person_export_json
from gongzhi.learning.models import (
    Assessment,
    Attendance,
    Award,
    Connection,
    ConnectionKind,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    Invitation,
    InvitationStatus,
    InviteLink,
    PipelineOptOut,
    Rating,
)
from tests.factories import member
from tests.learning.world import award_of, course_of, enrolment_of, session_of, trainer_of

pytestmark = pytest.mark.django_db


def _take_part(person: Any, other: Any, world: dict[str, Any], marker: str) -> dict[str, Any]:
    """``person`` completed a past course (attended, assessed, rated, a qualification), holds a
    place on an open course, trains a course, opted out of the pipeline, has an open invitation,
    an invitation link, and ties to ``other``."""
    community, worker = world["community"], world["worker"]
    done = enrolment_of(
        world["past"],
        person,
        status=EnrolmentStatus.COMPLETED,
        recruited_by=other,
        decided_by=worker,
    )
    Attendance.objects.in_community(community).create(
        session=world["past_session"], enrolment=done, recorded_by=person
    )
    Assessment.objects.in_community(community).create(
        enrolment=done, passed=True, note=f"{marker} 表达清楚", marked_by=worker
    )
    Rating.objects.in_community(community).create(
        session=world["past_session"], person=person, stars=4, comment=f"{marker} 很有用"
    )
    award = award_of(community, person, granted_by=worker, enrolment=done, number=f"{marker}-1")
    place = enrolment_of(world["open"], person)
    trainer_of(world["trained"], person)
    PipelineOptOut.objects.in_community(community).create(person=person)
    Invitation.objects.in_community(community).create(
        person=person, step="meetings.chair", message=f"{marker} 请来主持", invited_by=worker
    )
    InviteLink.objects.in_community(community).create(owner=person)
    Connection.objects.in_community(community).create(
        source=other, target=person, kind=ConnectionKind.RECRUITED
    )
    return {"done": done, "award": award, "place": place}


@pytest.fixture
def world(community, worker) -> dict[str, Any]:
    past = course_of(community, worker, status=CourseStatus.FINISHED, assessed=True)
    world: dict[str, Any] = {
        "community": community,
        "worker": worker,
        "past": past,
        "past_session": session_of(past, starts_in=timedelta(days=-20)),
        "open": course_of(community, worker, title="社区领导力", capacity=2),
        "trained": course_of(community, worker, title="调解入门"),
        "me": member(community),
        "other": member(community),
    }
    world["mine"] = _take_part(world["me"], world["other"], world, "MINE-5521")
    world["theirs"] = _take_part(world["other"], world["me"], world, "OTHER-7713")
    # someone waits for a place on the open course (it holds two: both taken)
    world["waiting"] = enrolment_of(world["open"], status=EnrolmentStatus.WAITLISTED)
    return world


def test_the_copy_holds_what_learning_holds_about_me_and_nothing_of_another(world):
    data = person_export_json(world["me"])["learning"]
    text = json.dumps(data, ensure_ascii=False)
    assert "OTHER-7713" not in text
    enrolments = {e["course"]: e for e in data["course_enrolments"]}
    assert set(enrolments) == {"会议主持与协商议事", "社区领导力"}
    past = enrolments["会议主持与协商议事"]
    assert (past["status"], past["sessions_attended"], past["assessment_passed"]) == (
        "completed",
        1,
        True,
    )
    assert past["assessment_note"] == "MINE-5521 表达清楚"
    assert past["recruited_by"] == world["other"].pk  # another person only by an id
    assert len(data["course_attendances"]) == 1
    assert [r["comment"] for r in data["session_ratings"]] == ["MINE-5521 很有用"]
    assert [t["course"] for t in data["courses_trained"]] == ["调解入门"]
    assert [(q["qualification"], q["number"]) for q in data["qualifications"]] == [
        ("chairing", "MINE-5521-1")
    ]
    assert len(data["pipeline_choice"]) == 1
    assert [i["message"] for i in data["invitations_to_lead"]] == ["MINE-5521 请来主持"]
    assert len(data["invite_links"]) == 1
    assert "token" not in data["invite_links"][0]
    # the tie they made to me, and the one I made to them
    assert sorted((c["kind"], c["i_did"]) for c in data["connections"]) == [
        ("recruited", False),
        ("recruited", True),
    ]


def test_erasure_keeps_the_record_of_training_and_deletes_what_only_served_me(world):
    me, other, community = world["me"], world["other"], world["community"]
    done = account_services.account_erase(actor=me, user=me)["learning"]
    assert done["course_places_released"] == 1
    assert done["assessment_notes_emptied"] == 1
    assert done["rating_comments_emptied"] == 1
    assert done["pipeline_choices_deleted"] == 1
    assert done["invitations_withdrawn"] == 1
    assert done["invitation_messages_emptied"] == 1
    assert done["invite_links_deleted"] == 1
    assert done["recruitments_forgotten"] == 1  # their enrolment named me as who brought them
    assert done["connections_deleted"] == 2

    enrolments = Enrolment.objects.in_community(community)
    # my place on the open course went to the first on the waiting list
    assert enrolments.get(pk=world["mine"]["place"].pk).status == EnrolmentStatus.CANCELLED
    assert enrolments.get(pk=world["waiting"].pk).status == EnrolmentStatus.ENROLLED
    # the record of training stays, pointing at the tombstone
    past = enrolments.get(pk=world["mine"]["done"].pk)
    assert past.status == EnrolmentStatus.COMPLETED and past.person_id == me.pk
    assert Attendance.objects.in_community(community).filter(enrolment=past).count() == 1
    assessment = Assessment.objects.in_community(community).get(enrolment=past)
    assert (assessment.passed, assessment.note) == (True, "")
    rating = Rating.objects.in_community(community).get(person=me)
    assert (rating.stars, rating.comment) == (4, "")
    award = Award.objects.in_community(community).get(pk=world["mine"]["award"].pk)
    assert award.person_id == me.pk and award.revoked_at is None
    assert not PipelineOptOut.objects.in_community(community).filter(person=me).exists()
    assert not InviteLink.objects.in_community(community).filter(owner=me).exists()
    invitation = Invitation.objects.in_community(community).get(person=me)
    assert (invitation.status, invitation.message) == (InvitationStatus.WITHDRAWN, "")
    assert not Connection.objects.in_community(community).filter(source=me).exists()
    assert not Connection.objects.in_community(community).filter(target=me).exists()
    # the other person keeps what is theirs (but not the tie to me)
    theirs = enrolments.get(pk=world["theirs"]["done"].pk)
    assert theirs.recruited_by_id is None
    assert Rating.objects.in_community(community).get(person=other).comment == "OTHER-7713 很有用"
    assert Invitation.objects.in_community(community).get(person=other).status == (
        InvitationStatus.SENT
    )
    assert InviteLink.objects.in_community(community).filter(owner=other).exists()
    assert PipelineOptOut.objects.in_community(community).filter(person=other).exists()
