"""Deadlines with a frozen clock (time-machine): reminders before respond-by and resolve-by,
escalation after, each once however often the sweep runs; unrated resolved tickets close."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from gongzhi.core.models import Activity, Role
from gongzhi.feedback import services
from gongzhi.feedback.models import EventKind, Status, TicketEvent
from gongzhi.notifications.models import Notification
from tests.factories import member

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _events(ticket, kind):
    return list(
        TicketEvent.objects.in_community(ticket.community_id)
        .filter(ticket=ticket, kind=kind)
        .values_list("data", flat=True)
    )


def _sweep():
    out = StringIO()
    call_command("hotline_deadlines", stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def elevator_ticket(community, resident, handler, file_ticket):
    """An elevator ticket filed at T0: answer within 4 hours, resolve within 2 days."""
    with time_machine.travel(T0, tick=False):
        ticket = file_ticket(resident)
    assert ticket.category.code == "elevator"
    assert ticket.respond_by == T0 + timedelta(hours=4)
    assert ticket.resolve_by == T0 + timedelta(days=2)
    return ticket


@pytest.mark.django_db
def test_respond_reminder_then_escalation_each_once(
    community, elevator_ticket, handler, worker, supervisor
):
    ticket = elevator_ticket
    # Two hours in: more than a quarter of the four hours is left, nothing yet.
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        assert _sweep() == "reminded=0 escalated=0 closed=0"
    # Three and a half hours in: the handler is reminded, once.
    with time_machine.travel(T0 + timedelta(hours=3, minutes=30), tick=False):
        assert _sweep() == "reminded=1 escalated=0 closed=0"
        assert _sweep() == "reminded=0 escalated=0 closed=0"
    reminders = Notification.objects.filter(kind="hotline_deadline")
    assert [n.user for n in reminders] == [handler]
    assert _events(ticket, EventKind.REMINDER) == [{"deadline": "respond"}]
    # Past respond-by: escalated to the community workers and the supervision committee.
    with time_machine.travel(T0 + timedelta(hours=4, minutes=1), tick=False):
        assert _sweep() == "reminded=0 escalated=1 closed=0"
        assert _sweep() == "reminded=0 escalated=0 closed=0"
    ticket.refresh_from_db()
    assert ticket.respond_escalated_at == T0 + timedelta(hours=4, minutes=1)
    assert ticket.escalated
    told = set(Notification.objects.filter(kind="hotline_deadline").values_list("user", flat=True))
    assert told == {handler.pk, worker.pk, supervisor.pk}
    assert Activity.objects.in_community(community).filter(verb="hotline.escalated").count() == 1
    # Escalation is internal: not on the public timeline.
    assert (
        not TicketEvent.objects.in_community(community)
        .filter(kind=EventKind.ESCALATED, public=True)
        .exists()
    )


@pytest.mark.django_db
def test_an_accepted_ticket_is_not_chased_for_an_answer_but_for_its_resolution(
    community, elevator_ticket, handler, worker
):
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        ticket = services.ticket_accept(actor=handler, ticket=elevator_ticket)
    with time_machine.travel(T0 + timedelta(hours=5), tick=False):
        assert _sweep() == "reminded=0 escalated=0 closed=0"
    # A quarter of two days (12 h) before resolve-by: reminded.
    with time_machine.travel(T0 + timedelta(hours=36, minutes=1), tick=False):
        assert _sweep() == "reminded=1 escalated=0 closed=0"
    with time_machine.travel(T0 + timedelta(days=2, seconds=1), tick=False):
        assert _sweep() == "reminded=0 escalated=1 closed=0"
        assert _sweep() == "reminded=0 escalated=0 closed=0"
    assert _events(ticket, EventKind.ESCALATED) == [{"deadline": "resolve"}]
    ticket.refresh_from_db()
    assert ticket.respond_escalated_at is None and ticket.resolve_escalated_at is not None


@pytest.mark.django_db
def test_a_resolved_ticket_is_not_escalated(community, elevator_ticket, handler):
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        ticket = services.ticket_accept(actor=handler, ticket=elevator_ticket)
        services.ticket_resolve(actor=handler, ticket=ticket, note="修好了")
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        assert _sweep() == "reminded=0 escalated=0 closed=0"


@pytest.mark.django_db
def test_reopening_gives_a_new_resolve_deadline_and_a_new_escalation(
    community, elevator_ticket, handler, resident
):
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        ticket = services.ticket_accept(actor=handler, ticket=elevator_ticket)
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        assert _sweep() == "reminded=0 escalated=1 closed=0"
        ticket = services.ticket_resolve(actor=handler, ticket=ticket, note="修好了")
    with time_machine.travel(T0 + timedelta(days=4), tick=False):
        ticket = services.ticket_reopen(actor=resident, ticket=ticket, reason="又坏了")
    assert ticket.resolve_by == T0 + timedelta(days=6)
    with time_machine.travel(T0 + timedelta(days=6, seconds=1), tick=False):
        assert _sweep() == "reminded=0 escalated=1 closed=0"


@pytest.mark.django_db
def test_triage_tickets_must_be_answered_within_a_day(community, resident, worker, file_ticket):
    with time_machine.travel(T0, tick=False):
        ticket = file_ticket(resident, text="您好，想问一下")
    assert ticket.category is None
    with time_machine.travel(T0 + timedelta(hours=19), tick=False):
        assert _sweep() == "reminded=1 escalated=0 closed=0"
    assert Notification.objects.filter(kind="hotline_deadline", user=worker).exists()
    with time_machine.travel(T0 + timedelta(hours=25), tick=False):
        assert _sweep() == "reminded=0 escalated=1 closed=0"


@pytest.mark.django_db
def test_unrated_resolved_tickets_close_after_the_reopening_window(
    community, elevator_ticket, handler, resident
):
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        ticket = services.ticket_accept(actor=handler, ticket=elevator_ticket)
        services.ticket_resolve(actor=handler, ticket=ticket, note="修好了")
    with time_machine.travel(T0 + timedelta(days=7), tick=False):
        assert _sweep() == "reminded=0 escalated=0 closed=0"
    with time_machine.travel(T0 + timedelta(days=7, hours=2), tick=False):
        assert _sweep() == "reminded=0 escalated=0 closed=1"
        assert _sweep() == "reminded=0 escalated=0 closed=0"
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.closed_at == T0 + timedelta(days=7, hours=2)


@pytest.mark.django_db
def test_overdue_queue_follows_the_clock(community, elevator_ticket, worker):
    from gongzhi.feedback import selectors

    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        assert not selectors.queue(community=community, user=worker, name="overdue").exists()
    with time_machine.travel(T0 + timedelta(hours=5), tick=False):
        assert list(selectors.queue(community=community, user=worker, name="overdue")) == [
            elevator_ticket
        ]


@pytest.mark.django_db
def test_a_community_without_handlers_reminds_its_workers(community, resident, file_ticket):
    worker = member(community, Role.COMMUNITY_WORKER)
    with time_machine.travel(T0, tick=False):
        ticket = file_ticket(resident, text="楼下广场舞音响太吵了，晚上十点还在跳")
    assert ticket.category.code == "noise" and ticket.department is None
    with time_machine.travel(ticket.respond_by - timedelta(minutes=30), tick=False):
        assert _sweep() == "reminded=1 escalated=0 closed=0"
    assert Notification.objects.filter(kind="hotline_deadline", user=worker).count() == 1
