"""Reads of attendance and lending that pages and the API share: a space's desk (a day's
bookings with their check-in and fee), the no-show appeals a manager decides, the things lent
out with how many are in stock, and a resident's loans and no-shows ("my bookings").

A space, booking, appeal or resource the viewer may not act on is ``Http404``, as a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, IntegerField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from gongzhi.core.models import Community
from gongzhi.spaces import attendance, booking_selectors, lending
from gongzhi.spaces import booking as engine
from gongzhi.spaces.models import (
    AppealStatus,
    Booking,
    BookingStatus,
    Loan,
    NoShowAppeal,
    Resource,
    Space,
)

#: how far back "my bookings" lists returned loans
RETURNED_SHOWN = timedelta(days=30)


# --- Attendance ------------------------------------------------------------------------------


def space_for_desk(community: Community, viewer: Any, space_id: int) -> Space:
    """A space whose desk ``viewer`` keeps (its managers)."""
    space = (
        Space.objects.in_community(community)
        .select_related("community", "managed_by_body")
        .filter(pk=space_id)
        .first()
    )
    if space is None or not engine.may_decide(viewer, space):
        raise Http404
    return space


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, start + timedelta(days=1)


def desk(space: Space, day: date) -> QuerySet[Booking]:
    """The day's bookings of ``space`` that were confirmed or released, with who and the fee."""
    start, end = day_bounds(day)
    return (
        Booking.objects.in_community(space.community_id)
        .filter(
            space=space,
            starts_at__gte=start,
            starts_at__lt=end,
            status__in=(BookingStatus.CONFIRMED, BookingStatus.RELEASED),
        )
        .select_related("person", "body", "partner", "fee_received_by")
        .order_by("starts_at", "seat", "pk")
    )


def booking_for_manager(community: Community, viewer: Any, booking_id: int) -> Booking:
    found = (
        Booking.objects.in_community(community)
        .select_related("space__community", "space__managed_by_body", "person")
        .filter(pk=booking_id)
        .first()
    )
    if found is None or not engine.may_decide(viewer, found.space):
        raise Http404
    return found


def booking_for_appeal(community: Community, user: Any, booking_id: int) -> Booking:
    """One of ``user``'s own bookings counted as a no-show."""
    found = (
        Booking.objects.in_community(community)
        .select_related("space__community")
        .filter(pk=booking_id, person_id=getattr(user, "pk", None))
        .first()
    )
    if found is None or not found.no_show:
        raise Http404
    return found


def appeals_for(community: Community, viewer: Any, *, open_only: bool = True) -> list[NoShowAppeal]:
    """The appeals about spaces ``viewer`` manages, oldest first."""
    appeals = (
        NoShowAppeal.objects.in_community(community)
        .select_related(
            "booking__space__managed_by_body", "booking__person", "booking__space__community"
        )
        .order_by("created_at", "pk")
    )
    if open_only:
        appeals = appeals.filter(status=AppealStatus.OPEN)
    # the viewer's spaces first, then the cap: a body's member sees their own appeals however
    # many the rest of the community has
    managed = booking_selectors.managed_spaces(community, viewer)
    return list(appeals.filter(booking__space__in=managed.values("pk"))[:200])


