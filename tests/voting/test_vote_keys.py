"""VOTE_KEY cannot change while a secret ballot box is open: the first online ballot binds a
secret vote (or a participatory budget) to the current key; after a rotation casting is refused
with a message (a voter's changed ballot would otherwise get a new pseudonym and count twice),
the key check names the box, and putting the key back resumes the vote."""

from __future__ import annotations

import io
import json

import pytest
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from gongzhi.accounts.services import api_token_create
from gongzhi.budgeting import services as budgeting
from gongzhi.budgeting.models import Ballot
from gongzhi.budgeting.models import Participation as BudgetParticipation
from gongzhi.voting import keys, services
from gongzhi.voting.models import CountedBallot, Participation, Vote
from tests.budgeting.helpers import make_process, project, set_phase
from tests.factories import member
from tests.voting.test_votes import close, make_vote, option_ids

OLD, NEW = "vote-key-one-" + "a" * 40, "vote-key-two-" + "b" * 40


@pytest.fixture(autouse=True)
def _keys(settings):
    settings.VOTE_KEY, settings.VOTE_KEY_ID, settings.VOTE_RETIRED_KEYS = OLD, "1", {}
    with translation.override("en"):
        yield settings


def rotate(settings, *, keep_old: bool = True):
    settings.VOTE_KEY, settings.VOTE_KEY_ID = NEW, "2"
    settings.VOTE_RETIRED_KEYS = {"1": OLD} if keep_old else {}


def key_warnings():
    return checks.run_checks(tags=["keys"], include_deployment_checks=True)


@pytest.mark.django_db
def test_a_rotation_while_a_secret_vote_is_open_stops_casting_until_the_key_is_back(
    community, worker, settings
):
    vote = make_vote(community, worker, secret=True)
    a, b, _c = option_ids(vote)
    voter, latecomer = member(community), member(community)
    services.ballot_cast(actor=voter, vote=vote, content=[a])
    vote.refresh_from_db()
    assert vote.vote_key_id == "1" and vote.vote_key_check == keys.fingerprint(OLD)
    assert key_warnings() == []

    rotate(settings)
    vote = Vote.objects.in_community(community).get(pk=vote.pk)
    for person in (voter, latecomer):  # a change of mind would count twice under a new slot
        with pytest.raises(ValidationError) as refused:
            services.ballot_cast(actor=person, vote=vote, content=[b])
        assert refused.value.code == "vote_key_changed"
        assert "Voting is paused" in refused.value.messages[0]
    assert CountedBallot.objects.in_community(community).filter(vote=vote).count() == 1
    assert Participation.objects.in_community(community).filter(vote=vote).count() == 1
    [warning] = key_warnings()
    assert warning.id == "voting.W001" and vote.title in warning.msg
    assert "VOTE_RETIRED_KEYS" in warning.msg
    with pytest.raises(CommandError):
        call_command("check_keys", stdout=io.StringIO())

    settings.VOTE_KEY, settings.VOTE_KEY_ID = OLD, "1"  # the operators put the key back
    vote = Vote.objects.in_community(community).get(pk=vote.pk)
    assert services.ballot_cast(actor=voter, vote=vote, content=[b]).changed
    services.ballot_cast(actor=latecomer, vote=vote, content=[b])
    assert services.results(vote).counts[b] == 2 and services.results(vote).ballots == 2
    assert key_warnings() == []


@pytest.mark.django_db
def test_a_key_changed_without_a_new_id_is_caught_too(community, worker, settings):
    vote = make_vote(community, worker, secret=True)
    a = option_ids(vote)[0]
    services.ballot_cast(actor=member(community), vote=vote, content=[a])
    settings.VOTE_KEY = NEW  # the same id, another secret
    vote = Vote.objects.in_community(community).get(pk=vote.pk)
    with pytest.raises(ValidationError) as refused:
        services.ballot_cast(actor=member(community), vote=vote, content=[a])
    assert refused.value.code == "vote_key_changed"
    [warning] = key_warnings()
    assert "changed without a new VOTE_KEY_ID" in warning.msg


@pytest.mark.django_db
def test_votes_without_a_ballot_yet_open_and_other_votes_go_on_after_a_rotation(
    community, worker, settings
):
    secret = make_vote(community, worker, secret=True)
    public = make_vote(community, worker, secret=False)
    done = make_vote(community, worker, secret=True)
    services.ballot_cast(actor=member(community), vote=done, content=[option_ids(done)[0]])
    close(done)
    services.ballot_cast(actor=member(community), vote=public, content=[option_ids(public)[0]])
    rotate(settings, keep_old=False)
    voter = member(community)
    services.ballot_cast(actor=voter, vote=secret, content=[option_ids(secret)[0]])
    services.ballot_cast(actor=voter, vote=public, content=[option_ids(public)[1]])
    secret.refresh_from_db()
    assert secret.vote_key_id == "2" and secret.vote_key_check == keys.fingerprint(NEW)
    assert key_warnings() == []  # a closed vote needs its key no more


@pytest.mark.django_db
def test_the_api_says_why_a_ballot_is_refused(client, community, worker, settings):
    vote = make_vote(community, worker, secret=True)
    a = option_ids(vote)[0]
    services.ballot_cast(actor=member(community), vote=vote, content=[a])
    rotate(settings)
    _token, raw = api_token_create(user=member(community), name="t")
    response = client.post(
        f"/api/v1/communities/{community.slug}/votes/{vote.pk}/ballot",
        data=json.dumps({"content": [a]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "vote_key_changed" and "Voting is paused" in body["message"]


@pytest.mark.django_db
def test_a_participatory_budget_keeps_its_key_until_voting_closes(community, worker, settings):
    process = make_process(community, worker, "voting", ballot_type="approval")
    first, second = project(process, 30_000, "a"), project(process, 20_000, "b")
    voter, latecomer = member(community), member(community)
    budgeting.ballot_cast(actor=voter, process=process, projects=[first.pk])
    process.refresh_from_db()
    assert process.vote_key_id == "1"

    rotate(settings)
    process.refresh_from_db()
    for person in (voter, latecomer):
        with pytest.raises(ValidationError) as refused:
            budgeting.ballot_cast(actor=person, process=process, projects=[second.pk])
        assert refused.value.code == "vote_key_changed"
    assert Ballot.objects.in_community(community).count() == 1
    assert BudgetParticipation.objects.in_community(community).count() == 1
    [warning] = key_warnings()
    assert warning.id == "budgeting.W001" and process.title in warning.msg
    # A voter still sees their ballot through the retired key; without it, nothing.
    assert budgeting.my_ballot(process=process, voter=voter) == [[first.pk, 1]]
    settings.VOTE_RETIRED_KEYS = {}
    assert budgeting.my_ballot(process=process, voter=voter) is None

    set_phase(process, "results")  # voting closed: the key may change now
    assert key_warnings() == []
