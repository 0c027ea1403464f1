"""Votes end to end through the services: electorates, one person one vote, secret ballots with
receipts, changing one's vote, paper ballots by double entry, and counting."""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.request
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity, Membership, Role
from gongzhi.voting import services
from gongzhi.voting.models import (
    CountedBallot,
    Electorate,
    Kind,
    Method,
    Option,
    Participation,
    Vote,
)
from gongzhi.voting.policies import sees_results
from tests.factories import CommunityFactory, HouseholdFactory, member


def make_vote(
    community, worker, *, method=Method.SINGLE, options=("甲方案", "乙方案", "丙方案"), **fields
):
    now = timezone.now()
    return services.vote_create(
        actor=worker,
        community=community,
        title="小区大门改造选哪个方案？",
        options=list(options),
        opens_at=fields.pop("opens_at", now - timedelta(minutes=1)),
        closes_at=fields.pop("closes_at", now + timedelta(days=7)),
        method=method,
        **fields,
    )


def close(vote):
    Vote.objects.in_community(vote.community_id).filter(pk=vote.pk).update(
        opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now() - timedelta(seconds=1)
    )
    vote.refresh_from_db()


def option_ids(vote):
    return list(
        Option.objects.in_community(vote.community_id)
        .filter(vote=vote)
        .values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_single_choice_vote_counts_each_voter_once(community, worker):
    vote = make_vote(community, worker)
    a, b, c = option_ids(vote)
    voters = [member(community) for _ in range(5)]
    for voter, choice in zip(voters, [a, a, b, a, c], strict=True):
        services.ballot_cast(actor=voter, vote=vote, content=[choice])
    result = services.results(vote)
    assert result.counts == {a: 3, b: 1, c: 1} and result.winners == (a,)


@pytest.mark.django_db
def test_changing_ones_vote_keeps_only_the_last(community, worker):
    vote = make_vote(community, worker)
    a, b, _c = option_ids(vote)
    voter = member(community)
    first = services.ballot_cast(actor=voter, vote=vote, content=[a])
    second = services.ballot_cast(actor=voter, vote=vote, content=[b])
    assert second.changed and first.receipt == second.receipt
    assert services.results(vote).counts[b] == 1 and services.results(vote).counts[a] == 0
    assert Participation.objects.in_community(community).filter(vote=vote).count() == 1


@pytest.mark.parametrize(
    ("method", "content", "code"),
    [
        (Method.SINGLE, "not-a-list", "ballot_malformed"),
        (Method.SINGLE, [999999], "ballot_unknown_option"),
        (Method.APPROVAL, "TOO_MANY", "ballot_too_many_choices"),
        (Method.RANKED, "REPEAT", "ballot_repeated_option"),
        (Method.SCORE, "OUT_OF_RANGE", "ballot_score_out_of_range"),
        (Method.YES_NO, "maybe", "ballot_unknown_option"),
    ],
)
@pytest.mark.django_db
def test_malformed_ballots_are_refused_and_nothing_is_recorded(
    community, worker, method, content, code
):
    vote = make_vote(
        community,
        worker,
        method=method,
        max_choices=2,
        options=() if method == Method.YES_NO else ("a", "b", "c"),
    )
    ids = option_ids(vote)
    if content == "TOO_MANY":
        content = ids
    elif content == "REPEAT":
        content = [ids[0], ids[0]]
    elif content == "OUT_OF_RANGE":
        content = {str(ids[0]): 99}
    with pytest.raises(ValidationError) as caught:
        services.ballot_cast(actor=member(community), vote=vote, content=content)
    assert caught.value.code == code
    assert not Participation.objects.in_community(community).exists()
    assert not CountedBallot.objects.in_community(community).exists()


@pytest.mark.django_db
def test_outside_the_window_nothing_is_recorded(community, worker):
    vote = make_vote(community, worker)
    close(vote)
    with pytest.raises(ValidationError) as caught:
        services.ballot_cast(actor=member(community), vote=vote, content=[option_ids(vote)[0]])
    assert caught.value.code == "not_open"
    future = make_vote(
        community,
        worker,
        opens_at=timezone.now() + timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=2),
    )
    with pytest.raises(ValidationError):
        services.ballot_cast(actor=member(community), vote=future, content=[option_ids(future)[0]])
    assert not Participation.objects.in_community(community).exists()


