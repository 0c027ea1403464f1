"""The demo street's mediation: the committee and its head, two mediators, three cases in
different states (one agreed, sealed and followed up), all encrypted, none the worker's to see."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from gongzhi.core.models import Community
from gongzhi.mediation import stats
from gongzhi.mediation.models import Agreement, Case, FollowUp, MediationCommittee


@pytest.mark.django_db
def test_the_demo_street_has_a_committee_and_cases(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", residents=90, quiet=True, seed=7, stdout=io.StringIO())
    community = Community.objects.get(slug="xingfu")
    committee = MediationCommittee.objects.in_community(community).get()
    cases = Case.objects.in_community(community)
    assert sorted(cases.values_list("kind", "status")) == [
        ("leak", "accepted"),
        ("noise", "agreed"),
        ("parking", "applied"),
    ]
    agreed = cases.get(status="agreed")
    assert Agreement.objects.in_community(community).get(case=agreed).sealed_by == committee.head
    assert FollowUp.objects.in_community(community).get(case=agreed).performance == "full"
    mediators = {a.mediator_id for c in cases for a in c.assignments.filter(ended_at__isnull=True)}
    assert len(mediators) == 2 and committee.head_id not in mediators
    with connection.cursor() as cursor:
        cursor.execute("SELECT summary FROM mediation_case")
        assert all(row[0].startswith("gz1:") for row in cursor.fetchall())
    result = stats.community_statistics(
        community, until=timezone.now() + timedelta(days=1)
    )  # the demo's cases are this month's
    assert result.cases == 3 and result.agreement.value is None  # too few to show
