"""What meetings hold about a person: the copy holds it (and nothing of another person); an
erasure keeps the meeting's record (member presences, proxies, recusals, votes, responses to the
minutes, follow-ups, submissions), pointing at the tombstone, and deletes what only served the
person."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from gongzhi.accounts import services as account_services
from gongzhi.core.privacy import person_export_json
from gongzhi.meetings.models import (
    ActionItem,
    Ballot,
    Hearing,
    Invitation,
    ItemDecision,
    MeetingKind,
    MeetingStatus,
    Minutes,
    MinutesResponse,
    Presence,
    Proxy,
    Recusal,
    Registration,
    RoundTableParticipant,
    Speaker,
    SpeakerStatus,
    Submission,
)
from tests.meetings.world import item_of, meeting_of, seated_council

pytestmark = pytest.mark.django_db


def _hearing(body: Any, worker: Any, *, drawn: bool) -> Hearing:
    meeting = meeting_of(body, worker, kind=MeetingKind.HEARING, title="停车收费听证会")
    now = timezone.now()
    return Hearing.objects.create(
        community=body.community,
        meeting=meeting,
        subject="停车收费",
        speaker_slots=3,
        speakers_close_at=now + timedelta(days=1),
        submissions_open_at=now - timedelta(days=1),
        submissions_close_at=now + timedelta(days=9),
        drawn_at=now if drawn else None,
    )


def _take_part(person: Any, proxy_to: Any, world: dict[str, Any], marker: str) -> None:
    """``person`` registers, is invited, attends, gives a proxy, recuses, votes, asks for a
    correction, owns a follow-up, speaks at two hearings, writes a submission and sits at a
    round table."""
    community, worker = world["community"], world["worker"]
    held, coming = world["held"], world["coming"]
    make = {"community": community}
    for meeting in (held, coming):
        Registration.objects.create(**make, meeting=meeting, person=person, status="registered")
    Invitation.objects.create(**make, meeting=held, person=person, kind="member")
    Invitation.objects.create(**make, meeting=coming, person=person, kind="member")
    Invitation.objects.create(**make, meeting=world["hearing"].meeting, person=person, kind="guest")
    arrived = held.starts_at
    Presence.objects.create(
        **make,
        meeting=held,
        person=person,
        role="member",
        via="secretary",
        arrived_at=arrived,
        left_at=arrived + timedelta(hours=1),
        recorded_by=worker,
    )
    Presence.objects.create(
        **make,
        meeting=world["roundtable"],
        person=person,
        role="observer",
        via="qr",
        arrived_at=arrived,
        recorded_by=worker,
    )
    Proxy.objects.create(**make, meeting=held, giver=person, holder=proxy_to, recorded_by=worker)
    Recusal.objects.create(**make, item=world["item"], person=person, reason=f"{marker} 亲属")
    Ballot.objects.create(**make, decision=world["decision"], person=person, choice="yes")
    MinutesResponse.objects.create(
        **make, minutes=world["minutes"], person=person, kind="correction", text=f"{marker} 更正"
    )
    ActionItem.objects.create(
        **make,
        decision=world["decision"],
        title=f"{marker} 修路灯",
        owner=person,
        due_on=timezone.localdate(),
        created_by=worker,
    )
    for hearing in (world["hearing"], world["drawn"]):
        drawn = hearing.drawn_at is not None
        Speaker.objects.create(
            **make,
            hearing=hearing,
            person=person,
            position_summary=f"{marker} 反对涨价",
            status=SpeakerStatus.SPEAKING if drawn else SpeakerStatus.REGISTERED,
            slot=(Speaker.objects.all_communities().filter(hearing=hearing).count() + 1)
            if drawn
            else None,
        )
    Submission.objects.create(
        **make, hearing=world["hearing"], author=person, text=f"{marker} 书面意见"
    )
    RoundTableParticipant.objects.create(
        **make, meeting=world["roundtable"], person=person, name=f"{marker} 张", sector="resident"
    )


@pytest.fixture
def world(community, worker) -> dict[str, Any]:
    body, people = seated_council(community, worker, members=3)
    held = meeting_of(body, worker, starts_in=timedelta(days=-3), status=MeetingStatus.CLOSED)
    item = item_of(held)
    decision = ItemDecision.objects.create(
        community=community,
        item=item,
        method="roll",
        seated=3,
        present=3,
        votes_for=3,
        votes_against=0,
        abstentions=0,
        adopted=True,
        outcome="通过",
        recorded_by=worker,
    )
    world = {
        "community": community,
        "worker": worker,
        "people": people,
        "held": held,
        "coming": meeting_of(body, worker, starts_in=timedelta(days=20)),
        "roundtable": meeting_of(
            body, worker, starts_in=timedelta(days=-10), kind=MeetingKind.ROUND_TABLE
        ),
        "item": item,
        "decision": decision,
        "minutes": Minutes.objects.create(
            community=community, meeting=held, text="纪要", drafted_by=worker
        ),
        "hearing": _hearing(body, worker, drawn=False),
        "drawn": _hearing(body, worker, drawn=True),
    }
    me, other = people[0], people[1]
    _take_part(me, other, world, "MINE-5521")
    _take_part(other, me, world, "OTHER-9904")
    return world


def test_the_copy_holds_what_meetings_hold_about_me_and_nothing_of_another(world):
    me = world["people"][0]
    data = person_export_json(me)["meetings"]
    text = json.dumps(data, ensure_ascii=False)
    assert "OTHER-9904" not in text
    assert len(data["meeting_registrations"]) == 2
    assert {i["kind"] for i in data["meeting_invitations"]} == {"member", "guest"}
    assert {p["role"] for p in data["meeting_presences"]} == {"member", "observer"}
    # one proxy I gave, one I held (the other person's, by no name)
    assert sorted((p["gave"], p["held"]) for p in data["meeting_proxies"]) == [
        (False, True),
        (True, False),
    ]
    assert data["meeting_recusals"][0]["reason"] == "MINE-5521 亲属"
    assert [b["choice"] for b in data["meeting_ballots"]] == ["yes"]
    assert data["minutes_responses"][0]["text"] == "MINE-5521 更正"
    assert data["action_items"][0]["title"] == "MINE-5521 修路灯"
    assert len(data["hearing_speakers"]) == 2
    assert data["hearing_submissions"][0]["text"] == "MINE-5521 书面意见"
    assert data["round_tables"][0]["name"] == "MINE-5521 张"


def test_erasure_keeps_the_meetings_record_and_deletes_what_only_served_me(world):
    me, other = world["people"][0], world["people"][1]
    done = account_services.account_erase(actor=me, user=me)["meetings"]
    assert done["registrations"] == 2
    assert done["invitations"] == 2  # the guest's and the one to a meeting not yet held
    assert done["observer_presences"] == 1
    assert done["speakers_withdrawn"] == 1
    assert done["speaker_summaries"] == 2
    assert done["round_table_names"] == 1

    mine = {"person": me}
    assert not Registration.objects.all_communities().filter(**mine).exists()
    assert list(
        Invitation.objects.all_communities().filter(**mine).values_list("meeting", flat=True)
    ) == [world["held"].pk]
    assert list(
        Presence.objects.all_communities().filter(**mine).values_list("role", flat=True)
    ) == ["member"]
    # the record the quorum, the votes and the minutes rest on stays, at the tombstone
    assert Proxy.objects.all_communities().filter(giver=me).count() == 1
    assert Recusal.objects.all_communities().filter(**mine).count() == 1
    assert Ballot.objects.all_communities().filter(**mine).count() == 1
    assert MinutesResponse.objects.all_communities().filter(**mine).count() == 1
    assert ActionItem.objects.all_communities().filter(owner=me).count() == 1
    assert Submission.objects.all_communities().filter(author=me).count() == 1
    speakers = Speaker.objects.all_communities().filter(**mine).order_by("hearing__drawn_at")
    assert {(s.hearing.drawn_at is None, s.status, s.position_summary) for s in speakers} == {
        (True, SpeakerStatus.WITHDRAWN, ""),
        (False, SpeakerStatus.SPEAKING, ""),
    }
    assert RoundTableParticipant.objects.all_communities().get(**mine).name == ""
    # nothing of the other person changed
    theirs = {"person": other}
    assert Registration.objects.all_communities().filter(**theirs).count() == 2
    assert Presence.objects.all_communities().filter(**theirs).count() == 2
    assert set(
        Speaker.objects.all_communities()
        .filter(**theirs)
        .values_list("position_summary", flat=True)
    ) == {"OTHER-9904 反对涨价"}
    assert RoundTableParticipant.objects.all_communities().get(**theirs).name == "OTHER-9904 张"