@pytest.mark.django_db
def test_electorates(community, worker, other_community):
    council_vote = make_vote(community, worker, electorate=Electorate.COUNCIL)
    with pytest.raises(PermissionDenied):
        services.ballot_cast(
            actor=member(community), vote=council_vote, content=[option_ids(council_vote)[0]]
        )
    services.ballot_cast(
        actor=member(community, Role.COUNCIL_MEMBER),
        vote=council_vote,
        content=[option_ids(council_vote)[0]],
    )
    open_vote = make_vote(community, worker)
    for outsider in (member(community, verified=False), member(other_community)):
        with pytest.raises(PermissionDenied):
            services.ballot_cast(actor=outsider, vote=open_vote, content=[option_ids(open_vote)[0]])


@pytest.mark.django_db
def test_one_vote_per_household(community, worker):
    vote = make_vote(community, worker, electorate=Electorate.HOUSEHOLD)
    household = HouseholdFactory(building__community=community)
    first, second = member(community), member(community)
    Membership.objects.in_community(community).filter(user__in=[first, second]).update(
        household=household
    )
    services.ballot_cast(actor=first, vote=vote, content=[option_ids(vote)[0]])
    with pytest.raises(ValidationError) as caught:
        services.ballot_cast(actor=second, vote=vote, content=[option_ids(vote)[1]])
    assert caught.value.code == "household_voted"
    assert services.results(vote).ballots == 1


@pytest.mark.django_db
def test_secret_ballot_is_stored_apart_from_the_voter(community, worker):
    vote = make_vote(community, worker, secret=True, kind=Kind.BINDING)
    a = option_ids(vote)[0]
    voter = member(community)
    receipt = services.ballot_cast(actor=voter, vote=vote, content=[a]).receipt
    ballot = CountedBallot.objects.in_community(community).get(vote=vote)
    assert (
        not ballot.slot.startswith("user:")
        and len(ballot.slot) == 64
        and receipt not in ballot.slot
    )
    assert (
        ballot.slot != hashlib.sha256(f"{vote.pk}:{voter.pk}".encode()).hexdigest()
    )  # keyed, not plain
    columns = {f.name for f in CountedBallot._meta.get_fields()}
    assert not {"voter", "user", "participation", "at", "created_at", "receipt"} & columns
    entry = Activity.objects.in_community(community).get(verb="vote.cast")
    assert entry.data == {"binding": True} and str(a) not in json.dumps(entry.data)
    with pytest.raises(ValidationError):
        services.published_lists(vote)  # not before close
    assert not sees_results(voter, vote)
    close(vote)
    receipts, contents = services.published_lists(vote)
    assert receipts == [receipt] and contents == [[a]]


@pytest.mark.django_db
def test_paper_ballots_count_after_two_people_agree(community, worker):
    vote = make_vote(community, worker, secret=True)
    a, b, _c = option_ids(vote)
    second_worker = member(community, Role.COMMUNITY_WORKER)
    paper_voter = member(community)
    services.paper_voter_mark(actor=worker, vote=vote, voter=paper_voter)
    with pytest.raises(ValidationError):  # took a paper ballot, so cannot also vote online
        services.ballot_cast(actor=paper_voter, vote=vote, content=[a])
    assert not services.paper_ballot_enter(
        actor=worker, vote=vote, serial="0001", content=[a]
    ).confirmed
    with pytest.raises(ValidationError):
        services.paper_ballot_enter(
            actor=worker, vote=vote, serial="0001", content=[a]
        )  # same person again
    assert services.paper_ballot_enter(
        actor=second_worker, vote=vote, serial="0001", content=[a]
    ).confirmed
    services.paper_ballot_enter(actor=worker, vote=vote, serial="0002", content=[a])
    conflict = services.paper_ballot_enter(
        actor=second_worker, vote=vote, serial="0002", content=[b]
    )
    assert conflict.conflict and not conflict.confirmed
    result = services.results(vote)
    assert result.counts[a] == 1 and result.counts[b] == 0


