"""A closed vote's electorate is fixed: turnout and quorum do not move when people later join,
leave or erase their accounts."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from gongzhi.accounts.services import account_erase
from gongzhi.voting import services
from gongzhi.voting.models import Method, Vote
from tests.factories import member
from tests.voting.test_votes import close, make_vote


def _yes_no(community, worker):
    return make_vote(
        community,
        worker,
        method=Method.YES_NO,
        options=(),
        quorum=Decimal("0.5"),
        threshold=Decimal("0.5"),
    )


@pytest.mark.django_db
def test_a_closed_votes_quorum_does_not_move_when_someone_erases_their_account(community, worker):
    voters = [member(community) for _ in range(2)]
    abstainers = [member(community) for _ in range(2)]
    vote = _yes_no(community, worker)
    for voter in voters:
        services.ballot_cast(actor=voter, vote=vote, content="yes")
    close(vote)
    before = services.results(vote)
    electorate = services.electorate_size(vote)
    assert before.electorate_size == electorate

    account_erase(actor=abstainers[0], user=abstainers[0])
    member(community)  # someone new joins after the close
    again = services.results(Vote.objects.in_community(community).get(pk=vote.pk))
    assert again.electorate_size == before.electorate_size
    assert again.quorum_met == before.quorum_met


@pytest.mark.django_db
def test_erasure_freezes_a_closed_vote_no_one_has_counted_yet(community, worker):
    leaver = member(community)
    vote = _yes_no(community, worker)
    services.ballot_cast(actor=leaver, vote=vote, content="yes")
    close(vote)
    size = services._electorate_now(vote)
    account_erase(actor=leaver, user=leaver)
    vote.refresh_from_db()
    assert vote.electorate_at_close == size
    assert services.results(vote).electorate_size == size


@pytest.mark.django_db
def test_an_open_vote_counts_the_electorate_as_it_is(community, worker):
    vote = _yes_no(community, worker)
    size = services.electorate_size(vote)
    member(community)
    assert services.electorate_size(vote) == size + 1
    vote.refresh_from_db()
    assert vote.electorate_at_close is None


@pytest.mark.django_db
def test_the_periodic_job_freezes_closed_votes_once(community, worker):
    vote = _yes_no(community, worker)
    close(vote)
    out = io.StringIO()
    call_command("votes_announce", stdout=out)
    assert "electorates_frozen=1" in out.getvalue()
    vote.refresh_from_db()
    frozen = vote.electorate_at_close
    assert frozen is not None
    member(community)
    out = io.StringIO()
    call_command("votes_announce", stdout=out)
    assert "electorates_frozen=0" in out.getvalue()
    vote.refresh_from_db()
    assert vote.electorate_at_close == frozen
