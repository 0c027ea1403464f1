"""Mediation's statistics: counts from the clear columns only, small cells suppressed with their
complement, and only workers, the committee's head and the officials above read them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.mediation import stats
from gongzhi.mediation.models import Case, CaseStatus, FollowUp, MediationCommittee, Performance
from tests.factories import CommunityFactory, member
from tests.mediation.world import case_of, committee_of

NOW = timezone.now()


def fact(kind="noise", channel="application", status="agreed", days=10, performance=None):
    return stats.CaseFacts(
        kind=kind,
        channel=channel,
        status=status,
        started=NOW - timedelta(days=days),
        concluded_at=NOW if status in ("agreed", "not_agreed", "withdrawn", "declined") else None,
        performance=performance,
    )


def counts(lines):
    return {line.key: line.count for line in lines}


def test_a_small_kind_is_hidden_with_its_complement():
    facts = [fact("noise")] * 7 + [fact("leak")] * 6 + [fact("pets")] * 2
    result = stats.aggregate(facts, limit=5)
    by_kind = counts(result.by_kind)
    assert result.cases == 15
    # pets (2) is hidden; so is the next smallest (leak, 6), so that 15 - 7 does not give pets
    assert by_kind["pets"] is None and by_kind["leak"] is None and by_kind["noise"] == 7
    assert by_kind["parking"] == 0  # nobody: nothing to hide


def test_rates_and_medians_over_too_few_cases_are_not_shown():
    few = stats.aggregate([fact(days=3), fact(status="not_agreed")], limit=5)
    assert few.agreement == stats.Rate(None, None, None)
    assert few.median_days_to_agreement is None
    assert few.within_month == stats.Rate(None, None, None)


def test_agreement_rate_median_and_within_a_month():
    facts = (
        [fact(days=d) for d in (5, 10, 20, 40, 50)]
        + [fact(status="not_agreed", days=45)] * 3
        + [fact(status="withdrawn", days=2)] * 2
        + [fact(status="declined")] * 4  # not mediated: in no rate
        + [fact(status="accepted")] * 3  # under way
    )
    result = stats.aggregate(facts, limit=5)
    assert result.agreement == stats.Rate(5, 10, 0.5)
    assert result.median_days_to_agreement == 20.0
    assert result.within_month == stats.Rate(5, 10, 0.5)  # 5, 10, 20 and the two withdrawn


def test_performance_at_follow_up_counts_each_agreed_case_by_its_latest_visit():
    facts = [fact(performance="full")] * 6 + [fact(performance="partial")] * 5 + [fact()] * 3
    result = stats.aggregate(facts, limit=5)
    assert counts(result.performance) == {"full": 6, "partial": 5, "none": 0, "not_due": 0}
    assert result.performed_in_full == stats.Rate(6, 11, 6 / 11)


#: Last month: the figures stand as at the start of this one.
BEFORE = stats.month_start() - timedelta(days=3)


def _last_month(case, days=0):
    Case.objects.in_community(case.community_id).filter(pk=case.pk).update(
        opened_at=BEFORE - timedelta(days=days + 1),
        accepted_at=BEFORE - timedelta(days=days),
        concluded_at=BEFORE if case.status in ("agreed", "not_agreed", "withdrawn") else None,
    )


@pytest.fixture
def cases(community, worker):
    committee_of(community, worker)
    made = []
    for i in range(6):
        case = case_of(community, status=CaseStatus.AGREED, concluded_at=NOW, summary=f"SECRET-{i}")
        _last_month(case)
        made.append(case)
    mediator = made[0].assignments.get().mediator
    for performance in (Performance.PARTIAL, Performance.FULL):  # the later visit counts
        FollowUp.objects.in_community(community).create(
            case=made[0],
            visited_on=BEFORE.date() + timedelta(days=1 if performance == "full" else 0),
            performance=performance,
            recorded_by=mediator,
        )
    return made


@pytest.mark.django_db
def test_the_figures_stand_as_at_the_start_of_the_month(community, cases, worker):
    """A worker who watches the figures day by day learns nothing of a case that moves this
    month: one registered, accepted, agreed and visited today is not in them until the next."""
    before = stats.as_dict(stats.community_statistics(community))
    assert before["as_of"] == timezone.localdate().replace(day=1) and before["cases"] == 6
    today = case_of(community, status=CaseStatus.AGREED, concluded_at=NOW, kind="pets")
    FollowUp.objects.in_community(community).create(
        case=today,
        visited_on=timezone.localdate(),
        performance=Performance.NONE,
        recorded_by=today.assignments.get().mediator,
    )
    # one of last month's agreed cases, as if it had been concluded only today
    Case.objects.in_community(community).filter(pk=cases[1].pk).update(concluded_at=NOW)
    assert stats.as_dict(stats.community_statistics(community)) == {
        **before,
        "agreement": {"numerator": 5, "denominator": 5, "value": 1.0},
        "within_month": {"numerator": 5, "denominator": 5, "value": 1.0},
    }
    # next month they are all in
    later = stats.community_statistics(community, until=NOW + timedelta(days=1))
    assert later.cases == 7 and later.agreement.denominator == 7


@pytest.mark.django_db
def test_community_statistics_from_the_database(community, cases):
    result = stats.community_statistics(community)
    assert result.cases == 6
    assert counts(result.by_kind)["noise"] == 6
    assert result.agreement.value == 1.0
    assert counts(result.performance)["full"] is None  # one visit: hidden


@pytest.mark.django_db
def test_the_street_adds_its_communities_and_hides_a_small_one(community, cases):
    neighbour = CommunityFactory(street=community.street)
    _last_month(case_of(neighbour, mediator=False))
    result = stats.street_statistics(community.street)
    assert result.cases == 7
    per = counts(result.by_community)
    assert per == {str(community.pk): None, str(neighbour.pk): None}


@pytest.mark.django_db
def test_who_reads_the_page(client, community, cases, worker, official, supervisor, resident):
    url = f"/c/{community.slug}/mediation/statistics/"
    head = MediationCommittee.objects.in_community(community).get().head
    party = cases[0].parties.first().person
    mediator = cases[0].assignments.get().mediator
    for user in (worker, head, official):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200, user
        text = page.content.decode()
        assert "SECRET-" not in text and cases[0].number not in text
    for user in (supervisor, resident, party, mediator, member(community, verified=False)):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(official)
    assert client.get(url + "?scope=street").status_code == 200
    client.force_login(worker)
    assert client.get(url + "?scope=street").status_code == 404


@pytest.mark.django_db
def test_the_api(client, community, cases, worker, official, resident):
    url = f"/api/v1/communities/{community.slug}/mediation/statistics"
    assert client.get(url).status_code == 401
    client.force_login(worker)
    body = client.get(url).json()
    assert body["cases"] == 6 and body["scope"] == "community"
    assert client.get(url + "?scope=street").status_code == 404
    client.force_login(official)
    assert client.get(url + "?scope=street").json()["by_community"][0]["count"] == 6
    client.force_login(resident)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_statistics_are_linked_for_those_who_may_read_them(client, community, worker):
    from django.urls import reverse

    url = reverse("mediation_statistics", args=[community.slug])
    home = reverse("mediation_home", args=[community.slug])
    client.force_login(worker)
    assert url in client.get(home).content.decode()
    assert url in client.get(reverse("community_home", args=[community.slug])).content.decode()
    client.force_login(member(community))
    assert url not in client.get(home).content.decode()
    assert client.get(url).status_code == 404
