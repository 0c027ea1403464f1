"""Things the community lends out (folding tables, a projector, tools, wheelchairs and walkers for
elderly residents): the catalogue, lending, returns and overdue reminders.

- A ``Resource`` has a quantity, a loan length in days and where it is kept (a space). Community
  workers add and change resources.
- Who lends and takes back (``may_lend``): community workers, the members of the body that
  manages the resource, and the managers of the space it is kept at. They lend to a member of
  the community found by phone number, never to themselves (a check constraint holds it too),
  and nobody takes back their own loan.
- Never more lent than there are: the resource's row is locked while the loans not yet returned
  are counted, so two managers lending the last wheelchair at once give it once.
- ``remind_overdue`` (the ``spaces_remind`` command, daily or more often) tells each borrower of
  an overdue loan, at most once a day per loan: a conditional update of ``reminded_on`` decides
  who sends it, so two runs at once send one reminder.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import journal
from gongzhi.core.models import Community
from gongzhi.core.policies import is_community_worker, is_member
from gongzhi.spaces import booking as engine
from gongzhi.spaces.models import Loan, Resource, ResourceKind, Space

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

NAME_MAX = 80
NOTE_MAX = 200
MAX_QUANTITY = 10_000
MAX_LOAN_DAYS = 365


# --- Who may -----------------------------------------------------------------------------------


def may_manage_resources(user: Any, community: Any) -> bool:
    return bool(is_community_worker(user, community))


def may_lend(user: Any, resource: Resource) -> bool:
    """Community workers, the managing body's members, the managers of the space it is kept at."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_community_worker(user, resource):
        return True
    if resource.managed_by_body_id:
        from gongzhi.bodies.policies import sits_in_body

        if sits_in_body(user, resource.managed_by_body):
            return True
    kept_at = resource.kept_at
    return kept_at is not None and engine.may_decide(user, kept_at)


def _require_manage(actor: Any, community: Any) -> None:
    if not may_manage_resources(actor, community):
        raise PermissionDenied(_("Only community workers set up what the community lends out."))


def _require_lend(actor: Any, resource: Resource) -> None:
    if not may_lend(actor, resource):
        raise PermissionDenied(_("Only those who look after this item lend it out."))


# --- The catalogue -------------------------------------------------------------------------------


