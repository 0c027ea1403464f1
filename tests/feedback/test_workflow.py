"""The hotline's workflow through its services: filing and routing, each step from the states
that allow it, rating, reopening, merging, overrides as training data, and bad input."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.core.models import Activity, Role
from gongzhi.feedback import routing, services
from gongzhi.feedback.models import (
    MAX_TEXT,
    EventKind,
    Follower,
    Rating,
    Routing,
    RoutingCorrection,
    Status,
    StoredRouter,
    Ticket,
    TicketEvent,
    TicketPhoto,
)
from gongzhi.notifications.models import Notification
from tests.factories import member
from tests.feedback.conftest import png

ELEVATOR = "3号楼电梯坏了，卡在五楼不动，老人下不了楼"


def _kinds(ticket):
    return list(
        TicketEvent.objects.in_community(ticket.community_id)
        .filter(ticket=ticket)
        .values_list("kind", flat=True)
    )


@pytest.mark.django_db
def test_filing_routes_confident_text_and_sets_deadlines_from_the_category(
    community, resident, handler, department, file_ticket, categories
):
    ticket = file_ticket(resident, photos=[png()])
    assert ticket.number == 1
    assert ticket.status == Status.SUBMITTED
    assert ticket.routing == Routing.AUTO
    assert ticket.category.code == "elevator" == ticket.predicted_category.code
    assert 0.3 <= ticket.confidence <= 1
    assert ticket.department == department
    elevator = categories["elevator"]
    assert ticket.respond_by == ticket.created_at + timedelta(hours=elevator.respond_within_hours)
    assert ticket.resolve_by == ticket.created_at + timedelta(days=elevator.resolve_within_days)
    assert TicketPhoto.objects.in_community(community).filter(ticket=ticket).count() == 1
    assert list(Follower.objects.in_community(community).values_list("user", flat=True)) == [
        resident.pk
    ]
    assert _kinds(ticket) == [EventKind.FILED, EventKind.ROUTED]
    entry = Activity.objects.in_community(community).get(verb="hotline.filed")
    assert entry.actor == resident and entry.data["routing"] == "auto"
    # The department's handler hears of it.
    assert Notification.objects.filter(user=handler, kind="hotline_ticket_assigned").exists()
    # Numbers go on per community.
    assert file_ticket(resident, text="楼下广场舞音响太吵").number == 2


@pytest.mark.django_db
def test_low_confidence_goes_to_triage_without_a_guess(community, resident, file_ticket):
    ticket = file_ticket(resident, text="您好，想问一下")
    assert ticket.routing == Routing.TRIAGE
    assert ticket.category is None
    assert ticket.confidence < 0.3
    assert ticket.predicted_category is not None  # kept for staff, not applied
    assert ticket.resolve_by is None
    assert ticket.respond_by == ticket.created_at + timedelta(hours=services.TRIAGE_RESPOND_HOURS)


@pytest.mark.django_db
def test_a_reporter_may_choose_the_category(community, resident, file_ticket):
    ticket = file_ticket(resident, text="想问一下", category="suggestion")
    assert ticket.routing == Routing.CHOSEN and ticket.category.code == "suggestion"


@pytest.mark.django_db
def test_the_whole_path_submitted_to_rated(community, resident, handler, worker, file_ticket):
    ticket = file_ticket(resident)
    ticket = services.ticket_accept(actor=handler, ticket=ticket, note="马上安排")
    assert ticket.status == Status.ACCEPTED and ticket.accepted_at and ticket.assignee == handler
    ticket = services.ticket_start(actor=handler, ticket=ticket)
    assert ticket.status == Status.IN_PROGRESS and ticket.started_at
    ticket = services.ticket_resolve(
        actor=handler, ticket=ticket, note="已更换控制板，电梯恢复运行"
    )
    assert ticket.status == Status.RESOLVED and ticket.resolved_at
    assert Notification.objects.filter(user=resident, kind="hotline_ticket_update").count() == 3
    rating = services.ticket_rate(
        actor=resident, ticket=ticket, solved=True, satisfaction=5, comment="很快"
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.closed_at
    assert rating.satisfaction == 5 and rating.solved
    assert _kinds(ticket) == [
        "filed",
        "routed",
        "accepted",
        "started",
        "resolved",
        "rated",
    ]
    verbs = list(
        Activity.objects.in_community(community).order_by("pk").values_list("verb", flat=True)
    )
    for verb in ("hotline.accepted", "hotline.started", "hotline.resolved", "hotline.rated"):
        assert verb in verbs


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "step"),
    [
        ("submitted", "start"),
        ("submitted", "resolve"),
        ("accepted", "accept"),
        ("resolved", "accept"),
        ("resolved", "resolve"),
        ("closed", "start"),
        ("closed", "close"),
    ],
)
def test_a_step_is_refused_from_a_state_that_does_not_allow_it(
    community, resident, handler, worker, file_ticket, status, step
):
    ticket = file_ticket(resident)
    if status != "submitted":
        ticket = services.ticket_accept(actor=handler, ticket=ticket)
    if status in ("resolved", "closed"):
        ticket = services.ticket_resolve(actor=handler, ticket=ticket, note="好了")
    if status == "closed":
        ticket = services.ticket_close(actor=worker, ticket=ticket)
    before = Ticket.objects.in_community(community).get(pk=ticket.pk)
    steps = {
        "accept": lambda: services.ticket_accept(actor=handler, ticket=ticket),
        "start": lambda: services.ticket_start(actor=handler, ticket=ticket),
        "resolve": lambda: services.ticket_resolve(actor=handler, ticket=ticket, note="x"),
        "close": lambda: services.ticket_close(actor=worker, ticket=ticket, note="x"),
    }
    with pytest.raises(ValidationError) as error:
        steps[step]()
    assert error.value.code == "wrong_status"
    after = Ticket.objects.in_community(community).get(pk=ticket.pk)
    assert after.status == before.status and after.updated_at == before.updated_at


@pytest.mark.django_db
def test_a_triage_ticket_is_accepted_only_once_categorised(
    community, resident, worker, file_ticket
):
    ticket = file_ticket(resident, text="您好，想问一下")
    with pytest.raises(ValidationError) as error:
        services.ticket_accept(actor=worker, ticket=ticket)
    assert error.value.code == "no_category"
    ticket = services.ticket_recategorise(actor=worker, ticket=ticket, category="suggestion")
    assert ticket.routing == Routing.OVERRIDDEN
    assert services.ticket_accept(actor=worker, ticket=ticket).status == Status.ACCEPTED


@pytest.mark.django_db
def test_rating_only_by_the_reporter_once_resolved_and_only_once(
    community, resident, handler, file_ticket
):
    ticket = file_ticket(resident)
    with pytest.raises(ValidationError):
        services.ticket_rate(actor=resident, ticket=ticket, solved=True, satisfaction=4)
    services.ticket_accept(actor=handler, ticket=ticket)
    services.ticket_resolve(actor=handler, ticket=ticket, note="修好了")
    neighbour = member(community)
    with pytest.raises(PermissionDenied):
        services.ticket_rate(actor=neighbour, ticket=ticket, solved=True, satisfaction=4)
    for bad in (0, 6, "x", None):
        with pytest.raises(ValidationError) as error:
            services.ticket_rate(actor=resident, ticket=ticket, solved=True, satisfaction=bad)
        assert error.value.code == "satisfaction"
    services.ticket_rate(actor=resident, ticket=ticket, solved=False, satisfaction=2)
    with pytest.raises(ValidationError) as error:
        services.ticket_rate(actor=resident, ticket=ticket, solved=True, satisfaction=5)
    assert error.value.code == "already_rated"
    assert Rating.objects.in_community(community).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_rating_and_a_satisfaction_out_of_range(
    community, resident, handler, file_ticket
):
    from django.db import IntegrityError, transaction

    ticket = file_ticket(resident)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.in_community(community).create(ticket=ticket, solved=True, satisfaction=6)
    Rating.objects.in_community(community).create(ticket=ticket, solved=True, satisfaction=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.in_community(community).create(ticket=ticket, solved=True, satisfaction=3)


@pytest.mark.django_db
def test_the_reporter_reopens_within_the_window_staff_later(
    community, resident, handler, worker, file_ticket
):
    ticket = file_ticket(resident)
    services.ticket_accept(actor=handler, ticket=ticket)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ticket = services.ticket_resolve(actor=handler, ticket=ticket, note="修好了")
    with time_machine.travel(start + timedelta(days=3), tick=False):
        ticket = services.ticket_reopen(actor=resident, ticket=ticket, reason="又坏了")
        assert ticket.status == Status.IN_PROGRESS and ticket.reopen_count == 1
        assert ticket.resolved_at is None
        elevator_days = ticket.category.resolve_within_days
        assert ticket.resolve_by == timezone.now() + timedelta(days=elevator_days)
        ticket = services.ticket_resolve(actor=handler, ticket=ticket, note="再次修好")
    with (
        time_machine.travel(start + timedelta(days=11), tick=False),
        pytest.raises(PermissionDenied),
    ):
        services.ticket_reopen(actor=resident, ticket=ticket, reason="还是坏")
    with time_machine.travel(start + timedelta(days=11), tick=False):
        ticket = services.ticket_reopen(actor=worker, ticket=ticket, reason="居民电话反映")
    assert ticket.reopen_count == 2
    with pytest.raises(ValidationError) as error:
        services.ticket_reopen(actor=worker, ticket=ticket, reason="  ")
    assert error.value.code == "empty"


@pytest.mark.django_db
def test_merging_keeps_every_reporter_informed(community, resident, handler, worker, file_ticket):
    first = file_ticket(resident)
    neighbour = member(community)
    second = file_ticket(neighbour, text="电梯又坏了，困在五楼")
    services.ticket_merge(actor=worker, ticket=second, into=first)
    second.refresh_from_db()
    assert second.status == Status.CLOSED and second.duplicate_of == first
    followers = set(
        Follower.objects.in_community(community).filter(ticket=first).values_list("user", flat=True)
    )
    assert followers == {resident.pk, neighbour.pk}
    assert Notification.objects.filter(user=neighbour, kind="hotline_ticket_update").count() == 1
    services.ticket_accept(actor=handler, ticket=first)
    services.ticket_resolve(actor=handler, ticket=first, note="修好了")
    # Both reporters hear of the resolution; only the first may rate it.
    for user in (resident, neighbour):
        assert Notification.objects.filter(
            user=user, kind="hotline_ticket_update", params__ref=first.reference
        ).exists()
    with pytest.raises(PermissionDenied):
        services.ticket_rate(actor=neighbour, ticket=first, solved=True, satisfaction=5)
    # A merged ticket cannot be merged again, nor can anything merge into it.
    with pytest.raises(ValidationError):
        services.ticket_merge(actor=worker, ticket=second, into=first)
    third = file_ticket(neighbour, text="电梯坏了")
    with pytest.raises(ValidationError):
        services.ticket_merge(actor=worker, ticket=third, into=second)
    with pytest.raises(ValidationError):
        services.ticket_merge(actor=worker, ticket=third, into=third)


@pytest.mark.django_db
def test_an_override_is_a_labelled_example_and_retrains_the_router(
    community, resident, worker, file_ticket, django_capture_on_commit_callbacks
):
    text = "小区门口那个卖烤红薯的摊子一直占道"
    ticket = file_ticket(resident, text=text)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_recategorise(actor=worker, ticket=ticket, category="parking")
    correction = RoutingCorrection.objects.in_community(community).get()
    assert correction.text == text and correction.category.code == "parking"
    assert correction.by == worker
    stored = StoredRouter.objects.in_community(community).get()
    assert stored.examples == 1
    routing.forget()
    assert routing.router_for(community.pk).examples == ((text, "parking"),)
    ticket.refresh_from_db()
    assert ticket.routing == Routing.OVERRIDDEN and ticket.category.code == "parking"


@pytest.mark.django_db
def test_a_worker_files_for_a_resident(community, resident, worker, file_ticket):
    ticket = file_ticket(worker, on_behalf_of=resident)
    assert ticket.reporter == resident and ticket.filed_by == worker
    entry = Activity.objects.in_community(community).get(verb="hotline.filed")
    assert entry.actor == worker and entry.on_behalf_of == resident
    other = member(community)
    with pytest.raises(PermissionDenied):
        file_ticket(other, on_behalf_of=resident)


# --- Bad input: a clear, translated error and nothing saved -----------------------------------


def _nothing_saved(community):
    return (
        Ticket.objects.in_community(community).count() == 0
        and TicketEvent.objects.in_community(community).count() == 0
        and TicketPhoto.objects.in_community(community).count() == 0
        and not Activity.objects.in_community(community).filter(verb="hotline.filed").exists()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "code", "words"),
    [
        ({"text": "   "}, "empty", "write what happened"),
        ({"text": "漏" * (MAX_TEXT + 1)}, "too_long", "at most 2000 characters"),
        ({"category": "weather"}, "unknown_category", "no category “weather”"),
        ({"contact": "fax"}, "contact", "contacted"),
        ({"latitude": "91", "longitude": "116"}, "point", "latitude between -90 and 90"),
        ({"latitude": "abc", "longitude": "116"}, "point", "latitude"),
        ({"photos": [SimpleUploadedFile("a.exe", b"MZ\x90\x00 x")]}, "upload_type", "a.exe"),
        ({"photos": [png(f"{i}.png") for i in range(6)]}, "too_many_files", "At most 5"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_saved(
    community, resident, file_ticket, kwargs, code, words
):
    from django.utils import translation

    # Checked in English (the msgids); the catalogues give them in the resident's language.
    kwargs = {"text": ELEVATOR, **kwargs}
    with translation.override("en"), pytest.raises(ValidationError) as error:
        file_ticket(resident, **kwargs)
    assert error.value.code == code
    message = " ".join(error.value.messages)
    assert words in message
    assert _nothing_saved(community)
    assert not os.path.exists(os.path.join(str(_media_root()), "feedback")) or not any(
        files for _d, _s, files in os.walk(os.path.join(str(_media_root()), "feedback"))
    )


@pytest.mark.django_db
def test_errors_come_in_the_residents_language(community, resident, file_ticket):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        file_ticket(resident, photos=[png(f"{i}.png") for i in range(6)])
    assert "照片" in " ".join(error.value.messages)


def _media_root():
    from django.conf import settings

    return settings.MEDIA_ROOT


@pytest.mark.django_db
def test_unknown_or_inactive_category_on_override(community, resident, worker, file_ticket):
    ticket = file_ticket(resident)
    services.category_update(actor=worker, category=ticket.category, active=False)
    with pytest.raises(ValidationError) as error:
        services.ticket_recategorise(actor=worker, ticket=ticket, category="elevator")
    assert error.value.code == "unknown_category"
    assert not RoutingCorrection.objects.in_community(community).exists()


@pytest.mark.django_db
def test_resolving_needs_an_answer(community, resident, handler, file_ticket):
    ticket = services.ticket_accept(actor=handler, ticket=file_ticket(resident))
    with pytest.raises(ValidationError) as error:
        services.ticket_resolve(actor=handler, ticket=ticket, note=" ")
    assert error.value.code == "empty"
    ticket.refresh_from_db()
    assert ticket.status == Status.ACCEPTED


@pytest.mark.django_db
def test_assigning_checks_the_handler(
    community, resident, worker, handler, department, file_ticket
):
    ticket = file_ticket(resident, text="您好，想问一下")
    stranger = member(community)
    with pytest.raises(ValidationError) as error:
        services.ticket_assign(actor=worker, ticket=ticket, assignee=stranger)
    assert error.value.code == "not_handler"
    ticket = services.ticket_assign(actor=worker, ticket=ticket, assignee=handler)
    assert ticket.department == department and ticket.assignee == handler
    assert Notification.objects.filter(user=handler, kind="hotline_ticket_assigned").exists()
    # A community worker may take a ticket themselves.
    other_worker = member(community, Role.COMMUNITY_WORKER)
    ticket = services.ticket_assign(actor=worker, ticket=ticket, assignee=other_worker)
    assert ticket.assignee == other_worker


@pytest.mark.django_db
def test_default_categories_are_installed_once(community):
    first = services.categories_install_defaults(community=community)
    again = services.categories_install_defaults(community=community)
    assert len(first) == len(again) == len(services.DEFAULT_CATEGORIES)
    assert {c.code for c in first} == set(services.DEFAULT_CATEGORIES)