@pytest.mark.django_db
def test_owner_vote_shows_each_measure(community, worker):
    vote = make_vote(
        community,
        worker,
        method=Method.YES_NO,
        options=(),
        electorate=Electorate.OWNERS,
        kind=Kind.BINDING,
        opens_at=timezone.now() + timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=3),
    )
    owners = [member(community) for _ in range(6)]
    services.owner_roll_set(actor=worker, vote=vote, shares=[(o, Decimal("90.50")) for o in owners])
    Vote.objects.in_community(community).filter(pk=vote.pk).update(
        opens_at=timezone.now() - timedelta(minutes=1)
    )
    vote.refresh_from_db()
    for owner, choice in zip(owners[:4], ["yes", "yes", "yes", "no"], strict=True):
        services.ballot_cast(actor=owner, vote=vote, content=choice)
    result = services.results(vote)
    assert result.participation_by_head.part == 4 and result.participation_by_head.whole == 6
    assert result.participation_by_area.part == Decimal("362.00")
    assert result.consent_by_head.part == 3 and result.passed


@pytest.mark.django_db
def test_only_staff_and_council_set_up_votes(community):
    with pytest.raises(PermissionDenied):
        make_vote(community, member(community))


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(choices=st.lists(st.integers(0, 2), min_size=1, max_size=12))
@pytest.mark.django_db
def test_the_tally_equals_the_ballots_cast(choices):
    community = CommunityFactory()
    worker = member(community, Role.COMMUNITY_WORKER)
    vote = make_vote(community, worker)
    ids = option_ids(vote)
    for choice in choices:
        services.ballot_cast(actor=member(community), vote=vote, content=[ids[choice]])
    result = services.results(vote)
    assert result.ballots == len(choices)
    assert [result.counts[i] for i in ids] == [choices.count(k) for k in range(3)]


@pytest.mark.django_db(transaction=True)
def test_many_concurrent_votes_by_one_person_count_once(live_server, community, worker):
    vote = make_vote(community, worker, secret=True)
    ids = option_ids(vote)
    voter = member(community)
    _t, raw = api_token_create(user=voter, name="t")
    url = f"{live_server.url}/api/v1/communities/{community.slug}/votes/{vote.pk}/ballot"
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def cast(i):
        body = json.dumps({"content": [ids[i % 3]]}).encode()
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/json"},
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [threading.Thread(target=cast, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(s == 200 for s in statuses), statuses
    assert CountedBallot.objects.in_community(community).filter(vote=vote).count() == 1
    assert Participation.objects.in_community(community).filter(vote=vote).count() == 1
    assert connection.vendor in {"sqlite", "postgresql"}


@pytest.mark.django_db(transaction=True)
def test_the_electorate_is_told_once_when_a_vote_opens(community, worker):
    from django.core.management import call_command

    from gongzhi.notifications.models import Notification

    council = member(community, Role.COUNCIL_MEMBER)
    resident = member(community)
    later = make_vote(
        community,
        worker,
        electorate=Electorate.COUNCIL,
        opens_at=timezone.now() + timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=2),
    )
    assert not Notification.objects.filter(kind="vote_opened").exists()  # not open yet
    Vote.objects.in_community(community).filter(pk=later.pk).update(
        opens_at=timezone.now() - timedelta(seconds=1)
    )
    call_command("votes_announce", stdout=None)
    call_command("votes_announce", stdout=None)
    assert list(Notification.objects.filter(kind="vote_opened").values_list("user", flat=True)) == [
        council.pk
    ]
    assert not Notification.objects.filter(kind="vote_opened", user=resident).exists()


@pytest.mark.django_db
def test_api_sets_up_a_vote_and_takes_paper_ballots(client, community, worker):
    token = api_token_create(user=worker, name="t")[1]
    from allauth.mfa.totp.internal.auth import TOTP

    second_worker = member(community, Role.COMMUNITY_WORKER)
    TOTP.activate(second_worker, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    second = api_token_create(user=second_worker, name="t")[1]
    now = timezone.now()
    body = {
        "title": "要不要装快递柜？",
        "method": "yes_no",
        "secret": True,
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=1)).isoformat(),
    }
    created = client.post(
        f"/api/v1/communities/{community.slug}/votes",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert created.status_code == 201, created.content
    vote_id = created.json()["id"]
    url = f"/api/v1/communities/{community.slug}/votes/{vote_id}/paper"
    paper = {"serial": "A-001", "content": "yes"}
    first = client.post(
        url,
        data=json.dumps(paper),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    confirm = client.post(
        url,
        data=json.dumps(paper),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {second}",
    )
    assert first.json() == {"confirmed": False, "conflict": False}
    assert confirm.json() == {"confirmed": True, "conflict": False}
    resident_token = api_token_create(user=member(community), name="t")[1]
    refused = client.post(
        f"/api/v1/communities/{community.slug}/votes",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {resident_token}",
    )
    assert refused.status_code == 404
