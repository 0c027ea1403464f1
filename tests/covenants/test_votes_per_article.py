"""Contested amendments go to article-by-article votes of the voting app; closed votes are
settled into accepted or rejected amendments (lazily, and by ``manage.py covenants_settle``)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from gongzhi.core.models import Activity, Building
from gongzhi.covenants import revision_services as services
from gongzhi.covenants.models import AmendmentKind, AmendmentStatus, Scope
from gongzhi.notifications.models import Notification
from gongzhi.voting.models import Electorate, Kind, Method, Vote
from gongzhi.voting.services import ballot_cast
from tests.covenants.revision_world import UNANIMOUS, covenant_in
from tests.covenants.world import amendment_of, current_round
from tests.factories import member

pytestmark = pytest.mark.django_db


def to_vote(actor, round_, amendments, *, days=3):
    now = timezone.now()
    return services.amendments_to_vote(
        actor=actor,
        round=round_,
        amendment_ids=[a.pk for a in amendments],
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=days),
    )


def close(vote):
    Vote.objects.in_community(vote.community_id).filter(pk=vote.pk).update(
        opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now() - timedelta(seconds=1)
    )


def ballots(vote, *choices):
    for choice in choices:
        ballot_cast(actor=member(vote.community), vote=vote, content=choice)


@pytest.fixture
def round_(community, worker):
    covenant, _people = covenant_in(community, worker)
    return current_round(covenant)


def test_each_contested_amendment_gets_its_own_binding_yes_no_vote(round_, worker):
    first = amendment_of(round_, article_key=4, paragraph_key=5, text="晚十时后保持安静。")
    second = amendment_of(round_, kind=AmendmentKind.DELETE_ARTICLE, article_key=6)

    sent = to_vote(worker, round_, [first, second])

    assert [a.status for a in sent] == [AmendmentStatus.TO_VOTE] * 2
    votes = [a.vote for a in sent]
    assert len({v.pk for v in votes}) == 2
    vote = votes[0]
    assert (vote.method, vote.kind, vote.electorate) == (
        Method.YES_NO,
        Kind.BINDING,
        Electorate.VERIFIED,
    )
    assert vote.building is None
    # Titled in the community's language: 第二条，第1号修改建议.
    assert "第二条" in vote.title and "第1号" in vote.title
    assert "第2号" in votes[1].title and "第三条" in votes[1].title
    assert vote.quorum == 0 and float(vote.threshold) == 0.5 and not vote.threshold_at_least
    entry = Activity.objects.in_community(round_.community).get(verb="covenant.amendments_to_vote")
    assert entry.data == {"round": round_.pk, "amendments": [first.pk, second.pk]}
    told = Notification.objects.filter(kind="covenant_amendment", user=first.author)
    assert told.count() == 1


def test_a_building_covenant_is_voted_by_that_buildings_residents(community, worker):
    building = Building.objects.in_community(community).create(name="3号楼")
    covenant, _people = covenant_in(
        community, worker, scope=Scope.BUILDING, building=building, title="3号楼楼栋公约"
    )
    round_ = current_round(covenant)
    amendment = amendment_of(round_, article_key=1, paragraph_key=2, text="甲")

    (sent,) = to_vote(worker, round_, [amendment])

    assert sent.vote.electorate == Electorate.BUILDING
    assert sent.vote.building == building


def test_a_member_of_the_body_who_cannot_set_up_votes_is_told_to_ask_a_worker(community, worker):
    from datetime import date

    from tests.bodies.bodies_world import council, seat, term
    from tests.covenants.revision_world import DECIDE

    body = council(community, worker, powers=[DECIDE], name="楼栋议事小组")
    sitting = member(community)
    today = timezone.localdate()
    term(
        body,
        seat(body, seats=3, role=""),
        sitting,
        starts=today - timedelta(days=1),
        ends=date(today.year + 2, 1, 1),
        by=worker,
    )
    covenant, _people = covenant_in(community, worker, body=body)
    round_ = current_round(covenant)
    people = [sitting]
    amendment = amendment_of(round_, article_key=1, paragraph_key=2, text="甲")

    with pytest.raises(PermissionDenied) as error, translation.override("en"):
        to_vote(people[0], round_, [amendment])

    assert "worker" in str(error.value)
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.PROPOSED
    assert not Vote.objects.in_community(community).exists()


def test_only_undecided_amendments_go_to_a_vote_and_it_closes_within_the_revision(round_, worker):
    decided = amendment_of(round_, article_key=1, paragraph_key=2, text="甲")
    services.amendment_decide(
        actor=worker, amendment=decided, accept=False, reason="不必。", **UNANIMOUS
    )
    fresh = amendment_of(round_, article_key=1, paragraph_key=3, text="乙")

    with pytest.raises(ValidationError) as error:
        to_vote(worker, round_, [decided, fresh])
    assert error.value.code == "already_decided"

    with pytest.raises(ValidationError) as error:
        to_vote(worker, round_, [fresh], days=30)
    assert error.value.code == "vote_after_revision"

    fresh.refresh_from_db()
    assert fresh.status == AmendmentStatus.PROPOSED
    assert not Vote.objects.in_community(round_.community).exists()


def test_a_passed_vote_accepts_and_a_failed_one_rejects_with_the_tally(round_, worker):
    passes = amendment_of(round_, article_key=1, paragraph_key=2, text="遛狗必须牵绳。")
    fails = amendment_of(round_, kind=AmendmentKind.DELETE_ARTICLE, article_key=4)
    sent = to_vote(worker, round_, [passes, fails])
    ballots(sent[0].vote, "yes", "yes", "no")
    ballots(sent[1].vote, "no", "no", "yes")
    for amendment in sent:
        close(amendment.vote)

    settled = services.votes_settle(round_)

    assert settled == services.Settled(2, 1, 1)
    passes.refresh_from_db()
    fails.refresh_from_db()
    assert (passes.status, passes.sequence) == (AmendmentStatus.ACCEPTED, 1)
    assert fails.status == AmendmentStatus.REJECTED and fails.sequence is None
    assert "1" in fails.decision_reason and "2" in fails.decision_reason
    accepted = Activity.objects.in_community(round_.community).get(
        verb="covenant.amendment_accepted"
    )
    assert accepted.data == {"round": round_.pk, "author": passes.author_id, "by": "vote"}
    assert accepted.actor is None
    # Settled once: again, nothing moves.
    assert services.votes_settle(round_) == services.Settled()


def test_an_open_vote_is_not_settled(round_, worker):
    amendment = amendment_of(round_, article_key=1, paragraph_key=2, text="甲")
    to_vote(worker, round_, [amendment])

    assert services.votes_settle(round_) == services.Settled()
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.TO_VOTE


def test_a_passed_amendment_an_accepted_one_made_inapplicable_is_rejected(round_, worker):
    voted = amendment_of(round_, article_key=1, paragraph_key=3, text="犬只须登记。")
    (sent,) = to_vote(worker, round_, [voted])
    deleting = amendment_of(
        round_, kind=AmendmentKind.DELETE_PARAGRAPH, article_key=1, paragraph_key=3
    )
    services.amendment_decide(
        actor=worker, amendment=deleting, accept=True, reason="多余。", **UNANIMOUS
    )
    ballots(sent.vote, "yes")
    close(sent.vote)

    assert services.votes_settle(round_) == services.Settled(1, 0, 1)
    voted.refresh_from_db()
    assert voted.status == AmendmentStatus.REJECTED
    assert "paragraph_missing" in voted.decision_reason


def test_the_command_settles_closed_votes_once(round_, worker):
    amendment = amendment_of(round_, article_key=1, paragraph_key=2, text="甲")
    (sent,) = to_vote(worker, round_, [amendment])
    ballots(sent.vote, "yes")
    close(sent.vote)

    out = StringIO()
    call_command("covenants_settle", stdout=out)
    assert out.getvalue().strip() == "settled=1 accepted=1 rejected=0 ratified=0 not_adopted=0"

    again = StringIO()
    call_command("covenants_settle", stdout=again)
    assert again.getvalue().startswith("settled=0 accepted=0 rejected=0")
