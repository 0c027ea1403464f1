"""What shared spaces hold about a person (see ``core.privacy``).

The copy holds the person's bookings (their own and those they made for an organisation or a
partner), repeating bookings, requests to wait for a taken time, requests in draws, appeals
against a no-show and the things they borrowed.

An erasure, through the booking engine and the draws' own services so that freed times go to
those waiting and everything is journalled: the person's coming bookings of their own
(confirmed or waiting for approval) are cancelled, their requests in draws still taking requests
withdrawn, their requests to wait deleted; the purpose they wrote on every booking, repeating
booking and draw request is emptied, and so is the reason of their appeals.

Kept, pointing at the tombstone account: past bookings (the use of the spaces, no-shows counted
by the booking rules and fees recorded in the finance ledger rest on them), bookings made for an
organisation or a partner (theirs, not the person's: the room stays booked), requests in draws
whose list is published (the draw is checked again from its list and seed), appeals once decided
(the no-show's standing rests on them), loans (the community must know where its things are), and
the acts of office: spaces set up, draws opened and drawn, requests decided, fees recorded, loans
lent and taken back, idle spaces recorded (in the journal too).

Who sees what: a space's managers (``booking.may_decide``: community workers, and the members of
the organisation that manages the space, who need not be workers) see each booker's name and the
purpose they wrote, at the check-in desk (fees collected in person) and in the requests to
decide; the space's page tells bookers so. Everyone else sees only that a time is taken: the week
grid says "taken", the space's calendar feed "Booked" with no names, the door screen a count, a
draw's list masked names (``draws.label``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.privacy import Section, rows
from gongzhi.spaces.models import (
    Booking,
    BookingStatus,
    DrawRequest,
    DrawRequestOutcome,
    Loan,
    NoShowAppeal,
    Series,
    WaitingRequest,
)

#: Every reference to a person in this app's models, each exported, erased, or kept pointing at
#: the tombstone account (an act of office: it is in the journal, which the copy holds).
COVERS = frozenset(
    {
        "spaces.Space.created_by",
        "spaces.Series.person",
        "spaces.Series.booked_by",
        "spaces.DrawRound.created_by",
        "spaces.DrawRound.drawn_by",
        "spaces.Booking.person",
        "spaces.Booking.booked_by",
        "spaces.Booking.decided_by",
        "spaces.Booking.fee_received_by",
        "spaces.DrawRequest.person",
        "spaces.WaitingRequest.person",
        "spaces.NoShowAppeal.decided_by",
        "spaces.Loan.borrower",
        "spaces.Loan.lent_by",
        "spaces.Loan.returned_to",
        "spaces.IdleSpace.recorded_by",
    }
)

#: A booking still to come that holds its time.
COMING = (BookingStatus.CONFIRMED, BookingStatus.PENDING)


def _community() -> dict[str, str]:
    return {"community": "community.slug"}


def export(user: Any) -> list[Section]:
    bookings = (
        Booking.objects.all_communities()
        .filter(Q(person=user) | Q(booked_by=user, person__isnull=True))
        .select_related("community", "space", "body", "partner")
        .order_by("starts_at", "pk")
    )
    series = (
        Series.objects.all_communities()
        .filter(person=user)
        .select_related("community", "space", "body")
        .order_by("pk")
    )
    waiting = (
        WaitingRequest.objects.all_communities()
        .filter(person=user)
        .select_related("community", "space")
        .order_by("pk")
    )
    draws = (
        DrawRequest.objects.all_communities()
        .filter(person=user)
        .select_related("community", "draw__space", "body")
        .order_by("pk")
    )
    appeals = (
        NoShowAppeal.objects.all_communities()
        .filter(booking__person=user)
        .select_related("community", "booking__space")
        .order_by("pk")
    )
    loans = (
        Loan.objects.all_communities()
        .filter(borrower=user)
        .select_related("community", "resource")
        .order_by("pk")
    )
    return [
        Section(
            "bookings",
            _("My bookings of shared spaces"),
            rows(
                bookings,
                **_community(),
                space="space.name",
                starts_at="starts_at",
                ends_at="ends_at",
                status="status",
                purpose="purpose",
                attendees="attendees",
                for_organisation=lambda b: b.body.name if b.body_id else None,
                for_partner=lambda b: b.partner.name if b.partner_id else None,
                by_someone_else=lambda b: b.booked_by_id not in (None, user.pk),
                repeating=lambda b: b.series_id is not None,
                from_draw=lambda b: b.draw_id is not None,
                checked_in_at="checked_in_at",
                no_show="no_show",
                fee="fee",
                fee_paid_at="fee_paid_at",
                booked_at="created_at",
            ),
        ),
        Section(
            "series",
            _("My repeating bookings"),
            rows(
                series,
                **_community(),
                space="space.name",
                rule="rrule",
                first_start="starts_at",
                minutes="minutes",
                purpose="purpose",
                for_organisation=lambda s: s.body.name if s.body_id else None,
                booked_at="created_at",
            ),
        ),
        Section(
            "waiting",
            _("Times I waited for"),
            rows(
                waiting,
                **_community(),
                space="space.name",
                starts_at="starts_at",
                ends_at="ends_at",
                purpose="purpose",
                status="status",
                asked_at="created_at",
            ),
        ),
        Section(
            "draw_requests",
            _("My requests in draws for popular times"),
            rows(
                draws,
                **_community(),
                space="draw.space.name",
                starts_at="draw.starts_at",
                purpose="purpose",
                for_organisation=lambda r: r.body.name if r.body_id else None,
                outcome="outcome",
                tier="tier",
                asked_at="created_at",
            ),
        ),
        Section(
            "no_show_appeals",
            _("My appeals against a no-show"),
            rows(
                appeals,
                **_community(),
                space="booking.space.name",
                booking_starts_at="booking.starts_at",
                reason="reason",
                status="status",
                answer="answer",
                decided_at="decided_at",
                appealed_at="created_at",
            ),
        ),
        Section(
            "loans",
            _("Things I borrowed"),
            rows(
                loans,
                **_community(),
                thing="resource.name",
                count="count",
                lent_at="lent_at",
                due_on="due_on",
                returned_at="returned_at",
                note="note",
            ),
        ),
    ]


def erase(user: Any) -> dict[str, int]:
    from gongzhi.spaces import booking as engine
    from gongzhi.spaces import draws

    now = timezone.now()
    coming = list(
        Booking.objects.all_communities()
        .filter(
            person=user,
            body__isnull=True,
            partner__isnull=True,
            status__in=COMING,
            starts_at__gt=now,
        )
        .select_related("space", "community")
        .order_by("pk")
    )
    cancelled = 0
    for booking in coming:
        try:
            engine.cancel(actor=user, booking=booking)
        except ValidationError:  # started or decided meanwhile: it stays as it is
            continue
        cancelled += 1
    withdrawn = 0
    for request in (
        DrawRequest.objects.all_communities()
        .filter(person=user, outcome=DrawRequestOutcome.WAITING)
        .select_related("draw__space__community")
        .order_by("pk")
    ):
        try:
            draws.draw_withdraw(actor=user, request=request)
        except ValidationError:  # closed: its list is published, the request stays
            continue
        withdrawn += 1
    waiting, _kinds = WaitingRequest.objects.all_communities().filter(person=user).delete()
    purposes = (
        Booking.objects.all_communities()
        .filter(person=user, body__isnull=True, partner__isnull=True)
        .exclude(purpose="")
        .update(purpose="")
    )
    series = (
        Series.objects.all_communities()
        .filter(person=user, body__isnull=True)
        .exclude(purpose="")
        .update(purpose="")
    )
    draw_purposes = (
        DrawRequest.objects.all_communities()
        .filter(person=user, body__isnull=True)
        .exclude(purpose="")
        .update(purpose="")
    )
    appeals = (
        NoShowAppeal.objects.all_communities()
        .filter(booking__person=user)
        .exclude(reason="")
        .update(reason="")
    )
    notes = Loan.objects.all_communities().filter(borrower=user).exclude(note="").update(note="")
    return {
        "bookings_cancelled": cancelled,
        "bookings_emptied": purposes,
        "series_emptied": series,
        "draw_requests_withdrawn": withdrawn,
        "draw_requests_emptied": draw_purposes,
        "waiting_requests": waiting,
        "appeals_emptied": appeals,
        "loan_notes_emptied": notes,
    }