def _clean(
    community_id: int,
    *,
    name: str,
    kind: str,
    quantity: int,
    loan_days: int,
    note: str,
    kept_at: Space | None,
    exclude: int | None = None,
) -> dict[str, Any]:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the item a name."), code="resource_no_name")
    if len(name) > NAME_MAX:
        raise ValidationError(
            _("The name is too long: at most %(max)d characters.") % {"max": NAME_MAX},
            code="resource_name_too_long",
        )
    if kind not in ResourceKind.values:
        raise ValidationError(_("Choose one of the listed kinds."), code="resource_kind")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError(
            _("The quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY},
            code="resource_quantity",
        )
    if not 1 <= loan_days <= MAX_LOAN_DAYS:
        raise ValidationError(
            _("A loan lasts between 1 and %(max)d days.") % {"max": MAX_LOAN_DAYS},
            code="resource_loan_days",
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            _("The note is too long: at most %(max)d characters.") % {"max": NOTE_MAX},
            code="resource_note_too_long",
        )
    if kept_at is not None and kept_at.community_id != community_id:
        raise ValidationError(
            _("Choose a space of this community."), code="resource_other_community"
        )
    taken = Resource.objects.in_community(community_id).filter(name=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError(_("Another item already has this name."), code="resource_name_taken")
    return {
        "name": name,
        "kind": kind,
        "quantity": quantity,
        "loan_days": loan_days,
        "note": note,
        "kept_at": kept_at,
    }


def resource_create(
    *,
    actor: User,
    community: Community,
    name: str,
    kind: str,
    quantity: int = 1,
    loan_days: int = 7,
    note: str = "",
    kept_at: Space | None = None,
) -> Resource:
    """A community worker adds something the community lends out."""
    _require_manage(actor, community)
    fields = _clean(
        community.pk,
        name=name,
        kind=kind,
        quantity=quantity,
        loan_days=loan_days,
        note=note,
        kept_at=kept_at,
    )
    with transaction.atomic():
        resource = Resource.objects.in_community(community).create(**fields)
        journal.record(
            community=community,
            actor=actor,
            verb="resource.created",
            target=resource,
            data={"quantity": resource.quantity},
        )
    return resource


def resource_update(
    *,
    actor: User,
    resource: Resource,
    name: str,
    kind: str,
    quantity: int,
    loan_days: int,
    note: str = "",
    kept_at: Space | None = None,
    active: bool = True,
) -> Resource:
    """A community worker changes an item; the quantity cannot drop below what is lent out."""
    _require_manage(actor, resource.community)
    fields = _clean(
        resource.community_id,
        name=name,
        kind=kind,
        quantity=quantity,
        loan_days=loan_days,
        note=note,
        kept_at=kept_at,
        exclude=resource.pk,
    )
    with transaction.atomic():
        locked = _lock(resource)
        out = outstanding(locked)
        if fields["quantity"] < out:
            raise ValidationError(
                _("%(count)d are lent out: the quantity cannot be less.") % {"count": out},
                code="resource_quantity_lent",
            )
        for key, value in fields.items():
            setattr(locked, key, value)
        locked.active = active
        locked.save()
        journal.record(
            community=locked.community,
            actor=actor,
            verb="resource.updated",
            target=locked,
            data={"quantity": locked.quantity, "active": active},
        )
    return locked


# --- Loans ------------------------------------------------------------------------------------


def _lock(resource: Resource) -> Resource:
    return (
        Resource.objects.in_community(resource.community_id).select_for_update().get(pk=resource.pk)
    )


def open_loans(community: Any) -> Any:
    return Loan.objects.in_community(community).filter(returned_at__isnull=True)


def outstanding(resource: Resource) -> int:
    """How many of ``resource`` are lent out now."""
    total = (
        open_loans(resource.community_id)
        .filter(resource=resource)
        .aggregate(total=Sum("count"))["total"]
    )
    return int(total or 0)


def loan_lend(
    *,
    actor: User,
    resource: Resource,
    borrower: Any,
    count: int = 1,
    due_on: date | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Loan:
    """Lend ``count`` of ``resource`` to ``borrower`` (a member), due back on ``due_on`` (the
    resource's loan length by default). Refused when fewer are left, counted under the
    resource's row lock."""
    _require_lend(actor, resource)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if borrower is None or not is_member(borrower, resource):
        raise ValidationError(_("Lend only to a member of this community."), code="loan_not_member")
    if borrower.pk == actor.pk:
        raise ValidationError(
            _("Nobody lends to themselves: another person who looks after it does."),
            code="loan_to_oneself",
        )
    if count < 1:
        raise ValidationError(_("Lend at least one."), code="loan_count")
    due_on = due_on or today + timedelta(days=resource.loan_days)
    if due_on < today:
        raise ValidationError(_("The day it is due back has already passed."), code="loan_due_past")
    if due_on > today + timedelta(days=MAX_LOAN_DAYS):
        raise ValidationError(
            _("A loan lasts at most %(max)d days.") % {"max": MAX_LOAN_DAYS}, code="loan_too_long"
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(
            _("The note is too long: at most %(max)d characters.") % {"max": NOTE_MAX},
            code="loan_note_too_long",
        )
    with transaction.atomic():
        locked = _lock(resource)
        if not locked.active:
            raise ValidationError(
                _("This item is not lent out any more."), code="resource_inactive"
            )
        left = locked.quantity - outstanding(locked)
        if count > left:
            raise ValidationError(
                _("Only %(left)d of %(quantity)d are in stock now.")
                % {"left": max(left, 0), "quantity": locked.quantity},
                code="loan_none_left",
            )
        loan = Loan.objects.in_community(resource.community_id).create(
            resource=locked,
            borrower=borrower,
            count=count,
            lent_by=actor,
            lent_at=now,
            due_on=due_on,
            note=note,
        )
        journal.record(
            community=locked.community,
            actor=actor,
            verb="loan.lent",
            target=loan,
            data={"resource": locked.pk, "count": count, "due_on": due_on.isoformat()},
        )
    return loan


def loan_return(*, actor: User, loan: Loan, now: datetime | None = None) -> Loan:
    """Take back a loan; by someone who looks after the item, not the borrower."""
    resource = loan.resource
    _require_lend(actor, resource)
    if actor.pk == loan.borrower_id:
        raise ValidationError(
            _("Someone else who looks after the item takes back what you borrowed."),
            code="loan_return_own",
        )
    with transaction.atomic():
        _lock(resource)
        locked = Loan.objects.in_community(loan.community_id).select_for_update().get(pk=loan.pk)
        if locked.returned_at is not None:
            raise ValidationError(_("This loan is already returned."), code="loan_returned")
        locked.returned_at = now or timezone.now()
        locked.returned_to = actor
        locked.save(update_fields=["returned_at", "returned_to"])
        journal.record(
            community=resource.community,
            actor=actor,
            verb="loan.returned",
            target=locked,
            data={"resource": resource.pk, "count": locked.count},
        )
    return locked


def overdue(community: Any, today: date) -> Any:
    return open_loans(community).filter(due_on__lt=today)


def remind_overdue(today: date | None = None, *, community: Any = None) -> int:
    """Tell each borrower of an overdue loan, once a day per loan; how many were told."""
    from django.urls import reverse

    from gongzhi.core.notify import send

    today = today or timezone.localdate()
    rows = (
        Loan.objects.all_communities()
        if community is None
        else Loan.objects.in_community(community)
    )
    due = (
        rows.filter(returned_at__isnull=True, due_on__lt=today)
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
        .select_related("resource__kept_at", "community", "borrower")
        .order_by("pk")
    )
    reminded = 0
    for loan in due:
        with transaction.atomic():
            claimed = (
                Loan.objects.in_community(loan.community_id)
                .filter(pk=loan.pk, returned_at__isnull=True)
                .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
                .update(reminded_on=today)
            )
            if not claimed:
                continue
            kept_at = loan.resource.kept_at
            send(
                users=[loan.borrower],
                community=loan.community,
                kind="space_loan",
                message="overdue",
                params={
                    "resource": loan.resource.name,
                    "due": loan.due_on.isoformat(),
                    "place": kept_at.name if kept_at else loan.community.name,
                },
                url=reverse("spaces_mine", kwargs={"slug": loan.community.slug}),
            )
            reminded += 1
    return reminded
