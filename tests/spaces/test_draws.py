"""Draws for popular slots (draws.py): holds while open, requests once each, tiers fixed at the
close, the draw by the public seed (tier 0 first), winners' bookings, and a resident repeating
the draw with ``python -m gongzhi.core.lottery`` on the published list."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from gongzhi.core.models import Activity, Role
from gongzhi.notifications.models import Notification
from gongzhi.spaces import booking as engine
from gongzhi.spaces import draws as services
from gongzhi.spaces import series_selectors as selectors
from gongzhi.spaces.models import (
    Booking,
    BookingStatus,
    DrawRequest,
    DrawRequestOutcome,
    DrawRound,
    DrawStatus,
)
from tests.factories import member
from tests.meetings.world import seated_council
from tests.spaces.world import at, booking_of, space_of

pytestmark = pytest.mark.django_db

SEED = "2026-12-05 福彩3D 123"


def _open(space, worker, start, **extra):
    return services.draw_open(
        actor=worker,
        space=space,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        closes_at=extra.pop("closes_at", timezone.now() + timedelta(hours=1)),
        seed_rule=extra.pop("seed_rule", "12月5日福彩3D开奖号码"),
    )


def _close(draw):
    """Move the close into the past (the constraint wants it before the slot)."""
    DrawRound.objects.filter(pk=draw.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    draw.refresh_from_db()
    return draw


def _refused(code, call, *args, **kwargs):
    before = (Booking.objects.count(), DrawRequest.objects.count(), DrawRound.objects.count())
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code
    assert (
        Booking.objects.count(),
        DrawRequest.objects.count(),
        DrawRound.objects.count(),
    ) == before


def test_an_open_draw_holds_every_free_seat_so_nobody_books_it(community, worker, resident):
    space = space_of(community, seats=3)
    start = at(3, hour=19)
    booking_of(space, member(community), start, seat=2)
    draw = _open(space, worker, start)
    holds = Booking.objects.filter(draw=draw)
    assert sorted(holds.values_list("seat", flat=True)) == [1, 3]
    assert {h.status for h in holds} == {BookingStatus.DRAW}
    assert {h.person_id for h in holds} == {None} and {h.booked_by_id for h in holds} == {worker.pk}
    with pytest.raises(ValidationError) as caught:
        engine.book(
            actor=resident,
            space=space,
            starts_at=start + timedelta(minutes=30),
            ends_at=start + timedelta(hours=1),
            purpose="下棋",
        )
    assert caught.value.code == "booking_taken"
    assert Activity.objects.in_community(community).get(verb="draw.opened").actor_id == worker.pk


def test_opening_a_draw_is_for_managers_with_a_free_slot(community, worker, resident):
    space = space_of(community)
    start = at(3, hour=19)
    with pytest.raises(PermissionDenied):
        _open(space, resident, start)
    _refused("draw_seed_rule", _open, space, worker, start, seed_rule="  ")
    _refused("draw_closes_late", _open, space, worker, start, closes_at=start + timedelta(hours=1))
    _refused("draw_closes_past", _open, space, worker, start, closes_at=timezone.now())
    _refused("booking_past", _open, space, worker, at(-1))
    booking_of(space, resident, start)
    _refused("draw_slot_taken", _open, space, worker, start)


def test_requests_once_each_by_those_who_may_book_until_the_close(community, worker, resident):
    space = space_of(community)
    draw = _open(space, worker, at(3, hour=19))
    request = services.draw_request(actor=resident, draw=draw, purpose="生日会")
    assert request.outcome == DrawRequestOutcome.WAITING
    _refused("draw_twice", services.draw_request, actor=resident, draw=draw, purpose="再来")
    unverified = member(community, verified=False)
    _refused(
        "booking_not_resident", services.draw_request, actor=unverified, draw=draw, purpose="x"
    )
    _refused(
        "booking_no_purpose", services.draw_request, actor=member(community), draw=draw, purpose=""
    )
    with pytest.raises(PermissionDenied):
        services.draw_withdraw(actor=member(community), request=request)
    services.draw_withdraw(actor=resident, request=request)
    request.refresh_from_db()
    assert request.outcome == DrawRequestOutcome.WITHDRAWN
    _close(draw)
    _refused(
        "draw_closed", services.draw_request, actor=member(community), draw=draw, purpose="晚了"
    )


def test_the_list_is_published_only_once_requests_close(community, worker, resident):
    space = space_of(community)
    draw = _open(space, worker, at(3, hour=19))
    services.draw_request(actor=resident, draw=draw, purpose="生日会")
    assert selectors.published(draw) is None
    published = selectors.published(_close(draw))
    assert published is not None
    assert [e.position for e in published.entries] == [1]
    assert published.entries[0].label.startswith("#")


def _crowd(community, draw, count):
    people = [member(community, display_name=f"居民{n:02d}") for n in range(count)]
    for person in people:
        services.draw_request(actor=person, draw=draw, purpose="聚会")
    return people


def test_the_draw_gives_the_held_seats_to_winners_tier_0_first(community, worker):
    space = space_of(community, seats=2)
    start = at(5, hour=19)
    draw = _open(space, worker, start)
    people = _crowd(community, draw, 6)
    # four of them had the space lately: tier 1
    for person in people[:4]:
        booking_of(space, person, timezone.now() - timedelta(days=3 + people.index(person)))
    _close(draw)
    published = selectors.published(draw)
    assert [e.tier for e in published.entries] == [1, 1, 1, 1, 0, 0]
    other_worker = member(community, role=Role.COMMUNITY_WORKER)
    winners = services.draw_run(actor=other_worker, draw=draw, seed=SEED)
    assert {w.person_id for w in winners} == {people[4].pk, people[5].pk}
    booked = Booking.objects.filter(draw=draw).order_by("seat")
    assert [b.status for b in booked] == [BookingStatus.CONFIRMED] * 2
    assert {b.person_id for b in booked} == {people[4].pk, people[5].pk}
    assert booked[0].purpose == "聚会"
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN and draw.seed == SEED
    assert draw.drawn_by_id == other_worker.pk
    outcomes = DrawRequest.objects.filter(draw=draw).order_by("created_at", "pk")
    assert [r.outcome for r in outcomes] == ["not_drawn"] * 4 + ["won"] * 2
    entry = Activity.objects.in_community(community).get(verb="draw.drawn")
    assert entry.data["seed"] == SEED and entry.data["tiers"] == [1, 1, 1, 1, 0, 0]
    kinds = Notification.objects.filter(kind="space_draw")
    assert kinds.filter(title_msgid__startswith="You were drawn").count() == 2
    assert kinds.filter(title_msgid__startswith="You were not drawn").count() == 4


def test_a_resident_repeats_the_draw_with_the_lottery_command(community, worker, tmp_path):
    space = space_of(community, seats=3)
    draw = _open(space, worker, at(5, hour=19))
    people = _crowd(community, draw, 9)
    booking_of(space, people[0], timezone.now() - timedelta(days=2))
    booking_of(space, people[5], timezone.now() - timedelta(days=9))
    _close(draw)
    before = selectors.published(draw)
    services.draw_run(actor=member(community, role=Role.COMMUNITY_WORKER), draw=draw, seed=SEED)
    draw.refresh_from_db()
    after = selectors.published(draw)
    # the list and tiers published before the seed are those the draw used
    assert after.labels == before.labels and after.list_sha256 == before.list_sha256
    assert [e.tier for e in after.entries] == [e.tier for e in before.entries]
    names = tmp_path / "list.txt"
    names.write_text("\n".join(before.labels) + "\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "gongzhi.core.lottery", "--seed", SEED, "--draw", "9", str(names)],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = dict(line.split("=", 1) for line in run.stdout.splitlines() if "=" in line)
    assert summary["list_sha256"] == before.list_sha256
    key_order = [int(p) for p in summary["drawn"].split(",")]
    tier_of = {e.position: e.tier for e in before.entries}
    by_hand = [p for p in key_order if tier_of[p] == 0] + [p for p in key_order if tier_of[p] == 1]
    won = {e.position for e in after.entries if e.outcome == "won"}
    assert won == set(by_hand[:3])
    assert sorted(e.drawn for e in after.entries if e.drawn) == list(range(1, 10))
    assert {e.position for e in after.entries if e.drawn and e.drawn <= 3} == won


def test_the_draw_is_once_after_the_close_by_a_manager_who_did_not_ask(community, worker):
    space = space_of(community)
    draw = _open(space, worker, at(5, hour=19))
    asker = member(community, role=Role.COMMUNITY_WORKER)
    services.draw_request(actor=asker, draw=draw, purpose="聚会")
    _crowd(community, draw, 2)
    _refused("draw_still_open", services.draw_run, actor=worker, draw=draw, seed=SEED)
    _close(draw)
    with pytest.raises(PermissionDenied):
        services.draw_run(actor=asker, draw=draw, seed=SEED)
    with pytest.raises(PermissionDenied):
        services.draw_run(actor=member(community), draw=draw, seed=SEED)
    _refused("draw_seed", services.draw_run, actor=worker, draw=draw, seed=" ")
    services.draw_run(actor=worker, draw=draw, seed=SEED)
    _refused("draw_done", services.draw_run, actor=worker, draw=draw, seed=SEED)


def test_unused_holds_are_freed_and_go_to_the_waiting(community, worker, resident):
    space = space_of(community, seats=2)
    start = at(5, hour=19)
    draw = _open(space, worker, start)
    services.draw_request(actor=resident, draw=draw, purpose="聚会")
    neighbour = member(community)
    engine.wait_for(
        actor=neighbour,
        space=space,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        purpose="下棋",
    )
    _close(draw)
    services.draw_run(actor=worker, draw=draw, seed=SEED)
    statuses = sorted(Booking.objects.filter(draw=draw).values_list("status", flat=True))
    assert statuses == ["confirmed"]  # the unused hold is gone
    assert Booking.objects.filter(person=neighbour, status="confirmed").count() == 1


def test_an_organisation_asks_once(community, worker):
    body, (chair, deputy) = seated_council(community, worker, members=2)
    space = space_of(community)
    draw = _open(space, worker, at(5, hour=19))
    services.draw_request(actor=chair, draw=draw, purpose="议事会例会", body=body)
    _refused(
        "draw_body_twice", services.draw_request, actor=deputy, draw=draw, purpose="例会", body=body
    )
    with pytest.raises(PermissionDenied):
        services.draw_request(actor=member(community), draw=draw, purpose="冒名", body=body)


def test_a_manager_cancels_a_draw_and_frees_its_time(community, worker, resident):
    space = space_of(community, seats=2)
    draw = _open(space, worker, at(5, hour=19))
    services.draw_request(actor=resident, draw=draw, purpose="聚会")
    with pytest.raises(PermissionDenied):
        services.draw_cancel(actor=resident, draw=draw, reason="不想要了")
    _refused("draw_reason", services.draw_cancel, actor=worker, draw=draw, reason=" ")
    services.draw_cancel(actor=worker, draw=draw, reason="场地维修")
    draw.refresh_from_db()
    assert draw.status == DrawStatus.CANCELLED
    assert not Booking.objects.filter(draw=draw).exists()
    told = Notification.objects.get(kind="space_draw", user=resident)
    assert told.params["reason"] == "场地维修"
    assert Activity.objects.in_community(community).get(verb="draw.cancelled").actor_id == worker.pk
    _refused("draw_done", services.draw_cancel, actor=worker, draw=draw, reason="再取消")


def test_a_draw_beyond_the_spaces_days_ahead_is_refused(community, worker):
    space = space_of(community, worker, advance_days=30)
    _refused("booking_too_far", _open, space, worker, at(60))


def test_asking_over_the_quota_is_refused_in_the_engine_the_api_and_the_page(
    client, community, worker, resident
):
    from django.urls import reverse
    from django.utils.html import escape
    from django.utils.translation import gettext

    from gongzhi.spaces.models import QuotaPeriod
    from tests.spaces.test_booking_api import Api

    space = space_of(community, worker, quota=1)
    start = at(5, hour=19)
    draw = _open(space, worker, start)
    booking_of(space, resident, at(5, hour=9))  # the week's one booking, the same day
    _refused("booking_over_quota", services.draw_request, actor=resident, draw=draw, purpose="x")
    path = f"/communities/{community.slug}/spaces/draws/{draw.pk}/requests"
    response = Api(resident).post(path, {"purpose": "生日会"})
    assert response.status_code == 400 and response.json()["code"] == "booking_over_quota"
    client.force_login(resident)
    page = client.post(
        reverse("spaces_draw_ask", args=[community.slug, draw.pk]), {"purpose": "生日会"}
    )
    assert page.status_code == 400

    def said(answer):
        with translation.override(answer.wsgi_request.LANGUAGE_CODE):
            return gettext(
                "The quota of %(quota)d bookings %(period)s for this space is used up."
            ) % {"quota": 1, "period": QuotaPeriod.WEEK.label}

    assert response.json()["message"] == said(response)
    assert escape(said(page)) in page.content.decode()
    assert not DrawRequest.objects.exists()
    # another household's resident still asks
    services.draw_request(actor=member(community), draw=draw, purpose="下棋")


def test_a_request_waiting_for_a_draw_counts_toward_the_quota(community, worker, resident):
    """Asking in two draws of one week, or asking and then booking, would give a winner more
    than the quota: a waiting request counts until it is withdrawn or drawn."""
    space = space_of(community, worker, quota=1)
    first = _open(space, worker, at(5, hour=19))
    second = _open(space, worker, at(5, hour=14))
    asked = services.draw_request(actor=resident, draw=first, purpose="生日会")
    _refused("booking_over_quota", services.draw_request, actor=resident, draw=second, purpose="x")
    _refused(
        "booking_over_quota",
        engine.book,
        actor=resident,
        space=space,
        starts_at=at(5, hour=9),
        ends_at=at(5, hour=10),
        purpose="x",
    )
    # another household is not held back by it
    services.draw_request(actor=member(community), draw=second, purpose="下棋")
    services.draw_withdraw(actor=resident, request=asked)
    booked = engine.book(
        actor=resident, space=space, starts_at=at(5, hour=9), ends_at=at(5, hour=10), purpose="x"
    )
    assert booked.status == BookingStatus.CONFIRMED


def test_a_manager_sitting_in_an_organisation_that_asked_may_not_type_the_seed(community, worker):
    body, (chair, deputy) = seated_council(community, worker, members=2)
    space = space_of(community, worker, managed_by_body=body, organisations=True)
    draw = _open(space, worker, at(5, hour=19))
    services.draw_request(actor=chair, draw=draw, purpose="议事会例会", body=body)
    _close(draw)
    assert engine.may_decide(deputy, space)  # a manager, through the body
    with translation.override("en"), pytest.raises(PermissionDenied, match="organisation you"):
        services.draw_run(actor=deputy, draw=draw, seed=SEED)
    assert DrawRound.objects.get(pk=draw.pk).status == DrawStatus.OPEN
    assert services.draw_run(actor=worker, draw=draw, seed=SEED)
