"""The demo street's meetings (gongzhi/meetings/demo.py): the council's past meeting with its
roll call, decisions, approved minutes and follow-ups, its next meeting and its monthly series,
the committee's hearing and round table; the journal still verifies, the indicators read the
demo, and the meetings' pages of the demo answer.

The street is seeded once here, inside a savepoint that is rolled back; the crawl of every page
of the seeded street (tests/test_demo_street.py) reaches the meetings' pages too.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.bodies.models import Body, BodyKind
from gongzhi.core import journal
from gongzhi.core.models import Community
from gongzhi.deliberation.models import Status
from gongzhi.evaluation import services as evaluation_services
from gongzhi.evaluation.engine import EvalInput, evaluate, month_of
from gongzhi.meetings.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    ItemSource,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    Presence,
    Registration,
)

RESIDENTS = 300
TEST_SETTINGS = override_settings(
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    SMS_BACKEND="gongzhi.notifications.sms.LocmemSmsBackend",
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)


def _seed() -> None:
    with TEST_SETTINGS, TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", residents=RESIDENTS, seed=7, quiet=True, stdout=io.StringIO())


@pytest.mark.django_db
def test_the_demo_council_meets_and_the_committee_hears_residents():
    with transaction.atomic():
        _seed()
        _check_the_demo()
        transaction.set_rollback(True)


def _check_the_demo() -> None:
    xingfu = Community.objects.get(slug="xingfu")
    today = timezone.localdate()
    council = Body.objects.in_community(xingfu).get(kind=BodyKind.COUNCIL)
    meetings = Meeting.objects.in_community(xingfu)

    # The council's last meeting: a proposal answered, a show of hands, minutes approved.
    past = meetings.get(body=council, status=MeetingStatus.CLOSED)
    assert past.starts_at < timezone.now() - timedelta(days=10)
    assert past.agenda_versions.count() == 1
    assert past.agenda_versions.get().published_at <= past.starts_at - timedelta(days=7)
    items = AgendaItem.objects.in_community(xingfu).filter(meeting=past)
    answered = items.get(source=ItemSource.PROPOSAL)
    assert answered.decision.decision is not None  # the council's Decision, in the register
    assert answered.proposal is not None and answered.proposal.status == Status.ACCEPTED
    voted = items.get(title="开展楼道堆物集中清理").decision
    assert voted.ballots.count() == voted.present == 4 and voted.votes_against == 1
    presences = Presence.objects.in_community(xingfu).filter(meeting=past)
    assert presences.filter(role="member").count() == 4
    assert presences.filter(role="observer").count() == 1
    assert past.minutes.status == MinutesStatus.APPROVED and past.minutes.approved_how == "majority"
    assert past.minutes.document is not None
    # Follow-ups: one done on time, one open, one overdue, flagged and carried over.
    actions = ActionItem.objects.in_community(xingfu)
    assert actions.count() == 3
    assert actions.filter(status=ActionStatus.DONE).count() == 1
    overdue = actions.get(status=ActionStatus.OPEN, due_on__lt=today)
    assert overdue.flagged_at is not None
    coming = meetings.get(body=council, series__isnull=True, status=MeetingStatus.SCHEDULED)
    assert coming.starts_at > timezone.now()
    carried = AgendaItem.objects.in_community(xingfu).filter(meeting=coming)
    assert carried.filter(source=ItemSource.ACTION, action=overdue).exists()
    assert carried.filter(source=ItemSource.PROPOSAL).exists()
    assert coming.agenda_versions.count() == 1
    assert Registration.objects.in_community(xingfu).filter(meeting=coming).count() == 6
    series = meetings.filter(body=council, series__isnull=False)
    assert series.count() == 12 and series.filter(starts_at__lt=coming.ends_at).count() == 0

    # The committee's hearing (response published) and round table (points agreed).
    hearing = meetings.get(kind=MeetingKind.HEARING).hearing
    assert hearing.response_published_at is not None
    assert hearing.speakers.exclude(slot=None).count() == 3
    submissions = hearing.submissions.all()
    assert len(submissions) == 4 and all(s.group and s.group.answer for s in submissions)
    assert all(
        hearing.submissions_open_at <= s.created_at <= hearing.submissions_close_at
        for s in submissions
    )
    table = meetings.get(kind=MeetingKind.ROUND_TABLE)
    assert table.participants.count() == 4 and table.agreed_points.count() == 2

    assert journal.verify(xingfu) is None
    _check_the_indicators(xingfu)
    _check_the_pages(xingfu, past, coming)


def _check_the_indicators(xingfu: Community) -> None:
    """The demo's meetings as the evaluation reads them, from the journal alone."""
    journal.chain(xingfu)
    inp = EvalInput(
        entries=list(evaluation_services.entries(xingfu)),
        persons=evaluation_services.persons(xingfu),
        months=[month_of(timezone.now(), evaluation_services.tz())],
        tz=evaluation_services.tz(),
    )
    month = inp.months[0]
    cells = evaluate(
        inp,
        {
            "held": "gongzhi.meetings.indicators:meetings_held",
            "quorum": "gongzhi.meetings.indicators:quorum_share",
            "attendance": "gongzhi.meetings.indicators:attendance",
            "came": "gongzhi.meetings.indicators:members_attending",
        },
    )
    assert cells["held"][month].value == 3  # the council's meeting, the hearing, the round table
    assert cells["quorum"][month].value == 1.0
    assert cells["attendance"][month].value == pytest.approx(4 / 5)
    assert cells["came"][month].value == pytest.approx(4 / 5)


def _check_the_pages(xingfu: Community, past: Meeting, coming: Meeting) -> None:
    urls = [
        reverse("meeting_list", args=[xingfu.slug]),
        reverse("meeting_detail", args=[xingfu.slug, past.pk]),
        reverse("meeting_detail", args=[xingfu.slug, coming.pk]),
    ]
    for meeting in Meeting.objects.in_community(xingfu).filter(
        kind__in=[MeetingKind.HEARING, MeetingKind.ROUND_TABLE]
    ):
        urls.append(reverse("meeting_detail", args=[xingfu.slug, meeting.pk]))
    for phone in ("", "+8613900000001", "+8613900000002"):
        client = Client()
        if phone:
            client.force_login(User.objects.get(phone=phone))
        for url in urls:
            assert client.get(url).status_code == 200, (phone, url)
