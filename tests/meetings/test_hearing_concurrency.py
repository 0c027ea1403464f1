"""Speaker registration and the draw under real concurrent requests: threads against the live
server, each its own database connection (run on PostgreSQL with DATABASE_URL; SQLite
serialises writers by its own lock). The hearing's row is locked by every write and one
registration per person is a unique constraint, so one person's two requests leave one row,
and two draws at once settle the speakers once."""

from __future__ import annotations

import pytest

from gongzhi.accounts.services import api_token_create
from gongzhi.core.models import Activity, Role
from gongzhi.meetings import hearings
from gongzhi.meetings.models import MeetingKind, Speaker, SpeakerStatus
from tests.concurrency import race_posts
from tests.factories import member
from tests.meetings.test_hearings import close_speakers, setup_args
from tests.meetings.world import meeting_of, seated_council


@pytest.fixture
def hearing(community, worker):
    body = seated_council(community, worker, members=3)[0]
    meeting = meeting_of(body, worker, kind=MeetingKind.HEARING)
    return hearings.hearing_setup(actor=worker, **setup_args(meeting))


def _url(live_server, hearing, tail: str) -> str:
    slug = hearing.meeting.community.slug
    return (
        f"{live_server.url}/api/v1/communities/{slug}/meetings/{hearing.meeting_id}/hearing/{tail}"
    )


@pytest.mark.django_db(transaction=True)
def test_one_persons_two_registrations_at_once_leave_one_row(live_server, community, hearing):
    alice = member(community)
    token = api_token_create(user=alice, name="t")[1]

    statuses = race_posts(
        _url(live_server, hearing, "speakers"),
        token,
        [{"position_summary": "支持"}, {"position_summary": "支持（重复）"}],
    )

    assert statuses == [201, 400]
    assert Speaker.objects.in_community(community).filter(person=alice).count() == 1
    assert (
        Activity.objects.in_community(community).filter(verb="hearing.speaker_registered").count()
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_many_residents_register_at_once_and_each_has_a_row(live_server, community, hearing):
    people = [member(community) for _ in range(6)]
    tokens = [api_token_create(user=p, name="t")[1] for p in people]

    statuses = race_posts(
        _url(live_server, hearing, "speakers"),
        tokens,
        [{"position_summary": f"意见 {i}"} for i in range(6)],
    )

    assert statuses == [201] * 6
    assert Speaker.objects.in_community(community).count() == 6


@pytest.mark.django_db(transaction=True)
def test_two_draws_at_once_settle_the_speakers_once(live_server, community, hearing):
    for i in range(4):
        hearings.speaker_register(actor=member(community), hearing=hearing, position_summary=f"{i}")
    close_speakers(hearing)
    tokens = [
        api_token_create(user=member(community, Role.SUPERVISOR), name="t")[1] for _i in range(2)
    ]

    statuses = race_posts(
        _url(live_server, hearing, "draw"), tokens, [{"seed": "上午 12"}, {"seed": "下午 34"}]
    )

    assert statuses == [200, 400]
    hearing.refresh_from_db()
    assert hearing.seed in {"上午 12", "下午 34"}
    speaking = Speaker.objects.in_community(community).filter(status=SpeakerStatus.SPEAKING)
    assert sorted(speaking.values_list("slot", flat=True)) == [1, 2]
    drawn = Activity.objects.in_community(community).filter(verb="hearing.speakers_drawn")
    assert [e.data["seed"] for e in drawn] == [hearing.seed]
