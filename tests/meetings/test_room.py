"""The room: roll call by the secretary and by the rotating QR code, proxies, recusals, the live
quorum and the vote on each item, checked against the charter. Every refusal is a translated
message with a code, and nothing is saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.bodies.models import Decision
from gongzhi.core import checkin
from gongzhi.core.models import Activity, CheckIn, RegisterEntry
from gongzhi.meetings import room
from gongzhi.meetings.models import (
    Ballot,
    ItemDecision,
    MeetingStatus,
    Presence,
    PresenceRole,
    Recusal,
)
from tests.factories import member
from tests.meetings.world import item_of, meeting_of, seated_council

pytestmark = pytest.mark.django_db

APPOINT = {"kind": "appoint_member", "max_amount_fen": None, "topics": []}


def in_session(community, worker, *, members=5, starts_ago=timedelta(minutes=5), **charter):
    body, people = seated_council(community, worker, members=members, **charter)
    meeting = meeting_of(body, worker, starts_in=-starts_ago, secretary=people[0])
    meeting.status = MeetingStatus.IN_SESSION
    meeting.opened_at = timezone.now()
    meeting.save()
    return body, people, meeting


def arrive(meeting, worker, *people, minutes_ago=1):
    for person in people:
        room.presence_arrive(
            actor=worker,
            meeting=meeting,
            person=person,
            at=timezone.now() - timedelta(minutes=minutes_ago),
        )


def refused(call, code: str, message: str | None = None):
    with pytest.raises(ValidationError) as excinfo:
        call()
    assert excinfo.value.code == code
    if message is not None:
        assert excinfo.value.messages == [message]
    return excinfo.value


def verbs(community, verb):
    return Activity.objects.in_community(community).filter(verb=verb).count()


# --- live quorum


def test_quorum_follows_arrivals_and_departures(community, worker):
    _body, people, meeting = in_session(community, worker)
    assert room.quorum_state(meeting=meeting).present == 0
    arrive(meeting, worker, *people[:2])
    state = room.quorum_state(meeting=meeting)
    assert (state.seated, state.present, state.needed, state.met) == (5, 2, 3, False)
    arrive(meeting, worker, people[2])
    assert room.quorum_state(meeting=meeting).met
    room.presence_leave(actor=worker, meeting=meeting, person=people[1])
    assert not room.quorum_state(meeting=meeting).met
    # reached at one moment, with three distinct members present at some time
    assert room.quorum_reached(meeting) == (True, 3, 5)
    [entry] = Activity.objects.in_community(community).filter(verb="roll.left")
    assert entry.data["person"] == people[1].pk
    arrived = Activity.objects.in_community(community).filter(verb="roll.arrived").first()
    assert arrived is not None and arrived.data["role"] == "member"
    assert set(arrived.data) >= {"meeting", "body", "person", "role"}


def test_observers_never_count_and_a_guest_cannot_sign_in_as_a_member(community, worker):
    _body, people, meeting = in_session(community, worker, members=3)
    guest = member(community)
    refused(
        lambda: room.presence_arrive(actor=worker, meeting=meeting, person=guest),
        "not_seated",
        gettext("Only members seated in the body take part in its quorum and votes."),
    )
    room.presence_arrive(actor=worker, meeting=meeting, person=guest, role=PresenceRole.OBSERVER)
    assert room.quorum_state(meeting=meeting).present == 0
    assert room.quorum_reached(meeting) == (False, 0, 3)


def test_signing_in_twice_is_refused(community, worker):
    _body, people, meeting = in_session(community, worker)
    arrive(meeting, worker, people[0])
    refused(lambda: arrive(meeting, worker, people[0]), "already_present")
    assert Presence.objects.in_community(community).count() == 1


def test_a_resident_cannot_keep_the_roll(community, worker, resident):
    _body, people, meeting = in_session(community, worker)
    with pytest.raises(PermissionDenied):
        room.presence_arrive(actor=resident, meeting=meeting, person=people[0])
    assert not Presence.objects.in_community(community).exists()


def test_the_secretary_who_sits_keeps_the_roll(community, worker):
    _body, people, meeting = in_session(community, worker)
    room.presence_arrive(actor=people[0], meeting=meeting, person=people[1])
    assert room.quorum_state(meeting=meeting).present == 1


# --- the rotating QR code


def test_a_scan_counts_only_once_the_secretary_confirms_it(community, worker):
    _body, people, meeting = in_session(community, worker)
    arrive(meeting, worker, *people[:2])
    code = checkin.current_code(meeting)
    checkin.checkin_record(actor=people[2], target=meeting, code=code)
    presence = Presence.objects.in_community(community).get(person=people[2])
    assert presence.via == "qr" and presence.confirmed_at is None
    assert room.quorum_state(meeting=meeting).present == 2
    # a second scan is the same presence
    checkin.checkin_record(actor=people[2], target=meeting, code=code)
    assert Presence.objects.in_community(community).filter(person=people[2]).count() == 1
    assert room.roll_confirm(actor=worker, meeting=meeting, person_ids=[people[2].pk]) == 1
    assert room.quorum_state(meeting=meeting).met
    meeting.refresh_from_db()
    assert meeting.roll_confirmed_at is not None
    assert verbs(community, "roll.confirmed") == 1


def test_a_code_from_another_meeting_or_an_expired_one_is_refused(community, worker):
    body, people, meeting = in_session(community, worker)
    other = meeting_of(body, worker, starts_in=timedelta(minutes=10), title="另一场")
    message = gettext(
        "This code has expired or belongs to another event. Scan the code on the screen again."
    )
    refused(
        lambda: checkin.checkin_record(
            actor=people[1], target=meeting, code=checkin.current_code(other)
        ),
        "checkin_code",
        message,
    )
    old = timezone.now() - timedelta(minutes=5)
    refused(
        lambda: checkin.checkin_record(
            actor=people[1], target=meeting, code=checkin.current_code(meeting, old)
        ),
        "checkin_code",
        message,
    )
    assert not Presence.objects.in_community(community).exists()
    assert not CheckIn.objects.in_community(community).exists()


def test_a_closed_meeting_takes_no_scans(community, worker, resident):
    _body, people, meeting = in_session(community, worker)
    meeting.status = MeetingStatus.CLOSED
    meeting.save()
    with pytest.raises(PermissionDenied):
        checkin.checkin_record(actor=people[1], target=meeting, code=checkin.current_code(meeting))
    assert not Presence.objects.in_community(community).exists()


def test_an_outsider_scans_a_closed_door_meeting_in_vain(community, worker, resident):
    _body, _people, meeting = in_session(community, worker)
    meeting.public = False
    meeting.save()
    with pytest.raises(PermissionDenied):
        checkin.checkin_record(actor=resident, target=meeting, code=checkin.current_code(meeting))
    meeting.public = True
    meeting.save()
    checkin.checkin_record(actor=resident, target=meeting, code=checkin.current_code(meeting))
    assert Presence.objects.in_community(community).get().role == PresenceRole.OBSERVER


# --- proxies


def test_proxies_count_where_the_charter_allows_them_up_to_its_limit(community, worker):
    _body, people, meeting = in_session(community, worker, proxies_allowed=True, max_proxies=1)
    arrive(meeting, worker, *people[:2])
    room.proxy_record(actor=worker, meeting=meeting, giver=people[3], holder=people[1])
    state = room.quorum_state(meeting=meeting)
    assert (state.present, state.in_person, state.by_proxy, state.met) == (3, 2, 1, True)
    refused(
        lambda: room.proxy_record(actor=worker, meeting=meeting, giver=people[4], holder=people[1]),
        "too_many_proxies",
    )


def test_proxies_refused_where_the_charter_does_not_allow_them(community, worker):
    _body, people, meeting = in_session(community, worker)
    refused(
        lambda: room.proxy_record(actor=worker, meeting=meeting, giver=people[3], holder=people[1]),
        "proxies_not_allowed",
        gettext("This body's charter does not allow proxies."),
    )


# --- deciding


def test_no_quorum_refuses_the_decision_and_saves_nothing(community, worker):
    _body, people, meeting = in_session(community, worker)
    item = item_of(meeting, decision_kind="appoint_member")
    arrive(meeting, worker, *people[:2])
    refused(
        lambda: room.item_decide(actor=worker, item=item, method="hands", votes_for=2),
        "no_quorum",
        gettext(
            "No quorum: %(present)d of %(seated)d members are present for this item, "
            "%(needed)d are needed. Nothing was recorded."
        )
        % {"present": 2, "seated": 5, "needed": 3},
    )
    assert not ItemDecision.objects.in_community(community).exists()
    assert not Decision.objects.in_community(community).exists()
    assert verbs(community, "item.decided") == 0


def test_hands_adopt_and_make_the_bodys_decision_with_its_register_row(community, worker):
    body, people, meeting = in_session(community, worker)
    item = item_of(meeting, "增补委员", decision_kind="appoint_member")
    arrive(meeting, worker, *people[:4])
    decision = room.item_decide(
        actor=worker, item=item, method="hands", votes_for=3, votes_against=1
    )
    assert decision.adopted and (decision.present, decision.seated) == (4, 5)
    assert decision.decision is not None and decision.decision.body == body
    assert decision.decision.votes_for == 3 and decision.decision.kind == "appoint_member"
    [entry] = Activity.objects.in_community(community).filter(verb="item.decided")
    assert entry.data["adopted"] is True and entry.data["decision"] == decision.decision.pk
    assert entry.data["present"] == 4 and entry.data["seated"] == 5
    row = RegisterEntry.objects.in_community(community).get()
    assert any(link.get("kind") == "meeting" for link in row.basis)


def test_not_adopted_makes_no_bodys_decision(community, worker):
    _body, people, meeting = in_session(community, worker)
    item = item_of(meeting, decision_kind="appoint_member")
    arrive(meeting, worker, *people[:4])
    decision = room.item_decide(
        actor=worker, item=item, method="hands", votes_for=2, votes_against=2
    )
    assert not decision.adopted and decision.decision is None
    assert gettext("Not adopted") in decision.outcome or decision.outcome


def test_more_votes_than_members_present_are_refused(community, worker):
    _body, people, meeting = in_session(community, worker)
    item = item_of(meeting)
    arrive(meeting, worker, *people[:3])
    refused(
        lambda: room.item_decide(actor=worker, item=item, method="hands", votes_for=4),
        "votes_over_present",
    )
    assert not ItemDecision.objects.in_community(community).exists()


def test_a_powers_own_two_thirds_applies(community, worker):
    two_thirds = {**{"kind": "appoint_member", "max_amount_fen": None, "topics": []}}
    two_thirds["threshold_percent"] = 67
    _body, people, meeting = in_session(community, worker, members=6, powers=[two_thirds])
    item = item_of(meeting, decision_kind="appoint_member")
    arrive(meeting, worker, *people)
    decision = room.item_decide(actor=worker, item=item, method="hands", votes_for=4)
    assert not decision.adopted  # 4 of 6 is under two thirds
    other = item_of(meeting, decision_kind="appoint_member", title="另一位")
    assert room.item_decide(actor=worker, item=other, method="hands", votes_for=5).adopted


def test_a_powers_own_quorum_applies(community, worker):
    power = {"kind": "appoint_member", "max_amount_fen": None, "topics": [], "quorum_percent": 80}
    _body, people, meeting = in_session(community, worker, powers=[power])
    item = item_of(meeting, decision_kind="appoint_member")
    plain = item_of(meeting, title="通报")
    arrive(meeting, worker, *people[:3])
    assert room.quorum_state(meeting=meeting, item=plain).met
    state = room.quorum_state(meeting=meeting, item=item)
    assert (state.needed, state.met) == (4, False)
    refused(
        lambda: room.item_decide(actor=worker, item=item, method="hands", votes_for=3), "no_quorum"
    )


def test_roll_call_votes_with_a_recusal_and_a_proxy(community, worker):
    _body, people, meeting = in_session(community, worker, proxies_allowed=True)
    item = item_of(meeting)
    arrive(meeting, worker, *people[:3])
    room.proxy_record(actor=worker, meeting=meeting, giver=people[4], holder=people[1])
    room.recusal_declare(actor=people[2], item=item, reason="我家的车位在其中")
    state = room.quorum_state(meeting=meeting, item=item)
    assert (state.present, state.recused, state.met) == (3, 1, True)
    refused(
        lambda: room.item_decide(
            actor=worker, item=item, method="roll", ballots={people[2].pk: "yes"}
        ),
        "recused",
        gettext("A member who declared a conflict of interest does not vote on this item."),
    )
    refused(
        lambda: room.item_decide(
            actor=worker, item=item, method="roll", ballots={people[3].pk: "yes"}
        ),
        "not_present",
    )
    decision = room.item_decide(
        actor=worker,
        item=item,
        method="roll",
        ballots={people[0].pk: "yes", people[1].pk: "yes", people[4].pk: "no"},
    )
    assert (decision.votes_for, decision.votes_against, decision.adopted) == (2, 1, True)
    by_proxy = Ballot.objects.in_community(community).get(for_person=people[4])
    assert by_proxy.person == people[1]
    assert Ballot.objects.in_community(community).count() == 3


def test_recusals_can_take_the_quorum_away(community, worker):
    _body, people, meeting = in_session(community, worker)
    item = item_of(meeting)
    arrive(meeting, worker, *people[:3])
    room.recusal_declare(actor=worker, item=item, reason="亲属", person=people[0])
    assert not room.quorum_state(meeting=meeting, item=item).met
    refused(
        lambda: room.item_decide(actor=worker, item=item, method="hands", votes_for=2), "no_quorum"
    )
    assert Recusal.objects.in_community(community).get().person == people[0]


def test_only_a_seated_member_declares_their_own_conflict(community, worker, resident):
    _body, _people, meeting = in_session(community, worker)
    item = item_of(meeting)
    with pytest.raises(PermissionDenied):
        room.recusal_declare(actor=resident, item=item, reason="想回避")
    assert not Recusal.objects.in_community(community).exists()


def test_a_vote_after_the_meeting_closed_is_refused(community, worker):
    _body, people, meeting = in_session(community, worker)
    item = item_of(meeting)
    arrive(meeting, worker, *people)
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = timezone.now()
    meeting.save()
    refused(
        lambda: room.item_decide(actor=worker, item=item, method="hands", votes_for=5),
        "meeting_closed",
        gettext("This meeting is closed: nothing can be added to it."),
    )
    assert not ItemDecision.objects.in_community(community).exists()


def test_an_item_is_decided_once(community, worker):
    _body, people, meeting = in_session(community, worker)
    item = item_of(meeting)
    arrive(meeting, worker, *people)
    room.item_decide(actor=worker, item=item, method="hands", votes_for=5)
    refused(
        lambda: room.item_decide(actor=worker, item=item, method="hands", votes_for=5),
        "item_decided",
    )


def test_a_second_sitting_uses_the_charters_lower_quorum(community, worker):
    body, people, first = in_session(community, worker, second_sitting_quorum_percent=30)
    first.status = MeetingStatus.CLOSED
    first.save()
    second = meeting_of(
        body, worker, starts_in=-timedelta(minutes=1), sitting=2, first_sitting=first
    )
    second.status = MeetingStatus.IN_SESSION
    second.save()
    arrive(second, worker, *people[:2])
    state = room.quorum_state(meeting=second)
    assert (state.needed, state.met) == (2, True)
    item = item_of(second)
    assert room.item_decide(actor=worker, item=item, method="hands", votes_for=2).adopted
    # An item asking for the body's decision becomes one under the same lower quorum.
    asking = item_of(second, "补选委员", decision_kind="appoint_member")
    decided = room.item_decide(actor=worker, item=asking, method="hands", votes_for=2)
    assert decided.adopted and decided.decision is not None
    assert (decided.decision.present, decided.decision.seated) == (2, 5)


def test_a_proposal_on_the_item_gets_its_answer_with_the_meeting_as_basis(
    community, worker, resident
):
    from gongzhi.deliberation.models import Category, Proposal, Status

    answer = {"kind": "answer_proposals", "max_amount_fen": None, "topics": []}
    _body, people, meeting = in_session(community, worker, powers=[answer])
    category, _made = Category.objects.in_community(community).get_or_create(name="停车")
    proposal = Proposal.objects.in_community(community).create(
        author=resident,
        title="在3号楼装电梯",
        body="老人上下楼太难了。",
        category=category,
        status=Status.UNDER_REVIEW,
    )
    item = item_of(meeting, proposal=proposal, source="proposal")
    arrive(meeting, worker, *people[:3])
    decision = room.item_decide(
        actor=worker, item=item, method="hands", votes_for=3, outcome="同意加装。"
    )
    proposal.refresh_from_db()
    assert decision.adopted and proposal.status == Status.ACCEPTED
    event = proposal.events.order_by("-pk").first()
    assert event is not None and event.reason == "同意加装。"
    assert (event.basis_title, event.basis_url) == (meeting.title, room.meeting_url(meeting))


def test_an_online_vote_is_linked_once_it_closed_and_its_counts_taken(community, worker):
    from gongzhi.voting import services as voting
    from gongzhi.voting.models import Method
    from tests.voting.test_votes import close, make_vote

    _body, people, meeting = in_session(community, worker)
    item = item_of(meeting)
    arrive(meeting, worker, *people[:3])
    vote = make_vote(community, worker, method=Method.YES_NO, options=())
    refused(
        lambda: room.item_decide(actor=worker, item=item, method="online", vote=vote.pk),
        "vote_invalid",
        gettext("Link a yes/no vote that has closed."),
    )
    for person, choice in zip(people[:4], ("yes", "yes", "yes", "no"), strict=True):
        voting.ballot_cast(actor=person, vote=vote, content=choice)
    close(vote)
    decision = room.item_decide(actor=worker, item=item, method="online", vote=vote.pk)
    assert (decision.votes_for, decision.votes_against, decision.vote_id) == (3, 1, vote.pk)
    assert decision.adopted and decision.present == 4
