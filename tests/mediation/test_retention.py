"""Retention (``mediation_purge``) empties concluded cases past the committee's period and keeps
what the statistics need; ``mediation_rekey`` moves every sealed value to the current key."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from gongzhi.core.models import Activity
from gongzhi.mediation import fields
from gongzhi.mediation.models import (
    Agreement,
    Attachment,
    Case,
    CaseStatus,
    FollowUp,
    Party,
    Performance,
    Sitting,
)
from tests.mediation.world import case_of, committee_of

pytestmark = pytest.mark.django_db


def run(command: str) -> dict[str, str]:
    out = StringIO()
    call_command(command, stdout=out)
    return dict(part.split("=") for part in out.getvalue().split())


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def concluded(community, days_ago: int, **fields_) -> Case:
    case = case_of(
        community,
        status=CaseStatus.AGREED,
        concluded_at=timezone.now() - timedelta(days=days_ago),
        **fields_,
    )
    mediator = case.assignments.get().mediator
    Sitting.objects.in_community(community).create(
        case=case,
        held_at=timezone.now() - timedelta(days=days_ago + 5),
        place="调解室",
        notes="笔录：双方同意",
        scan=ContentFile(b"%PDF scan", name="scan.pdf"),
        recorded_by=mediator,
    )
    Agreement.objects.in_community(community).create(
        case=case,
        facts="事实",
        terms="条款",
        performance="履行",
        perform_by=timezone.localdate(),
        drafted_by=mediator,
    )
    FollowUp.objects.in_community(community).create(
        case=case,
        visited_on=timezone.localdate(),
        performance=Performance.FULL,
        notes="回访记录",
        recorded_by=mediator,
    )
    Attachment.objects.in_community(community).create(
        case=case,
        name="照片.jpg",
        file=ContentFile(b"jpeg bytes", name="x.jpg"),
        uploaded_by=mediator,
    )
    return case


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_purge_empties_cases_past_retention_and_keeps_the_statistics(community, worker, media):
    committee = committee_of(community, worker)
    committee.retention_days = 30
    committee.save()
    old = concluded(community, 31)
    recent = concluded(community, 29)
    scan_name = Sitting.objects.in_community(community).get(case=old).scan.name
    file_name = Attachment.objects.in_community(community).get(case=old).file.name
    assert (media / scan_name).exists() and (media / file_name).exists()

    assert run("mediation_purge") == {"purged": "1", "kept": "1"}

    old = Case.objects.in_community(community).get(pk=old.pk)
    assert old.purged_at is not None and old.summary == "" and old.referral_advice == ""
    assert (old.kind, old.channel, old.status) == ("noise", "application", CaseStatus.AGREED)
    assert old.concluded_at and old.accepted_at
    parties = Party.objects.in_community(community).filter(case=old)
    assert [(p.person, p.name, p.contact) for p in parties] == [(None, "", "")] * 2
    sitting = Sitting.objects.in_community(community).get(case=old)
    assert (sitting.place, sitting.notes, sitting.scan.name) == ("", "", "")
    agreement = Agreement.objects.in_community(community).get(case=old)
    assert (agreement.facts, agreement.terms, agreement.performance) == ("", "", "")
    follow_up = FollowUp.objects.in_community(community).get(case=old)
    assert follow_up.notes == "" and follow_up.performance == Performance.FULL
    assert not Attachment.objects.in_community(community).filter(case=old).exists()
    assert not (media / scan_name).exists() and not (media / file_name).exists()
    # the recent case keeps everything
    recent = Case.objects.in_community(community).get(pk=recent.pk)
    assert recent.purged_at is None and recent.summary
    assert Sitting.objects.in_community(community).get(case=recent).notes == "笔录：双方同意"
    # journalled without data; and idempotent
    purges = Activity.objects.in_community(community).filter(verb="mediation.contents_purged")
    assert [(bool(a.target_id), a.data) for a in purges] == [(False, {})]
    assert run("mediation_purge") == {"purged": "0", "kept": "1"}
    assert purges.count() == 1


def test_open_cases_and_the_default_period_are_kept(community, media):
    case_of(community)  # accepted, not concluded
    concluded(community, 400)  # no committee: three years
    assert run("mediation_purge") == {"purged": "0", "kept": "2"}


def test_an_application_never_taken_up_is_emptied_after_the_period(community, worker, media):
    committee = committee_of(community, worker)
    committee.retention_days = 30
    committee.save()
    stale = case_of(community, status=CaseStatus.APPLIED)
    fresh = case_of(community, status=CaseStatus.APPLIED)
    Case.objects.in_community(community).filter(pk=stale.pk).update(
        opened_at=timezone.now() - timedelta(days=31)
    )
    Case.objects.in_community(community).filter(pk=fresh.pk).update(
        opened_at=timezone.now() - timedelta(days=29)
    )
    assert run("mediation_purge") == {"purged": "1", "kept": "1"}
    stale = Case.objects.in_community(community).get(pk=stale.pk)
    assert stale.purged_at is not None and stale.summary == ""
    assert stale.status == CaseStatus.APPLIED
    assert Case.objects.in_community(community).get(pk=fresh.pk).summary


def test_rekey_moves_texts_and_files_to_the_new_key(community, media):
    with override_settings(MEDIATION_KEY="old passphrase"):
        case = concluded(community, 1, summary="旧钥匙写的摘要")
    with override_settings(
        MEDIATION_KEY="new passphrase", MEDIATION_RETIRED_KEYS=["old passphrase"]
    ):
        counts = run("mediation_rekey")
        # summary, 2 names, place, notes, facts, terms, performance, follow-up notes, file name
        assert counts == {"texts": "10", "files": "2", "current": "0", "unreadable": "0"}
        again = run("mediation_rekey")
        assert again == {"texts": "0", "files": "0", "current": "12", "unreadable": "0"}
    with override_settings(MEDIATION_KEY="new passphrase"):
        assert fields.unseal(raw("mediation_case", "summary", case.pk)) == "旧钥匙写的摘要"
        attachment = Attachment.objects.in_community(community).get(case=case)
        assert attachment.name == "照片.jpg"
        assert attachment.file.read() == b"jpeg bytes"


def test_rekey_fails_while_a_value_needs_a_key_that_is_gone(community, media):
    with override_settings(MEDIATION_KEY="old passphrase"):
        case_of(community, mediator=False)
    with override_settings(MEDIATION_KEY="new passphrase"), pytest.raises(CommandError):
        call_command("mediation_rekey", stdout=StringIO())
