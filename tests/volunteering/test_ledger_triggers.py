"""The hours ledger is append-only in the database itself (migration 0002, core/appendonly.py):
an entry is never updated or deleted, through the ORM or raw SQL, on SQLite and PostgreSQL.
A correction is a new, reversing entry."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from gongzhi.core.appendonly import MESSAGE
from gongzhi.volunteering.models import HoursEntry, HoursEntryKind
from tests.volunteering.world import activity_of, entry_of, shift_of, signup_of, volunteer_of

TABLE = HoursEntry._meta.db_table


@pytest.fixture
def entry(community, worker):
    shift = shift_of(activity_of(community, worker))
    return entry_of(signup_of(shift, volunteer_of(community)), worker, minutes=75, credited=90)


def _refused():
    return pytest.raises(DatabaseError, match="append-only")


def _unchanged(entry: HoursEntry) -> None:
    fresh = HoursEntry.objects.in_community(entry.community_id).get(pk=entry.pk)
    assert (fresh.served_minutes, fresh.credited_minutes, fresh.reason) == (75, 90, "")


@pytest.mark.django_db
def test_the_orm_cannot_change_an_entry(entry):
    entry.credited_minutes = 600
    with _refused(), transaction.atomic():
        entry.save()
    with _refused(), transaction.atomic():
        HoursEntry.objects.in_community(entry.community_id).filter(pk=entry.pk).update(
            served_minutes=1
        )
    _unchanged(entry)


@pytest.mark.django_db
def test_the_orm_cannot_delete_an_entry(entry):
    with _refused(), transaction.atomic():
        entry.delete()
    with _refused(), transaction.atomic():
        HoursEntry.objects.in_community(entry.community_id).filter(pk=entry.pk).delete()
    _unchanged(entry)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET credited_minutes = 6000 WHERE id = %s",  # noqa: S608 - a constant
        f"UPDATE {TABLE} SET reason = 'x', kind = 'service' WHERE id = %s",  # noqa: S608
        f"DELETE FROM {TABLE} WHERE id = %s",  # noqa: S608 - a constant
    ],
)
def test_raw_sql_cannot_change_or_delete_an_entry(entry, sql):
    with _refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entry.pk])
    _unchanged(entry)


@pytest.mark.django_db
def test_a_reversal_is_a_new_row_and_both_stay(entry, worker):
    reversal = HoursEntry.objects.create(
        community=entry.community,
        kind=HoursEntryKind.REVERSAL,
        volunteer=entry.volunteer,
        activity=entry.activity,
        team=entry.team,
        shift=entry.shift,
        signup=entry.signup,
        served_on=entry.served_on,
        served_minutes=-entry.served_minutes,
        credited_minutes=-entry.credited_minutes,
        reverses=entry,
        reason="录错了签退时间",
        confirmed_by=worker,
    )
    rows = HoursEntry.objects.in_community(entry.community_id)
    assert rows.count() == 2
    assert sum(rows.values_list("credited_minutes", flat=True)) == 0
    with _refused(), transaction.atomic():
        reversal.delete()


def test_the_message_says_what_to_do():
    assert "reversing entry" in MESSAGE
