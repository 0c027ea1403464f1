"""The demo content goes through the services and leaves a published, balanced month."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.disclosure import selectors
from gongzhi.disclosure.demo import seed_demo_disclosure
from gongzhi.disclosure.models import DocumentVersion, LedgerEntry


@pytest.mark.django_db
def test_demo_disclosure(community, worker, supervisor, resident, client):
    made = seed_demo_disclosure(community, worker=worker, approver=supervisor, residents=[resident])
    report = selectors.period_report(period=made["period"])
    assert report.income_fen == 2506000 and report.expenditure_fen == 613690
    assert report.closing_fen == 2506000 - 613690
    assert not LedgerEntry.objects.in_community(community).exclude(status="approved").exists()
    assert DocumentVersion.objects.in_community(community).count() == 2
    assert selectors.read_counts(announcement=made["announcements"][0]).confirmed == 1
    page = client.get(reverse("board_detail", args=[community.slug, made["board"].pk]))
    assert "18923.10" in page.content.decode()
    assert seed_demo_disclosure(community, worker=worker, approver=supervisor) == {}
