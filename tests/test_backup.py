"""``manage.py backup`` and ``manage.py backup_drill`` against the real database of the run
(SQLite's online backup API; pg_dump and pg_restore into a database created for the drill)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from gongzhi.core import journal
from gongzhi.core.models import Activity
from tests.factories import CommunityFactory, member

pytestmark = pytest.mark.django_db(transaction=True)


def _run(name: str, *args: str) -> dict[str, str]:
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO())
    return dict(line.split("=", 1) for line in out.getvalue().splitlines() if "=" in line)


def _journalled_community():
    community = CommunityFactory()
    actor = member(community)
    with transaction.atomic():
        for n in range(3):
            journal.record(
                community=community, actor=actor, verb="membership.joined", data={"n": n}
            )
    journal.chain(community)
    return community


def test_backup_then_drill_restores_and_verifies(tmp_path):
    community = _journalled_community()
    made = _run("backup", "--dir", str(tmp_path))
    suffix = ".sqlite3" if connection.vendor == "sqlite" else ".dump"
    assert made["backup"].endswith(suffix) and made["backup"].startswith(str(tmp_path))
    assert int(made["bytes"]) > 0
    assert not list(tmp_path.glob("*.partial"))

    drill = _run("backup_drill", "--dir", str(tmp_path))
    assert drill["backup"] == made["backup"]
    assert drill["journal_ok"] == "yes"
    assert int(drill["restored_tables"]) > 20
    assert int(drill["journal_entries"]) == (Activity.objects.in_community(community).count())
    # The drill's copy is gone: the PostgreSQL database is dropped, the SQLite file deleted.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", ["%_drill_%"])
            assert cursor.fetchone()[0] == 0


def test_the_drill_fails_on_a_backup_whose_journal_was_altered(tmp_path):
    community = _journalled_community()
    _run("backup", "--dir", str(tmp_path))
    # Someone with database access changes an entry behind the model's back.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Activity._meta.db_table} SET verb = %s WHERE community_id = %s AND seq = 2",  # noqa: S608
            ["role.granted", community.pk],
        )
    tampered = _run("backup", "--dir", str(tmp_path))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("backup_drill", "--dir", str(tmp_path), stdout=out, stderr=io.StringIO())
    assert f"backup={tampered['backup']}" in out.getvalue()
    assert "journal_ok=no" in out.getvalue()


def test_backups_are_kept_up_to_a_number_and_a_missing_backup_is_an_error(tmp_path):
    CommunityFactory()
    with pytest.raises(CommandError):
        call_command("backup_drill", "--dir", str(tmp_path), stdout=io.StringIO())
    for _ in range(3):
        _run("backup", "--dir", str(tmp_path), "--keep", "2")
    assert len([p for p in tmp_path.iterdir() if p.name.startswith("gongzhi-")]) == 2