def appeal_for_manager(community: Community, viewer: Any, appeal_id: int) -> NoShowAppeal:
    appeal = (
        NoShowAppeal.objects.in_community(community)
        .select_related("booking__space__community", "booking__space__managed_by_body")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None or not engine.may_decide(viewer, appeal.booking.space):
        raise Http404
    return appeal


def managed_spaces(community: Community, viewer: Any) -> list[Space]:
    """The spaces of ``community`` whose desk ``viewer`` keeps."""
    spaces = booking_selectors.managed_spaces(community, viewer).select_related("managed_by_body")
    return list(spaces.order_by("name", "pk"))


def manages_any(community: Community, viewer: Any) -> bool:
    """Whether ``viewer`` manages some space of ``community`` (the appeals page's door)."""
    return bool(managed_spaces(community, viewer))


def fees_to_collect(space: Space, now: datetime) -> QuerySet[Booking]:
    """Confirmed or released bookings of ``space`` with an unpaid fee, from a month back."""
    return (
        Booking.objects.in_community(space.community_id)
        .filter(
            space=space,
            fee__gt=0,
            fee_paid_at__isnull=True,
            status__in=(BookingStatus.CONFIRMED, BookingStatus.RELEASED),
            starts_at__gte=now - timedelta(days=31),
        )
        .select_related("person", "body", "partner")
        .order_by("starts_at", "pk")
    )


# --- Lending ---------------------------------------------------------------------------------


def resources(community: Community, *, active_only: bool = True) -> QuerySet[Resource]:
    """The things lent out, with ``lent`` (out now) and ``left`` (in stock) on each."""
    rows = Resource.objects.in_community(community)
    if active_only:
        rows = rows.filter(active=True)
    return (
        rows.select_related("kept_at", "managed_by_body")
        .annotate(
            lent=Coalesce(
                Sum("loans__count", filter=Q(loans__returned_at__isnull=True)),
                0,
                output_field=IntegerField(),
            )
        )
        .order_by("name", "pk")
    )


def left_of(resource: Any) -> int:
    return max(int(resource.quantity) - int(getattr(resource, "lent", 0) or 0), 0)


def resource_get(community: Community, resource_id: int, viewer: Any = None) -> Resource:
    """One item (an inactive one only for those who may lend it), with ``lent``."""
    found = resources(community, active_only=False).filter(pk=resource_id).first()
    if found is None or (not found.active and not lending.may_lend(viewer, found)):
        raise Http404
    return found


def loans_of(resource: Resource) -> QuerySet[Loan]:
    """The loans of ``resource`` not yet returned, the most overdue first."""
    return (
        lending.open_loans(resource.community_id)
        .filter(resource=resource)
        .select_related("borrower", "lent_by")
        .order_by("due_on", "pk")
    )


def loan_for_lender(community: Community, viewer: Any, loan_id: int) -> Loan:
    loan = (
        Loan.objects.in_community(community)
        .select_related("resource__kept_at", "resource__managed_by_body", "resource__community")
        .filter(pk=loan_id)
        .first()
    )
    if loan is None or not lending.may_lend(viewer, loan.resource):
        raise Http404
    return loan


def my_loans(community: Community, user: Any, now: datetime | None = None) -> list[Loan]:
    """``user``'s loans not yet returned, and those returned in the last month."""
    now = now or timezone.now()
    loans = list(
        Loan.objects.in_community(community)
        .filter(borrower_id=getattr(user, "pk", None))
        .filter(Q(returned_at__isnull=True) | Q(returned_at__gte=now - RETURNED_SHOWN))
        .select_related("resource__kept_at")
        .order_by("returned_at", "due_on", "pk")
    )
    today = timezone.localdate(now)
    for loan in loans:
        loan.overdue = loan.returned_at is None and loan.due_on < today  # type: ignore[attr-defined]
    return loans


def my_no_shows(community: Community, user: Any, now: datetime | None = None) -> list[Booking]:
    """``user``'s no-shows that may still be appealed or were, with ``appeal_or_none``."""
    now = now or timezone.now()
    rows = list(
        Booking.objects.in_community(community)
        .filter(
            person_id=getattr(user, "pk", None),
            status=BookingStatus.RELEASED,
            ends_at__gte=now - timedelta(days=attendance.APPEAL_DAYS),
        )
        .select_related("space")
        .order_by("-starts_at", "pk")
    )
    appeals = {
        appeal.booking_id: appeal
        for appeal in NoShowAppeal.objects.in_community(community).filter(
            booking_id__in=[b.pk for b in rows]
        )
    }
    for row in rows:
        row.appeal_or_none = appeals.get(row.pk)  # type: ignore[attr-defined]
    return rows


# --- The parts' sections (views.parts_context) ------------------------------------------------


@dataclass
class Hub:
    resources: list[Resource]
    may_manage: bool
    manages_spaces: bool
    desks: list[Space]
    open_appeals: int
    overdue_loans: int


def hub(community: Community, viewer: Any) -> Hub:
    items = list(resources(community)[:50])
    for item in items:
        item.left = left_of(item)  # type: ignore[attr-defined]
    desks = managed_spaces(community, viewer)
    manages = bool(desks)
    today = timezone.localdate()
    return Hub(
        resources=items,
        may_manage=lending.may_manage_resources(viewer, community),
        manages_spaces=manages,
        desks=desks,
        open_appeals=len(appeals_for(community, viewer)) if manages else 0,
        overdue_loans=lending.overdue(community, today).count() if manages else 0,
    )


@dataclass
class Mine:
    loans: list[Loan]
    no_shows: list[Booking]


def mine(community: Community, user: Any) -> Mine:
    return Mine(loans=my_loans(community, user), no_shows=my_no_shows(community, user))


def checked_in_count(space: Space, day: date) -> dict[str, int]:
    """How many of the day's bookings were checked in, released, or are still to come."""
    counts = desk(space, day).aggregate(
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
        released=Count("pk", filter=Q(status=BookingStatus.RELEASED)),
        total=Count("pk"),
    )
    return {key: int(value or 0) for key, value in counts.items()}
