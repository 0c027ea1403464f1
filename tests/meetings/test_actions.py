"""Follow-ups of decisions: set with an owner and a due date, marked done by their owner or a
worker (on time or late, as the journal tells the indicators), public by status, and overdue
ones reported once to the supervision committee and carried once onto the body's next
scheduled meeting (``manage.py minutes_deadlines``, on a frozen clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext

from gongzhi.bodies import supervision
from gongzhi.core.models import Activity
from gongzhi.meetings import minutes as services
from gongzhi.meetings.models import ActionItem, ActionStatus, AgendaItem, MeetingStatus
from gongzhi.notifications.models import Notification
from tests.meetings.test_minutes import T0, closed_meeting, codes
from tests.meetings.world import meeting_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_setting_a_follow_up_checks_its_input_and_saves_nothing_bad(clock, community, worker):
    meeting, people, decision = closed_meeting(community, worker)
    today = T0.date()
    for kwargs, code in (
        (
            {"title": "修路灯", "owner_name": "物业", "due_on": today - timedelta(days=1)},
            "due_in_past",
        ),
        ({"title": " ", "owner_name": "物业", "due_on": today}, "title_empty"),
        ({"title": "修路灯", "due_on": today}, "owner_missing"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.action_create(actor=people[0], decision=decision, **kwargs)
        assert codes(refused.value) == {code}
    with pytest.raises(ValidationError) as past:
        services.action_create(
            actor=people[0],
            decision=decision,
            title="修路灯",
            owner_name="物业",
            due_on=today - timedelta(days=1),
        )
    assert past.value.messages == [gettext("A follow-up cannot be due in the past.")]
    with pytest.raises(PermissionDenied):
        services.action_create(
            actor=people[2], decision=decision, title="修路灯", owner_name="物业", due_on=today
        )
    assert not ActionItem.objects.exists()
    action = services.action_create(
        actor=people[0], decision=decision, title="修路灯", owner=people[2], due_on=today
    )
    entry = Activity.objects.get(verb="action.created")
    assert entry.data == {"action": action.pk, "meeting": meeting.pk, "due_on": today.isoformat()}


def test_only_the_owner_or_a_worker_closes_a_follow_up(clock, community, worker):
    _meeting, people, decision = closed_meeting(community, worker)
    due = T0.date() + timedelta(days=3)
    mine = services.action_create(
        actor=people[0], decision=decision, title="修路灯", owner=people[2], due_on=due
    )
    with pytest.raises(PermissionDenied):
        services.action_update(actor=people[1], action=mine, status="done")
    with pytest.raises(ValidationError) as why:
        services.action_update(actor=people[2], action=mine, status="dropped")
    assert codes(why.value) == {"note_empty"}
    services.action_update(actor=people[2], action=mine, status="done", note="已换好")
    mine.refresh_from_db()
    assert mine.status == ActionStatus.DONE and mine.done_note == "已换好"
    assert Activity.objects.get(verb="action.updated").data["on_time"] is True
    with pytest.raises(ValidationError) as closed:
        services.action_update(actor=worker, action=mine, status="dropped", note="算了")
    assert codes(closed.value) == {"action_not_open"}

    theirs = services.action_create(
        actor=people[0], decision=decision, title="补绿化", owner_name="物业公司", due_on=due
    )
    clock.shift(timedelta(days=5))
    services.action_update(actor=worker, action=theirs, status="done")
    late = Activity.objects.filter(verb="action.updated").order_by("-pk").first()
    assert late.data["on_time"] is False and late.data["status"] == "done"


def test_overdue_follow_ups_are_flagged_and_carried_once(
    clock, community, worker, supervisor, django_capture_on_commit_callbacks
):
    meeting, people, decision = closed_meeting(community, worker)
    action = services.action_create(
        actor=people[0],
        decision=decision,
        title="修路灯",
        owner_name="物业公司",
        due_on=T0.date() + timedelta(days=2),
    )
    clock.shift(timedelta(days=2))
    assert services.minutes_deadlines().flagged == 0  # due today is not overdue yet
    clock.shift(timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        run = services.minutes_deadlines()
    # No meeting of the body is scheduled: flagged now, carried later.
    assert (run.flagged, run.carried) == (1, 0)
    action.refresh_from_db()
    assert action.flagged_at is not None
    assert Notification.objects.filter(kind="action_overdue", user=supervisor).count() == 1
    assert Activity.objects.filter(verb="action.flagged").count() == 1

    meeting_of(meeting.body, worker, starts_in=timedelta(days=20), title="下次议事会")
    following = meeting_of(meeting.body, worker, starts_in=timedelta(days=10), title="临时会议")
    meeting_of(
        meeting.body,
        worker,
        starts_in=timedelta(days=5),
        title="已取消的会",
        status=MeetingStatus.CANCELLED,
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = services.minutes_deadlines()
    assert (run.flagged, run.carried) == (0, 1)
    carried = AgendaItem.objects.get(action=action)
    assert carried.meeting == following and carried.source == "action"
    assert "修路灯" in carried.title
    added = Activity.objects.get(verb="agenda.item_added")
    assert added.actor is None and added.data["source"] == "action"

    clock.shift(timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        run = services.minutes_deadlines()
    assert (run.flagged, run.carried) == (0, 0)
    assert Notification.objects.filter(kind="action_overdue", user=supervisor).count() == 1
    assert AgendaItem.objects.filter(action=action).count() == 1


def test_the_public_list_and_the_supervision_dashboard_show_overdue_ones(
    clock, client, community, worker, supervisor
):
    meeting, people, decision = closed_meeting(community, worker)
    closed, _people, closed_decision = closed_meeting(
        community, worker, public=False, name="监委会"
    )
    services.action_create(
        actor=people[0], decision=decision, title="修路灯", owner_name="物业", due_on=T0.date()
    )
    services.action_create(
        actor=worker,
        decision=closed_decision,
        title="内部事项",
        owner_name="社区",
        due_on=T0.date(),
    )
    clock.shift(timedelta(days=2))
    url = reverse("action_list", args=[community.slug])
    page = client.get(url + "?status=overdue").content.decode()
    assert "修路灯" in page and "内部事项" not in page  # a closed meeting's stay with staff
    api = client.get(f"/api/v1/communities/{community.slug}/actions?status=overdue").json()
    assert [a["title"] for a in api["items"]] == ["修路灯"] and api["items"][0]["overdue"]

    board = supervision.dashboard(community=community, viewer=supervisor)
    section = next(s for s in board.sections if s.key == "actions")
    assert section.figures[0].count == 2 and section.figures[0].warn
    client.force_login(supervisor)
    assert "内部事项" in client.get(section.figures[0].url).content.decode()
