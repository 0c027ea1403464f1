"""Bodies core services: charters, terms, separation of duties, decisions, amendments. Every
refusal leaves nothing saved."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from gongzhi.bodies import services
from gongzhi.bodies.models import Body, BodyKind, Charter, ChosenBy, Decision, Mandate
from gongzhi.core.decisions import DecisionKind, decision_kind_registry
from gongzhi.core.models import Activity, Role, RoleGrant
from gongzhi.core.policies import access_of, forget_access
from tests.bodies.bodies_world import charter_in, council, mandates, membership, seat, term
from tests.factories import member

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def code_of(excinfo) -> str:
    return excinfo.value.code


def verbs(community) -> list[str]:
    return list(Activity.objects.in_community(community).values_list("verb", flat=True))


# --- bodies and charters


def test_record_body_stores_the_first_charter_and_journals(community, worker):
    body = council(community, worker)
    charter = Charter.objects.in_community(community).get(body=body)
    assert charter.version == 1 and charter.quorum_percent == 50
    created = Activity.objects.in_community(community).get(verb="body.created")
    assert created.data == {"body": body.pk, "kind": "council"}
    adopted = Activity.objects.in_community(community).get(verb="body.charter_adopted")
    assert adopted.data == {"body": body.pk, "version": 1}


@pytest.mark.parametrize("quorum", [None, 0])
def test_a_charter_without_a_quorum_is_refused_and_nothing_saved(community, worker, quorum):
    with pytest.raises(ValidationError) as excinfo:
        council(community, worker, quorum_percent=quorum)
    assert code_of(excinfo) == "charter_quorum"
    assert excinfo.value.messages == [
        gettext("A charter must say how many of the seated members make a quorum.")
    ]
    assert not Body.objects.in_community(community).exists()
    assert not Activity.objects.in_community(community).exists()


def test_unknown_decision_kinds_are_refused(community, worker):
    with pytest.raises(ValidationError) as excinfo:
        council(community, worker, powers=[{"kind": "launch_rockets"}])
    assert code_of(excinfo) == "unknown_decision_kind"
    assert not Body.objects.in_community(community).exists()


def test_a_ceiling_only_on_kinds_with_an_amount(community, worker):
    with pytest.raises(ValidationError) as excinfo:
        council(community, worker, powers=[{"kind": "appoint_member", "max_amount_fen": 100}])
    assert code_of(excinfo) == "power_invalid"


def test_worker_sets_up_a_council_but_not_a_supervision_committee(community, worker, official):
    body = services.body_create(
        actor=worker,
        community=community,
        kind=BodyKind.COUNCIL,
        name="议事会",
        purpose="",
        charter=charter_in(),
    )
    assert body.kind == "council"
    with pytest.raises(PermissionDenied):
        services.body_create(
            actor=worker,
            community=community,
            kind=BodyKind.SUPERVISION,
            name="监委会",
            purpose="",
            charter=charter_in(),
        )
    committee = services.body_create(
        actor=official,
        community=community,
        kind=BodyKind.SUPERVISION,
        name="监委会",
        purpose="",
        charter=charter_in(),
    )
    assert committee.kind == "supervision"


def test_a_resident_sets_up_no_body(community, resident):
    with pytest.raises(PermissionDenied):
        services.body_create(
            actor=resident,
            community=community,
            kind=BodyKind.COUNCIL,
            name="议事会",
            purpose="",
            charter=charter_in(),
        )


def test_one_supervision_committee_and_unique_names(community, worker, official):
    council(community, worker, kind=BodyKind.SUPERVISION, name="监委会")
    with pytest.raises(ValidationError) as excinfo:
        council(community, worker, kind=BodyKind.SUPERVISION, name="第二监委会")
    assert code_of(excinfo) == "body_exists"
    with pytest.raises(ValidationError) as excinfo:
        council(community, worker, name="监委会")
    assert code_of(excinfo) == "body_name_taken"


def test_positions_giving_a_supervisor_role_only_from_above(community, worker, official):
    body = council(community, worker)
    with pytest.raises(PermissionDenied):
        services.position_add(
            actor=worker, body=body, title="监督员", seats=1, role=Role.SUPERVISOR
        )
    position = services.position_add(
        actor=worker, body=body, title="委员", seats=7, role=Role.COUNCIL_MEMBER
    )
    assert position.seats == 7 and "body.position_added" in verbs(community)


# --- terms of office


def test_record_mandate_gives_the_role_for_exactly_the_term(community, worker):
    body = council(community, worker)
    person = member(community)
    mandate = term(body, seat(body), person)
    grant = RoleGrant.objects.in_community(community).get(pk=mandate.role_grant_id)
    assert grant.source == mandate and grant.granted_by == worker
    assert grant.valid_from == datetime(2026, 1, 1, tzinfo=SHANGHAI)
    assert grant.valid_until == datetime(2027, 1, 1, tzinfo=SHANGHAI)
    started = Activity.objects.in_community(community).get(verb="body.mandate_started")
    assert {k: started.data[k] for k in ("body", "kind", "position", "chosen_by", "user")} == {
        "body": body.pk,
        "kind": "council",
        "position": "委员",
        "chosen_by": "appointment",
        "user": person.pk,
    }


def test_the_term_length_defaults_to_the_charter(community, worker):
    body = council(community, worker, term_months=36)
    mandate = services.record_mandate(
        body=body,
        position=seat(body),
        membership=membership(member(community), community),
        seat=1,
        chosen_by=ChosenBy.APPOINTMENT,
        starts_on=date(2026, 3, 1),
        recorded_by=worker,
    )
    assert mandate.ends_on == date(2029, 2, 28)


def test_overlapping_terms_of_one_seat_are_refused_and_nothing_saved(community, worker):
    body = council(community, worker)
    position = seat(body)
    term(body, position, member(community), starts=date(2026, 1, 1), ends=date(2026, 12, 31))
    before = verbs(community)
    with pytest.raises(ValidationError) as excinfo:
        term(body, position, member(community), starts=date(2026, 12, 31), ends=date(2027, 6, 30))
    assert code_of(excinfo) == "term_overlaps"
    assert mandates(body) == 1 and verbs(community) == before
    assert RoleGrant.objects.in_community(community).filter(source_id__isnull=False).count() == 1
    # The day after is free, and another seat is another seat.
    term(body, position, member(community), starts=date(2027, 1, 1), ends=date(2027, 6, 30))
    term(body, position, member(community), seat=2, starts=date(2026, 6, 1), ends=date(2026, 9, 1))
    assert mandates(body) == 3


def test_a_seat_outside_the_position_is_refused(community, worker):
    body = council(community, worker)
    with pytest.raises(ValidationError) as excinfo:
        term(body, seat(body, seats=2), member(community), seat=3)
    assert code_of(excinfo) == "seat_invalid"


def test_a_term_ends_after_it_starts(community, worker):
    body = council(community, worker)
    with pytest.raises(ValidationError) as excinfo:
        term(body, seat(body), member(community), starts=date(2026, 5, 1), ends=date(2026, 5, 1))
    assert code_of(excinfo) == "term_dates"


def test_a_member_of_another_community_holds_no_seat(community, other_community, worker):
    body = council(community, worker)
    stranger = member(other_community)
    with pytest.raises(ValidationError) as excinfo:
        services.record_mandate(
            body=body,
            position=seat(body),
            membership=membership(stranger, other_community),
            seat=1,
            chosen_by=ChosenBy.APPOINTMENT,
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 6, 1),
            recorded_by=worker,
        )
    assert code_of(excinfo) == "other_community"
    assert mandates(body) == 0


def test_nobody_records_their_own_term(community, worker):
    body = council(community, worker)
    with pytest.raises(ValidationError) as excinfo:
        services.mandate_start(
            actor=worker,
            position=seat(body, role=""),
            membership=membership(worker, community),
            seat=1,
            chosen_by=ChosenBy.APPOINTMENT,
            starts_on=date(2026, 1, 1),
        )
    assert code_of(excinfo) == "own_membership"


def test_an_election_names_a_closed_vote(community, worker):
    body = council(community, worker)
    with pytest.raises(ValidationError) as excinfo:
        services.mandate_start(
            actor=worker,
            position=seat(body),
            membership=membership(member(community), community),
            seat=1,
            chosen_by=ChosenBy.ELECTION,
            starts_on=date(2026, 1, 1),
        )
    assert code_of(excinfo) == "vote_missing"


def test_seats_in_the_supervision_committee_are_filled_from_above(community, worker, official):
    committee = council(community, worker, kind=BodyKind.SUPERVISION, name="监委会")
    position = seat(committee, role=Role.SUPERVISOR)
    person = membership(member(community), community)
    kwargs = {
        "position": position,
        "membership": person,
        "seat": 1,
        "chosen_by": ChosenBy.APPOINTMENT,
        "starts_on": date(2026, 1, 1),
    }
    with pytest.raises(PermissionDenied):
        services.mandate_start(actor=worker, **kwargs)
    assert services.mandate_start(actor=official, **kwargs).position == position


# --- nobody supervises a role they hold


def test_a_council_member_cannot_sit_in_the_supervision_committee(community, worker):
    body = council(community, worker)
    committee = council(community, worker, kind=BodyKind.SUPERVISION, name="监委会")
    person = member(community)
    term(body, seat(body), person, starts=date(2026, 1, 1), ends=date(2026, 12, 31))
    with pytest.raises(ValidationError) as excinfo:
        term(
            committee,
            seat(committee, role=Role.SUPERVISOR),
            person,
            starts=date(2026, 6, 1),
            ends=date(2027, 5, 31),
        )
    assert code_of(excinfo) == "supervises_own_role"
    assert mandates(committee) == 0
    # Once the council term is over, the same person may supervise.
    term(
        committee,
        committee.positions.get(),
        person,
        starts=date(2027, 1, 1),
        ends=date(2027, 12, 31),
    )


def test_a_supervisor_takes_no_seat_in_a_supervised_body(community, worker, supervisor):
    body = council(community, worker, kind=BodyKind.OWNERS_COMMITTEE, name="业委会")
    with pytest.raises(ValidationError) as excinfo:
        term(body, seat(body, role=""), supervisor)
    assert code_of(excinfo) == "supervises_own_role"


def test_a_community_worker_takes_no_supervision_seat(community, worker):
    committee = council(community, worker, kind=BodyKind.SUPERVISION, name="监委会")
    other_worker = member(community, Role.COMMUNITY_WORKER)
    with pytest.raises(ValidationError) as excinfo:
        term(committee, seat(committee, role=Role.SUPERVISOR), other_worker)
    assert code_of(excinfo) == "supervises_own_role"


def test_an_interest_group_is_not_supervised(community, worker, supervisor):
    group = council(community, worker, kind=BodyKind.INTEREST_GROUP, name="合唱队")
    assert term(group, seat(group, role=""), supervisor).body == group


# --- ending a term early


def test_ending_a_term_ends_its_role_now(community, worker):
    body = council(community, worker)
    person = member(community)
    today = timezone.localdate()
    mandate = term(
        body,
        seat(body),
        person,
        starts=today - timedelta(days=10),
        ends=today + timedelta(days=300),
    )
    assert Role.COUNCIL_MEMBER in access_of(person).roles[community.pk]
    with pytest.raises(ValidationError) as excinfo:
        services.mandate_end(actor=worker, mandate=mandate, reason=" ")
    assert code_of(excinfo) == "reason_missing"
    ended = services.mandate_end(actor=worker, mandate=mandate, reason="搬走了")
    assert ended.ended_at is not None
    forget_access(person)  # a new request reads the roles afresh
    assert Role.COUNCIL_MEMBER not in access_of(person).roles[community.pk]
    data = Activity.objects.in_community(community).get(verb="body.mandate_ended").data
    assert data == {"body": body.pk, "kind": "council", "user": person.pk, "reason": "搬走了"}
    with pytest.raises(ValidationError) as excinfo:
        services.mandate_end(actor=worker, mandate=ended, reason="again")
    assert code_of(excinfo) == "term_ended"
    # The seat is free again from today.
    term(body, mandate.position, member(community), starts=today, ends=today + timedelta(days=30))


# --- decisions


@pytest.fixture
def seated_council(community, worker):
    """A council of five sitting since last year."""
    body = council(community, worker)
    position = seat(body)
    start = timezone.localdate() - timedelta(days=200)
    people = [member(community) for _ in range(5)]
    for number, person in enumerate(people, start=1):
        term(body, position, person, seat=number, starts=start, ends=start + timedelta(days=900))
    return body, people


def record(actor, body, **overrides):
    values = {
        "kind": "appoint_member",
        "title": "增补委员",
        "text": "",
        "decided_on": timezone.localdate(),
        "present": 4,
        "votes_for": 3,
        "votes_against": 1,
        "abstentions": 0,
    }
    values.update(overrides)
    return services.decision_record(actor=actor, body=body, **values)


def test_a_member_records_a_decision_within_powers(community, seated_council):
    body, people = seated_council
    decision = record(people[0], body)
    assert decision.seated == 5 and decision.charter.version == 1
    data = Activity.objects.in_community(community).get(verb="body.decision_recorded").data
    assert data == {
        "body": body.pk,
        "kind": "council",
        "decision": "appoint_member",
        "amount_fen": None,
    }


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"kind": "answer_proposals", "topic": "停车"}, "outside_charter"),
        ({"present": 2, "votes_for": 2, "votes_against": 0}, "no_quorum"),
        ({"present": 4, "votes_for": 2, "votes_against": 2}, "threshold_not_met"),
        ({"present": 6, "votes_for": 4}, "present_over_seated"),
        ({"kind": "launch_rockets"}, "unknown_decision_kind"),
        ({"kind": "amend_charter"}, "use_charter_amend"),
        ({"decided_on": date(2099, 1, 1)}, "decided_in_future"),
    ],
)
def test_decisions_the_charter_does_not_allow_are_refused(seated_council, worker, overrides, code):
    body, _people = seated_council
    with pytest.raises(ValidationError) as excinfo:
        record(worker, body, **overrides)
    assert code_of(excinfo) == code
    assert not Decision.objects.in_community(body.community).exists()


@pytest.fixture
def spend_kind(monkeypatch):
    """A decision kind with an amount, as a finance app would declare it."""
    registry = {
        **decision_kind_registry(),
        "spend_fund": DecisionKind("spend from a fund", amount=True),
    }
    monkeypatch.setattr(services, "decision_kind_registry", lambda: registry)
    return "spend_fund"


def test_over_the_ceiling_is_refused(community, worker, seated_council, spend_kind):
    body, _people = seated_council
    charter = Charter.objects.in_community(community).get(body=body)
    charter.powers = [{"kind": spend_kind, "max_amount_fen": 10_000, "topics": []}]
    charter.save()
    with pytest.raises(ValidationError) as excinfo:
        record(worker, body, kind=spend_kind, amount_fen=10_001)
    assert code_of(excinfo) == "over_ceiling"
    with pytest.raises(ValidationError) as excinfo:
        record(worker, body, kind=spend_kind)
    assert code_of(excinfo) == "amount_missing"
    assert record(worker, body, kind=spend_kind, amount_fen=10_000).amount_fen == 10_000


def test_a_resident_outside_the_body_records_no_decision(seated_council, resident):
    body, _people = seated_council
    with pytest.raises(PermissionDenied):
        record(resident, body)


def test_a_past_member_records_no_decision(community, worker, seated_council):
    body, people = seated_council
    services.mandate_end(
        actor=worker, mandate=Mandate.objects.get(membership__user=people[0]), reason="辞职"
    )
    people[0].refresh_from_db()
    with pytest.raises(PermissionDenied):
        record(people[0], body)


# --- amendments


def test_an_amendment_follows_the_previous_versions_rule(community, worker, seated_council):
    body, people = seated_council
    new = charter_in(quorum_percent=60, text="每月开会一次")
    amend = {
        "actor": people[1],
        "body": body,
        "charter": new,
        "decided_on": timezone.localdate(),
        "present": 5,
        "votes_against": 0,
    }
    with pytest.raises(ValidationError) as excinfo:
        services.charter_amend(votes_for=3, abstentions=2, **amend)  # 3/5 < 67 %
    assert code_of(excinfo) == "amendment_not_met"
    assert Charter.objects.in_community(community).filter(body=body).count() == 1
    adopted = services.charter_amend(votes_for=4, abstentions=1, **amend)
    assert adopted.version == 2 and adopted.quorum_percent == 60
    assert adopted.decision.kind == "amend_charter" and adopted.decision.charter.version == 1
    first = Charter.objects.in_community(community).get(body=body, version=1)
    assert first.quorum_percent == 50  # versions never change


def test_an_amendment_without_quorum_in_the_new_charter_is_refused(worker, seated_council):
    body, people = seated_council
    with pytest.raises(ValidationError) as excinfo:
        services.charter_amend(
            actor=people[1],
            body=body,
            charter=charter_in(quorum_percent=0),
            decided_on=timezone.localdate(),
            present=5,
            votes_for=5,
            votes_against=0,
            abstentions=0,
        )
    assert code_of(excinfo) == "charter_quorum"
