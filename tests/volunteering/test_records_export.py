"""The records export for the national volunteer system (民政部令第67号 fields): what counts,
awards from approved lists, the period, other communities kept out, staff only, journalled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from gongzhi.core.models import Activity, Role
from gongzhi.volunteering import records
from gongzhi.volunteering.models import (
    RecognitionEntry,
    RecognitionList,
    RecognitionStatus,
)
from tests.factories import member
from tests.volunteering.test_certificates import reverse, served
from tests.volunteering.world import volunteer_of

pytestmark = pytest.mark.django_db


def _award(community, by, volunteer, *, status, title):
    recognition = RecognitionList.objects.create(
        community=community, year=2026, title=title, status=status, proposed_by=by
    )
    RecognitionEntry.objects.create(
        community=community, recognition=recognition, volunteer=volunteer, citation="热心"
    )


def test_the_tables_hold_the_67_fields_and_only_what_stands(community, other_community, worker):
    volunteer = volunteer_of(community, member(community, display_name="=HYPERLINK(1)"))
    volunteer.birth_date = timezone.localdate().replace(year=1960)
    volunteer.save(update_fields=["birth_date"])
    served(community, worker, volunteer, minutes=90)
    reverse(served(community, worker, volunteer, minutes=60, title="已撤销的活动"), worker)
    _award(community, worker, volunteer, status=RecognitionStatus.APPROVED, title="年度优秀志愿者")
    _award(community, worker, volunteer, status=RecognitionStatus.PROPOSED, title="尚未批准")
    elsewhere = volunteer_of(other_community)
    served(other_community, member(other_community, Role.COMMUNITY_WORKER), elsewhere)

    people, service = records.records_tables(community=community, viewer=worker)

    assert len(people.rows) == 2 and len(service.rows) == 2  # header + the one volunteer/record
    row = people.rows[1]
    assert row[3] == volunteer.birth_date.isoformat()
    assert str(row[5]) == "1.5"
    assert row[6] == "" and row[8] == ""  # training, evaluation: columns kept empty
    assert row[7] == "2026 年度优秀志愿者"
    record = service.rows[1]
    assert record[6] == "周末花园除草" and str(record[7]) == "1.5"
    assert "已撤销的活动" not in {r[6] for r in service.rows}


def test_the_period_limits_the_service_records(community, worker):
    volunteer = volunteer_of(community)
    served(community, worker, volunteer, days_ago=40)
    recent = served(community, worker, volunteer, days_ago=5, title="近期活动")
    start = timezone.localdate() - timedelta(days=10)
    _people, service = records.records_tables(community=community, viewer=worker, period_from=start)
    assert [r[2] for r in service.rows[1:]] == [recent.served_on.isoformat()]


def test_only_staff_export_and_it_is_journalled(community, worker, resident):
    served(community, worker, volunteer_of(community))
    with pytest.raises(PermissionDenied):
        records.records_export(actor=resident, community=community, fmt="csv")
    with translation.override("en"):
        response = records.records_export(actor=worker, community=community, fmt="csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Name,Phone,Gender,Date of birth")
    entry = Activity.objects.get(verb="records.exported", community=community)
    assert entry.actor == worker and entry.data["format"] == "csv"


def test_a_name_that_looks_like_a_formula_is_made_safe(community, worker):
    volunteer = volunteer_of(community, member(community, display_name="=HYPERLINK(1)"))
    served(community, worker, volunteer)
    response = records.records_export(actor=worker, community=community, fmt="csv")
    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")
